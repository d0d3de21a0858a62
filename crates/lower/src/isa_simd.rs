//! The SIMD part of rill's ISA: every SIMD and relaxed-SIMD operation, listed once.
//!
//! # Machine model
//!
//! A `v128` value does not fit a 64-bit slot. Every frame has a second, parallel register
//! file of 128-bit *vector slots* indexed exactly like the scalar slots: the `v128` value
//! of slot `i` lives in vector slot `i` (the scalar slot `i` is then unused, and the other
//! way round). So the lowering's slot assignment (locals, then the operand stack), calls
//! with their arguments in place, and the frame layout are the same for both kinds of
//! values; only copies are typed: a `v128` moves with [`SimdOp::CopyV128`], is selected
//! with [`SimdOp::SelectV128`], and is returned by copying it to vector slot `i` of the
//! frame before the (scalar) return instruction (see `translate.rs`).
//!
//! SIMD instructions are two variants of [`Instr`](crate::Instr), so that scalar dispatch
//! is unchanged (the instruction stays 12 bytes and the interpreter handles both variants
//! in one arm):
//!
//! | variant | form |
//! |---|---|
//! | `Simd { op, d, a, b, c }` | by the op's group, below |
//! | `SimdX { op, v, s, x }` | `v` a vector slot, `s` a scalar slot, `x` a side-table index or a global; by the op's group, below |
//!
//! Groups of [`SimdOp`] ("v" a vector slot, "s" a scalar slot):
//!
//! | group | reads | writes |
//! |---|---|---|
//! | `unary` | v`a` | v`d` |
//! | `binary` | v`a`, v`b` | v`d` |
//! | `ternary` | v`a`, v`b`, v`c` | v`d` |
//! | `splat` | s`a` | v`d` |
//! | `test` (`any_true`, `all_true`, `bitmask`) | v`a` | s`d` |
//! | `shift` | v`a`, s`b` (the count) | v`d` |
//! | `extract` | v`a`, lane `c` | s`d` |
//! | `replace` | v`a`, s`b`, lane `c` | v`d` |
//! | `CopyV128` | v`a` | v`d` |
//! | `SelectV128` | v`a`, v`b`, s`c` (the `i32` condition) | v`d` = `c != 0 ? a : b` |
//! | `V128Zero` | | v`d` = 0 (a declared `v128` local at function entry) |
//! | `I8x16Shuffle` | v`a`, v`b`, lane indices `v128_consts[c]` (byte `i`: lane `i`'s source) | v`d` |
//! | `I8x16ShuffleReg` | v`a`, v`b`, lane indices in v`c` (beyond 65536 constants) | v`d` |
//!
//! Groups of [`SimdXOp`] (the `SimdX` form keeps `Instr` at 12 bytes with its 16-bit tag,
//! so it has two slots: `load_lane` updates its vector in place, the lowering copies the
//! operand there first):
//!
//! | group | reads | writes |
//! |---|---|---|
//! | `V128Const` | constant `v128_consts[x]` | v`v` |
//! | `GlobalGetV128` / `GlobalSetV128` | global `x` / v`v` | v`v` / global `x` |
//! | `load` | address s`s`, memory at `simd_sites[x]` | v`v` |
//! | `load_lane` | address s`s`, v`v`, memory at `simd_sites[x]` (with the lane) | v`v` |
//! | `store` | address s`s`, v`v` | memory at `simd_sites[x]` |
//! | `store_lane` | address s`s`, v`v` | memory at `simd_sites[x]` (with the lane) |
//!
//! The lists below ([`with_simd_isa!`]) are the single source: the op enums, the lowering's
//! operator mapping and the interpreter's handlers (`rill_vm`'s `exec_simd.rs`) are
//! expanded from them. Each entry is `Name semantics_fn,`; `Name` is also the name of the
//! decoder's [`Operator`](rill_decoder::Operator) it lowers, and `semantics_fn` the pure
//! function of `rill_vm`'s `simd.rs` that computes it.

