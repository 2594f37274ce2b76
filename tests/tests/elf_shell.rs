//! `sample/shell` on the Linux loader, driven through stdin (a pipe: the
//! shell does not echo). Its service store is a directory holding the
//! shell, `hello`, `sleep` and `exit_code`.

use std::path::PathBuf;
use std::sync::OnceLock;

use walos_tests::{Run, program, sample, walos_with_input};

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
        ("sleep", program("sleep")),
        ("exit_code", program("exit_code")),
    ] {
        std::fs::copy(wasm, dir.join(format!("{name}.wasm"))).unwrap();
    }
    dir.join("shell.wasm")
}

/// `walos run OPTIONS shell.wasm SHELL_ARGS` with `input` as stdin.
fn shell(options: &[&str], shell_args: &[&str], input: &str) -> Run {
    let mut args = vec!["run"];
    args.extend(options);
    args.push(store().to_str().unwrap());
    args.extend(shell_args);
    walos_with_input(&args, input.as_bytes())
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
walos> exit_code
hello
shell
sleep
walos> Hello world!
walos> Hello world!
walos> [4]
walos>   PID STATE       CPU(ms) NAME
1 running * shell
4 waiting * sleep
walos> [4] sleep: killed (status 137)
walos>   PID STATE       CPU(ms) NAME
1 running * shell
walos> exiting with 3shell: exit_code: status 3
walos> walos> exiting with 4shell: exit_code: status 4
walos> "
    );
    assert_eq!(run.status, 5, "{}", run.stderr);
    // `log info` shows the kernel's info lines from then on only.
    assert!(!run.stderr.contains("pid 5: started"), "{}", run.stderr);
    assert!(run.stderr.contains("info   kernel: pid 6: started `exit_code` as exit_code\n"), "{}", run.stderr);
}

#[test]
fn mistakes_are_named_and_the_session_goes_on() {
    let input = "nope x\nkill x\nkill 99\nkill\nlog loud\nexit x\nrun\nps &\nhe\x7f\x7fhello\n";
    let run = shell(&[], &[], input);
    assert_eq!(run.stdout, "walos> ".repeat(9) + "Hello world!\nwalos> ");
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
