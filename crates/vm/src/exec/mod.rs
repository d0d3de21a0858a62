//! The interpreter.
//!
//! # Dispatch
//!
//! Each instruction of a loaded function is paired with its *handler* ([`Op`]): a small
//! function that executes that one instruction and then dispatches to the next one. The
//! interpreter's hot state travels in the handlers' arguments, so it stays in machine
//! registers: the instruction pointer, the frame base (a pointer to the current frame's
//! slots), and the base and length of the current instance's memory 0. Everything else
//! (the store, the call stack of suspended frames, the current function and instance) is in
//! [`Cx`], behind the last argument.
//!
//! How a handler passes control on (`next!`) depends on the build (`build.rs`):
//!
//! - *tail dispatch* (optimised builds on x86_64 and aarch64): the handler ends by calling
//!   the next handler in tail position. Every handler has the same signature and nothing
//!   left to do after that call, so the optimiser turns it into a jump: each instruction
//!   ends in its own indirect jump, which predicts far better than one shared jump, and the
//!   native stack does not grow. `tests::dispatch_does_not_grow_the_stack` runs every
//!   handler millions of times on a small stack to check that this holds.
//! - *loop dispatch* (debug builds, Miri, other targets, or `RILL_DISPATCH=loop`): the
//!   handler stores the state in [`Cx`] and returns; a loop calls the next handler.
//!
//! Wasm calls never recurse on the Rust stack in either mode: a call pushes a [`Frame`] on a
//! heap vector and continues with the callee's first instruction.
//!
//! # Host calls
//!
//! A handler calls a host function in place (`host.rs`): it lends the register file back
//! to the store (a nested call puts its frames above the caller's), gives the host
//! function the whole store through its [`Caller`](crate::Caller), then derives again the
//! pointer to the store's parts that [`Cx`] holds, and continues after the call. The
//! suspended frames keep pointers to their code and instance, which the store keeps alive
//! (functions and instances are never removed from a store); a host function that
//! replaces the whole store is caught by the store's id before any of them is used again.

mod atomics;
mod exceptions;
mod handlers;
mod host;
mod slow;

use std::ptr::NonNull;
use std::sync::Arc;

use rill_decoder::ValType;
use rill_lower::{CompiledFunc, Instr, TrapCode};

use crate::entities::{
    Exception, FuncEntity, FuncKind, InstanceData, Stack, StoreInner, MAX_NESTED_CALLS,
    NATIVE_STACK_BUDGET, NATIVE_STACK_RED_ZONE, NATIVE_STACK_SEGMENT,
};
use crate::store::ErasedStore;
use crate::value::Value;
use crate::Trap;

/// Executes the instruction at `ip` (the frame's slots at `fp`, memory 0 at `mem..mem +
/// len`) and everything after it until the run ends.
pub(crate) type Handler = for<'a, 's> fn(
    ip: *const Op,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: &'a mut Cx<'s>,
) -> Exit;

/// An instruction and its handler.
#[derive(Clone, Copy)]
pub(crate) struct Op {
    pub(crate) handler: Handler,
    pub(crate) instr: Instr,
}

/// A function ready to run: its instructions paired with their handlers, and the lowering's
/// description of its frame and side tables (whose `code` is left empty: `ops` has it).
pub(crate) struct Code {
    pub(crate) ops: Box<[Op]>,
    pub(crate) func: CompiledFunc,
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Code")
            .field("ops", &self.ops.len())
            .field("frame_size", &self.func.frame_size)
            .finish()
    }
}

impl Code {
    /// Bytes of memory the function's code takes (instructions with their handlers, and the
    /// side tables).
    pub(crate) fn size_bytes(&self) -> usize {
        self.ops.len() * std::mem::size_of::<Op>() + self.func.size_bytes()
    }
}

/// How a run of handlers ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// The entry function returned; its results are in the first slots.
    Done,
    /// A trap, stored in [`Cx::trap`].
    Trap,
    /// Loop dispatch only: continue with the state in [`Cx::resume`].
    #[cfg_attr(rill_tail_dispatch, allow(dead_code))]
    Continue,
}

