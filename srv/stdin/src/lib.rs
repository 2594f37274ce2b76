//! The console input service: `stdio:getc() -> i32`, the next byte of
//! standard input, from the keys of `hw:key_read` (the keyboard driver).
//!
//! Keys become bytes as a terminal sends them: UTF-8 for non-ASCII
//! characters (the bytes after the first wait for the next calls), `\n`
//! for Enter or a carriage return, `ESC [ A/B/C/D` for the arrows (`H`, `F`
//! for Home and End, `ESC [ 3 ~` for Delete); Ctrl-D (4) is the end of
//! input (-1), Ctrl-C stays 3. A failed driver call fails this call too
//! (a trap): the kernel restarts the driver on the next call, and stops
//! asking after a few failures in a row.

#![no_std]

use walos_sdk::CallState;
use walos_sdk::hw::{self, KEY_BYTE, KEY_DELETE, KEY_DOWN, KEY_END, KEY_HOME, KEY_LEFT, KEY_RIGHT, KEY_UP};

/// The end of input.
const EOF: i32 = -1;

/// The last raw-byte code.
const KEY_BYTE_LAST: i32 = KEY_BYTE + 0xff;

/// The bytes of the last key not handed out yet.
struct Pending {
    bytes: [u8; 4],
    next: usize,
    len: usize,
}

static PENDING: CallState<Pending> = CallState::new(Pending { bytes: [0; 4], next: 0, len: 0 });

#[unsafe(export_name = "stdio:getc")]
pub extern "C" fn getc() -> i32 {
    // SAFETY: the only reference, taken once per call.
    let pending = unsafe { PENDING.get() };
    loop {
        if pending.next < pending.len {
            pending.next += 1;
            return i32::from(pending.bytes[pending.next - 1]);
        }
        let key = hw::key_read();
        let bytes: &[u8] = match key {
            // The driver failed: so does this call, and the kernel gives
            // up on console input after a few in a row.
            ..0 => core::arch::wasm32::unreachable(),
            4 => return EOF,
            0x0d => b"\n",
            KEY_UP => b"\x1b[A",
            KEY_DOWN => b"\x1b[B",
            KEY_RIGHT => b"\x1b[C",
            KEY_LEFT => b"\x1b[D",
            KEY_HOME => b"\x1b[H",
            KEY_END => b"\x1b[F",
            KEY_DELETE => b"\x1b[3~",
            KEY_BYTE..=KEY_BYTE_LAST => return key - KEY_BYTE,
            _ => match char::from_u32(key as u32) {
                Some(c) => {
                    pending.len = c.encode_utf8(&mut pending.bytes).len();
                    pending.next = 0;
                    continue;
                }
                // A key of no meaning here: wait for the next.
                None => continue,
            },
        };
        pending.bytes[..bytes.len()].copy_from_slice(bytes);
        pending.len = bytes.len();
        pending.next = 0;
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
