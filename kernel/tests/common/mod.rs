//! A loader for tests: scripted console input, a clock that only moves when
//! the kernel waits, and everything the kernel did, recorded.

#![allow(dead_code)]

pub mod pci;

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use walos_engine_wasmi::WasmiEngine;
use walos_kernel::loader::{
    Framebuffer, IoError, Loader, Pci, PciAddress, PortIo, ServiceStore, StdStream, StdinRead, StoreError, Stream,
    Wake, Width,
};
use walos_kernel::log::Level;
use walos_kernel::{Command, Config, ExitStatus, Kernel, SpawnError};

/// What the test sees of the machine.
#[derive(Default)]
pub struct Machine {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub logs: Vec<(Level, String)>,
    /// Console input, one chunk per read; `None` is end of input.
    pub stdin: VecDeque<Option<Vec<u8>>>,
    /// Input that arrives each time the kernel waits for stdin; `None` is
    /// end of input.
    pub stdin_on_wait: VecDeque<Option<Vec<u8>>>,
    pub now_ns: u64,
    /// Every wait the kernel asked for.
    pub waits: Vec<Wake>,
    /// How many nanoseconds each clock read advances time (0: frozen).
    pub tick_ns: u64,
    /// The service store: programs by name; a test may change them.
    pub programs: BTreeMap<String, Vec<u8>>,
    /// The screen's pixels, row after row (with [`Harness::with_screen`]).
    pub screen: Vec<u32>,
    /// Every run of pixels the kernel drew: x, y, length.
    pub screen_runs: Vec<(u32, u32, usize)>,
    /// Every port write: port, width, value. A read of port P gives P + 1,
    /// except for the devices below.
    pub port_writes: Vec<(u16, Width, u32)>,
    /// A PS/2 controller: the bytes its data port (0x60) gives, in order;
    /// its status port (0x64) has bit 0 up while there are some.
    pub ps2: VecDeque<u8>,
    /// Mouse bytes, given by the data port before the keyboard's, with
    /// bit 5 of the status up too.
    pub ps2_mouse: VecDeque<u8>,
    /// COM1's receiver: the bytes of its data port (0x3f8); its line status
    /// (0x3fd) has bit 0 up while there are some.
    pub com1: VecDeque<u8>,
    /// Interrupt lines fired and not taken yet (bit n: IRQ n).
    pub irqs: u32,
    /// Input that arrives each time the kernel waits for interrupt lines:
    /// PS/2 bytes and COM1 bytes, each raising its line (IRQ 1, IRQ 4).
    pub devices_on_wait: VecDeque<(Vec<u8>, Vec<u8>)>,
    /// Every `irq_take` call: the lines asked for.
    pub irq_takes: Vec<u32>,
    /// Lines raised each time the kernel waits for interrupt lines.
    pub irqs_on_wait: VecDeque<u32>,
    /// Every `irq_arm` call: the lines unmasked.
    pub irq_arms: Vec<u32>,
    /// The PCI bus ([`Harness::with_pci`]); none when empty.
    pub pci: Vec<pci::Function>,
    /// Every configuration write: function, offset, width, value.
    pub config_writes: Vec<(PciAddress, u8, Width, u32)>,
    /// Every device memory write: address, width, value. A read of
    /// address A gives its low 32 bits.
    pub mmio_writes: Vec<(u64, Width, u32)>,
    /// What the DMA device of the fake bus read from memory.
    pub dma_seen: Vec<[u8; 8]>,
    /// Where the DMA device will read or write: set by its registers.
    pub dma_target: u64,
}

impl Machine {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn log_text(&self) -> String {
        self.logs.iter().map(|(_, line)| format!("{line}\n")).collect()
    }
}

pub struct TestLoader {
    pub machine: Rc<RefCell<Machine>>,
    store: MapStore,
    screen: Option<TestScreen>,
}

/// A screen whose pixels live in the [`Machine`].
struct TestScreen {
    machine: Rc<RefCell<Machine>>,
    size: (u32, u32),
}

