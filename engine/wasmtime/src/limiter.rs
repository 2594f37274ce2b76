//! wasmtime's resource limiter over the engine-independent [`Quota`].

use walos_engine::Quota;
use wasmtime::{ResourceLimiter, Result};

/// A store's limiter: every decision is its [`Quota`]'s.
pub struct Limiter(pub Quota);

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool> {
        Ok(self.0.memory_growing(current, desired, maximum))
    }

    fn memory_grow_failed(&mut self, _: wasmtime::Error) -> Result<()> {
        self.0.memory_grow_failed();
        Ok(())
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool> {
        Ok(self.0.table_growing(current, desired, maximum))
    }

    fn table_grow_failed(&mut self, _: wasmtime::Error) -> Result<()> {
        self.0.table_grow_failed();
        Ok(())
    }

    fn instances(&self) -> usize {
        Quota::COUNT_LIMIT
    }

    fn tables(&self) -> usize {
        Quota::COUNT_LIMIT
    }

    fn memories(&self) -> usize {
        Quota::COUNT_LIMIT
    }
}
