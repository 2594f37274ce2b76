//! The machine of the efi-app loader, as the kernel sees it: a UEFI
//! computer whose firmware still runs.

use alloc::string::String;
use alloc::vec;
use core::time::Duration;

use uefi::Event;
use uefi::boot::{self, EventType, MemoryType, TimerTrigger, Tpl};
use uefi::mem::memory_map::MemoryMap;
use uefi::proto::rng::Rng;
use walos_kernel::loader::{Framebuffer, IoError, Loader, ServiceStore, StdStream, StdinRead, Stream, Wake};
use walos_kernel::log::Level;
use walos_uefi_boot::rdrand::Rdrand;

use crate::clock::Clock;
use crate::console;
use crate::input::Keyboard;
use crate::screen::Screen;
use crate::serial;
use crate::store::BootVolume;

/// COM1 has no firmware event: while a program waits for input, the
/// machine wakes this often to look at the port.
const SERIAL_POLL: Duration = Duration::from_millis(10);

/// The share of free memory one process's linear memory may take.
const MEMORY_SHARE: usize = 2;

pub struct Machine {
    clock: Clock,
    volume: BootVolume,
    keyboard: Keyboard,
    screen: Option<Screen>,
    /// The timer event the machine sleeps on.
    timer: Option<Event>,
    memory_limit: usize,
}

impl Machine {
    pub fn new(volume: BootVolume) -> Machine {
        // SAFETY: a plain timer event, without a notification function.
        let timer = unsafe { boot::create_event(EventType::TIMER, Tpl::CALLBACK, None, None) }.ok();
        Machine {
            clock: Clock::calibrate(),
            volume,
            keyboard: Keyboard::default(),
            screen: Screen::open(),
            timer,
            memory_limit: free_memory() / MEMORY_SHARE,
        }
    }
}

/// Bytes of memory the firmware has not handed out.
fn free_memory() -> usize {
    let Ok(map) = boot::memory_map(MemoryType::LOADER_DATA) else { return 64 << 20 };
    let pages: u64 = map.entries().filter(|d| d.ty == MemoryType::CONVENTIONAL).map(|d| d.page_count).sum();
    usize::try_from(pages * 4096).unwrap_or(usize::MAX)
}

/// Random bytes from the firmware's RNG protocol, if there is one.
fn firmware_random(buf: &mut [u8]) -> bool {
    let Ok(handle) = boot::get_handle_for_protocol::<Rng>() else { return false };
    let Ok(mut rng) = boot::open_protocol_exclusive::<Rng>(handle) else { return false };
    rng.get_rng(None, buf).is_ok()
}

/// Random bytes from the CPU's RDRAND instruction, if it has one.
fn cpu_random(buf: &mut [u8]) -> bool {
    Rdrand::new().is_some_and(|rdrand| rdrand.fill(buf).is_ok())
}

impl Loader for Machine {
    fn log(&mut self, _: Level, line: &str) {
        serial::write(line.as_bytes());
        serial::write(b"\n");
        console::write(line);
        console::write("\n");
    }

    fn monotonic_ns(&self) -> u64 {
        self.clock.monotonic_ns()
    }

    fn realtime_ns(&self) -> u64 {
        self.clock.realtime_ns()
    }

    fn clock_resolution_ns(&self) -> u64 {
        self.clock.resolution_ns()
    }

    fn wait(&mut self, wake: Wake) {
        let mut timeout = wake.deadline.map(|at| Duration::from_nanos(at.saturating_sub(self.monotonic_ns())));
        if wake.stdin {
            timeout = Some(timeout.map_or(SERIAL_POLL, |t| t.min(SERIAL_POLL)));
        }
        let Some(timeout) = timeout.filter(|t| !t.is_zero()) else { return };
        let Some(timer) = &self.timer else {
            // No timer event: the firmware's stall still waits.
            boot::stall(timeout);
            return;
        };
        if boot::set_timer(timer, TimerTrigger::Relative(timeout)).is_err() {
            boot::stall(timeout);
            return;
        }
        // SAFETY: the copies live only during the wait; the events stay
        // open (the timer is the machine's, the key event the firmware's).
        let mut events = vec![unsafe { timer.unsafe_clone() }];
        if wake.stdin {
            events.extend(Keyboard::key_event());
        }
        let _ = boot::wait_for_event(&events);
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), IoError> {
        if firmware_random(buf) || cpu_random(buf) {
            Ok(())
        } else {
            Err(IoError::Other(String::from(
                "no source of randomness: the firmware has no RNG protocol and the CPU no RDRAND",
            )))
        }
    }

    fn memory_limit(&self) -> usize {
        self.memory_limit
    }

    fn services(&mut self) -> &mut dyn ServiceStore {
        &mut self.volume
    }

    fn write(&mut self, _: Stream, bytes: &[u8]) -> Result<(), IoError> {
        serial::write(bytes);
        console::write(&String::from_utf8_lossy(bytes));
        Ok(())
    }

    fn read_stdin(&mut self, buf: &mut [u8]) -> StdinRead {
        self.keyboard.read(buf)
    }

    fn is_terminal(&self, _: StdStream) -> bool {
        true
    }

    fn framebuffer(&mut self) -> Option<&mut dyn Framebuffer> {
        self.screen.as_mut().map(|screen| screen as &mut dyn Framebuffer)
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            let _ = boot::close_event(timer);
        }
    }
}
