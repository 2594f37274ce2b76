//! Exercises the parts of Rust's `std` that WASI backs, printing what it
//! sees so that walos and the reference runtime can be compared: arguments,
//! environment, stdin line by line, sleeping, clocks, the exit status.

use std::io::BufRead;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("args: {:?}", &args[1..]);
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("vars: {vars:?}");

    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin is readable");
        println!("line: {}", line.to_uppercase());
    }

    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(15));
    println!("slept enough: {}", start.elapsed() >= Duration::from_millis(15));
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970");
    println!("after 2023: {}", since_epoch.as_secs() > 1_672_531_200);

    eprintln!("done");
    let status = std::env::var("EXIT").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    std::process::exit(status);
}
