//! Rust's `std::fs`, `std::env` and `std::io` on WASI: works in the
//! directory named by `$DIR` (preopened), prints what it sees, and exits
//! with 1 at the first surprise. Output and the tree it leaves are compared
//! with wasmtime's.

use std::fs;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::path::Path;

fn main() {
    if let Err(err) = run() {
        println!("error: {err}");
        std::process::exit(1);
    }
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok { Ok(()) } else { Err(format!("check failed: {what}")) }
}

fn run() -> Result<(), String> {
    let dir = std::env::var("DIR").map_err(|_| "DIR is not set")?;
    let root = Path::new(&dir);
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args: {args:?}");
    let e = |err: std::io::Error| err.to_string();

    fs::create_dir_all(root.join("a/b/c")).map_err(e)?;
    fs::write(root.join("a/b/c/hello.txt"), "hello from std\n").map_err(e)?;
    let text = fs::read_to_string(root.join("a/b/c/hello.txt")).map_err(e)?;
    print!("read: {text}");

    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(root.join("data.bin"))
        .map_err(e)?;
    file.write_all(&[1, 2, 3, 4, 5, 6, 7, 8]).map_err(e)?;
    file.seek(SeekFrom::Start(2)).map_err(e)?;
    let mut two = [0u8; 2];
    file.read_exact(&mut two).map_err(e)?;
    check(two == [3, 4], "seek then read")?;
    check(file.stream_position().map_err(e)? == 4, "position")?;
    file.set_len(6).map_err(e)?;
    let meta = file.metadata().map_err(e)?;
    println!("data.bin: {} bytes, file: {}", meta.len(), meta.is_file());
    drop(file);

    let mut log = fs::OpenOptions::new().append(true).create(true).open(root.join("log.txt")).map_err(e)?;
    writeln!(log, "first").map_err(e)?;
    writeln!(log, "second").map_err(e)?;
    drop(log);
    print!("log:\n{}", fs::read_to_string(root.join("log.txt")).map_err(e)?);

    fs::rename(root.join("log.txt"), root.join("a/log.txt")).map_err(e)?;
    fs::copy(root.join("a/log.txt"), root.join("copy.txt")).map_err(e)?;
    fs::hard_link(root.join("copy.txt"), root.join("hard.txt")).map_err(e)?;
    println!("hard.txt: {}", fs::read_to_string(root.join("hard.txt")).map_err(e)?.len());
    check(fs::metadata(root.join("a")).map_err(e)?.is_dir(), "a is a directory")?;

    let mut names: Vec<String> = fs::read_dir(root)
        .map_err(e)?
        .map(|entry| entry.map(|en| en.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()
        .map_err(e)?;
    names.sort();
    println!("entries: {names:?}");

    let kind = |r: std::io::Result<()>| r.err().map(|err| err.kind());
    check(fs::remove_dir(root.join("a")).is_err(), "remove_dir non-empty")?;
    check(fs::read(root.join("missing")).err().map(|err| err.kind()) == Some(ErrorKind::NotFound), "missing")?;
    check(kind(fs::create_dir(root.join("a"))) == Some(ErrorKind::AlreadyExists), "create_dir exists")?;
    fs::remove_file(root.join("hard.txt")).map_err(e)?;
    fs::remove_dir_all(root.join("a/b")).map_err(e)?;

    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(e)?;
    println!("stdin: {} lines", input.lines().count());
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("env: {vars:?}");
    Ok(())
}
