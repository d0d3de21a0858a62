//! One handler per instruction, generated from the ISA lists (`rill_lower::with_isa!`) for
//! the numeric, memory and compare-and-branch groups and written out for the rest.
//!
//! Within a handler:
//! - `operands!` reads the instruction's fields. The handler is only ever paired with its
//!   own variant (`handler_of`, called by `verify`), so the other variants are unreachable.
//! - `get!` / `set!` read and write frame slots without bounds checks: `fp` points at a
//!   frame with `frame_size` slots in the register file (`enter`), and every slot an
//!   instruction names is below `frame_size` (`verify`).
//! - memory 0 is `mem..mem + len`, derived from the current instance's memory after anything
//!   that may grow or replace it.

use rill_lower::{Instr, Slot};

use rill_lower::{SimdOp, SimdXOp};

use super::{atomics, exceptions, next, slow, Cx, Exit, Handler, Op};
use crate::simd;
use crate::{ops, Trap};

macro_rules! operands {
    ($ip:ident, $variant:ident { $($field:ident),* }) => {
        // SAFETY: `ip` points at an instruction of the running function (see `next!`), and
        // this handler is paired only with `Instr::$variant` (`handler_of`).
        let Instr::$variant { $($field,)* .. } = (unsafe { &*$ip }).instr else {
            unsafe { std::hint::unreachable_unchecked() }
        };
    };
}

macro_rules! get {
    ($fp:ident, $s:expr) => {
        // SAFETY: see the module documentation.
        unsafe { *$fp.add($s as usize) }
    };
}
pub(super) use get;

macro_rules! set {
    ($fp:ident, $s:expr, $v:expr) => {{
        let v = $v;
        // SAFETY: see the module documentation.
        unsafe { *$fp.add($s as usize) = v };
    }};
}
pub(super) use set;

/// Memory 0 as a slice.
macro_rules! memory {
    ($mem:ident, $len:ident) => {
        // SAFETY: `mem..mem + len` is memory 0's buffer (`Cx::mem0`), derived after the last
        // change to it, and nothing else accesses it while a handler runs.
        unsafe { std::slice::from_raw_parts_mut($mem, $len) }
    };
}

/// The branch target `offset` instructions from `ip`.
macro_rules! target {
    ($ip:ident, $offset:expr) => {
        // SAFETY: branch targets are inside the code (`verify`).
        unsafe { $ip.offset($offset as isize) }
    };
}

/// Branches by `offset`; a backward branch (a loop's, or one to itself) counts a tick, and every
/// [`CHECK_INTERVAL`](crate::interrupt::CHECK_INTERVAL)th one looks at the interrupt flag
/// and the deadline ([`slow::tick`](super::slow::tick)).
macro_rules! jump {
    ($ip:ident, $offset:expr, $fp:expr, $mem:expr, $len:expr, $cx:expr) => {{
        let to = target!($ip, $offset);
        if $offset <= 0 && !$cx.count_tick() {
            return super::slow::tick(to, $fp, $mem, $len, $cx);
        }
        next!(to, $fp, $mem, $len, $cx)
    }};
}

/// The 128-bit integer of halves `lo` and `hi`.
#[inline(always)]
fn wide(lo: u64, hi: u64) -> u128 {
    u128::from(hi) << 64 | u128::from(lo)
}

/// Writes `v`'s low half to slot `d` and its high half to `d + 1`.
#[inline(always)]
fn set_wide(fp: *mut u64, d: Slot, v: u128) {
    set!(fp, d, v as u64);
    set!(fp, d + 1, (v >> 64) as u64);
}

/// The instruction after `ip`.
macro_rules! after {
    ($ip:ident) => {
        // SAFETY: the last instruction never falls through (`verify`).
        unsafe { $ip.add(1) }
    };
}
pub(super) use after;

