//! Binds a module's imports to host functions, or says precisely why not.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::{ExternType, FuncType, HostFuncId, Import};

use crate::abi::{self, Device, Unresolved};
use crate::service::LoadError;

/// An import that cannot be bound.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkError {
    /// Nothing provides the import's module.
    NoInterface {
        /// The import.
        import: Import,
    },
    /// The interface exists but lacks the function.
    NoFunction {
        /// The import.
        import: Import,
    },
    /// walos provides functions only (no memories, tables or globals).
    NotAFunction {
        /// The import.
        import: Import,
    },
    /// The function exists with another signature.
    Signature {
        /// The import.
        import: Import,
        /// The type the kernel's function has.
        provided: FuncType,
    },
    /// The interface needs hardware this machine does not have (`vga`
    /// without a framebuffer).
    NoDevice {
        /// The import.
        import: Import,
        /// What the machine lacks, as messages name it.
        device: &'static str,
    },
    /// `module` imports an interface only driver services may have.
    NotADriver {
        /// The import.
        import: Import,
        /// The importing module, which is no declared driver.
        module: String,
    },
    /// No service can provide the import.
    Service {
        /// The import.
        import: Import,
        /// The path of modules from the entry to the provider asked for
        /// (`main -> a -> b`).
        chain: Vec<String>,
        /// What is wrong with the provider.
        problem: ServiceProblem,
    },
}

/// Why a service does not provide an import.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceProblem {
    /// Neither a built-in interface nor a service has the import's module
    /// name.
    Missing,
    /// The provider is already being loaded further up the chain.
    Cycle,
    /// The service exports neither `func` nor `iface:func`.
    NoExport,
    /// The service exports the function with another type.
    Signature(FuncType),
    /// The service could not be read, compiled, described or started.
    Load(LoadError),
}

impl LinkError {
    /// Whether this error says that nothing of the import's name exists
    /// (no interface, service or function), rather than something of that
    /// name being unfit: the imports that `--trap-unknown-imports` and
    /// `--default-values-unknown-imports` may stand in for, as wasmtime's
    /// linker does for names it has no definition of.
    pub fn names_nothing(&self, import: &Import) -> bool {
        match self {
            LinkError::NoInterface { import: failed } | LinkError::NoFunction { import: failed } => failed == import,
            LinkError::Service {
                import: failed,
                chain,
                problem: ServiceProblem::Missing | ServiceProblem::NoExport,
            } => failed == import && chain.len() <= 2,
            _ => false,
        }
    }
}

/// What a program's imports that name nothing become (the `Config`
/// option behind wasmtime's flags of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownImports {
    /// They are link errors.
    #[default]
    Refuse,
    /// Functions that trap when called, naming the import
    /// (`--trap-unknown-imports`).
    Trap,
    /// Functions that return zeros (`--default-values-unknown-imports`).
    DefaultValues,
}

/// The first host function id of the trapping stand-ins of unknown
/// imports: the `i`-th unknown import of a process is `UNKNOWN_BASE + i`.
/// Below [`crate::service::SERVICE_BASE`], above every interface's ids
/// (which have the interface number in the top byte).
pub(crate) const UNKNOWN_BASE: HostFuncId = 0x7000_0000;

/// The host function id of the stand-in that returns zeros.
pub(crate) const DEFAULT_VALUES: HostFuncId = UNKNOWN_BASE - 1;

