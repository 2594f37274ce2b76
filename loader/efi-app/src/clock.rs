//! Clocks: the CPU's time-stamp counter, calibrated at boot against the
//! firmware's `Stall` (itself timed by a hardware timer), for the monotonic
//! clock; the real-time clock read once at boot for the wall clock.
//!
//! Calling the firmware for every clock read would be slow; the counter
//! costs one instruction.

use core::time::Duration;

use uefi::boot;
use uefi::runtime::{self, Time};

/// How long the calibration waits.
const CALIBRATION: Duration = Duration::from_millis(20);

const NS_PER_S: u64 = 1_000_000_000;

#[derive(Debug, Clone)]
pub struct Clock {
    /// The counter at boot.
    start: u64,
    /// Counter ticks per second.
    hz: u64,
    /// Unix time at boot, in nanoseconds (0 if the machine has no RTC).
    boot_unix_ns: u64,
}

fn ticks() -> u64 {
    // SAFETY: RDTSC exists on every x86_64 CPU and only reads a counter.
    unsafe { core::arch::x86_64::_rdtsc() }
}

impl Clock {
    /// Measures the counter's frequency and reads the wall clock.
    pub fn calibrate() -> Clock {
        let before = ticks();
        boot::stall(CALIBRATION);
        let after = ticks();
        let hz = (after.wrapping_sub(before) as u128 * NS_PER_S as u128 / CALIBRATION.as_nanos()) as u64;
        let boot_unix_ns = runtime::get_time().map_or(0, |time| unix_ns(&time));
        Clock { start: after, hz: hz.max(1), boot_unix_ns }
    }

    /// Nanoseconds since boot.
    pub fn monotonic_ns(&self) -> u64 {
        let elapsed = ticks().wrapping_sub(self.start);
        (elapsed as u128 * NS_PER_S as u128 / self.hz as u128) as u64
    }

    pub fn realtime_ns(&self) -> u64 {
        self.boot_unix_ns + self.monotonic_ns()
    }

    /// One counter tick, in nanoseconds (at least 1).
    pub fn resolution_ns(&self) -> u64 {
        (NS_PER_S / self.hz).max(1)
    }
}

/// A firmware time as nanoseconds since the Unix epoch, taken as UTC: the
/// sign of the time-zone field differs between UEFI versions, and OVMF
/// leaves it unspecified.
fn unix_ns(time: &Time) -> u64 {
    let days = days_since_epoch(i64::from(time.year()), u32::from(time.month()), u32::from(time.day()));
    let seconds =
        days * 86_400 + i64::from(time.hour()) * 3_600 + i64::from(time.minute()) * 60 + i64::from(time.second());
    u64::try_from(seconds).map_or(0, |s| s * NS_PER_S + u64::from(time.nanosecond()))
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian
/// calendar (the "days from civil" computation over 400-year eras).
fn days_since_epoch(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
