//! The `sock_*` functions. rill hands the guest no sockets (preview 1 can only use
//! sockets given to it, and no embedding gives any), so an open descriptor is never one
//! (`notsock`), and a closed one is `badf`.

use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::mem::Result;

pub(crate) fn not_a_socket(ctx: &mut WasiCtx, fd: u32) -> Result<()> {
    ctx.table.get(fd)?;
    Err(Errno::Notsock)
}
