//! `poll_oneoff`: wait for clocks and descriptors.
//!
//! The call is evaluated against the present; if nothing is ready, the
//! process blocks until the earliest clock or console input, and the call is
//! evaluated again. Relative timeouts are turned into deadlines once, on the
//! first evaluation, and kept across retries in [`ProcState::poll_deadlines`].
//!
//! [`ProcState::poll_deadlines`]: crate::process::ProcState::poll_deadlines

use alloc::vec::Vec;

use super::clock;
use super::types::{Abi, EVENT_FD_READWRITE_HANGUP, SUBSCRIPTION_CLOCK_ABSTIME, eventtype};
use crate::fd::{Object, Rights};
use crate::loader::StdStream;
use crate::process::WaitFor;
use crate::syscall::{Errno, HostCall, SysResult};

const EVENT_SIZE: u32 = 32;

/// The most subscriptions one call may have (`EINVAL` beyond): the kernel
/// keeps them all while the caller waits.
const MAX_SUBSCRIPTIONS: u32 = 1 << 16;

/// One subscription, decoded.
#[derive(Debug, Clone, Copy)]
struct Subscription {
    userdata: u64,
    kind: SubscriptionKind,
}

/// What a subscription waits for.
#[derive(Debug, Clone, Copy)]
enum SubscriptionKind {
    Clock {
        id: u32,
        timeout: u64,
        absolute: bool,
    },
    Read(u32),
    Write(u32),
    /// An unknown tag: reported as an `EINVAL` event.
    Invalid,
}

fn read_subscriptions(
    c: &HostCall<'_>,
    ptr: u32,
    count: u32,
    abi: Abi,
) -> Result<Vec<Subscription>, crate::syscall::Stop> {
    let size = abi.subscription_size();
    c.mem.check(ptr, u64::from(size) * u64::from(count), 8)?;
    let mut subs = Vec::with_capacity(count as usize);
    for i in 0..count {
        let at = ptr + i * size;
        let userdata = c.mem.read_u64(at)?;
        let tag = c.mem.read_u8(at + 8)?;
        // Snapshot 0 clocks start with an extra 64-bit identifier.
        let clock = match abi {
            Abi::Preview1 => at + 16,
            Abi::Unstable => at + 24,
        };
        let kind = match tag {
            eventtype::CLOCK => SubscriptionKind::Clock {
                id: c.mem.read_u32(clock)?,
                timeout: c.mem.read_u64(clock + 8)?,
                absolute: c.mem.read_u16(clock + 24)? & SUBSCRIPTION_CLOCK_ABSTIME != 0,
            },
            eventtype::FD_READ => SubscriptionKind::Read(c.mem.read_u32(at + 16)?),
            eventtype::FD_WRITE => SubscriptionKind::Write(c.mem.read_u32(at + 16)?),
            _ => SubscriptionKind::Invalid,
        };
        subs.push(Subscription { userdata, kind });
    }
    Ok(subs)
}

/// An event to report.
struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    hangup: bool,
}

