//! The walos native interfaces for Rust programs compiled to wasm.
//!
//! walos runs WASI programs as they are (use `std` for files, time,
//! arguments); this crate adds the interfaces that are walos's own:
//! [`stdout`], [`stdio`], [`sys`] (kernel log, yielding, `exec`), [`proc`]
//! (processes), [`vga`] (the screen), and for driver services [`hw`] (the
//! keyboard) and `x86` (ports and interrupt lines). It is `no_std` and
//! allocates nothing.
//!
//! ```no_run
//! walos_sdk::sys::log(walos_sdk::sys::Level::Info, "hello from Rust");
//! walos_sdk::stdout::write(&[b"Hello", b" world\n"]).unwrap();
//! ```
//!
//! The functions exist on wasm targets only: elsewhere there is no walos
//! kernel to call.

#![no_std]

use core::fmt;

#[cfg(target_family = "wasm")]
mod raw;

/// A failed call: a WASI errno number (the native interfaces share them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error(pub u32);

impl Error {
    /// The stream is closed or not open for this.
    pub const BADF: Error = Error(8);
    /// An I/O error.
    pub const IO: Error = Error(29);
    /// The reader went away.
    pub const PIPE: Error = Error(64);
    /// An argument is wrong (a buffer too small for what it should hold).
    pub const INVAL: Error = Error(28);
    /// The machine cannot do this (no screen for `vga`).
    pub const NOTSUP: Error = Error(58);
    /// Too many or too long arguments.
    pub const TOOBIG: Error = Error(1);
    /// Not a child of the caller, or already waited for.
    pub const CHILD: Error = Error(12);
    /// A bad pointer.
    pub const FAULT: Error = Error(21);
    /// No such module in the service store.
    pub const NOENT: Error = Error(44);
    /// Not a valid wasm program, or it cannot be linked.
    pub const NOEXEC: Error = Error(45);
    /// No such process.
    pub const SRCH: Error = Error(71);
    /// Not allowed (`set_foreground` on a process that is not a child).
    pub const PERM: Error = Error(63);

    #[cfg(target_family = "wasm")]
    fn check(status: i32) -> Result<(), Error> {
        if status == 0 { Ok(()) } else { Err(Error(status as u32)) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "walos error {}", self.0)
    }
}

impl core::error::Error for Error {}

/// A read-only buffer as the interfaces take it (`{ptr: u32, len: u32}`).
#[cfg(target_family = "wasm")]
#[repr(C)]
#[derive(Clone, Copy)]
struct CioVec {
    ptr: *const u8,
    len: usize,
}

/// Calls `write` with `bufs` as iovecs, a few at a time so that nothing is
/// allocated.
#[cfg(target_family = "wasm")]
fn write_all(bufs: &[&[u8]], write: unsafe extern "C" fn(*const CioVec, u32) -> i32) -> Result<(), Error> {
    const BATCH: usize = 16;
    for chunk in bufs.chunks(BATCH) {
        let mut iovs = [CioVec { ptr: core::ptr::null(), len: 0 }; BATCH];
        for (iov, buf) in iovs.iter_mut().zip(chunk) {
            *iov = CioVec { ptr: buf.as_ptr(), len: buf.len() };
        }
        // SAFETY: the iovecs point into live slices for the whole call.
        Error::check(unsafe { write(iovs.as_ptr(), chunk.len() as u32) })?;
    }
    Ok(())
}

/// The `stdout` interface: the program's output.
#[cfg(target_family = "wasm")]
pub mod stdout {
    use super::{Error, raw};

    /// Writes the buffers, in order.
    pub fn write(bufs: &[&[u8]]) -> Result<(), Error> {
        super::write_all(bufs, raw::stdout_write)
    }

    /// Writes one byte.
    pub fn putc(byte: u8) -> Result<(), Error> {
        // SAFETY: a plain value crosses.
        Error::check(unsafe { raw::stdout_putc(byte.into()) })
    }
}

/// The `stdio` interface: output and input.
#[cfg(target_family = "wasm")]
pub mod stdio {
    use super::{Error, raw};

