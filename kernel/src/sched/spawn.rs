//! Starting a program: read it from the store (or take the bytes given),
//! compile it once per distinct bytes, link its imports, instantiate it and
//! run its start function, then queue it to run.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use walos_engine::Module;

use super::Kernel;
use super::entry::{self, InvokeProblem, NoEntry};
use crate::binary::{START_EXPORT, defer_start};
use crate::fd::FdTable;
use crate::linker::LinkError;
use crate::loader::StoreError;
use crate::log::Level;
use crate::process::{Command, GivenModule, Pid, ProcState, Process};
use crate::syscall::Ctx;

/// Why a program could not be started.
#[derive(Debug, Clone, PartialEq)]
pub enum SpawnError {
    /// The service store could not provide it.
    Read {
        /// The program asked for.
        program: String,
        /// What the store said.
        error: StoreError,
    },
    /// It is not a valid wasm module.
    Invalid {
        /// The program asked for.
        program: String,
        /// What the engine said.
        error: walos_engine::Error,
    },
    /// Some imports cannot be bound.
    Link {
        /// The program asked for.
        program: String,
        /// Every import that cannot be bound, each with its reason.
        errors: Vec<LinkError>,
    },
    /// It has no `_start` function of type `() -> ()`.
    NoEntry {
        /// The program asked for.
        program: String,
    },
    /// It is a reactor (`_initialize`, no `_start`) and no function of it
    /// was invoked.
    Reactor {
        /// The program asked for.
        program: String,
    },
    /// The function [`Command::invoke`] names cannot be called with the
    /// arguments given.
    Invoke {
        /// The program asked for.
        program: String,
        /// The function to invoke.
        function: String,
        /// What is wrong.
        problem: InvokeProblem,
    },
    /// A preopened directory has no file system mounted at its path.
    NoMount {
        /// The program asked for.
        program: String,
        /// The guest path where nothing is mounted.
        path: String,
    },
    /// [`Config::max_processes`](super::Config) processes are alive.
    TooMany {
        /// The program asked for.
        program: String,
        /// The limit.
        limit: usize,
    },
    /// Instantiation failed: a limit, or a segment out of bounds.
    Instantiate {
        /// The program asked for.
        program: String,
        /// What the engine said.
        error: walos_engine::Error,
    },
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpawnError::Read { program, error } => write!(f, "cannot read `{program}`: {error}"),
            SpawnError::Invalid { program, error: walos_engine::Error::Invalid(msg) } => {
                write!(f, "`{program}` is not a valid wasm module: {msg}")
            }
            SpawnError::Invalid { program, error: walos_engine::Error::Unsupported { proposal, engine } } => {
                write!(f, "`{program}` needs the {proposal} proposal, which the {engine} engine does not run")
            }
            SpawnError::Invalid { program, error: walos_engine::Error::Incompatible(msg) } => {
                write!(f, "`{program}` was compiled for another engine or configuration: {msg}")
            }
            SpawnError::Invalid { program, error } => write!(f, "cannot load `{program}`: {error}"),
            SpawnError::Link { program, errors } => {
                write!(f, "cannot link `{program}`:")?;
                for error in errors {
                    write!(f, "\n  {error}")?;
                }
                Ok(())
            }
            SpawnError::NoEntry { program } => {
                write!(f, "`{program}` has no `_start` function of type (): it is not a command module")
            }
            SpawnError::Reactor { program } => write!(
                f,
                "`{program}` is a reactor (it exports `_initialize` and no `_start`): a library of functions to \
                 invoke, not a command"
            ),
            SpawnError::Invoke { program, function, problem } => {
                write!(f, "cannot invoke `{function}` of `{program}`: {problem}")
            }
            SpawnError::NoMount { program, path } => {
                write!(f, "cannot start `{program}`: no file system is mounted at `{path}`")
            }
            SpawnError::TooMany { program, limit } => write!(
                f,
                "cannot start `{program}`: {limit} processes are alive, the most allowed (--max-processes {limit})"
            ),
            SpawnError::Instantiate { program, error } => write!(f, "cannot start `{program}`: {error}"),
        }
    }
}

impl core::error::Error for SpawnError {}

impl Kernel {
    /// Loads, links and instantiates `command`'s program and makes it
    /// runnable; it runs during [`Kernel::run_until_exit`].
    pub fn spawn(&mut self, command: Command) -> Result<Pid, SpawnError> {
        self.spawn_child(command, None, None)
    }

