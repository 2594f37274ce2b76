//! Preemptive multitasking, visible: three workers that never yield and a
//! sleeper share one CPU.
//!
//! `multitask` starts itself as `multitask worker a` (b, c) and `multitask
//! sleeper`, waits for the sleeper, then kills the workers. Each worker
//! prints a line per step of work; the sleeper ticks three times. Because
//! the kernel preempts the workers at the end of every slice, their lines
//! interleave, and the sleeper wakes on time although nobody yields: between
//! two ticks every worker has run.

use std::time::{Duration, Instant};

use walos_sdk::proc;

const WORKERS: [&str; 3] = ["a", "b", "c"];
const TICKS: u32 = 3;
const NAP: Duration = Duration::from_millis(20);
/// Loop rounds of one step: a fraction of a scheduling slice.
const STEP: u32 = 40_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("worker") => worker(args.get(2).map_or("?", String::as_str)),
        Some("sleeper") => sleeper(),
        _ => parent(),
    };
    if let Err(err) = result {
        eprintln!("multitask: {err}");
        std::process::exit(1);
    }
}

fn parent() -> Result<(), walos_sdk::Error> {
    let mut workers = Vec::new();
    for name in WORKERS {
        workers.push((name, proc::spawn("multitask", &["worker", name], &[])?));
    }
    let sleeper = proc::spawn("multitask", &["sleeper"], &[])?;
    println!("multitask: workers {} and a sleeper started", WORKERS.join(", "));
    let status = proc::code(proc::wait(sleeper)?);
    for (name, pid) in workers {
        proc::kill(pid)?;
        println!("multitask: worker {name} stopped (status {})", proc::code(proc::wait(pid)?));
    }
    println!("multitask: sleeper ended with status {status}");
    Ok(())
}

/// Works until it is killed, one line per step.
fn worker(name: &str) -> ! {
    let mut x = 1u32;
    let mut step = 0u64;
    loop {
        for i in 0..STEP {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        step += 1;
        println!("worker {name}: step {step}");
    }
}

/// Sleeps and ticks, telling how late it woke.
fn sleeper() -> Result<(), walos_sdk::Error> {
    for tick in 1..=TICKS {
        let start = Instant::now();
        std::thread::sleep(NAP);
        let late = start.elapsed().saturating_sub(NAP);
        println!("sleeper: tick {tick} ({:.1} ms late)", late.as_secs_f64() * 1e3);
    }
    Ok(())
}
