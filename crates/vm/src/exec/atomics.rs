//! The threads proposal's atomic accesses (`Instr::Atomic`, see [`AtomicOp`]).
//!
//! A store runs on one thread at a time and no memory is shared between stores yet, so an
//! atomic access is an ordinary access of the memory's bytes, made under the same exclusive
//! borrow of the store as every other access: nothing else can observe the memory
//! meanwhile, which makes every access sequentially consistent. For the same reason a
//! `memory.atomic.wait` that finds the expected value can only time out (no other thread
//! can notify it), and `memory.atomic.notify` finds no waiter.

use std::time::{Duration, Instant};

use rill_lower::{AtomicOp, AtomicSite, Instr, Slot};

use super::handlers::{get, set};
use super::Cx;
use crate::interrupt::Checks;
use crate::Trap;

/// Executes an `Atomic` instruction in the frame at `fp`; `false` after recording a trap.
#[inline(never)]
pub(super) fn atomic(cx: &mut Cx<'_>, fp: *mut u64, instr: &Instr) -> bool {
    let Instr::Atomic { d, p, v, site } = *instr else {
        unreachable!("an atomic instruction")
    };
    match atomic_checked(cx, fp, d, p, v, site) {
        Ok(()) => true,
        Err(t) => {
            cx.trap(t);
            false
        }
    }
}

fn atomic_checked(
    cx: &mut Cx<'_>,
    fp: *mut u64,
    d: Slot,
    p: Slot,
    v: Slot,
    site: u32,
) -> Result<(), Trap> {
    let AtomicSite {
        memory,
        offset,
        op,
        bytes,
    } = cx.code.func.atomic_sites[site as usize];
    let checks = cx.checks;
    let address = cx.inst.memories[memory as usize];
    let m = &mut cx.inner().memories[address as usize];
    let n = usize::from(bytes);
    let ea = get!(fp, p)
        .checked_add(offset)
        .ok_or(Trap::MemoryOutOfBounds)?;
    if ea % n as u64 != 0 {
        return Err(Trap::UnalignedAtomic);
    }
    let at = usize::try_from(ea)
        .ok()
        .filter(|a| a.checked_add(n).is_some_and(|end| end <= m.data.len()))
        .ok_or(Trap::MemoryOutOfBounds)?;
    let shared = m.ty.shared;
    let cell = &mut m.data[at..at + n];
    let old = read_le(cell);
    let mask = if n == 8 { u64::MAX } else { (1 << (8 * n)) - 1 };
    let value = get!(fp, v) & mask;
    let mut write = |x: u64| write_le(cell, x & mask);
    let result = match op {
        AtomicOp::Load => old,
        AtomicOp::Store => {
            write(value);
            return Ok(());
        }
        AtomicOp::Add => {
            write(old.wrapping_add(value));
            old
        }
        AtomicOp::Sub => {
            write(old.wrapping_sub(value));
            old
        }
        AtomicOp::And => {
            write(old & value);
            old
        }
        AtomicOp::Or => {
            write(old | value);
            old
        }
        AtomicOp::Xor => {
            write(old ^ value);
            old
        }
        AtomicOp::Xchg => {
            write(value);
            old
        }
        AtomicOp::Cmpxchg => {
            if old == value {
                write(get!(fp, v + 1));
            }
            old
        }
        AtomicOp::Wait => {
            if !shared {
                return Err(Trap::ExpectedSharedMemory);
            }
            if old != value {
                1
            } else {
                time_out(checks, get!(fp, v + 1) as i64)?
            }
        }
        // No waiters (see the module documentation), on a shared memory or not.
        AtomicOp::Notify => 0,
    };
    set!(fp, d, result);
    Ok(())
}

/// The bytes of `cell` (1 to 8) as a little-endian number.
fn read_le(cell: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b[..cell.len()].copy_from_slice(cell);
    u64::from_le_bytes(b)
}

/// Writes the low bytes of `x` to `cell`, little-endian.
fn write_le(cell: &mut [u8], x: u64) {
    let n = cell.len();
    cell.copy_from_slice(&x.to_le_bytes()[..n]);
}

/// A `memory.atomic.wait` nothing can wake: waits out `timeout` nanoseconds (forever if
/// negative) and returns 2 ("timed out"), looking at the store's interrupt flag and
/// deadline every few milliseconds, which end the wait with their trap.
fn time_out(checks: Checks<'_>, timeout: i64) -> Result<u64, Trap> {
    const SLICE: Duration = Duration::from_millis(5);
    let end = u64::try_from(timeout)
        .ok()
        .and_then(|ns| Instant::now().checked_add(Duration::from_nanos(ns)));
    loop {
        checks.check()?;
        let left = match end {
            Some(end) => end.saturating_duration_since(Instant::now()),
            None => SLICE,
        };
        if left.is_zero() {
            return Ok(2);
        }
        std::thread::sleep(left.min(SLICE));
    }
}