macro_rules! handlers {
    (
        ($instr:expr) { $($custom:tt)* }
        binary32 { $($b32:ident $b32i:ident $b32f:ident = $b32o:ident,)* }
        binary64 { $($b64:ident $b64i:ident $b64f:ident = $b64o:ident,)* }
        binary_trap { $($bt:ident $btf:ident = $bto:ident,)* }
        binary_float { $($bf:ident $bff:ident = $bfo:ident,)* }
        unary { $($u:ident $uf:ident = $uo:ident,)* }
        unary_trap { $($ut:ident $utf:ident = $uto:ident,)* }
        load { $($l:ident $la:ident $lf:ident = $($lo:ident)*,)* }
        store { $($s:ident $sa:ident $sf:ident = $($so:ident)*,)* }
        br_cmp32 { $($c32:ident $c32i:ident $c32f:ident = $c32o:ident $c32oi:ident / $c32n:ident $c32ni:ident,)* }
        br_cmp64 { $($c64:ident $c64i:ident $c64f:ident = $c64o:ident $c64oi:ident / $c64n:ident $c64ni:ident,)* }
        br_cmp_float { $($cf:ident $cfn:ident $cff:ident = $cfo:ident,)* }
        fused_float { $($ff:ident $ff1:ident $ff2:ident = $ffo1:ident $ffo2:ident,)* }
    ) => {
        match $instr {
            $(
                Instr::$ff { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $ff { d, a, b, c });
                    set!(fp, d, ops::$ff2(ops::$ff1(get!(fp, a), get!(fp, b)), get!(fp, c)));
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$b32 { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $b32 { d, a, b });
                    set!(fp, d, ops::$b32f(get!(fp, a), get!(fp, b)));
                    next!(after!(ip), fp, mem, len, cx)
                },
                Instr::$b32i { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $b32i { d, a, imm });
                    set!(fp, d, ops::$b32f(get!(fp, a), u64::from(imm as u32)));
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$b64 { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $b64 { d, a, b });
                    set!(fp, d, ops::$b64f(get!(fp, a), get!(fp, b)));
                    next!(after!(ip), fp, mem, len, cx)
                },
                Instr::$b64i { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $b64i { d, a, imm });
                    set!(fp, d, ops::$b64f(get!(fp, a), imm as i64 as u64));
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$bt { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $bt { d, a, b });
                    match ops::$btf(get!(fp, a), get!(fp, b)) {
                        Ok(v) => set!(fp, d, v),
                        Err(t) => return cx.trap(t),
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$bf { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $bf { d, a, b });
                    set!(fp, d, ops::$bff(get!(fp, a), get!(fp, b)));
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$u { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $u { d, a });
                    set!(fp, d, ops::$uf(get!(fp, a)));
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$ut { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $ut { d, a });
                    match ops::$utf(get!(fp, a)) {
                        Ok(v) => set!(fp, d, v),
                        Err(t) => return cx.trap(t),
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$l { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $l { d, p, offset });
                    // A 32-bit memory (the lowering uses `LoadAt` for a 64-bit memory 0): the
                    // address is an `i32`, and the sum cannot overflow.
                    let ea = u64::from(get!(fp, p) as u32) + u64::from(offset);
                    match ops::$lf(memory!(mem, len), ea, 0) {
                        Some(v) => set!(fp, d, v),
                        None => return cx.trap(Trap::MemoryOutOfBounds),
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$s { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $s { p, v, offset });
                    let ea = u64::from(get!(fp, p) as u32) + u64::from(offset);
                    if ops::$sf(memory!(mem, len), ea, 0, get!(fp, v)).is_none() {
                        return cx.trap(Trap::MemoryOutOfBounds);
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$la { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $la { d, p, q, offset });
                    let ea = u64::from((get!(fp, p) as u32).wrapping_add(get!(fp, q) as u32))
                        + u64::from(offset);
                    match ops::$lf(memory!(mem, len), ea, 0) {
                        Some(v) => set!(fp, d, v),
                        None => return cx.trap(Trap::MemoryOutOfBounds),
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$sa { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $sa { p, q, v, offset });
                    let ea = u64::from((get!(fp, p) as u32).wrapping_add(get!(fp, q) as u32))
                        + u64::from(offset);
                    if ops::$sf(memory!(mem, len), ea, 0, get!(fp, v)).is_none() {
                        return cx.trap(Trap::MemoryOutOfBounds);
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$c32 { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $c32 { a, b, offset });
                    if ops::$c32f(get!(fp, a), get!(fp, b)) != 0 {
                        jump!(ip, offset, fp, mem, len, cx)
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
                Instr::$c32i { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $c32i { a, imm, offset });
                    if ops::$c32f(get!(fp, a), u64::from(imm as u32)) != 0 {
                        jump!(ip, offset, fp, mem, len, cx)
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$c64 { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $c64 { a, b, offset });
                    if ops::$c64f(get!(fp, a), get!(fp, b)) != 0 {
                        jump!(ip, offset, fp, mem, len, cx)
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
                Instr::$c64i { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $c64i { a, imm, offset });
                    if ops::$c64f(get!(fp, a), imm as i64 as u64) != 0 {
                        jump!(ip, offset, fp, mem, len, cx)
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $(
                Instr::$cf { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $cf { a, b, offset });
                    if ops::$cff(get!(fp, a), get!(fp, b)) != 0 {
                        jump!(ip, offset, fp, mem, len, cx)
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
                Instr::$cfn { .. } => |ip, fp, mem, len, cx| {
                    operands!(ip, $cfn { a, b, offset });
                    if ops::$cff(get!(fp, a), get!(fp, b)) == 0 {
                        jump!(ip, offset, fp, mem, len, cx)
                    }
                    next!(after!(ip), fp, mem, len, cx)
                },
            )*
            $($custom)*
        }
    };
}

/// The handler of `instr`'s variant.
pub(super) fn handler_of(instr: &Instr) -> Handler {
    rill_lower::with_isa!(handlers (*instr) {
        Instr::Br { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, Br { offset });
            jump!(ip, offset, fp, mem, len, cx)
        },
        Instr::ConsumeFuel { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, ConsumeFuel { amount });
            match cx.fuel.checked_sub(u64::from(amount)) {
                Some(left) => {
                    cx.fuel = left;
                    next!(after!(ip), fp, mem, len, cx)
                }
                None => slow::out_of_fuel(ip, fp, cx),
            }
        },
        Instr::BrIfZ { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, BrIfZ { c, offset });
            if get!(fp, c) == 0 {
                jump!(ip, offset, fp, mem, len, cx)
            }
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::BrIfNz { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, BrIfNz { c, offset });
            if get!(fp, c) != 0 {
                jump!(ip, offset, fp, mem, len, cx)
            }
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::BrOnNull { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, BrOnNull { r, offset });
            if get!(fp, r) == 0 {
                jump!(ip, offset, fp, mem, len, cx)
            }
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::BrOnNonNull { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, BrOnNonNull { r, offset });
            if get!(fp, r) != 0 {
                jump!(ip, offset, fp, mem, len, cx)
            }
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::BrTable { .. } => |ip, fp, mem, mem_len, cx| {
            operands!(ip, BrTable { index, len });
            let i = (get!(fp, index) as u32).min(len);
            // SAFETY: the `n + 1` branches after the `BrTable` are in the code (`verify`).
            let branch = unsafe { ip.add(1 + i as usize) };
            // Straight to the chosen branch's target, in this dispatch.
            // SAFETY: `verify` checked that those instructions are all `Br`s.
            let Instr::Br { offset } = (unsafe { &*branch }).instr else {
                unsafe { std::hint::unreachable_unchecked() }
            };
            jump!(branch, offset, fp, mem, mem_len, cx)
        },
        Instr::Copy { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, Copy { d, s });
            set!(fp, d, get!(fp, s));
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::Const32 { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, Const32 { d, value });
            set!(fp, d, u64::from(value));
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::Const64 { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, Const64 { d, lo, hi });
            set!(fp, d, u64::from(hi) << 32 | u64::from(lo));
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::Select { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, Select { d, c, a, b });
            set!(fp, d, if get!(fp, c) != 0 { get!(fp, a) } else { get!(fp, b) });
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::Atomic { .. } => |ip, fp, mem, len, cx| {
            // SAFETY: as in `operands!`.
            if !atomics::atomic(cx, fp, &(unsafe { &*ip }).instr) {
                return Exit::Trap;
            }
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::AtomicFence => |ip, fp, mem, len, cx| {
            std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::I64Add128 { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, I64Add128 { d, a_lo, a_hi, b_lo, b_hi });
            let a = wide(get!(fp, a_lo), get!(fp, a_hi));
            let b = wide(get!(fp, b_lo), get!(fp, b_hi));
            set_wide(fp, d, a.wrapping_add(b));
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::I64Sub128 { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, I64Sub128 { d, a_lo, a_hi, b_lo, b_hi });
            let a = wide(get!(fp, a_lo), get!(fp, a_hi));
            let b = wide(get!(fp, b_lo), get!(fp, b_hi));
            set_wide(fp, d, a.wrapping_sub(b));
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::I64MulWideS { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, I64MulWideS { d, a, b });
            let (a, b) = (get!(fp, a) as i64 as i128, get!(fp, b) as i64 as i128);
            set_wide(fp, d, (a * b) as u128);
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::I64MulWideU { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, I64MulWideU { d, a, b });
            let (a, b) = (u128::from(get!(fp, a)), u128::from(get!(fp, b)));
            set_wide(fp, d, a * b);
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::GlobalGet { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, GlobalGet { d, global });
            let address = cx.inst.globals[global as usize] as usize;
            set!(fp, d, cx.inner().globals[address].value);
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::GlobalSet { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, GlobalSet { s, global });
            let address = cx.inst.globals[global as usize] as usize;
            cx.inner().globals[address].value = get!(fp, s);
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::RefFunc { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, RefFunc { d, func });
            set!(fp, d, u64::from(cx.inst.funcs[func as usize]) + 1);
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::RefIsNull { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, RefIsNull { d, a });
            set!(fp, d, u64::from(get!(fp, a) == 0));
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::RefAsNonNull { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, RefAsNonNull { a });
            if get!(fp, a) == 0 {
                return cx.trap(Trap::NullReference);
            }
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::Return0 => |_ip, _fp, mem, len, cx| slow::ret(mem, len, cx),
        Instr::Return1 { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, Return1 { s });
            set!(fp, 0, get!(fp, s));
            slow::ret(mem, len, cx)
        },
        Instr::ReturnN { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, ReturnN { s, n });
            // SAFETY: `s + n <= frame_size` (`verify`); `copy` allows the ranges to overlap.
            unsafe { std::ptr::copy(fp.add(s as usize), fp, n as usize) };
            slow::ret(mem, len, cx)
        },
        Instr::Call { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, Call { base, func });
            let f = cx.inst.funcs[func as usize];
            slow::call(ip, fp, mem, len, cx, f, base, false)
        },
        Instr::ReturnCall { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, ReturnCall { base, func });
            let f = cx.inst.funcs[func as usize];
            slow::call(ip, fp, mem, len, cx, f, base, true)
        },
        Instr::CallIndirect { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, CallIndirect { base, index, site });
            match slow::indirect(cx, get!(fp, index), site) {
                Some(f) => slow::call(ip, fp, mem, len, cx, f, base, false),
                None => Exit::Trap,
            }
        },
        Instr::ReturnCallIndirect { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, ReturnCallIndirect { base, index, site });
            match slow::indirect(cx, get!(fp, index), site) {
                Some(f) => slow::call(ip, fp, mem, len, cx, f, base, true),
                None => Exit::Trap,
            }
        },
        Instr::CallRef { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, CallRef { base, r });
            match get!(fp, r) {
                0 => cx.trap(Trap::NullFunctionReference),
                r => slow::call(ip, fp, mem, len, cx, (r - 1) as u32, base, false),
            }
        },
        Instr::ReturnCallRef { .. } => |ip, fp, mem, len, cx| {
            operands!(ip, ReturnCallRef { base, r });
            match get!(fp, r) {
                0 => cx.trap(Trap::NullFunctionReference),
                r => slow::call(ip, fp, mem, len, cx, (r - 1) as u32, base, true),
            }
        },
        Instr::Throw { .. } => |ip, fp, _mem, _len, cx| {
            operands!(ip, Throw { base, tag });
            exceptions::throw(ip, fp, cx, base, tag)
        },
        Instr::ThrowRef { .. } => |ip, fp, _mem, _len, cx| {
            operands!(ip, ThrowRef { r });
            match get!(fp, r) {
                0 => cx.trap(Trap::NullExceptionReference),
                e => exceptions::throw_ref(ip, fp, cx, (e - 1) as u32),
            }
        },
        Instr::Trap { .. } | Instr::Unsupported { .. } => |ip, _fp, _mem, _len, cx| {
            // SAFETY: as in `operands!`.
            let t = slow::trap_of(&(unsafe { &*ip }).instr);
            cx.trap(t)
        },
        Instr::Simd { op, .. } => rill_lower::with_simd_isa!(simd_handlers (op)),
        Instr::SimdX { op, .. } => rill_lower::with_simd_isa!(simd_memory_handlers (op)),
        Instr::MemoryFill { .. }
        | Instr::MemoryCopy { .. }
        | Instr::MemoryInit { .. }
        | Instr::TableFill { .. }
        | Instr::TableCopy { .. }
        | Instr::TableInit { .. } => |ip, fp, _mem, _len, cx| {
            // SAFETY: as in `operands!`.
            let instr = &(unsafe { &*ip }).instr;
            // Their length's share of fuel first, before they change anything.
            let cost = slow::bulk_fuel(fp, instr);
            match cx.fuel.checked_sub(cost) {
                Some(left) => cx.fuel = left,
                None => return slow::out_of_fuel(ip, fp, cx),
            }
            if !slow::execute(cx, fp, instr) {
                return Exit::Trap;
            }
            let (mem, len) = cx.mem0();
            next!(after!(ip), fp, mem, len, cx)
        },
        Instr::LoadAt { .. }
        | Instr::StoreAt { .. }
        | Instr::MemorySize { .. }
        | Instr::MemoryGrow { .. }
        | Instr::DataDrop { .. }
        | Instr::TableGet { .. }
        | Instr::TableSet { .. }
        | Instr::TableSize { .. }
        | Instr::TableGrow { .. }
        | Instr::ElemDrop { .. } => |ip, fp, _mem, _len, cx| {
            // SAFETY: as in `operands!`.
            if !slow::execute(cx, fp, &(unsafe { &*ip }).instr) {
                return Exit::Trap;
            }
            let (mem, len) = cx.mem0();
            next!(after!(ip), fp, mem, len, cx)
        },
    })
}

/// Any SIMD instruction, through `exec_simd` (the operators without a handler of their own,
/// and memory accesses to another memory than 0).
fn simd_generic(ip: *const Op, fp: *mut u64, _mem: *mut u8, _len: usize, cx: &mut Cx<'_>) -> Exit {
    let at = cx.frame_index(fp);
    // SAFETY: as in `operands!`.
    if !slow::simd(cx, at, &(unsafe { &*ip }).instr) {
        return Exit::Trap;
    }
    let fp = cx.frame_ptr(at);
    let (mem, len) = cx.mem0();
    next!(after!(ip), fp, mem, len, cx)
}

/// A handler per register-to-register SIMD operator, on the frame's vector slots
/// (`slow::vector_frame`).
macro_rules! simd_handlers {
    (
        ($op:expr)
        unary { $($u:ident $uf:ident,)* }
        binary { $($bi:ident $bf:ident,)* }
        ternary { $($t:ident $tf:ident,)* }
        splat { $($sp:ident $spf:ident,)* }
        test { $($te:ident $tef:ident,)* }
        shift { $($sh:ident $shf:ident,)* }
        extract { $($ex:ident $exf:ident,)* }
        replace { $($re:ident $ref_:ident,)* }
        load { $($l:tt)* }
        load_lane { $($ll:tt)* }
        store { $($st:tt)* }
        store_lane { $($sl:tt)* }
    ) => {
        match $op {
            $( SimdOp::$u => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a });
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                v[usize::from(d)] = simd::$uf(v[usize::from(a)]);
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            $( SimdOp::$bi => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a, b });
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                v[usize::from(d)] = simd::$bf(v[usize::from(a)], v[usize::from(b)]);
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            $( SimdOp::$t => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a, b, c });
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                v[usize::from(d)] =
                    simd::$tf(v[usize::from(a)], v[usize::from(b)], v[usize::from(c)]);
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            $( SimdOp::$sp => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a });
                let x = get!(fp, a);
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                v[usize::from(d)] = simd::$spf(x);
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            $( SimdOp::$te => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a });
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                let r = simd::$tef(v[usize::from(a)]);
                set!(fp, d, r);
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            $( SimdOp::$sh => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a, b });
                let x = get!(fp, b);
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                v[usize::from(d)] = simd::$shf(v[usize::from(a)], x);
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            $( SimdOp::$ex => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a, c });
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                let r = simd::$exf(v[usize::from(a)], c as u8);
                set!(fp, d, r);
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            $( SimdOp::$re => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a, b, c });
                let x = get!(fp, b);
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                v[usize::from(d)] = simd::$ref_(v[usize::from(a)], x, c as u8);
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            SimdOp::CopyV128 => |ip, fp, mem, len, cx| {
                operands!(ip, Simd { d, a });
                let Some(v) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                v[usize::from(d)] = v[usize::from(a)];
                next!(after!(ip), fp, mem, len, cx)
            },
            _ => simd_generic,
        }
    };
}