    /// Writes the buffers, in order.
    pub fn write(bufs: &[&[u8]]) -> Result<(), Error> {
        super::write_all(bufs, raw::stdio_write)
    }

    /// Writes one byte.
    pub fn putc(byte: u8) -> Result<(), Error> {
        // SAFETY: a plain value crosses.
        Error::check(unsafe { raw::stdio_putc(byte.into()) })
    }

    /// The next byte of input, waiting for it (the process sleeps
    /// meanwhile); `None` at end of input.
    pub fn getc() -> Option<u8> {
        // SAFETY: no arguments.
        u8::try_from(unsafe { raw::stdio_getc() }).ok()
    }
}

/// The `sys` interface: the kernel log and the scheduler.
pub mod sys {
    /// Log levels, most severe first (syslog order).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    #[repr(u32)]
    pub enum Level {
        Emerg = 0,
        Alert = 1,
        Crit = 2,
        Err = 3,
        Warn = 4,
        Notice = 5,
        Info = 6,
        Debug = 7,
    }

    /// Logs `message` as one line prefixed with the process name, if the
    /// kernel's log level lets `level` through.
    #[cfg(target_family = "wasm")]
    pub fn log(level: Level, message: &str) {
        let iov = super::CioVec { ptr: message.as_ptr(), len: message.len() };
        // SAFETY: the iovec points into `message` for the whole call.
        unsafe { super::raw::sys_log(level as u32, &iov, 1) }
    }

    /// Gives the CPU to the other processes.
    #[cfg(target_family = "wasm")]
    pub fn yield_now() {
        // SAFETY: no arguments.
        unsafe { super::raw::sys_yield() }
    }

    /// Fills `buf` with the newest kernel log lines that fit, oldest first,
    /// one per line, and returns their size. The kernel keeps about 64 KiB
    /// of lines at level info or more severe, whatever the console shows.
    #[cfg(target_family = "wasm")]
    pub fn dmesg(buf: &mut [u8]) -> Result<usize, super::Error> {
        let mut size = 0;
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        // SAFETY: the kernel writes at most `len` bytes of `buf`.
        super::Error::check(unsafe { super::raw::sys_dmesg(buf.as_mut_ptr(), len, &mut size) })?;
        Ok(size as usize)
    }

    /// The console shows log lines up to `level` from now on.
    #[cfg(target_family = "wasm")]
    pub fn set_log_level(level: Level) {
        // SAFETY: a plain value crosses; every `Level` is valid.
        unsafe { super::raw::sys_set_log_level(level as u32) };
    }

    /// Does nothing: the cost of a syscall by itself.
    #[cfg(target_family = "wasm")]
    pub fn nop() {
        // SAFETY: no arguments.
        unsafe { super::raw::sys_nop() }
    }

    /// Runs the wasm module `code` as a child called `name` and returns its
    /// status when it ends (see [`super::proc::wait`]).
    #[cfg(target_family = "wasm")]
    pub fn exec(name: &str, code: &[u8]) -> Result<u32, super::Error> {
        // SAFETY: both buffers are live for the whole call.
        let status =
            unsafe { super::raw::sys_exec(name.as_ptr(), name.len() as u32, code.as_ptr(), code.len() as u32) };
        u32::try_from(status).map_err(|_| super::Error(status.unsigned_abs()))
    }
}

/// The `proc` interface: starting, waiting for, ending and listing
/// processes.
pub mod proc {
    /// A process identifier.
    pub type Pid = u32;

    /// The low 8 bits of the status of a child that trapped (128 +
    /// SIGABRT).
    pub const TRAPPED: u32 = 134;
    /// The low 8 bits of the status of a killed process (128 + SIGKILL).
    pub const KILLED: u32 = 137;

