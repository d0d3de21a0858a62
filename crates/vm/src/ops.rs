//! The semantics of the numeric instructions and memory accesses, on raw registers
//! (`i32`/`f32` zero-extended in a `u64`). Names follow the ISA lists of `rill_lower::isa`.

use crate::Trap;

#[inline(always)]
fn i32v(x: u64) -> i32 {
    x as u32 as i32
}
#[inline(always)]
fn u32v(x: u64) -> u32 {
    x as u32
}
#[inline(always)]
fn r32(x: u32) -> u64 {
    u64::from(x)
}
#[inline(always)]
fn f32v(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
#[inline(always)]
fn f64v(x: u64) -> f64 {
    f64::from_bits(x)
}
#[inline(always)]
fn rf32(x: f32) -> u64 {
    u64::from(x.to_bits())
}
#[inline(always)]
fn rf64(x: f64) -> u64 {
    x.to_bits()
}

macro_rules! int_ops {
    ($($name:ident($a:ident, $b:ident) => $e:expr;)*) => {
        $(
            #[inline(always)]
            pub fn $name($a: u64, $b: u64) -> u64 {
                $e
            }
        )*
    };
}

int_ops! {
    i32_add(a, b) => r32(u32v(a).wrapping_add(u32v(b)));
    i32_sub(a, b) => r32(u32v(a).wrapping_sub(u32v(b)));
    i32_mul(a, b) => r32(u32v(a).wrapping_mul(u32v(b)));
    i32_and(a, b) => a & b;
    i32_or(a, b) => a | b;
    i32_xor(a, b) => a ^ b;
    i32_shl(a, b) => r32(u32v(a).wrapping_shl(u32v(b)));
    i32_shr_s(a, b) => r32(i32v(a).wrapping_shr(u32v(b)) as u32);
    i32_shr_u(a, b) => r32(u32v(a).wrapping_shr(u32v(b)));
    i32_rotl(a, b) => r32(u32v(a).rotate_left(u32v(b)));
    i32_rotr(a, b) => r32(u32v(a).rotate_right(u32v(b)));
    i32_eq(a, b) => u64::from(u32v(a) == u32v(b));
    i32_ne(a, b) => u64::from(u32v(a) != u32v(b));
    i32_lt_s(a, b) => u64::from(i32v(a) < i32v(b));
    i32_lt_u(a, b) => u64::from(u32v(a) < u32v(b));
    i32_gt_s(a, b) => u64::from(i32v(a) > i32v(b));
    i32_gt_u(a, b) => u64::from(u32v(a) > u32v(b));
    i32_le_s(a, b) => u64::from(i32v(a) <= i32v(b));
    i32_le_u(a, b) => u64::from(u32v(a) <= u32v(b));
    i32_ge_s(a, b) => u64::from(i32v(a) >= i32v(b));
    i32_ge_u(a, b) => u64::from(u32v(a) >= u32v(b));
    i64_add(a, b) => a.wrapping_add(b);
    i64_sub(a, b) => a.wrapping_sub(b);
    i64_mul(a, b) => a.wrapping_mul(b);
    i64_and(a, b) => a & b;
    i64_or(a, b) => a | b;
    i64_xor(a, b) => a ^ b;
    i64_shl(a, b) => a.wrapping_shl(b as u32);
    i64_shr_s(a, b) => (a as i64).wrapping_shr(b as u32) as u64;
    i64_shr_u(a, b) => a.wrapping_shr(b as u32);
    i64_rotl(a, b) => a.rotate_left((b & 63) as u32);
    i64_rotr(a, b) => a.rotate_right((b & 63) as u32);
    i64_eq(a, b) => u64::from(a == b);
    i64_ne(a, b) => u64::from(a != b);
    i64_lt_s(a, b) => u64::from((a as i64) < (b as i64));
    i64_lt_u(a, b) => u64::from(a < b);
    i64_gt_s(a, b) => u64::from((a as i64) > (b as i64));
    i64_gt_u(a, b) => u64::from(a > b);
    i64_le_s(a, b) => u64::from((a as i64) <= (b as i64));
    i64_le_u(a, b) => u64::from(a <= b);
    i64_ge_s(a, b) => u64::from((a as i64) >= (b as i64));
    i64_ge_u(a, b) => u64::from(a >= b);
    f32_add(a, b) => rf32(f32v(a) + f32v(b));
    f32_sub(a, b) => rf32(f32v(a) - f32v(b));
    f32_mul(a, b) => rf32(f32v(a) * f32v(b));
    f32_div(a, b) => rf32(f32v(a) / f32v(b));
    f32_min(a, b) => f32_minmax(a, b, true);
    f32_max(a, b) => f32_minmax(a, b, false);
    f32_copysign(a, b) => (a & 0x7FFF_FFFF) | (b & 0x8000_0000);
    f32_eq(a, b) => u64::from(f32v(a) == f32v(b));
    f32_ne(a, b) => u64::from(f32v(a) != f32v(b));
    f32_lt(a, b) => u64::from(f32v(a) < f32v(b));
    f32_gt(a, b) => u64::from(f32v(a) > f32v(b));
    f32_le(a, b) => u64::from(f32v(a) <= f32v(b));
    f32_ge(a, b) => u64::from(f32v(a) >= f32v(b));
    f64_add(a, b) => rf64(f64v(a) + f64v(b));
    f64_sub(a, b) => rf64(f64v(a) - f64v(b));
    f64_mul(a, b) => rf64(f64v(a) * f64v(b));
    f64_div(a, b) => rf64(f64v(a) / f64v(b));
    f64_min(a, b) => f64_minmax(a, b, true);
    f64_max(a, b) => f64_minmax(a, b, false);
    f64_copysign(a, b) => (a & !(1 << 63)) | (b & (1 << 63));
    f64_eq(a, b) => u64::from(f64v(a) == f64v(b));
    f64_ne(a, b) => u64::from(f64v(a) != f64v(b));
    f64_lt(a, b) => u64::from(f64v(a) < f64v(b));
    f64_gt(a, b) => u64::from(f64v(a) > f64v(b));
    f64_le(a, b) => u64::from(f64v(a) <= f64v(b));
    f64_ge(a, b) => u64::from(f64v(a) >= f64v(b));
}

/// The result of a rounding operation on `a`: a NaN input gives it back quietened (an
/// arithmetic NaN, whatever the platform's `ceil`/`floor` do with signalling NaNs).
#[inline(always)]
fn quiet32(a: u64, r: f32) -> u64 {
    if f32v(a).is_nan() {
        a | 0x0040_0000
    } else {
        rf32(r)
    }
}

#[inline(always)]
fn quiet64(a: u64, r: f64) -> u64 {
    if f64v(a).is_nan() {
        a | 0x0008_0000_0000_0000
    } else {
        rf64(r)
    }
}

/// Canonical quiet NaNs.
const F32_NAN: u64 = 0x7FC0_0000;
const F64_NAN: u64 = 0x7FF8_0000_0000_0000;

#[inline]
fn f32_minmax(a: u64, b: u64, min: bool) -> u64 {
    let (x, y) = (f32v(a), f32v(b));
    if x.is_nan() || y.is_nan() {
        return F32_NAN;
    }
    if x == y {
        // Equal values, possibly zeros of different signs: -0 < +0.
        return if min { a | b } else { a & b };
    }
    if (x < y) == min {
        a
    } else {
        b
    }
}

#[inline]
fn f64_minmax(a: u64, b: u64, min: bool) -> u64 {
    let (x, y) = (f64v(a), f64v(b));
    if x.is_nan() || y.is_nan() {
        return F64_NAN;
    }
    if x == y {
        return if min { a | b } else { a & b };
    }
    if (x < y) == min {
        a
    } else {
        b
    }
}

macro_rules! trap_ops {
    ($($name:ident($a:ident, $b:ident) => $e:expr;)*) => {
        $(
            #[inline(always)]
            pub fn $name($a: u64, $b: u64) -> Result<u64, Trap> {
                $e
            }
        )*
    };
}

trap_ops! {
    i32_div_s(a, b) => {
        let (x, y) = (i32v(a), i32v(b));
        if y == 0 { return Err(Trap::IntegerDivideByZero) }
        if x == i32::MIN && y == -1 { return Err(Trap::IntegerOverflow) }
        Ok(r32((x / y) as u32))
    };
    i32_div_u(a, b) => {
        if u32v(b) == 0 { return Err(Trap::IntegerDivideByZero) }
        Ok(r32(u32v(a) / u32v(b)))
    };
    i32_rem_s(a, b) => {
        let (x, y) = (i32v(a), i32v(b));
        if y == 0 { return Err(Trap::IntegerDivideByZero) }
        Ok(r32(x.wrapping_rem(y) as u32))
    };
    i32_rem_u(a, b) => {
        if u32v(b) == 0 { return Err(Trap::IntegerDivideByZero) }
        Ok(r32(u32v(a) % u32v(b)))
    };
    i64_div_s(a, b) => {
        let (x, y) = (a as i64, b as i64);
        if y == 0 { return Err(Trap::IntegerDivideByZero) }
        if x == i64::MIN && y == -1 { return Err(Trap::IntegerOverflow) }
        Ok((x / y) as u64)
    };
    i64_div_u(a, b) => {
        if b == 0 { return Err(Trap::IntegerDivideByZero) }
        Ok(a / b)
    };
    i64_rem_s(a, b) => {
        let (x, y) = (a as i64, b as i64);
        if y == 0 { return Err(Trap::IntegerDivideByZero) }
        Ok(x.wrapping_rem(y) as u64)
    };
    i64_rem_u(a, b) => {
        if b == 0 { return Err(Trap::IntegerDivideByZero) }
        Ok(a % b)
    };
}

macro_rules! un_ops {
    ($($name:ident($a:ident) => $e:expr;)*) => {
        $(
            #[inline(always)]
            pub fn $name($a: u64) -> u64 {
                $e
            }
        )*
    };
}

un_ops! {
    i32_eqz(a) => u64::from(u32v(a) == 0);
    i32_clz(a) => u64::from(u32v(a).leading_zeros());
    i32_ctz(a) => u64::from(u32v(a).trailing_zeros());
    i32_popcnt(a) => u64::from(u32v(a).count_ones());
    i32_extend8_s(a) => r32(a as u8 as i8 as i32 as u32);
    i32_extend16_s(a) => r32(a as u16 as i16 as i32 as u32);
    i64_eqz(a) => u64::from(a == 0);
    i64_clz(a) => u64::from(a.leading_zeros());
    i64_ctz(a) => u64::from(a.trailing_zeros());
    i64_popcnt(a) => u64::from(a.count_ones());
    i64_extend8_s(a) => a as u8 as i8 as i64 as u64;
    i64_extend16_s(a) => a as u16 as i16 as i64 as u64;
    i64_extend32_s(a) => a as u32 as i32 as i64 as u64;
    f32_abs(a) => a & 0x7FFF_FFFF;
    f32_neg(a) => (a ^ 0x8000_0000) & 0xFFFF_FFFF;
    f32_ceil(a) => quiet32(a, f32v(a).ceil());
    f32_floor(a) => quiet32(a, f32v(a).floor());
    f32_trunc(a) => quiet32(a, f32v(a).trunc());
    f32_nearest(a) => quiet32(a, f32v(a).round_ties_even());
    f32_sqrt(a) => quiet32(a, f32v(a).sqrt());
    f64_abs(a) => a & !(1 << 63);
    f64_neg(a) => a ^ (1 << 63);
    f64_ceil(a) => quiet64(a, f64v(a).ceil());
    f64_floor(a) => quiet64(a, f64v(a).floor());
    f64_trunc(a) => quiet64(a, f64v(a).trunc());
    f64_nearest(a) => quiet64(a, f64v(a).round_ties_even());
    f64_sqrt(a) => quiet64(a, f64v(a).sqrt());
    i32_wrap_i64(a) => r32(a as u32);
    i64_extend_i32_s(a) => i32v(a) as i64 as u64;
    i64_extend_i32_u(a) => r32(a as u32);
    f32_convert_i32_s(a) => rf32(i32v(a) as f32);
    f32_convert_i32_u(a) => rf32(u32v(a) as f32);
    f32_convert_i64_s(a) => rf32(a as i64 as f32);
    f32_convert_i64_u(a) => rf32(a as f32);
    f64_convert_i32_s(a) => rf64(f64::from(i32v(a)));
    f64_convert_i32_u(a) => rf64(f64::from(u32v(a)));
    f64_convert_i64_s(a) => rf64(a as i64 as f64);
    f64_convert_i64_u(a) => rf64(a as f64);
    f32_demote_f64(a) => rf32(f64v(a) as f32);
    f64_promote_f32(a) => rf64(f64::from(f32v(a)));
    i32_trunc_sat_f32_s(a) => r32(f32v(a) as i32 as u32);
    i32_trunc_sat_f32_u(a) => r32(f32v(a) as u32);
    i32_trunc_sat_f64_s(a) => r32(f64v(a) as i32 as u32);
    i32_trunc_sat_f64_u(a) => r32(f64v(a) as u32);
    i64_trunc_sat_f32_s(a) => f32v(a) as i64 as u64;
    i64_trunc_sat_f32_u(a) => f32v(a) as u64;
    i64_trunc_sat_f64_s(a) => f64v(a) as i64 as u64;
    i64_trunc_sat_f64_u(a) => f64v(a) as u64;
}

/// Checks a float (widened to `f64`, exactly) for a trapping truncation into the open
/// interval `(lo, hi)`.
#[inline(always)]
fn trunc_check(x: f64, lo: f64, hi: f64) -> Result<f64, Trap> {
    if x.is_nan() {
        return Err(Trap::InvalidConversion);
    }
    if x <= lo || x >= hi {
        return Err(Trap::IntegerOverflow);
    }
    Ok(x)
}

macro_rules! trunc_ops {
    ($($name:ident($a:ident) => $e:expr;)*) => {
        $(
            #[inline(always)]
            pub fn $name($a: u64) -> Result<u64, Trap> {
                $e
            }
        )*
    };
}

const I32_LO: f64 = -2147483649.0;
const I32_HI: f64 = 2147483648.0;
const U32_HI: f64 = 4294967296.0;
const I64_LO: f64 = -9223372036854777856.0; // the next f64 below -2^63
const I64_HI: f64 = 9223372036854775808.0;
const U64_HI: f64 = 18446744073709551616.0;

trunc_ops! {
    i32_trunc_f32_s(a) => Ok(r32(trunc_check(f64::from(f32v(a)), I32_LO, I32_HI)? as i32 as u32));
    i32_trunc_f32_u(a) => Ok(r32(trunc_check(f64::from(f32v(a)), -1.0, U32_HI)? as u32));
    i32_trunc_f64_s(a) => Ok(r32(trunc_check(f64v(a), I32_LO, I32_HI)? as i32 as u32));
    i32_trunc_f64_u(a) => Ok(r32(trunc_check(f64v(a), -1.0, U32_HI)? as u32));
    i64_trunc_f32_s(a) => Ok(trunc_check(f64::from(f32v(a)), I64_LO, I64_HI)? as i64 as u64);
    i64_trunc_f32_u(a) => Ok(trunc_check(f64::from(f32v(a)), -1.0, U64_HI)? as u64);
    i64_trunc_f64_s(a) => Ok(trunc_check(f64v(a), I64_LO, I64_HI)? as i64 as u64);
    i64_trunc_f64_u(a) => Ok(trunc_check(f64v(a), -1.0, U64_HI)? as u64);
}

// ----- memory -----

// Memory accesses return `None` when out of bounds (the caller traps): an `Option` keeps the
// hot path free of the `Trap` payload.

/// The end of the `N` bytes at `addr + offset`, if they are inside `len` bytes.
#[inline(always)]
fn end_of<const N: usize>(len: usize, addr: u64, offset: u64) -> Option<usize> {
    // One overflow check and one comparison: `end - N` is then the start.
    let end = addr.checked_add(offset)?.checked_add(N as u64)?;
    usize::try_from(end).ok().filter(|&end| end <= len)
}

/// The `N` bytes at `addr + offset`, if in bounds.
#[inline(always)]
fn bytes<const N: usize>(mem: &[u8], addr: u64, offset: u64) -> Option<[u8; N]> {
    let end = end_of::<N>(mem.len(), addr, offset)?;
    // SAFETY: `end - N..end` is inside `mem` (`end_of`, and `end >= N` since it was
    // computed as a sum with `N`). Bounds-checked slicing here costs the memory-access
    // handlers about a fifth of their instructions (the memsum benchmark).
    Some(unsafe { mem.as_ptr().add(end - N).cast::<[u8; N]>().read_unaligned() })
}

#[inline(always)]
fn put<const N: usize>(mem: &mut [u8], addr: u64, offset: u64, v: [u8; N]) -> Option<()> {
    let end = end_of::<N>(mem.len(), addr, offset)?;
    // SAFETY: as in `bytes`.
    unsafe {
        mem.as_mut_ptr()
            .add(end - N)
            .cast::<[u8; N]>()
            .write_unaligned(v)
    };
    Some(())
}

macro_rules! loads {
    ($($name:ident: $n:literal => |$b:ident| $e:expr;)*) => {
        $(
            #[inline(always)]
            pub fn $name(mem: &[u8], addr: u64, offset: u64) -> Option<u64> {
                let $b = bytes::<$n>(mem, addr, offset)?;
                Some($e)
            }
        )*
    };
}

loads! {
    load_u32: 4 => |b| u64::from(u32::from_le_bytes(b));
    load_u64: 8 => |b| u64::from_le_bytes(b);
    load_i32_8s: 1 => |b| r32(b[0] as i8 as i32 as u32);
    load_8u: 1 => |b| u64::from(b[0]);
    load_i32_16s: 2 => |b| r32(i16::from_le_bytes(b) as i32 as u32);
    load_16u: 2 => |b| u64::from(u16::from_le_bytes(b));
    load_i64_8s: 1 => |b| b[0] as i8 as i64 as u64;
    load_i64_16s: 2 => |b| i16::from_le_bytes(b) as i64 as u64;
    load_i64_32s: 4 => |b| i32::from_le_bytes(b) as i64 as u64;
}

macro_rules! stores {
    ($($name:ident: $t:ty;)*) => {
        $(
            #[inline(always)]
            pub fn $name(mem: &mut [u8], addr: u64, offset: u64, v: u64) -> Option<()> {
                put(mem, addr, offset, (v as $t).to_le_bytes())
            }
        )*
    };
}

stores! {
    store_8: u8;
    store_16: u16;
    store_32: u32;
    store_64: u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_min_max_and_zero_signs() {
        let nz = u64::from((-0.0f32).to_bits());
        let pz = u64::from(0.0f32.to_bits());
        assert_eq!(f32_min(nz, pz), nz);
        assert_eq!(f32_max(nz, pz), pz);
        assert_eq!(f32_min(rf32(1.0), u64::from(f32::NAN.to_bits())), F32_NAN);
    }

    #[test]
    fn truncations_trap_at_the_edges() {
        assert_eq!(i32_trunc_f32_s(rf32(-2147483648.0)), Ok(0x8000_0000));
        assert_eq!(
            i32_trunc_f32_s(rf32(2147483648.0)),
            Err(Trap::IntegerOverflow)
        );
        assert_eq!(i32_trunc_f64_u(rf64(-0.9)), Ok(0));
        assert_eq!(i32_trunc_f64_u(rf64(-1.0)), Err(Trap::IntegerOverflow));
        assert_eq!(
            i64_trunc_f64_s(rf64(-9223372036854775808.0)),
            Ok(i64::MIN as u64)
        );
        assert_eq!(
            i64_trunc_f32_u(rf32(f32::NAN)),
            Err(Trap::InvalidConversion)
        );
        assert_eq!(
            i32_div_s(r32(i32::MIN as u32), r32(u32::MAX)),
            Err(Trap::IntegerOverflow)
        );
        assert_eq!(i32_rem_s(r32(i32::MIN as u32), r32(u32::MAX)), Ok(0));
    }

    #[test]
    fn nearest_rounds_half_to_even() {
        assert_eq!(f64v(f64_nearest(rf64(2.5))), 2.0);
        assert_eq!(f64v(f64_nearest(rf64(-3.5))), -4.0);
    }
}
