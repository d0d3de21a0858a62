//! Calls, returns, and the instructions that work on the store (memories other than the
//! fast path's, tables, segments): out of the handlers' way, with bounds-checked accesses.

use rill_lower::{Instr, MemOp, MemSite, Slot, TrapCode};

use super::handlers::{after, get, set};
use super::host;
use super::{enter, next, Cx, Exit, Frame, Op};
use crate::entities::{FuncKind, InstanceData};
use crate::interrupt::{Checks, BULK_CHUNK};
use crate::ops;
use crate::Trap;

/// Returns from the current frame (its results already in its first slots).
#[inline(always)]
pub(super) fn ret(mem: *mut u8, len: usize, cx: &mut Cx<'_>) -> Exit {
    let Some(f) = cx.frames.pop() else {
        return Exit::Done;
    };
    let fp = cx.frame_ptr(f.fp);
    // SAFETY: the frame was pushed while this store was running (a host call that
    // replaced it ended the run), and `cx` borrows the store.
    let (code, inst) = unsafe { f.parts() };
    cx.code = code;
    let (mut mem, mut len) = (mem, len);
    if !std::ptr::eq(inst, cx.inst) {
        cx.inst = inst;
        (mem, len) = cx.mem0();
    }
    next!(f.ip, fp, mem, len, cx)
}

/// Calls store function `f` with its arguments at slot `base` (`tail`: replacing the
/// current frame).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn call(
    ip: *const Op,
    fp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: &mut Cx<'_>,
    f: u32,
    base: Slot,
    tail: bool,
) -> Exit {
    let callee = &cx.funcs()[f as usize];
    let FuncKind::Wasm { instance, code } = &callee.kind else {
        return host_call(ip, fp, cx, f, base, tail);
    };
    let at = cx.frame_index(fp);
    let new_at = if tail {
        let n = code.func.params as usize;
        assert!(
            base as usize + n <= cx.code.func.frame_size as usize,
            "lowering: tail call arguments outside the frame"
        );
        // SAFETY: `base..base + n` and `0..n` are in the frame (just checked; `n` is below
        // `base + n`); `copy` allows the ranges to overlap.
        unsafe { std::ptr::copy(fp.add(base as usize), fp, n) };
        if code.func.uses_v128 && !tail_vector_args(cx, at, at + base as usize, n) {
            return Exit::Trap;
        }
        at
    } else {
        if cx.frames.len() >= cx.max_frames {
            return cx.trap(Trap::StackExhausted);
        }
        cx.frames.push(Frame::new(cx.code, cx.inst, after!(ip), at));
        at + base as usize
    };
    let Some(new_fp) = enter(cx, new_at, code) else {
        return Exit::Trap;
    };
    cx.code = code;
    let inst: &InstanceData = &cx.instances()[*instance as usize];
    let (mut mem, mut len) = (mem, len);
    if !std::ptr::eq(inst, cx.inst) {
        cx.inst = inst;
        (mem, len) = cx.mem0();
    }
    if !cx.count_tick() {
        return tick(code.ops.as_ptr(), new_fp, mem, len, cx);
    }
    next!(code.ops.as_ptr(), new_fp, mem, len, cx)
}

/// Looks at the interrupt flag and the deadline (after every
/// [`CHECK_INTERVAL`](crate::interrupt::CHECK_INTERVAL) backward branches and calls), then
/// continues at `ip`.
#[cold]
#[inline(never)]
pub(super) fn tick(ip: *const Op, fp: *mut u64, mem: *mut u8, len: usize, cx: &mut Cx<'_>) -> Exit {
    cx.ticks = crate::interrupt::CHECK_INTERVAL;
    if let Err(t) = cx.checks.check() {
        return cx.trap(t);
    }
    next!(ip, fp, mem, len, cx)
}

/// Records where the code ran out of fuel (to resume there) and stops it.
#[cold]
#[inline(never)]
pub(super) fn out_of_fuel(ip: *const Op, fp: *mut u64, cx: &mut Cx<'_>) -> Exit {
    cx.out_of_fuel = Some((ip, cx.frame_index(fp)));
    cx.trap(Trap::OutOfFuel)
}

