//! Calls of host functions from wasm, made in place by the call's handler.
//!
//! [`Cx`] reaches the store's parts (functions, memories, register files, ...) through one
//! pointer, `Cx::inner`; a host function gets the whole store. So a host call, in this
//! order: reads its arguments through `Cx`, stops using `Cx::inner`, marks the calling
//! frame's end as the base for calls the host function makes (the register files are the
//! store's, so nested calls run above the caller's frames), calls the host function with
//! the whole store (through `Cx::store`, the raw pointer `inner` was derived from), checks
//! the store is still the same one (a host function may replace it), and derives `inner`
//! again ([`Cx::reattach`]). Nothing borrowed from the store before the call is used
//! after it.

use std::ptr::NonNull;
use std::sync::Arc;

use rill_lower::Slot;

use super::{Code, Cx, ErasedStore, Frame};
use crate::entities::{
    value_fits, FuncEntity, FuncKind, Instance, InstanceData, StoreInner, RAW_SLOTS,
};
use crate::value::Value;
use crate::Trap;

/// A host function call made by a handler.
#[derive(Clone, Copy)]
struct HostCall {
    /// The function's store address.
    f: u32,
    /// The calling frame's register index.
    at: usize,
    /// Slot of the first argument.
    base: Slot,
    /// A tail call: the results go to the frame's first slots.
    tail: bool,
}

impl<'s> Cx<'s> {
    /// A context for running `entry` (a wasm function) in the store at `raw`.
    ///
    /// # Safety
    /// `raw` points at a live store that nothing else uses for as long as the context
    /// lives, except through the context.
    pub(crate) unsafe fn attach(
        raw: *mut (dyn ErasedStore + 's),
        frames: &'s mut Vec<Frame>,
        entry: u32,
    ) -> Cx<'s> {
        // SAFETY: the caller's contract.
        let inner: &'s mut StoreInner = unsafe { &mut *((*raw).inner() as *mut StoreInner) };
        let outer_depth = inner.stack.depth;
        let FuncKind::Wasm { instance, code } = &inner.funcs[entry as usize].kind else {
            unreachable!("invoke calls host functions directly")
        };
        let code: NonNull<Code> = NonNull::from(&**code);
        let inst: NonNull<InstanceData> = NonNull::from(&*inner.instances[*instance as usize]);
        Cx {
            thrown: None,
            frames,
            max_frames: inner.max_call_depth.saturating_sub(outer_depth),
            outer_depth,
            max_regs: inner.max_registers,
            ticks: crate::interrupt::CHECK_INTERVAL,
            checks: crate::interrupt::Checks {
                // SAFETY: the flag is in its own allocation, which the store keeps (behind
                // an `Arc`) for as long as it lives; it is only ever read through shared
                // references.
                flag: unsafe { &*Arc::as_ptr(&inner.interrupt) },
                deadline: inner.deadline,
            },
            fuel: inner.fuel.unwrap_or(u64::MAX),
            out_of_fuel: None,
            store: raw,
            id: inner.id,
            // SAFETY: the entry function's code and instance, kept by the store (behind
            // `Arc`s) for as long as it lives.
            code: unsafe { code.as_ref() },
            inst: unsafe { inst.as_ref() },
            trap: None,
            resume: (
                std::ptr::null(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                0,
            ),
            inner: NonNull::from(inner),
        }
    }

    /// Derives the store pointer again, after a host call had the store.
    ///
    /// # Safety
    /// The store at `self.store` is the one the context was attached to (its id checked),
    /// and nothing borrowed from the store before the call is used again.
    #[inline(always)]
    unsafe fn reattach(&mut self) {
        // SAFETY: the caller's contract; as in `attach`.
        let inner: &'s mut StoreInner = unsafe { &mut *((*self.store).inner() as *mut StoreInner) };
        // A host function may have refuelled, and calls it made have used fuel.
        self.fuel = inner.fuel.unwrap_or(u64::MAX);
        // `checks` stays: its flag is in the interrupt flag's own allocation (behind an
        // `Arc` the store keeps, not in the store's memory), and a deadline set meanwhile
        // is for calls made after it.
        self.inner = NonNull::from(inner);
    }
}

/// Arguments and results of a host call, together, up to this many stay on the native
/// stack.
const INLINE: usize = 6;

/// How a host call ended, for the handler that made it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
    /// With its results, in place.
    Returned,
    /// With an exception, now in flight ([`Cx::thrown`]).
    Threw,
    /// With a trap, recorded ([`Cx::trap`]).
    Trapped,
}

