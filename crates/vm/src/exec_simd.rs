//! Execution of the SIMD instructions (`Instr::Simd`, `Instr::SimdX`), called by the
//! interpreter from one arm of its slow path, and the few helpers calls and returns need for
//! `v128` values.
//!
//! # Vector slots
//!
//! `v128` values live in a register file of their own, `vregs: Vec<V>` (16 bytes each, see
//! `simd::V` for why not `u128`), parallel to the
//! scalar `regs` and indexed the same way: the vector slot `i` of the frame at `fp` is
//! `vregs[fp + i]` (see `rill_lower::isa_simd`). So frames, calls with arguments in place
//! and results in the callee's first slots work for both files without the lowering or the
//! call sequence knowing; the scalar slots stay 64 bits and scalar code never touches
//! `vregs`.
//!
//! `vregs` grows lazily: every SIMD instruction makes sure it covers its frame
//! (`fp + frame_size`) before it runs, so a function without SIMD instructions costs nothing
//! and the vector file is only as large as the deepest frame that used it. Reading a vector
//! slot no instruction wrote (a host call's `v128` argument that was never computed cannot
//! happen after validation) is guarded anyway by a bounds-checked read.
//!
//! Everything here is safe code: slots are accessed with bounds checks (a failed check
//! would be a lowering bug, and panics rather than misbehave).

use rill_decoder::ValType;
use rill_lower::{CompiledFunc, Instr, SimdOp, SimdXOp};

use crate::entities::{GlobalInst, InstanceData, MemoryInst, MAX_REGISTERS};
use crate::simd::{self, V};
use crate::value::Value;
use crate::Trap;

/// Makes `vregs` cover slots `..need`.
#[inline]
pub(crate) fn reserve(vregs: &mut Vec<V>, need: usize) -> Result<(), Trap> {
    if need > vregs.len() {
        if need > MAX_REGISTERS {
            return Err(Trap::StackExhausted);
        }
        vregs.resize(need.max(vregs.len() * 2).clamp(64, MAX_REGISTERS), [0; 16]);
    }
    Ok(())
}

macro_rules! dispatch_simd {
    (
        ($op:expr, $d:expr, $a:expr, $b:expr, $c:expr, $r:expr, $v:expr, $consts:expr)
        unary { $($u:ident $uf:ident,)* }
        binary { $($bi:ident $bf:ident,)* }
        ternary { $($t:ident $tf:ident,)* }
        splat { $($sp:ident $spf:ident,)* }
        test { $($te:ident $tef:ident,)* }
        shift { $($sh:ident $shf:ident,)* }
        extract { $($ex:ident $exf:ident,)* }
        replace { $($re:ident $ref_:ident,)* }
        load { $($l:ident $lf:ident,)* }
        load_lane { $($ll:ident $llf:ident,)* }
        store { $($s:ident $sf:ident,)* }
        store_lane { $($sl:ident $slf:ident,)* }
    ) => {{
        let (d, a, b, c) = (usize::from($d), usize::from($a), usize::from($b), usize::from($c));
        let (r, v): (&mut [u64], &mut [V]) = ($r, $v);
        match $op {
            $( SimdOp::$u => v[d] = simd::$uf(v[a]), )*
            $( SimdOp::$bi => v[d] = simd::$bf(v[a], v[b]), )*
            $( SimdOp::$t => v[d] = simd::$tf(v[a], v[b], v[c]), )*
            $( SimdOp::$sp => v[d] = simd::$spf(r[a]), )*
            $( SimdOp::$te => r[d] = simd::$tef(v[a]), )*
            $( SimdOp::$sh => v[d] = simd::$shf(v[a], r[b]), )*
            $( SimdOp::$ex => r[d] = simd::$exf(v[a], c as u8), )*
            $( SimdOp::$re => v[d] = simd::$ref_(v[a], r[b], c as u8), )*
            SimdOp::CopyV128 => v[d] = v[a],
            SimdOp::SelectV128 => v[d] = if r[c] != 0 { v[a] } else { v[b] },
            SimdOp::V128Zero => v[d] = [0; 16],
            SimdOp::I8x16Shuffle => {
                v[d] = simd::i8x16_shuffle(v[a], v[b], simd::from_u128($consts[c]))
            }
            SimdOp::I8x16ShuffleReg => v[d] = simd::i8x16_shuffle(v[a], v[b], v[c]),
        }
    }};
}

