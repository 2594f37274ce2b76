//! The UEFI loaders from the build tool: `run --loader efi-app|efi-os`
//! boots QEMU, `package` writes the bootable ISO and disk image.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use walos_qemu::{Exit, Loader, Media, Qemu, Volume, image};

use crate::{build, exec, root};

/// The loader `package` puts on the images when none is named: efi-os, the
/// bare-metal kernel.
pub const DEFAULT_PACKAGE_LOADER: Loader = Loader::EfiOs;

fn target_dir() -> PathBuf {
    root().join("target")
}

/// The name of an entry in the service store: `sample/hello` and
/// `path/to/hello.wasm` are both `hello`.
fn service_name(spec: &str, wasm: &Path) -> String {
    let name = spec.trim_end_matches('/').strip_prefix("sample/").unwrap_or(spec);
    if name.ends_with(".wasm") || name.contains('/') {
        wasm.file_stem().map_or_else(|| name.to_string(), |stem| stem.to_string_lossy().into_owned())
    } else {
        name.to_string()
    }
}

/// What goes on a boot volume.
pub struct Boot<'a> {
    pub loader: Loader,
    pub entry: &'a str,
    pub log: Option<&'a str>,
    pub args: &'a [String],
    pub debug_exit: bool,
}

impl Boot<'_> {
    /// Builds the loader and the entry, and lays out the volume.
    fn volume(&self) -> Result<Volume, String> {
        build::uefi_loaders()?;
        let wasm = build::entry(self.entry)?;
        let name = service_name(self.entry, &wasm);
        let mut cmdline = self.loader.cmdline(name.clone());
        if let Some(level) = self.log {
            cmdline.log = level.parse().map_err(|err| format!("--log: {err}"))?;
        }
        cmdline.debug_exit = self.debug_exit;
        cmdline.args = self.args.to_vec();
        let mut volume = Volume::new(self.loader, &target_dir(), &cmdline).map_err(|err| err.to_string())?;
        volume.service(&name, &wasm).map_err(|err| err.to_string())?;
        for other in build::companions(self.entry)? {
            let name = service_name(&other.to_string_lossy(), &other);
            volume.service(&name, &other).map_err(|err| err.to_string())?;
        }
        build::services()?;
        for service in build::SERVICES {
            volume.service(service.name, &build::service_wasm(service.name)).map_err(|err| err.to_string())?;
        }
        Ok(volume)
    }
}

/// `run --loader efi-app|efi-os`: boots QEMU with the serial console on
/// the terminal (and the screen in a window with `vga`); exits with the
/// entry's status.
pub fn run(boot: &Boot<'_>, vga: bool) -> Result<(), String> {
    // What the machine needs comes first: no build for nothing.
    walos_qemu::qemu_binary()?;
    let firmware = walos_qemu::firmware()?;
    let volume = boot.volume()?;
    let esp = target_dir().join(format!("esp-{}", boot.loader));
    if esp.exists() {
        std::fs::remove_dir_all(&esp).map_err(|err| format!("{}: {err}", esp.display()))?;
    }
    volume.write_dir(&esp).map_err(|err| err.to_string())?;
    let mut qemu = Qemu::new(Media::EspDir(esp), firmware);
    qemu.window = vga;
    let status = run_showing_walos(&mut qemu.command())?;
    let code = match Exit::from_code(status.code()) {
        Exit::Status(status) => status,
        Exit::Failed => 1,
        Exit::NoReport(code) => {
            return Err(format!("QEMU ended without an exit status from walos ({code:?})"));
        }
    };
    std::process::exit(code);
}

/// Runs QEMU with COM1 on the terminal, without the firmware's part of it
/// (its escape codes would clear the screen): what walos writes is passed
/// on as it comes. If the firmware never starts walos, all of it is shown.
fn run_showing_walos(qemu: &mut Command) -> Result<ExitStatus, String> {
    eprintln!("$ {}", exec::describe(qemu));
    let mut child =
        qemu.stdout(Stdio::piped()).spawn().map_err(|err| format!("cannot run `{}`: {err}", walos_qemu::QEMU))?;
    let mut serial = child.stdout.take().expect("piped");
    let mut out = std::io::stdout();
    let mut firmware = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut started = false;
    while let Ok(n @ 1..) = serial.read(&mut chunk) {
        if started {
            let _ = out.write_all(&chunk[..n]);
        } else {
            firmware.extend_from_slice(&chunk[..n]);
            if let Some(end) = walos_qemu::handoff_end(&firmware) {
                let _ = out.write_all(&firmware[end..]);
                started = true;
            }
        }
        let _ = out.flush();
    }
    if !started {
        let _ = out.write_all(&firmware);
    }
    child.wait().map_err(|err| format!("waiting for QEMU: {err}"))
}

/// `package`: `target/walos.iso` and `target/walos.img`.
pub fn package(boot: &Boot<'_>) -> Result<(), String> {
    let volume = boot.volume()?;
    let iso = target_dir().join("walos.iso");
    let disk = target_dir().join("walos.img");
    let work = target_dir().join("package");
    image::write_iso(&volume, &iso, &work).map_err(|err| err.to_string())?;
    image::write_disk(&volume, &disk).map_err(|err| err.to_string())?;
    let _ = std::fs::remove_dir_all(&work);
    let files: Vec<&str> = volume.paths().collect();
    eprintln!(
        "xtask: wrote {} and {} with the {} loader: {}",
        iso.display(),
        disk.display(),
        boot.loader,
        files.join(", ")
    );
    eprintln!(
        "xtask: boot them with QEMU (`-cdrom {}`, `-drive format=raw,file={}`) or write one to a USB stick",
        iso.display(),
        disk.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_named_after_the_sample_or_the_file() {
        assert_eq!(service_name("sample/hello", Path::new("/t/sample/hello.wasm")), "hello");
        assert_eq!(service_name("hello-rs", Path::new("/t/sample/hello-rs.wasm")), "hello-rs");
        assert_eq!(service_name("x/y/prog.wasm", Path::new("x/y/prog.wasm")), "prog");
    }
}
