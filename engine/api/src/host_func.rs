//! What the engine function behind every import needs, checked once for
//! every engine: the host function it calls and the zeros its results start
//! from.

use alloc::format;

use smallvec::SmallVec;

use crate::{Error, FuncType, HostFuncId, Trap, Val, ValType};

/// Most host functions take a handful of values (WASI's `path_open`, nine):
/// this many stay off the heap, and a synchronous call of at most this many
/// arguments and results keeps them in arrays on the stack.
pub const INLINE: usize = 16;

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
    /// Whether the host function may suspend its caller
    /// ([`Host::may_suspend`](crate::Host::may_suspend)); if not, the engine
    /// binds it as a synchronous call.
    pub suspends: bool,
    /// Set when the engine may bind it as a typed function, its cheapest:
    /// synchronous, with the signature most syscalls have.
    pub typed: Option<I32Shape>,
}

/// A signature of i32 parameters only, at most [`MAX_TYPED`] of them, and
/// no result or one i32: the shape that engines bind as typed functions
/// ([`by_arity!`](crate::by_arity)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I32Shape {
    /// How many i32 parameters.
    pub params: usize,
    /// Whether it returns an i32.
    pub returns: bool,
}

/// The most parameters of a typed binding (WASI's `path_open` and
/// `proc.spawn_module` take nine).
pub const MAX_TYPED: usize = 9;

/// Expands `$bind!(a b ...)` with as many argument names as `$params`
/// says, from 0 to [`MAX_TYPED`]; `None` past it. Each engine's `$bind`
/// makes its typed function of that arity.
#[macro_export]
macro_rules! by_arity {
    ($params:expr, $bind:ident) => {
        match $params {
            0 => Some($bind!()),
            1 => Some($bind!(a)),
            2 => Some($bind!(a b)),
            3 => Some($bind!(a b c)),
            4 => Some($bind!(a b c d)),
            5 => Some($bind!(a b c d e)),
            6 => Some($bind!(a b c d e f)),
            7 => Some($bind!(a b c d e f g)),
            8 => Some($bind!(a b c d e f g h)),
            9 => Some($bind!(a b c d e f g h i)),
            _ => None,
        }
    };
}

impl HostFunc {
    /// Binds an import of type `ty` to host function `id`, which may
    /// suspend its caller if `suspends`.
    ///
    /// # Errors
    /// [`Error::Instantiate`] naming the first result or parameter type that
    /// is not a number.
    pub fn new(ty: &FuncType, id: HostFuncId, suspends: bool) -> Result<Self, Error> {
        let mut zeros = Values::new();
        for &result in &ty.results {
            zeros.push(Val::zero(result).ok_or_else(|| unsupported(result))?);
        }
        if let Some(&param) = ty.params.iter().find(|&&param| Val::zero(param).is_none()) {
            return Err(unsupported(param));
        }
        // A synchronous binding keeps its values in fixed arrays: a longer
        // signature (a service's, never a syscall's) takes the general path.
        let suspends = suspends || ty.params.len() > INLINE || ty.results.len() > INLINE;
        let i32s = ty.params.len() <= MAX_TYPED && ty.params.iter().all(|&param| param == ValType::I32);
        let typed = match ty.results.as_slice() {
            _ if suspends || !i32s => None,
            [] => Some(I32Shape { params: ty.params.len(), returns: false }),
            [ValType::I32] => Some(I32Shape { params: ty.params.len(), returns: true }),
            _ => None,
        };
        Ok(HostFunc { id, zeros, suspends, typed })
    }

    /// The trap that ends the caller of a synchronous binding whose host
    /// suspended it all the same: the host broke its word
    /// ([`Host::may_suspend`](crate::Host::may_suspend)), and the caller
    /// stops with that said rather than hang or resume with made-up results.
    pub fn suspended_anyway(id: HostFuncId) -> Trap {
        Trap::host(format!("host function #{id} suspended its caller, but its host said it never does"))
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
        let func = HostFunc::new(&ty, 7, false).expect("numbers only");
        assert_eq!((func.id, func.zeros.as_slice()), (7, &[Val::I64(0), Val::F32(0.0)][..]));
    }

    #[test]
    fn synchronous_i32_signatures_are_typed() {
        let shape = |params: &[ValType], results: &[ValType], suspends| {
            HostFunc::new(&FuncType::new(params.to_vec(), results.to_vec()), 1, suspends).expect("numbers").typed
        };
        assert_eq!(shape(&[], &[], false), Some(I32Shape { params: 0, returns: false }));
        assert_eq!(shape(&[ValType::I32; 9], &[ValType::I32], false), Some(I32Shape { params: 9, returns: true }));
        assert_eq!(shape(&[ValType::I32; 10], &[], false), None);
        assert_eq!(shape(&[ValType::I32, ValType::I64], &[], false), None);
        assert_eq!(shape(&[], &[ValType::I64], false), None);
        assert_eq!(shape(&[], &[ValType::I32, ValType::I32], false), None);
        assert_eq!(shape(&[ValType::I32], &[ValType::I32], true), None, "a suspending one is never typed");
    }

    #[test]
    fn long_signatures_take_the_suspending_path() {
        let ty = FuncType::new(vec![ValType::I32; INLINE + 1], vec![]);
        assert!(HostFunc::new(&ty, 1, false).expect("numbers only").suspends);
        let ty = FuncType::new(vec![ValType::I32; INLINE], vec![ValType::I32]);
        assert!(!HostFunc::new(&ty, 1, false).expect("numbers only").suspends);
    }

    #[test]
    fn references_and_vectors_are_refused() {
        let refused = |params: &[ValType], results: &[ValType]| {
            HostFunc::new(&FuncType::new(params.to_vec(), results.to_vec()), 0, true)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let message = |ty| alloc::format!("cannot instantiate: host functions cannot take or return {ty} values");
        assert_eq!(refused(&[ValType::V128], &[]), Err(message("v128")));
        assert_eq!(refused(&[ValType::I32], &[ValType::ExternRef]), Err(message("externref")));
        // The results are named first.
        assert_eq!(refused(&[ValType::V128], &[ValType::FuncRef]), Err(message("funcref")));
    }
}
