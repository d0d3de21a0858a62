//! The semantics of the SIMD and relaxed-SIMD instructions: pure, portable functions on
//! vectors ([`V`], 16 bytes, lane 0 first, as in memory) and raw scalar registers (`i32`/`f32` zero-extended in a `u64`, see `rill_lower::isa`). Names follow the
//! lists of `rill_lower::isa_simd`. Nothing here allocates; lanes are plain arrays, which
//! the compiler turns into vector instructions where the target has them.
//!
//! Float lanes use the scalar operators' functions of `ops.rs`, so scalar and vector
//! arithmetic have the same NaN and signed-zero rules.
//!
//! # Relaxed SIMD
//!
//! Each relaxed operator has one deterministic behaviour, chosen from the set the
//! relaxed-SIMD proposal allows (the testsuite's `either` results accept each):
//!
//! | operator | rill computes |
//! |---|---|
//! | `i8x16.relaxed_swizzle` | `i8x16.swizzle` (an index above 15 selects 0) |
//! | `i32x4.relaxed_trunc_f32x4_s/u`, `i32x4.relaxed_trunc_f64x2_s/u_zero` | the saturating `trunc_sat` (NaN is 0, out of range saturates) |
//! | `f32x4/f64x2.relaxed_madd` | `a * b + c`, unfused (two roundings) |
//! | `f32x4/f64x2.relaxed_nmadd` | `-(a * b) + c`, unfused (two roundings) |
//! | `i8x16/i16x8/i32x4/i64x2.relaxed_laneselect` | `v128.bitselect` (every bit of the mask selects) |
//! | `f32x4/f64x2.relaxed_min/max` | `min`/`max` (a NaN operand gives the canonical NaN; `-0 < +0`) |
//! | `i16x8.relaxed_q15mulr_s` | `i16x8.q15mulr_sat_s` (saturating) |
//! | `i16x8.relaxed_dot_i8x16_i7x16_s` | both operands signed; each pair's sum saturated to `i16` |
//! | `i32x4.relaxed_dot_i8x16_i7x16_add_s` | the `i16` dot product above, pairs added as `i32`, plus `c` (wrapping) |

use crate::ops;

/// A `v128` value: its 16 bytes, lane 0 first (as in memory).
///
/// Not a `u128`: LLVM keeps an `i128` in a pair of general registers and takes it apart
/// lane by lane, while lane-wise loops over a byte array become single vector instructions
/// (`paddb`, `addps`, `pcmpeqb`, … on x86-64; the same on other targets with vectors).
pub type V = [u8; 16];

/// A `u128` (lane 0 in the least significant bits, as `Value::V128`) as a vector.
#[inline(always)]
pub fn from_u128(v: u128) -> V {
    v.to_le_bytes()
}

/// A vector as a `u128` (lane 0 in the least significant bits).
#[inline(always)]
pub fn to_u128(v: V) -> u128 {
    u128::from_le_bytes(v)
}

// ----- lanes -----

macro_rules! lanes {
    ($($to:ident $from:ident: $t:ty, $n:literal;)*) => {
        $(
            /// The lanes of a vector.
            #[inline(always)]
            fn $to(v: V) -> [$t; $n] {
                const W: usize = 16 / $n;
                core::array::from_fn(|i| {
                    let mut x = [0u8; W];
                    x.copy_from_slice(&v[i * W..i * W + W]);
                    <$t>::from_le_bytes(x)
                })
            }

            /// The vector of lanes.
            #[inline(always)]
            fn $from(l: [$t; $n]) -> V {
                const W: usize = 16 / $n;
                let mut b = [0u8; 16];
                for (i, x) in l.iter().enumerate() {
                    b[i * W..i * W + W].copy_from_slice(&x.to_le_bytes());
                }
                b
            }
        )*
    };
}

lanes! {
    u8s from_u8s: u8, 16;
    i8s from_i8s: i8, 16;
    u16s from_u16s: u16, 8;
    i16s from_i16s: i16, 8;
    u32s from_u32s: u32, 4;
    i32s from_i32s: i32, 4;
    u64s from_u64s: u64, 2;
    i64s from_i64s: i64, 2;
}

/// A comparison result lane: all ones or all zeros.
#[inline(always)]
fn mask<T: From<bool> + core::ops::Neg<Output = T>>(b: bool) -> T {
    -T::from(b)
}

// Lane-wise operations: `$lanes` reads the operands, `$back` builds the result, `|x, y|`
// computes one lane.
macro_rules! map1 {
    ($($name:ident: $lanes:ident -> $back:ident |$x:ident| $e:expr;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V) -> V {
                $back($lanes(a).map(|$x| $e))
            }
        )*
    };
}

macro_rules! map2 {
    ($($name:ident: $lanes:ident -> $back:ident |$x:ident, $y:ident| $e:expr;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V, b: V) -> V {
                let (a, b) = ($lanes(a), $lanes(b));
                $back(core::array::from_fn(|i| {
                    let ($x, $y) = (a[i], b[i]);
                    $e
                }))
            }
        )*
    };
}

// ----- bitwise -----

map1! {
    v128_not: u8s -> from_u8s |x| !x;
}

map2! {
    v128_and: u8s -> from_u8s |x, y| x & y;
    v128_andnot: u8s -> from_u8s |x, y| x & !y;
    v128_or: u8s -> from_u8s |x, y| x | y;
    v128_xor: u8s -> from_u8s |x, y| x ^ y;
}

#[inline(always)]
pub fn v128_bitselect(a: V, b: V, c: V) -> V {
    core::array::from_fn(|i| (a[i] & c[i]) | (b[i] & !c[i]))
}
#[inline(always)]
pub fn v128_any_true(a: V) -> u64 {
    u64::from(a != [0; 16])
}

// ----- integer lanes -----

map1! {
    i8x16_abs: i8s -> from_i8s |x| x.wrapping_abs();
    i8x16_neg: i8s -> from_i8s |x| x.wrapping_neg();
    i8x16_popcnt: u8s -> from_u8s |x| x.count_ones() as u8;
    i16x8_abs: i16s -> from_i16s |x| x.wrapping_abs();
    i16x8_neg: i16s -> from_i16s |x| x.wrapping_neg();
    i32x4_abs: i32s -> from_i32s |x| x.wrapping_abs();
    i32x4_neg: i32s -> from_i32s |x| x.wrapping_neg();
    i64x2_abs: i64s -> from_i64s |x| x.wrapping_abs();
    i64x2_neg: i64s -> from_i64s |x| x.wrapping_neg();
}

