//! Booting a UEFI loader in QEMU and watching what a user would see: the
//! serial console, the screen, the exit status.
//!
//! ```no_run
//! # use walos_tests::qemu::Boot;
//! let end = Boot::new("efi-app", &walos_tests::sample("hello")).start().wait();
//! assert_eq!((end.serial.as_str(), end.status), ("Hello world!\n", Some(0)));
//! ```
//!
//! Each machine gets its own directory (boot volume, serial log, monitor
//! socket), so tests may boot several at once. Waits are generous: OVMF
//! under TCG takes seconds to boot, more on a busy machine.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub use walos_qemu::Loader;
use walos_qemu::{Cmdline, Exit, Monitor, Qemu, SerialTo, Volume, image};

use crate::ppm::{self, Ppm};
use crate::root;

/// How long a machine may take to reach what a test waits for.
const TIMEOUT: Duration = Duration::from_secs(300);

/// What the machine boots from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// A directory as a FAT disk (QEMU's `fat:rw:`).
    EspDir,
    /// The ISO image (`cargo xtask package`'s), in a CD-ROM drive.
    Cdrom,
    /// The raw GPT disk image, as a hard disk.
    Disk,
}

/// A machine to boot: a loader, an entry program and its command line.
#[derive(Debug, Clone)]
pub struct Boot {
    loader: Loader,
    cmdline: Cmdline,
    /// A `--log` value that is no level, written by hand before the
    /// options (the build tool's [`Cmdline`] holds levels only).
    bad_log: Option<String>,
    services: Vec<(String, PathBuf)>,
    initrd: Option<PathBuf>,
    media: Media,
    keep_screen: bool,
    disks: Vec<PathBuf>,
}

/// Where the built loaders are: `WALOS_TARGET_DIR`, or the workspace's
/// `target/`.
fn target_dir() -> PathBuf {
    std::env::var_os("WALOS_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// A fresh directory for one machine.
fn machine_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("walos-vm-{}-{n}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove an old machine directory");
    }
    std::fs::create_dir_all(&dir).expect("machine directory");
    dir
}

impl Boot {
    /// Boots `loader` (`efi-app` or `efi-os`) with the wasm file `entry` as
    /// the entry program, named after the file (`hello.wasm`: `hello`). The
    /// command line has `--debug-exit`, so that the status comes back.
    pub fn new(loader: &str, entry: &Path) -> Boot {
        let loader: Loader = loader.parse().unwrap_or_else(|err| panic!("{err}"));
        let name = entry.file_stem().and_then(|s| s.to_str()).expect("a UTF-8 file name").to_string();
        let mut cmdline = loader.cmdline(name.clone());
        cmdline.debug_exit = true;
        let mut services = vec![(name, entry.to_path_buf())];
        services.extend(loader.input_services().iter().map(|&service| (service.to_string(), crate::service(service))));
        Boot {
            loader,
            cmdline,
            bad_log: None,
            services,
            initrd: None,
            media: Media::EspDir,
            keep_screen: false,
            disks: Vec::new(),
        }
    }

