//! What a new process runs, as `wasmtime run` decides it: its start
//! function first (exported as [`START_EXPORT`] by
//! [`crate::defer_start`]), `_initialize` next if the module exports it,
//! then `_start`, or the function the command invokes
//! ([`crate::Command::invoke`]) with its arguments parsed by the function's
//! signature; the invoked function's results are printed on standard output
//! when it returns.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use walos_engine::{Export, ExternType, FuncType, Val, ValType};

use crate::binary::START_EXPORT;

/// A call a process makes: an export and its arguments.
pub(crate) type Call = (String, Vec<Val>);

/// The calls a new process makes, in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The call started at once.
    pub first: Call,
    /// The calls started one after the other when `first` returns.
    pub then: VecDeque<Call>,
    /// Whether the results of the last call are printed (`--invoke`).
    pub prints: bool,
}

/// Why a function cannot be invoked.
#[derive(Debug, Clone, PartialEq)]
pub enum InvokeProblem {
    /// The module exports no function of that name.
    NoExport,
    /// Fewer arguments than parameters.
    NotEnough {
        /// The function's signature.
        ty: FuncType,
        /// How many arguments were given.
        given: usize,
    },
    /// An argument does not parse as its parameter's type.
    BadArgument {
        /// The parameter's position, from 1.
        position: usize,
        /// The argument as given.
        arg: String,
        /// The parameter's type.
        ty: ValType,
        /// What the number parser said.
        error: String,
    },
    /// A parameter or result is a vector or a reference, which the
    /// command line cannot give or print.
    Unsupported(FuncType),
}

impl fmt::Display for InvokeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvokeProblem::NoExport => f.write_str("no func export of that name found"),
            InvokeProblem::NotEnough { ty, given } => {
                write!(f, "not enough arguments: its type is {ty}, {given} given")
            }
            InvokeProblem::BadArgument { position, arg, ty, error } => {
                write!(f, "argument {position} `{arg}` is not an {ty}: {error}")
            }
            InvokeProblem::Unsupported(ty) => {
                write!(f, "its type {ty} has values other than numbers, which the command line cannot pass")
            }
        }
    }
}

/// What decides the entry is missing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NoEntry {
    /// Neither `_start` nor `_initialize`: not a program.
    Command,
    /// `_initialize` without `_start` and nothing invoked: a library.
    Reactor,
    /// The invoked function cannot be called so.
    Invoke(String, InvokeProblem),
}

/// The calls of a module with `exports`, invoking `invoke` with `args` (the
/// words after `argv[0]`) if given.
pub(crate) fn entry(exports: &[Export], invoke: Option<&str>, args: &[String]) -> Result<Entry, NoEntry> {
    let unit = ExternType::Func(FuncType::default());
    let has = |name: &str| exports.iter().any(|e| e.name == name && e.ty == unit);
    let (last, prints) = match invoke {
        Some(name) => (invoked(exports, name, args).map_err(|problem| NoEntry::Invoke(name.into(), problem))?, true),
        None if has("_start") => (("_start".to_string(), Vec::new()), false),
        None if has("_initialize") => return Err(NoEntry::Reactor),
        None => return Err(NoEntry::Command),
    };
    let mut then: VecDeque<Call> = startup(exports).map(|name| (name.to_string(), Vec::new())).collect();
    then.push_back(last);
    let first = then.pop_front().expect("the last call is there");
    Ok(Entry { first, then, prints })
}

/// The functions a module with `exports` runs before anything else, in
/// order: its deferred start function ([`START_EXPORT`]) and `_initialize`,
/// those it exports as `() -> ()`. A program runs them as its first calls,
/// a service before its first call after each (re)start.
pub(crate) fn startup(exports: &[Export]) -> impl Iterator<Item = &'static str> {
    let unit = ExternType::Func(FuncType::default());
    [START_EXPORT, "_initialize"]
        .into_iter()
        .filter(move |name| exports.iter().any(|e| e.name == *name && e.ty == unit))
}

/// The call of export `name` with `args` parsed by its parameter types.
fn invoked(exports: &[Export], name: &str, args: &[String]) -> Result<Call, InvokeProblem> {
    let ty = exports
        .iter()
        .find_map(|e| match &e.ty {
            ExternType::Func(ty) if e.name == name => Some(ty),
            _ => None,
        })
        .ok_or(InvokeProblem::NoExport)?;
    if ty.params.iter().chain(&ty.results).any(|&t| Val::zero(t).is_none()) {
        return Err(InvokeProblem::Unsupported(ty.clone()));
    }
    if args.len() < ty.params.len() {
        return Err(InvokeProblem::NotEnough { ty: ty.clone(), given: args.len() });
    }
    // Extra words are left to `argv`, as wasmtime does.
    let values = ty.params.iter().zip(args).enumerate().map(|(i, (&t, arg))| {
        parse(t, arg).map_err(|error| InvokeProblem::BadArgument { position: i + 1, arg: arg.clone(), ty: t, error })
    });
    Ok((name.into(), values.collect::<Result<_, _>>()?))
}

