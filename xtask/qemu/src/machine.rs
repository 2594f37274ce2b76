//! The reference machine: QEMU's q35 PC with the OVMF firmware, under TCG
//! (no KVM is assumed), and what its exit code means.

use std::path::{Path, PathBuf};
use std::process::Command;

use walos_uefi_boot::debug_exit;

/// The QEMU binary.
pub const QEMU: &str = "qemu-system-x86_64";

/// Where distributions put OVMF as one file (`-bios` boots faster than
/// pflash); `WALOS_OVMF` overrides.
const FIRMWARE: &[&str] = &["/usr/share/ovmf/OVMF.fd", "/usr/share/qemu/OVMF.fd", "/usr/share/OVMF/OVMF.fd"];

/// What the machine boots from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    /// A directory, seen as a FAT disk (`-drive format=raw,file=fat:rw:DIR`).
    EspDir(PathBuf),
    /// An ISO image in a CD-ROM drive.
    Cdrom(PathBuf),
    /// A raw disk image (GPT with an ESP).
    Disk(PathBuf),
}

/// Where COM1 goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialTo {
    /// The terminal QEMU runs in.
    Stdio,
    File(PathBuf),
    /// A Unix socket to type into (and read from), every byte the machine
    /// writes also saved to `log`, whether or not someone is connected.
    Socket {
        socket: PathBuf,
        log: PathBuf,
    },
}

/// A QEMU command line.
#[derive(Debug, Clone)]
pub struct Qemu {
    pub media: Media,
    pub serial: SerialTo,
    /// A Unix socket for the human monitor (`sendkey`, `screendump`).
    pub monitor: Option<PathBuf>,
    /// Show the screen in a window; otherwise there is no display at all
    /// (the screen still exists, for `screendump`).
    pub window: bool,
    /// The OVMF image.
    pub firmware: PathBuf,
    /// On power-off, stop the machine instead of ending QEMU
    /// (`-no-shutdown`), so that its screen can still be looked at.
    pub stay_on_power_off: bool,
    /// Raw disk images, each attached as a legacy virtio block device
    /// (`virtio-blk-pci`, ids 1af4:1001: the interface walos's driver
    /// speaks), in order.
    pub disks: Vec<PathBuf>,
}

impl Qemu {
    pub fn new(media: Media, firmware: PathBuf) -> Qemu {
        Qemu {
            media,
            serial: SerialTo::Stdio,
            monitor: None,
            window: false,
            firmware,
            stay_on_power_off: false,
            disks: Vec::new(),
        }
    }

    /// The command, ready to spawn.
    pub fn command(&self) -> Command {
        let mut qemu = Command::new(QEMU);
        // `-cpu max`: every feature TCG emulates, RDRAND among them, which the
        // bare-metal kernel (efi-os) needs for `random_get`.
        qemu.args(["-machine", "q35,accel=tcg", "-cpu", "max", "-m", "256M", "-nodefaults", "-vga", "std"]);
        qemu.arg("-no-reboot");
        qemu.arg("-bios").arg(&self.firmware);
        match &self.media {
            Media::EspDir(dir) => qemu.arg("-drive").arg(format!("format=raw,file=fat:rw:{}", dir.display())),
            Media::Cdrom(iso) => qemu.arg("-cdrom").arg(iso),
            Media::Disk(image) => qemu.arg("-drive").arg(format!("format=raw,file={}", image.display())),
        };
        match &self.serial {
            SerialTo::Stdio => qemu.args(["-serial", "stdio"]),
            SerialTo::File(file) => qemu.arg("-serial").arg(format!("file:{}", file.display())),
            SerialTo::Socket { socket, log } => qemu
                .arg("-chardev")
                .arg(format!("socket,id=com1,path={},server=on,wait=off,logfile={}", socket.display(), log.display()))
                .args(["-serial", "chardev:com1"]),
        };
        if !self.window {
            qemu.args(["-display", "none"]);
        }
        if self.stay_on_power_off {
            qemu.arg("-no-shutdown");
        }
        // A source of randomness for efi-app: OVMF offers it as the UEFI
        // RNG protocol.
        qemu.args(["-device", "virtio-rng-pci"]);
        qemu.arg("-device").arg(format!("isa-debug-exit,iobase={:#x},iosize=0x04", debug_exit::PORT));
        for (n, disk) in self.disks.iter().enumerate() {
            qemu.arg("-drive").arg(format!("if=none,id=disk{n},format=raw,file={}", disk.display()));
            qemu.arg("-device").arg(format!("virtio-blk-pci,drive=disk{n},disable-legacy=off,disable-modern=on"));
        }
        if let Some(socket) = &self.monitor {
            qemu.arg("-monitor").arg(format!("unix:{},server,nowait", socket.display()));
        }
        qemu
    }
}

/// The OVMF firmware image, or how to get one.
pub fn firmware() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("WALOS_OVMF") {
        let path = PathBuf::from(path);
        return if path.is_file() { Ok(path) } else { Err(format!("WALOS_OVMF={}: no such file", path.display())) };
    }
    FIRMWARE.iter().map(PathBuf::from).find(|path| path.is_file()).ok_or_else(|| {
        format!(
            "the OVMF firmware is missing (looked for {})\n  install it: apt-get install ovmf \
             (or set WALOS_OVMF to an OVMF.fd)",
            FIRMWARE.join(", ")
        )
    })
}

