//! `sample/shell`: an interactive shell for walos.
//!
//! It reads command lines from stdin after the prompt `walos> ` and starts
//! the programs of the service store (`proc.spawn` by name), in the
//! foreground (`hello a b`, `run hello a b`: it waits and reports how it
//! ended unless it exited with 0: `[pid] exit N`, `[pid] trapped`, `[pid]
//! killed`) or in the background (`sleep 100 &`: it prints `[pid]` and
//! reports the end the same way at a later prompt). Built-in commands: `help`, `ls`,
//! `run`, `ps`, `kill`, `log`, `dmesg`, `exit`. The end of input exits 0.
//! Words may be quoted (see [`shell::command`]); the arrows recall earlier
//! lines (see [`shell::line`]).
//!
//! **Ctrl-C**: the shell makes its foreground child the console's
//! foreground process (`proc.set_foreground`) while it waits, so Ctrl-C
//! makes the kernel kill it; at the prompt, Ctrl-C reaches the shell,
//! which abandons the line.
//!
//! **Echo**: on the UEFI loaders nothing echoes typed keys, so the shell
//! does, and handles backspace itself (see [`shell::line`]). It echoes when
//! stdin is a terminal (`isatty`, from WASI's `fd_fdstat_get`), not when it
//! is a pipe or a file. `--echo` and `--no-echo` decide instead: on the
//! Linux loader in a terminal, the host's terminal already echoes, and
//! `make run` passes `--no-echo`.

use std::io::{IsTerminal, Read, Write};

use shell::command::{self, Command};
use shell::line::{Editor, Event};
use walos_sdk::proc::{self, End, Pid, ProcInfo};
use walos_sdk::{Error, sys};

const PROMPT: &str = "walos> ";

const HELP: &str = "\
commands:
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
";

fn main() {
    let mut echo = std::io::stdin().is_terminal();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--echo" => echo = true,
            "--no-echo" => echo = false,
            _ => {
                eprintln!("shell: unknown option `{arg}` (options: --echo, --no-echo)");
                std::process::exit(2);
            }
        }
    }
    let mut shell = Shell { input: Input::new(echo), background: Vec::new() };
    let code = shell.run();
    std::process::exit(code);
}

/// Standard input, one line at a time.
struct Input {
    editor: Editor,
    echo: bool,
    buf: [u8; 256],
    /// `buf[next..end]` is read but not yet edited.
    next: usize,
    end: usize,
    eof: bool,
}

impl Input {
    fn new(echo: bool) -> Input {
        Input { editor: Editor::new(), echo, buf: [0; 256], next: 0, end: 0, eof: false }
    }

    /// The next line, or Ctrl-C; `None` at the end of input.
    fn line(&mut self) -> Option<Typed> {
        let mut out = std::io::stdout().lock();
        loop {
            if self.next == self.end {
                let _ = out.flush();
                if self.eof {
                    return None;
                }
                match std::io::stdin().read(&mut self.buf) {
                    Ok(0) | Err(_) => {
                        self.eof = true;
                        // An unfinished last line still counts.
                        if let Some(line) = self.editor.take_partial() {
                            return Some(Typed::Line(line));
                        }
                        return None;
                    }
                    Ok(n) => (self.next, self.end) = (0, n),
                }
            }
            let byte = self.buf[self.next];
            self.next += 1;
            let event = self.editor.feed(byte);
            if self.echo {
                let _ = match &event {
                    Event::None => Ok(()),
                    Event::Echo(bytes) => out.write_all(bytes),
                    Event::Byte(byte) => out.write_all(&[*byte]),
                    Event::Line(_) => out.write_all(b"\n"),
                    Event::Cancel => Ok(()),
                };
            }
            match event {
                Event::Line(line) => {
                    let _ = out.flush();
                    return Some(Typed::Line(line));
                }
                Event::Cancel => return Some(Typed::Cancel),
                _ => {}
            }
        }
    }
}