/// The memory operand of a SIMD load or store: the memory, the static offset and, for the
/// `*_lane` forms, the lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimdSite {
    pub memory: u32,
    pub offset: u64,
    pub lane: u8,
}

/// Calls `$m!` with the SIMD ISA's lists, passing `$($extra)*` through first. The groups
/// are described in the [module documentation](self).
#[macro_export]
macro_rules! with_simd_isa {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)*
            unary {
                V128Not v128_not,
                I8x16Abs i8x16_abs,
                I8x16Neg i8x16_neg,
                I8x16Popcnt i8x16_popcnt,
                I16x8Abs i16x8_abs,
                I16x8Neg i16x8_neg,
                I32x4Abs i32x4_abs,
                I32x4Neg i32x4_neg,
                I64x2Abs i64x2_abs,
                I64x2Neg i64x2_neg,
                F32x4Abs f32x4_abs,
                F32x4Neg f32x4_neg,
                F32x4Sqrt f32x4_sqrt,
                F32x4Ceil f32x4_ceil,
                F32x4Floor f32x4_floor,
                F32x4Trunc f32x4_trunc,
                F32x4Nearest f32x4_nearest,
                F64x2Abs f64x2_abs,
                F64x2Neg f64x2_neg,
                F64x2Sqrt f64x2_sqrt,
                F64x2Ceil f64x2_ceil,
                F64x2Floor f64x2_floor,
                F64x2Trunc f64x2_trunc,
                F64x2Nearest f64x2_nearest,
                I16x8ExtaddPairwiseI8x16S i16x8_extadd_pairwise_i8x16_s,
                I16x8ExtaddPairwiseI8x16U i16x8_extadd_pairwise_i8x16_u,
                I32x4ExtaddPairwiseI16x8S i32x4_extadd_pairwise_i16x8_s,
                I32x4ExtaddPairwiseI16x8U i32x4_extadd_pairwise_i16x8_u,
                I16x8ExtendLowI8x16S i16x8_extend_low_i8x16_s,
                I16x8ExtendHighI8x16S i16x8_extend_high_i8x16_s,
                I16x8ExtendLowI8x16U i16x8_extend_low_i8x16_u,
                I16x8ExtendHighI8x16U i16x8_extend_high_i8x16_u,
                I32x4ExtendLowI16x8S i32x4_extend_low_i16x8_s,
                I32x4ExtendHighI16x8S i32x4_extend_high_i16x8_s,
                I32x4ExtendLowI16x8U i32x4_extend_low_i16x8_u,
                I32x4ExtendHighI16x8U i32x4_extend_high_i16x8_u,
                I64x2ExtendLowI32x4S i64x2_extend_low_i32x4_s,
                I64x2ExtendHighI32x4S i64x2_extend_high_i32x4_s,
                I64x2ExtendLowI32x4U i64x2_extend_low_i32x4_u,
                I64x2ExtendHighI32x4U i64x2_extend_high_i32x4_u,
                I32x4TruncSatF32x4S i32x4_trunc_sat_f32x4_s,
                I32x4TruncSatF32x4U i32x4_trunc_sat_f32x4_u,
                F32x4ConvertI32x4S f32x4_convert_i32x4_s,
                F32x4ConvertI32x4U f32x4_convert_i32x4_u,
                I32x4TruncSatF64x2SZero i32x4_trunc_sat_f64x2_s_zero,
                I32x4TruncSatF64x2UZero i32x4_trunc_sat_f64x2_u_zero,
                F64x2ConvertLowI32x4S f64x2_convert_low_i32x4_s,
                F64x2ConvertLowI32x4U f64x2_convert_low_i32x4_u,
                F32x4DemoteF64x2Zero f32x4_demote_f64x2_zero,
                F64x2PromoteLowF32x4 f64x2_promote_low_f32x4,
                I32x4RelaxedTruncF32x4S i32x4_relaxed_trunc_f32x4_s,
                I32x4RelaxedTruncF32x4U i32x4_relaxed_trunc_f32x4_u,
                I32x4RelaxedTruncF64x2SZero i32x4_relaxed_trunc_f64x2_s_zero,
                I32x4RelaxedTruncF64x2UZero i32x4_relaxed_trunc_f64x2_u_zero,
            }
            binary {
                I8x16Swizzle i8x16_swizzle,
                I8x16Eq i8x16_eq,
                I8x16Ne i8x16_ne,
                I8x16LtS i8x16_lt_s,
                I8x16LtU i8x16_lt_u,
                I8x16GtS i8x16_gt_s,
                I8x16GtU i8x16_gt_u,
                I8x16LeS i8x16_le_s,
                I8x16LeU i8x16_le_u,
                I8x16GeS i8x16_ge_s,
                I8x16GeU i8x16_ge_u,
                I16x8Eq i16x8_eq,
                I16x8Ne i16x8_ne,
                I16x8LtS i16x8_lt_s,
                I16x8LtU i16x8_lt_u,
                I16x8GtS i16x8_gt_s,
                I16x8GtU i16x8_gt_u,
                I16x8LeS i16x8_le_s,
                I16x8LeU i16x8_le_u,
                I16x8GeS i16x8_ge_s,
                I16x8GeU i16x8_ge_u,
                I32x4Eq i32x4_eq,
                I32x4Ne i32x4_ne,
                I32x4LtS i32x4_lt_s,
                I32x4LtU i32x4_lt_u,
                I32x4GtS i32x4_gt_s,
                I32x4GtU i32x4_gt_u,
                I32x4LeS i32x4_le_s,
                I32x4LeU i32x4_le_u,
                I32x4GeS i32x4_ge_s,
                I32x4GeU i32x4_ge_u,
                I64x2Eq i64x2_eq,
                I64x2Ne i64x2_ne,
                I64x2LtS i64x2_lt_s,
                I64x2GtS i64x2_gt_s,
                I64x2LeS i64x2_le_s,
                I64x2GeS i64x2_ge_s,
                F32x4Eq f32x4_eq,
                F32x4Ne f32x4_ne,
                F32x4Lt f32x4_lt,
                F32x4Gt f32x4_gt,
                F32x4Le f32x4_le,
                F32x4Ge f32x4_ge,
                F64x2Eq f64x2_eq,
                F64x2Ne f64x2_ne,
                F64x2Lt f64x2_lt,
                F64x2Gt f64x2_gt,
                F64x2Le f64x2_le,
                F64x2Ge f64x2_ge,
                V128And v128_and,
                V128Andnot v128_andnot,
                V128Or v128_or,
                V128Xor v128_xor,
                I8x16NarrowI16x8S i8x16_narrow_i16x8_s,
                I8x16NarrowI16x8U i8x16_narrow_i16x8_u,
                I16x8NarrowI32x4S i16x8_narrow_i32x4_s,
                I16x8NarrowI32x4U i16x8_narrow_i32x4_u,
                I8x16Add i8x16_add,
                I8x16AddSatS i8x16_add_sat_s,
                I8x16AddSatU i8x16_add_sat_u,
                I8x16Sub i8x16_sub,
                I8x16SubSatS i8x16_sub_sat_s,
                I8x16SubSatU i8x16_sub_sat_u,
                I8x16MinS i8x16_min_s,
                I8x16MinU i8x16_min_u,
                I8x16MaxS i8x16_max_s,
                I8x16MaxU i8x16_max_u,
                I8x16AvgrU i8x16_avgr_u,
                I16x8Q15mulrSatS i16x8_q15mulr_sat_s,
                I16x8Add i16x8_add,
                I16x8AddSatS i16x8_add_sat_s,
                I16x8AddSatU i16x8_add_sat_u,
                I16x8Sub i16x8_sub,
                I16x8SubSatS i16x8_sub_sat_s,
                I16x8SubSatU i16x8_sub_sat_u,
                I16x8Mul i16x8_mul,
                I16x8MinS i16x8_min_s,
                I16x8MinU i16x8_min_u,
                I16x8MaxS i16x8_max_s,
                I16x8MaxU i16x8_max_u,
                I16x8AvgrU i16x8_avgr_u,
                I16x8ExtmulLowI8x16S i16x8_extmul_low_i8x16_s,
                I16x8ExtmulHighI8x16S i16x8_extmul_high_i8x16_s,
                I16x8ExtmulLowI8x16U i16x8_extmul_low_i8x16_u,
                I16x8ExtmulHighI8x16U i16x8_extmul_high_i8x16_u,
                I32x4Add i32x4_add,
                I32x4Sub i32x4_sub,
                I32x4Mul i32x4_mul,
                I32x4MinS i32x4_min_s,
                I32x4MinU i32x4_min_u,
                I32x4MaxS i32x4_max_s,
                I32x4MaxU i32x4_max_u,
                I32x4DotI16x8S i32x4_dot_i16x8_s,
                I32x4ExtmulLowI16x8S i32x4_extmul_low_i16x8_s,
                I32x4ExtmulHighI16x8S i32x4_extmul_high_i16x8_s,
                I32x4ExtmulLowI16x8U i32x4_extmul_low_i16x8_u,
                I32x4ExtmulHighI16x8U i32x4_extmul_high_i16x8_u,
                I64x2Add i64x2_add,
                I64x2Sub i64x2_sub,
                I64x2Mul i64x2_mul,
                I64x2ExtmulLowI32x4S i64x2_extmul_low_i32x4_s,
                I64x2ExtmulHighI32x4S i64x2_extmul_high_i32x4_s,
                I64x2ExtmulLowI32x4U i64x2_extmul_low_i32x4_u,
                I64x2ExtmulHighI32x4U i64x2_extmul_high_i32x4_u,
                F32x4Add f32x4_add,
                F32x4Sub f32x4_sub,
                F32x4Mul f32x4_mul,
                F32x4Div f32x4_div,
                F32x4Min f32x4_min,
                F32x4Max f32x4_max,
                F32x4Pmin f32x4_pmin,
                F32x4Pmax f32x4_pmax,
                F64x2Add f64x2_add,
                F64x2Sub f64x2_sub,
                F64x2Mul f64x2_mul,
                F64x2Div f64x2_div,
                F64x2Min f64x2_min,
                F64x2Max f64x2_max,
                F64x2Pmin f64x2_pmin,
                F64x2Pmax f64x2_pmax,
                I8x16RelaxedSwizzle i8x16_relaxed_swizzle,
                F32x4RelaxedMin f32x4_relaxed_min,
                F32x4RelaxedMax f32x4_relaxed_max,
                F64x2RelaxedMin f64x2_relaxed_min,
                F64x2RelaxedMax f64x2_relaxed_max,
                I16x8RelaxedQ15mulrS i16x8_relaxed_q15mulr_s,
                I16x8RelaxedDotI8x16I7x16S i16x8_relaxed_dot_i8x16_i7x16_s,
            }
            ternary {
                V128Bitselect v128_bitselect,
                F32x4RelaxedMadd f32x4_relaxed_madd,
                F32x4RelaxedNmadd f32x4_relaxed_nmadd,
                F64x2RelaxedMadd f64x2_relaxed_madd,
                F64x2RelaxedNmadd f64x2_relaxed_nmadd,
                I8x16RelaxedLaneselect i8x16_relaxed_laneselect,
                I16x8RelaxedLaneselect i16x8_relaxed_laneselect,
                I32x4RelaxedLaneselect i32x4_relaxed_laneselect,
                I64x2RelaxedLaneselect i64x2_relaxed_laneselect,
                I32x4RelaxedDotI8x16I7x16AddS i32x4_relaxed_dot_i8x16_i7x16_add_s,
            }
            splat {
                I8x16Splat i8x16_splat,
                I16x8Splat i16x8_splat,
                I32x4Splat i32x4_splat,
                I64x2Splat i64x2_splat,
                F32x4Splat i32x4_splat,
                F64x2Splat i64x2_splat,
            }
            test {
                V128AnyTrue v128_any_true,
                I8x16AllTrue i8x16_all_true,
                I8x16Bitmask i8x16_bitmask,
                I16x8AllTrue i16x8_all_true,
                I16x8Bitmask i16x8_bitmask,
                I32x4AllTrue i32x4_all_true,
                I32x4Bitmask i32x4_bitmask,
                I64x2AllTrue i64x2_all_true,
                I64x2Bitmask i64x2_bitmask,
            }
            shift {
                I8x16Shl i8x16_shl,
                I8x16ShrS i8x16_shr_s,
                I8x16ShrU i8x16_shr_u,
                I16x8Shl i16x8_shl,
                I16x8ShrS i16x8_shr_s,
                I16x8ShrU i16x8_shr_u,
                I32x4Shl i32x4_shl,
                I32x4ShrS i32x4_shr_s,
                I32x4ShrU i32x4_shr_u,
                I64x2Shl i64x2_shl,
                I64x2ShrS i64x2_shr_s,
                I64x2ShrU i64x2_shr_u,
            }
            extract {
                I8x16ExtractLaneS i8x16_extract_lane_s,
                I8x16ExtractLaneU i8x16_extract_lane_u,
                I16x8ExtractLaneS i16x8_extract_lane_s,
                I16x8ExtractLaneU i16x8_extract_lane_u,
                I32x4ExtractLane i32x4_extract_lane,
                I64x2ExtractLane i64x2_extract_lane,
                F32x4ExtractLane i32x4_extract_lane,
                F64x2ExtractLane i64x2_extract_lane,
            }
            replace {
                I8x16ReplaceLane i8x16_replace_lane,
                I16x8ReplaceLane i16x8_replace_lane,
                I32x4ReplaceLane i32x4_replace_lane,
                I64x2ReplaceLane i64x2_replace_lane,
                F32x4ReplaceLane i32x4_replace_lane,
                F64x2ReplaceLane i64x2_replace_lane,
            }
            load {
                V128Load load_v128,
                V128Load8x8S load_8x8_s,
                V128Load8x8U load_8x8_u,
                V128Load16x4S load_16x4_s,
                V128Load16x4U load_16x4_u,
                V128Load32x2S load_32x2_s,
                V128Load32x2U load_32x2_u,
                V128Load8Splat load_8_splat,
                V128Load16Splat load_16_splat,
                V128Load32Splat load_32_splat,
                V128Load64Splat load_64_splat,
                V128Load32Zero load_32_zero,
                V128Load64Zero load_64_zero,
            }
            load_lane {
                V128Load8Lane load_8_lane,
                V128Load16Lane load_16_lane,
                V128Load32Lane load_32_lane,
                V128Load64Lane load_64_lane,
            }
            store {
                V128Store store_v128,
            }
            store_lane {
                V128Store8Lane store_8_lane,
                V128Store16Lane store_16_lane,
                V128Store32Lane store_32_lane,
                V128Store64Lane store_64_lane,
            }
        }
    };
}