    /// How a process ended, from bits 8..15 of its status word (see
    /// [`wait`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum End {
        /// It exited with this code (`proc_exit`; 0 when `_start` returned).
        Exited(u8),
        /// It trapped.
        Trapped,
        /// `kill` (or Ctrl-C on the console) ended it.
        Killed,
    }

    impl End {
        /// Decodes a status word; an unknown kind (a newer kernel) counts
        /// as exited with the low 8 bits.
        pub const fn of(status: u32) -> End {
            match status >> 8 & 0xff {
                1 => End::Trapped,
                2 => End::Killed,
                _ => End::Exited(code(status)),
            }
        }
    }

    /// The low 8 bits of a status word: the exit code, [`TRAPPED`] or
    /// [`KILLED`], as a Unix shell shows it.
    pub const fn code(status: u32) -> u8 {
        status as u8
    }

    /// The most arguments (or environment entries) [`spawn`] passes.
    pub const MAX_ARGS: usize = 32;

    /// What [`list`] says of a process (64 bytes, as the kernel writes it).
    #[repr(C)]
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ProcInfo {
        pub pid: Pid,
        /// 0: started by the loader.
        pub parent: Pid,
        /// 0 running (the caller), 1 ready, 2 blocked, 3 exited and not
        /// waited for.
        pub state: u32,
        name_len: u32,
        /// CPU time used.
        pub cpu_ns: u64,
        name: [u8; 40],
    }

    const _: () = assert!(core::mem::size_of::<ProcInfo>() == 64);

    impl ProcInfo {
        pub const EMPTY: ProcInfo = ProcInfo { pid: 0, parent: 0, state: 0, name_len: 0, cpu_ns: 0, name: [0; 40] };

        /// The process name (cut to 40 bytes).
        pub fn name(&self) -> &str {
            let name = &self.name[..(self.name_len as usize).min(self.name.len())];
            core::str::from_utf8(name).unwrap_or("?")
        }

        /// The state as a word (`running`, `ready`, `blocked`, `exited`).
        pub fn state_name(&self) -> &'static str {
            match self.state {
                0 => "running",
                1 => "ready",
                2 => "blocked",
                3 => "exited",
                _ => "?",
            }
        }
    }

    /// Calls a spawn function with `args` and `env` as ciovec arrays and a
    /// pid to fill.
    #[cfg(target_family = "wasm")]
    fn spawn_with(
        args: &[&str],
        env: &[&str],
        call: impl FnOnce(*const super::CioVec, u32, *const super::CioVec, u32, *mut u32) -> i32,
    ) -> Result<Pid, super::Error> {
        fn iovecs(strings: &[&str]) -> Result<[super::CioVec; MAX_ARGS], super::Error> {
            if strings.len() > MAX_ARGS {
                return Err(super::Error::TOOBIG);
            }
            let mut iovs = [super::CioVec { ptr: core::ptr::null(), len: 0 }; MAX_ARGS];
            for (iov, s) in iovs.iter_mut().zip(strings) {
                *iov = super::CioVec { ptr: s.as_ptr(), len: s.len() };
            }
            Ok(iovs)
        }
        let (argv, envv) = (iovecs(args)?, iovecs(env)?);
        let mut pid = 0;
        super::Error::check(call(argv.as_ptr(), args.len() as u32, envv.as_ptr(), env.len() as u32, &mut pid))?;
        Ok(pid)
    }

    /// Starts the module `name` of the service store as a child, with
    /// `args` after `argv[0]` (= `name`) and exactly `env` (`NAME=VALUE`).
    #[cfg(target_family = "wasm")]
    pub fn spawn(name: &str, args: &[&str], env: &[&str]) -> Result<Pid, super::Error> {
        spawn_with(args, env, |argv, argc, envv, envc, pid| {
            // SAFETY: every pointer is to live data for the whole call.
            unsafe { super::raw::proc_spawn(name.as_ptr(), name.len() as u32, argv, argc, envv, envc, pid) }
        })
    }

    /// [`spawn`] with the module's bytes; `name` names the process.
    #[cfg(target_family = "wasm")]
    pub fn spawn_module(name: &str, code: &[u8], args: &[&str], env: &[&str]) -> Result<Pid, super::Error> {
        spawn_with(args, env, |argv, argc, envv, envc, pid| {
            // SAFETY: every pointer is to live data for the whole call.
            unsafe {
                super::raw::proc_spawn_module(
                    name.as_ptr(),
                    name.len() as u32,
                    code.as_ptr(),
                    code.len() as u32,
                    argv,
                    argc,
                    envv,
                    envc,
                    pid,
                )
            }
        })
    }

    /// Waits for the child `pid` to end (the caller sleeps meanwhile) and
    /// returns its status word: in bits 0..7 its exit code's low 8 bits,
    /// [`TRAPPED`] or [`KILLED`]; in bits 8..15 how it ended (0 exited, 1
    /// trapped, 2 killed), which [`End::of`] decodes.
    #[cfg(target_family = "wasm")]
    pub fn wait(pid: Pid) -> Result<u32, super::Error> {
        let mut status = 0;
        // SAFETY: a pointer to a live `u32`.
        super::Error::check(unsafe { super::raw::proc_wait(pid, &mut status) })?;
        Ok(status)
    }

    /// Ends process `pid` ([`End::Killed`]).
    #[cfg(target_family = "wasm")]
    pub fn kill(pid: Pid) -> Result<(), super::Error> {
        // SAFETY: a plain value crosses.
        super::Error::check(unsafe { super::raw::proc_kill(pid) })
    }

    /// Makes `pid` (a child of the caller, or the caller) the console's
    /// foreground process: Ctrl-C typed on the console then kills it
    /// instead of reaching a reader. `None` clears it. [`super::Error::PERM`]
    /// for a process that is not a child, [`super::Error::SRCH`] for none.
    #[cfg(target_family = "wasm")]
    pub fn set_foreground(pid: Option<Pid>) -> Result<(), super::Error> {
        // SAFETY: a plain value crosses.
        super::Error::check(unsafe { super::raw::proc_set_foreground(pid.unwrap_or(0)) })
    }

    /// Fills `buf` with the names of the service store's modules, sorted,
    /// each followed by a newline (whole names only), and returns the size
    /// of the whole list (more than `buf.len()`: some were left out).
    #[cfg(target_family = "wasm")]
    pub fn modules(buf: &mut [u8]) -> Result<usize, super::Error> {
        let mut size = 0;
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        // SAFETY: the kernel writes at most `len` bytes of `buf`.
        super::Error::check(unsafe { super::raw::proc_modules(buf.as_mut_ptr(), len, &mut size) })?;
        Ok(size as usize)
    }

    /// Fills `buf` with the processes, by pid, and returns how many there
    /// are (more than `buf.len()`: some were left out).
    #[cfg(target_family = "wasm")]
    pub fn list(buf: &mut [ProcInfo]) -> Result<usize, super::Error> {
        let mut count = 0;
        let size = u32::try_from(core::mem::size_of_val(buf)).unwrap_or(u32::MAX);
        // SAFETY: the kernel writes at most `size` bytes of `buf`.
        super::Error::check(unsafe { super::raw::proc_list(buf.as_mut_ptr(), size, &mut count) })?;
        Ok(count as usize)
    }
}