/// What [`Input::line`] read.
enum Typed {
    Line(String),
    /// Ctrl-C at the prompt.
    Cancel,
}

struct Shell {
    input: Input,
    /// Children started with `&`, reported when they end.
    background: Vec<(Pid, String)>,
}

impl Shell {
    /// Reads and runs commands; returns the shell's exit status.
    fn run(&mut self) -> i32 {
        loop {
            self.report_background();
            print!("{PROMPT}");
            let line = match self.input.line() {
                Some(Typed::Line(line)) => line,
                Some(Typed::Cancel) => {
                    // What a terminal shows for Ctrl-C, then a fresh prompt.
                    println!("^C");
                    continue;
                }
                None => {
                    if self.input.echo {
                        println!();
                    }
                    return 0;
                }
            };
            match command::parse(&line) {
                Ok(Some(command)) => {
                    if let Some(code) = self.execute(&command) {
                        return code;
                    }
                }
                Ok(None) => {}
                Err(err) => eprintln!("shell: {err}"),
            }
        }
    }

    /// Runs one command; `Some(status)` to leave the shell.
    fn execute(&mut self, command: &Command) -> Option<i32> {
        let words: Vec<&str> = command.words.iter().map(String::as_str).collect();
        let Some((&name, args)) = words.split_first() else {
            eprintln!("shell: `&` needs a command before it");
            return None;
        };
        let builtin = matches!(name, "help" | "ls" | "run" | "ps" | "kill" | "log" | "dmesg" | "exit");
        if builtin && name != "run" && command.background {
            eprintln!("shell: {name}: a built-in command cannot run in the background");
            return None;
        }
        match name {
            "help" => print!("{HELP}"),
            "ls" => ls(),
            "run" => match args.split_first() {
                Some((&program, args)) => self.start(program, args, command.background),
                None => eprintln!("shell: run: which program? (run NAME ARGS)"),
            },
            "ps" => ps(),
            "kill" => kill(args),
            "log" => log(args),
            "dmesg" => dmesg(),
            "exit" => return exit_code(args),
            program => self.start(program, args, command.background),
        }
        None
    }

    /// Starts `program`; in the foreground, waits (Ctrl-C kills it) and
    /// reports how it ended unless it exited with 0.
    fn start(&mut self, program: &str, args: &[&str], background: bool) {
        let env: Vec<String> = std::env::vars().map(|(name, value)| format!("{name}={value}")).collect();
        let env: Vec<&str> = env.iter().map(String::as_str).collect();
        let pid = match proc::spawn(program, args, &env) {
            Ok(pid) => pid,
            Err(err) => return eprintln!("shell: {program}: {}", spawn_error(err)),
        };
        if background {
            println!("[{pid}]");
            self.background.push((pid, program.to_string()));
            return;
        }
        // It may have ended already (ESRCH): nothing to interrupt then.
        let _ = proc::set_foreground(Some(pid));
        let status = proc::wait(pid);
        let _ = proc::set_foreground(None);
        match status {
            Ok(0) => {}
            Ok(status) => {
                if End::of(status) == End::Killed {
                    // Most likely Ctrl-C, which the kernel took.
                    println!("^C");
                }
                println!("[{pid}] {}", describe(status));
            }
            Err(err) => eprintln!("shell: {program}: cannot wait for pid {pid}: {}", errno(err)),
        }
    }

    /// Collects the background children that ended and says so.
    fn report_background(&mut self) {
        if self.background.is_empty() {
            return;
        }
        let processes = processes();
        self.background.retain(|(pid, name)| {
            let ended = processes.iter().find(|p| p.pid == *pid).is_none_or(|p| p.state == 3);
            if ended {
                match proc::wait(*pid) {
                    Ok(status) => println!("[{pid}] {}", describe(status)),
                    Err(err) => println!("[{pid}] {name}: ended ({})", errno(err)),
                }
            }
            !ended
        });
    }
}

