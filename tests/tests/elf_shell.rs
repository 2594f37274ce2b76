//! `sample/shell` on the Linux loader, driven through stdin (a pipe: the
//! shell does not echo unless asked). Its service store is a directory
//! holding the shell, `hello`, `hello-wasi` and the test programs `sleep`,
//! `exit_code`, `abort` and `spin`.

use std::path::PathBuf;
use std::sync::OnceLock;

use walos_tests::{Run, Session, program, sample, walos_with_input};

/// A directory with the shell and the programs it runs, made once (the
/// tests run in parallel); the shell's path.
fn store() -> &'static PathBuf {
    static STORE: OnceLock<PathBuf> = OnceLock::new();
    STORE.get_or_init(make_store)
}

fn make_store() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("walos-shell-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, wasm) in [
        ("shell", sample("shell")),
        ("hello", sample("hello")),
        ("hello-wasi", sample("hello-wasi")),
        ("sleep", program("sleep")),
        ("exit_code", program("exit_code")),
        ("abort", program("abort")),
        ("spin", program("spin")),
    ] {
        std::fs::copy(wasm, dir.join(format!("{name}.wasm"))).unwrap();
    }
    dir.join("shell.wasm")
}

/// `run OPTIONS shell.wasm SHELL_ARGS`, walos's command line.
fn command_line<'a>(options: &[&'a str], shell_args: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run"];
    args.extend(options);
    args.push(store().to_str().unwrap());
    args.extend(shell_args);
    args
}

/// `walos run OPTIONS shell.wasm SHELL_ARGS` with `input` as stdin.
fn shell(options: &[&str], shell_args: &[&str], input: &str) -> Run {
    walos_with_input(&command_line(options, shell_args), input.as_bytes())
}

/// `ps` rows as `PID STATE * NAME`: the CPU time is a measure, and the
/// state of a process other than the shell is shown as `waiting`, since a
/// sleeper is `ready` or `blocked` depending on whether it has run yet.
fn masked(stdout: &str) -> String {
    let mut out = String::new();
    for line in stdout.split_inclusive('\n') {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[..] {
            [pid, state, cpu, name] if pid.parse::<u32>().is_ok() && cpu.parse::<f64>().is_ok() => {
                let state = if name == "shell" { state } else { "waiting" };
                out.push_str(&format!("{pid} {state} * {name}\n"));
            }
            _ => out.push_str(line),
        }
    }
    out
}

#[test]
fn a_session_runs_programs_in_the_foreground_and_background() {
    let input =
        "help\nls\nrun hello\nhello a b\nsleep 100000 &\nps\nkill 4\nps\nexit_code 3\nlog info\nexit_code 4\nexit 5\n";
    let run = shell(&[], &[], input);
    assert_eq!(
        masked(&run.stdout),
        "walos> commands:
  help              this list
  ls                the services and programs of the store
  run NAME ARGS     run NAME and wait for it (also: NAME ARGS)
  NAME ARGS &       run NAME in the background
  ps                the processes: pid, state, CPU time, name
  kill PID          end process PID
  log LEVEL         show kernel log lines up to LEVEL (emerg .. debug, or 0-7)
  dmesg             the recent kernel log lines
  exit [CODE]       leave the shell with status CODE (default 0)
quote with '...' or \"...\", escape with \\; up/down: history; Ctrl-C: interrupt
walos> abort
exit_code
hello
hello-wasi
shell
sleep
spin
walos> Hello world!
walos> Hello world!
walos> [4]
walos>   PID STATE       CPU(ms) NAME
1 running * shell
4 waiting * sleep
walos> [4] killed
walos>   PID STATE       CPU(ms) NAME
1 running * shell
walos> exiting with 3[5] exit 3
walos> walos> exiting with 4[6] exit 4
walos> "
    );
    assert_eq!(run.status, 5, "{}", run.stderr);
    // `log info` shows the kernel's info lines from then on only.
    assert!(!run.stderr.contains("pid 5: started"), "{}", run.stderr);
    assert!(run.stderr.contains("info   kernel: pid 6: started `exit_code` as exit_code\n"), "{}", run.stderr);
}