map2! {
    i8x16_add: u8s -> from_u8s |x, y| x.wrapping_add(y);
    i8x16_add_sat_s: i8s -> from_i8s |x, y| x.saturating_add(y);
    i8x16_add_sat_u: u8s -> from_u8s |x, y| x.saturating_add(y);
    i8x16_sub: u8s -> from_u8s |x, y| x.wrapping_sub(y);
    i8x16_sub_sat_s: i8s -> from_i8s |x, y| x.saturating_sub(y);
    i8x16_sub_sat_u: u8s -> from_u8s |x, y| x.saturating_sub(y);
    i8x16_min_s: i8s -> from_i8s |x, y| x.min(y);
    i8x16_min_u: u8s -> from_u8s |x, y| x.min(y);
    i8x16_max_s: i8s -> from_i8s |x, y| x.max(y);
    i8x16_max_u: u8s -> from_u8s |x, y| x.max(y);
    i8x16_avgr_u: u8s -> from_u8s |x, y| ((u16::from(x) + u16::from(y)).div_ceil(2)) as u8;
    i8x16_eq: u8s -> from_i8s |x, y| mask(x == y);
    i8x16_ne: u8s -> from_i8s |x, y| mask(x != y);
    i8x16_lt_s: i8s -> from_i8s |x, y| mask(x < y);
    i8x16_lt_u: u8s -> from_i8s |x, y| mask(x < y);
    i8x16_gt_s: i8s -> from_i8s |x, y| mask(x > y);
    i8x16_gt_u: u8s -> from_i8s |x, y| mask(x > y);
    i8x16_le_s: i8s -> from_i8s |x, y| mask(x <= y);
    i8x16_le_u: u8s -> from_i8s |x, y| mask(x <= y);
    i8x16_ge_s: i8s -> from_i8s |x, y| mask(x >= y);
    i8x16_ge_u: u8s -> from_i8s |x, y| mask(x >= y);

    i16x8_add: u16s -> from_u16s |x, y| x.wrapping_add(y);
    i16x8_add_sat_s: i16s -> from_i16s |x, y| x.saturating_add(y);
    i16x8_add_sat_u: u16s -> from_u16s |x, y| x.saturating_add(y);
    i16x8_sub: u16s -> from_u16s |x, y| x.wrapping_sub(y);
    i16x8_sub_sat_s: i16s -> from_i16s |x, y| x.saturating_sub(y);
    i16x8_sub_sat_u: u16s -> from_u16s |x, y| x.saturating_sub(y);
    i16x8_mul: u16s -> from_u16s |x, y| x.wrapping_mul(y);
    i16x8_min_s: i16s -> from_i16s |x, y| x.min(y);
    i16x8_min_u: u16s -> from_u16s |x, y| x.min(y);
    i16x8_max_s: i16s -> from_i16s |x, y| x.max(y);
    i16x8_max_u: u16s -> from_u16s |x, y| x.max(y);
    i16x8_avgr_u: u16s -> from_u16s |x, y| ((u32::from(x) + u32::from(y)).div_ceil(2)) as u16;
    i16x8_q15mulr_sat_s: i16s -> from_i16s |x, y| q15mulr(x, y);
    i16x8_eq: u16s -> from_i16s |x, y| mask(x == y);
    i16x8_ne: u16s -> from_i16s |x, y| mask(x != y);
    i16x8_lt_s: i16s -> from_i16s |x, y| mask(x < y);
    i16x8_lt_u: u16s -> from_i16s |x, y| mask(x < y);
    i16x8_gt_s: i16s -> from_i16s |x, y| mask(x > y);
    i16x8_gt_u: u16s -> from_i16s |x, y| mask(x > y);
    i16x8_le_s: i16s -> from_i16s |x, y| mask(x <= y);
    i16x8_le_u: u16s -> from_i16s |x, y| mask(x <= y);
    i16x8_ge_s: i16s -> from_i16s |x, y| mask(x >= y);
    i16x8_ge_u: u16s -> from_i16s |x, y| mask(x >= y);

    i32x4_add: u32s -> from_u32s |x, y| x.wrapping_add(y);
    i32x4_sub: u32s -> from_u32s |x, y| x.wrapping_sub(y);
    i32x4_mul: u32s -> from_u32s |x, y| x.wrapping_mul(y);
    i32x4_min_s: i32s -> from_i32s |x, y| x.min(y);
    i32x4_min_u: u32s -> from_u32s |x, y| x.min(y);
    i32x4_max_s: i32s -> from_i32s |x, y| x.max(y);
    i32x4_max_u: u32s -> from_u32s |x, y| x.max(y);
    i32x4_eq: u32s -> from_i32s |x, y| mask(x == y);
    i32x4_ne: u32s -> from_i32s |x, y| mask(x != y);
    i32x4_lt_s: i32s -> from_i32s |x, y| mask(x < y);
    i32x4_lt_u: u32s -> from_i32s |x, y| mask(x < y);
    i32x4_gt_s: i32s -> from_i32s |x, y| mask(x > y);
    i32x4_gt_u: u32s -> from_i32s |x, y| mask(x > y);
    i32x4_le_s: i32s -> from_i32s |x, y| mask(x <= y);
    i32x4_le_u: u32s -> from_i32s |x, y| mask(x <= y);
    i32x4_ge_s: i32s -> from_i32s |x, y| mask(x >= y);
    i32x4_ge_u: u32s -> from_i32s |x, y| mask(x >= y);

    i64x2_add: u64s -> from_u64s |x, y| x.wrapping_add(y);
    i64x2_sub: u64s -> from_u64s |x, y| x.wrapping_sub(y);
    i64x2_mul: u64s -> from_u64s |x, y| x.wrapping_mul(y);
    i64x2_eq: u64s -> from_i64s |x, y| mask(x == y);
    i64x2_ne: u64s -> from_i64s |x, y| mask(x != y);
    i64x2_lt_s: i64s -> from_i64s |x, y| mask(x < y);
    i64x2_gt_s: i64s -> from_i64s |x, y| mask(x > y);
    i64x2_le_s: i64s -> from_i64s |x, y| mask(x <= y);
    i64x2_ge_s: i64s -> from_i64s |x, y| mask(x >= y);
}