/// A suspended caller.
pub(crate) struct Frame {
    /// Its function's code and instance. The store keeps both alive behind `Arc`s for as
    /// long as it lives, and neither changes.
    code: NonNull<Code>,
    inst: NonNull<InstanceData>,
    /// The instruction to resume at.
    ip: *const Op,
    /// The frame's first slot, as an index into the register file.
    fp: usize,
}

impl Frame {
    pub(crate) fn new(code: &Code, inst: &InstanceData, ip: *const Op, fp: usize) -> Frame {
        Frame {
            code: NonNull::from(code),
            inst: NonNull::from(inst),
            ip,
            fp,
        }
    }

    /// The frame's code and instance.
    ///
    /// # Safety
    /// The store the frame was made in must still be the one running (see [`run`]), and
    /// `'s` no longer than the borrow of it that the caller holds.
    #[inline(always)]
    pub(crate) unsafe fn parts<'s>(&self) -> (&'s Code, &'s InstanceData) {
        // SAFETY: the caller's contract; the store never removes a function or instance.
        unsafe { (self.code.as_ref(), self.inst.as_ref()) }
    }
}

/// Everything a handler may need beyond the state in its arguments.
pub(crate) struct Cx<'s> {
    /// The store's entities and register files ([`Cx::inner`]): derived from `store` when
    /// the run begins and again after every host call, which has the whole store meanwhile.
    /// One pointer, so that handing the store to a host function and taking it back costs
    /// two stores, not a borrow per part.
    inner: NonNull<StoreInner>,
    /// The exception being thrown, while the unwinder looks for its handler.
    thrown: Option<exceptions::Thrown>,
    frames: &'s mut Vec<Frame>,
    /// Most frames `frames` may hold: the call depth limit less the frames of the calls
    /// this one is nested in.
    max_frames: usize,
    /// Frames of the calls this one is nested in.
    outer_depth: usize,
    /// Most registers the frames may use together.
    max_regs: usize,
    /// Backward branches and calls left before the next look at `checks`.
    ticks: u32,
    /// The store's interrupt flag and deadline.
    checks: crate::interrupt::Checks<'s>,
    /// Fuel left (see `rill_lower::fuel`): the store's, or `u64::MAX` when the store meters
    /// none. The store's copy is brought up to date when a host function or the embedder
    /// may look at it, and this one again after.
    fuel: u64,
    /// Where the code ran out of fuel: the instruction to resume at and its frame (a
    /// register index). The fuel it needed follows from that instruction.
    out_of_fuel: Option<(*const Op, usize)>,
    /// The whole store, for host calls (see `host.rs`); `inner` is derived from it, and
    /// again after every host call.
    store: *mut (dyn ErasedStore + 's),
    /// The store's id when the run began.
    id: crate::entities::StoreId,
    /// The running function and its instance.
    code: &'s Code,
    inst: &'s InstanceData,
    trap: Option<Trap>,
    /// Loop dispatch: the state to continue with after [`Exit::Continue`].
    #[cfg_attr(rill_tail_dispatch, allow(dead_code))]
    resume: (*const Op, *mut u64, *mut u8, usize),
}

impl<'s> Cx<'s> {
    /// The store's entities and register files (`stack.regs`: frame pointers point into
    /// it, and whoever grows it derives them again; `stack.vregs`, indexed like `regs`,
    /// see `exec_simd`).
    #[inline(always)]
    fn inner(&mut self) -> &mut StoreInner {
        // SAFETY: `inner` is the store the run has (see `Cx::attach`; derived again after
        // every host call), and `&mut self` is its only user while the borrow lasts.
        unsafe { self.inner.as_mut() }
    }

    /// [`Cx::inner`], to read.
    #[inline(always)]
    fn inner_ref(&self) -> &StoreInner {
        // SAFETY: as for `inner`.
        unsafe { self.inner.as_ref() }
    }

