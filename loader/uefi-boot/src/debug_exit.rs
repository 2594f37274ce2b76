//! How a machine reports the entry's exit status to QEMU (`--debug-exit`):
//! a value written to the `isa-debug-exit` device, after which QEMU exits
//! at once with `2 * value + 1`. The loaders write it; the build tool puts
//! the device on QEMU's command line and reads the status back from QEMU's
//! exit code.

use walos_kernel::ExitStatus;

/// The I/O port of the device, as the build tool and the tests configure it
/// (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`).
pub const PORT: u16 = 0xf4;

/// The value for an entry that trapped, was killed or could not run: QEMU
/// then exits with 255.
pub const FAILED: u32 = 127;

/// The value written when the entry ends (`None`: it could not run).
///
/// An exit status `s` below 127 is written as `s` (QEMU exits with `2s+1`);
/// a larger status is written as 126; a trap, a kill, or an entry that could
/// not be run, as [`FAILED`]. A triple fault exits QEMU with 0, which no
/// value here produces.
pub fn value(status: Option<&ExitStatus>) -> u32 {
    match status {
        Some(ExitStatus::Exited(code)) => (*code).min(FAILED - 1),
        Some(ExitStatus::Trapped(_) | ExitStatus::Killed { .. }) | None => FAILED,
    }
}

/// Writes `value` to the device: QEMU exits at once.
///
/// # Safety
/// The machine must be QEMU with the device at [`PORT`] (which
/// `--debug-exit` says), or have nothing at that port.
#[cfg(feature = "hardware")]
pub unsafe fn write(value: u32) {
    // SAFETY: per the caller, the port is the device's or unused.
    unsafe { x86_64::instructions::port::Port::<u32>::new(PORT).write(value) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert_eq!(value(Some(&ExitStatus::Exited(0))), 0);
        assert_eq!(value(Some(&ExitStatus::Exited(42))), 42);
        assert_eq!(value(Some(&ExitStatus::Exited(126))), 126);
        assert_eq!(value(Some(&ExitStatus::Exited(300))), 126);
        assert_eq!(value(Some(&ExitStatus::Killed { by: None })), FAILED);
        assert_eq!(value(None), FAILED);
    }
}