/// `(x * y + 2^14) >> 15`, saturated (only `-32768 * -32768` overflows).
#[inline(always)]
fn q15mulr(x: i16, y: i16) -> i16 {
    let p = (i32::from(x) * i32::from(y) + 0x4000) >> 15;
    p.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

// Shifts take the count modulo the lane width.
macro_rules! shifts {
    ($($name:ident: $lanes:ident -> $back:ident, $bits:literal, |$x:ident, $n:ident| $e:expr;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V, count: u64) -> V {
                let $n = (count as u32) % $bits;
                $back($lanes(a).map(|$x| $e))
            }
        )*
    };
}

shifts! {
    i8x16_shl: u8s -> from_u8s, 8, |x, n| x << n;
    i8x16_shr_s: i8s -> from_i8s, 8, |x, n| x >> n;
    i8x16_shr_u: u8s -> from_u8s, 8, |x, n| x >> n;
    i16x8_shl: u16s -> from_u16s, 16, |x, n| x << n;
    i16x8_shr_s: i16s -> from_i16s, 16, |x, n| x >> n;
    i16x8_shr_u: u16s -> from_u16s, 16, |x, n| x >> n;
    i32x4_shl: u32s -> from_u32s, 32, |x, n| x << n;
    i32x4_shr_s: i32s -> from_i32s, 32, |x, n| x >> n;
    i32x4_shr_u: u32s -> from_u32s, 32, |x, n| x >> n;
    i64x2_shl: u64s -> from_u64s, 64, |x, n| x << n;
    i64x2_shr_s: i64s -> from_i64s, 64, |x, n| x >> n;
    i64x2_shr_u: u64s -> from_u64s, 64, |x, n| x >> n;
}

// Whole-vector reductions.
macro_rules! tests {
    ($($all:ident $bitmask:ident: $lanes:ident;)*) => {
        $(
            #[inline(always)]
            pub fn $all(a: V) -> u64 {
                u64::from($lanes(a).iter().all(|&x| x != 0))
            }

            #[inline(always)]
            pub fn $bitmask(a: V) -> u64 {
                $lanes(a)
                    .iter()
                    .enumerate()
                    .fold(0, |m, (i, &x)| m | (u64::from(x < 0) << i))
            }
        )*
    };
}

tests! {
    i8x16_all_true i8x16_bitmask: i8s;
    i16x8_all_true i16x8_bitmask: i16s;
    i32x4_all_true i32x4_bitmask: i32s;
    i64x2_all_true i64x2_bitmask: i64s;
}

// Narrowing: the lanes of `a` then those of `b`, saturated.
macro_rules! narrow {
    ($($name:ident: $lanes:ident -> $back:ident, $n:literal, $t:ty;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V, b: V) -> V {
                let (a, b) = ($lanes(a), $lanes(b));
                $back(core::array::from_fn(|i| {
                    let x = if i < $n { a[i] } else { b[i - $n] };
                    x.clamp(<$t>::MIN.into(), <$t>::MAX.into()) as $t
                }))
            }
        )*
    };
}

narrow! {
    i8x16_narrow_i16x8_s: i16s -> from_i8s, 8, i8;
    i8x16_narrow_i16x8_u: i16s -> from_u8s, 8, u8;
    i16x8_narrow_i32x4_s: i32s -> from_i16s, 4, i16;
    i16x8_narrow_i32x4_u: i32s -> from_u16s, 4, u16;
}

// Widening: lanes `$off..` of the operand(s), extended.
macro_rules! extend {
    ($($name:ident: $lanes:ident -> $back:ident, $off:literal, $t:ty;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V) -> V {
                let a = $lanes(a);
                $back(core::array::from_fn(|i| <$t>::from(a[$off + i])))
            }
        )*
    };
}

extend! {
    i16x8_extend_low_i8x16_s: i8s -> from_i16s, 0, i16;
    i16x8_extend_high_i8x16_s: i8s -> from_i16s, 8, i16;
    i16x8_extend_low_i8x16_u: u8s -> from_u16s, 0, u16;
    i16x8_extend_high_i8x16_u: u8s -> from_u16s, 8, u16;
    i32x4_extend_low_i16x8_s: i16s -> from_i32s, 0, i32;
    i32x4_extend_high_i16x8_s: i16s -> from_i32s, 4, i32;
    i32x4_extend_low_i16x8_u: u16s -> from_u32s, 0, u32;
    i32x4_extend_high_i16x8_u: u16s -> from_u32s, 4, u32;
    i64x2_extend_low_i32x4_s: i32s -> from_i64s, 0, i64;
    i64x2_extend_high_i32x4_s: i32s -> from_i64s, 2, i64;
    i64x2_extend_low_i32x4_u: u32s -> from_u64s, 0, u64;
    i64x2_extend_high_i32x4_u: u32s -> from_u64s, 2, u64;
}

macro_rules! extmul {
    ($($name:ident: $lanes:ident -> $back:ident, $off:literal, $t:ty;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V, b: V) -> V {
                let (a, b) = ($lanes(a), $lanes(b));
                $back(core::array::from_fn(|i| {
                    <$t>::from(a[$off + i]).wrapping_mul(<$t>::from(b[$off + i]))
                }))
            }
        )*
    };
}

extmul! {
    i16x8_extmul_low_i8x16_s: i8s -> from_i16s, 0, i16;
    i16x8_extmul_high_i8x16_s: i8s -> from_i16s, 8, i16;
    i16x8_extmul_low_i8x16_u: u8s -> from_u16s, 0, u16;
    i16x8_extmul_high_i8x16_u: u8s -> from_u16s, 8, u16;
    i32x4_extmul_low_i16x8_s: i16s -> from_i32s, 0, i32;
    i32x4_extmul_high_i16x8_s: i16s -> from_i32s, 4, i32;
    i32x4_extmul_low_i16x8_u: u16s -> from_u32s, 0, u32;
    i32x4_extmul_high_i16x8_u: u16s -> from_u32s, 4, u32;
    i64x2_extmul_low_i32x4_s: i32s -> from_i64s, 0, i64;
    i64x2_extmul_high_i32x4_s: i32s -> from_i64s, 2, i64;
    i64x2_extmul_low_i32x4_u: u32s -> from_u64s, 0, u64;
    i64x2_extmul_high_i32x4_u: u32s -> from_u64s, 2, u64;
}