/// The QEMU binary on `PATH`, or how to get it.
pub fn qemu_binary() -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(QEMU))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| format!("`{QEMU}` is not on PATH\n  install it: apt-get install qemu-system-x86"))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// QEMU's exit code when the entry trapped or could not start: 255.
const FAILED_CODE: i32 = 2 * debug_exit::FAILED as i32 + 1;

/// How a run of the machine ended, from QEMU's exit code.
///
/// With `--debug-exit` the loader writes `v` to `isa-debug-exit` and QEMU
/// exits with `2v + 1`: `v` is the entry's status below 127, or
/// [`debug_exit::FAILED`] when it trapped or could not start (see
/// [`debug_exit::value`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The entry exited with this status.
    Status(i32),
    /// The entry trapped, or could not be started.
    Failed,
    /// QEMU ended without a status: a power-off without `--debug-exit`, a
    /// triple fault (0), or QEMU's own failure; its exit code, if any.
    NoReport(Option<i32>),
}

impl Exit {
    pub fn from_code(code: Option<i32>) -> Exit {
        match code {
            Some(code) if code == FAILED_CODE => Exit::Failed,
            Some(code) if code % 2 == 1 && (1..FAILED_CODE).contains(&code) => Exit::Status(code / 2),
            other => Exit::NoReport(other),
        }
    }

    /// The entry's exit status, if it exited.
    pub fn status(self) -> Option<i32> {
        match self {
            Exit::Status(status) => Some(status),
            _ => None,
        }
    }
}

/// What the firmware prints when it starts a boot loader; everything up to
/// the end of this line is the firmware's.
const FIRMWARE_HANDOFF: &str = "BdsDxe: starting ";

/// The part of COM1's output written by walos: OVMF uses the port as a
/// console until it starts the loader (escape codes, `BdsDxe: loading …`),
/// and the loaders keep it to themselves from then on. Output without
/// OVMF's hand-off line is returned whole.
pub fn program_serial(raw: &str) -> &str {
    match raw.find(FIRMWARE_HANDOFF) {
        None => raw,
        Some(_) => handoff_end(raw.as_bytes()).map_or("", |end| &raw[end..]),
    }
}

/// Where walos's part of COM1's output starts: just after the firmware's
/// complete hand-off line, if it has come.
pub fn handoff_end(raw: &[u8]) -> Option<usize> {
    let marker = FIRMWARE_HANDOFF.as_bytes();
    let start = raw.windows(marker.len()).position(|window| window == marker)?;
    let newline = raw[start..].iter().position(|&b| b == b'\n')?;
    Some(start + newline + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(Exit::from_code(Some(1)), Exit::Status(0));
        assert_eq!(Exit::from_code(Some(15)), Exit::Status(7));
        assert_eq!(Exit::from_code(Some(253)), Exit::Status(126));
        assert_eq!(Exit::from_code(Some(255)), Exit::Failed);
        assert_eq!(Exit::from_code(Some(0)), Exit::NoReport(Some(0)));
        assert_eq!(Exit::from_code(Some(2)), Exit::NoReport(Some(2)));
        assert_eq!(Exit::from_code(None), Exit::NoReport(None));
        assert_eq!(Exit::Status(3).status(), Some(3));
        assert_eq!(Exit::Failed.status(), None);
    }

    #[test]
    fn the_firmware_part_of_the_serial_output_is_dropped() {
        let raw = "\x1b[2J\x1b[01;01HBdsDxe: loading Boot0001 \"disk\"\r\nBdsDxe: starting Boot0001 \"disk\" from \
                   PciRoot(0x0)\r\nHello world!\nBdsDxe: starting again\n";
        assert_eq!(program_serial(raw), "Hello world!\nBdsDxe: starting again\n");
        assert_eq!(program_serial("no firmware here\n"), "no firmware here\n");
        assert_eq!(program_serial("BdsDxe: starting Boot0001"), "");
        assert_eq!(handoff_end(b"x\nBdsDxe: starting Boot0001\r\nwalos"), Some(29));
        assert_eq!(handoff_end(b"BdsDxe: starting Boot0001"), None);
    }

    #[test]
    fn command_lines() {
        let mut qemu = Qemu::new(Media::Cdrom("/w/walos.iso".into()), "/fw/OVMF.fd".into());
        qemu.serial = SerialTo::File("/w/serial".into());
        qemu.monitor = Some("/w/mon.sock".into());
        let args: Vec<String> = qemu.command().get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        let line = args.join(" ");
        assert!(
            line.starts_with(
                "-machine q35,accel=tcg -cpu max -m 256M -nodefaults -vga std -no-reboot -bios /fw/OVMF.fd"
            )
        );
        assert!(
            line.contains("-cdrom /w/walos.iso -serial file:/w/serial -display none -device virtio-rng-pci"),
            "{line}"
        );
        assert!(
            line.ends_with("-device isa-debug-exit,iobase=0xf4,iosize=0x04 -monitor unix:/w/mon.sock,server,nowait")
        );
        qemu.serial = SerialTo::Socket { socket: "/w/com1.sock".into(), log: "/w/com1.log".into() };
        let line = qemu.command().get_args().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ");
        assert!(
            line.contains(
                "-chardev socket,id=com1,path=/w/com1.sock,server=on,wait=off,logfile=/w/com1.log -serial chardev:com1"
            ),
            "{line}"
        );
        qemu.media = Media::EspDir("/w/esp".into());
        qemu.window = true;
        let args: Vec<String> = qemu.command().get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert!(args.contains(&"format=raw,file=fat:rw:/w/esp".to_string()));
        assert!(!args.contains(&"-display".to_string()));
    }
}
