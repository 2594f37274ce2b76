//! Allocates 16 MiB blocks, writing one byte of each page, and keeps them
//! all: the heap grows until `memory.grow` is refused, and Rust's
//! allocation-failure handler aborts the program (a trap). Bounded by
//! `MAX_BLOCKS` in case nothing ever refuses.

use std::io::Write;

const BLOCK: usize = 16 << 20;
/// 4 GiB: past the most a wasm32 memory can hold.
const MAX_BLOCKS: usize = 256;

fn main() {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    for n in 0..MAX_BLOCKS {
        let mut block = vec![0u8; BLOCK];
        for page in block.chunks_mut(65536) {
            page[0] = 1;
        }
        blocks.push(block);
        if n % 16 == 15 {
            println!("alloc-bomb: {} MiB held", (n + 1) * (BLOCK >> 20));
            let _ = std::io::stdout().flush();
        }
    }
    println!("alloc-bomb: {} MiB held, never refused", blocks.len() * (BLOCK >> 20));
}