macro_rules! extadd_pairwise {
    ($($name:ident: $lanes:ident -> $back:ident, $t:ty;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V) -> V {
                let a = $lanes(a);
                $back(core::array::from_fn(|i| <$t>::from(a[2 * i]) + <$t>::from(a[2 * i + 1])))
            }
        )*
    };
}

extadd_pairwise! {
    i16x8_extadd_pairwise_i8x16_s: i8s -> from_i16s, i16;
    i16x8_extadd_pairwise_i8x16_u: u8s -> from_u16s, u16;
    i32x4_extadd_pairwise_i16x8_s: i16s -> from_i32s, i32;
    i32x4_extadd_pairwise_i16x8_u: u16s -> from_u32s, u32;
}

#[inline(always)]
pub fn i32x4_dot_i16x8_s(a: V, b: V) -> V {
    let (a, b) = (i16s(a), i16s(b));
    from_i32s(core::array::from_fn(|i| {
        let p = |k: usize| i32::from(a[k]) * i32::from(b[k]);
        p(2 * i).wrapping_add(p(2 * i + 1))
    }))
}

// ----- lanes, splats, swizzles -----

#[inline(always)]
pub fn i8x16_swizzle(a: V, s: V) -> V {
    let (a, s) = (u8s(a), u8s(s));
    from_u8s(s.map(|i| a.get(usize::from(i)).copied().unwrap_or(0)))
}

/// `i8x16.shuffle`: byte `i` of `lanes` picks lane `i` from the 32 lanes of `a` and `b`
/// (validation keeps the indices below 32).
#[inline(always)]
pub fn i8x16_shuffle(a: V, b: V, lanes: V) -> V {
    let (a, b, l) = (u8s(a), u8s(b), u8s(lanes));
    from_u8s(l.map(|i| {
        let i = usize::from(i & 31);
        if i < 16 {
            a[i]
        } else {
            b[i - 16]
        }
    }))
}

#[inline(always)]
pub fn i8x16_splat(x: u64) -> V {
    from_u8s([x as u8; 16])
}
#[inline(always)]
pub fn i16x8_splat(x: u64) -> V {
    from_u16s([x as u16; 8])
}
#[inline(always)]
pub fn i32x4_splat(x: u64) -> V {
    from_u32s([x as u32; 4])
}
#[inline(always)]
pub fn i64x2_splat(x: u64) -> V {
    from_u64s([x; 2])
}

// Lane access: `lane` is below the lane count (validated). Results are raw registers.
#[inline(always)]
pub fn i8x16_extract_lane_s(a: V, lane: u8) -> u64 {
    u64::from(i8s(a)[usize::from(lane)] as i32 as u32)
}
#[inline(always)]
pub fn i8x16_extract_lane_u(a: V, lane: u8) -> u64 {
    u64::from(u8s(a)[usize::from(lane)])
}
#[inline(always)]
pub fn i16x8_extract_lane_s(a: V, lane: u8) -> u64 {
    u64::from(i16s(a)[usize::from(lane)] as i32 as u32)
}
#[inline(always)]
pub fn i16x8_extract_lane_u(a: V, lane: u8) -> u64 {
    u64::from(u16s(a)[usize::from(lane)])
}
#[inline(always)]
pub fn i32x4_extract_lane(a: V, lane: u8) -> u64 {
    u64::from(u32s(a)[usize::from(lane)])
}
#[inline(always)]
pub fn i64x2_extract_lane(a: V, lane: u8) -> u64 {
    u64s(a)[usize::from(lane)]
}

#[inline(always)]
pub fn i8x16_replace_lane(a: V, x: u64, lane: u8) -> V {
    let mut l = u8s(a);
    l[usize::from(lane)] = x as u8;
    from_u8s(l)
}
#[inline(always)]
pub fn i16x8_replace_lane(a: V, x: u64, lane: u8) -> V {
    let mut l = u16s(a);
    l[usize::from(lane)] = x as u16;
    from_u16s(l)
}
#[inline(always)]
pub fn i32x4_replace_lane(a: V, x: u64, lane: u8) -> V {
    let mut l = u32s(a);
    l[usize::from(lane)] = x as u32;
    from_u32s(l)
}
#[inline(always)]
pub fn i64x2_replace_lane(a: V, x: u64, lane: u8) -> V {
    let mut l = u64s(a);
    l[usize::from(lane)] = x;
    from_u64s(l)
}

// ----- float lanes -----

// The scalar operator `ops::$op` (on raw registers) on each lane.
macro_rules! f32_map1 {
    ($($name:ident => $op:path;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V) -> V {
                from_u32s(u32s(a).map(|x| $op(u64::from(x)) as u32))
            }
        )*
    };
}

macro_rules! f64_map1 {
    ($($name:ident => $op:path;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V) -> V {
                from_u64s(u64s(a).map($op))
            }
        )*
    };
}

macro_rules! f32_map2 {
    ($($name:ident => $op:path;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V, b: V) -> V {
                let (a, b) = (u32s(a), u32s(b));
                from_u32s(core::array::from_fn(|i| {
                    $op(u64::from(a[i]), u64::from(b[i])) as u32
                }))
            }
        )*
    };
}

macro_rules! f64_map2 {
    ($($name:ident => $op:path;)*) => {
        $(
            #[inline(always)]
            pub fn $name(a: V, b: V) -> V {
                let (a, b) = (u64s(a), u64s(b));
                from_u64s(core::array::from_fn(|i| $op(a[i], b[i])))
            }
        )*
    };
}

f32_map1! {
    f32x4_abs => ops::f32_abs;
    f32x4_neg => ops::f32_neg;
    f32x4_sqrt => ops::f32_sqrt;
    f32x4_ceil => ops::f32_ceil;
    f32x4_floor => ops::f32_floor;
    f32x4_trunc => ops::f32_trunc;
    f32x4_nearest => ops::f32_nearest;
    i32x4_trunc_sat_f32x4_s => ops::i32_trunc_sat_f32_s;
    i32x4_trunc_sat_f32x4_u => ops::i32_trunc_sat_f32_u;
    f32x4_convert_i32x4_s => ops::f32_convert_i32_s;
    f32x4_convert_i32x4_u => ops::f32_convert_i32_u;
}

