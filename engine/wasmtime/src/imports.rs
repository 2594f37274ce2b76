//! A module's imports read from its type and import sections, without
//! validating or compiling it: the kernel links them first, so that a
//! module that cannot link is refused at once rather than after a
//! compilation of many seconds.

use walos_engine::{ExternType, FuncType, Import, ValType};
use wasmparser::{CompositeInnerType, Imports, Parser, Payload, TypeRef};

/// The imports of `wasm` as [`walos_engine::Module::imports`] will list
/// them; `None` when they cannot be read so simply (malformed bytes,
/// compact import groups, references in a function's type): the kernel
/// then compiles first, and the engine's errors and descriptions apply.
pub fn imports(wasm: &[u8]) -> Option<Vec<Import>> {
    let mut types: Vec<Option<FuncType>> = Vec::new();
    let mut imports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.ok()?.into_types() {
                        types.push(match &sub.composite_type.inner {
                            CompositeInnerType::Func(ty) => func_type(ty.params(), ty.results()),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for group in reader {
                    let Imports::Single(_, import) = group.ok()? else { return None };
                    let ty = match import.ty {
                        TypeRef::Func(index) => ExternType::Func(types.get(index as usize)?.clone()?),
                        TypeRef::Table(_) => ExternType::Table,
                        TypeRef::Memory(_) => ExternType::Memory,
                        TypeRef::Global(_) => ExternType::Global,
                        TypeRef::Tag(_) => ExternType::Tag,
                        _ => return None,
                    };
                    imports.push(Import { module: import.module.into(), name: import.name.into(), ty });
                }
            }
            // Imports come before the code: nothing after matters.
            Payload::CodeSectionStart { .. } | Payload::End(_) => break,
            _ => {}
        }
    }
    Some(imports)
}

/// A function type of numbers and vectors; `None` with references.
fn func_type(params: &[wasmparser::ValType], results: &[wasmparser::ValType]) -> Option<FuncType> {
    let convert = |types: &[wasmparser::ValType]| -> Option<Vec<ValType>> {
        types
            .iter()
            .map(|ty| match ty {
                wasmparser::ValType::I32 => Some(ValType::I32),
                wasmparser::ValType::I64 => Some(ValType::I64),
                wasmparser::ValType::F32 => Some(ValType::F32),
                wasmparser::ValType::F64 => Some(ValType::F64),
                wasmparser::ValType::V128 => Some(ValType::V128),
                wasmparser::ValType::Ref(_) => None,
            })
            .collect()
    };
    Some(FuncType::new(convert(params)?, convert(results)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_read_as_the_compiled_module_lists_them() {
        let wasm = wat::parse_str(
            r#"(module
              (type (func (param i32 i64) (result f32)))
              (import "a" "f" (func (type 0)))
              (import "a" "m" (memory 1))
              (import "b" "g" (func (param v128)))
              (import "b" "t" (tag))
              (func (export "_start")))"#,
        )
        .unwrap();
        let engine = crate::WasmtimeEngine::default();
        let module = walos_engine::Engine::load(&engine, &wasm).unwrap();
        assert_eq!(imports(&wasm).as_deref(), Some(module.imports()));
        let with_ref = wat::parse_str(r#"(module (import "a" "f" (func (param externref))))"#).unwrap();
        assert_eq!(imports(&with_ref), None);
        assert_eq!(imports(b"\0asm\x01\0\0\0\x02\x09"), None);
    }
}
