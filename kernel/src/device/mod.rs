//! The devices the kernel hands to driver services: which driver may have
//! which device ([`Driver`], from the loader's declaration), the PCI
//! functions found at boot ([`pci`]) and the DMA buffers drivers own
//! ([`dma`]).

pub mod dma;
pub mod pci;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// A service the loader declares a driver, and the PCI devices granted to
/// it. Written `NAME` (the `x86` ports only, as the keyboard's) or
/// `NAME=pci:VVVV:DDDD[,pci:VVVV:DDDD...]` (vendor and device id in hex),
/// as `--driver` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Driver {
    /// The service's name.
    pub name: String,
    /// The devices it may drive: every function with one of these ids
    /// that no driver declared before claimed.
    pub pci: Vec<PciId>,
}

/// A PCI vendor and device id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PciId {
    /// Who made it (0x1af4: virtio).
    pub vendor: u16,
    /// Which of the vendor's devices it is.
    pub device: u16,
}

impl fmt::Display for PciId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04x}:{:04x}", self.vendor, self.device)
    }
}

impl Driver {
    /// A driver called `name` with no devices.
    pub fn named(name: impl Into<String>) -> Self {
        Driver { name: name.into(), pci: Vec::new() }
    }

    /// Parses `NAME[=pci:VVVV:DDDD,...]`.
    ///
    /// # Errors
    /// What is wrong with `spec`, quoting it.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let (name, grants) = match spec.split_once('=') {
            Some((name, grants)) => (name, Some(grants)),
            None => (spec, None),
        };
        if name.is_empty() {
            return Err(alloc::format!("driver `{spec}`: no service name before `=`"));
        }
        let mut driver = Driver::named(name);
        for grant in grants.into_iter().flat_map(|g| g.split(',')) {
            driver.pci.push(parse_grant(grant).ok_or_else(|| {
                alloc::format!("driver `{spec}`: `{grant}` is not a device grant (pci:VENDOR:DEVICE, in hex)")
            })?);
        }
        Ok(driver)
    }
}

fn parse_grant(grant: &str) -> Option<PciId> {
    let mut parts = grant.split(':');
    let (kind, vendor, device) = (parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str| (s.len() == 4).then(|| u16::from_str_radix(s, 16).ok()).flatten();
    (kind == "pci" && parts.next().is_none()).then_some(PciId { vendor: hex(vendor)?, device: hex(device)? })
}

impl fmt::Display for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        for (i, id) in self.pci.iter().enumerate() {
            write!(f, "{}pci:{id}", if i == 0 { "=" } else { "," })?;
        }
        Ok(())
    }
}

impl From<&str> for Driver {
    fn from(name: &str) -> Self {
        Driver::named(name.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_parse_and_print_as_the_command_line_has_them() {
        let driver = Driver::parse("virtio-blk=pci:1af4:1001,pci:1AF4:1042").unwrap();
        assert_eq!(driver.name, "virtio-blk");
        assert_eq!(driver.pci, [PciId { vendor: 0x1af4, device: 0x1001 }, PciId { vendor: 0x1af4, device: 0x1042 }]);
        assert_eq!(driver.to_string(), "virtio-blk=pci:1af4:1001,pci:1af4:1042");
        assert_eq!(Driver::parse("ps2kbd").unwrap(), Driver::named("ps2kbd"));
        for (spec, message) in [
            ("=pci:1af4:1001", "driver `=pci:1af4:1001`: no service name before `=`"),
            ("blk=usb:1:2", "driver `blk=usb:1:2`: `usb:1:2` is not a device grant (pci:VENDOR:DEVICE, in hex)"),
            ("blk=pci:1af4", "driver `blk=pci:1af4`: `pci:1af4` is not a device grant (pci:VENDOR:DEVICE, in hex)"),
            (
                "blk=pci:1af4:10011",
                "driver `blk=pci:1af4:10011`: `pci:1af4:10011` is not a device grant (pci:VENDOR:DEVICE, in hex)",
            ),
            ("blk=", "driver `blk=`: `` is not a device grant (pci:VENDOR:DEVICE, in hex)"),
        ] {
            assert_eq!(Driver::parse(spec).unwrap_err(), message);
        }
    }
}