f64_map1! {
    f64x2_abs => ops::f64_abs;
    f64x2_neg => ops::f64_neg;
    f64x2_sqrt => ops::f64_sqrt;
    f64x2_ceil => ops::f64_ceil;
    f64x2_floor => ops::f64_floor;
    f64x2_trunc => ops::f64_trunc;
    f64x2_nearest => ops::f64_nearest;
}

f32_map2! {
    f32x4_add => ops::f32_add;
    f32x4_sub => ops::f32_sub;
    f32x4_mul => ops::f32_mul;
    f32x4_div => ops::f32_div;
    f32x4_min => ops::f32_min;
    f32x4_max => ops::f32_max;
    f32x4_pmin => f32_pmin;
    f32x4_pmax => f32_pmax;
    f32x4_eq => f32_mask_eq;
    f32x4_ne => f32_mask_ne;
    f32x4_lt => f32_mask_lt;
    f32x4_gt => f32_mask_gt;
    f32x4_le => f32_mask_le;
    f32x4_ge => f32_mask_ge;
}

f64_map2! {
    f64x2_add => ops::f64_add;
    f64x2_sub => ops::f64_sub;
    f64x2_mul => ops::f64_mul;
    f64x2_div => ops::f64_div;
    f64x2_min => ops::f64_min;
    f64x2_max => ops::f64_max;
    f64x2_pmin => f64_pmin;
    f64x2_pmax => f64_pmax;
    f64x2_eq => f64_mask_eq;
    f64x2_ne => f64_mask_ne;
    f64x2_lt => f64_mask_lt;
    f64x2_gt => f64_mask_gt;
    f64x2_le => f64_mask_le;
    f64x2_ge => f64_mask_ge;
}

// Comparisons as lane masks, from the scalar comparisons (which give 0 or 1).
macro_rules! float_masks {
    ($($name:ident => $op:path, $all:expr;)*) => {
        $(
            #[inline(always)]
            fn $name(a: u64, b: u64) -> u64 {
                if $op(a, b) != 0 { $all } else { 0 }
            }
        )*
    };
}

float_masks! {
    f32_mask_eq => ops::f32_eq, 0xFFFF_FFFF;
    f32_mask_ne => ops::f32_ne, 0xFFFF_FFFF;
    f32_mask_lt => ops::f32_lt, 0xFFFF_FFFF;
    f32_mask_gt => ops::f32_gt, 0xFFFF_FFFF;
    f32_mask_le => ops::f32_le, 0xFFFF_FFFF;
    f32_mask_ge => ops::f32_ge, 0xFFFF_FFFF;
    f64_mask_eq => ops::f64_eq, u64::MAX;
    f64_mask_ne => ops::f64_ne, u64::MAX;
    f64_mask_lt => ops::f64_lt, u64::MAX;
    f64_mask_gt => ops::f64_gt, u64::MAX;
    f64_mask_le => ops::f64_le, u64::MAX;
    f64_mask_ge => ops::f64_ge, u64::MAX;
}

/// `pmin(a, b)`: `b < a ? b : a` (a NaN compares false: `a`).
#[inline(always)]
fn f32_pmin(a: u64, b: u64) -> u64 {
    if ops::f32_lt(b, a) != 0 {
        b
    } else {
        a
    }
}
/// `pmax(a, b)`: `a < b ? b : a`.
#[inline(always)]
fn f32_pmax(a: u64, b: u64) -> u64 {
    if ops::f32_lt(a, b) != 0 {
        b
    } else {
        a
    }
}
#[inline(always)]
fn f64_pmin(a: u64, b: u64) -> u64 {
    if ops::f64_lt(b, a) != 0 {
        b
    } else {
        a
    }
}
#[inline(always)]
fn f64_pmax(a: u64, b: u64) -> u64 {
    if ops::f64_lt(a, b) != 0 {
        b
    } else {
        a
    }
}

// Conversions between lane widths.

#[inline(always)]
pub fn i32x4_trunc_sat_f64x2_s_zero(a: V) -> V {
    let a = u64s(a);
    from_u32s([
        ops::i32_trunc_sat_f64_s(a[0]) as u32,
        ops::i32_trunc_sat_f64_s(a[1]) as u32,
        0,
        0,
    ])
}
#[inline(always)]
pub fn i32x4_trunc_sat_f64x2_u_zero(a: V) -> V {
    let a = u64s(a);
    from_u32s([
        ops::i32_trunc_sat_f64_u(a[0]) as u32,
        ops::i32_trunc_sat_f64_u(a[1]) as u32,
        0,
        0,
    ])
}
#[inline(always)]
pub fn f64x2_convert_low_i32x4_s(a: V) -> V {
    let a = u32s(a);
    from_u64s([
        ops::f64_convert_i32_s(u64::from(a[0])),
        ops::f64_convert_i32_s(u64::from(a[1])),
    ])
}
#[inline(always)]
pub fn f64x2_convert_low_i32x4_u(a: V) -> V {
    let a = u32s(a);
    from_u64s([
        ops::f64_convert_i32_u(u64::from(a[0])),
        ops::f64_convert_i32_u(u64::from(a[1])),
    ])
}
#[inline(always)]
pub fn f32x4_demote_f64x2_zero(a: V) -> V {
    let a = u64s(a);
    from_u32s([
        ops::f32_demote_f64(a[0]) as u32,
        ops::f32_demote_f64(a[1]) as u32,
        0,
        0,
    ])
}
#[inline(always)]
pub fn f64x2_promote_low_f32x4(a: V) -> V {
    let a = u32s(a);
    from_u64s([
        ops::f64_promote_f32(u64::from(a[0])),
        ops::f64_promote_f32(u64::from(a[1])),
    ])
}

// ----- relaxed SIMD (the choices of the table in the module docs) -----