    /// The store's functions, borrowed for the run: a host call may add functions (the
    /// borrow is not used after one), nothing else changes them.
    #[inline(always)]
    fn funcs(&self) -> &'s [FuncEntity] {
        let funcs: *const [FuncEntity] = self.inner_ref().funcs.as_slice();
        // SAFETY: the functions are in the vector's buffer, not in the store's own memory,
        // and only a host call changes the vector (see above).
        unsafe { &*funcs }
    }

    /// The store's instances, borrowed for the run (as [`Cx::funcs`]).
    #[inline(always)]
    fn instances(&self) -> &'s [Arc<InstanceData>] {
        let instances: *const [Arc<InstanceData>] = self.inner_ref().instances.as_slice();
        // SAFETY: as for `funcs`.
        unsafe { &*instances }
    }

    /// Base and length of the current instance's memory 0 (a dangling base and 0 if it has
    /// none). Derived again after anything that may grow or replace a memory.
    #[inline(always)]
    fn mem0(&mut self) -> (*mut u8, usize) {
        let mem0 = self.inst.mem0 as usize;
        match self.inner().memories.get_mut(mem0) {
            Some(m) => (m.data.as_mut_ptr(), m.data.len()),
            None => (std::ptr::NonNull::dangling().as_ptr(), 0),
        }
    }

    /// The frame pointer for the frame at register index `at`.
    #[inline(always)]
    fn frame_ptr(&mut self, at: usize) -> *mut u64 {
        // SAFETY: `at` is the base of a frame entered with `enter`, so `at < regs.len()` or
        // the frame is empty and `at == regs.len()`; either way the pointer is in bounds or
        // one past the end of the allocation.
        unsafe { self.inner().stack.regs.as_mut_ptr().add(at) }
    }

    /// The register index of frame pointer `fp`.
    #[inline(always)]
    fn frame_index(&self, fp: *mut u64) -> usize {
        // SAFETY: every frame pointer is derived from `regs` by `frame_ptr` after the last
        // time `regs` was resized.
        unsafe { fp.offset_from(self.inner_ref().stack.regs.as_ptr()) as usize }
    }

    /// Records a trap and ends the run.
    #[cold]
    #[inline(never)]
    fn trap(&mut self, t: Trap) -> Exit {
        self.trap = Some(t);
        Exit::Trap
    }

    /// Counts a backward branch or a call: `false` when it is time to look at the interrupt
    /// flag and the deadline ([`slow::tick`]).
    #[inline(always)]
    fn count_tick(&mut self) -> bool {
        // A build made to measure what the checks cost (see build.rs) has none.
        if cfg!(rill_no_interrupt_checks) {
            return true;
        }
        self.ticks -= 1;
        self.ticks != 0
    }
}

/// Continues with the instruction at `$ip`: a tail call of its handler, or (loop dispatch)
/// a return to the loop in `run_handlers`.
macro_rules! next {
    ($ip:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr) => {{
        let ip: *const $crate::exec::Op = $ip;
        #[cfg(rill_tail_dispatch)]
        {
            // SAFETY: `ip` points at an instruction of the running function: the one after
            // a non-branching instruction exists (`verify`: the last one never falls
            // through), and branch targets are inside the code (`verify`).
            let handler = unsafe { (*ip).handler };
            return handler(ip, $fp, $mem, $len, $cx);
        }
        #[cfg(not(rill_tail_dispatch))]
        {
            $cx.resume = (ip, $fp, $mem, $len);
            return $crate::exec::Exit::Continue;
        }
    }};
}
pub(crate) use next;

