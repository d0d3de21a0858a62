//! Arguments, environment, and the end of the program (`proc_exit`, `proc_raise`).

use std::fmt;

use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::mem::{Mem, Result};

/// `proc_exit(code)`: the guest asked to end with this exit status. It reaches the
/// embedder as the error of the call into wasm, inside [`rill::Error::Host`]; see
/// [`I32Exit::from_error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl I32Exit {
    /// The exit status, if `error` is the end of a `proc_exit`.
    ///
    /// ```
    /// let e: rill::Error = rill::Error::Host(rill::HostError::new(rill_wasi::I32Exit(3)));
    /// assert_eq!(rill_wasi::I32Exit::from_error(&e), Some(3));
    /// ```
    pub fn from_error<E>(error: &rill::Error<E>) -> Option<i32> {
        match error {
            rill::Error::Host(h) => h.downcast_ref::<I32Exit>().map(|e| e.0),
            _ => None,
        }
    }
}

impl fmt::Display for I32Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the program exited with status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// Writes `strings` as `args_get` / `environ_get` do: a pointer per string at `ptrs`, the
/// NUL-terminated strings one after another at `buf`.
fn write_strings<'s>(
    mem: &mut Mem<'_>,
    strings: impl Iterator<Item = std::borrow::Cow<'s, str>>,
    ptrs: u32,
    buf: u32,
) -> Result<()> {
    let (mut ptr, mut at) = (ptrs, buf);
    for s in strings {
        mem.write_u32(ptr, at)?;
        mem.write(at, s.as_bytes())?;
        let end = at.checked_add(s.len() as u32).ok_or(Errno::Fault)?;
        mem.write_u8(end, 0)?;
        at = end.checked_add(1).ok_or(Errno::Fault)?;
        ptr = ptr.checked_add(4).ok_or(Errno::Fault)?;
    }
    Ok(())
}

/// How many strings and how many bytes they take with their NULs.
fn sizes<'s>(
    mem: &mut Mem<'_>,
    strings: impl ExactSizeIterator<Item = std::borrow::Cow<'s, str>>,
    count_ptr: u32,
    size_ptr: u32,
) -> Result<()> {
    let count = strings.len();
    let size: usize = strings.map(|s| s.len() + 1).sum();
    let count = u32::try_from(count).map_err(|_| Errno::Overflow)?;
    let size = u32::try_from(size).map_err(|_| Errno::Overflow)?;
    mem.write_u32(count_ptr, count)?;
    mem.write_u32(size_ptr, size)
}

fn env_strings(ctx: &WasiCtx) -> impl ExactSizeIterator<Item = std::borrow::Cow<'_, str>> {
    ctx.env.iter().map(|(k, v)| format!("{k}={v}").into())
}

pub(crate) fn args_get(ctx: &mut WasiCtx, mem: &mut Mem<'_>, argv: u32, buf: u32) -> Result<()> {
    write_strings(mem, ctx.args.iter().map(|a| a.as_str().into()), argv, buf)
}

pub(crate) fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut Mem<'_>, c: u32, s: u32) -> Result<()> {
    sizes(mem, ctx.args.iter().map(|a| a.as_str().into()), c, s)
}

pub(crate) fn environ_get(ctx: &mut WasiCtx, mem: &mut Mem<'_>, env: u32, buf: u32) -> Result<()> {
    write_strings(mem, env_strings(ctx), env, buf)
}

pub(crate) fn environ_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    c: u32,
    s: u32,
) -> Result<()> {
    sizes(mem, env_strings(ctx), c, s)
}

/// `proc_raise`: rill runs no signal handlers and raises no signals (preview 1 leaves it
/// out of most implementations too).
pub(crate) fn proc_raise(_sig: u32) -> Result<()> {
    Err(Errno::Nosys)
}
