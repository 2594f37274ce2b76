//! The Linux loader's timer: a thread that ticks an epoch engine's
//! [`Ticker`] every [`TICK`] for as long as the kernel runs, as the timer
//! interrupt does on bare metal. Under fuel there is nothing to tick.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use walos_engine::{Engine, Ticker};

/// The period of a tick: with the kernel's default of 2 ticks a slice, a
/// CPU-bound process keeps the CPU for 1 to 2 ms at a time.
pub const TICK: Duration = Duration::from_millis(1);

/// A running timer thread; dropping it stops the thread.
pub struct Timer {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Timer {
    /// Drives `engine`'s ticker, if it has one (it preempts by epoch).
    pub fn drive(engine: &dyn Engine) -> Option<Timer> {
        engine.ticker().map(Timer::start)
    }

    /// Ticks `ticker` every [`TICK`] from a thread of its own.
    pub fn start(ticker: Ticker) -> Timer {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("walos-timer".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    ticker.tick();
                }
            })
            .expect("a thread for the timer");
        Timer { stop, thread: Some(thread) }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn the_timer_ticks_until_it_is_dropped() {
        let ticks = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&ticks);
        let timer = Timer::start(Ticker::new(move || {
            counted.fetch_add(1, Ordering::Relaxed);
        }));
        std::thread::sleep(TICK * 20);
        drop(timer);
        let seen = ticks.load(Ordering::Relaxed);
        assert!(seen >= 1, "no tick in 20 periods");
        std::thread::sleep(TICK * 5);
        assert_eq!(ticks.load(Ordering::Relaxed), seen, "a tick after the timer stopped");
    }
}