/// The `vga` interface: the screen, a framebuffer of 32-bit pixels.
///
/// Pixels are `0x00BBGGRR` (see [`vga::rgb`]); one whose top byte is not 0
/// is transparent. A program importing `vga` does not start on a machine
/// without a screen (`walos run --framebuffer FILE.ppm` gives the Linux
/// loader one).
pub mod vga {
    /// A transparent pixel: `put` leaves the screen under it unchanged.
    pub const TRANSPARENT: u32 = 0xff00_0000;

    /// A pixel from its red, green and blue components.
    pub const fn rgb(r: u8, g: u8, b: u8) -> u32 {
        r as u32 | (g as u32) << 8 | (b as u32) << 16
    }

    /// Whether `put` draws this pixel.
    pub const fn is_opaque(pixel: u32) -> bool {
        pixel >> 24 == 0
    }

    /// The screen's width and height in pixels; [`super::Error::NOTSUP`]
    /// without a screen.
    #[cfg(target_family = "wasm")]
    pub fn info() -> Result<(u32, u32), super::Error> {
        let (mut width, mut height) = (0, 0);
        // SAFETY: both pointers are to live, aligned `u32`s.
        super::Error::check(unsafe { super::raw::vga_info(&mut width, &mut height) })?;
        Ok((width, height))
    }

