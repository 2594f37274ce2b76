//! Bootable images of a volume: a raw GPT disk with one EFI system
//! partition (for a USB stick, or QEMU's `-drive`), and a UEFI ISO (for a
//! CD, QEMU's `-cdrom`, or a USB stick: it is a hybrid image).
//!
//! The FAT file system comes from the `fatfs` crate and the partition table
//! from `gpt`; only the ISO needs an outside tool, `xorriso`.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;

use crate::volume::{Error, Volume};

const SECTOR: u64 = 512;
/// Partitions start at 1 MiB, as partitioning tools align them.
const ALIGNMENT: u64 = 2048;
/// Room after the partition for the backup GPT.
const TAIL: u64 = 1 << 20;

fn io_error(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> Error {
    move |err| Error(format!("{what}: {err}"))
}

/// Writes `out`: a GPT disk whose only partition, the ESP, holds the volume.
pub fn write_disk(volume: &Volume, out: &Path) -> Result<(), Error> {
    let esp = volume.fat_image()?;
    let size = ALIGNMENT * SECTOR + esp.len() as u64 + TAIL;
    let gpt_error = |err: gpt::GptError| Error(format!("{}: partition table: {err}", out.display()));
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(out)
        .map_err(io_error(out.display()))?;
    file.set_len(size).map_err(io_error(out.display()))?;
    // The protective MBR tells MBR-only tools that the disk is in use.
    let blocks = u32::try_from(size / SECTOR - 1).unwrap_or(u32::MAX);
    gpt::mbr::ProtectiveMBR::with_lb_size(blocks)
        .overwrite_lba0(&mut file)
        .map_err(|err| Error(format!("{}: protective MBR: {err}", out.display())))?;
    let mut disk = gpt::GptConfig::new().writable(true).create_from_device(file, None).map_err(gpt_error)?;
    let id = disk
        .add_partition("EFI system partition", esp.len() as u64, gpt::partition_types::EFI, 0, Some(ALIGNMENT))
        .map_err(gpt_error)?;
    let first_lba = disk.partitions()[&id].first_lba;
    let mut file = disk.write().map_err(gpt_error)?;
    file.seek(SeekFrom::Start(first_lba * SECTOR)).map_err(io_error(out.display()))?;
    file.write_all(&esp).map_err(io_error(out.display()))?;
    file.sync_all().map_err(io_error(out.display()))
}

/// Writes `out`: an ISO 9660 image whose El Torito EFI boot image is the
/// volume; `work` is a scratch directory.
pub fn write_iso(volume: &Volume, out: &Path, work: &Path) -> Result<(), Error> {
    let staging = work.join("iso");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_error(staging.display()))?;
    }
    std::fs::create_dir_all(&staging).map_err(io_error(staging.display()))?;
    // The files are also visible on the CD itself, for people looking.
    volume.write_dir(&staging)?;
    let boot_image = staging.join("efiboot.img");
    std::fs::write(&boot_image, volume.fat_image()?).map_err(io_error(boot_image.display()))?;
    let mut xorriso = Command::new("xorriso");
    xorriso
        .args(["-as", "mkisofs", "-quiet", "-R", "-J", "-V", "WALOS"])
        .args(["-e", "efiboot.img", "-no-emul-boot", "-isohybrid-gpt-basdat", "-o"])
        .arg(out)
        .arg(&staging);
    let output = xorriso
        .output()
        .map_err(|err| Error(format!("cannot run `xorriso`: {err}\n  install it: apt-get install xorriso")))?;
    if !output.status.success() {
        return Err(Error(format!(
            "xorriso failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    const SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/image.rs");

    #[test]
    fn disks_have_one_efi_partition_holding_the_volume() {
        let dir = std::env::temp_dir().join(format!("walos-qemu-image-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("disk.img");
        let mut volume = Volume::default();
        volume.service("hello", Path::new(SOURCE)).unwrap();
        write_disk(&volume, &out).unwrap();

        let disk = gpt::GptConfig::new().open(&out).unwrap();
        let partitions: Vec<_> = disk.partitions().values().collect();
        assert_eq!(partitions.len(), 1);
        assert_eq!(partitions[0].part_type_guid, gpt::partition_types::EFI);
        assert_eq!(partitions[0].first_lba, ALIGNMENT);
        let image = std::fs::read(&out).unwrap();
        let esp = std::io::Cursor::new(image[(ALIGNMENT * SECTOR) as usize..].to_vec());
        let fs = fatfs::FileSystem::new(esp, fatfs::FsOptions::new()).unwrap();
        let mut text = String::new();
        fs.root_dir().open_file("srv/hello.wasm").unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(text, std::fs::read_to_string(SOURCE).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