macro_rules! dispatch_simd_mem {
    (
        ($op:expr, $vs:expr, $ss:expr, $site:expr, $r:expr, $v:expr, $memory:expr)
        unary { $($u:tt)* }
        binary { $($bi:tt)* }
        ternary { $($t:tt)* }
        splat { $($sp:tt)* }
        test { $($te:tt)* }
        shift { $($sh:tt)* }
        extract { $($ex:tt)* }
        replace { $($re:tt)* }
        load { $($l:ident $lf:ident,)* }
        load_lane { $($ll:ident $llf:ident,)* }
        store { $($s:ident $sf:ident,)* }
        store_lane { $($sl:ident $slf:ident,)* }
    ) => {{
        let (vs, ss) = (usize::from($vs), usize::from($ss));
        let (r, v): (&mut [u64], &mut [V]) = ($r, $v);
        let site = $site;
        let done = match $op {
            $( SimdXOp::$l => simd::$lf($memory, r[ss], site.offset).map(|x| v[vs] = x), )*
            $( SimdXOp::$ll => {
                simd::$llf($memory, r[ss], site.offset, v[vs], site.lane).map(|x| v[vs] = x)
            } )*
            $( SimdXOp::$s => simd::$sf($memory, r[ss], site.offset, v[vs]), )*
            $( SimdXOp::$sl => simd::$slf($memory, r[ss], site.offset, v[vs], site.lane), )*
            _ => unreachable!("a memory access"),
        };
        done.ok_or(Trap::MemoryOutOfBounds)
    }};
}

/// Executes `instr` (an `Instr::Simd` or `Instr::SimdX`) in the frame at `fp` of function
/// `cf` of instance `inst`.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn exec(
    instr: Instr,
    fp: usize,
    regs: &mut [u64],
    vregs: &mut Vec<V>,
    cf: &CompiledFunc,
    inst: &InstanceData,
    memories: &mut [MemoryInst],
    globals: &mut [GlobalInst],
) -> Result<(), Trap> {
    let end = fp + usize::from(cf.frame_size);
    reserve(vregs, end)?;
    let r = &mut regs[fp..end];
    let v = &mut vregs[fp..end];
    match instr {
        Instr::Simd { op, d, a, b, c } => {
            rill_lower::with_simd_isa!(dispatch_simd(op, d, a, b, c, r, v, cf.v128_consts));
            Ok(())
        }
        Instr::SimdX {
            op,
            v: vs,
            s: ss,
            x,
        } => {
            let vs = usize::from(vs);
            match op {
                SimdXOp::V128Const => v[vs] = simd::from_u128(cf.v128_consts[x as usize]),
                SimdXOp::GlobalGetV128 => {
                    let g = &globals[inst.globals[x as usize] as usize];
                    v[vs] = simd::from_u128(g.get_v128())
                }
                SimdXOp::GlobalSetV128 => {
                    globals[inst.globals[x as usize] as usize].set_v128(simd::to_u128(v[vs]))
                }
                _ => {
                    let site = cf.simd_sites[x as usize];
                    let memory = &mut memories[inst.memories[site.memory as usize] as usize].data;
                    return rill_lower::with_simd_isa!(dispatch_simd_mem(
                        op, vs, ss, site, r, v, memory
                    ));
                }
            }
            Ok(())
        }
        _ => unreachable!("not a SIMD instruction: {instr:?}"),
    }
}

/// A tail call's `v128` arguments: the vector slots `base..base + n` of the frame move to
/// its first slots, as the interpreter moves the scalar slots (`fp` and `base` absolute).
pub(crate) fn tail_args(vregs: &mut Vec<V>, fp: usize, base: usize, n: usize) -> Result<(), Trap> {
    reserve(vregs, base + n)?;
    vregs.copy_within(base..base + n, fp);
    Ok(())
}

/// The value of type `ty` in slot `at` (absolute) of the register files.
pub(crate) fn read_value(regs: &[u64], vregs: &[V], at: usize, ty: ValType) -> Value {
    match ty {
        ValType::V128 => Value::V128(vregs.get(at).map_or(0, |v| simd::to_u128(*v))),
        ty => Value::from_raw(regs[at], ty),
    }
}

/// The values of types `types` in the slots from `base` (absolute): call arguments and
/// results, exception payloads.
pub(crate) fn read_values(regs: &[u64], vregs: &[V], base: usize, types: &[ValType]) -> Vec<Value> {
    types
        .iter()
        .enumerate()
        .map(|(i, t)| read_value(regs, vregs, base + i, *t))
        .collect()
}

/// Writes `v` to slot `at` (absolute) of the register files, growing them if needed.
pub(crate) fn write_value(
    regs: &mut Vec<u64>,
    vregs: &mut Vec<V>,
    at: usize,
    v: Value,
) -> Result<(), Trap> {
    if at >= regs.len() {
        regs.resize(at + 1, 0);
    }
    match v {
        Value::V128(x) => {
            reserve(vregs, at + 1)?;
            vregs[at] = simd::from_u128(x);
        }
        v => regs[at] = v.to_raw(),
    }
    Ok(())
}
