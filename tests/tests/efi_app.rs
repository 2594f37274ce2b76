//! The efi-app loader in QEMU (q35, OVMF, TCG): what reaches the serial
//! console, the exit status through `isa-debug-exit`, keys typed on the
//! keyboard, the screen, and the packaged ISO and disk image.
//!
//! Each test boots one machine (a few seconds each under TCG); the test
//! harness runs them in parallel.

use walos_qemu::Exit;
use walos_tests::qemu::{Boot, Media, Vm};
use walos_tests::{logo, program, sample, tar_archive, temp_file};

const LOADER: &str = "efi-app";

/// Boots `boot`; its entry must print exactly `output` and exit with 0.
fn assert_runs(boot: Boot, output: &str) {
    let end = boot.start().wait();
    assert_eq!((end.serial.as_str(), end.status), (output, Some(0)));
}

/// What `--log info` shows (time stamps taken out) of a run of the entry
/// `name` that wrote `output` and exited with 0.
fn logged_run(name: &str, output: &str) -> String {
    format!(
        "info   kernel: walos {} with the wasmi engine\n\
         info   kernel: pid 1: started `{name}` as {name}\n\
         {output}\
         info   kernel: pid 1 ({name}): exited with status 0\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// The serial output with the time stamps of the log lines
/// (`[   0.123456] `) taken out.
fn without_times(serial: &str) -> String {
    let mut out = String::new();
    for line in serial.split_inclusive('\n') {
        let stamped = line.starts_with('[') && line.find("] ").is_some_and(|end| end == 12);
        out.push_str(if stamped { &line[14..] } else { line });
    }
    out
}

#[test]
fn hello_prints_exactly_its_output_and_exits_0() {
    assert_runs(Boot::new(LOADER, &sample("hello")), "Hello world!\n");
}

#[test]
fn hello_wasi_gets_its_arguments_and_environment_from_the_command_line() {
    let boot = Boot::new(LOADER, &sample("hello-wasi")).args(&["one", "two"]).env("NAME", "walos");
    assert_runs(boot, "Hello walos!\nargc = 3\nargv[0] = hello-wasi\nargv[1] = one\nargv[2] = two\n");
}

#[test]
fn hello_rs_prints_with_std_and_logs_through_the_kernel() {
    let end = Boot::new(LOADER, &sample("hello-rs")).args(&["x"]).log("info").start().wait();
    let output = "Hello world!\nargs: x\ninfo   hello-rs: said hello through WASI\n";
    assert_eq!((without_times(&end.serial), end.status), (logged_run("hello-rs", output), Some(0)));
}

#[test]
fn the_exit_status_comes_back_through_isa_debug_exit() {
    let end = Boot::new(LOADER, &program("exit_code")).args(&["7"]).start().wait();
    // stderr is not buffered; stdout is flushed at exit.
    assert_eq!((end.serial.as_str(), end.status, end.exit), ("to stderrexiting with 7", Some(7), Exit::Status(7)));
}

#[test]
fn randomness_comes_from_the_firmware() {
    assert_runs(Boot::new(LOADER, &program("random")), "random ok\n");
}

#[test]
fn the_clocks_tell_the_time_and_never_go_back() {
    assert_runs(Boot::new(LOADER, &program("clocks")), "clocks ok\n");
}

#[test]
fn a_sleep_waits_on_the_firmware_timer_and_does_not_end_early() {
    assert_runs(Boot::new(LOADER, &program("sleep")).args(&["250"]), "slept 250 ms\n");
}

#[test]
fn the_initrd_is_the_root_file_system() {
    let tar = tar_archive("initrd.tar", &[("etc/motd", b"welcome to walos\n")]);
    assert_runs(Boot::new(LOADER, &program("print_file")).args(&["/etc/motd"]).initrd(&tar), "welcome to walos\n");
}

#[test]
fn a_gzipped_initrd_is_the_root_file_system_too() {
    let gz = tar_archive("initrd.tar.gz", &[("etc/motd", b"welcome to gzipped walos\n")]);
    assert_runs(
        Boot::new(LOADER, &program("print_file")).args(&["/etc/motd"]).initrd(&gz),
        "welcome to gzipped walos\n",
    );
}

#[test]
fn a_trap_is_logged_with_the_program_name_and_fails_the_run() {
    let end = Boot::new(LOADER, &program("abort")).start().wait();
    let (output, log) = end.serial.split_once('\n').expect("two lines");
    assert_eq!(output, "about to abort");
    // `[   0.123456] err    abort: trap: ...`
    assert!(log.starts_with('[') && log.contains("] err    abort: trap: "), "{}", end.serial);
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
}

#[test]
fn a_module_that_is_not_wasm_is_refused_by_name() {
    let junk = temp_file("junk.wasm", b"not wasm at all");
    let end = Boot::new(LOADER, &junk).start().wait();
    assert!(end.serial.starts_with("walos: `junk` is not a valid wasm module: "), "{}", end.serial);
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
}

#[test]
fn a_bad_command_line_is_reported_and_the_machine_powers_off() {
    let end = Boot::new(LOADER, &sample("hello")).log("loud").start().wait();
    assert_eq!(
        end.serial,
        "walos: \\walos\\cmdline: kernel command line: --log: unknown log level `loud` (expected emerg, alert, \
         crit, err, warn, notice, info, debug or 0-7)\n"
    );
    // Whether to report to isa-debug-exit is unknown: a plain power-off.
    assert_eq!((end.status, end.exit), (None, Exit::NoReport(Some(0))));
}

#[test]
fn an_option_of_efi_os_is_refused_by_name() {
    let end = Boot::new(LOADER, &sample("hello")).drivers(&["ps2kbd"]).start().wait();
    assert_eq!(
        end.serial,
        "walos: \\walos\\cmdline: kernel command line: `--driver` is an efi-os option: the efi-app loader does not \
         support it\n"
    );
    // The line was understood, `--debug-exit` with it: the run failed.
    assert_eq!((end.status, end.exit), (None, Exit::Failed));
}

#[test]
fn keys_typed_on_the_keyboard_reach_stdin() {
    let mut vm = Boot::new(LOADER, &program("cat")).log("info").start();
    // The firmware would take keys typed while it boots.
    vm.wait_for_serial("started `cat`");
    for key in ["shift-h", "i", "spc", "t", "h", "e", "r", "e", "ret", "ctrl-d"] {
        vm.sendkey(key);
    }
    let end = vm.wait();
    let expected = logged_run("cat", "Hi there\ncopied 9 bytes\n");
    assert_eq!((without_times(&end.serial), end.status), (expected, Some(0)));
}

#[test]
fn bytes_typed_on_the_serial_line_reach_stdin() {
    let mut vm = Boot::new(LOADER, &program("cat")).log("info").start();
    vm.wait_for_serial("started `cat`");
    // A terminal sends carriage return for Enter, and Ctrl-D as byte 4.
    vm.type_serial("héllo\r\x04".as_bytes());
    let end = vm.wait();
    let expected = logged_run("cat", "héllo\ncopied 7 bytes\n");
    assert_eq!((without_times(&end.serial), end.status), (expected, Some(0)));
}

#[test]
fn the_vga_sample_draws_the_logo_centred_on_the_screen() {
    let mut vm = Boot::new(LOADER, &sample("vga")).keep_screen().start();
    vm.wait_power_off();
    let screen = vm.screendump();
    let (x, y) = logo::origin(&screen);
    let line = format!("drew the 192x128 logo at ({x}, {y}) on the {}x{} screen\n", screen.width, screen.height);
    assert_eq!(logo::check_centred(&screen), Ok(()));
    assert_eq!(vm.wait().serial, line);
}

#[test]
fn the_iso_boots_from_a_cd() {
    assert_runs(Boot::new(LOADER, &sample("hello")).media(Media::Cdrom), "Hello world!\n");
}

#[test]
fn the_disk_image_boots_as_a_hard_disk() {
    let end = Boot::new(LOADER, &sample("hello-wasi")).media(Media::Disk).start().wait();
    assert_eq!(end.serial.lines().next(), Some("Hello world!"));
    assert_eq!(end.status, Some(0));
}

/// Boots the shell with `hello` and `program` in the store, and runs
/// `hello` from it.
fn shell_after_hello(program_name: &str) -> Vm {
    let mut vm = Boot::new(LOADER, &sample("shell"))
        .service("hello", &sample("hello"))
        .service(program_name, &program(program_name))
        .start();
    vm.wait_for_serial("walos> ");
    vm.type_text("hello\n");
    vm.wait_for_serial("Hello world!\nwalos> ");
    vm
}

#[test]
fn the_shell_runs_programs_in_the_foreground_and_the_background() {
    let mut vm = shell_after_hello("sleep");
    vm.type_text("sleep 100000 &\n");
    vm.wait_for_serial("[3]\nwalos> ");
    vm.type_text("ps\n");
    vm.wait_for_serial(" sleep\nwalos> ");
    vm.type_text("exit 3\n");
    let end = vm.wait();
    // The shell echoes what is typed (the console does not); `ps` rows
    // without their CPU time and the sleeper's state (ready or blocked).
    let rows: Vec<String> = end
        .serial
        .lines()
        .map(|line| match line.split_whitespace().collect::<Vec<_>>()[..] {
            [pid, "running", _, name] => format!("{pid} running {name}"),
            [pid, _, cpu, "sleep"] if cpu.parse::<f64>().is_ok() => format!("{pid} waiting sleep"),
            _ => line.to_string(),
        })
        .collect();
    assert_eq!(
        rows,
        [
            "walos> hello",
            "Hello world!",
            "walos> sleep 100000 &",
            "[3]",
            "walos> ps",
            "  PID STATE       CPU(ms) NAME",
            "1 running shell",
            "3 waiting sleep",
            "walos> exit 3",
        ]
    );
    assert_eq!(end.status, Some(3));
}

#[test]
fn the_shell_recalls_lines_with_the_arrows_and_ctrl_c_interrupts() {
    let mut vm = shell_after_hello("spin");
    // The firmware's up arrow comes as `ESC [ A`: the line comes back.
    vm.sendkey("up");
    vm.sendkey("ret");
    vm.wait_for_serial("walos> hello\nHello world!\nwalos> ");
    vm.type_text("spin\n");
    vm.wait_for_serial("spinning\n");
    vm.sendkey("ctrl-c");
    vm.wait_for_serial("[4] killed\nwalos> ");
    vm.type_text("exit\n");
    let end = vm.wait();
    assert_eq!(
        end.serial,
        "walos> hello\nHello world!\nwalos> hello\nHello world!\nwalos> spin\nspinning\n^C\n[4] killed\nwalos> exit\n"
    );
    assert_eq!(end.status, Some(0));
}