impl Framebuffer for TestScreen {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn put_row(&mut self, x: u32, y: u32, pixels: &[u32]) {
        let mut machine = self.machine.borrow_mut();
        assert!(x as usize + pixels.len() <= self.size.0 as usize && y < self.size.1, "unclipped run at {x},{y}");
        machine.screen_runs.push((x, y, pixels.len()));
        let start = (y * self.size.0 + x) as usize;
        for (dst, &src) in machine.screen[start..start + pixels.len()].iter_mut().zip(pixels) {
            if src >> 24 == 0 {
                *dst = src;
            }
        }
    }
}

/// The machine's programs.
struct MapStore(Rc<RefCell<Machine>>);

impl ServiceStore for MapStore {
    fn load(&mut self, name: &str) -> Result<Vec<u8>, StoreError> {
        self.0.borrow().programs.get(name).cloned().ok_or(StoreError::NotFound)
    }

    fn names(&mut self) -> Vec<String> {
        self.0.borrow().programs.keys().cloned().collect()
    }
}

impl Loader for TestLoader {
    fn log(&mut self, level: Level, line: &str) {
        self.machine.borrow_mut().logs.push((level, line.to_string()));
    }

    fn monotonic_ns(&self) -> u64 {
        let mut machine = self.machine.borrow_mut();
        machine.now_ns += machine.tick_ns;
        machine.now_ns
    }

    fn realtime_ns(&self) -> u64 {
        1_700_000_000_000_000_000 + self.machine.borrow().now_ns
    }

    fn clock_resolution_ns(&self) -> u64 {
        1
    }

    fn wait(&mut self, wake: Wake) {
        let mut machine = self.machine.borrow_mut();
        machine.waits.push(wake);
        if wake.irqs != 0
            && let Some(lines) = machine.irqs_on_wait.pop_front()
        {
            machine.irqs |= lines;
            return;
        }
        if wake.irqs != 0
            && let Some((ps2, com1)) = machine.devices_on_wait.pop_front()
        {
            machine.irqs |= if ps2.is_empty() { 0 } else { 1 << 1 } | if com1.is_empty() { 0 } else { 1 << 4 };
            machine.ps2.extend(ps2);
            machine.com1.extend(com1);
            return;
        }
        if wake.stdin
            && let Some(input) = machine.stdin_on_wait.pop_front()
        {
            machine.stdin.push_back(input);
            return;
        }
        match wake.deadline {
            Some(at) => machine.now_ns = machine.now_ns.max(at),
            None => panic!("the kernel waited with nothing to wake it: {wake:?}"),
        }
    }

    fn random(&mut self, buf: &mut [u8]) -> Result<(), IoError> {
        buf.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        Ok(())
    }

    fn memory_limit(&self) -> usize {
        16 << 20
    }

    fn services(&mut self) -> &mut dyn ServiceStore {
        &mut self.store
    }

    fn write(&mut self, stream: Stream, bytes: &[u8]) -> Result<(), IoError> {
        let mut machine = self.machine.borrow_mut();
        match stream {
            Stream::Stdout => machine.stdout.extend_from_slice(bytes),
            Stream::Stderr => machine.stderr.extend_from_slice(bytes),
        }
        Ok(())
    }

    fn read_stdin(&mut self, buf: &mut [u8]) -> StdinRead {
        let mut machine = self.machine.borrow_mut();
        match machine.stdin.pop_front() {
            None => StdinRead::Pending,
            Some(None) => StdinRead::Eof,
            Some(Some(mut chunk)) => {
                let n = chunk.len().min(buf.len());
                buf[..n].copy_from_slice(&chunk[..n]);
                if n < chunk.len() {
                    machine.stdin.push_front(Some(chunk.split_off(n)));
                }
                StdinRead::Data(n)
            }
        }
    }

    fn is_terminal(&self, _: StdStream) -> bool {
        false
    }

