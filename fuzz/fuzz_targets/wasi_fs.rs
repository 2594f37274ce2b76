#![no_main]
//! Random sequences of WASI file-system calls, run twice by the kernel on
//! wasmi: once on the in-memory file system, once on a fresh host directory
//! through the Linux loader's `--dir` file system (`HostFs`), which is Linux
//! itself. The program records every call's errno and results; the two
//! records must be the same, call for call (a difference is a finding: one
//! of them disagrees with Linux). The descriptor table, path resolution and
//! the WASI layer are exercised on the way, and the kernel must neither
//! panic nor hang. Compared: errnos, counts, offsets, bytes read, file
//! types and file sizes, and every path's first bytes and type at the end;
//! not compared: times, inode numbers, link counts, directory sizes and
//! the order of directory entries, which are each file system's own.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use walos_engine_wasmi::WasmiEngine;
use walos_fuzz::Machine;
use walos_kernel::vfs::FileSystem;
use walos_kernel::vfs::mem::MemFs;
use walos_kernel::{Command, Config, ExitStatus, Kernel};
use walos_loader_elf::hostfs::HostFs;

/// The paths the calls name, relative to the preopened directory.
const PATHS: &[&str] =
    &["a", "b", "d", "d/e", "d/e/f", "a/b", "d/", "a/", ".", "d/..", "d/../b", "d/e/../../a", "../a"];

/// What symlinks point at.
const TARGETS: &[&str] = &["a", "d", "d/e", "../a", "/a", "l", "missing"];

/// Descriptor slots of the program: slot 0 holds the preopen (fd 3), the
/// others what `path_open` returned.
const SLOTS: u8 = 8;

/// Every right, and every right but the writing ones (`fd/rights.rs`).
const RIGHTS: [i64; 2] = [(1 << 30) - 1, ((1 << 30) - 1) & !((1 << 6) | (1 << 8) | (1 << 22))];

#[derive(Debug)]
enum Op {
    Open { dir: u8, path: u8, oflags: u8, read_only: bool, append: bool, into: u8 },
    Write { fd: u8, data: Vec<u8> },
    Read { fd: u8, len: u8 },
    Seek { fd: u8, offset: i8, whence: u8 },
    Close { fd: u8 },
    Mkdir { dir: u8, path: u8 },
    Rmdir { dir: u8, path: u8 },
    Unlink { dir: u8, path: u8 },
    Rename { dir: u8, from: u8, to_dir: u8, to: u8 },
    Link { dir: u8, from: u8, to: u8 },
    Symlink { target: u8, dir: u8, path: u8 },
    Stat { dir: u8, path: u8, follow: bool },
    FdStat { fd: u8 },
    SetSize { fd: u8, size: u8 },
    Readdir { fd: u8 },
}

#[derive(Debug)]
struct Program(Vec<Op>);

impl<'a> Arbitrary<'a> for Program {
    /// Four bytes a call, so that short inputs are already sequences of
    /// meaningful calls: the kind, then three bytes of operands.
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Program> {
        let mut ops = Vec::new();
        while u.len() >= 4 && ops.len() < 48 {
            let [kind, a, b, c] = u.arbitrary::<[u8; 4]>()?;
            ops.push(match kind % 15 {
                0 | 1 => Op::Open {
                    dir: a >> 5,
                    path: a,
                    oflags: b,
                    read_only: b & 0x10 != 0,
                    append: b & 0x20 != 0,
                    into: c,
                },
                2 => Op::Write {
                    fd: a,
                    data: b"0123456789abcdefghijklmnopqrstuvwxyz"
                        .iter()
                        .cycle()
                        .skip(usize::from(c))
                        .take(usize::from(b % 40))
                        .copied()
                        .collect(),
                },
                3 => Op::Read { fd: a, len: b },
                4 => Op::Seek { fd: a, offset: b as i8, whence: c },
                5 => Op::Close { fd: a },
                6 => Op::Mkdir { dir: a >> 5, path: b },
                7 => Op::Rmdir { dir: a >> 5, path: b },
                8 => Op::Unlink { dir: a >> 5, path: b },
                9 => Op::Rename { dir: a, from: b, to_dir: a >> 4, to: c },
                10 => Op::Link { dir: a, from: b, to: c },
                11 => Op::Symlink { target: a, dir: a >> 5, path: b },
                12 => Op::Stat { dir: a >> 5, path: b, follow: c & 1 != 0 },
                13 => Op::FdStat { fd: a },
                _ if a & 1 == 0 => Op::SetSize { fd: b, size: c },
                _ => Op::Readdir { fd: b },
            });
        }
        Ok(Program(ops))
    }
}

