//! Console input: the PS/2 keyboard (IRQ 1, decoded with `pc-keyboard`)
//! and bytes arriving on COM1 (IRQ 4), queued by the interrupt handlers
//! for standard input. Ctrl-D (on the keyboard, or byte 4 on COM1) is the
//! end of input, as on a terminal.

use pc_keyboard::layouts::Us104Key;
use pc_keyboard::{DecodedKey, HandleControl, PS2Keyboard, ScancodeSet1};
use spin::mutex::SpinMutex;
use x86_64::instructions::interrupts::without_interrupts;
use x86_64::instructions::port::Port;

/// One entry of the queue: a byte, or [`EOF`].
type Item = u16;
const EOF: Item = 0x100;

/// A fixed ring: interrupt handlers must not allocate (the heap's lock may
/// be held by the code they interrupted).
struct Queue {
    items: [Item; 1024],
    head: usize,
    len: usize,
}

impl Queue {
    fn push(&mut self, item: Item) {
        // A full queue drops input, as a full keyboard buffer would.
        if self.len < self.items.len() {
            self.items[(self.head + self.len) % self.items.len()] = item;
            self.len += 1;
        }
    }

    fn peek(&self) -> Option<Item> {
        (self.len > 0).then(|| self.items[self.head])
    }

    fn pop(&mut self) {
        self.head = (self.head + 1) % self.items.len();
        self.len -= 1;
    }
}

static QUEUE: SpinMutex<Queue> = SpinMutex::new(Queue { items: [0; 1024], head: 0, len: 0 });

static KEYBOARD: SpinMutex<PS2Keyboard<Us104Key, ScancodeSet1>> =
    SpinMutex::new(PS2Keyboard::new(ScancodeSet1::new(), Us104Key, HandleControl::MapLettersToUnicode));

pub fn init() {
    crate::cpu::set_irq_handler(1, keyboard);
    crate::cpu::set_irq_handler(4, serial);
    // Bytes that arrived before are taken now: while they wait, the UART
    // holds its (edge-triggered) interrupt line up and would raise no other.
    x86_64::instructions::interrupts::without_interrupts(serial);
}

/// IRQ 1: one scancode from the PS/2 controller.
fn keyboard() {
    // SAFETY: the PS/2 controller's data port, read once per interrupt.
    let scancode = unsafe { Port::<u8>::new(0x60).read() };
    let mut keyboard = KEYBOARD.lock();
    let Ok(Some(event)) = keyboard.add_byte(scancode) else { return };
    let Some(DecodedKey::Unicode(c)) = keyboard.process_keyevent(event) else { return };
    let mut queue = QUEUE.lock();
    match c {
        '\u{4}' => queue.push(EOF),
        // Enter is a carriage return on a PC keyboard, a newline to programs.
        '\r' => queue.push(u16::from(b'\n')),
        c => {
            let mut utf8 = [0; 4];
            c.encode_utf8(&mut utf8).bytes().for_each(|b| queue.push(u16::from(b)));
        }
    }
}

/// IRQ 4: bytes received on COM1.
fn serial() {
    let mut buf = [0; 16];
    loop {
        let n = crate::serial::receive(&mut buf);
        if n == 0 {
            break;
        }
        let mut queue = QUEUE.lock();
        for &byte in &buf[..n] {
            queue.push(match byte {
                // A terminal sends Enter as a carriage return, and Ctrl-D as is.
                b'\r' => u16::from(b'\n'),
                0x04 => EOF,
                byte => u16::from(byte),
            });
        }
    }
}

/// What a read of standard input gets now.
pub enum Read {
    Data(usize),
    Eof,
    Nothing,
}

/// Takes queued bytes into `buf`, up to the next end of input.
pub fn read(buf: &mut [u8]) -> Read {
    without_interrupts(|| {
        let mut queue = QUEUE.lock();
        if queue.peek() == Some(EOF) {
            queue.pop();
            return Read::Eof;
        }
        let mut n = 0;
        while n < buf.len() {
            match queue.peek() {
                Some(item) if item != EOF => {
                    buf[n] = item as u8;
                    queue.pop();
                    n += 1;
                }
                _ => break,
            }
        }
        if n > 0 { Read::Data(n) } else { Read::Nothing }
    })
}

/// Whether anything (bytes or an end of input) is queued. Call with
/// interrupts off, or the answer may be stale at once.
pub fn pending() -> bool {
    QUEUE.lock().len > 0
}