#[test]
fn mistakes_are_named_and_the_session_goes_on() {
    let input =
        "nope x\nkill x\nkill 99\nkill\nlog loud\nexit x\nrun\nps &\nhello 'a\nhello a\\\nhello & b\nhe\x7f\x7fhello\n";
    let run = shell(&[], &[], input);
    assert_eq!(run.stdout, "walos> ".repeat(12) + "Hello world!\nwalos> ");
    let errors: Vec<&str> = run.stderr.lines().filter(|line| line.starts_with("shell: ")).collect();
    assert_eq!(
        errors,
        [
            "shell: nope: not found",
            "shell: kill: bad pid `x`",
            "shell: kill: no process 99",
            "shell: kill: usage: kill PID",
            "shell: log: bad level `loud` (emerg, alert, crit, err, warn, notice, info, debug, or 0-7)",
            "shell: exit: bad status `x` (0-255)",
            "shell: run: which program? (run NAME ARGS)",
            "shell: ps: a built-in command cannot run in the background",
            "shell: unclosed quote `'`",
            "shell: nothing after the final `\\` to escape",
            "shell: `&` must end the line",
        ]
    );
    // The end of input ends the shell with status 0.
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[test]
fn dmesg_shows_the_kernel_log_and_echo_can_be_asked_for() {
    let run = shell(&["--log", "err"], &[], "hello\ndmesg\nexit");
    assert!(run.stdout.contains("info   kernel: pid 2: started `hello` as hello\n"), "{}", run.stdout);
    // The last line needs no newline.
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = shell(&[], &["--echo"], "hell\x7flo\n");
    assert_eq!((run.stdout.as_str(), run.status), ("walos> hell\x08 \x08lo\nHello world!\nwalos> \n", 0));
}

#[test]
fn quotes_make_one_argument_and_each_end_is_reported() {
    let input = "hello-wasi \"a b\" 'c \"d\"' e\\ f \"\"\nrun abort\nexit_code 137\n";
    let run = shell(&[], &[], input);
    assert_eq!(
        run.stdout,
        "walos> Hello world!
argc = 5
argv[0] = hello-wasi
argv[1] = a b
argv[2] = c \"d\"
argv[3] = e f
argv[4] = 
walos> about to abort
[3] trapped
walos> exiting with 137[4] exit 137
walos> "
    );
    assert!(run.stderr.contains("abort: trap: unreachable instruction executed"), "{}", run.stderr);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[test]
fn the_arrows_recall_earlier_lines() {
    // Up, rub out `3`, type `4`; then up, up, down: the second line again.
    let run = shell(&[], &["--echo"], "exit_code 3\n\x1b[A\x7f4\n\x1b[A\x1b[A\x1b[B\n");
    let rub = |n: usize| "\x08 \x08".repeat(n);
    let want = format!(
        "walos> exit_code 3\nexiting with 3[2] exit 3\n\
         walos> exit_code 3{}4\nexiting with 4[3] exit 4\n\
         walos> exit_code 4{}exit_code 3{}exit_code 4\nexiting with 4[4] exit 4\n\
         walos> \n",
        rub(1),
        rub(11),
        rub(11)
    );
    assert_eq!(run.stdout, want);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

#[test]
fn ctrl_c_interrupts_the_foreground_program_and_clears_the_line() {
    let mut session = Session::start(&command_line(&["--log", "info"], &[]));
    session.type_bytes(b"run spin\n");
    session.wait_for("spinning\n");
    session.type_bytes(b"\x03");
    session.wait_for("walos> ");
    // At the prompt, Ctrl-C abandons what was typed.
    session.type_bytes(b"exit 9\x03");
    session.wait_for("^C\nwalos> ");
    session.type_bytes(b"exit\n");
    let run = session.finish();
    assert_eq!(run.stdout, "walos> spinning\n^C\n[2] killed\nwalos> ^C\nwalos> ");
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("info   kernel: pid 2 (spin): Ctrl-C\n"), "{}", run.stderr);
    assert!(run.stderr.contains("info   kernel: pid 2 (spin): killed\n"), "{}", run.stderr);
}
