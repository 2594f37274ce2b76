#![no_main]
//! The `w` section parser on arbitrary bytes: as a whole module, and as the
//! contents of a `w` custom section of a minimal module. An error naming
//! the damage, never a panic.

use libfuzzer_sys::fuzz_target;
use walos_kernel::w_section::parse;

/// A module holding only a custom section `w` with `contents`.
fn with_w(contents: &[u8]) -> Vec<u8> {
    let mut payload = vec![1, b'w'];
    payload.extend_from_slice(contents);
    let mut wasm = b"\0asm\x01\0\0\0\0".to_vec();
    let mut len = payload.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        wasm.push(if len == 0 { byte } else { byte | 0x80 });
        if len == 0 {
            break;
        }
    }
    wasm.extend_from_slice(&payload);
    wasm
}

fuzz_target!(|data: &[u8]| {
    let _ = parse(data);
    let _ = parse(&with_w(data));
});