#[inline(always)]
pub fn i8x16_relaxed_swizzle(a: V, s: V) -> V {
    i8x16_swizzle(a, s)
}
#[inline(always)]
pub fn i32x4_relaxed_trunc_f32x4_s(a: V) -> V {
    i32x4_trunc_sat_f32x4_s(a)
}
#[inline(always)]
pub fn i32x4_relaxed_trunc_f32x4_u(a: V) -> V {
    i32x4_trunc_sat_f32x4_u(a)
}
#[inline(always)]
pub fn i32x4_relaxed_trunc_f64x2_s_zero(a: V) -> V {
    i32x4_trunc_sat_f64x2_s_zero(a)
}
#[inline(always)]
pub fn i32x4_relaxed_trunc_f64x2_u_zero(a: V) -> V {
    i32x4_trunc_sat_f64x2_u_zero(a)
}
#[inline(always)]
pub fn f32x4_relaxed_madd(a: V, b: V, c: V) -> V {
    f32x4_add(f32x4_mul(a, b), c)
}
#[inline(always)]
pub fn f32x4_relaxed_nmadd(a: V, b: V, c: V) -> V {
    f32x4_add(f32x4_neg(f32x4_mul(a, b)), c)
}
#[inline(always)]
pub fn f64x2_relaxed_madd(a: V, b: V, c: V) -> V {
    f64x2_add(f64x2_mul(a, b), c)
}
#[inline(always)]
pub fn f64x2_relaxed_nmadd(a: V, b: V, c: V) -> V {
    f64x2_add(f64x2_neg(f64x2_mul(a, b)), c)
}
#[inline(always)]
pub fn i8x16_relaxed_laneselect(a: V, b: V, c: V) -> V {
    v128_bitselect(a, b, c)
}
#[inline(always)]
pub fn i16x8_relaxed_laneselect(a: V, b: V, c: V) -> V {
    v128_bitselect(a, b, c)
}
#[inline(always)]
pub fn i32x4_relaxed_laneselect(a: V, b: V, c: V) -> V {
    v128_bitselect(a, b, c)
}
#[inline(always)]
pub fn i64x2_relaxed_laneselect(a: V, b: V, c: V) -> V {
    v128_bitselect(a, b, c)
}
#[inline(always)]
pub fn f32x4_relaxed_min(a: V, b: V) -> V {
    f32x4_min(a, b)
}
#[inline(always)]
pub fn f32x4_relaxed_max(a: V, b: V) -> V {
    f32x4_max(a, b)
}
#[inline(always)]
pub fn f64x2_relaxed_min(a: V, b: V) -> V {
    f64x2_min(a, b)
}
#[inline(always)]
pub fn f64x2_relaxed_max(a: V, b: V) -> V {
    f64x2_max(a, b)
}
#[inline(always)]
pub fn i16x8_relaxed_q15mulr_s(a: V, b: V) -> V {
    i16x8_q15mulr_sat_s(a, b)
}
#[inline(always)]
pub fn i16x8_relaxed_dot_i8x16_i7x16_s(a: V, b: V) -> V {
    let (a, b) = (i8s(a), i8s(b));
    from_i16s(core::array::from_fn(|i| {
        let p = |k: usize| i32::from(a[k]) * i32::from(b[k]);
        (p(2 * i) + p(2 * i + 1)).clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
    }))
}
#[inline(always)]
pub fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: V, b: V, c: V) -> V {
    i32x4_add(
        i32x4_extadd_pairwise_i16x8_s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b)),
        c,
    )
}

// ----- memory -----

// Accesses return `None` when out of bounds (the caller traps).

/// The `N` bytes at `addr + offset`, if in bounds.
#[inline(always)]
fn bytes<const N: usize>(mem: &[u8], addr: u64, offset: u64) -> Option<[u8; N]> {
    let ea = usize::try_from(addr.checked_add(offset)?).ok()?;
    mem.get(ea..)?.get(..N)?.try_into().ok()
}

#[inline(always)]
fn put<const N: usize>(mem: &mut [u8], addr: u64, offset: u64, v: &[u8]) -> Option<()> {
    let ea = usize::try_from(addr.checked_add(offset)?).ok()?;
    mem.get_mut(ea..)?.get_mut(..N)?.copy_from_slice(v);
    Some(())
}

#[inline(always)]
pub fn load_v128(mem: &[u8], addr: u64, offset: u64) -> Option<V> {
    bytes::<16>(mem, addr, offset)
}

/// `N` bytes in the low lanes of a vector, the rest zero.
#[inline(always)]
fn low<const N: usize>(b: [u8; N]) -> V {
    let mut v = [0u8; 16];
    v[..N].copy_from_slice(&b);
    v
}

// `v128.loadNxM_s/u`: eight bytes, each `N`-bit lane extended; `extend` is the widening of
// the low half of a vector holding those eight bytes.
macro_rules! load_extend {
    ($($name:ident => $extend:ident;)*) => {
        $(
            #[inline(always)]
            pub fn $name(mem: &[u8], addr: u64, offset: u64) -> Option<V> {
                Some($extend(low(bytes::<8>(mem, addr, offset)?)))
            }
        )*
    };
}

load_extend! {
    load_8x8_s => i16x8_extend_low_i8x16_s;
    load_8x8_u => i16x8_extend_low_i8x16_u;
    load_16x4_s => i32x4_extend_low_i16x8_s;
    load_16x4_u => i32x4_extend_low_i16x8_u;
    load_32x2_s => i64x2_extend_low_i32x4_s;
    load_32x2_u => i64x2_extend_low_i32x4_u;
}

#[inline(always)]
pub fn load_8_splat(mem: &[u8], addr: u64, offset: u64) -> Option<V> {
    Some(i8x16_splat(u64::from(bytes::<1>(mem, addr, offset)?[0])))
}
#[inline(always)]
pub fn load_16_splat(mem: &[u8], addr: u64, offset: u64) -> Option<V> {
    let x = u16::from_le_bytes(bytes::<2>(mem, addr, offset)?);
    Some(i16x8_splat(u64::from(x)))
}
#[inline(always)]
pub fn load_32_splat(mem: &[u8], addr: u64, offset: u64) -> Option<V> {
    let x = u32::from_le_bytes(bytes::<4>(mem, addr, offset)?);
    Some(i32x4_splat(u64::from(x)))
}
#[inline(always)]
pub fn load_64_splat(mem: &[u8], addr: u64, offset: u64) -> Option<V> {
    Some(i64x2_splat(u64::from_le_bytes(bytes::<8>(
        mem, addr, offset,
    )?)))
}
#[inline(always)]
pub fn load_32_zero(mem: &[u8], addr: u64, offset: u64) -> Option<V> {
    Some(low(bytes::<4>(mem, addr, offset)?))
}
#[inline(always)]
pub fn load_64_zero(mem: &[u8], addr: u64, offset: u64) -> Option<V> {
    Some(low(bytes::<8>(mem, addr, offset)?))
}