/// How a child ended, in words: `exit N`, `trapped` or `killed`.
fn describe(status: u32) -> String {
    match End::of(status) {
        End::Exited(code) => format!("exit {code}"),
        End::Trapped => "trapped".into(),
        End::Killed => "killed".into(),
    }
}

fn spawn_error(err: Error) -> String {
    match err {
        Error::NOENT => "not found".into(),
        Error::NOEXEC => "cannot run: not a valid program (see dmesg)".into(),
        Error::TOOBIG => "too many arguments".into(),
        err => errno(err),
    }
}

fn errno(err: Error) -> String {
    format!("error {}", err.0)
}

/// The service store's modules, one per line.
fn ls() {
    let mut buf = vec![0; 4096];
    loop {
        match proc::modules(&mut buf) {
            Ok(size) if size > buf.len() => buf.resize(size, 0),
            Ok(size) => return print!("{}", String::from_utf8_lossy(&buf[..size])),
            Err(err) => return eprintln!("shell: ls: {}", errno(err)),
        }
    }
}

/// Every process the kernel lists.
fn processes() -> Vec<ProcInfo> {
    let mut list = vec![ProcInfo::EMPTY; 64];
    loop {
        match proc::list(&mut list) {
            Ok(count) if count > list.len() => list.resize(count, ProcInfo::EMPTY),
            Ok(count) => {
                list.truncate(count);
                return list;
            }
            Err(err) => {
                eprintln!("shell: cannot list the processes: {}", errno(err));
                return Vec::new();
            }
        }
    }
}

fn ps() {
    println!("  PID STATE       CPU(ms) NAME");
    for p in processes() {
        println!("{:>5} {:<8} {:>10.3} {}", p.pid, p.state_name(), p.cpu_ns as f64 / 1e6, p.name());
    }
}

fn kill(args: &[&str]) {
    let [word] = args else { return eprintln!("shell: kill: usage: kill PID") };
    let Ok(pid) = word.parse::<Pid>() else { return eprintln!("shell: kill: bad pid `{word}`") };
    match proc::kill(pid) {
        Ok(()) => {}
        Err(Error::SRCH) => eprintln!("shell: kill: no process {pid}"),
        Err(err) => eprintln!("shell: kill: {pid}: {}", errno(err)),
    }
}

fn log(args: &[&str]) {
    const LEVELS: [sys::Level; 8] = [
        sys::Level::Emerg,
        sys::Level::Alert,
        sys::Level::Crit,
        sys::Level::Err,
        sys::Level::Warn,
        sys::Level::Notice,
        sys::Level::Info,
        sys::Level::Debug,
    ];
    let [word] = args else { return eprintln!("shell: log: usage: log LEVEL") };
    match command::log_level(word) {
        Some(level) => sys::set_log_level(LEVELS[level as usize]),
        None => {
            eprintln!("shell: log: bad level `{word}` (emerg, alert, crit, err, warn, notice, info, debug, or 0-7)")
        }
    }
}

fn dmesg() {
    let mut buf = vec![0; 80 * 1024];
    match sys::dmesg(&mut buf) {
        Ok(size) => print!("{}", String::from_utf8_lossy(&buf[..size.min(buf.len())])),
        Err(err) => eprintln!("shell: dmesg: {}", errno(err)),
    }
}

/// `exit [CODE]`: `Some(code)` to leave, `None` after a bad code.
fn exit_code(args: &[&str]) -> Option<i32> {
    match args {
        [] => Some(0),
        [word] => match word.parse::<u8>() {
            Ok(code) => Some(code.into()),
            Err(_) => {
                eprintln!("shell: exit: bad status `{word}` (0-255)");
                None
            }
        },
        _ => {
            eprintln!("shell: exit: usage: exit [CODE]");
            None
        }
    }
}