/// The fuel the instruction at `ip` (a `ConsumeFuel` or a bulk instruction, in the frame at
/// `fp`) needs to run.
pub(super) fn fuel_needed(ip: *const Op, fp: *mut u64) -> u64 {
    // SAFETY: `ip` is the instruction the run stopped at, in code the store keeps alive.
    match unsafe { &*ip }.instr {
        Instr::ConsumeFuel { amount } => u64::from(amount),
        ref bulk => bulk_fuel(fp, bulk),
    }
}

/// The fuel a bulk instruction's length costs (`rill_lower::fuel::bulk_cost`).
#[inline(always)]
pub(super) fn bulk_fuel(fp: *mut u64, instr: &Instr) -> u64 {
    let n = match *instr {
        Instr::MemoryFill { n, .. }
        | Instr::MemoryCopy { n, .. }
        | Instr::MemoryInit { n, .. }
        | Instr::TableFill { n, .. }
        | Instr::TableCopy { n, .. }
        | Instr::TableInit { n, .. } => n,
        _ => return 0,
    };
    rill_lower::fuel::bulk_cost(get!(fp, n))
}

/// A tail call's `v128` arguments (see `exec_simd::tail_args`); `false` after recording a
/// trap.
#[inline(never)]
fn tail_vector_args(cx: &mut Cx<'_>, at: usize, base: usize, n: usize) -> bool {
    match crate::exec_simd::tail_args(&mut cx.inner().stack.vregs, at, base, n) {
        Ok(()) => true,
        Err(t) => {
            cx.trap(t);
            false
        }
    }
}

/// The vector slots of the frame at `fp` (`frame_size` of them), after making the vector
/// register file cover them; `None` after recording a trap (over the register limit).
#[inline(always)]
pub(super) fn vector_frame<'c>(
    cx: &'c mut Cx<'_>,
    fp: *mut u64,
) -> Option<&'c mut [crate::simd::V]> {
    let at = cx.frame_index(fp);
    let end = at + usize::from(cx.code.func.frame_size);
    if end > cx.inner().stack.vregs.len() && !grow_vregs(cx, end) {
        return None;
    }
    Some(&mut cx.inner().stack.vregs[at..end])
}

/// Grows the vector register file with `exec_simd`'s own rule; `false` after recording
/// the trap.
#[cold]
#[inline(never)]
fn grow_vregs(cx: &mut Cx<'_>, need: usize) -> bool {
    match crate::exec_simd::reserve(&mut cx.inner().stack.vregs, need) {
        Ok(()) => true,
        Err(t) => {
            cx.trap(t);
            false
        }
    }
}

/// Executes a SIMD instruction in the frame at register index `at`; `false` after recording
/// a trap. The caller derives the frame pointer and memory 0 again afterwards.
#[inline(never)]
pub(super) fn simd(cx: &mut Cx<'_>, at: usize, instr: &Instr) -> bool {
    let (code, inst) = (cx.code, cx.inst);
    let inner = cx.inner();
    let result = crate::exec_simd::exec(
        *instr,
        at,
        &mut inner.stack.regs,
        &mut inner.stack.vregs,
        &code.func,
        inst,
        &mut inner.memories,
        &mut inner.globals,
    );
    match result {
        Ok(()) => true,
        Err(t) => {
            cx.trap(t);
            false
        }
    }
}

/// Calls host function `f`: arguments from slot `base`, results back to `base` (or, for a
/// tail call, to the frame's first slots, then returns). See `host.rs`.
#[inline(never)]
fn host_call(ip: *const Op, fp: *mut u64, cx: &mut Cx<'_>, f: u32, base: Slot, tail: bool) -> Exit {
    let at = cx.frame_index(fp);
    match host::call(cx, f, at, base, tail) {
        host::Ended::Returned => {}
        host::Ended::Trapped => return Exit::Trap,
        host::Ended::Threw => {
            let fp = cx.frame_ptr(at);
            return super::exceptions::host_threw(ip, fp, cx, tail);
        }
    }
    let fp = cx.frame_ptr(at);
    let (mem, len) = cx.mem0();
    if tail {
        return ret(mem, len, cx);
    }
    next!(after!(ip), fp, mem, len, cx)
}