    /// The entry program's arguments (after `argv[0]`).
    pub fn args(mut self, args: &[&str]) -> Boot {
        self.cmdline.args = args.iter().map(ToString::to_string).collect();
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Boot {
        self.cmdline.env.push((name.into(), value.into()));
        self
    }

    /// The kernel log level (the default is warn). A word that is no level
    /// goes on the command line all the same, to see the loader refuse it.
    pub fn log(mut self, level: &str) -> Boot {
        match level.parse() {
            Ok(level) => self.cmdline.log = level,
            Err(_) => self.bad_log = Some(level.into()),
        }
        self
    }

    /// The driver services declared on the kernel command line (efi-os
    /// declares its keyboard driver unless told otherwise).
    pub fn drivers(mut self, drivers: &[&str]) -> Boot {
        self.cmdline.drivers = drivers.iter().map(ToString::to_string).collect();
        self
    }

    /// A raw disk image, attached as a virtio block device.
    pub fn disk(mut self, image: &Path) -> Boot {
        self.disks.push(image.to_path_buf());
        self
    }

    /// Another module in the service store.
    pub fn service(mut self, name: &str, wasm: &Path) -> Boot {
        self.services.push((name.into(), wasm.to_path_buf()));
        self
    }

    /// A tar archive for the root file system (`\\walos\\initrd.tar`, or
    /// `initrd.tar.gz` when its name ends with `.gz`).
    pub fn initrd(mut self, tar: &Path) -> Boot {
        self.initrd = Some(tar.to_path_buf());
        self
    }

    /// Where efi-os mounts and preopens the initrd (`--initrd-at`), `/`
    /// unless given.
    pub fn initrd_at(mut self, path: &str) -> Boot {
        self.cmdline.initrd_at = path.into();
        self
    }

    pub fn media(mut self, media: Media) -> Boot {
        self.media = media;
        self
    }

    /// Keeps the machine (stopped) after it powers off, so that
    /// [`Vm::wait_power_off`] then [`Vm::screendump`] show what the program
    /// left on the screen. The status is not reported then: `isa-debug-exit`
    /// would end QEMU at once.
    pub fn keep_screen(mut self) -> Boot {
        self.keep_screen = true;
        self.cmdline.debug_exit = false;
        self
    }

    /// Builds the boot media and starts QEMU.
    pub fn start(self) -> Vm {
        let dir = machine_dir();
        let mut volume = Volume::new(self.loader, &target_dir(), &self.cmdline).unwrap_or_else(|err| panic!("{err}"));
        if let Some(level) = &self.bad_log {
            let line = self.cmdline.line().unwrap_or_else(|err| panic!("{err}"));
            volume.cmdline_text(format!("--log {level} {line}"));
        }
        for (name, wasm) in &self.services {
            volume.service(name, wasm).unwrap_or_else(|err| panic!("{err}"));
        }
        if let Some(tar) = &self.initrd {
            volume.initrd(tar);
        }
        let media = match self.media {
            Media::EspDir => {
                let esp = dir.join("esp");
                volume.write_dir(&esp).unwrap_or_else(|err| panic!("{err}"));
                walos_qemu::Media::EspDir(esp)
            }
            Media::Cdrom => {
                let iso = dir.join("walos.iso");
                image::write_iso(&volume, &iso, &dir).unwrap_or_else(|err| panic!("{err}"));
                walos_qemu::Media::Cdrom(iso)
            }
            Media::Disk => {
                let disk = dir.join("walos.img");
                image::write_disk(&volume, &disk).unwrap_or_else(|err| panic!("{err}"));
                walos_qemu::Media::Disk(disk)
            }
        };
        let firmware = walos_qemu::firmware().unwrap_or_else(|err| panic!("{err}"));
        let serial = dir.join("serial.log");
        let serial_socket = dir.join("serial.sock");
        let monitor = dir.join("monitor.sock");
        let mut qemu = Qemu::new(media, firmware);
        qemu.serial = SerialTo::Socket { socket: serial_socket.clone(), log: serial.clone() };
        qemu.monitor = Some(monitor.clone());
        qemu.stay_on_power_off = self.keep_screen;
        qemu.disks = self.disks;
        let mut command = qemu.command();
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let child = command.spawn().unwrap_or_else(|err| {
            panic!("cannot start {}: {err}\n  install it: apt-get install qemu-system-x86", walos_qemu::QEMU)
        });
        Vm {
            child: Some(child),
            dir,
            serial,
            serial_socket,
            serial_input: None,
            monitor_socket: monitor,
            monitor: None,
            kept: self.keep_screen,
        }
    }
}

/// A running machine.
#[derive(Debug)]
pub struct Vm {
    child: Option<Child>,
    dir: PathBuf,
    serial: PathBuf,
    serial_socket: PathBuf,
    /// The connection to COM1, once something was typed on it.
    serial_input: Option<UnixStream>,
    monitor_socket: PathBuf,
    monitor: Option<Monitor>,
    /// QEMU stays after power-off ([`Boot::keep_screen`]).
    kept: bool,
}

/// How a machine's run ended.
#[derive(Debug, Clone)]
pub struct End {
    /// The entry's exit status; `None` if it trapped, could not start, or
    /// the machine stopped without saying (see `exit`).
    pub status: Option<i32>,
    /// What QEMU's exit code says.
    pub exit: Exit,
    /// What walos wrote on COM1 (the firmware's part dropped).
    pub serial: String,
}

impl Vm {
    /// COM1's output so far, from walos.
    pub fn serial(&self) -> String {
        let raw = std::fs::read(&self.serial).unwrap_or_default();
        walos_qemu::program_serial(&String::from_utf8_lossy(&raw)).to_string()
    }