/// Checks and establishes what the handlers' unchecked accesses rely on, for a function the
/// lowering produced (every function the interpreter runs goes through this, in
/// [`Module`](crate::Module)'s constructor), and pairs each instruction with its handler:
///
/// - every slot an instruction reads or writes in its own frame is below `frame_size`
///   (raised if needed), and `frame_size` covers the results and the constants;
/// - the code is not empty and its last instruction never falls through (a `Trap` is
///   appended otherwise), so the instruction after a non-branching one exists;
/// - every branch target is inside the code, and a `BrTable` is followed by its `len + 1`
///   branches; every exception handler's target is inside the code and its slots inside
///   the frame;
/// - each handler is the one for its instruction's variant (`handlers::handler_of`).
///
/// A violation of the third point is a lowering bug: it panics rather than run unsound code.
pub(crate) fn verify(mut cf: CompiledFunc) -> Code {
    if !cf.code.last().is_some_and(Instr::is_terminator) {
        let mut code = std::mem::take(&mut cf.code).into_vec();
        code.push(Instr::Trap {
            code: TrapCode::Unreachable,
        });
        cf.code = code.into_boxed_slice();
    }
    let bound = cf
        .code
        .iter()
        .map(Instr::slot_bound)
        .chain([usize::from(cf.frame_size), usize::from(cf.results)])
        .max()
        .unwrap_or(0);
    let bound = bound.max(usize::from(cf.locals) + cf.consts.len());
    cf.frame_size = u16::try_from(bound).expect("lowering: frame slots fit u16");
    assert!(cf.locals <= cf.frame_size && cf.params <= cf.locals);
    let len = cf.code.len();
    for (at, instr) in cf.code.iter().enumerate() {
        let mut i = *instr;
        if let Some(&mut off) = i.offset_mut() {
            let target = at as i64 + i64::from(off);
            assert!(
                (0..len as i64).contains(&target),
                "lowering: branch target out of code"
            );
        }
        if let Instr::BrTable { len: n, .. } = *instr {
            let last = at as u64 + u64::from(n) + 1;
            assert!(last < len as u64, "lowering: br_table without its branches");
            for k in at + 1..=last as usize {
                assert!(
                    matches!(cf.code[k], Instr::Br { .. }),
                    "lowering: br_table followed by something else than branches"
                );
            }
        }
    }
    for h in cf.handlers.iter() {
        if let rill_lower::HandlerKind::Catch {
            values,
            arity,
            exn,
            target,
            ..
        } = h.kind
        {
            let slots = usize::from(values) + usize::from(arity);
            let exn = exn.map_or(0, |s| usize::from(s) + 1);
            assert!(
                (target as usize) < len && slots.max(exn) <= cf.frame_size as usize,
                "lowering: exception handler outside the code or the frame"
            );
        }
    }
    let ops = std::mem::take(&mut cf.code)
        .iter()
        .map(|&instr| Op {
            handler: handlers::handler_of(&instr),
            instr,
        })
        .collect();
    Code { ops, func: cf }
}

/// Calls function `f` (store address) with `args`, its results written to `results`
/// (as many as it has). Nested in a host function's call, the frames go above the
/// caller's in the same register file.
#[inline(always)]
pub(crate) fn invoke(
    store: &mut dyn ErasedStore,
    f: u32,
    args: &[Value],
    results: &mut [Value],
) -> Result<(), Trap> {
    invoke_inner(store, Start::Call(f), &mut Values { args, results }, None)
}

/// [`invoke`] with the arguments and results as raw slots (the register encoding), for a
/// caller that checked the function's type once (a typed call): no value is made or
/// checked.
#[inline(always)]
pub(crate) fn invoke_raw(
    store: &mut dyn ErasedStore,
    f: u32,
    args: &[u64],
    results: &mut [u64],
) -> Result<(), Trap> {
    invoke_inner(store, Start::Call(f), &mut RawSlots { args, results }, None)
}

/// Like [`invoke`], for a call that may run out of fuel and be resumed: then the call's
/// state comes back instead of the trap (when the call is not nested in a host function's:
/// those stop with [`Trap::OutOfFuel`] as any other call does).
pub(crate) fn invoke_resumable(
    store: &mut dyn ErasedStore,
    f: u32,
    args: &[Value],
    results: &mut [Value],
) -> Result<Option<Box<Suspension>>, Trap> {
    let mut suspended = None;
    let io = &mut Values { args, results };
    invoke_inner(store, Start::Call(f), io, Some(&mut suspended))?;
    Ok(suspended)
}

/// Continues a call that ran out of fuel, in the store it ran in, where it stopped.
pub(crate) fn resume(
    store: &mut dyn ErasedStore,
    suspended: Box<Suspension>,
    results: &mut [Value],
) -> Result<Option<Box<Suspension>>, Trap> {
    let stack = &store.inner().stack;
    if stack.nesting > 0 {
        return Err(Trap::host(
            "a call that ran out of fuel cannot be resumed inside a host function's call",
        ));
    }
    let mut again = None;
    let io = &mut Values { args: &[], results };
    invoke_inner(store, Start::Resume(suspended), io, Some(&mut again))?;
    Ok(again)
}