/// The function at `index` of the table of call site `site`, checked against its type;
/// `None` after recording the trap.
///
/// Like every function a handler calls before dispatching, it returns nothing larger than
/// two registers: a result in memory would be a local whose address escapes, and the
/// optimiser does not turn a call after that into a jump.
#[inline(never)]
pub(super) fn indirect(cx: &mut Cx<'_>, index: u64, site: u32) -> Option<u32> {
    match indirect_checked(cx, index, site) {
        Ok(f) => Some(f),
        Err(t) => {
            cx.trap(t);
            None
        }
    }
}

fn indirect_checked(cx: &Cx<'_>, index: u64, site: u32) -> Result<u32, Trap> {
    let site = cx.code.func.call_sites[site as usize];
    let table = &cx.inner_ref().tables[cx.inst.tables[site.table as usize] as usize];
    let r = match usize::try_from(index).ok().and_then(|i| table.elems.get(i)) {
        Some(&r) => r,
        None => return Err(Trap::UndefinedElement),
    };
    if r == 0 {
        return Err(Trap::UninitializedElement(index));
    }
    let f = (r - 1) as u32;
    let expected = cx.inst.types[site.type_index as usize];
    let actual = cx.funcs()[f as usize].type_id;
    if actual != expected && !cx.inner_ref().types.is_sub(actual, expected) {
        return Err(Trap::IndirectCallTypeMismatch);
    }
    Ok(f)
}

/// The trap of a `Trap` or `Unsupported` instruction.
#[cold]
pub(super) fn trap_of(instr: &Instr) -> Trap {
    match *instr {
        Instr::Unsupported { op } => {
            let name = rill_decoder::OPERATORS
                .get(op as usize)
                .map_or("?", |o| o.name);
            Trap::unsupported(format!("the {name} instruction"))
        }
        Instr::Trap {
            code: TrapCode::Unreachable,
        } => Trap::Unreachable,
        _ => unreachable!("only traps"),
    }
}

fn mem_op_load(op: MemOp) -> fn(&[u8], u64, u64) -> Option<u64> {
    match op {
        MemOp::I32Load | MemOp::I64Load32U => ops::load_u32,
        MemOp::I64Load => ops::load_u64,
        MemOp::I32Load8S => ops::load_i32_8s,
        MemOp::I32Load8U | MemOp::I64Load8U => ops::load_8u,
        MemOp::I32Load16S => ops::load_i32_16s,
        MemOp::I32Load16U | MemOp::I64Load16U => ops::load_16u,
        MemOp::I64Load8S => ops::load_i64_8s,
        MemOp::I64Load16S => ops::load_i64_16s,
        MemOp::I64Load32S => ops::load_i64_32s,
        _ => unreachable!("a store"),
    }
}

fn mem_op_store(op: MemOp) -> fn(&mut [u8], u64, u64, u64) -> Option<()> {
    match op {
        MemOp::I32Store | MemOp::I64Store32 => ops::store_32,
        MemOp::I64Store => ops::store_64,
        MemOp::I32Store8 | MemOp::I64Store8 => ops::store_8,
        MemOp::I32Store16 | MemOp::I64Store16 => ops::store_16,
        _ => unreachable!("a load"),
    }
}

/// `-1` in the address type of a memory or table (all ones for 64-bit).
fn minus_one(is64: bool) -> u64 {
    if is64 {
        u64::MAX
    } else {
        u64::from(u32::MAX)
    }
}

/// `s[start..start + n]` if it is in bounds.
fn range_mut<T>(s: &mut [T], start: u64, n: u64) -> Option<&mut [T]> {
    let start = usize::try_from(start).ok()?;
    let n = usize::try_from(n).ok()?;
    s.get_mut(start..)?.get_mut(..n)
}

/// Executes one of the instructions on memories, tables and segments in the frame at `fp`;
/// `false` after recording a trap. The caller derives memory 0 again afterwards.
#[inline(never)]
pub(super) fn execute(cx: &mut Cx<'_>, fp: *mut u64, instr: &Instr) -> bool {
    match execute_checked(cx, fp, *instr) {
        Ok(()) => true,
        Err(t) => {
            cx.trap(t);
            false
        }
    }
}

