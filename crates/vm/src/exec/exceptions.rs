//! Throwing and catching exceptions.
//!
//! A thrown exception is *in flight* ([`Cx::thrown`]) while the unwinder looks for a
//! handler: in the current frame's handler table first (`CompiledFunc::handlers`, in
//! order: the lowering puts inner blocks first), then in each caller's, at the call it is
//! suspended at. A handler that catches it gets the payload in its slots and, if it asks
//! for one, a reference; execution continues at the handler's target. Nobody catches it:
//! the run ends with [`Trap::Exception`].
//!
//! An exception gets a store address (an [`Exception`] in the store) only when something
//! needs a reference to it: a `catch_ref`/`catch_all_ref` clause, a legacy arm that
//! rethrows, or the caller of the run when nothing catches it. Throwing and catching by
//! tag allocate nothing in the store.

use rill_lower::{HandlerKind, Slot};

use super::{next, Cx, Exit, Op};
use crate::entities::Exception;
use crate::value::Value;
use crate::{HostException, Trap};

/// An exception on its way to a handler.
pub(crate) struct Thrown {
    /// The tag's store address (`None`: a host tag the store does not know).
    tag: Option<u32>,
    payload: Vec<Value>,
    /// Its store address, once it has one.
    address: Option<u32>,
    origin: Option<crate::HostData>,
}

impl Thrown {
    /// An exception a host function threw.
    pub(super) fn from_host(e: HostException) -> Thrown {
        Thrown {
            tag: e.tag,
            payload: e.payload,
            address: None,
            origin: e.origin,
        }
    }
}

/// `throw tag` with the payload at slot `base` of the frame at `fp`, executed at `ip`.
#[inline(never)]
pub(super) fn throw(ip: *const Op, fp: *mut u64, cx: &mut Cx<'_>, base: Slot, tag: u32) -> Exit {
    let at = cx.frame_index(fp);
    raise(cx, at + base as usize, tag);
    let pc = pc_of(cx, ip);
    unwind_and_continue(cx, pc, at)
}

/// Puts an exception of the instance's tag `tag` in flight, its payload from register
/// `base`. Not inlined: the payload's vector must not be alive where the unwinder
/// dispatches (a value with a destructor there turns the dispatch into a real call).
#[inline(never)]
fn raise(cx: &mut Cx<'_>, base: usize, tag: u32) {
    let address = cx.inst.tags[tag as usize];
    let inner = cx.inner_ref();
    let params = &inner.tags[address as usize].ty.params;
    let payload =
        crate::exec_simd::read_values(&inner.stack.regs, &inner.stack.vregs, base, params);
    cx.thrown = Some(Thrown {
        tag: Some(address),
        payload,
        address: None,
        origin: None,
    });
}

/// `throw_ref` of the exception at store address `e`, executed at `ip`.
#[inline(never)]
pub(super) fn throw_ref(ip: *const Op, fp: *mut u64, cx: &mut Cx<'_>, e: u32) -> Exit {
    let at = cx.frame_index(fp);
    raise_again(cx, e);
    let pc = pc_of(cx, ip);
    unwind_and_continue(cx, pc, at)
}

/// Puts the exception at store address `e` in flight again (see [`raise`]).
#[inline(never)]
pub(super) fn raise_again(cx: &mut Cx<'_>, e: u32) {
    let exn = &cx.inner_ref().exceptions[e as usize];
    let thrown = Thrown {
        tag: exn.tag,
        payload: exn.payload.to_vec(),
        address: Some(e),
        origin: exn.origin.clone(),
    };
    cx.thrown = Some(thrown);
}

/// A host function called at `ip` threw the exception in [`Cx::thrown`]; `tail`: it was
/// a tail call, so the calling frame is gone already.
#[inline(never)]
pub(super) fn host_threw(ip: *const Op, fp: *mut u64, cx: &mut Cx<'_>, tail: bool) -> Exit {
    let (pc, at) = if tail {
        match to_caller(cx) {
            Some(caller) => caller,
            None => return Exit::Trap,
        }
    } else {
        (pc_of(cx, ip), cx.frame_index(fp))
    };
    unwind_and_continue(cx, pc, at)
}

/// The index of instruction `ip` in the running function.
fn pc_of(cx: &Cx<'_>, ip: *const Op) -> usize {
    // SAFETY: `ip` points into the running function's code.
    unsafe { ip.offset_from(cx.code.ops.as_ptr()) as usize }
}