/// A call's arguments and the room for its results, in the form the embedder holds them.
trait CallValues {
    /// Writes the arguments to the register files from register `base`.
    fn write_args(&self, stack: &mut Stack, base: usize) -> Result<(), Trap>;
    /// Reads the results, of types `types`, from the register files from register `base`.
    fn read_results(&mut self, stack: &Stack, base: usize, types: &[ValType]);
    /// Calls host function `f` (host index `h`) with the arguments, for the embedder.
    fn call_host(&mut self, store: &mut dyn ErasedStore, f: u32, h: u32) -> Result<(), Trap>;
}

/// Typed values: [`invoke`]'s.
struct Values<'a> {
    args: &'a [Value],
    results: &'a mut [Value],
}

impl CallValues for Values<'_> {
    #[inline(always)]
    fn write_args(&self, stack: &mut Stack, base: usize) -> Result<(), Trap> {
        let mut written = Ok(());
        for (i, v) in self.args.iter().enumerate() {
            written = written.and(crate::exec_simd::write_value(
                &mut stack.regs,
                &mut stack.vregs,
                base + i,
                *v,
            ));
        }
        written
    }

    #[inline(always)]
    fn read_results(&mut self, stack: &Stack, base: usize, types: &[ValType]) {
        for (i, (r, t)) in self.results.iter_mut().zip(types.iter()).enumerate() {
            *r = crate::exec_simd::read_value(&stack.regs, &stack.vregs, base + i, *t);
        }
    }

    #[inline(always)]
    fn call_host(&mut self, store: &mut dyn ErasedStore, f: u32, h: u32) -> Result<(), Trap> {
        call_host_directly(store, f, h, self.args, self.results)
    }
}

/// Raw slots: [`invoke_raw`]'s.
struct RawSlots<'a> {
    args: &'a [u64],
    results: &'a mut [u64],
}

impl CallValues for RawSlots<'_> {
    #[inline(always)]
    fn write_args(&self, stack: &mut Stack, base: usize) -> Result<(), Trap> {
        let end = base + self.args.len();
        if end > stack.regs.len() {
            stack.regs.resize(end, 0);
        }
        stack.regs[base..end].copy_from_slice(self.args);
        Ok(())
    }

    #[inline(always)]
    fn read_results(&mut self, stack: &Stack, base: usize, _: &[ValType]) {
        for (r, s) in self.results.iter_mut().zip(&stack.regs[base..]) {
            *r = *s;
        }
    }

    /// Rare (a typed call of a host function): made values by the function's type.
    #[inline(never)]
    fn call_host(&mut self, store: &mut dyn ErasedStore, f: u32, h: u32) -> Result<(), Trap> {
        let ty = store.inner().funcs[f as usize].ty.clone();
        let args: Vec<Value> = (self.args.iter().zip(ty.params.iter()))
            .map(|(a, t)| Value::from_raw(*a, *t))
            .collect();
        let mut results: Vec<Value> = ty.results.iter().map(|t| Value::default_of(*t)).collect();
        call_host_directly(store, f, h, &args, &mut results)?;
        for (r, v) in self.results.iter_mut().zip(results) {
            *r = v.to_raw();
        }
        Ok(())
    }
}

/// How a run of wasm starts.
enum Start {
    /// A call of function `f` (store address).
    Call(u32),
    /// Where a call that ran out of fuel stopped.
    Resume(Box<Suspension>),
}

/// A call that ran out of fuel, suspended: everything it needs to go on, taken out of the
/// store so that the store can run other calls meanwhile.
pub(crate) struct Suspension {
    /// The store it runs in: its code and instances are what the pointers below point to.
    pub(crate) store: crate::entities::StoreId,
    /// The function called (store address), for its result types.
    pub(crate) entry: u32,
    /// The fuel the instruction it stopped at needs.
    pub(crate) needed: u64,
    /// The suspended callers, and the running function's code, instance, instruction and
    /// frame (a register index).
    frames: Vec<Frame>,
    code: NonNull<Code>,
    inst: NonNull<InstanceData>,
    ip: *const Op,
    fp: usize,
    /// The call's registers.
    regs: Vec<u64>,
    vregs: Vec<crate::simd::V>,
}

