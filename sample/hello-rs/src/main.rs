//! Hello world in Rust: `std` (through WASI) for the output and the
//! arguments, the walos SDK for a kernel log line.

use walos_sdk::sys::{self, Level};

fn main() {
    println!("Hello world!");
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.is_empty() {
        println!("args: {}", args.join(" "));
    }
    sys::log(Level::Info, "said hello through WASI");
}