    /// Waits until `text` has appeared on COM1.
    pub fn wait_for_serial(&mut self, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.serial().contains(text) {
            let running = self.child.as_mut().is_some_and(|child| matches!(child.try_wait(), Ok(None)));
            if !running || Instant::now() >= deadline {
                panic!("{text:?} never appeared on the serial console; it has:\n{}", self.serial());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn monitor(&mut self) -> &mut Monitor {
        if self.monitor.is_none() {
            let monitor = Monitor::connect(&self.monitor_socket, TIMEOUT).unwrap_or_else(|err| panic!("{err}"));
            self.monitor = Some(monitor);
        }
        self.monitor.as_mut().expect("connected")
    }

    /// Sends `bytes` to COM1, as a terminal on the serial line would. The
    /// machine's output then also goes to this connection, unread: fine
    /// for the few kilobytes a test prints (it is still logged for
    /// [`Vm::serial`]).
    pub fn type_serial(&mut self, bytes: &[u8]) {
        if self.serial_input.is_none() {
            let stream = UnixStream::connect(&self.serial_socket)
                .unwrap_or_else(|err| panic!("COM1 socket {}: {err}", self.serial_socket.display()));
            self.serial_input = Some(stream);
        }
        let stream = self.serial_input.as_mut().expect("connected");
        stream.write_all(bytes).unwrap_or_else(|err| panic!("typing on COM1: {err}"));
    }

    /// Presses a key on the machine's keyboard (QEMU's key names: `a`,
    /// `ret`, `spc`, `ctrl-d`, ...).
    pub fn sendkey(&mut self, key: &str) {
        self.monitor().sendkey(key).unwrap_or_else(|err| panic!("{err}"));
    }

    /// Types `text` on the machine's keyboard, one key (press) per
    /// character: letters, digits, blanks, `\n` (Enter) and a few signs.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let key = match c {
                'a'..='z' | '0'..='9' => c.to_string(),
                'A'..='Z' => format!("shift-{}", c.to_ascii_lowercase()),
                ' ' => "spc".into(),
                '\n' => "ret".into(),
                '&' => "shift-7".into(),
                '-' => "minus".into(),
                '.' => "dot".into(),
                '/' => "slash".into(),
                '\'' => "apostrophe".into(),
                '"' => "shift-apostrophe".into(),
                c => panic!("type_text: no key for {c:?}"),
            };
            self.sendkey(&key);
        }
    }

    /// Waits until the machine has powered off, with QEMU kept
    /// ([`Boot::keep_screen`]).
    pub fn wait_power_off(&mut self) {
        assert!(self.kept, "QEMU ends at power-off: use Boot::keep_screen");
        let deadline = Instant::now() + TIMEOUT;
        while !self.monitor().powered_off().unwrap_or_else(|err| panic!("{err}")) {
            assert!(Instant::now() < deadline, "the machine did not power off; serial:\n{}", self.serial());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The screen, as QEMU shows it.
    pub fn screendump(&mut self) -> Ppm {
        let file = self.dir.join("screen.ppm");
        let _ = std::fs::remove_file(&file);
        self.monitor().screendump(&file).unwrap_or_else(|err| panic!("{err}"));
        let data = std::fs::read(&file).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        ppm::parse(&data).unwrap_or_else(|err| panic!("screendump: {err}"))
    }

    /// Waits for the machine to power off.
    pub fn wait(mut self) -> End {
        if self.kept {
            self.wait_power_off();
            self.monitor().quit().unwrap_or_else(|err| panic!("{err}"));
        }
        let mut child = self.child.take().expect("the machine is running");
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("the machine did not power off within {TIMEOUT:?}; serial:\n{}", self.serial());
                }
                Err(err) => panic!("waiting for QEMU: {err}"),
            }
        };
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        let exit = Exit::from_code(status.code());
        if let Exit::NoReport(code) = exit
            && !stderr.trim().is_empty()
        {
            panic!("QEMU failed (exit code {code:?}):\n{stderr}");
        }
        End { status: exit.status(), exit, serial: self.serial() }
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