// SAFETY: the pointers are only used by `resume`, given the store whose id the suspension
// carries (checked by `SuspendedCall::resume`): they point at code and instances that store
// keeps alive behind `Arc`s and never changes, and that store is borrowed mutably for the
// run, as for any call. Nothing else in a suspension is tied to a thread.
unsafe impl Send for Suspension {}

#[inline(never)]
fn invoke_inner<V: CallValues>(
    store: &mut dyn ErasedStore,
    start: Start,
    io: &mut V,
    suspended: Option<&mut Option<Box<Suspension>>>,
) -> Result<(), Trap> {
    let stack = &mut store.inner().stack;
    // Where the native stack is: nested calls count what they take from the outermost.
    // Host functions too: one that calls host functions (itself, say, handed to it as a
    // `funcref` by wasm) recurses on the native stack without a wasm frame in between.
    let marker = 0u8;
    let here = std::hint::black_box(&marker) as *const u8 as usize;
    let nested = stack.nesting > 0;
    if !nested {
        stack.origin = here;
    } else if stack.nesting >= MAX_NESTED_CALLS
        || (!can_grow_stack() && stack.origin.abs_diff(here) > NATIVE_STACK_BUDGET)
    {
        return Err(Trap::StackExhausted);
    }
    stack.nesting += 1;
    // Only the outermost call can be suspended: a nested one has a host function's native
    // frames under it.
    let suspended = if nested { None } else { suspended };
    let outcome = if nested {
        grow_stack_if_needed(|| activation(store, start, io, suspended))
    } else {
        activation(store, start, io, suspended)
    };
    match outcome {
        // The call stack is back in order: the host function's panic goes on.
        Err(Trap::HostPanic(p)) => p.resume(),
        r => r,
    }
}
/// Whether nested calls can continue on a new stack segment here (stacker knows this
/// thread's stack bounds; not under Miri, which cannot switch stacks).
fn can_grow_stack() -> bool {
    cfg!(not(miri)) && stacker::remaining_stack().is_some()
}

/// Runs `f` on the thread's stack if [`NATIVE_STACK_RED_ZONE`] is left, else on a new
/// segment.
fn grow_stack_if_needed<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(not(miri))]
    {
        stacker::maybe_grow(NATIVE_STACK_RED_ZONE, NATIVE_STACK_SEGMENT, f)
    }
    #[cfg(miri)]
    {
        f()
    }
}

/// One call (its nesting counted by the caller): a host function, or a run of wasm.
#[inline(never)]
fn activation<V: CallValues>(
    store: &mut dyn ErasedStore,
    start: Start,
    io: &mut V,
    mut suspended: Option<&mut Option<Box<Suspension>>>,
) -> Result<(), Trap> {
    let inner = store.inner();
    let id = inner.id;
    let stack = &mut inner.stack;
    let base = stack.base;
    let mut written = Ok(());
    let f = match start {
        Start::Call(f) => {
            if let FuncKind::Host { index: h, .. } = inner.funcs[f as usize].kind {
                return io.call_host(store, f, h);
            }
            written = io.write_args(stack, base);
            f
        }
        Start::Resume(ref s) => s.entry,
    };
    // Entering wasm is a check too: a request made while no wasm ran stops it here.
    let checks = crate::interrupt::Checks {
        flag: &inner.interrupt,
        deadline: inner.deadline,
    };
    let result = written
        .and_then(|()| checks.check())
        .and_then(|()| run(store, start, base, suspended.as_deref_mut()));
    let inner = store.inner();
    if inner.id != id {
        return Err(replaced());
    }
    if result.is_ok() && !suspended.is_some_and(|s| s.is_some()) {
        io.read_results(&inner.stack, base, &inner.funcs[f as usize].ty.results);
    }
    inner.stack.nesting -= 1;
    result
}