fn execute_checked(cx: &mut Cx<'_>, fp: *mut u64, instr: Instr) -> Result<(), Trap> {
    let (inst, code, checks) = (cx.inst, cx.code, cx.checks);
    let store = cx.inner();
    match instr {
        Instr::LoadAt { d, p, site } => {
            let MemSite { memory, offset, op } = code.func.mem_sites[site as usize];
            let m = &store.memories[inst.memories[memory as usize] as usize].data;
            let v = mem_op_load(op)(m, get!(fp, p), offset).ok_or(Trap::MemoryOutOfBounds)?;
            set!(fp, d, v);
        }
        Instr::StoreAt { p, v, site } => {
            let MemSite { memory, offset, op } = code.func.mem_sites[site as usize];
            let m = &mut store.memories[inst.memories[memory as usize] as usize].data;
            mem_op_store(op)(m, get!(fp, p), offset, get!(fp, v)).ok_or(Trap::MemoryOutOfBounds)?;
        }
        Instr::MemorySize { d, memory } => {
            let m = &store.memories[inst.memories[memory as usize] as usize];
            set!(fp, d, m.pages());
        }
        Instr::MemoryGrow { d, delta, memory } => {
            let m = &mut store.memories[inst.memories[memory as usize] as usize];
            let is64 = m.ty.memory64;
            let r = store
                .limits
                .grow_memory_in_wasm(m, get!(fp, delta))?
                .unwrap_or(minus_one(is64));
            set!(fp, d, r);
        }
        Instr::MemoryFill {
            dst,
            val,
            n,
            memory,
        } => {
            let m = &mut store.memories[inst.memories[memory as usize] as usize].data;
            let (d, v, n) = (get!(fp, dst), get!(fp, val) as u8, get!(fp, n));
            let to = range_mut(m, d, n).ok_or(Trap::MemoryOutOfBounds)?;
            for (i, chunk) in to.chunks_mut(BULK_CHUNK).enumerate() {
                if i > 0 {
                    checks.check()?;
                }
                chunk.fill(v);
            }
        }
        Instr::MemoryCopy { dst, src, n, site } => {
            let s = code.func.copy_sites[site as usize];
            let (d, sr, n) = (get!(fp, dst), get!(fp, src), get!(fp, n));
            let (ma, mb) = (inst.memories[s.a as usize], inst.memories[s.b as usize]);
            if ma == mb {
                let m = &mut store.memories[ma as usize].data;
                if range_mut(m, sr, n).is_none() || range_mut(m, d, n).is_none() {
                    return Err(Trap::MemoryOutOfBounds);
                }
                copy_within_checked(m, sr as usize, d as usize, n as usize, checks)?;
            } else {
                let (to, from) = two_mut(&mut store.memories, ma as usize, mb as usize);
                let from = range_mut(&mut from.data, sr, n).ok_or(Trap::MemoryOutOfBounds)?;
                let to = range_mut(&mut to.data, d, n).ok_or(Trap::MemoryOutOfBounds)?;
                let pairs = to.chunks_mut(BULK_CHUNK).zip(from.chunks(BULK_CHUNK));
                for (i, (t, f)) in pairs.enumerate() {
                    if i > 0 {
                        checks.check()?;
                    }
                    t.copy_from_slice(f);
                }
            }
        }
        Instr::MemoryInit { dst, src, n, site } => {
            let s = code.func.copy_sites[site as usize];
            let seg = &store.datas[inst.datas[s.a as usize] as usize];
            let m = &mut store.memories[inst.memories[s.b as usize] as usize].data;
            let (d, sr, n) = (get!(fp, dst), get!(fp, src), get!(fp, n));
            let from = seg.get(sr as usize..).and_then(|x| x.get(..n as usize));
            match (from, range_mut(m, d, n)) {
                (Some(f), Some(t)) if sr <= u64::from(u32::MAX) => t.copy_from_slice(f),
                _ => return Err(Trap::MemoryOutOfBounds),
            }
        }
        Instr::DataDrop { segment } => {
            store.datas[inst.datas[segment as usize] as usize] = rill_decoder::Bytes::default();
        }
        Instr::TableGet { d, i, table } => {
            let t = &store.tables[inst.tables[table as usize] as usize];
            let r = usize::try_from(get!(fp, i))
                .ok()
                .and_then(|i| t.elems.get(i))
                .ok_or(Trap::TableOutOfBounds)?;
            set!(fp, d, *r);
        }
        Instr::TableSet { i, v, table } => {
            let t = &mut store.tables[inst.tables[table as usize] as usize];
            let v = get!(fp, v);
            let r = usize::try_from(get!(fp, i))
                .ok()
                .and_then(|i| t.elems.get_mut(i))
                .ok_or(Trap::TableOutOfBounds)?;
            *r = v;
        }
        Instr::TableSize { d, table } => {
            let t = &store.tables[inst.tables[table as usize] as usize];
            set!(fp, d, t.elems.len() as u64);
        }
        Instr::TableGrow { d, init, n, table } => {
            let t = &mut store.tables[inst.tables[table as usize] as usize];
            let is64 = t.ty.table64;
            let r = store
                .limits
                .grow_table_in_wasm(t, get!(fp, n), get!(fp, init))?
                .unwrap_or(minus_one(is64));
            set!(fp, d, r);
        }
        Instr::TableFill { i, v, n, table } => {
            let t = &mut store.tables[inst.tables[table as usize] as usize];
            let (i, v, n) = (get!(fp, i), get!(fp, v), get!(fp, n));
            range_mut(&mut t.elems, i, n)
                .ok_or(Trap::TableOutOfBounds)?
                .fill(v);
        }
        Instr::TableCopy { dst, src, n, site } => {
            let s = code.func.copy_sites[site as usize];
            let (d, sr, n) = (get!(fp, dst), get!(fp, src), get!(fp, n));
            let (ta, tb) = (inst.tables[s.a as usize], inst.tables[s.b as usize]);
            let items = range_mut(&mut store.tables[tb as usize].elems, sr, n)
                .ok_or(Trap::TableOutOfBounds)?
                .to_vec();
            range_mut(&mut store.tables[ta as usize].elems, d, n)
                .ok_or(Trap::TableOutOfBounds)?
                .copy_from_slice(&items);
        }
        Instr::TableInit { dst, src, n, site } => {
            let s = code.func.copy_sites[site as usize];
            let seg = &store.elems[inst.elems[s.a as usize] as usize];
            let t = &mut store.tables[inst.tables[s.b as usize] as usize];
            let (d, sr, n) = (get!(fp, dst), get!(fp, src), get!(fp, n));
            let from = seg.get(sr as usize..).and_then(|x| x.get(..n as usize));
            match (from, range_mut(&mut t.elems, d, n)) {
                (Some(f), Some(to)) => to.copy_from_slice(f),
                _ => return Err(Trap::TableOutOfBounds),
            }
        }
        Instr::ElemDrop { segment } => {
            store.elems[inst.elems[segment as usize] as usize] = Vec::new();
        }
        _ => unreachable!("a fast instruction: {instr:?}"),
    }
    Ok(())
}

/// `memory.copy` within one memory (both ranges checked), in chunks of [`BULK_CHUNK`] with
/// a look at the interrupt flag and the deadline between two (front to back when the
/// destination is lower, back to front otherwise, so that overlapping ranges copy right).
fn copy_within_checked(
    m: &mut [u8],
    src: usize,
    dst: usize,
    n: usize,
    checks: Checks<'_>,
) -> Result<(), Trap> {
    let mut done = 0;
    while done < n {
        if done > 0 {
            checks.check()?;
        }
        let k = BULK_CHUNK.min(n - done);
        let at = if dst <= src { done } else { n - done - k };
        m.copy_within(src + at..src + at + k, dst + at);
        done += k;
    }
    Ok(())
}

/// Two different elements of `items`, both writable.
fn two_mut<T>(items: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    assert_ne!(a, b, "two different elements");
    if a < b {
        let (low, high) = items.split_at_mut(b);
        (&mut low[a], &mut high[0])
    } else {
        let (low, high) = items.split_at_mut(a);
        (&mut high[0], &mut low[b])
    }
}
