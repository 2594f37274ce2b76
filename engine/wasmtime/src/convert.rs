//! Conversions between wasmtime's types and the engine-neutral ones.

use walos_engine::{ExternType, FuncType, Trap, TrapCode, Val, ValType};

/// The engine-neutral value type.
pub fn val_type(ty: &wasmtime::ValType) -> ValType {
    match ty {
        wasmtime::ValType::I32 => ValType::I32,
        wasmtime::ValType::I64 => ValType::I64,
        wasmtime::ValType::F32 => ValType::F32,
        wasmtime::ValType::F64 => ValType::F64,
        wasmtime::ValType::V128 => ValType::V128,
        wasmtime::ValType::Ref(r) if r.heap_type().is_func() => ValType::FuncRef,
        wasmtime::ValType::Ref(_) => ValType::ExternRef,
    }
}

/// The engine-neutral signature, for messages and descriptions.
pub fn func_type(ty: &wasmtime::FuncType) -> FuncType {
    FuncType::new(
        ty.params().map(|t| val_type(&t)).collect::<Vec<_>>(),
        ty.results().map(|t| val_type(&t)).collect::<Vec<_>>(),
    )
}

/// The engine-neutral kind and type of an import or export.
pub fn extern_type(ty: &wasmtime::ExternType) -> ExternType {
    match ty {
        wasmtime::ExternType::Func(ty) => ExternType::Func(func_type(ty)),
        wasmtime::ExternType::Memory(_) => ExternType::Memory,
        wasmtime::ExternType::Table(_) => ExternType::Table,
        wasmtime::ExternType::Global(_) => ExternType::Global,
        wasmtime::ExternType::Tag(_) => ExternType::Tag,
    }
}

/// A host function's argument of numeric type `ty`, from wasmtime's raw
/// slot (the linker lets no other type reach a host function).
pub fn from_raw(raw: &wasmtime::ValRaw, ty: ValType) -> Val {
    match ty {
        ValType::I64 => Val::I64(raw.get_i64()),
        ValType::F32 => Val::F32(f32::from_bits(raw.get_f32())),
        ValType::F64 => Val::F64(f64::from_bits(raw.get_f64())),
        ValType::I32 | ValType::V128 | ValType::FuncRef | ValType::ExternRef => Val::I32(raw.get_i32()),
    }
}

/// A host function's result in wasmtime's raw form.
pub fn to_raw(val: Val) -> wasmtime::ValRaw {
    match val {
        Val::I32(v) => wasmtime::ValRaw::i32(v),
        Val::I64(v) => wasmtime::ValRaw::i64(v),
        Val::F32(v) => wasmtime::ValRaw::f32(v.to_bits()),
        Val::F64(v) => wasmtime::ValRaw::f64(v.to_bits()),
    }
}

/// A host-visible value; `None` for references and vectors, which the
/// kernel's linker never lets reach a host function.
pub fn from_wasmtime(val: &wasmtime::Val) -> Option<Val> {
    Some(match val {
        wasmtime::Val::I32(v) => Val::I32(*v),
        wasmtime::Val::I64(v) => Val::I64(*v),
        wasmtime::Val::F32(bits) => Val::F32(f32::from_bits(*bits)),
        wasmtime::Val::F64(bits) => Val::F64(f64::from_bits(*bits)),
        _ => return None,
    })
}

/// The wasmtime value of a host-visible one.
pub fn to_wasmtime(val: Val) -> wasmtime::Val {
    match val {
        Val::I32(v) => wasmtime::Val::I32(v),
        Val::I64(v) => wasmtime::Val::I64(v),
        Val::F32(v) => wasmtime::Val::F32(v.to_bits()),
        Val::F64(v) => wasmtime::Val::F64(v.to_bits()),
    }
}

/// The engine-neutral trap for a wasmtime trap code.
pub fn trap(code: wasmtime::Trap) -> Trap {
    use wasmtime::Trap as W;
    Trap::new(match code {
        W::UnreachableCodeReached => TrapCode::Unreachable,
        W::MemoryOutOfBounds | W::HeapMisaligned => TrapCode::MemoryOutOfBounds,
        W::TableOutOfBounds => TrapCode::TableOutOfBounds,
        W::IndirectCallToNull => TrapCode::IndirectCallToNull,
        W::BadSignature => TrapCode::BadSignature,
        W::IntegerDivisionByZero => TrapCode::IntegerDivisionByZero,
        W::IntegerOverflow => TrapCode::IntegerOverflow,
        W::BadConversionToInteger => TrapCode::BadConversionToInteger,
        W::StackOverflow => TrapCode::StackOverflow,
        W::AllocationTooLarge => TrapCode::OutOfMemory,
        other => TrapCode::Other(other.to_string()),
    })
}