/// Calls host function `f` (its host index `h`) for the embedder (or for a host function).
#[inline(never)]
fn call_host_directly(
    store: &mut dyn ErasedStore,
    f: u32,
    h: u32,
    args: &[Value],
    results: &mut [Value],
) -> Result<(), Trap> {
    let inner = store.inner();
    let id = inner.id;
    for (r, t) in results
        .iter_mut()
        .zip(inner.funcs[f as usize].ty.results.iter())
    {
        *r = Value::default_of(*t);
    }
    let outcome = store.call_host(h, None, args, results);
    let inner = store.inner();
    if inner.id == id {
        inner.stack.nesting -= 1;
    }
    outcome.map_err(|t| exception_of_host(store, t))
}

/// The error of a host function called by the embedder: an exception it throws gets a
/// store address (as one wasm throws and does not catch).
#[cold]
fn exception_of_host(store: &mut dyn ErasedStore, t: Trap) -> Trap {
    match t {
        Trap::Throw(e) => {
            let exceptions = &mut store.inner().exceptions;
            exceptions.push(Exception {
                tag: e.tag,
                payload: e.payload.into_boxed_slice(),
                origin: e.origin,
            });
            Trap::Exception(exceptions.len() as u32 - 1)
        }
        t => t,
    }
}

/// The trap of a call whose store a host function replaced (`*caller.store_mut() = ...`):
/// the suspended frames' code may be gone with it, so nothing of the call is touched again.
#[cold]
fn replaced() -> Trap {
    Trap::host("a host function replaced the store that was running it")
}

/// Makes room for a frame of `code` at register index `at` and zeroes its declared locals;
/// the frame's pointer, or `None` after recording a trap.
#[inline(always)]
fn enter(cx: &mut Cx<'_>, at: usize, code: &Code) -> Option<*mut u64> {
    let f = &code.func;
    let need = at + f.frame_size as usize;
    if need > cx.inner().stack.regs.len() && !grow_regs(cx, need) {
        return None;
    }
    let fp = cx.frame_ptr(at);
    // SAFETY: `params <= locals` and `locals + consts.len() <= frame_size` (`verify`), and
    // the frame's `frame_size` slots are in `regs` (just made sure); `consts` is not in
    // `regs`.
    // Most frames declare few locals and hoist few constants: a short loop does those
    // without a library call (micro-fib's frames have neither).
    const SMALL: usize = 8;
    unsafe {
        let zeroed = (f.locals - f.params) as usize;
        let locals = fp.add(f.params as usize);
        if zeroed <= SMALL {
            // Volatile: a plain loop would be turned back into a memset call.
            for i in 0..zeroed {
                locals.add(i).write_volatile(0);
            }
        } else {
            std::ptr::write_bytes(locals, 0, zeroed);
        }
        let consts = fp.add(f.locals as usize);
        if f.consts.len() <= SMALL {
            for (i, &k) in f.consts.iter().enumerate() {
                consts.add(i).write_volatile(k);
            }
        } else {
            std::ptr::copy_nonoverlapping(f.consts.as_ptr(), consts, f.consts.len());
        }
    };
    Some(fp)
}

/// Grows the register file to at least `need` slots; `false` after recording the trap if
/// that is over the limit.
#[cold]
#[inline(never)]
fn grow_regs(cx: &mut Cx<'_>, need: usize) -> bool {
    if need > cx.max_regs {
        cx.trap(Trap::StackExhausted);
        return false;
    }
    let size = (need * 2).clamp(1024, cx.max_regs.max(1024));
    cx.inner().stack.regs.resize(size, 0);
    true
}