    /// Draws `pixels`, a `width` x `height` block stored row after row, with
    /// its top-left corner at (`x`, `y`); what falls off the screen is
    /// dropped. [`super::Error::INVAL`] if `pixels` is shorter than the
    /// block.
    #[cfg(target_family = "wasm")]
    pub fn put(x: u32, y: u32, width: u32, height: u32, pixels: &[u32]) -> Result<(), super::Error> {
        let size = u32::try_from(core::mem::size_of_val(pixels)).unwrap_or(u32::MAX);
        // SAFETY: the kernel reads at most `size` bytes of `pixels`.
        super::Error::check(unsafe { super::raw::vga_put(x, y, pixels.as_ptr(), size, width, height) })
    }
}

/// The `hw` interface: the keyboard, as a driver service provides it
/// (`srv/ps2kbd`). A key is a Unicode scalar value, or one of the codes
/// below for a key that has none (all above `char::MAX`).
pub mod hw {
    /// The first special-key code: one past the last Unicode scalar value.
    pub const KEY_SPECIAL: i32 = 0x11_0000;
    pub const KEY_UP: i32 = KEY_SPECIAL + 1;
    pub const KEY_DOWN: i32 = KEY_SPECIAL + 2;
    pub const KEY_RIGHT: i32 = KEY_SPECIAL + 3;
    pub const KEY_LEFT: i32 = KEY_SPECIAL + 4;
    pub const KEY_HOME: i32 = KEY_SPECIAL + 5;
    pub const KEY_END: i32 = KEY_SPECIAL + 6;
    pub const KEY_DELETE: i32 = KEY_SPECIAL + 7;
    /// A raw input byte 0x80-0xff (from a serial line, which carries UTF-8
    /// already encoded) is `KEY_BYTE + byte`.
    pub const KEY_BYTE: i32 = KEY_SPECIAL + 0x100;

    /// The next key, waiting for it; a negative value if the driver failed
    /// (the kernel returns -1 for a failed service call).
    #[cfg(target_family = "wasm")]
    pub fn key_read() -> i32 {
        // SAFETY: no arguments.
        unsafe { super::raw::hw_key_read() }
    }
}

/// The `x86` interface: port I/O and interrupt lines, linked only for the
/// driver services the loader declares.
#[cfg(target_family = "wasm")]
pub mod x86 {
    use super::raw;

    /// Reads a byte from `port`.
    pub fn inb(port: u16) -> u8 {
        // SAFETY: plain values cross; the kernel checks the grant.
        unsafe { raw::x86_io_read8(port.into()) as u8 }
    }

    /// Writes a byte to `port`.
    pub fn outb(port: u16, value: u8) {
        // SAFETY: as for `inb`.
        unsafe { raw::x86_io_write8(port.into(), value.into()) }
    }

    /// Parks the driver until one of the interrupt `lines` (bit n: IRQ n)
    /// fired since they were last taken; the lines that fired.
    pub fn irq_wait(lines: u32) -> u32 {
        // SAFETY: a plain value crosses.
        unsafe { raw::x86_irq_wait(lines) }
    }
}