fn describe(import: &Import) -> String {
    alloc::format!("import `{}.{}` ({})", import.module, import.name, import.ty)
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::NoInterface { import } => {
                write!(f, "{}: no interface `{}` is provided", describe(import), import.module)
            }
            LinkError::NoFunction { import } => {
                write!(f, "{}: interface `{}` has no function `{}`", describe(import), import.module, import.name)
            }
            LinkError::NotAFunction { import } => {
                write!(f, "{}: only functions can be imported", describe(import))
            }
            LinkError::Signature { import, provided } => {
                write!(f, "{}: `{}.{}` has type {provided}", describe(import), import.module, import.name)
            }
            LinkError::NoDevice { import, device } => {
                write!(f, "{}: this machine has no {device}", describe(import))
            }
            LinkError::NotADriver { import, module } => {
                write!(f, "{}: `{}` is for driver services, and `{module}` is not one", describe(import), import.module)
            }
            LinkError::Service { import, chain, problem } => {
                let chain = chain.join(" -> ");
                let iface = &import.module;
                write!(f, "{}: ", describe(import))?;
                match problem {
                    ServiceProblem::Missing => write!(f, "no interface or service `{iface}` ({chain})"),
                    ServiceProblem::Cycle => write!(f, "service cycle {chain}"),
                    ServiceProblem::NoExport => {
                        write!(
                            f,
                            "service `{iface}` exports no `{}` or `{iface}:{}` ({chain})",
                            import.name, import.name
                        )
                    }
                    ServiceProblem::Signature(ty) => {
                        write!(f, "service `{iface}` exports it with type {ty} ({chain})")
                    }
                    ServiceProblem::Load(msg) => write!(f, "service `{iface}` cannot be loaded: {msg} ({chain})"),
                }
            }
        }
    }
}

/// Binds an import no built-in interface provides to a service.
pub type ServiceLinker<'a> = dyn FnMut(&Import, &FuncType) -> Result<HostFuncId, Vec<LinkError>> + 'a;

/// Gives the stand-in for an import that names nothing, if there is one.
pub type UnknownLinker<'a> = dyn FnMut(&Import) -> Option<HostFuncId> + 'a;

/// The host function for each import, in order; every import that cannot be
/// bound is reported. `has` tells which devices the machine has; imports of
/// an interface that is not built in go to `services`; a function import
/// that names nothing goes to `unknown` before it is an error. `driver`
/// names the module when it is a declared driver service, `Err` holds its
/// name else.
pub fn link(
    imports: &[Import],
    has: &dyn Fn(Device) -> bool,
    driver: Result<&str, &str>,
    services: &mut ServiceLinker<'_>,
    unknown: &mut UnknownLinker<'_>,
) -> Result<Vec<HostFuncId>, Vec<LinkError>> {
    let mut bindings = Vec::with_capacity(imports.len());
    let mut errors = Vec::new();
    for import in imports {
        let ExternType::Func(ty) = &import.ty else {
            errors.push(LinkError::NotAFunction { import: import.clone() });
            continue;
        };
        if let (true, Err(module)) = (abi::drivers_only(&import.module), driver) {
            errors.push(LinkError::NotADriver { import: import.clone(), module: module.into() });
            continue;
        }
        match abi::resolve(&import.module, &import.name) {
            Ok((id, syscall)) if syscall.params == ty.params && syscall.results == ty.results => {
                match abi::device(&import.module).filter(|&device| !has(device)) {
                    Some(device) => errors.push(LinkError::NoDevice { import: import.clone(), device: device.name() }),
                    None => bindings.push(id),
                }
            }
            Ok((_, syscall)) => errors.push(LinkError::Signature { import: import.clone(), provided: syscall.ty() }),
            Err(Unresolved::NoInterface) => match services(import, ty) {
                Ok(id) => bindings.push(id),
                Err(more) => match more.iter().all(|e| e.names_nothing(import)).then(|| unknown(import)).flatten() {
                    Some(id) => bindings.push(id),
                    None => errors.extend(more),
                },
            },
            Err(Unresolved::NoFunction) => match unknown(import) {
                Some(id) => bindings.push(id),
                None => errors.push(LinkError::NoFunction { import: import.clone() }),
            },
        }
    }
    if errors.is_empty() { Ok(bindings) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;
    use walos_engine::ValType::{I32, I64};

    /// A machine without services.
    fn link(imports: &[Import], has: &dyn Fn(Device) -> bool) -> Result<Vec<HostFuncId>, Vec<LinkError>> {
        super::link(
            imports,
            has,
            Err("test"),
            &mut |import, _| Err(vec![LinkError::NoInterface { import: import.clone() }]),
            &mut |_| None,
        )
    }

    fn func(
        module: &str,
        name: &str,
        params: Vec<walos_engine::ValType>,
        results: Vec<walos_engine::ValType>,
    ) -> Import {
        Import { module: module.into(), name: name.into(), ty: ExternType::Func(FuncType::new(params, results)) }
    }

    #[test]
    fn matching_imports_bind() {
        let imports = [func("stdout", "putc", vec![I32], vec![I32]), func("sys", "yield", vec![], vec![])];
        assert_eq!(link(&imports, &|_| false).map(|b| b.len()), Ok(2));
    }

    #[test]
    fn vga_needs_a_framebuffer() {
        let imports = [
            func("vga", "info", vec![I32, I32], vec![I32]),
            func("vga", "put", vec![I32, I32, I32, I32, I32, I32], vec![I32]),
        ];
        assert_eq!(link(&imports, &|device| device == Device::Framebuffer).map(|b| b.len()), Ok(2));
        let errors: Vec<String> = link(&imports, &|_| false).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "import `vga.info` (func (i32, i32) -> i32): this machine has no framebuffer",
                "import `vga.put` (func (i32, i32, i32, i32, i32, i32) -> i32): this machine has no framebuffer",
            ]
        );
        // A wrong signature is reported as such, screen or not.
        let wrong = [func("vga", "info", vec![I32], vec![I32])];
        assert_eq!(
            link(&wrong, &|_| false).unwrap_err()[0].to_string(),
            "import `vga.info` (func (i32) -> i32): `vga.info` has type (i32, i32) -> i32"
        );
    }

    #[test]
    fn every_bad_import_is_named() {
        let imports = [
            func("env", "foo", vec![I32], vec![I32]),
            func("wasi_snapshot_preview1", "fd_frobnicate", vec![], vec![]),
            func("stdout", "putc", vec![I64], vec![I32]),
            Import { module: "env".into(), name: "memory".into(), ty: ExternType::Memory },
        ];
        let errors: Vec<String> = link(&imports, &|_| true).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "import `env.foo` (func (i32) -> i32): no interface `env` is provided",
                "import `wasi_snapshot_preview1.fd_frobnicate` (func ()): interface `wasi_snapshot_preview1` has no function `fd_frobnicate`",
                "import `stdout.putc` (func (i64) -> i32): `stdout.putc` has type (i32) -> i32",
                "import `env.memory` (memory): only functions can be imported",
            ]
        );
    }
}