/// Handlers for the loads and stores of whole vectors in memory 0 (other memories, lanes
/// and the rest go through `simd_generic`).
macro_rules! simd_memory_handlers {
    (
        ($op:expr)
        unary { $($u:tt)* }
        binary { $($bi:tt)* }
        ternary { $($t:tt)* }
        splat { $($sp:tt)* }
        test { $($te:tt)* }
        shift { $($sh:tt)* }
        extract { $($ex:tt)* }
        replace { $($re:tt)* }
        load { $($l:ident $lf:ident,)* }
        load_lane { $($ll:tt)* }
        store { $($st:ident $stf:ident,)* }
        store_lane { $($sl:tt)* }
    ) => {
        match $op {
            $( SimdXOp::$l => |ip, fp, mem, len, cx| {
                operands!(ip, SimdX { v, s, x });
                let site = cx.code.func.simd_sites[x as usize];
                if site.memory != 0 {
                    return simd_generic(ip, fp, mem, len, cx);
                }
                let Some(value) = simd::$lf(memory!(mem, len), get!(fp, s), site.offset) else {
                    return cx.trap(Trap::MemoryOutOfBounds);
                };
                let Some(vf) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                vf[usize::from(v)] = value;
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            $( SimdXOp::$st => |ip, fp, mem, len, cx| {
                operands!(ip, SimdX { v, s, x });
                let site = cx.code.func.simd_sites[x as usize];
                if site.memory != 0 {
                    return simd_generic(ip, fp, mem, len, cx);
                }
                let Some(vf) = slow::vector_frame(cx, fp) else { return Exit::Trap };
                let value = vf[usize::from(v)];
                if simd::$stf(memory!(mem, len), get!(fp, s), site.offset, value).is_none() {
                    return cx.trap(Trap::MemoryOutOfBounds);
                }
                next!(after!(ip), fp, mem, len, cx)
            }, )*
            _ => simd_generic,
        }
    };
}
use {simd_handlers, simd_memory_handlers};
