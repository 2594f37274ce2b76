use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A wasm value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 128-bit vector (SIMD); never crosses to the host.
    V128,
    /// A function reference; never crosses to the host.
    FuncRef,
    /// An external reference; never crosses to the host.
    ExternRef,
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A value crossing between wasm and the host. Host functions take and
/// return numbers only; references and vectors never cross.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// An `i32`; signedness is the instruction's, not the value's.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
}

impl Val {
    /// The zero of a numeric type (`None` for references and vectors).
    pub fn zero(ty: ValType) -> Option<Val> {
        Some(match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0.0),
            ValType::F64 => Val::F64(0.0),
            ValType::V128 | ValType::FuncRef | ValType::ExternRef => return None,
        })
    }

    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
        }
    }
}

/// A function signature.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FuncType {
    /// The parameter types, in order.
    pub params: Vec<ValType>,
    /// The result types, in order (wasm allows several).
    pub results: Vec<ValType>,
}

impl FuncType {
    /// The signature `(params) -> results`.
    pub fn new(params: impl Into<Vec<ValType>>, results: impl Into<Vec<ValType>>) -> Self {
        FuncType { params: params.into(), results: results.into() }
    }
}

/// Written as `(i32, i32) -> i32`; a function without results as `(i32)`.
impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, types: &[ValType]) -> fmt::Result {
            f.write_str("(")?;
            for (i, ty) in types.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{ty}")?;
            }
            f.write_str(")")
        }
        list(f, &self.params)?;
        match self.results.as_slice() {
            [] => Ok(()),
            [one] => write!(f, " -> {one}"),
            many => {
                f.write_str(" -> ")?;
                list(f, many)
            }
        }
    }
}

/// The kind and type of an import or export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    /// A function of this signature: the only kind the kernel links.
    Func(FuncType),
    /// A linear memory.
    Memory,
    /// A table.
    Table,
    /// A global.
    Global,
    /// An exception tag (the exception-handling proposal).
    Tag,
}

impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(ty) => write!(f, "func {ty}"),
            ExternType::Memory => f.write_str("memory"),
            ExternType::Table => f.write_str("table"),
            ExternType::Global => f.write_str("global"),
            ExternType::Tag => f.write_str("tag"),
        }
    }
}

/// One import of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The module (interface) name: `wasi_snapshot_preview1`, `sys`, a service.
    pub module: String,
    /// The item's name within it.
    pub name: String,
    /// What the module expects to be given.
    pub ty: ExternType,
}

/// One export of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The export's name: `_start`, `memory`, a service's `iface:func`.
    pub name: String,
    /// What it is.
    pub ty: ExternType,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn func_types_print_like_signatures() {
        let ty = FuncType::new(vec![ValType::I32, ValType::I64], vec![ValType::I32]);
        assert_eq!(ty.to_string(), "(i32, i64) -> i32");
        assert_eq!(FuncType::default().to_string(), "()");
        let multi = FuncType::new(vec![], vec![ValType::F32, ValType::F64]);
        assert_eq!(multi.to_string(), "() -> (f32, f64)");
        assert_eq!(ExternType::Func(ty).to_string(), "func (i32, i64) -> i32");
    }

    #[test]
    fn zero_values_have_their_type() {
        for ty in [ValType::I32, ValType::I64, ValType::F32, ValType::F64] {
            assert_eq!(Val::zero(ty).map(|v| v.ty()), Some(ty));
        }
        assert_eq!(Val::zero(ValType::V128), None);
    }
}