/// Calls host function `f` from the frame at `at`, the results written where the call
/// expects them. A function of numbers only gets its values as raw slots (copied, no
/// [`Value`] made); others as values.
///
/// Takes the call's fields one by one and returns a one-byte [`Ended`]: a struct passed or
/// returned by value would be a local whose address escapes, and the handler's dispatch
/// after the call would no longer be a jump. Not inlined: the handler that calls it ends
/// by dispatching, which the locals here would stop from being a jump.
#[inline(never)]
pub(super) fn call(cx: &mut Cx<'_>, f: u32, at: usize, base: Slot, tail: bool) -> Ended {
    let call = HostCall { f, at, base, tail };
    let func = &cx.funcs()[call.f as usize];
    let FuncKind::Host { index, raw } = func.kind else {
        unreachable!("a host function")
    };
    let outcome = match raw {
        Some(entry) => call_raw(cx, call, index, entry),
        None => call_values(cx, call, index),
    };
    match outcome {
        Ok(()) => Ended::Returned,
        Err(t) => {
            if failed(cx, t) {
                Ended::Threw
            } else {
                Ended::Trapped
            }
        }
    }
}

/// [`call`] for a function of numbers only (see
/// [`raw_callable`](crate::entities::raw_callable)): the argument registers are copied to
/// slots, and the results back.
#[inline(always)]
fn call_raw(
    cx: &mut Cx<'_>,
    call: HostCall,
    h: u32,
    entry: crate::store::RawEntry,
) -> Result<(), Trap> {
    let ty = &cx.funcs()[call.f as usize].ty;
    let (np, nr) = (ty.params.len(), ty.results.len());
    let from = call.at + call.base as usize;
    // A copy of fixed size is a few vector moves (and nothing to zero first); one of `np`
    // slots a call of `memcpy`.
    let regs = &cx.inner_ref().stack.regs;
    let mut slots: [u64; RAW_SLOTS] = match regs.get(from..from + RAW_SLOTS) {
        Some(regs) => regs.try_into().expect("RAW_SLOTS slots"),
        None => {
            let mut slots = [0; RAW_SLOTS];
            slots[..np].copy_from_slice(&regs[from..from + np]);
            slots
        }
    };
    let slots = &mut slots[..np.max(nr)];
    let out = if call.tail { call.at } else { from };
    let id = cx.id;
    let mut failure = None;
    let returned = lend_store(cx, call, |store, caller| {
        // SAFETY: `entry` was made for this store's type with host function `h` (the
        // store made both; a function is never moved to another store).
        let returned = unsafe { entry(store, h, caller, slots, &mut failure) };
        // The results go in through the store, before `cx` derives its pointer again: read
        // back right after being stored, `cx.regs` stalled the call.
        let inner = store.inner();
        if returned && inner.id == id {
            let regs = &mut inner.stack.regs;
            // One result is the common case; the loop for more is unrolled for many.
            if nr == 1 {
                regs[out] = slots[0];
            } else {
                for (r, s) in regs[out..out + nr].iter_mut().zip(slots.iter()) {
                    *r = *s;
                }
            }
        }
        returned
    })?;
    if !returned {
        return Err(failure.expect("a failure"));
    }
    Ok(())
}

/// [`call`] for a function that takes or returns references or vectors, or many values:
/// its values are made and checked by their types.
#[inline(never)]
fn call_values(cx: &mut Cx<'_>, call: HostCall, h: u32) -> Result<(), Trap> {
    let ty = &cx.funcs()[call.f as usize].ty;
    let n = ty.params.len() + ty.results.len();
    if n > INLINE {
        let mut values = vec![Value::I32(0); n];
        call_with(cx, call, h, &mut values)
    } else {
        let mut values = [Value::I32(0); INLINE];
        call_with(cx, call, h, &mut values[..n])
    }
}

/// [`call`] with room for the arguments and then the results in `values`.
#[inline(always)]
fn call_with(cx: &mut Cx<'_>, call: HostCall, h: u32, values: &mut [Value]) -> Result<(), Trap> {
    let inner = cx.inner_ref();
    let np = read_args(
        &inner.funcs,
        &inner.stack.regs,
        &inner.stack.vregs,
        call,
        values,
    );
    let (args, results) = values.split_at_mut(np);
    lend_store(cx, call, |store, caller| {
        store.call_host(h, caller, args, results)
    })??;
    write_results(cx, call, results)
}

