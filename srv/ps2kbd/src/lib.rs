//! The keyboard driver service: `hw:key_read() -> i32`, the next key typed
//! on the PS/2 keyboard or received on COM1, waiting for one.
//!
//! It owns both devices' input (the kernel's interrupt handlers only note
//! that a line fired): PS/2 scancodes (set 1) are decoded with
//! `pc-keyboard`, US layout, into Unicode scalar values or the special-key
//! codes of [`walos_sdk::hw`]; COM1 bytes pass as they are (ASCII as
//! itself, bytes 0x80-0xff as [`KEY_BYTE`]` + byte`, since a terminal
//! already sends them UTF-8 encoded). With nothing to read, it parks in
//! `x86.irq_wait` until IRQ 1 or IRQ 4 fires.

#![no_std]

use pc_keyboard::layouts::Us104Key;
use pc_keyboard::{DecodedKey, HandleControl, KeyCode, PS2Keyboard, ScancodeSet1};
use walos_sdk::CallState;
use walos_sdk::hw::{KEY_BYTE, KEY_DELETE, KEY_DOWN, KEY_END, KEY_HOME, KEY_LEFT, KEY_RIGHT, KEY_UP};
use walos_sdk::x86::{inb, irq_wait};

/// The PS/2 controller: data and status ports, and the status bits.
const PS2_DATA: u16 = 0x60;
const PS2_STATUS: u16 = 0x64;
const PS2_OUTPUT_FULL: u8 = 1 << 0;
const PS2_MOUSE_DATA: u8 = 1 << 5;

/// COM1: receive buffer and line status (bit 0: a byte is waiting).
const COM1_DATA: u16 = 0x3f8;
const COM1_LSR: u16 = 0x3fd;
const COM1_DATA_READY: u8 = 1 << 0;

/// The interrupt lines it waits on: IRQ 1 (keyboard) and IRQ 4 (COM1).
const LINES: u32 = (1 << 1) | (1 << 4);

/// The decoder's state (shift, ctrl, a scancode sequence under way),
/// kept between calls.
static DECODER: CallState<PS2Keyboard<Us104Key, ScancodeSet1>> =
    CallState::new(PS2Keyboard::new(ScancodeSet1::new(), Us104Key, HandleControl::MapLettersToUnicode));

/// The next key. Both devices are looked at before waiting: a byte that
/// arrived before the driver started keeps an edge-triggered line up, so
/// its interrupt would never come.
#[unsafe(export_name = "hw:key_read")]
pub extern "C" fn key_read() -> i32 {
    loop {
        if let Some(key) = ps2_key().or_else(com1_key) {
            return key;
        }
        irq_wait(LINES);
    }
}

/// Reads the PS/2 controller until a scancode completes a key press, or
/// nothing is left (mouse bytes are skipped).
fn ps2_key() -> Option<i32> {
    loop {
        let status = inb(PS2_STATUS);
        if status & PS2_OUTPUT_FULL == 0 {
            return None;
        }
        let byte = inb(PS2_DATA);
        if status & PS2_MOUSE_DATA != 0 {
            continue;
        }
        if let Some(key) = decode(byte) {
            return Some(key);
        }
    }
}

fn decode(scancode: u8) -> Option<i32> {
    // SAFETY: the only reference: `decode` is called once at a time, and
    // holds it only while it runs.
    let keyboard = unsafe { DECODER.get() };
    let event = keyboard.add_byte(scancode).ok()??;
    match keyboard.process_keyevent(event)? {
        DecodedKey::Unicode(c) => Some(c as i32),
        DecodedKey::RawKey(code) => special(code),
    }
}

/// The code of a key without a character, if it has one.
fn special(code: KeyCode) -> Option<i32> {
    Some(match code {
        KeyCode::ArrowUp => KEY_UP,
        KeyCode::ArrowDown => KEY_DOWN,
        KeyCode::ArrowRight => KEY_RIGHT,
        KeyCode::ArrowLeft => KEY_LEFT,
        KeyCode::Home => KEY_HOME,
        KeyCode::End => KEY_END,
        KeyCode::Delete => KEY_DELETE,
        _ => return None,
    })
}

/// One byte received on COM1, if any.
fn com1_key() -> Option<i32> {
    if inb(COM1_LSR) & COM1_DATA_READY == 0 {
        return None;
    }
    let byte = inb(COM1_DATA);
    Some(if byte.is_ascii() { i32::from(byte) } else { KEY_BYTE + i32::from(byte) })
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