/// Strings of the program, placed one after the other from 1024.
struct Strings {
    data: String,
    next: u32,
}

impl Strings {
    /// `(ptr, len)` of `bytes` in the program's memory.
    fn place(&mut self, bytes: &[u8]) -> (u32, u32) {
        let at = self.next;
        let escaped: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
        let _ = write!(self.data, "(data (i32.const {at}) \"{escaped}\")");
        self.next += bytes.len() as u32 + 1;
        (at, bytes.len() as u32)
    }
}

fn slot(n: u8) -> String {
    format!("(i32.load (i32.const {}))", u32::from(n % SLOTS) * 4)
}

/// WAT storing the errno `$e` and values `v1`, `v2` as the next record.
fn rec(v1: &str, v2: &str) -> String {
    format!("(call $rec (local.get $e) {v1} {v2})")
}

/// The program: each call, then its record; at the end the records on
/// standard output. Records are 80 bytes: errno, two values, then up to 64
/// bytes read.
fn wat(program: &Program) -> String {
    let mut strings = Strings { data: String::new(), next: 1024 };
    let mut body = String::new();
    let path = |strings: &mut Strings, n: u8| {
        let (ptr, len) = strings.place(PATHS[usize::from(n) % PATHS.len()].as_bytes());
        format!("(i32.const {ptr}) (i32.const {len})")
    };
    // A stat's record: the file type, and the size of a regular file (a
    // directory's size is the file system's business).
    let stat_rec = rec(
        "(i32.load8_u (i32.const 96))",
        "(if (result i32) (i32.eq (i32.load8_u (i32.const 96)) (i32.const 4)) (then (i32.load (i32.const 112))) (else (i32.const -1)))",
    );
    for op in &program.0 {
        body.push_str("(i32.store (i32.const 72) (i32.const 0)) (i64.store (i32.const 96) (i64.const 0))\n");
        let call = match op {
            Op::Open { dir, path: p, oflags, read_only, append, into } => {
                let rights = RIGHTS[usize::from(*read_only)];
                format!(
                    "(local.set $e (call $path_open {} (i32.const 1) {} (i32.const {}) (i64.const {rights}) (i64.const {rights}) (i32.const {}) (i32.const 72)))
                     (if (i32.eqz (local.get $e)) (then (i32.store (i32.const {}) (i32.load (i32.const 72)))))
                     {}",
                    slot(*dir),
                    path(&mut strings, *p),
                    // Zero bits are `O_CREAT`: most opens create.
                    (oflags & 0xf) ^ 1,
                    u8::from(*append),
                    u32::from(1 + into % (SLOTS - 1)) * 4,
                    rec("(i32.const 0)", "(i32.const 0)"),
                )
            }
            Op::Write { fd, data } => {
                let (ptr, len) = strings.place(&data[..data.len().min(64)]);
                format!(
                    "(i32.store (i32.const 64) (i32.const {ptr})) (i32.store (i32.const 68) (i32.const {len}))
                     (local.set $e (call $fd_write {} (i32.const 64) (i32.const 1) (i32.const 72)))
                     {}",
                    slot(*fd),
                    rec("(i32.load (i32.const 72))", "(i32.const 0)"),
                )
            }
            Op::Read { fd, len } => format!(
                "(i32.store (i32.const 64) (i32.const 8192)) (i32.store (i32.const 68) (i32.const {}))
                 (local.set $e (call $fd_read {} (i32.const 64) (i32.const 1) (i32.const 72)))
                 (memory.copy (i32.add (global.get $log) (i32.const 16)) (i32.const 8192) (i32.load (i32.const 72)))
                 {}",
                len % 65,
                slot(*fd),
                rec("(i32.load (i32.const 72))", "(i32.const 0)"),
            ),
            Op::Seek { fd, offset, whence } => format!(
                "(local.set $e (call $fd_seek {} (i64.const {offset}) (i32.const {}) (i32.const 72)))
                 {}",
                slot(*fd),
                whence % 3,
                rec("(i32.load (i32.const 72))", "(i32.const 0)"),
            ),
            Op::Close { fd } => {
                format!("(local.set $e (call $fd_close {})) {}", slot(*fd), rec("(i32.const 0)", "(i32.const 0)"))
            }
            Op::Mkdir { dir, path: p } | Op::Rmdir { dir, path: p } | Op::Unlink { dir, path: p } => {
                let function = match op {
                    Op::Mkdir { .. } => "$path_create_directory",
                    Op::Rmdir { .. } => "$path_remove_directory",
                    _ => "$path_unlink_file",
                };
                format!(
                    "(local.set $e (call {function} {} {})) {}",
                    slot(*dir),
                    path(&mut strings, *p),
                    rec("(i32.const 0)", "(i32.const 0)")
                )
            }
            Op::Rename { dir, from, to_dir, to } => format!(
                "(local.set $e (call $path_rename {} {} {} {})) {}",
                slot(*dir),
                path(&mut strings, *from),
                slot(*to_dir),
                path(&mut strings, *to),
                rec("(i32.const 0)", "(i32.const 0)")
            ),
            Op::Link { dir, from, to } => format!(
                "(local.set $e (call $path_link {} (i32.const 0) {} {} {})) {}",
                slot(*dir),
                path(&mut strings, *from),
                slot(*dir),
                path(&mut strings, *to),
                rec("(i32.const 0)", "(i32.const 0)")
            ),
            Op::Symlink { target, dir, path: p } => {
                let (ptr, len) = strings.place(TARGETS[usize::from(*target) % TARGETS.len()].as_bytes());
                format!(
                    "(local.set $e (call $path_symlink (i32.const {ptr}) (i32.const {len}) {} {})) {}",
                    slot(*dir),
                    path(&mut strings, *p),
                    rec("(i32.const 0)", "(i32.const 0)")
                )
            }
            Op::Stat { dir, path: p, follow } => format!(
                "(local.set $e (call $path_filestat_get {} (i32.const {}) {} (i32.const 80))) {stat_rec}",
                slot(*dir),
                u8::from(*follow),
                path(&mut strings, *p),
            ),
            Op::FdStat { fd } => {
                format!("(local.set $e (call $fd_filestat_get {} (i32.const 80))) {stat_rec}", slot(*fd))
            }
            Op::SetSize { fd, size } => format!(
                "(local.set $e (call $fd_filestat_set_size {} (i64.const {size}))) {}",
                slot(*fd),
                rec("(i32.const 0)", "(i32.const 0)")
            ),
            Op::Readdir { fd } => format!(
                "(local.set $e (call $fd_readdir {} (i32.const 8192) (i32.const 4096) (i64.const 0) (i32.const 72))) {}",
                slot(*fd),
                rec("(i32.const 0)", "(i32.const 0)")
            ),
        };
        body.push_str(&call);
        body.push('\n');
    }
    // The tree as it ends: every path's first bytes, and its stat.
    for n in 0..PATHS.len() as u8 {
        let _ = write!(
            body,
            "(i32.store (i32.const 72) (i32.const 0))
             (local.set $e (call $path_open (i32.const 3) (i32.const 1) {} (i32.const 0) (i64.const {read}) (i64.const {read}) (i32.const 0) (i32.const 72)))
             (if (i32.eqz (local.get $e)) (then
               (local.set $fd (i32.load (i32.const 72)))
               (i32.store (i32.const 64) (i32.const 8192)) (i32.store (i32.const 68) (i32.const 64))
               (i32.store (i32.const 72) (i32.const 0))
               (drop (call $fd_read (local.get $fd) (i32.const 64) (i32.const 1) (i32.const 72)))
               (memory.copy (i32.add (global.get $log) (i32.const 16)) (i32.const 8192) (i32.load (i32.const 72)))
               (drop (call $fd_close (local.get $fd)))))
             {}\n",
            path(&mut strings, n),
            rec("(i32.load (i32.const 72))", "(i32.const 0)"),
            read = RIGHTS[1],
        );
    }
    for n in 0..PATHS.len() as u8 {
        let _ = write!(
            body,
            "(i64.store (i32.const 96) (i64.const 0)) (local.set $e (call $path_filestat_get (i32.const 3) (i32.const 0) {} (i32.const 80))) {stat_rec}\n",
            path(&mut strings, n)
        );
    }
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $fd_filestat_set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (global $log (mut i32) (i32.const {LOG}))
  (data (i32.const 0) "\03\00\00\00\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff")
  {data}
  (func $rec (param $e i32) (param $v1 i32) (param $v2 i32)
    (i32.store (global.get $log) (local.get $e))
    (i32.store offset=4 (global.get $log) (local.get $v1))
    (i32.store offset=8 (global.get $log) (local.get $v2))
    (global.set $log (i32.add (global.get $log) (i32.const {RECORD}))))
  (func (export "_start") (local $e i32) (local $fd i32)
    {body}
    (i32.store (i32.const 64) (i32.const {LOG}))
    (i32.store (i32.const 68) (i32.sub (global.get $log) (i32.const {LOG})))
    (drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72)))))"#,
        data = strings.data,
    )
}