/// `arg` as a value of type `ty`, as wasmtime reads it: integers in decimal
/// or with `0x`, floats as Rust writes them.
fn parse(ty: ValType, arg: &str) -> Result<Val, String> {
    let hex = arg.strip_prefix("0x").or_else(|| arg.strip_prefix("0X"));
    let err = |e: &dyn fmt::Display| e.to_string();
    Ok(match (ty, hex) {
        (ValType::I32, Some(digits)) => Val::I32(i32::from_str_radix(digits, 16).map_err(|e| err(&e))?),
        (ValType::I32, None) => Val::I32(arg.parse().map_err(|e| err(&e))?),
        (ValType::I64, Some(digits)) => Val::I64(i64::from_str_radix(digits, 16).map_err(|e| err(&e))?),
        (ValType::I64, None) => Val::I64(arg.parse().map_err(|e| err(&e))?),
        (ValType::F32, _) => Val::F32(arg.parse().map_err(|e| err(&e))?),
        (ValType::F64, _) => Val::F64(arg.parse().map_err(|e| err(&e))?),
        (other, _) => return Err(alloc::format!("{other} cannot be given")),
    })
}

/// The results of an invoked function, one line each, as wasmtime prints
/// them.
pub(crate) fn results_text(results: &[Val]) -> String {
    let mut text = String::new();
    for value in results {
        let line = match value {
            Val::I32(v) => v.to_string(),
            Val::I64(v) => v.to_string(),
            Val::F32(v) => v.to_string(),
            Val::F64(v) => v.to_string(),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn func(name: &str, params: Vec<ValType>, results: Vec<ValType>) -> Export {
        Export { name: name.into(), ty: ExternType::Func(FuncType::new(params, results)) }
    }

    fn words(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_command_runs_start_and_a_reactor_initializes_first() {
        let command = [func("_start", vec![], vec![])];
        let plain = Entry { first: ("_start".into(), vec![]), then: VecDeque::new(), prints: false };
        assert_eq!(entry(&command, None, &[]), Ok(plain));
        let reactor = [func("_initialize", vec![], vec![]), func("add", vec![ValType::I32; 2], vec![ValType::I32])];
        assert_eq!(entry(&reactor, None, &[]), Err(NoEntry::Reactor));
        assert_eq!(
            entry(&reactor, Some("add"), &words(&["2", "0x10", "extra"])),
            Ok(Entry {
                first: ("_initialize".into(), vec![]),
                then: [("add".into(), vec![Val::I32(2), Val::I32(16)])].into(),
                prints: true,
            })
        );
        assert_eq!(entry(&[func("main", vec![], vec![])], None, &[]), Err(NoEntry::Command));
    }

    #[test]
    fn the_start_function_runs_before_everything() {
        let deferred =
            [func("_start", vec![], vec![]), func("_initialize", vec![], vec![]), func(START_EXPORT, vec![], vec![])];
        let entry = entry(&deferred, None, &[]).unwrap();
        assert_eq!(entry.first, (START_EXPORT.into(), vec![]));
        assert_eq!(entry.then, [("_initialize".into(), vec![]), ("_start".into(), vec![])]);
        // A start function alone is not a program.
        assert_eq!(super::entry(&[func(START_EXPORT, vec![], vec![])], None, &[]), Err(NoEntry::Command));
    }

    #[test]
    fn arguments_are_parsed_by_the_signature() {
        let f = [func("f", vec![ValType::I64, ValType::F32, ValType::F64], vec![])];
        let call = entry(&f, Some("f"), &words(&["-5", "1.5", "inf"])).unwrap().first;
        assert_eq!(call, ("f".into(), vec![Val::I64(-5), Val::F32(1.5), Val::F64(f64::INFINITY)]));
        let problem = |args: &[&str]| match entry(&f, Some("f"), &words(args)) {
            Err(NoEntry::Invoke(_, problem)) => problem.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(problem(&["1"]), "not enough arguments: its type is (i64, f32, f64), 1 given");
        assert_eq!(problem(&["x", "1", "1"]), "argument 1 `x` is not an i64: invalid digit found in string");
        assert_eq!(problem(&["1", "1", "one"]), "argument 3 `one` is not an f64: invalid float literal");
        let i32_max = [func("g", vec![ValType::I32], vec![])];
        assert!(matches!(
            entry(&i32_max, Some("g"), &words(&["0x80000000"])),
            Err(NoEntry::Invoke(_, InvokeProblem::BadArgument { .. }))
        ));
        assert_eq!(entry(&f, Some("nope"), &[]), Err(NoEntry::Invoke("nope".into(), InvokeProblem::NoExport)));
        let vector = [func("v", vec![], vec![ValType::V128])];
        assert!(matches!(entry(&vector, Some("v"), &[]), Err(NoEntry::Invoke(_, InvokeProblem::Unsupported(_)))));
    }

    #[test]
    fn results_print_as_rust_writes_them() {
        let text = results_text(&[Val::I32(-1), Val::I64(1 << 40), Val::F32(0.5), Val::F64(3.0), Val::F64(f64::NAN)]);
        assert_eq!(text, "-1\n1099511627776\n0.5\n3\nNaN\n");
    }
}
