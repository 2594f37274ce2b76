//! What the firmware knows about the machine: the framebuffer, the ACPI
//! tables and the time.

use uefi::boot;
use uefi::proto::console::gop::{GraphicsOutput, PixelFormat as GopFormat};
use uefi::table::cfg::ConfigTableEntry;
use walos_efi_os_bootinfo::{Framebuffer, PixelFormat};

/// The GOP framebuffer in its current mode; `base` 0 when there is no
/// linear 32-bit one.
pub fn framebuffer() -> Framebuffer {
    let none = Framebuffer { base: 0, size: 0, width: 0, height: 0, stride: 0, format: PixelFormat::Bgr };
    let Ok(handle) = boot::get_handle_for_protocol::<GraphicsOutput>() else { return none };
    let Ok(mut gop) = boot::open_protocol_exclusive::<GraphicsOutput>(handle) else { return none };
    let mode = gop.current_mode_info();
    let format = match mode.pixel_format() {
        GopFormat::Rgb => PixelFormat::Rgb,
        GopFormat::Bgr => PixelFormat::Bgr,
        // Bit masks and BLT-only modes have no plain 32-bit pixels.
        _ => return none,
    };
    let (width, height) = mode.resolution();
    let mut buffer = gop.frame_buffer();
    Framebuffer {
        base: buffer.as_mut_ptr() as u64,
        size: buffer.size(),
        width: width as u32,
        height: height as u32,
        stride: mode.stride() as u32,
        format,
    }
}

/// The ACPI RSDP, version 2 preferred; 0 if there is none.
pub fn rsdp() -> u64 {
    uefi::system::with_config_table(|entries| {
        let find = |guid| entries.iter().find(|e| e.guid == guid).map(|e| e.address as u64);
        find(ConfigTableEntry::ACPI2_GUID).or_else(|| find(ConfigTableEntry::ACPI_GUID)).unwrap_or(0)
    })
}

/// The real-time clock, in nanoseconds since the Unix epoch (0 if the
/// firmware cannot tell). The RTC's time zone is ignored: QEMU keeps UTC.
pub fn realtime_ns() -> u64 {
    let Ok(time) = uefi::runtime::get_time() else { return 0 };
    let days = days_from_civil(time.year().into(), time.month().into(), time.day().into());
    let seconds =
        days * 86_400 + i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second());
    u64::try_from(seconds).map_or(0, |s| s * 1_000_000_000 + u64::from(time.nanosecond()))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the classic
/// era-based conversion).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