    fn framebuffer(&mut self) -> Option<&mut dyn Framebuffer> {
        self.screen.as_mut().map(|screen| screen as &mut dyn Framebuffer)
    }

    fn ports(&mut self) -> Option<&mut dyn PortIo> {
        Some(self)
    }

    fn irq_take(&mut self, lines: u32) -> u32 {
        let mut machine = self.machine.borrow_mut();
        machine.irq_takes.push(lines);
        let fired = machine.irqs & lines;
        machine.irqs &= !lines;
        fired
    }

    fn irq_arm(&mut self, lines: u32) {
        self.machine.borrow_mut().irq_arms.push(lines);
    }

    fn pci(&mut self) -> Option<&mut dyn Pci> {
        if self.machine.borrow().pci.is_empty() { None } else { Some(self) }
    }
}

impl Pci for TestLoader {
    fn config_read(&mut self, at: PciAddress, offset: u8, width: Width) -> u32 {
        let machine = self.machine.borrow();
        match machine.pci.iter().find(|f| f.address == at) {
            Some(function) => function.read(offset, width),
            None => u32::MAX >> (32 - 8 * width.bytes()),
        }
    }

    fn config_write(&mut self, at: PciAddress, offset: u8, width: Width, value: u32) {
        let mut machine = self.machine.borrow_mut();
        machine.config_writes.push((at, offset, width, value));
        if let Some(function) = machine.pci.iter_mut().find(|f| f.address == at) {
            function.write(offset, width, value);
        }
    }

    fn mmio_read(&mut self, address: u64, _: Width) -> u32 {
        address as u32
    }