/// Where the records start, and the size of one.
const LOG: u32 = 16384;
const RECORD: usize = 80;

/// The records of `wasm` run on `fs` mounted at `/sandbox`.
fn records(wasm: &[u8], fs: Box<dyn FileSystem>) -> Vec<u8> {
    let machine = Machine::new(wasm.to_vec());
    let stdout = machine.stdout();
    let mut kernel = Kernel::new(Box::new(machine), Box::new(WasmiEngine::new()), Config::default());
    kernel.mount("/sandbox", fs);
    let command = Command { preopens: vec!["/sandbox".into()], ..Command::new("fuzz") };
    let pid = kernel.spawn(command).expect("the program starts");
    assert_eq!(kernel.run_until_exit(pid), Some(ExitStatus::Exited(0)));
    stdout.take()
}

/// A record's errno and two values.
fn words(record: &[u8]) -> [i32; 3] {
    [0, 4, 8].map(|at| i32::from_le_bytes(record[at..at + 4].try_into().expect("4 bytes")))
}

/// A new empty host directory, removed when dropped.
struct HostDir(PathBuf);

impl HostDir {
    fn new() -> HostDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("walos-fuzz-wasi-fs-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).expect("a temporary directory");
        HostDir(dir)
    }
}

impl Drop for HostDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fuzz_target!(|program: Program| {
    let text = wat(&program);
    let wasm = wat::parse_str(&text).expect("the generated program is valid");
    let memory = records(&wasm, Box::new(MemFs::new(1, 1)));
    // To see what an input does: `WALOS_FUZZ_SHOW=1 target/.../wasi_fs FILE`.
    if std::env::var_os("WALOS_FUZZ_SHOW").is_some() {
        for (op, r) in program.0.iter().zip(memory.chunks(RECORD)) {
            eprintln!("{op:?} -> {:?}", words(r));
        }
    }
    let dir = HostDir::new();
    let host = records(&wasm, Box::new(HostFs::open(&dir.0).expect("the host directory opens")));
    if memory != host {
        let ends = PATHS
            .iter()
            .map(|p| format!("final read of {p}"))
            .chain(PATHS.iter().map(|p| format!("final stat of {p}")));
        let ops = program.0.iter().map(|op| format!("{op:?}")).chain(ends);
        let (mine, theirs) = (memory.chunks(RECORD), host.chunks(RECORD));
        for (n, ((op, m), h)) in ops.zip(mine).zip(theirs).enumerate() {
            if m != h {
                let bytes = |r: &[u8]| String::from_utf8_lossy(&r[16..]).trim_end_matches('\0').to_string();
                panic!(
                    "call {n}, {op}: the memory file system gives (errno, v1, v2) {:?} {:?}, the host {:?} {:?}\n{text}",
                    words(m),
                    bytes(m),
                    words(h),
                    bytes(h)
                );
            }
        }
        panic!("the records differ in length: {} and {}", memory.len(), host.len());
    }
});