fn poll(c: &mut HostCall<'_>, abi: Abi) -> SysResult {
    let (input, output, count, nevents) = (c.u32(0), c.u32(1), c.u32(2), c.u32(3));
    let remembered = c.proc.poll_deadlines.take();
    if count == 0 || count > MAX_SUBSCRIPTIONS {
        return Err(Errno::INVAL.into());
    }
    let subs = read_subscriptions(c, input, count, abi)?;
    c.mem.check(output, u64::from(EVENT_SIZE) * u64::from(count), 8)?;
    c.mem.check(nevents, 4, 4)?;

    let now = c.sys.now();
    // Deadlines on the monotonic clock, computed on the first evaluation.
    let deadlines: Vec<Option<u64>> = match remembered {
        Some(deadlines) if deadlines.len() == subs.len() => deadlines,
        _ => subs.iter().map(|sub| deadline(c, sub, now)).collect(),
    };

    let mut events = Vec::new();
    let mut wait = WaitFor::default();
    for (sub, deadline) in subs.iter().zip(&deadlines) {
        let event = |kind, error| Event { userdata: sub.userdata, error, kind, nbytes: 0, hangup: false };
        match sub.kind {
            SubscriptionKind::Clock { .. } => match deadline {
                Some(at) if *at <= now => events.push(event(eventtype::CLOCK, Errno::SUCCESS)),
                Some(at) => wait.deadline = Some(wait.deadline.map_or(*at, |d| d.min(*at))),
                None => events.push(event(eventtype::CLOCK, Errno::INVAL)),
            },
            SubscriptionKind::Read(fd) => match readable(c, fd) {
                Ok(Some((nbytes, hangup))) => {
                    events.push(Event { nbytes, hangup, ..event(eventtype::FD_READ, Errno::SUCCESS) })
                }
                Ok(None) => wait.stdin = true,
                Err(errno) => events.push(event(eventtype::FD_READ, errno)),
            },
            SubscriptionKind::Write(fd) => {
                let error = writable(c, fd).err().unwrap_or(Errno::SUCCESS);
                events.push(event(eventtype::FD_WRITE, error));
            }
            SubscriptionKind::Invalid => events.push(event(eventtype::CLOCK, Errno::INVAL)),
        }
    }

    if events.is_empty() {
        c.proc.poll_deadlines = Some(deadlines);
        return Err(c.block(wait));
    }
    for (i, event) in events.iter().enumerate() {
        let at = output + i as u32 * EVENT_SIZE;
        c.mem.write_u64(at, event.userdata)?;
        c.mem.write_u16(at + 8, event.error.0)?;
        c.mem.write_u8(at + 10, event.kind)?;
        c.mem.write_u64(at + 16, event.nbytes)?;
        let flags = if event.hangup { EVENT_FD_READWRITE_HANGUP } else { 0 };
        c.mem.write_u16(at + 24, flags)?;
    }
    c.mem.write_u32(nevents, events.len() as u32)?;
    Ok(())
}

/// When a clock subscription fires, on the monotonic clock; `None` for a
/// clock that cannot be waited on.
fn deadline(c: &HostCall<'_>, sub: &Subscription, now: u64) -> Option<u64> {
    let SubscriptionKind::Clock { id, timeout, absolute } = sub.kind else {
        return None;
    };
    use super::types::clock::{MONOTONIC, REALTIME};
    match (id, absolute) {
        (MONOTONIC | REALTIME, false) => Some(now.saturating_add(timeout)),
        (MONOTONIC, true) => Some(timeout),
        (REALTIME, true) => {
            let real = clock::now(c, REALTIME).ok()?;
            Some(now.saturating_add(timeout.saturating_sub(real)))
        }
        // CPU-time clocks only advance while the process runs, so a process
        // cannot sleep on them.
        _ => None,
    }
}

/// `Ok(Some((bytes available, end of input)))` if a read would not block.
/// A file is always ready, with the bytes left after its position, and
/// "hung up" at its end (as wasmtime reports it).
fn readable(c: &mut HostCall<'_>, fd: u32) -> Result<Option<(u64, bool)>, Errno> {
    let d = c.proc.fds.get(fd)?;
    match &d.object {
        Object::Std(StdStream::Stdin) => {}
        Object::Node(open) if !open.dir && open.readable => {
            d.require(Rights::POLL_FD_READWRITE)?;
            let open = open.clone();
            let size = c.sys.mounts.fs(open.mount)?.stat(open.node)?.size;
            let left = size.saturating_sub(open.offset);
            return Ok(Some((left, left == 0)));
        }
        _ => return Err(Errno::BADF),
    }
    d.require(Rights::POLL_FD_READWRITE)?;
    c.sys.stdin.fill(&mut *c.sys.loader);
    Ok(c.sys.stdin.ready().then(|| (c.sys.stdin.buffered() as u64, c.sys.stdin.at_eof())))
}

/// Console output and files never block.
fn writable(c: &HostCall<'_>, fd: u32) -> Result<(), Errno> {
    let d = c.proc.fds.get(fd)?;
    match &d.object {
        Object::Std(StdStream::Stdout | StdStream::Stderr) => d.require(Rights::POLL_FD_READWRITE),
        Object::Node(open) if !open.dir && open.writable => d.require(Rights::POLL_FD_READWRITE),
        _ => Err(Errno::BADF),
    }
}

pub fn poll_oneoff(c: &mut HostCall<'_>) -> SysResult {
    poll(c, Abi::Preview1)
}

pub fn poll_oneoff_unstable(c: &mut HostCall<'_>) -> SysResult {
    poll(c, Abi::Unstable)
}