    fn mmio_write(&mut self, address: u64, width: Width, value: u32) {
        let mut machine = self.machine.borrow_mut();
        machine.mmio_writes.push((address, width, value));
        let registers = 0xfebf_0000;
        match address.checked_sub(registers) {
            Some(pci::DMA_LOW) => machine.dma_target = machine.dma_target & !0xffff_ffff | u64::from(value),
            Some(pci::DMA_HIGH) => machine.dma_target = machine.dma_target & 0xffff_ffff | u64::from(value) << 32,
            Some(pci::DMA_GO) => {
                let target = machine.dma_target as *mut [u8; 8];
                // SAFETY: the device does what a real one would with the
                // address its driver gave: the test checks the kernel only
                // ever lets a driver give its own DMA buffers' addresses,
                // which stay allocated while the driver runs.
                unsafe {
                    match value {
                        1 => machine.dma_seen.push(target.read_volatile()),
                        2 => target.write_volatile(*pci::DEVICE_WRITES),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn dma_address(&self, memory: *const u8) -> Option<u64> {
        Some(memory as u64)
    }

    fn mmio_mapped(&self, start: u64, len: u64) -> bool {
        pci::MAPPED.contains(&start) && start + len <= pci::MAPPED.end
    }
}

impl PortIo for TestLoader {
    fn read(&mut self, port: u16, _: Width) -> u32 {
        let mut machine = self.machine.borrow_mut();
        match port {
            0x60 => machine.ps2_mouse.pop_front().or_else(|| machine.ps2.pop_front()).map_or(0, u32::from),
            0x64 if !machine.ps2_mouse.is_empty() => 0x21,
            0x64 => u32::from(!machine.ps2.is_empty()),
            0x3f8 => machine.com1.pop_front().map_or(0, u32::from),
            // The transmitter is always empty.
            0x3fd => 0x60 | u32::from(!machine.com1.is_empty()),
            _ => u32::from(port) + 1,
        }
    }

    fn write(&mut self, port: u16, width: Width, value: u32) {
        self.machine.borrow_mut().port_writes.push((port, width, value));
    }
}

/// A kernel on a test machine, with programs given as WAT text.
pub struct Harness {
    pub kernel: Kernel,
    pub machine: Rc<RefCell<Machine>>,
}

impl Harness {
    pub fn new(programs: &[(&str, &str)]) -> Self {
        Self::with_config(programs, Config { log_level: Level::Debug, ..Config::default() })
    }

    /// A machine with a `width` x `height` screen, all pixels
    /// `0x00ABCDEF` at first.
    pub fn with_screen(programs: &[(&str, &str)], width: u32, height: u32) -> Self {
        let config = Config { log_level: Level::Debug, ..Config::default() };
        Self::build(programs, config, Some((width, height)))
    }

    pub fn with_config(programs: &[(&str, &str)], config: Config) -> Self {
        Self::build(programs, config, None)
    }

    /// [`Harness::with_config`] with more modules, given as wasm bytes.
    pub fn with_modules(programs: &[(&str, &str)], modules: Vec<(&str, Vec<u8>)>, config: Config) -> Self {
        Self::build_with(programs, modules, config, None, Vec::new())
    }

    /// [`Harness::with_config`] on a machine with the PCI bus `pci`.
    pub fn with_pci(programs: &[(&str, &str)], config: Config, pci: Vec<pci::Function>) -> Self {
        Self::build_with(programs, Vec::new(), config, None, pci)
    }

    fn build(programs: &[(&str, &str)], config: Config, screen: Option<(u32, u32)>) -> Self {
        Self::build_with(programs, Vec::new(), config, screen, Vec::new())
    }

    fn build_with(
        programs: &[(&str, &str)],
        modules: Vec<(&str, Vec<u8>)>,
        config: Config,
        screen: Option<(u32, u32)>,
        pci: Vec<pci::Function>,
    ) -> Self {
        let machine = Rc::new(RefCell::new(Machine { pci, ..Machine::default() }));
        let screen = screen.map(|size| {
            machine.borrow_mut().screen = vec![0x00AB_CDEF; (size.0 * size.1) as usize];
            TestScreen { machine: machine.clone(), size }
        });
        {
            let store = &mut machine.borrow_mut().programs;
            for (name, source) in programs {
                let wasm = wat::parse_str(source).unwrap_or_else(|e| panic!("{name}: {e}"));
                store.insert(name.to_string(), wasm);
            }
            store.extend(modules.into_iter().map(|(name, wasm)| (name.to_string(), wasm)));
            store.insert("garbage".into(), b"this is not wasm".to_vec());
            let valid = wat::parse_str(wasi_program("", "")).expect("valid");
            store.insert("truncated".into(), valid[..valid.len() / 2].to_vec());
        }
        let store = MapStore(machine.clone());
        let loader = TestLoader { machine: machine.clone(), store, screen };
        let kernel = Kernel::new(Box::new(loader), Box::new(WasmiEngine::new()), config);
        Harness { kernel, machine }
    }

    pub fn spawn(&mut self, command: Command) -> Result<u32, SpawnError> {
        self.kernel.spawn(command)
    }

    /// Runs `name` to its end.
    pub fn run(&mut self, command: Command) -> ExitStatus {
        let pid = self.spawn(command).unwrap_or_else(|e| panic!("spawn: {e}"));
        self.kernel.run_until_exit(pid).expect("the process exists")
    }

    pub fn stdout(&self) -> String {
        self.machine.borrow().stdout()
    }

    pub fn logs(&self) -> String {
        self.machine.borrow().log_text()
    }
}

/// A module built by `cargo xtask build` (a sample or a service of
/// `srv/`), from `target/wasm/sample/` (or `$WALOS_WASM/sample/`).
pub fn built(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("WALOS_WASM")
        .map_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/wasm"), Into::into);
    let path = dir.join("sample").join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err} (build it first: cargo xtask build)", path.display()))
}

/// WAT for a module importing `fd_write` and `proc_exit`, with `body` as
/// `_start` and a helper `$print(ptr, len)` that writes to stdout. `data`
/// (more imports, data from offset 1024, helper functions) goes before the
/// memory, since imports come first.
pub fn wasi_program(data: &str, body: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  {data}
  (memory (export "memory") 1)
  (func $print (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "_start") {body}))"#
    )
}