/// What the fields of a `Simd` instruction mean (see the [module documentation](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimdShape {
    Unary,
    Binary,
    Ternary,
    Splat,
    Test,
    Shift,
    Extract,
    Replace,
    Copy,
    Select,
    Zero,
    /// `I8x16Shuffle`: `c` is a constant index, not a slot.
    Shuffle,
}

/// What the fields of a `SimdX` instruction mean (see the [module documentation](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimdXShape {
    Const,
    GlobalGet,
    GlobalSet,
    Load,
    LoadLane,
    Store,
    StoreLane,
}

macro_rules! define_simd_ops {
    (
        unary { $($u:ident $uf:ident,)* }
        binary { $($b:ident $bf:ident,)* }
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
    ) => {
        /// A SIMD operation on registers (the `op` of `Instr::Simd`); one byte.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum SimdOp {
            $( #[doc = concat!("`vd = ", stringify!($uf), "(va)`")] $u, )*
            $( #[doc = concat!("`vd = ", stringify!($bf), "(va, vb)`")] $b, )*
            $( #[doc = concat!("`vd = ", stringify!($tf), "(va, vb, vc)`")] $t, )*
            $( #[doc = concat!("`vd = ", stringify!($spf), "(sa)`")] $sp, )*
            $( #[doc = concat!("`sd = ", stringify!($tef), "(va)`")] $te, )*
            $( #[doc = concat!("`vd = ", stringify!($shf), "(va, sb)`")] $sh, )*
            $( #[doc = concat!("`sd = ", stringify!($exf), "(va, lane c)`")] $ex, )*
            $( #[doc = concat!("`vd = ", stringify!($ref_), "(va, sb, lane c)`")] $re, )*
            /// `vd = va`.
            CopyV128,
            /// `vd = if sc != 0 { va } else { vb }`.
            SelectV128,
            /// `vd = 0`.
            V128Zero,
            /// `vd = shuffle(va, vb, v128_consts[c])`.
            I8x16Shuffle,
            /// `vd = shuffle(va, vb, vc)`.
            I8x16ShuffleReg,
        }

        impl SimdOp {
            /// The op's group.
            pub fn shape(self) -> SimdShape {
                match self {
                    $( SimdOp::$u => SimdShape::Unary, )*
                    $( SimdOp::$b => SimdShape::Binary, )*
                    $( SimdOp::$t => SimdShape::Ternary, )*
                    $( SimdOp::$sp => SimdShape::Splat, )*
                    $( SimdOp::$te => SimdShape::Test, )*
                    $( SimdOp::$sh => SimdShape::Shift, )*
                    $( SimdOp::$ex => SimdShape::Extract, )*
                    $( SimdOp::$re => SimdShape::Replace, )*
                    SimdOp::CopyV128 => SimdShape::Copy,
                    SimdOp::SelectV128 => SimdShape::Select,
                    SimdOp::V128Zero => SimdShape::Zero,
                    SimdOp::I8x16Shuffle => SimdShape::Shuffle,
                    SimdOp::I8x16ShuffleReg => SimdShape::Ternary,
                }
            }
        }

        /// A SIMD operation with a 32-bit index (the `op` of `Instr::SimdX`); one byte.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum SimdXOp {
            /// `vv = v128_consts[x]`.
            V128Const,
            /// `vv = global x`.
            GlobalGetV128,
            /// `global x = vv`.
            GlobalSetV128,
            $( #[doc = concat!("`vv = ", stringify!($lf), "(simd_sites[x], ss)`")] $l, )*
            $( #[doc = concat!("`vv = ", stringify!($llf), "(simd_sites[x], ss, vv)`")] $ll, )*
            $( #[doc = concat!("`", stringify!($sf), "(simd_sites[x], ss, vv)`")] $s, )*
            $( #[doc = concat!("`", stringify!($slf), "(simd_sites[x], ss, vv)`")] $sl, )*
        }

        impl SimdXOp {
            /// The op's group.
            pub fn shape(self) -> SimdXShape {
                match self {
                    SimdXOp::V128Const => SimdXShape::Const,
                    SimdXOp::GlobalGetV128 => SimdXShape::GlobalGet,
                    SimdXOp::GlobalSetV128 => SimdXShape::GlobalSet,
                    $( SimdXOp::$l => SimdXShape::Load, )*
                    $( SimdXOp::$ll => SimdXShape::LoadLane, )*
                    $( SimdXOp::$s => SimdXShape::Store, )*
                    $( SimdXOp::$sl => SimdXShape::StoreLane, )*
                }
            }
        }
    };
}

with_simd_isa!(define_simd_ops);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_are_one_byte() {
        assert_eq!(std::mem::size_of::<SimdOp>(), 1);
        assert_eq!(std::mem::size_of::<SimdXOp>(), 1);
    }
}
