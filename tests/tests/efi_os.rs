//! The efi-os loader under QEMU + OVMF: the UEFI stub boots the bare-metal
//! kernel, which runs the entry and reports its status through
//! `isa-debug-exit`. Waits are generous: QEMU runs without KVM here.

use std::path::Path;

use walos_tests::{program, sample, wat_file};

use local::{Boot, End};

/// QEMU's exit status when the entry trapped or could not start
/// (debug-exit value 127).
const FAILED: i32 = 255;

/// The status QEMU exits with when the entry exits with `status`.
fn exited(status: i32) -> i32 {
    status * 2 + 1
}

fn run(wasm: &Path, args: &[&str]) -> End {
    Boot::new(wasm).args(args).start().wait()
}

#[test]
fn hello_samples_print_exactly_and_exit_0() {
    let end = run(&sample("hello"), &[]);
    assert_eq!((end.serial.as_str(), end.qemu_status), ("Hello world!\n", exited(0)));

    let end = run(&sample("hello-wasi"), &["one", "two"]);
    let want = "Hello world!\nargc = 3\nargv[0] = hello-wasi\nargv[1] = one\nargv[2] = two\n";
    assert_eq!((end.serial.as_str(), end.qemu_status), (want, exited(0)));

    let end = run(&sample("hello-rs"), &["a", "b"]);
    assert_eq!((end.serial.as_str(), end.qemu_status), ("Hello world!\nargs: a b\n", exited(0)));
}

#[test]
fn the_environment_and_exit_status_reach_the_machine() {
    let end = Boot::new(&sample("hello-wasi")).env("NAME", "walos").start().wait();
    assert!(end.serial.starts_with("Hello walos!\n"), "{}", end.serial);
    let end = run(&program("exit_code"), &["42"]);
    assert_eq!(end.qemu_status, exited(42), "{}", end.serial);
}

#[test]
fn the_timer_wakes_a_sleeper_and_the_clocks_hold() {
    // nanosleep blocks the process: the kernel halts until the PIT's tick
    // passes the deadline; the program checks it did not wake up early.
    let end = run(&program("sleep"), &["300"]);
    assert_eq!((end.serial.as_str(), end.qemu_status), ("slept 300 ms\n", exited(0)));
    // The wall clock comes from the RTC (after 2023), the monotonic one
    // from the PIT.
    let end = run(&program("clocks"), &[]);
    assert_eq!((end.serial.as_str(), end.qemu_status), ("clocks ok\n", exited(0)));
}