/// `v` with the `N` bytes of lane `lane` (lanes of `N` bytes) replaced by `new`.
#[inline(always)]
fn with_lane<const N: usize>(mut v: V, lane: u8, new: [u8; N]) -> V {
    let at = usize::from(lane) * N;
    v[at..at + N].copy_from_slice(&new);
    v
}

/// The `N` bytes of lane `lane` of `v`.
#[inline(always)]
fn lane_bytes<const N: usize>(v: V, lane: u8) -> [u8; N] {
    let at = usize::from(lane) * N;
    let mut out = [0u8; N];
    out.copy_from_slice(&v[at..at + N]);
    out
}

macro_rules! lane_access {
    ($($load:ident $store:ident: $n:literal;)*) => {
        $(
            #[inline(always)]
            pub fn $load(mem: &[u8], addr: u64, offset: u64, v: V, lane: u8) -> Option<V> {
                Some(with_lane(v, lane, bytes::<$n>(mem, addr, offset)?))
            }

            #[inline(always)]
            pub fn $store(mem: &mut [u8], addr: u64, offset: u64, v: V, lane: u8) -> Option<()> {
                put::<$n>(mem, addr, offset, &lane_bytes::<$n>(v, lane))
            }
        )*
    };
}

lane_access! {
    load_8_lane store_8_lane: 1;
    load_16_lane store_16_lane: 2;
    load_32_lane store_32_lane: 4;
    load_64_lane store_64_lane: 8;
}