#[cfg(test)]
mod unknown_tests {
    use super::*;
    use alloc::vec;
    use walos_engine::ValType::I32;

    fn func(module: &str, name: &str) -> Import {
        Import { module: module.into(), name: name.into(), ty: ExternType::Func(FuncType::new(vec![I32], vec![I32])) }
    }

    #[test]
    fn only_imports_that_name_nothing_get_stand_ins() {
        let imports = [
            func("env", "helper"),
            func("wasi_snapshot_preview1", "fd_teleport"),
            func("stdout", "putc"),
            func("stdout", "write"),
            Import { module: "env".into(), name: "memory".into(), ty: ExternType::Memory },
        ];
        let missing = |import: &Import, _: &FuncType| {
            let chain = vec!["main".into(), import.module.clone()];
            Err(vec![LinkError::Service { import: import.clone(), chain, problem: ServiceProblem::Missing }])
        };
        let mut stood_in = Vec::new();
        let errors = link(&imports, &|_| true, Err("main"), &mut { missing }, &mut |import| {
            stood_in.push(alloc::format!("{}.{}", import.module, import.name));
            Some(1000 + stood_in.len() as u32)
        })
        .unwrap_err();
        assert_eq!(stood_in, ["env.helper", "wasi_snapshot_preview1.fd_teleport"]);
        // A wrong signature and a memory stay errors.
        assert!(matches!(&errors[..], [LinkError::Signature { .. }, LinkError::NotAFunction { .. }]), "{errors:?}");
    }

    #[test]
    fn a_provider_that_fails_is_no_unknown_import() {
        let import = func("text", "upper");
        let broken = |import: &Import, _: &FuncType| {
            let chain = vec!["main".into(), "text".into()];
            let problem = ServiceProblem::Cycle;
            Err(vec![LinkError::Service { import: import.clone(), chain, problem }])
        };
        let result = link(&[import], &|_| true, Err("main"), &mut { broken }, &mut |_| Some(7));
        assert!(result.is_err());
    }
}
