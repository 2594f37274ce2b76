//! The clock: the PIT's channel 0 interrupts about 1000 times a second
//! (IRQ 0); the tick count is the monotonic clock and wakes `hlt`.

use core::sync::atomic::{AtomicU64, Ordering};

use x86_64::instructions::port::Port;

/// The PIT's input clock, in Hz.
const PIT_HZ: u64 = 1_193_182;
/// The reload value: 1193182 / 1193 = 1000.15 Hz.
const DIVISOR: u16 = 1193;
/// Nanoseconds per tick, rounded.
pub const TICK_NS: u64 = (DIVISOR as u64 * 1_000_000_000).div_ceil(PIT_HZ);

static TICKS: AtomicU64 = AtomicU64::new(0);

pub fn init() {
    // SAFETY: the PIT's command and channel-0 ports: mode 2 (rate
    // generator), low then high byte of the reload value.
    unsafe {
        Port::<u8>::new(0x43).write(0b0011_0100);
        let mut channel0 = Port::<u8>::new(0x40);
        channel0.write(DIVISOR as u8);
        channel0.write((DIVISOR >> 8) as u8);
    }
    crate::cpu::set_irq_handler(0, |_| tick());
}

fn tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// Nanoseconds since the timer started (exact to the PIT's rate).
pub fn now_ns() -> u64 {
    let ticks = TICKS.load(Ordering::Relaxed);
    // u128: ticks * DIVISOR * 10^9 overflows u64 after ~180 days.
    (u128::from(ticks) * u128::from(DIVISOR) * 1_000_000_000 / u128::from(PIT_HZ)) as u64
}