/// Runs a wasm function from its start (its arguments in the store's registers from
/// `base`, `v128`s in its vector registers) or from where it ran out of fuel; its results
/// end up there too. With `resumable`, running out of fuel suspends the call (its state
/// comes back) rather than trapping. Not inlined, so that only a small frame stays on the
/// native stack while host functions nest.
#[inline(never)]
fn run(
    store: &mut dyn ErasedStore,
    start: Start,
    base: usize,
    mut suspended: Option<&mut Option<Box<Suspension>>>,
) -> Result<(), Trap> {
    let (entry, mut frames, resume_at) = match start {
        Start::Call(f) => (f, Vec::new(), None),
        Start::Resume(s) => {
            let Suspension {
                entry,
                frames,
                code,
                inst,
                ip,
                fp,
                regs,
                vregs,
                ..
            } = *s;
            let stack = &mut store.inner().stack;
            (stack.regs, stack.vregs) = (regs, vregs);
            (entry, frames, Some((code, inst, ip, fp)))
        }
    };
    let raw: *mut dyn ErasedStore = store;
    // `cx` ends with this block, not by a move (`drop(cx)` copied the whole context).
    let (fuel, outcome) = {
        // SAFETY: `raw` is the store, and nothing else uses the store while `cx` lives (it is
        // dropped before `run` returns; host calls reach the store through `raw` alone).
        let mut cx = unsafe { Cx::attach(raw, &mut frames, entry) };
        let exit = match resume_at {
            None => {
                let code = code_of(&cx);
                match enter(&mut cx, base, code) {
                    Some(fp) => {
                        let (mem, len) = cx.mem0();
                        run_handlers(code.ops.as_ptr(), fp, mem, len, &mut cx)
                    }
                    None => Exit::Trap,
                }
            }
            Some((code, inst, ip, fp)) => {
                // SAFETY: the suspension's code and instance are this store's (its id was
                // checked), which keeps them alive and unchanged; `ip` is the instruction of
                // `code` the run stopped at, `fp` the frame the run had there, in the register
                // file just put back.
                unsafe {
                    cx.code = code.as_ref();
                    cx.inst = inst.as_ref();
                }
                let fp = cx.frame_ptr(fp);
                let (mem, len) = cx.mem0();
                run_handlers(ip, fp, mem, len, &mut cx)
            }
        };
        let outcome = match exit {
            Exit::Done => Ok(false),
            _ => match (
                cx.trap.take().expect("a trap exit records its trap"),
                cx.out_of_fuel,
            ) {
                (Trap::OutOfFuel, Some((ip, fp))) if suspended.is_some() => {
                    let needed = slow::fuel_needed(ip, cx.frame_ptr(fp));
                    *suspended.as_deref_mut().expect("resumable") = Some(Box::new(Suspension {
                        store: cx.id,
                        entry,
                        needed,
                        frames: Vec::new(),
                        code: NonNull::from(cx.code),
                        inst: NonNull::from(cx.inst),
                        ip,
                        fp,
                        regs: Vec::new(),
                        vregs: Vec::new(),
                    }));
                    Ok(true)
                }
                (t, _) => Err(t),
            },
        };
        (cx.fuel, outcome)
    };
    let inner = store.inner();
    if let Some(left) = &mut inner.fuel {
        *left = fuel;
    }
    if outcome? {
        // Suspended: the call's frames and registers go with it.
        let s = suspended.and_then(|s| s.as_mut()).expect("suspended");
        s.frames = frames;
        s.regs = std::mem::take(&mut inner.stack.regs);
        s.vregs = std::mem::take(&mut inner.stack.vregs);
    }
    Ok(())
}

/// The running function's code, as a borrow of the store rather than of `cx`.
fn code_of<'s>(cx: &Cx<'s>) -> &'s Code {
    cx.code
}

/// Runs handlers from `ip` until the entry function returns or traps.
fn run_handlers(ip: *const Op, fp: *mut u64, mem: *mut u8, len: usize, cx: &mut Cx<'_>) -> Exit {
    #[cfg(rill_tail_dispatch)]
    {
        // SAFETY: `ip` is the first instruction of a verified function (never empty).
        let handler = unsafe { (*ip).handler };
        handler(ip, fp, mem, len, cx)
    }
    #[cfg(not(rill_tail_dispatch))]
    {
        let mut state = (ip, fp, mem, len);
        loop {
            let (ip, fp, mem, len) = state;
            // SAFETY: as for `next!`, which stored this state.
            let handler = unsafe { (*ip).handler };
            match handler(ip, fp, mem, len, cx) {
                Exit::Continue => state = cx.resume,
                exit => return exit,
            }
        }
    }
}

/// Whether this build uses tail dispatch (see the module documentation).
#[cfg(test)]
pub(crate) const TAIL_DISPATCH: bool = cfg!(rill_tail_dispatch);

#[cfg(test)]
mod tests;
