//! Sockets: walos has none yet, so every descriptor is "not a socket".

use crate::syscall::{Errno, HostCall, SysResult};

fn not_a_socket(c: &HostCall<'_>) -> SysResult {
    c.proc.fds.get(c.u32(0))?;
    Err(Errno::NOTSOCK.into())
}

pub fn sock_accept(c: &mut HostCall<'_>) -> SysResult {
    not_a_socket(c)
}

pub fn sock_recv(c: &mut HostCall<'_>) -> SysResult {
    not_a_socket(c)
}

pub fn sock_send(c: &mut HostCall<'_>) -> SysResult {
    not_a_socket(c)
}

pub fn sock_shutdown(c: &mut HostCall<'_>) -> SysResult {
    not_a_socket(c)
}
