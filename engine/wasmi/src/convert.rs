//! Conversions between wasmi's types and the engine-neutral ones.

use alloc::string::ToString;
use walos_engine::{ExternType, FuncType, Trap, TrapCode, Val, ValType};

/// The engine-neutral value type.
pub fn val_type(ty: wasmi::ValType) -> ValType {
    match ty {
        wasmi::ValType::I32 => ValType::I32,
        wasmi::ValType::I64 => ValType::I64,
        wasmi::ValType::F32 => ValType::F32,
        wasmi::ValType::F64 => ValType::F64,
        wasmi::ValType::V128 => ValType::V128,
        wasmi::ValType::FuncRef => ValType::FuncRef,
        wasmi::ValType::ExternRef => ValType::ExternRef,
    }
}

/// The engine-neutral signature, for messages and descriptions.
pub fn func_type(ty: &wasmi::FuncType) -> FuncType {
    FuncType::new(
        ty.params().iter().copied().map(val_type).collect::<alloc::vec::Vec<_>>(),
        ty.results().iter().copied().map(val_type).collect::<alloc::vec::Vec<_>>(),
    )
}

/// The engine-neutral kind and type of an import or export.
pub fn extern_type(ty: &wasmi::ExternType) -> ExternType {
    match ty {
        wasmi::ExternType::Func(ty) => ExternType::Func(func_type(ty)),
        wasmi::ExternType::Memory(_) => ExternType::Memory,
        wasmi::ExternType::Table(_) => ExternType::Table,
        wasmi::ExternType::Global(_) => ExternType::Global,
    }
}

/// A host-visible value; `None` for references and vectors, which the
/// kernel's linker never lets reach a host function.
pub fn from_wasmi(val: &wasmi::Val) -> Option<Val> {
    Some(match val {
        wasmi::Val::I32(v) => Val::I32(*v),
        wasmi::Val::I64(v) => Val::I64(*v),
        wasmi::Val::F32(v) => Val::F32(f32::from(*v)),
        wasmi::Val::F64(v) => Val::F64(f64::from(*v)),
        _ => return None,
    })
}

/// The wasmi value of a host-visible one.
pub fn to_wasmi(val: Val) -> wasmi::Val {
    match val {
        Val::I32(v) => wasmi::Val::I32(v),
        Val::I64(v) => wasmi::Val::I64(v),
        Val::F32(v) => wasmi::Val::F32(v.into()),
        Val::F64(v) => wasmi::Val::F64(v.into()),
    }
}

/// The zero of a wasmi value type, used to size result buffers.
pub fn zero(ty: wasmi::ValType) -> wasmi::Val {
    wasmi::Val::default_for_ty(ty)
}

/// The engine-neutral trap for a wasmi execution error.
pub fn trap(err: &wasmi::Error) -> Trap {
    use wasmi::TrapCode as W;
    let code = match err.as_trap_code() {
        Some(W::UnreachableCodeReached) => TrapCode::Unreachable,
        Some(W::MemoryOutOfBounds) => TrapCode::MemoryOutOfBounds,
        Some(W::TableOutOfBounds) => TrapCode::TableOutOfBounds,
        Some(W::IndirectCallToNull) => TrapCode::IndirectCallToNull,
        Some(W::BadSignature) => TrapCode::BadSignature,
        Some(W::IntegerDivisionByZero) => TrapCode::IntegerDivisionByZero,
        Some(W::IntegerOverflow) => TrapCode::IntegerOverflow,
        Some(W::BadConversionToInteger) => TrapCode::BadConversionToInteger,
        Some(W::StackOverflow) => TrapCode::StackOverflow,
        Some(W::GrowthOperationLimited | W::OutOfSystemMemory) => TrapCode::OutOfMemory,
        Some(W::OutOfFuel) | None => TrapCode::Other(err.to_string()),
    };
    Trap::new(code)
}