    /// [`Kernel::spawn`] for a process's child, from `wasm` if given.
    pub(super) fn spawn_child(
        &mut self,
        command: Command,
        given: Option<GivenModule>,
        parent: Option<Pid>,
    ) -> Result<Pid, SpawnError> {
        let program = command.program.clone();
        // Every live process is in `procs`: a spawning caller is put back
        // before its request is served.
        if self.procs.len() >= self.config.max_processes {
            return Err(SpawnError::TooMany { program, limit: self.config.max_processes });
        }
        let from_store = given.is_none();
        let (wasm, code) = match given {
            Some(GivenModule { bytes, charge }) => (bytes, Some(charge)),
            None => (
                self.sys
                    .loader
                    .services()
                    .load(&program)
                    .map_err(|error| SpawnError::Read { program: program.clone(), error })?,
                None,
            ),
        };
        let mut chain = alloc::vec![command.process_name()];
        let link_error = |errors| SpawnError::Link { program: program.clone(), errors };
        // Linked before compiling when the engine can tell the imports (a
        // link error is then immediate), and checked against the module.
        let early = match self.compiled(&program, &wasm) {
            Some(_) => None,
            None => self.engine.imports(&wasm),
        };
        let early = match early {
            Some(imports) => Some((self.link_module(&imports, &mut chain).map_err(link_error)?, imports)),
            None => None,
        };
        let module = self.module(&program, wasm, from_store)?;
        let linked = match early {
            Some((linked, imports)) if imports == module.imports() => linked,
            _ => self.link_module(module.imports(), &mut chain).map_err(link_error)?,
        };
        let (bindings, services, unknown_imports) = (linked.bindings, linked.services, linked.unknown);
        let words = command.args.get(1..).unwrap_or_default();
        let entry = entry::entry(module.exports(), command.invoke.as_deref(), words).map_err(|no| match no {
            NoEntry::Command => SpawnError::NoEntry { program: program.clone() },
            NoEntry::Reactor => SpawnError::Reactor { program: program.clone() },
            NoEntry::Invoke(function, problem) => SpawnError::Invoke { program: program.clone(), function, problem },
        })?;

        let fds = FdTable::new(&mut self.sys.mounts, &command.preopens, self.config.max_fds)
            .map_err(|path| SpawnError::NoMount { program: program.clone(), path })?;
        let pid = self.next_pid;
        let name = command.process_name();
        let mut state = ProcState {
            parent,
            env: command.env.iter().map(|(k, v)| alloc::format!("{k}={v}")).collect(),
            args: command.args,
            preopens: command.preopens,
            services,
            unknown_imports,
            code,
            ..ProcState::new(pid, name, fds, self.sys.now())
        };
        let limits = self.limits();
        let instantiate_error = |error| SpawnError::Instantiate { program: program.clone(), error };
        let mut ctx = Ctx { sys: &mut self.sys, proc: &mut state };
        let (first, args) = &entry.first;
        let started = module.instantiate(&bindings, &limits, &mut ctx).and_then(|mut instance| {
            instance.call(first, args)?;
            Ok(instance)
        });
        let instance = match started {
            Ok(instance) => instance,
            Err(error) => {
                // The preopens hold file-system references.
                self.release(&mut state);
                return Err(instantiate_error(error));
            }
        };

        self.next_pid += 1;
        self.sys.log(Level::Info, "kernel", format_args!("pid {pid}: started `{program}` as {}", state.name));
        self.procs.insert(
            pid,
            Box::new(Process {
                state,
                instance,
                serves: None,
                then: entry.then,
                starting: first == START_EXPORT,
                prints: entry.prints,
            }),
        );
        self.ready.push_back(pid);
        Ok(pid)
    }

    /// The module compiled from `wasm` for `program` before, if any.
    fn compiled(&self, program: &str, wasm: &[u8]) -> Option<Rc<dyn Module>> {
        self.modules.get(program).filter(|(bytes, _)| *bytes == wasm).map(|(_, module)| module.clone())
    }

    /// The compiled module of `program`, from the cache if its bytes are
    /// unchanged. Only modules read `from_store` join the cache: the store
    /// bounds them, while a guest handing the kernel bytes under new names
    /// (`proc.spawn_module`) would grow it without end.
    fn module(&mut self, program: &str, wasm: Vec<u8>, from_store: bool) -> Result<Rc<dyn Module>, SpawnError> {
        if let Some(module) = self.compiled(program, &wasm) {
            return Ok(module);
        }
        // The cache is keyed on the bytes as given.
        let module = self.compile(&wasm).map_err(|error| SpawnError::Invalid { program: program.into(), error })?;
        if from_store {
            self.modules.insert(program.into(), (wasm, module.clone()));
        }
        Ok(module)
    }

    /// Compiles `wasm`, a program's or a service's, with its start function
    /// deferred ([`defer_start`]).
    pub(crate) fn compile(&self, wasm: &[u8]) -> Result<Rc<dyn Module>, walos_engine::Error> {
        let deferred = defer_start(wasm).map_err(|why| walos_engine::Error::Invalid(why.into()))?;
        Ok(self.engine.load(deferred.as_deref().unwrap_or(wasm))?.into())
    }
}