/// Unwinds from instruction `pc` of the frame at register index `at`, and continues at
/// the handler (or ends the run).
#[inline(always)]
fn unwind_and_continue(cx: &mut Cx<'_>, pc: usize, at: usize) -> Exit {
    let (target, at) = unwind(cx, pc, at);
    if target == usize::MAX {
        return Exit::Trap;
    }
    let fp = cx.frame_ptr(at);
    let (mem, len) = cx.mem0();
    // SAFETY: handler targets are inside the code (`verify`).
    let ip = unsafe { cx.code.ops.as_ptr().add(target) };
    next!(ip, fp, mem, len, cx)
}

/// Finds the handler for the exception in flight, from instruction `pc` of the frame at
/// `at` outwards, and delivers the exception to it: `(target, frame)` to continue at, or
/// `(usize::MAX, _)` after recording the trap if nothing catches it. (Two words come back
/// in registers: see the dispatch rule in `exec`.)
#[inline(never)]
fn unwind(cx: &mut Cx<'_>, mut pc: usize, mut at: usize) -> (usize, usize) {
    loop {
        if let Some(found) = search(cx, pc, at) {
            return found;
        }
        match to_caller(cx) {
            Some((p, a)) => (pc, at) = (p, a),
            None => return (usize::MAX, 0),
        }
    }
}

/// The running function's handler for the exception in flight, thrown at instruction `pc`
/// (see [`unwind`]).
#[inline(always)]
fn search(cx: &mut Cx<'_>, pc: usize, at: usize) -> Option<(usize, usize)> {
    let code = cx.code;
    let mut limit = u16::MAX;
    for h in code.func.handlers.iter() {
        if !(h.start as usize..h.end as usize).contains(&pc) || h.depth > limit {
            continue;
        }
        match h.kind {
            HandlerKind::Delegate { depth } => limit = depth,
            HandlerKind::Catch {
                tag,
                values,
                arity,
                exn,
                target,
            } => {
                let thrown = cx.thrown.as_ref().expect("an exception in flight");
                if let Some(t) = tag {
                    if thrown.tag != Some(cx.inst.tags[t as usize]) {
                        continue;
                    }
                    debug_assert_eq!(thrown.payload.len(), usize::from(arity));
                }
                if deliver(cx, at, tag.is_some(), values, exn) {
                    return Some((target as usize, at));
                }
                return Some((usize::MAX, 0));
            }
        }
    }
    None
}

/// Leaves the running function for its caller: the caller's call instruction and frame,
/// or `None` after recording the trap if the run's entry function is the one left.
#[inline(always)]
fn to_caller(cx: &mut Cx<'_>) -> Option<(usize, usize)> {
    let Some(f) = cx.frames.pop() else {
        let e = store_exception(cx);
        cx.trap(Trap::Exception(e));
        return None;
    };
    // SAFETY: as in `slow::ret`.
    let (code, inst) = unsafe { f.parts() };
    cx.code = code;
    cx.inst = inst;
    // The caller is suspended after its call instruction.
    Some((pc_of(cx, f.ip) - 1, f.fp))
}

/// Writes the exception in flight to the handler's slots of the frame at `at`: its payload
/// from `values` (if the handler names a tag) and its reference to `exn`. `false` after
/// recording a trap (the vector registers over their limit).
fn deliver(cx: &mut Cx<'_>, at: usize, payload: bool, values: Slot, exn: Option<Slot>) -> bool {
    if let Some(s) = exn {
        let e = store_exception(cx);
        cx.inner().stack.regs[at + s as usize] = u64::from(e) + 1;
    }
    let thrown = cx.thrown.take().expect("an exception in flight");
    if payload {
        for (i, v) in thrown.payload.into_iter().enumerate() {
            let slot = at + values as usize + i;
            let stack = &mut cx.inner().stack;
            if let Err(t) =
                crate::exec_simd::write_value(&mut stack.regs, &mut stack.vregs, slot, v)
            {
                cx.trap(t);
                return false;
            }
        }
    }
    true
}

/// The store address of the exception in flight, giving it one if it has none yet.
fn store_exception(cx: &mut Cx<'_>) -> u32 {
    let thrown = cx.thrown.as_ref().expect("an exception in flight");
    if let Some(a) = thrown.address {
        return a;
    }
    let exception = Exception {
        tag: thrown.tag,
        payload: thrown.payload.clone().into_boxed_slice(),
        origin: thrown.origin.clone(),
    };
    let exceptions = &mut cx.inner().exceptions;
    exceptions.push(exception);
    let a = exceptions.len() as u32 - 1;
    cx.thrown.as_mut().expect("an exception in flight").address = Some(a);
    a
}