/// Runs `host` with the whole store, which `cx` lends it: `cx`'s pointer to the store is
/// not used until it is derived again after it. Calls the host function makes run
/// above the calling frame, with the frames of this call counted as in use.
#[inline(always)]
fn lend_store<R>(
    cx: &mut Cx<'_>,
    call: HostCall,
    host: impl FnOnce(&mut dyn ErasedStore, Option<Instance>) -> R,
) -> Result<R, Trap> {
    let top = call.at + usize::from(cx.code.func.frame_size);
    let depth = cx.outer_depth + cx.frames.len() + 1;
    let caller = Instance(cx.inst.id);
    let id = cx.id;
    // SAFETY: `cx.store` is the store the run was attached to (see `Cx::attach`); from
    // here until `reattach`, `cx.inner` is not used.
    let store = unsafe { &mut *cx.store };
    if let Some(fuel) = &mut store.inner().fuel {
        *fuel = cx.fuel;
    }
    let stack = &mut store.inner().stack;
    let lent = (stack.base, stack.depth);
    (stack.base, stack.depth) = (top, depth);
    let outcome = host(store, Some(caller));
    let inner = store.inner();
    if inner.id != id {
        return Err(super::replaced());
    }
    (inner.stack.base, inner.stack.depth) = lent;
    // SAFETY: the same store (just checked); the old borrows are not used again.
    unsafe { cx.reattach() };
    Ok(outcome)
}

/// Reads a host call's arguments into `values` and puts the result types' defaults after
/// them: the number of arguments.
#[inline(always)]
fn read_args(
    funcs: &[FuncEntity],
    regs: &[u64],
    vregs: &[crate::simd::V],
    call: HostCall,
    values: &mut [Value],
) -> usize {
    let func = &funcs[call.f as usize];
    let (params, results) = (&*func.ty.params, &*func.ty.results);
    let (args, defaults) = values.split_at_mut(params.len());
    let from = call.at + call.base as usize;
    for (i, (v, t)) in args.iter_mut().zip(params).enumerate() {
        *v = match regs.get(from + i) {
            Some(&raw) if *t != rill_decoder::ValType::V128 => Value::from_raw(raw, *t),
            _ => crate::exec_simd::read_value(regs, vregs, from + i, *t),
        };
    }
    for (v, t) in defaults.iter_mut().zip(results) {
        *v = Value::default_of(*t);
    }
    params.len()
}

/// Checks a host function's results and writes them where the call expects them.
#[inline(always)]
fn write_results(cx: &mut Cx<'_>, call: HostCall, results: &[Value]) -> Result<(), Trap> {
    let types = &cx.funcs()[call.f as usize].ty.results;
    let inner = cx.inner();
    let out = if call.tail {
        call.at
    } else {
        call.at + call.base as usize
    };
    for (i, (v, t)) in results.iter().zip(types.iter()).enumerate() {
        let ok = match v {
            Value::I32(_) | Value::I64(_) | Value::F32(_) | Value::F64(_) => v.matches(*t),
            _ => value_fits(&inner.funcs, &inner.types, inner.exceptions.len(), *v, *t),
        };
        if !ok {
            return Err(crate::store::wrong_result());
        }
        let stack = &mut inner.stack;
        match (v, stack.regs.get_mut(out + i)) {
            (Value::V128(_), _) | (_, None) => {
                crate::exec_simd::write_value(&mut stack.regs, &mut stack.vregs, out + i, *v)?
            }
            (v, Some(slot)) => *slot = v.to_raw(),
        }
    }
    Ok(())
}

/// Puts what a host call ended with in flight (an exception it threw, or one a nested
/// call did not catch): `true`; or records it as the run's trap: `false`.
#[cold]
fn failed(cx: &mut Cx<'_>, t: Trap) -> bool {
    match t {
        Trap::Throw(e) => {
            cx.thrown = Some(super::exceptions::Thrown::from_host(*e));
            true
        }
        // An exception a nested call did not catch, passed on by the host function.
        Trap::Exception(e) if (e as usize) < cx.inner_ref().exceptions.len() => {
            super::exceptions::raise_again(cx, e);
            true
        }
        t => {
            cx.trap(t);
            false
        }
    }
}