#[test]
fn a_trap_is_logged_with_the_program_name_and_fails() {
    let end = run(&program("abort"), &[]);
    assert_eq!(end.qemu_status, FAILED, "{}", end.serial);
    assert!(end.serial.contains("err    abort: trap: unreachable instruction executed\n"), "{}", end.serial);

    let trap = wat_file("trap", r#"(module (func (export "_start") unreachable))"#);
    let end = run(&trap, &[]);
    assert_eq!(end.qemu_status, FAILED, "{}", end.serial);
    assert!(end.serial.contains("err    trap: trap: unreachable instruction executed\n"), "{}", end.serial);
}

#[test]
fn a_program_that_cannot_start_is_named_and_fails() {
    let bad = wat_file("needs-nothing", r#"(module (import "nowhere" "f" (func)) (func (export "_start")))"#);
    let end = run(&bad, &[]);
    assert_eq!(end.qemu_status, FAILED, "{}", end.serial);
    assert!(end.serial.starts_with("walos: cannot link `needs-nothing`:\n"), "{}", end.serial);
}

#[test]
fn keys_typed_on_the_ps2_keyboard_reach_stdin() {
    let mut vm = Boot::new(&program("cat")).start();
    // The keyboard is live once the kernel runs the entry.
    vm.wait_for_serial_log("pid 1: started `cat`");
    for key in ["h", "i", "shift-w", "spc", "1", "ret", "ctrl-d"] {
        vm.sendkey(key);
    }
    let end = vm.wait();
    assert_eq!(end.qemu_status, exited(0), "{}", end.serial);
    assert!(end.serial.contains("hiW 1\ncopied 6 bytes\n"), "{}", end.serial);
}

#[test]
fn the_vga_sample_draws_the_logo_centred_on_the_screen() {
    // Without --debug-exit the kernel powers off through ACPI, and QEMU
    // (`-no-shutdown`) keeps the screen for the screendump.
    let mut vm = Boot::new(&sample("vga")).debug_exit(false).start();
    vm.wait_for_serial("drew the 192x128 logo");
    vm.wait_for_shutdown();
    let screen = vm.screendump();
    walos_tests::logo::check_centred(&screen).unwrap();
    assert_eq!((screen.width, screen.height), (1280, 800));
    let end = vm.wait();
    assert!(end.serial.ends_with("on the 1280x800 screen\n"), "{}", end.serial);
}

/// Running QEMU by hand, until the shared harness lands.
mod local {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixStream;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    use walos_tests::ppm::{self, Ppm};
    use walos_tests::root;

    const WAIT: Duration = Duration::from_secs(300);

    pub struct Boot {
        wasm: PathBuf,
        args: Vec<String>,
        env: Vec<(String, String)>,
        debug_exit: bool,
    }

    pub struct Vm {
        child: Child,
        dir: PathBuf,
        monitor: BufReader<UnixStream>,
    }

    #[derive(Debug)]
    pub struct End {
        pub qemu_status: i32,
        /// What came on serial after the firmware handed over.
        pub serial: String,
    }

    impl Boot {
        pub fn new(wasm: &Path) -> Boot {
            Boot { wasm: wasm.to_path_buf(), args: Vec::new(), env: Vec::new(), debug_exit: true }
        }

        pub fn args(mut self, args: &[&str]) -> Boot {
            self.args.extend(args.iter().map(|a| a.to_string()));
            self
        }

        pub fn env(mut self, name: &str, value: &str) -> Boot {
            self.env.push((name.into(), value.into()));
            self
        }

        pub fn debug_exit(mut self, on: bool) -> Boot {
            self.debug_exit = on;
            self
        }

        pub fn start(self) -> Vm {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("walos-efi-os-{}-{n}", std::process::id()));
            let esp = dir.join("esp");
            for sub in ["EFI/BOOT", "walos", "srv"] {
                std::fs::create_dir_all(esp.join(sub)).unwrap();
            }
            let target = root().join("target");
            let copy = |from: PathBuf, to: &str| {
                std::fs::copy(&from, esp.join(to)).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
            };
            copy(target.join("x86_64-unknown-uefi/release/walos-efi-os.efi"), "EFI/BOOT/BOOTX64.EFI");
            copy(target.join("x86_64-unknown-none/release/walos-os"), "walos/kernel.elf");
            let name = self.wasm.file_stem().unwrap().to_str().unwrap().to_string();
            copy(self.wasm.clone(), &format!("srv/{name}.wasm"));
            let mut line = String::new();
            for (k, v) in &self.env {
                line += &format!("--env {k}={v} ");
            }
            if self.debug_exit {
                line += "--debug-exit ";
            }
            line += &name;
            for arg in &self.args {
                line += &format!(" {arg}");
            }
            std::fs::write(esp.join("walos/cmdline"), line + "\n").unwrap();
            let socket = dir.join("monitor.sock");
            let child = Command::new("qemu-system-x86_64")
                .args(["-machine", "q35,accel=tcg", "-m", "256M", "-nodefaults", "-vga", "std"])
                .args(["-bios", "/usr/share/ovmf/OVMF.fd", "-display", "none", "-no-reboot", "-no-shutdown"])
                .args(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"])
                .arg("-drive")
                .arg(format!("format=raw,file=fat:rw:{}", esp.display()))
                .arg("-serial")
                .arg(format!("file:{}", dir.join("serial").display()))
                .arg("-monitor")
                .arg(format!("unix:{},server,nowait", socket.display()))
                .stdin(Stdio::null())
                .spawn()
                .expect("qemu-system-x86_64");
            let start = Instant::now();
            let stream = loop {
                match UnixStream::connect(&socket) {
                    Ok(stream) => break stream,
                    Err(_) if start.elapsed() < WAIT => std::thread::sleep(Duration::from_millis(50)),
                    Err(err) => panic!("QEMU monitor: {err}"),
                }
            };
            let mut vm = Vm { child, dir, monitor: BufReader::new(stream) };
            vm.command("info status");
            vm
        }
    }

    impl Vm {
        fn serial_raw(&self) -> String {
            String::from_utf8_lossy(&std::fs::read(self.dir.join("serial")).unwrap_or_default()).into_owned()
        }

        /// Serial after OVMF's last line (`BdsDxe: starting ...`).
        fn serial(&self) -> String {
            let raw = self.serial_raw();
            match raw.find("BdsDxe: starting") {
                Some(at) => raw[at..].split_once('\n').map_or(String::new(), |(_, rest)| rest.to_string()),
                None => raw,
            }
        }

        fn until(&mut self, what: &str, mut done: impl FnMut(&mut Vm) -> bool) {
            let start = Instant::now();
            while !done(self) {
                assert!(start.elapsed() < WAIT, "waited too long for {what}; serial: {}", self.serial_raw());
                std::thread::sleep(Duration::from_millis(100));
            }
        }

        pub fn wait_for_serial(&mut self, text: &str) {
            self.until(text, |vm| vm.serial().contains(text));
        }

        /// Waits for a kernel log line: raises the log level for it.
        pub fn wait_for_serial_log(&mut self, _text: &str) {
            // The log is at `warn`: wait for the kernel to reach the entry
            // by its boot time instead (the keyboard queues keys anyway).
            self.until("the kernel", |vm| vm.serial_raw().contains("BdsDxe: starting"));
            std::thread::sleep(Duration::from_secs(2));
        }

        fn command(&mut self, command: &str) -> String {
            // QEMU may be gone already (debug-exit): then there is no answer.
            if writeln!(self.monitor.get_mut(), "{command}").is_err() {
                return String::new();
            }
            // Read up to the prompt that follows the answer.
            let mut answer = String::new();
            let mut line = String::new();
            loop {
                line.clear();
                if self.monitor.read_line(&mut line).unwrap_or(0) == 0 {
                    return answer;
                }
                answer += &line;
                if line.contains(command) {
                    break;
                }
            }
            answer
        }

        pub fn sendkey(&mut self, key: &str) {
            self.command(&format!("sendkey {key}"));
            std::thread::sleep(Duration::from_millis(200));
        }

        pub fn wait_for_shutdown(&mut self) {
            self.until("power-off", |vm| vm.command("info status").contains("shutdown"));
        }

        pub fn screendump(&mut self) -> Ppm {
            let file = self.dir.join("screen.ppm");
            self.command(&format!("screendump {}", file.display()));
            let start = Instant::now();
            loop {
                if let Ok(ppm) = std::fs::read(&file).map_err(|e| e.to_string()).and_then(|d| ppm::parse(&d)) {
                    return ppm;
                }
                assert!(start.elapsed() < WAIT, "no screendump");
                std::thread::sleep(Duration::from_millis(100));
            }
        }

        pub fn wait(mut self) -> End {
            let start = Instant::now();
            let status = loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    break status;
                }
                if self.command("info status").contains("shutdown") {
                    self.command("quit");
                }
                assert!(start.elapsed() < WAIT, "QEMU did not stop; serial: {}", self.serial_raw());
                std::thread::sleep(Duration::from_millis(100));
            };
            End { qemu_status: status.code().unwrap_or(-1), serial: self.serial() }
        }
    }

    impl Drop for Vm {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
