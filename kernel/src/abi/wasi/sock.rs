//! Sockets: walos has none yet, so every descriptor is "not a socket".

use crate::syscall::{Call, Errno, SysResult};

fn not_a_socket(c: &Call<'_>) -> SysResult {
    c.proc.fds.get(c.u32(0))?;
    Err(Errno::NOTSOCK.into())
}

pub fn sock_accept(c: &mut Call<'_>) -> SysResult {
    not_a_socket(c)
}

pub fn sock_recv(c: &mut Call<'_>) -> SysResult {
    not_a_socket(c)
}

pub fn sock_send(c: &mut Call<'_>) -> SysResult {
    not_a_socket(c)
}

pub fn sock_shutdown(c: &mut Call<'_>) -> SysResult {
    not_a_socket(c)
}