/// The `pci` interface: the PCI devices granted to a driver service, their
/// registers, DMA buffers and interrupts (docs/abi.md, "`pci`"). Devices
/// are numbered from 0 in bus order; a device, BAR, offset or width out
/// of range traps.
pub mod pci {
    /// What a BAR decodes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum BarKind {
        /// I/O ports.
        Io,
        /// Memory below 4 GiB.
        Memory32,
        /// Memory anywhere (it takes two slots; the second is `None`).
        Memory64,
    }

    /// A range of ports or device memory.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Bar {
        pub kind: BarKind,
        /// The first port or physical address.
        pub base: u64,
        /// Its size in bytes (ports).
        pub size: u64,
    }

    /// A granted device, as `pci.info` describes it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Device {
        pub vendor: u16,
        pub device: u16,
        /// Class, subclass and programming interface.
        pub class: [u8; 3],
        /// Its legacy interrupt line, if it has one.
        pub irq: Option<u8>,
        /// Bus, slot and function.
        pub address: [u8; 3],
        pub bars: [Option<Bar>; 6],
    }

    /// The size of the record `pci.info` writes.
    pub const INFO_BYTES: usize = 160;

    impl Device {
        /// Reads the record of `pci.info`.
        pub fn parse(record: &[u8; INFO_BYTES]) -> Device {
            let u16_at = |at: usize| u16::from_le_bytes([record[at], record[at + 1]]);
            let u64_at = |at: usize| u64::from_le_bytes(record[at..at + 8].try_into().unwrap_or([0; 8]));
            let bars = core::array::from_fn(|slot| {
                let at = 16 + slot * 24;
                let kind = match record[at] {
                    1 => BarKind::Io,
                    2 => BarKind::Memory32,
                    3 => BarKind::Memory64,
                    _ => return None,
                };
                Some(Bar { kind, base: u64_at(at + 8), size: u64_at(at + 16) })
            });
            Device {
                vendor: u16_at(0),
                device: u16_at(2),
                class: [record[4], record[5], record[6]],
                irq: (record[7] != 0xff).then_some(record[7]),
                address: [record[8], record[9], record[10]],
                bars,
            }
        }
    }

    #[cfg(target_family = "wasm")]
    pub use calls::*;

    #[cfg(target_family = "wasm")]
    mod calls {
        use super::super::{Error, raw};
        use super::{Device, INFO_BYTES};

        /// How many devices are granted to this driver.
        pub fn count() -> u32 {
            // SAFETY: no arguments.
            unsafe { raw::pci_count() }
        }

        /// Device `n`, if it is granted.
        pub fn info(n: u32) -> Option<Device> {
            let mut record = [0u8; INFO_BYTES];
            // SAFETY: the record is ours and as long as we say.
            let errno = unsafe { raw::pci_info(n, record.as_mut_ptr(), INFO_BYTES as u32) };
            (errno == 0).then(|| Device::parse(&record))
        }

        /// `bytes` (1, 2 or 4) of device `n`'s configuration space at `offset`.
        pub fn config_read(n: u32, offset: u8, bytes: u32) -> u32 {
            // SAFETY: plain values cross; the kernel checks them.
            unsafe { raw::pci_config_read(n, offset.into(), bytes) }
        }

        /// Writes there: the command and status registers, and 0x40 on.
        pub fn config_write(n: u32, offset: u8, bytes: u32, value: u32) {
            // SAFETY: as for `config_read`.
            unsafe { raw::pci_config_write(n, offset.into(), bytes, value) }
        }

        /// A register of BAR `bar` of device `n`.
        pub fn bar_read(n: u32, bar: u32, offset: u32, bytes: u32) -> u32 {
            // SAFETY: as for `config_read`.
            unsafe { raw::pci_bar_read(n, bar, offset, bytes) }
        }

        /// Writes a register of BAR `bar` of device `n`.
        pub fn bar_write(n: u32, bar: u32, offset: u32, bytes: u32, value: u32) {
            // SAFETY: as for `config_read`.
            unsafe { raw::pci_bar_write(n, bar, offset, bytes, value) }
        }

        /// Parks the driver until the interrupt of one of `devices` (bit n:
        /// device n) fired; the devices whose did. Answer them before
        /// waiting again: their lines stay masked until then.
        pub fn irq_wait(devices: u32) -> u32 {
            // SAFETY: a plain value crosses.
            unsafe { raw::pci_irq_wait(devices) }
        }

        /// A DMA buffer: memory devices reach, freed on drop (stop the
        /// device using it first).
        #[derive(Debug)]
        pub struct DmaBuffer {
            handle: u32,
            len: usize,
        }

        impl DmaBuffer {
            /// A zeroed, page-aligned buffer of at least `bytes` (1 to 16 MiB).
            pub fn new(bytes: usize) -> Result<DmaBuffer, Error> {
                let asked = u32::try_from(bytes).map_err(|_| Error::INVAL)?;
                // SAFETY: a plain value crosses.
                let handle = unsafe { raw::pci_dma_alloc(asked) };
                u32::try_from(handle)
                    .map(|handle| DmaBuffer { handle, len: bytes.next_multiple_of(4096) })
                    .map_err(|_| Error(handle.unsigned_abs()))
            }

            /// Its size: a whole number of pages.
            pub fn len(&self) -> usize {
                self.len
            }

            /// Whether it is empty (never).
            pub fn is_empty(&self) -> bool {
                self.len == 0
            }

            /// The address its devices see it at.
            pub fn address(&self) -> u64 {
                // SAFETY: a plain value crosses.
                unsafe { raw::pci_dma_address(self.handle) }
            }

            /// Copies `src` into it at `offset`.
            pub fn write(&self, offset: usize, src: &[u8]) -> Result<(), Error> {
                let offset = u32::try_from(offset).map_err(|_| Error::INVAL)?;
                // SAFETY: `src` is ours for `src.len()` bytes.
                let errno = unsafe { raw::pci_dma_write(self.handle, offset, src.as_ptr(), src.len() as u32) };
                if errno == 0 { Ok(()) } else { Err(Error(errno)) }
            }

            /// Copies from it at `offset` into `dst`.
            pub fn read(&self, offset: usize, dst: &mut [u8]) -> Result<(), Error> {
                let offset = u32::try_from(offset).map_err(|_| Error::INVAL)?;
                // SAFETY: `dst` is ours for `dst.len()` bytes.
                let errno = unsafe { raw::pci_dma_read(self.handle, offset, dst.as_mut_ptr(), dst.len() as u32) };
                if errno == 0 { Ok(()) } else { Err(Error(errno)) }
            }
        }

        impl Drop for DmaBuffer {
            fn drop(&mut self) {
                // SAFETY: a plain value crosses; the handle is ours.
                unsafe { raw::pci_dma_free(self.handle) };
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn an_info_record_reads_back_as_the_kernel_wrote_it() {
            let mut record = [0u8; INFO_BYTES];
            record[..11].copy_from_slice(&[0xf4, 0x1a, 0x01, 0x10, 1, 0, 0, 11, 0, 3, 0]);
            record[16] = 1;
            record[24..26].copy_from_slice(&0xc000u16.to_le_bytes());
            record[32] = 0x40;
            record[40] = 3;
            record[52] = 0x80;
            record[56..58].copy_from_slice(&0x4000u16.to_le_bytes());
            let device = Device::parse(&record);
            assert_eq!((device.vendor, device.device, device.class, device.irq), (0x1af4, 0x1001, [1, 0, 0], Some(11)));
            assert_eq!(device.address, [0, 3, 0]);
            assert_eq!(device.bars[0], Some(Bar { kind: BarKind::Io, base: 0xc000, size: 0x40 }));
            assert_eq!(device.bars[1], Some(Bar { kind: BarKind::Memory64, base: 0x80 << 32, size: 0x4000 }));
            assert_eq!(device.bars[2], None);
            record[7] = 0xff;
            assert_eq!(Device::parse(&record).irq, None);
        }
    }
}

/// State a service keeps between calls, in a `static`.
///
/// A wasm instance has one thread and the kernel never re-enters a service
/// (it serves one call at a time, and cycles never link), so a call may
/// take the state mutably without a lock: [`CallState::get`] is the one
/// place that says so. (Wasm targets only: elsewhere there are threads.)
#[cfg(target_family = "wasm")]
pub struct CallState<T>(core::cell::UnsafeCell<T>);

// SAFETY: one thread per instance, see the type's documentation.
#[cfg(target_family = "wasm")]
unsafe impl<T> Sync for CallState<T> {}

#[cfg(target_family = "wasm")]
impl<T> CallState<T> {
    pub const fn new(value: T) -> Self {
        CallState(core::cell::UnsafeCell::new(value))
    }

    /// The state, for the current call.
    ///
    /// # Safety
    /// The caller holds no other reference from an earlier `get` (call it
    /// once per exported function, not from functions that call each
    /// other while holding the result).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get(&self) -> &mut T {
        // SAFETY: per the function's contract and the single thread.
        unsafe { &mut *self.0.get() }
    }
}
