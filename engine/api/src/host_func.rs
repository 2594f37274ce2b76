//! What the engine function behind every import needs, checked once for
//! every engine: the host function it calls and the zeros its results start
//! from.

use alloc::format;

use smallvec::SmallVec;

use crate::{Error, FuncType, HostFuncId, Val, ValType};

/// Most host functions take a handful of values (WASI's `path_open`, nine):
/// this many stay off the heap.
const INLINE: usize = 16;

/// A host call's arguments or results: inline for the usual handful, so
/// that a host call allocates nothing.
pub type Values = SmallVec<[Val; INLINE]>;

/// An import bound to a host function, known to take and return numbers
/// only: references and vectors never cross to the host.
#[derive(Debug, Clone)]
pub struct HostFunc {
    /// The host function the import calls.
    pub id: HostFuncId,
    /// One zero per result, of its type: what a call's results start from.
    pub zeros: Values,
}

impl HostFunc {
    /// Binds an import of type `ty` to host function `id`.
    ///
    /// # Errors
    /// [`Error::Instantiate`] naming the first result or parameter type that
    /// is not a number.
    pub fn new(ty: &FuncType, id: HostFuncId) -> Result<Self, Error> {
        let mut zeros = Values::new();
        for &result in &ty.results {
            zeros.push(Val::zero(result).ok_or_else(|| unsupported(result))?);
        }
        if let Some(&param) = ty.params.iter().find(|&&param| Val::zero(param).is_none()) {
            return Err(unsupported(param));
        }
        Ok(HostFunc { id, zeros })
    }
}

fn unsupported(ty: ValType) -> Error {
    Error::Instantiate(format!("host functions cannot take or return {ty} values"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn results_start_from_zeros_of_their_types() {
        let ty = FuncType::new(vec![ValType::I32], vec![ValType::I64, ValType::F32]);
        let func = HostFunc::new(&ty, 7).expect("numbers only");
        assert_eq!((func.id, func.zeros.as_slice()), (7, &[Val::I64(0), Val::F32(0.0)][..]));
    }

    #[test]
    fn references_and_vectors_are_refused() {
        let refused = |params: &[ValType], results: &[ValType]| {
            HostFunc::new(&FuncType::new(params.to_vec(), results.to_vec()), 0).map(|_| ()).map_err(|e| e.to_string())
        };
        let message = |ty| alloc::format!("cannot instantiate: host functions cannot take or return {ty} values");
        assert_eq!(refused(&[ValType::V128], &[]), Err(message("v128")));
        assert_eq!(refused(&[ValType::I32], &[ValType::ExternRef]), Err(message("externref")));
        // The results are named first.
        assert_eq!(refused(&[ValType::V128], &[ValType::FuncRef]), Err(message("funcref")));
    }
}