#[inline(always)]
pub fn store_v128(mem: &mut [u8], addr: u64, offset: u64, v: V) -> Option<()> {
    put::<16>(mem, addr, offset, &v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i8x16(l: [i8; 16]) -> V {
        from_i8s(l)
    }
    fn i16x8(l: [i16; 8]) -> V {
        from_i16s(l)
    }
    fn i32x4(l: [i32; 4]) -> V {
        from_i32s(l)
    }
    fn f32x4(l: [f32; 4]) -> V {
        from_u32s(l.map(f32::to_bits))
    }
    fn f64x2(l: [f64; 2]) -> V {
        from_u64s(l.map(f64::to_bits))
    }
    fn v(x: u128) -> V {
        from_u128(x)
    }

    #[test]
    fn lanes_are_little_endian() {
        let x = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100u128;
        assert_eq!(u8s(v(x))[0], 0);
        assert_eq!(u8s(v(x))[15], 15);
        assert_eq!(u16s(v(x))[1], 0x0302);
        assert_eq!(u32s(v(x))[3], 0x0f0e_0d0c);
        assert_eq!(u64s(v(x))[1], 0x0f0e_0d0c_0b0a_0908);
        assert_eq!(to_u128(v(x)), x);
        for v in [x, !x, 0, u128::MAX, 0x8000_0001 << 70].map(v) {
            assert_eq!(from_u8s(u8s(v)), v);
            assert_eq!(from_i16s(i16s(v)), v);
            assert_eq!(from_u32s(u32s(v)), v);
            assert_eq!(from_i64s(i64s(v)), v);
        }
    }

    #[test]
    fn integer_arithmetic_wraps_and_saturates() {
        let a = i8x16([127, -128, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1]);
        let b = i8x16([1, -1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1]);
        assert_eq!(i8s(i8x16_add(a, b))[..3], [-128, 127, 3], "add wraps");
        assert_eq!(i8s(i8x16_add_sat_s(a, b))[..3], [127, -128, 3]);
        assert_eq!(u8s(i8x16_add_sat_u(a, b))[15], 255);
        assert_eq!(u8s(i8x16_avgr_u(a, b))[15], 255);
        assert_eq!(i8s(i8x16_abs(a))[1], -128);
        assert_eq!(
            i16s(i16x8_q15mulr_sat_s(
                i16x8([i16::MIN; 8]),
                i16x8([i16::MIN; 8])
            )),
            [i16::MAX; 8]
        );
        assert_eq!(
            i32s(i32x4_dot_i16x8_s(
                i16x8([i16::MIN; 8]),
                i16x8([i16::MIN; 8])
            )),
            [i32::MIN; 4],
            "dot wraps"
        );
    }

    #[test]
    fn shifts_take_the_count_modulo_the_lane_width() {
        let a = i32x4([1, -8, 3, 4]);
        assert_eq!(i32s(i32x4_shl(a, 33)), [2, -16, 6, 8]);
        assert_eq!(i32s(i32x4_shr_s(a, 1)), [0, -4, 1, 2]);
        assert_eq!(u32s(i32x4_shr_u(a, 32 + 28))[1], 0xf);
        assert_eq!(i8s(i8x16_shr_s(i8x16([-128; 16]), 9)), [-64; 16]);
    }

    #[test]
    fn comparisons_give_lane_masks() {
        let a = i16x8([1, 2, 3, -4, 5, 6, 7, 8]);
        let b = i16x8([1, 0, 4, 4, 5, 6, 7, 9]);
        assert_eq!(i16s(i16x8_lt_s(a, b)), [0, 0, -1, -1, 0, 0, 0, -1]);
        assert_eq!(i16s(i16x8_lt_u(a, b)), [0, 0, -1, 0, 0, 0, 0, -1]);
        let nan = f32::NAN;
        assert_eq!(
            u32s(f32x4_eq(
                f32x4([1.0, nan, 0.0, -0.0]),
                f32x4([1.0, nan, -0.0, 1.0])
            )),
            [u32::MAX, 0, u32::MAX, 0]
        );
        assert_eq!(
            i8x16_bitmask(i8x16([-1, 0, -5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128])),
            0x8005
        );
        assert_eq!(i8x16_all_true(i8x16([1; 16])), 1);
        assert_eq!(i64x2_all_true(v(1)), 0);
        assert_eq!(v128_any_true(v(1 << 127)), 1);
        assert_eq!(v128_any_true(v(0)), 0);
    }

    #[test]
    fn narrowing_and_widening() {
        let a = i16x8([300, -300, 5, -5, 127, 128, -128, -129]);
        let n = i8x16_narrow_i16x8_s(a, a);
        assert_eq!(i8s(n)[..8], [127, -128, 5, -5, 127, 127, -128, -128]);
        assert_eq!(
            u8s(i8x16_narrow_i16x8_u(a, a))[..8],
            [255, 0, 5, 0, 127, 128, 0, 0]
        );
        let b = i8x16([-1, 2, 3, 4, 5, 6, 7, 8, -9, 10, 11, 12, 13, 14, 15, 16]);
        assert_eq!(i16s(i16x8_extend_high_i8x16_s(b))[0], -9);
        assert_eq!(u16s(i16x8_extend_low_i8x16_u(b))[0], 255);
        assert_eq!(i16s(i16x8_extadd_pairwise_i8x16_s(b))[0], 1);
        assert_eq!(i16s(i16x8_extmul_low_i8x16_s(b, b))[0], 1);
        assert_eq!(u16s(i16x8_extmul_low_i8x16_u(b, b))[0], 255 * 255);
    }

    #[test]
    fn swizzle_and_shuffle() {
        let a = from_u8s(core::array::from_fn(|i| i as u8));
        let b = from_u8s(core::array::from_fn(|i| 16 + i as u8));
        let idx = from_u8s([15, 0, 16, 255, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(u8s(i8x16_swizzle(a, idx))[..4], [15, 0, 0, 0]);
        let lanes = from_u8s([31, 0, 16, 15, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(u8s(i8x16_shuffle(a, b, lanes))[..4], [31, 0, 16, 15]);
    }

    #[test]
    fn lane_access_extends_and_replaces() {
        let ones = i8x16([-1; 16]);
        assert_eq!(i8x16_extract_lane_s(ones, 3), 0xFFFF_FFFF);
        assert_eq!(i8x16_extract_lane_u(ones, 3), 0xFF);
        assert_eq!(i16x8_extract_lane_s(ones, 7), 0xFFFF_FFFF);
        let r = i32x4_replace_lane(v(0), 0x1_2345_6789, 2);
        assert_eq!(u32s(r), [0, 0, 0x2345_6789, 0]);
        assert_eq!(i64x2_extract_lane(i64x2_replace_lane(v(0), 7, 1), 1), 7);
        assert_eq!(i64x2_splat(5), v((5 << 64) | 5));
    }

    #[test]
    fn float_lanes_follow_the_scalar_rules() {
        let nan = f32::NAN;
        let a = f32x4([1.0, -0.0, nan, 2.5]);
        let b = f32x4([2.0, 0.0, 1.0, -2.5]);
        let min = u32s(f32x4_min(a, b));
        assert_eq!(min[0], 1.0f32.to_bits());
        assert_eq!(min[1], (-0.0f32).to_bits());
        assert_eq!(min[2], 0x7FC0_0000, "canonical NaN");
        assert_eq!(u32s(f32x4_pmin(a, b))[2], nan.to_bits(), "pmin keeps a");
        assert_eq!(u32s(f32x4_pmax(b, a))[1], 0.0f32.to_bits());
        assert_eq!(
            u32s(f32x4_nearest(f32x4([2.5, -0.5, 3.5, 1.4]))),
            [2.0f32, -0.0, 4.0, 1.0].map(f32::to_bits)
        );
        let t = i32x4_trunc_sat_f32x4_s(f32x4([nan, 1e10, -1e10, -1.9]));
        assert_eq!(i32s(t), [0, i32::MAX, i32::MIN, -1]);
        let t = i32x4_trunc_sat_f64x2_u_zero(f64x2([-1.0, 5e9]));
        assert_eq!(u32s(t), [0, u32::MAX, 0, 0]);
        assert_eq!(
            u64s(f64x2_convert_low_i32x4_u(i32x4([-1, 2, 3, 4]))),
            [4294967295.0f64.to_bits(), 2.0f64.to_bits()]
        );
        assert_eq!(
            u32s(f32x4_demote_f64x2_zero(f64x2([1.5, -2.0]))),
            [1.5f32.to_bits(), (-2.0f32).to_bits(), 0, 0]
        );
    }

    #[test]
    fn relaxed_choices() {
        // Unfused: 1e8 * 1e8 rounds before the subtraction (fused would keep the rest).
        let x = f32x4([1.0 + f32::EPSILON; 4]);
        let m = f32x4_relaxed_madd(x, x, f32x4([-1.0; 4]));
        let unfused = (1.0 + f32::EPSILON) * (1.0 + f32::EPSILON) - 1.0;
        assert_eq!(u32s(m), [unfused.to_bits(); 4]);
        let a = i8x16([-128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = i8x16([-127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(i16s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b))[0], 32512);
        let c = i32x4([1, 2, 3, 4]);
        assert_eq!(
            i32s(i32x4_relaxed_dot_i8x16_i7x16_add_s(a, b, c)),
            [32513, 2, 3, 4]
        );
        assert_eq!(
            i16x8_relaxed_laneselect(v(1), v(2), v(0xff)),
            v128_bitselect(v(1), v(2), v(0xff))
        );
        assert_eq!(v128_bitselect(v(0xf0), v(0x0f), v(0x3c)), v(0x33));
    }

    #[test]
    fn memory_accesses_check_bounds() {
        let mut mem = [0u8; 32];
        mem[16] = 0x80;
        assert_eq!(load_v128(&mem, 16, 0), Some(v(0x80)));
        assert_eq!(load_v128(&mem, 17, 0), None);
        assert_eq!(load_v128(&mem, 0, u64::MAX), None);
        assert_eq!(i16s(load_8x8_s(&mem, 16, 0).unwrap())[0], -128);
        assert_eq!(u16s(load_8x8_u(&mem, 16, 0).unwrap())[0], 128);
        assert_eq!(u8s(load_8_splat(&mem, 16, 0).unwrap()), [0x80; 16]);
        assert_eq!(load_32_zero(&mem, 14, 0), Some(v(0x80_0000)));
        assert_eq!(load_8_lane(&mem, 16, 0, v(0), 15), Some(v(0x80 << 120)));
        assert_eq!(store_16_lane(&mut mem, 30, 0, v(0xabcd << 16), 1), Some(()));
        assert_eq!(mem[30..], [0xcd, 0xab]);
        assert_eq!(store_v128(&mut mem, 17, 0, v(0)), None);
        assert_eq!(store_v128(&mut mem, 16, 0, v(u128::MAX)), Some(()));
        assert_eq!(mem[16..], [0xff; 16]);
    }
}
