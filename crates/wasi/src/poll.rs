//! Clocks, randomness, `sched_yield` and `poll_oneoff`.

use std::io::Seek;

use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::mem::{Mem, Result};
use crate::table::Desc;
use crate::types::{clockid, event, rights};

pub(crate) fn clock_res_get(ctx: &mut WasiCtx, mem: &mut Mem<'_>, id: u32, out: u32) -> Result<()> {
    now(ctx, id)?;
    mem.write_u64(out, ctx.clocks.resolution())
}

fn now(ctx: &WasiCtx, id: u32) -> Result<u64> {
    match id {
        clockid::REALTIME => Ok(ctx.clocks.realtime()),
        clockid::MONOTONIC => Ok(ctx.clocks.monotonic()),
        clockid::PROCESS_CPUTIME => Ok(ctx.clocks.process_cputime()),
        clockid::THREAD_CPUTIME => Ok(ctx.clocks.thread_cputime()),
        _ => Err(Errno::Inval),
    }
}

pub(crate) fn clock_time_get(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    id: u32,
    _precision: u64,
    out: u32,
) -> Result<()> {
    let t = now(ctx, id)?;
    mem.write_u64(out, t)
}

pub(crate) fn random_get(ctx: &mut WasiCtx, mem: &mut Mem<'_>, buf: u32, len: u32) -> Result<()> {
    let buf = mem.slice_mut(buf, len)?;
    ctx.random.fill(buf).map_err(Errno::from)
}

pub(crate) fn sched_yield() -> Result<()> {
    std::thread::yield_now();
    Ok(())
}

/// One event to report.
struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
}

/// `poll_oneoff`. Descriptors are ready at once: regular files always are, standard input
/// given as bytes has what is left of them, and the host's own streams are reported ready
/// (a read of the host's standard input then waits for it). When no descriptor is polled,
/// the call sleeps until the earliest clock subscription is due and reports it.
pub(crate) fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    subs: u32,
    events: u32,
    n: u32,
    nevents: u32,
) -> Result<()> {
    if n == 0 {
        return Err(Errno::Inval);
    }
    let size = n
        .checked_mul(event::SUBSCRIPTION_SIZE)
        .ok_or(Errno::Fault)?;
    mem.slice(subs, size)?;
    mem.slice(
        events,
        n.checked_mul(event::EVENT_SIZE).ok_or(Errno::Fault)?,
    )?;

    let mut ready = Vec::new();
    // (nanoseconds from now, userdata) of each clock.
    let mut timers: Vec<(u64, u64)> = Vec::new();
    for i in 0..n {
        let at = subs + i * event::SUBSCRIPTION_SIZE;
        let userdata = mem.read_u64(at)?;
        let tag = mem.read_u8(at + 8)?;
        match tag {
            event::CLOCK => {
                let id = mem.read_u32(at + 16)?;
                let timeout = mem.read_u64(at + 24)?;
                let flags = mem.read_u16(at + 40)?;
                match now(ctx, id) {
                    Ok(t) => {
                        let wait = if flags & event::CLOCK_ABSTIME != 0 {
                            timeout.saturating_sub(t)
                        } else {
                            timeout
                        };
                        timers.push((wait, userdata));
                    }
                    Err(error) => ready.push(Event {
                        userdata,
                        error,
                        kind: tag,
                        nbytes: 0,
                    }),
                }
            }
            event::FD_READ | event::FD_WRITE => {
                let fd = mem.read_u32(at + 16)?;
                let (error, nbytes) = match fd_readiness(ctx, fd, tag == event::FD_READ) {
                    Ok(nbytes) => (Errno::Success, nbytes),
                    Err(e) => (e, 0),
                };
                ready.push(Event {
                    userdata,
                    error,
                    kind: tag,
                    nbytes,
                });
            }
            _ => return Err(Errno::Inval),
        }
    }
    let first = timers.iter().map(|t| t.0).min();
    if ready.is_empty() {
        if let Some(wait) = first {
            if wait > 0 {
                ctx.clocks.sleep(wait);
            }
        }
    }
    // Clocks already due (all of them at the earliest time when nothing else is ready).
    let due = if ready.is_empty() { first } else { Some(0) };
    for &(_, userdata) in timers.iter().filter(|t| due.is_some_and(|d| t.0 <= d)) {
        {
            ready.push(Event {
                userdata,
                error: Errno::Success,
                kind: event::CLOCK,
                nbytes: 0,
            });
        }
    }
    for (i, e) in ready.iter().enumerate() {
        let at = events + i as u32 * event::EVENT_SIZE;
        let mut b = [0u8; event::EVENT_SIZE as usize];
        b[0..8].copy_from_slice(&e.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&(e.error as u16).to_le_bytes());
        b[10] = e.kind;
        b[16..24].copy_from_slice(&e.nbytes.to_le_bytes());
        mem.write(at, &b)?;
    }
    mem.write_u32(nevents, ready.len() as u32)
}

/// How many bytes a read would get at once (0 for a write, or when unknown).
fn fd_readiness(ctx: &mut WasiCtx, fd: u32, read: bool) -> Result<u64> {
    let desc = ctx.table.get_mut(fd)?;
    desc.check(rights::POLL_FD_READWRITE)?;
    match desc {
        Desc::Stdin(input) if read => Ok(input.available()),
        Desc::File(f) if read => {
            let size = f.file.metadata().map_err(Errno::from)?.len();
            let pos = f.file.stream_position().map_err(Errno::from)?;
            Ok(size.saturating_sub(pos))
        }
        Desc::Dir(_) => Err(Errno::Isdir),
        _ => Ok(0),
    }
}
