//! The interfaces the kernel offers to programs, and how an import finds
//! its host function.

pub mod native;
pub mod pci;
pub mod proc;
pub mod vga;
pub mod wasi;
pub mod x86;

use walos_engine::{HostFuncId, ValType};

use crate::syscall::{Interface, Syscall};

/// Every built-in interface, by import module name.
static INTERFACES: [&Interface; 9] = [
    &native::STDOUT,
    &native::STDIO,
    &native::SYS,
    &wasi::PREVIEW1,
    &wasi::UNSTABLE,
    &vga::VGA,
    &proc::PROC,
    &x86::X86,
    &pci::PCI,
];

/// Hardware that an interface needs from the loader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// A screen ([`crate::loader::Loader::framebuffer`]): `vga`.
    Framebuffer,
    /// x86 I/O ports ([`crate::loader::Loader::ports`]): `x86`.
    Ports,
    /// A PCI bus ([`crate::loader::Loader::pci`]): `pci`.
    Pci,
}

impl Device {
    /// What the machine lacks, for error messages.
    pub fn name(self) -> &'static str {
        match self {
            Device::Framebuffer => "framebuffer",
            Device::Ports => "I/O ports",
            Device::Pci => "PCI bus",
        }
    }
}

/// The device an interface's imports need, if any: a program that uses the
/// screen on a machine without one fails to start instead of drawing
/// nothing.
pub fn device(module: &str) -> Option<Device> {
    match module {
        "vga" => Some(Device::Framebuffer),
        "x86" => Some(Device::Ports),
        "pci" => Some(Device::Pci),
        _ => None,
    }
}

/// Whether only driver services may import the interface.
pub fn drivers_only(module: &str) -> bool {
    module == x86::X86.name || module == pci::PCI.name
}

/// Why an import has no built-in provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// No interface has that module name.
    NoInterface,
    /// The interface exists but has no function of that name.
    NoFunction,
}

fn index_of(iface: &Interface) -> usize {
    INTERFACES.iter().position(|i| core::ptr::eq(*i, iface)).unwrap_or(0)
}

/// Host function ids: the interface imported from, the interface defining
/// the function (it differs when inherited from a base) and the function's
/// position there, 8 + 8 + 16 bits.
fn encode(imported: usize, defining: usize, func: usize) -> HostFuncId {
    ((imported as u32) << 24) | ((defining as u32) << 16) | func as u32
}

/// The host function an import `(module, name)` binds to.
pub fn resolve(module: &str, name: &str) -> Result<(HostFuncId, &'static Syscall), Unresolved> {
    let imported = INTERFACES.iter().position(|i| i.name == module).ok_or(Unresolved::NoInterface)?;
    let mut iface = Some(INTERFACES[imported]);
    while let Some(current) = iface {
        if let Some(func) = current.funcs.iter().position(|f| f.name == name) {
            return Ok((encode(imported, index_of(current), func), &current.funcs[func]));
        }
        iface = current.base;
    }
    Err(Unresolved::NoFunction)
}

/// The interface name (as imported) and the host function behind `id`.
pub fn syscall(id: HostFuncId) -> Option<(&'static str, &'static Syscall)> {
    let imported = INTERFACES.get((id >> 24) as usize)?;
    let defining = INTERFACES.get(((id >> 16) & 0xff) as usize)?;
    let func = defining.funcs.get((id & 0xffff) as usize)?;
    Some((imported.name, func))
}

/// One import the kernel offers, as a program would declare it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportInfo {
    /// The import's module: the interface's name.
    pub module: &'static str,
    /// The function's name.
    pub name: &'static str,
    /// Its parameters.
    pub params: &'static [ValType],
    /// Its results.
    pub results: &'static [ValType],
    /// The hardware it needs from the loader, if any.
    pub device: Option<Device>,
    /// Whether only driver services may import it.
    pub drivers_only: bool,
    /// Whether it may suspend its caller (block or yield); the others are
    /// bound as synchronous calls.
    pub suspends: bool,
}

