//! Console input from a service: the kernel calls the `getc` of the
//! interface named by [`crate::Config::input`] again and again, and queues
//! what it answers for the processes reading standard input. On efi-os
//! that is the keyboard chain: the `stdin` service, the driver service it
//! imports `hw.key_read` from, and the driver's port I/O and interrupts.

use alloc::string::{String, ToString};
use alloc::vec;

use walos_engine::{ExternType, FuncType, Import, Val, ValType};

use super::Kernel;
use crate::log::Level;
use crate::service::copy::Transfer;
use crate::service::{Answer, CallError, Caller, Job, Phase, ServiceImport};

/// Failed calls in a row after which the kernel stops asking: a service
/// that keeps failing would otherwise be restarted forever.
const MAX_FAILURES: u32 = 3;

/// The service that provides console input, and how often it failed.
#[derive(Default)]
pub(super) struct InputService {
    getc: Option<ServiceImport>,
    failures: u32,
}

impl Kernel {
    /// Links the input service's `getc` (loading the services it needs)
    /// and asks it for the first byte.
    pub(super) fn start_input(&mut self) {
        let Some(iface) = self.config.input.clone() else { return };
        let ty = FuncType::new([], [ValType::I32]);
        let import = Import { module: iface.clone(), name: "getc".into(), ty: ExternType::Func(ty.clone()) };
        let mut chain = vec!["kernel".to_string()];
        match self.service_import(&mut chain, &import, &ty) {
            Ok(getc) => {
                self.sys.stdin.from_service = true;
                self.input.getc = Some(getc);
                self.ask_input();
            }
            Err(errors) => {
                let errors: String = errors.iter().map(|e| alloc::format!("\n  {e}")).collect();
                self.sys.log(Level::Err, "kernel", format_args!("no console input from `{iface}.getc`:{errors}"));
            }
        }
    }

    fn ask_input(&mut self) {
        let Some(import) = self.input.getc.clone() else { return };
        let Ok(transfer) = Transfer::plan(&[], &[], &[], &self.sys.memory) else { return };
        let job = Job {
            caller: Caller::InputService,
            caller_name: "kernel".into(),
            import,
            transfer,
            phase: Phase::Alloc,
            slices: 0,
        };
        self.enqueue(job);
    }

    /// Queues the answer of `getc` and asks again.
    pub(crate) fn input_answer(&mut self, result: Result<Answer, CallError>) {
        match result.as_ref().map(|(values, _)| values.first()) {
            Ok(Some(&Val::I32(byte @ 0..=255))) => self.sys.stdin.push(byte as u8),
            Ok(_) => self.sys.stdin.push_eof(),
            Err(_) => {
                self.input.failures += 1;
                if self.input.failures >= MAX_FAILURES {
                    let name = self.input.getc.take().map(|g| g.provider).unwrap_or_default();
                    self.sys.log(
                        Level::Err,
                        "kernel",
                        format_args!("console input stops: service {name} failed {MAX_FAILURES} times in a row"),
                    );
                    return;
                }
                return self.ask_input();
            }
        }
        self.input.failures = 0;
        self.ask_input();
    }
}
