//! What the fuzz targets share: a machine for the kernel that never waits
//! (its clock jumps to every deadline) and holds one module, and the
//! module of imports that generated modules choose from.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use walos_kernel::loader::{IoError, ServiceStore, StdStream, StdinRead, StoreError, Stream, Wake};
use walos_kernel::log::Level;
use walos_kernel::{Loader, interfaces};

/// The memory a generated module may have: small, so that an execution
/// stays quick.
pub const MEMORY_LIMIT: usize = 4 << 20;

/// A store of one module, `fuzz`.
struct OneModule(Vec<u8>);

impl ServiceStore for OneModule {
    fn load(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        if name == "fuzz" { Ok(self.0.clone()) } else { Err(StoreError::NotFound) }
    }
}

/// A machine whose store holds `fuzz`; stdin at its end; standard output
/// kept, standard error dropped; a clock that moves a little at every look
/// and jumps to each deadline.
pub struct Machine {
    now: Cell<u64>,
    store: OneModule,
    stdout: Rc<RefCell<Vec<u8>>>,
}

impl Machine {
    pub fn new(module: Vec<u8>) -> Machine {
        Machine { now: Cell::new(1), store: OneModule(module), stdout: Rc::default() }
    }

    /// What the programs write on standard output, to read once the kernel
    /// owns the machine.
    pub fn stdout(&self) -> Rc<RefCell<Vec<u8>>> {
        self.stdout.clone()
    }
}

impl Loader for Machine {
    fn log(&mut self, _: Level, _: &str) {}

    fn monotonic_ns(&self) -> u64 {
        self.now.set(self.now.get() + 1000);
        self.now.get()
    }

    fn realtime_ns(&self) -> u64 {
        self.monotonic_ns()
    }

    fn clock_resolution_ns(&self) -> u64 {
        1
    }

    fn wait(&mut self, wake: Wake) {
        match wake.deadline {
            Some(at) => self.now.set(self.now.get().max(at)),
            // Stdin is at its end and there are no devices: nothing would
            // ever come. A kernel that waits so has hung.
            None => panic!("the kernel waits with nothing to wake it: {wake:?}"),
        }
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), IoError> {
        buf.fill(0x5a);
        Ok(())
    }

    fn memory_limit(&self) -> usize {
        MEMORY_LIMIT
    }

    fn services(&mut self) -> &mut dyn ServiceStore {
        &mut self.store
    }

    fn write(&mut self, stream: Stream, bytes: &[u8]) -> Result<(), IoError> {
        let mut stdout = self.stdout.borrow_mut();
        if stream == Stream::Stdout {
            // A generated module may write without end: the first MiB is kept.
            let room = (1usize << 20).saturating_sub(stdout.len());
            stdout.extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
        Ok(())
    }

    fn read_stdin(&mut self, _: &mut [u8]) -> StdinRead {
        StdinRead::Eof
    }

    fn is_terminal(&self, _: StdStream) -> bool {
        false
    }
}

/// A module importing every function of every built-in interface (the
/// kernel's own list), for `wasm_smith::Config::available_imports`: a
/// syscall added to the tables is fuzzed the day it is added.
pub fn imports_module() -> Vec<u8> {
    let list = |kind: &str, types: &[walos_engine::ValType]| {
        if types.is_empty() {
            return String::new();
        }
        let names: Vec<String> = types.iter().map(ToString::to_string).collect();
        format!(" ({kind} {})", names.join(" "))
    };
    let mut wat = String::from("(module\n");
    for import in interfaces() {
        let (params, results) = (list("param", import.params), list("result", import.results));
        wat.push_str(&format!("  (import \"{}\" \"{}\" (func{params}{results}))\n", import.module, import.name));
    }
    wat.push(')');
    wat::parse_str(&wat).expect("the imports module is valid")
}