/// Every import of every built-in interface, read from the syscall tables:
/// what a generated test or a fuzzer calls, so that a new syscall is
/// covered the day it is added. An interface with a base lists the base's
/// functions it inherits too, each once (its own version when it overrides
/// one).
pub fn interfaces() -> impl Iterator<Item = ImportInfo> {
    INTERFACES.iter().flat_map(|iface| {
        let (module, device, drivers_only) = (iface.name, device(iface.name), drivers_only(iface.name));
        let mut all: alloc::vec::Vec<ImportInfo> = alloc::vec::Vec::new();
        // Nearest level first, so an override hides the base's function.
        let mut level = Some(*iface);
        while let Some(current) = level {
            for func in current.funcs {
                if !all.iter().any(|listed| listed.name == func.name) {
                    let (name, params, results, suspends) = (func.name, func.params, func.results, func.suspends);
                    all.push(ImportInfo { module, name, params, results, device, drivers_only, suspends });
                }
            }
            level = current.base;
        }
        all
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interface_list_is_every_import_once_and_each_resolves() {
        let all: alloc::vec::Vec<ImportInfo> = interfaces().collect();
        for import in &all {
            let (_, func) = resolve(import.module, import.name).expect("listed imports resolve");
            assert_eq!(
                (func.params, func.results),
                (import.params, import.results),
                "{}.{}",
                import.module,
                import.name
            );
            let twice = all.iter().filter(|i| (i.module, i.name) == (import.module, import.name)).count();
            assert_eq!(twice, 1, "{}.{} listed {twice} times", import.module, import.name);
        }
        let count = |module| all.iter().filter(|i| i.module == module).count();
        assert_eq!(count("wasi_snapshot_preview1"), wasi::PREVIEW1.funcs.len());
        assert_eq!(count("wasi_unstable"), wasi::PREVIEW1.funcs.len(), "inherits every preview1 function");
        assert_eq!(count("sys"), native::SYS.funcs.len());
        let seek = all.iter().find(|i| (i.module, i.name) == ("wasi_unstable", "fd_seek")).unwrap();
        assert_eq!(seek.params, resolve("wasi_unstable", "fd_seek").unwrap().1.params, "its own layout");
        assert!(all.iter().any(|i| i.module == "x86" && i.drivers_only && i.device == Some(Device::Ports)));
    }

    #[test]
    fn only_the_calls_that_wait_or_yield_may_suspend() {
        let suspending: alloc::vec::Vec<(&str, &str)> =
            interfaces().filter(|i| i.suspends).map(|i| (i.module, i.name)).collect();
        let wasi = |module| ["fd_read", "poll_oneoff", "sched_yield"].map(|name| (module, name));
        let mut expected = alloc::vec![("stdio", "getc"), ("sys", "yield"), ("sys", "exec")];
        expected.extend(wasi("wasi_snapshot_preview1"));
        expected.extend(wasi("wasi_unstable"));
        expected.extend(["spawn", "spawn_module", "wait", "kill", "set_foreground", "list"].map(|name| ("proc", name)));
        expected.extend([("x86", "irq_wait"), ("pci", "irq_wait")]);
        let (mut got, mut want) = (suspending.clone(), expected);
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn imports_resolve_to_their_functions() {
        let (id, func) = resolve("stdout", "putc").unwrap();
        assert_eq!(func.name, "putc");
        assert_eq!(syscall(id).map(|(iface, f)| (iface, f.name)), Some(("stdout", "putc")));
        assert_eq!(resolve("stdout", "getc").err(), Some(Unresolved::NoFunction));
        assert_eq!(resolve("env", "f").err(), Some(Unresolved::NoInterface));
    }

    #[test]
    fn wasi_unstable_inherits_from_preview1_and_overrides() {
        let (write, _) = resolve("wasi_unstable", "fd_write").unwrap();
        let (p1_write, _) = resolve("wasi_snapshot_preview1", "fd_write").unwrap();
        assert_eq!(syscall(write).map(|(iface, _)| iface), Some("wasi_unstable"));
        assert_eq!(write & 0xff_ffff, p1_write & 0xff_ffff);
        let (seek, _) = resolve("wasi_unstable", "fd_seek").unwrap();
        let (p1_seek, _) = resolve("wasi_snapshot_preview1", "fd_seek").unwrap();
        assert_ne!(seek & 0xff_ffff, p1_seek & 0xff_ffff);
    }

    #[test]
    fn preview1_is_complete() {
        const ALL: [&str; 46] = [
            "args_get",
            "args_sizes_get",
            "environ_get",
            "environ_sizes_get",
            "clock_res_get",
            "clock_time_get",
            "fd_advise",
            "fd_allocate",
            "fd_close",
            "fd_datasync",
            "fd_fdstat_get",
            "fd_fdstat_set_flags",
            "fd_fdstat_set_rights",
            "fd_filestat_get",
            "fd_filestat_set_size",
            "fd_filestat_set_times",
            "fd_pread",
            "fd_prestat_get",
            "fd_prestat_dir_name",
            "fd_pwrite",
            "fd_read",
            "fd_readdir",
            "fd_renumber",
            "fd_seek",
            "fd_sync",
            "fd_tell",
            "fd_write",
            "path_create_directory",
            "path_filestat_get",
            "path_filestat_set_times",
            "path_link",
            "path_open",
            "path_readlink",
            "path_remove_directory",
            "path_rename",
            "path_symlink",
            "path_unlink_file",
            "poll_oneoff",
            "proc_exit",
            "proc_raise",
            "sched_yield",
            "random_get",
            "sock_accept",
            "sock_recv",
            "sock_send",
            "sock_shutdown",
        ];
        for name in ALL {
            assert!(resolve("wasi_snapshot_preview1", name).is_ok(), "{name} missing");
        }
        assert_eq!(wasi::PREVIEW1.funcs.len(), ALL.len());
    }
}
