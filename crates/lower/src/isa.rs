//! rill's register ISA: the one place that lists every instruction, what it reads and what it
//! writes.
//!
//! # Machine model
//!
//! A function runs on a *frame* of 64-bit slots (registers) addressed by [`Slot`] indices
//! relative to the frame base: the parameters first (slot 0, 1, …), then the declared locals,
//! then the operand-stack temporaries (operand stack position `p` lives in slot
//! `locals + p`). Values are stored untyped: `i32` and `f32` zero-extended (so an `i32`
//! address read as `u64` is already the unsigned address of a 32-bit memory), `i64` and `f64`
//! as their bits, references as `0` (null) or `address + 1` (a function's store address, or
//! an `externref` host value).
//!
//! Branch offsets are relative to the index of the branching instruction itself. A call
//! places its arguments in consecutive slots `base..` of the caller's frame; the callee's
//! frame starts there (its parameters are those slots, nothing is copied), and its results
//! come back in the same slots `base..`.
//!
//! Every instruction is a variant of [`Instr`], 12 bytes, executed by one `match` in a loop.
//! Integer binary operators have a second form whose right operand is an inline 32-bit
//! immediate (`imm`, sign-extended for 64-bit operators); comparisons of integers fuse with
//! the branch that consumes them (`BrI32LtS { a, b, offset }` branches when `a < b`).
//!
//! # Instructions
//!
//! | group | form | reads | writes |
//! |---|---|---|---|
//! | numeric, binary | `Op { d, a, b }` | slots `a`, `b` | slot `d` |
//! | numeric, binary with immediate | `OpImm { d, a, imm }` | slot `a`, `imm` | slot `d` |
//! | numeric, unary (incl. conversions) | `Op { d, a }` | slot `a` | slot `d` |
//! | load | `Load { d, p, offset }` | address slot `p`, memory 0 at `p + offset` | slot `d` |
//! | store | `Store { p, v, offset }` | slots `p`, `v` | memory 0 at `p + offset` |
//! | load/store, fused address | `LoadAdd { d, p, q, offset }`, `StoreAdd { p, q, v, offset }` | as above at `(p + q) mod 2^32 + offset` (an `i32.add` fused into the address) | |
//! | memory access, general | `LoadAt`/`StoreAt { .., site }` | as above, for any memory, a 64-bit memory 0 or a 64-bit offset: `site` indexes [`MemSite`]s | |
//! | compare and branch | `BrCmp { a, b, offset }`, `BrCmpImm { a, imm, offset }` | `a`, `b`/`imm` | `ip` |
//! | branch | `Br`, `BrIfZ`/`BrIfNz { c }`, `BrTable { index, len }` (followed by `len + 1` `Br`s, the last the default) | `c`/`index` | `ip` |
//! | copies | `Copy { d, s }`, `Const32 { d, value }`, `Const64 { d, lo, hi }`, `Select { d, c, a, b }` | `s`, `c`, `a`, `b` | `d` |
//! | atomics | `Atomic { d, p, v, site }` (the access `atomic_sites[site]`, see [`AtomicOp`]), `AtomicFence` | `p`, `v` (`v + 1`) | `d` |
//! | wide arithmetic | `I64Add128`/`I64Sub128 { d, a_lo, a_hi, b_lo, b_hi }`, `I64MulWideS`/`I64MulWideU { d, a, b }` | the operands | `d` (low half), `d + 1` (high half) |
//! | calls | `Call { func, base }`, `CallIndirect { base, index, site }`, `CallRef { base, r }`, and the `Return*` tail-call forms | args `base..`, `index`/`r` | results `base..` |
//! | return | `Return0`, `Return1 { s }`, `ReturnN { s, n }` | `s..s+n` | the caller's result slots |
//! | variables | `GlobalGet { d, global }`, `GlobalSet { s, global }` | global / `s` | `d` / global |
//! | memory | `MemorySize`, `MemoryGrow`, `MemoryFill`, `MemoryCopy`, `MemoryInit`, `DataDrop` | see each variant | |
//! | tables | `TableGet`, `TableSet`, `TableSize`, `TableGrow`, `TableFill`, `TableCopy`, `TableInit`, `ElemDrop` | see each variant | |
//! | references | `RefFunc { d, func }`, `RefIsNull { d, a }`, `RefAsNonNull { a }`, `BrOnNull { r, offset }`, `BrOnNonNull { r, offset }` | | |
//! | exceptions | `Throw { base, tag }`, `ThrowRef { r }` | the payload `base..` / the `exnref` in `r` | a handler's slots (see [`crate::Handler`]) |
//! | traps | `Trap { code }`, `Unsupported { op }` | | trap |
//! | fuel | `ConsumeFuel { amount }` (only in code lowered with fuel metering, see [`crate::fuel`]) | the store's fuel | the store's fuel |
//! | SIMD | `Simd { op, d, a, b, c }`, `SimdX { op, v, s, x }` | see [`crate::isa_simd`]: `v128` values live in a parallel file of 128-bit vector slots indexed like the scalar slots | |
//!
//! The lists below ([`with_isa!`]) are the single source: the enum, the lowering's operator
//! mapping and the interpreter's handlers are expanded from them.

pub use crate::isa_simd::{SimdOp, SimdShape, SimdSite, SimdXOp, SimdXShape};

/// A frame slot (register) index.
pub type Slot = u16;

/// Why a `Trap` instruction traps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapCode {
    /// `unreachable`.
    Unreachable,
}

/// A memory access the compact forms cannot express: another memory than 0, or an offset
/// beyond `u32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemSite {
    pub memory: u32,
    pub offset: u64,
    /// The compact instruction this stands for (its `offset` field is unused).
    pub op: MemOp,
}

/// The access kinds of [`MemSite`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemOp {
    I32Load,
    I64Load,
    I32Load8S,
    I32Load8U,
    I32Load16S,
    I32Load16U,
    I64Load8S,
    I64Load8U,
    I64Load16S,
    I64Load16U,
    I64Load32S,
    I64Load32U,
    I32Store,
    I64Store,
    I32Store8,
    I32Store16,
    I64Store8,
    I64Store16,
    I64Store32,
}

/// An atomic memory access (the threads proposal): its memory, static offset, what it does
/// and on how many bytes (1, 2, 4 or 8; the address must be a multiple of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AtomicSite {
    pub memory: u32,
    pub offset: u64,
    pub op: AtomicOp,
    pub bytes: u8,
}

/// What an atomic access does. Values narrower than their type are zero-extended when
/// read and wrapped when written (`cmpxchg`'s expected value too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomicOp {
    /// `d = load`.
    Load,
    /// `store v`.
    Store,
    /// Read-modify-write: `d = old`, then `store old op v`.
    Add,
    Sub,
    And,
    Or,
    Xor,
    /// `d = old`, `store v`.
    Xchg,
    /// `d = old`; `store v + 1` if `old == v` (the expected value, then the replacement).
    Cmpxchg,
    /// `memory.atomic.wait32/64`: expected value `v`, timeout `v + 1` (ns, negative:
    /// none); `d` = 0 woken, 1 not equal, 2 timed out.
    Wait,
    /// `memory.atomic.notify`: wakes at most `v` waiters; `d` = how many.
    Notify,
}

/// Calls `$m!` with the ISA's lists, passing `$($extra)*` through first. Groups:
///
/// - `binary32` / `binary64`: `Name NameImm exec_fn = WasmOperator,` — integer binary
///   operators with a register form and an immediate form (`imm: i32`, zero-extended for
///   32-bit and sign-extended for 64-bit operators).
/// - `binary_trap`: `Name exec_fn = WasmOperator,` — integer division and remainder (may trap).
/// - `binary_float`: `Name exec_fn = WasmOperator,` — float binary operators.
/// - `unary`: `Name exec_fn = WasmOperator,`; `unary_trap`: the trapping conversions.
/// - `load`: `Name NameAdd exec_fn = WasmOperator...,` (`f32.load` is `I32Load`, …): the
///   access at `p + offset`, and at `p + q + offset` (`NameAdd`, the `i32.add` of two
///   slots fused into a 32-bit memory's address); `store` likewise.
/// - `br_cmp32` / `br_cmp64`: `BrName BrNameImm cmp_fn = Compare CompareImm / BrNeg BrNegImm,`
///   — the compare-and-branch forms of the integer comparisons, the compare instructions they
///   fuse, and the branch on the negated comparison.
/// - `br_cmp_float`: `BrName BrNotName cmp_fn = Compare,` — the float comparisons fused with
///   a branch: taken when the comparison holds, and when it does not (with NaN operands
///   neither `a < b` nor `a >= b` holds, so the negation is its own instruction).
/// - `fused_float`: `Name first_fn second_fn = First Second,` — `d = second(first(a, b), c)`,
///   two float operators in one instruction (each rounds: not a fused multiply-add). The
///   second is commutative: the lowering fuses the first's result as either of its operands.
#[macro_export]
macro_rules! with_isa {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)*
            binary32 {
                I32Add I32AddImm i32_add = I32Add,
                I32Sub I32SubImm i32_sub = I32Sub,
                I32Mul I32MulImm i32_mul = I32Mul,
                I32And I32AndImm i32_and = I32And,
                I32Or I32OrImm i32_or = I32Or,
                I32Xor I32XorImm i32_xor = I32Xor,
                I32Shl I32ShlImm i32_shl = I32Shl,
                I32ShrS I32ShrSImm i32_shr_s = I32ShrS,
                I32ShrU I32ShrUImm i32_shr_u = I32ShrU,
                I32Rotl I32RotlImm i32_rotl = I32Rotl,
                I32Rotr I32RotrImm i32_rotr = I32Rotr,
                I32Eq I32EqImm i32_eq = I32Eq,
                I32Ne I32NeImm i32_ne = I32Ne,
                I32LtS I32LtSImm i32_lt_s = I32LtS,
                I32LtU I32LtUImm i32_lt_u = I32LtU,
                I32GtS I32GtSImm i32_gt_s = I32GtS,
                I32GtU I32GtUImm i32_gt_u = I32GtU,
                I32LeS I32LeSImm i32_le_s = I32LeS,
                I32LeU I32LeUImm i32_le_u = I32LeU,
                I32GeS I32GeSImm i32_ge_s = I32GeS,
                I32GeU I32GeUImm i32_ge_u = I32GeU,
            }
            binary64 {
                I64Add I64AddImm i64_add = I64Add,
                I64Sub I64SubImm i64_sub = I64Sub,
                I64Mul I64MulImm i64_mul = I64Mul,
                I64And I64AndImm i64_and = I64And,
                I64Or I64OrImm i64_or = I64Or,
                I64Xor I64XorImm i64_xor = I64Xor,
                I64Shl I64ShlImm i64_shl = I64Shl,
                I64ShrS I64ShrSImm i64_shr_s = I64ShrS,
                I64ShrU I64ShrUImm i64_shr_u = I64ShrU,
                I64Rotl I64RotlImm i64_rotl = I64Rotl,
                I64Rotr I64RotrImm i64_rotr = I64Rotr,
                I64Eq I64EqImm i64_eq = I64Eq,
                I64Ne I64NeImm i64_ne = I64Ne,
                I64LtS I64LtSImm i64_lt_s = I64LtS,
                I64LtU I64LtUImm i64_lt_u = I64LtU,
                I64GtS I64GtSImm i64_gt_s = I64GtS,
                I64GtU I64GtUImm i64_gt_u = I64GtU,
                I64LeS I64LeSImm i64_le_s = I64LeS,
                I64LeU I64LeUImm i64_le_u = I64LeU,
                I64GeS I64GeSImm i64_ge_s = I64GeS,
                I64GeU I64GeUImm i64_ge_u = I64GeU,
            }
            binary_trap {
                I32DivS i32_div_s = I32DivS,
                I32DivU i32_div_u = I32DivU,
                I32RemS i32_rem_s = I32RemS,
                I32RemU i32_rem_u = I32RemU,
                I64DivS i64_div_s = I64DivS,
                I64DivU i64_div_u = I64DivU,
                I64RemS i64_rem_s = I64RemS,
                I64RemU i64_rem_u = I64RemU,
            }
            binary_float {
                F32Add f32_add = F32Add,
                F32Sub f32_sub = F32Sub,
                F32Mul f32_mul = F32Mul,
                F32Div f32_div = F32Div,
                F32Min f32_min = F32Min,
                F32Max f32_max = F32Max,
                F32Copysign f32_copysign = F32Copysign,
                F32Eq f32_eq = F32Eq,
                F32Ne f32_ne = F32Ne,
                F32Lt f32_lt = F32Lt,
                F32Gt f32_gt = F32Gt,
                F32Le f32_le = F32Le,
                F32Ge f32_ge = F32Ge,
                F64Add f64_add = F64Add,
                F64Sub f64_sub = F64Sub,
                F64Mul f64_mul = F64Mul,
                F64Div f64_div = F64Div,
                F64Min f64_min = F64Min,
                F64Max f64_max = F64Max,
                F64Copysign f64_copysign = F64Copysign,
                F64Eq f64_eq = F64Eq,
                F64Ne f64_ne = F64Ne,
                F64Lt f64_lt = F64Lt,
                F64Gt f64_gt = F64Gt,
                F64Le f64_le = F64Le,
                F64Ge f64_ge = F64Ge,
            }
            unary {
                I32Eqz i32_eqz = I32Eqz,
                I32Clz i32_clz = I32Clz,
                I32Ctz i32_ctz = I32Ctz,
                I32Popcnt i32_popcnt = I32Popcnt,
                I32Extend8S i32_extend8_s = I32Extend8S,
                I32Extend16S i32_extend16_s = I32Extend16S,
                I64Eqz i64_eqz = I64Eqz,
                I64Clz i64_clz = I64Clz,
                I64Ctz i64_ctz = I64Ctz,
                I64Popcnt i64_popcnt = I64Popcnt,
                I64Extend8S i64_extend8_s = I64Extend8S,
                I64Extend16S i64_extend16_s = I64Extend16S,
                I64Extend32S i64_extend32_s = I64Extend32S,
                F32Abs f32_abs = F32Abs,
                F32Neg f32_neg = F32Neg,
                F32Ceil f32_ceil = F32Ceil,
                F32Floor f32_floor = F32Floor,
                F32Trunc f32_trunc = F32Trunc,
                F32Nearest f32_nearest = F32Nearest,
                F32Sqrt f32_sqrt = F32Sqrt,
                F64Abs f64_abs = F64Abs,
                F64Neg f64_neg = F64Neg,
                F64Ceil f64_ceil = F64Ceil,
                F64Floor f64_floor = F64Floor,
                F64Trunc f64_trunc = F64Trunc,
                F64Nearest f64_nearest = F64Nearest,
                F64Sqrt f64_sqrt = F64Sqrt,
                I32WrapI64 i32_wrap_i64 = I32WrapI64,
                I64ExtendI32S i64_extend_i32_s = I64ExtendI32S,
                I64ExtendI32U i64_extend_i32_u = I64ExtendI32U,
                F32ConvertI32S f32_convert_i32_s = F32ConvertI32S,
                F32ConvertI32U f32_convert_i32_u = F32ConvertI32U,
                F32ConvertI64S f32_convert_i64_s = F32ConvertI64S,
                F32ConvertI64U f32_convert_i64_u = F32ConvertI64U,
                F64ConvertI32S f64_convert_i32_s = F64ConvertI32S,
                F64ConvertI32U f64_convert_i32_u = F64ConvertI32U,
                F64ConvertI64S f64_convert_i64_s = F64ConvertI64S,
                F64ConvertI64U f64_convert_i64_u = F64ConvertI64U,
                F32DemoteF64 f32_demote_f64 = F32DemoteF64,
                F64PromoteF32 f64_promote_f32 = F64PromoteF32,
                I32TruncSatF32S i32_trunc_sat_f32_s = I32TruncSatF32S,
                I32TruncSatF32U i32_trunc_sat_f32_u = I32TruncSatF32U,
                I32TruncSatF64S i32_trunc_sat_f64_s = I32TruncSatF64S,
                I32TruncSatF64U i32_trunc_sat_f64_u = I32TruncSatF64U,
                I64TruncSatF32S i64_trunc_sat_f32_s = I64TruncSatF32S,
                I64TruncSatF32U i64_trunc_sat_f32_u = I64TruncSatF32U,
                I64TruncSatF64S i64_trunc_sat_f64_s = I64TruncSatF64S,
                I64TruncSatF64U i64_trunc_sat_f64_u = I64TruncSatF64U,
            }
            unary_trap {
                I32TruncF32S i32_trunc_f32_s = I32TruncF32S,
                I32TruncF32U i32_trunc_f32_u = I32TruncF32U,
                I32TruncF64S i32_trunc_f64_s = I32TruncF64S,
                I32TruncF64U i32_trunc_f64_u = I32TruncF64U,
                I64TruncF32S i64_trunc_f32_s = I64TruncF32S,
                I64TruncF32U i64_trunc_f32_u = I64TruncF32U,
                I64TruncF64S i64_trunc_f64_s = I64TruncF64S,
                I64TruncF64U i64_trunc_f64_u = I64TruncF64U,
            }
            load {
                I32Load I32LoadAdd load_u32 = I32Load F32Load,
                I64Load I64LoadAdd load_u64 = I64Load F64Load,
                I32Load8S I32Load8SAdd load_i32_8s = I32Load8S,
                I32Load8U I32Load8UAdd load_8u = I32Load8U,
                I32Load16S I32Load16SAdd load_i32_16s = I32Load16S,
                I32Load16U I32Load16UAdd load_16u = I32Load16U,
                I64Load8S I64Load8SAdd load_i64_8s = I64Load8S,
                I64Load8U I64Load8UAdd load_8u = I64Load8U,
                I64Load16S I64Load16SAdd load_i64_16s = I64Load16S,
                I64Load16U I64Load16UAdd load_16u = I64Load16U,
                I64Load32S I64Load32SAdd load_i64_32s = I64Load32S,
                I64Load32U I64Load32UAdd load_u32 = I64Load32U,
            }
            store {
                I32Store I32StoreAdd store_32 = I32Store F32Store,
                I64Store I64StoreAdd store_64 = I64Store F64Store,
                I32Store8 I32Store8Add store_8 = I32Store8 I64Store8,
                I32Store16 I32Store16Add store_16 = I32Store16 I64Store16,
                I64Store32 I64Store32Add store_32 = I64Store32,
            }
            br_cmp32 {
                BrI32Eq BrI32EqImm i32_eq = I32Eq I32EqImm / BrI32Ne BrI32NeImm,
                BrI32Ne BrI32NeImm i32_ne = I32Ne I32NeImm / BrI32Eq BrI32EqImm,
                BrI32LtS BrI32LtSImm i32_lt_s = I32LtS I32LtSImm / BrI32GeS BrI32GeSImm,
                BrI32LtU BrI32LtUImm i32_lt_u = I32LtU I32LtUImm / BrI32GeU BrI32GeUImm,
                BrI32GtS BrI32GtSImm i32_gt_s = I32GtS I32GtSImm / BrI32LeS BrI32LeSImm,
                BrI32GtU BrI32GtUImm i32_gt_u = I32GtU I32GtUImm / BrI32LeU BrI32LeUImm,
                BrI32LeS BrI32LeSImm i32_le_s = I32LeS I32LeSImm / BrI32GtS BrI32GtSImm,
                BrI32LeU BrI32LeUImm i32_le_u = I32LeU I32LeUImm / BrI32GtU BrI32GtUImm,
                BrI32GeS BrI32GeSImm i32_ge_s = I32GeS I32GeSImm / BrI32LtS BrI32LtSImm,
                BrI32GeU BrI32GeUImm i32_ge_u = I32GeU I32GeUImm / BrI32LtU BrI32LtUImm,
            }
            br_cmp64 {
                BrI64Eq BrI64EqImm i64_eq = I64Eq I64EqImm / BrI64Ne BrI64NeImm,
                BrI64Ne BrI64NeImm i64_ne = I64Ne I64NeImm / BrI64Eq BrI64EqImm,
                BrI64LtS BrI64LtSImm i64_lt_s = I64LtS I64LtSImm / BrI64GeS BrI64GeSImm,
                BrI64LtU BrI64LtUImm i64_lt_u = I64LtU I64LtUImm / BrI64GeU BrI64GeUImm,
                BrI64GtS BrI64GtSImm i64_gt_s = I64GtS I64GtSImm / BrI64LeS BrI64LeSImm,
                BrI64GtU BrI64GtUImm i64_gt_u = I64GtU I64GtUImm / BrI64LeU BrI64LeUImm,
                BrI64LeS BrI64LeSImm i64_le_s = I64LeS I64LeSImm / BrI64GtS BrI64GtSImm,
                BrI64LeU BrI64LeUImm i64_le_u = I64LeU I64LeUImm / BrI64GtU BrI64GtUImm,
                BrI64GeS BrI64GeSImm i64_ge_s = I64GeS I64GeSImm / BrI64LtS BrI64LtSImm,
                BrI64GeU BrI64GeUImm i64_ge_u = I64GeU I64GeUImm / BrI64LtU BrI64LtUImm,
            }
            br_cmp_float {
                BrF32Eq BrNotF32Eq f32_eq = F32Eq,
                BrF32Ne BrNotF32Ne f32_ne = F32Ne,
                BrF32Lt BrNotF32Lt f32_lt = F32Lt,
                BrF32Gt BrNotF32Gt f32_gt = F32Gt,
                BrF32Le BrNotF32Le f32_le = F32Le,
                BrF32Ge BrNotF32Ge f32_ge = F32Ge,
                BrF64Eq BrNotF64Eq f64_eq = F64Eq,
                BrF64Ne BrNotF64Ne f64_ne = F64Ne,
                BrF64Lt BrNotF64Lt f64_lt = F64Lt,
                BrF64Gt BrNotF64Gt f64_gt = F64Gt,
                BrF64Le BrNotF64Le f64_le = F64Le,
                BrF64Ge BrNotF64Ge f64_ge = F64Ge,
            }
            fused_float {
                F32MulAdd f32_mul f32_add = F32Mul F32Add,
                F32AddMul f32_add f32_mul = F32Add F32Mul,
                F32SubAdd f32_sub f32_add = F32Sub F32Add,
                F32SubMul f32_sub f32_mul = F32Sub F32Mul,
                F64MulAdd f64_mul f64_add = F64Mul F64Add,
                F64AddMul f64_add f64_mul = F64Add F64Mul,
                F64SubAdd f64_sub f64_add = F64Sub F64Add,
                F64SubMul f64_sub f64_mul = F64Sub F64Mul,
            }
        }
    };
}

macro_rules! define_instr {
    (
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
        /// One instruction. See the [module documentation](self) for the table of what each
        /// group reads and writes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Instr {
            $(
                #[doc = concat!("`d = ", stringify!($b32f), "(a, b)`")]
                $b32 { d: Slot, a: Slot, b: Slot },
                #[doc = concat!("`d = ", stringify!($b32f), "(a, imm as u32)`")]
                $b32i { d: Slot, a: Slot, imm: i32 },
            )*
            $(
                #[doc = concat!("`d = ", stringify!($b64f), "(a, b)`")]
                $b64 { d: Slot, a: Slot, b: Slot },
                #[doc = concat!("`d = ", stringify!($b64f), "(a, imm as i64)`")]
                $b64i { d: Slot, a: Slot, imm: i32 },
            )*
            $(
                #[doc = concat!("`d = ", stringify!($btf), "(a, b)`, may trap")]
                $bt { d: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("`d = ", stringify!($bff), "(a, b)`")]
                $bf { d: Slot, a: Slot, b: Slot },
            )*
            $(
                #[doc = concat!("`d = ", stringify!($uf), "(a)`")]
                $u { d: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`d = ", stringify!($utf), "(a)`, may trap")]
                $ut { d: Slot, a: Slot },
            )*
            $(
                #[doc = concat!("`d = ", stringify!($lf), "(memory 0, p + offset)`")]
                $l { d: Slot, p: Slot, offset: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($sf), "(memory 0, p + offset, v)`")]
                $s { p: Slot, v: Slot, offset: u32 },
            )*
            $(
                #[doc = concat!("`d = ", stringify!($lf), "(memory 0, (p + q) as u32 + offset)`")]
                $la { d: Slot, p: Slot, q: Slot, offset: u32 },
            )*
            $(
                #[doc = concat!("`", stringify!($sf), "(memory 0, (p + q) as u32 + offset, v)`")]
                $sa { p: Slot, q: Slot, v: Slot, offset: u32 },
            )*
            $(
                #[doc = concat!("branch by `offset` if `", stringify!($c32f), "(a, b)`")]
                $c32 { a: Slot, b: Slot, offset: i32 },
                #[doc = concat!("branch by `offset` if `", stringify!($c32f), "(a, imm)`")]
                $c32i { a: Slot, imm: i32, offset: i32 },
            )*
            $(
                #[doc = concat!("branch by `offset` if `", stringify!($c64f), "(a, b)`")]
                $c64 { a: Slot, b: Slot, offset: i32 },
                #[doc = concat!("branch by `offset` if `", stringify!($c64f), "(a, imm)`")]
                $c64i { a: Slot, imm: i32, offset: i32 },
            )*

            $(
                #[doc = concat!("branch by `offset` if `", stringify!($cff), "(a, b)`")]
                $cf { a: Slot, b: Slot, offset: i32 },
                #[doc = concat!("branch by `offset` unless `", stringify!($cff), "(a, b)`")]
                $cfn { a: Slot, b: Slot, offset: i32 },
            )*

            $(
                #[doc = concat!("`d = ", stringify!($ff2), "(", stringify!($ff1), "(a, b), c)`")]
                $ff { d: Slot, a: Slot, b: Slot, c: Slot },
            )*

            // ----- control -----
            /// Traps with `code`.
            Trap { code: TrapCode },
            /// Traps: operator number `op` of `rill_decoder::OPERATORS` is not supported by
            /// the interpreter yet (SIMD, GC, exceptions, threads).
            Unsupported { op: u16 },
            /// Fuel metering (see [`crate::fuel`]): takes `amount` from the store's fuel, or
            /// stops ("out of fuel", resumable at this instruction) if less is left.
            ConsumeFuel { amount: u32 },
            /// `ip += offset`.
            Br { offset: i32 },
            /// Branch if `c` is zero (all 64 bits: an `i32`, an `i64` or a null reference).
            BrIfZ { c: Slot, offset: i32 },
            /// Branch if `c` is not zero (all 64 bits).
            BrIfNz { c: Slot, offset: i32 },
            /// Reads the `i32` index in `index`; continues at the `min(index, len)`th of the
            /// `len + 1` `Br` instructions that follow.
            BrTable { index: Slot, len: u32 },
            /// Returns with no results.
            Return0,
            /// Returns the value in `s`.
            Return1 { s: Slot },
            /// Returns the `n` values in `s..s + n`.
            ReturnN { s: Slot, n: u16 },
            /// Calls the instance's function `func`; arguments and results in `base..`.
            Call { base: Slot, func: u32 },
            /// Calls the function at `index` of the table of `call_sites[site]`, checking its
            /// type against the site's; arguments and results in `base..`.
            CallIndirect { base: Slot, index: Slot, site: u32 },
            /// Calls the function reference in `r` ("null function reference" if null).
            CallRef { base: Slot, r: Slot },
            /// Tail calls: the arguments in `base..` replace the current frame.
            ReturnCall { base: Slot, func: u32 },
            ReturnCallIndirect { base: Slot, index: Slot, site: u32 },
            ReturnCallRef { base: Slot, r: Slot },

            // ----- copies -----
            /// `d = s`.
            Copy { d: Slot, s: Slot },
            /// `d = value` (zero-extended).
            Const32 { d: Slot, value: u32 },
            /// `d = hi << 32 | lo`.
            Const64 { d: Slot, lo: u32, hi: u32 },
            /// `d = if c != 0 { a } else { b }` (`c` an `i32`).
            Select { d: Slot, c: Slot, a: Slot, b: Slot },

            // ----- atomics -----
            /// The atomic access `atomic_sites[site]` at address `p`: reads `v` (and `v + 1`
            /// for `cmpxchg` and `wait`, see [`AtomicOp`]); writes its result to `d` (all but
            /// `store`).
            Atomic { d: Slot, p: Slot, v: Slot, site: u32 },
            /// `atomic.fence`.
            AtomicFence,

            // ----- wide arithmetic: two results, in `d` (low half) and `d + 1` (high) -----
            /// `d, d + 1 = (a_lo, a_hi) + (b_lo, b_hi)`, each pair the halves of a 128-bit
            /// integer (wrapping).
            I64Add128 { d: Slot, a_lo: Slot, a_hi: Slot, b_lo: Slot, b_hi: Slot },
            /// `d, d + 1 = (a_lo, a_hi) - (b_lo, b_hi)` (wrapping).
            I64Sub128 { d: Slot, a_lo: Slot, a_hi: Slot, b_lo: Slot, b_hi: Slot },
            /// `d, d + 1 = a * b`, the 128-bit product of two signed `i64`s.
            I64MulWideS { d: Slot, a: Slot, b: Slot },
            /// `d, d + 1 = a * b`, the 128-bit product of two unsigned `i64`s.
            I64MulWideU { d: Slot, a: Slot, b: Slot },

            // ----- variables -----
            /// `d = global`.
            GlobalGet { d: Slot, global: u32 },
            /// `global = s`.
            GlobalSet { s: Slot, global: u32 },

            // ----- general memory access -----
            /// The load `mem_sites[site]` from address `p` into `d`.
            LoadAt { d: Slot, p: Slot, site: u32 },
            /// The store `mem_sites[site]` of `v` at address `p`.
            StoreAt { p: Slot, v: Slot, site: u32 },

            // ----- memory -----
            /// `d = memory.size memory`.
            MemorySize { d: Slot, memory: u32 },
            /// `d = memory.grow memory (delta)`.
            MemoryGrow { d: Slot, delta: Slot, memory: u32 },
            /// `memory.fill memory (dst, val, n)`.
            MemoryFill { dst: Slot, val: Slot, n: Slot, memory: u32 },
            /// `memory.copy (dst, src, n)` with the memories of `copy_sites[site]`.
            MemoryCopy { dst: Slot, src: Slot, n: Slot, site: u32 },
            /// `memory.init` with the segment and memory of `copy_sites[site]`.
            MemoryInit { dst: Slot, src: Slot, n: Slot, site: u32 },
            /// `data.drop segment`.
            DataDrop { segment: u32 },

            // ----- tables -----
            /// `d = table[i]`.
            TableGet { d: Slot, i: Slot, table: u32 },
            /// `table[i] = v`.
            TableSet { i: Slot, v: Slot, table: u32 },
            /// `d = table.size`.
            TableSize { d: Slot, table: u32 },
            /// `d = table.grow (init, n)`.
            TableGrow { d: Slot, init: Slot, n: Slot, table: u32 },
            /// `table.fill (i, v, n)`.
            TableFill { i: Slot, v: Slot, n: Slot, table: u32 },
            /// `table.copy (dst, src, n)` with the tables of `copy_sites[site]`.
            TableCopy { dst: Slot, src: Slot, n: Slot, site: u32 },
            /// `table.init` with the segment and table of `copy_sites[site]`.
            TableInit { dst: Slot, src: Slot, n: Slot, site: u32 },
            /// `elem.drop segment`.
            ElemDrop { segment: u32 },

            // ----- references -----
            /// `d = ref.func func`.
            RefFunc { d: Slot, func: u32 },
            /// `d = (a == null)`.
            RefIsNull { d: Slot, a: Slot },
            /// Traps with "null reference" if `a` is null.
            RefAsNonNull { a: Slot },
            /// Branch if the reference in `r` is null.
            BrOnNull { r: Slot, offset: i32 },
            /// Branch if the reference in `r` is not null.
            BrOnNonNull { r: Slot, offset: i32 },

            // ----- exceptions (see `CompiledFunc::handlers`) -----
            /// Throws an exception of the instance's tag `tag`, its payload (one value per
            /// parameter of the tag) in `base..`.
            Throw { base: Slot, tag: u32 },
            /// Throws the exception the `exnref` in `r` refers to ("null exception
            /// reference" if null).
            ThrowRef { r: Slot },

            // ----- SIMD (see `isa_simd`) -----
            /// A SIMD operation on vector and scalar slots; what `d`, `a`, `b` and `c` are
            /// depends on the op's [`SimdShape`].
            Simd { op: SimdOp, d: Slot, a: Slot, b: Slot, c: Slot },
            /// A SIMD operation on vector slot `v` and scalar slot `s` with a 32-bit index
            /// `x` (a side-table entry or a global); see the op's [`SimdXShape`].
            SimdX { op: SimdXOp, v: Slot, s: Slot, x: u32 },
        }

        impl Instr {
            /// The slot this instruction writes its single result to, if it is one whose
            /// destination can be retargeted (the lowering folds `local.set` into it).
            pub fn dst_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    $( Instr::$b32 { d, .. } | Instr::$b32i { d, .. } => Some(d), )*
                    $( Instr::$b64 { d, .. } | Instr::$b64i { d, .. } => Some(d), )*
                    $( Instr::$bt { d, .. } => Some(d), )*
                    $( Instr::$bf { d, .. } => Some(d), )*
                    $( Instr::$u { d, .. } => Some(d), )*
                    $( Instr::$ut { d, .. } => Some(d), )*
                    $( Instr::$l { d, .. } | Instr::$la { d, .. } => Some(d), )*
                    $( Instr::$ff { d, .. } => Some(d), )*
                    Instr::Copy { d, .. }
                    | Instr::Const32 { d, .. }
                    | Instr::Const64 { d, .. }
                    | Instr::Select { d, .. }
                    | Instr::GlobalGet { d, .. }
                    | Instr::LoadAt { d, .. }
                    | Instr::MemorySize { d, .. }
                    | Instr::MemoryGrow { d, .. }
                    | Instr::TableGet { d, .. }
                    | Instr::TableSize { d, .. }
                    | Instr::TableGrow { d, .. }
                    | Instr::RefFunc { d, .. }
                    | Instr::RefIsNull { d, .. }
                    | Instr::Simd { d, .. } => Some(d),
                    Instr::SimdX { op, v, .. } => match op.shape() {
                        SimdXShape::Const | SimdXShape::GlobalGet | SimdXShape::Load => Some(v),
                        // `load_lane` also reads `v`.
                        SimdXShape::LoadLane
                        | SimdXShape::GlobalSet
                        | SimdXShape::Store
                        | SimdXShape::StoreLane => None,
                    },
                    _ => None,
                }
            }

            /// For an integer comparison (or `eqz`, `ref.is_null`) writing `d`: the branch that
            /// is taken when the comparison is true (`negate`: false), with offset 0.
            pub fn fused_branch(&self, negate: bool) -> Option<Instr> {
                Some(match *self {
                    $(
                        Instr::$c32o { a, b, .. } if negate => Instr::$c32n { a, b, offset: 0 },
                        Instr::$c32o { a, b, .. } => Instr::$c32 { a, b, offset: 0 },
                        Instr::$c32oi { a, imm, .. } if negate => Instr::$c32ni { a, imm, offset: 0 },
                        Instr::$c32oi { a, imm, .. } => Instr::$c32i { a, imm, offset: 0 },
                    )*
                    $(
                        Instr::$c64o { a, b, .. } if negate => Instr::$c64n { a, b, offset: 0 },
                        Instr::$c64o { a, b, .. } => Instr::$c64 { a, b, offset: 0 },
                        Instr::$c64oi { a, imm, .. } if negate => Instr::$c64ni { a, imm, offset: 0 },
                        Instr::$c64oi { a, imm, .. } => Instr::$c64i { a, imm, offset: 0 },
                    )*
                    $(
                        Instr::$cfo { a, b, .. } if negate => Instr::$cfn { a, b, offset: 0 },
                        Instr::$cfo { a, b, .. } => Instr::$cf { a, b, offset: 0 },
                    )*
                    Instr::I32Eqz { a, .. } | Instr::I64Eqz { a, .. } | Instr::RefIsNull { a, .. } => {
                        if negate {
                            Instr::BrIfNz { c: a, offset: 0 }
                        } else {
                            Instr::BrIfZ { c: a, offset: 0 }
                        }
                    }
                    _ => return None,
                })
            }

            /// One past the highest frame slot this instruction reads or writes in the current
            /// frame (0 if none). A call's `base` is not counted: the callee's frame starts
            /// there and the interpreter makes room for it when it enters the callee.
            pub fn slot_bound(&self) -> usize {
                fn m(slots: &[Slot]) -> usize {
                    slots.iter().map(|&s| usize::from(s) + 1).max().unwrap_or(0)
                }
                match *self {
                    $( Instr::$b32 { d, a, b } => m(&[d, a, b]), Instr::$b32i { d, a, .. } => m(&[d, a]), )*
                    $( Instr::$b64 { d, a, b } => m(&[d, a, b]), Instr::$b64i { d, a, .. } => m(&[d, a]), )*
                    $( Instr::$bt { d, a, b } => m(&[d, a, b]), )*
                    $( Instr::$bf { d, a, b } => m(&[d, a, b]), )*
                    $( Instr::$u { d, a } => m(&[d, a]), )*
                    $( Instr::$ut { d, a } => m(&[d, a]), )*
                    $( Instr::$l { d, p, .. } => m(&[d, p]), )*
                    $( Instr::$s { p, v, .. } => m(&[p, v]), )*
                    $( Instr::$la { d, p, q, .. } => m(&[d, p, q]), )*
                    $( Instr::$ff { d, a, b, c } => m(&[d, a, b, c]), )*
                    $( Instr::$sa { p, q, v, .. } => m(&[p, q, v]), )*
                    $( Instr::$c32 { a, b, .. } => m(&[a, b]), Instr::$c32i { a, .. } => m(&[a]), )*
                    $( Instr::$c64 { a, b, .. } => m(&[a, b]), Instr::$c64i { a, .. } => m(&[a]), )*
                    $( Instr::$cf { a, b, .. } | Instr::$cfn { a, b, .. } => m(&[a, b]), )*
                    Instr::Trap { .. }
                    | Instr::Unsupported { .. }
                    | Instr::Br { .. }
                    | Instr::ConsumeFuel { .. }
                    | Instr::Return0
                    | Instr::Call { .. }
                    | Instr::ReturnCall { .. }
                    | Instr::Throw { .. }
                    | Instr::DataDrop { .. }
                    | Instr::ElemDrop { .. } => 0,
                    Instr::BrIfZ { c, .. } | Instr::BrIfNz { c, .. } => m(&[c]),
                    Instr::BrTable { index, .. } => m(&[index]),
                    Instr::Return1 { s } => m(&[s, 0]),
                    Instr::ReturnN { s, n } => usize::from(s) + usize::from(n).max(1),
                    Instr::CallIndirect { index, .. } | Instr::ReturnCallIndirect { index, .. } => {
                        m(&[index])
                    }
                    Instr::CallRef { r, .. } | Instr::ReturnCallRef { r, .. } => m(&[r]),
                    Instr::Copy { d, s } => m(&[d, s]),
                    Instr::Const32 { d, .. } | Instr::Const64 { d, .. } => m(&[d]),
                    Instr::Select { d, c, a, b } => m(&[d, c, a, b]),
                    Instr::I64Add128 { d, a_lo, a_hi, b_lo, b_hi }
                    | Instr::I64Sub128 { d, a_lo, a_hi, b_lo, b_hi } => {
                        (usize::from(d) + 2).max(m(&[a_lo, a_hi, b_lo, b_hi]))
                    }
                    Instr::I64MulWideS { d, a, b } | Instr::I64MulWideU { d, a, b } => {
                        (usize::from(d) + 2).max(m(&[a, b]))
                    }
                    // `v + 1` counted for every atomic: only `cmpxchg` and `wait` read it.
                    Instr::Atomic { d, p, v, .. } => m(&[d, p]).max(usize::from(v) + 2),
                    Instr::AtomicFence => 0,
                    Instr::GlobalGet { d, .. } => m(&[d]),
                    Instr::GlobalSet { s, .. } => m(&[s]),
                    Instr::LoadAt { d, p, .. } => m(&[d, p]),
                    Instr::StoreAt { p, v, .. } => m(&[p, v]),
                    Instr::MemorySize { d, .. } => m(&[d]),
                    Instr::MemoryGrow { d, delta, .. } => m(&[d, delta]),
                    Instr::MemoryFill { dst, val, n, .. } => m(&[dst, val, n]),
                    Instr::MemoryCopy { dst, src, n, .. }
                    | Instr::MemoryInit { dst, src, n, .. }
                    | Instr::TableCopy { dst, src, n, .. }
                    | Instr::TableInit { dst, src, n, .. } => m(&[dst, src, n]),
                    Instr::TableGet { d, i, .. } => m(&[d, i]),
                    Instr::TableSet { i, v, .. } => m(&[i, v]),
                    Instr::TableSize { d, .. } => m(&[d]),
                    Instr::TableGrow { d, init, n, .. } => m(&[d, init, n]),
                    Instr::TableFill { i, v, n, .. } => m(&[i, v, n]),
                    Instr::RefFunc { d, .. } => m(&[d]),
                    Instr::RefIsNull { d, a } => m(&[d, a]),
                    Instr::RefAsNonNull { a } => m(&[a]),
                    Instr::BrOnNull { r, .. } | Instr::BrOnNonNull { r, .. } => m(&[r]),
                    Instr::ThrowRef { r } => m(&[r]),
                    Instr::Simd { op, d, a, b, c } => match op.shape() {
                        SimdShape::Zero => m(&[d]),
                        SimdShape::Unary
                        | SimdShape::Splat
                        | SimdShape::Test
                        | SimdShape::Extract
                        | SimdShape::Copy => m(&[d, a]),
                        SimdShape::Binary
                        | SimdShape::Shift
                        | SimdShape::Replace
                        | SimdShape::Shuffle => m(&[d, a, b]),
                        SimdShape::Ternary | SimdShape::Select => m(&[d, a, b, c]),
                    },
                    Instr::SimdX { op, v, s, .. } => match op.shape() {
                        SimdXShape::Const | SimdXShape::GlobalGet | SimdXShape::GlobalSet => {
                            m(&[v])
                        }
                        SimdXShape::Load
                        | SimdXShape::LoadLane
                        | SimdXShape::Store
                        | SimdXShape::StoreLane => m(&[v, s]),
                    },
                }
            }

            /// Applies `f` to every frame slot the instruction names, a call's `base`
            /// included.
            pub fn map_slots(&mut self, mut f: impl FnMut(Slot) -> Slot) {
                let mut m = |slots: &mut [&mut Slot]| {
                    for s in slots {
                        **s = f(**s);
                    }
                };
                match self {
                    $( Instr::$b32 { d, a, b } => m(&mut [d, a, b]), Instr::$b32i { d, a, .. } => m(&mut [d, a]), )*
                    $( Instr::$b64 { d, a, b } => m(&mut [d, a, b]), Instr::$b64i { d, a, .. } => m(&mut [d, a]), )*
                    $( Instr::$bt { d, a, b } => m(&mut [d, a, b]), )*
                    $( Instr::$bf { d, a, b } => m(&mut [d, a, b]), )*
                    $( Instr::$u { d, a } => m(&mut [d, a]), )*
                    $( Instr::$ut { d, a } => m(&mut [d, a]), )*
                    $( Instr::$l { d, p, .. } => m(&mut [d, p]), )*
                    $( Instr::$s { p, v, .. } => m(&mut [p, v]), )*
                    $( Instr::$la { d, p, q, .. } => m(&mut [d, p, q]), )*
                    $( Instr::$ff { d, a, b, c } => m(&mut [d, a, b, c]), )*
                    $( Instr::$sa { p, q, v, .. } => m(&mut [p, q, v]), )*
                    $( Instr::$c32 { a, b, .. } => m(&mut [a, b]), Instr::$c32i { a, .. } => m(&mut [a]), )*
                    $( Instr::$c64 { a, b, .. } => m(&mut [a, b]), Instr::$c64i { a, .. } => m(&mut [a]), )*
                    $( Instr::$cf { a, b, .. } | Instr::$cfn { a, b, .. } => m(&mut [a, b]), )*
                    Instr::Trap { .. }
                    | Instr::Unsupported { .. }
                    | Instr::Br { .. }
                    | Instr::ConsumeFuel { .. }
                    | Instr::Return0
                    | Instr::DataDrop { .. }
                    | Instr::ElemDrop { .. } => {}
                    Instr::BrIfZ { c, .. } | Instr::BrIfNz { c, .. } => m(&mut [c]),
                    Instr::BrTable { index, .. } => m(&mut [index]),
                    Instr::Return1 { s } | Instr::ReturnN { s, .. } => m(&mut [s]),
                    Instr::Call { base, .. } | Instr::ReturnCall { base, .. } => m(&mut [base]),
                    Instr::CallIndirect { base, index, .. }
                    | Instr::ReturnCallIndirect { base, index, .. } => m(&mut [base, index]),
                    Instr::CallRef { base, r } | Instr::ReturnCallRef { base, r } => m(&mut [base, r]),
                    Instr::Copy { d, s } => m(&mut [d, s]),
                    Instr::Const32 { d, .. } | Instr::Const64 { d, .. } => m(&mut [d]),
                    Instr::Select { d, c, a, b } => m(&mut [d, c, a, b]),
                    // `d + 1` goes with `d`: the lowering writes both to stack slots, which
                    // no mapping separates.
                    Instr::I64Add128 { d, a_lo, a_hi, b_lo, b_hi }
                    | Instr::I64Sub128 { d, a_lo, a_hi, b_lo, b_hi } => {
                        m(&mut [d, a_lo, a_hi, b_lo, b_hi])
                    }
                    Instr::I64MulWideS { d, a, b } | Instr::I64MulWideU { d, a, b } => {
                        m(&mut [d, a, b])
                    }
                    // `v + 1`, where read, goes with `v`: both are stack slots.
                    Instr::Atomic { d, p, v, .. } => m(&mut [d, p, v]),
                    Instr::AtomicFence => {}
                    Instr::GlobalGet { d, .. } => m(&mut [d]),
                    Instr::GlobalSet { s, .. } => m(&mut [s]),
                    Instr::LoadAt { d, p, .. } => m(&mut [d, p]),
                    Instr::StoreAt { p, v, .. } => m(&mut [p, v]),
                    Instr::MemorySize { d, .. } => m(&mut [d]),
                    Instr::MemoryGrow { d, delta, .. } => m(&mut [d, delta]),
                    Instr::MemoryFill { dst, val, n, .. } => m(&mut [dst, val, n]),
                    Instr::MemoryCopy { dst, src, n, .. }
                    | Instr::MemoryInit { dst, src, n, .. }
                    | Instr::TableCopy { dst, src, n, .. }
                    | Instr::TableInit { dst, src, n, .. } => m(&mut [dst, src, n]),
                    Instr::TableGet { d, i, .. } => m(&mut [d, i]),
                    Instr::TableSet { i, v, .. } => m(&mut [i, v]),
                    Instr::TableSize { d, .. } => m(&mut [d]),
                    Instr::TableGrow { d, init, n, .. } => m(&mut [d, init, n]),
                    Instr::TableFill { i, v, n, .. } => m(&mut [i, v, n]),
                    Instr::RefFunc { d, .. } => m(&mut [d]),
                    Instr::RefIsNull { d, a } => m(&mut [d, a]),
                    Instr::RefAsNonNull { a } => m(&mut [a]),
                    Instr::BrOnNull { r, .. } | Instr::BrOnNonNull { r, .. } => m(&mut [r]),
                    Instr::Throw { base, .. } => m(&mut [base]),
                    Instr::ThrowRef { r } => m(&mut [r]),
                    Instr::Simd { op, d, a, b, c } => match op.shape() {
                        SimdShape::Zero => m(&mut [d]),
                        SimdShape::Unary
                        | SimdShape::Splat
                        | SimdShape::Test
                        | SimdShape::Extract
                        | SimdShape::Copy => m(&mut [d, a]),
                        SimdShape::Binary
                        | SimdShape::Shift
                        | SimdShape::Replace
                        | SimdShape::Shuffle => m(&mut [d, a, b]),
                        SimdShape::Ternary | SimdShape::Select => m(&mut [d, a, b, c]),
                    },
                    Instr::SimdX { op, v, s, .. } => match op.shape() {
                        SimdXShape::Const | SimdXShape::GlobalGet | SimdXShape::GlobalSet => {
                            m(&mut [v])
                        }
                        SimdXShape::Load
                        | SimdXShape::LoadLane
                        | SimdXShape::Store
                        | SimdXShape::StoreLane => m(&mut [v, s]),
                    },
                }
            }

            /// Whether execution never continues with the next instruction (a return, an
            /// unconditional branch, a tail call or a trap).
            pub fn is_terminator(&self) -> bool {
                matches!(
                    self,
                    Instr::Trap { .. }
                        | Instr::Unsupported { .. }
                        | Instr::Br { .. }
                        | Instr::Return0
                        | Instr::Return1 { .. }
                        | Instr::ReturnN { .. }
                        | Instr::ReturnCall { .. }
                        | Instr::ReturnCallIndirect { .. }
                        | Instr::ReturnCallRef { .. }
                        | Instr::Throw { .. }
                        | Instr::ThrowRef { .. }
                )
            }

            /// For an integer comparison writing `d`: the opposite comparison writing `d`
            /// (`i32.eqz` of a comparison's result becomes that comparison negated).
            pub fn negated_compare(&self) -> Option<Instr> {
                let d = match *self {
                    $( Instr::$c32o { d, .. } | Instr::$c32oi { d, .. } => d, )*
                    $( Instr::$c64o { d, .. } | Instr::$c64oi { d, .. } => d, )*
                    _ => return None,
                };
                Some(match self.fused_branch(true)? {
                    $(
                        Instr::$c32 { a, b, .. } => Instr::$c32o { d, a, b },
                        Instr::$c32i { a, imm, .. } => Instr::$c32oi { d, a, imm },
                    )*
                    $(
                        Instr::$c64 { a, b, .. } => Instr::$c64o { d, a, b },
                        Instr::$c64i { a, imm, .. } => Instr::$c64oi { d, a, imm },
                    )*
                    _ => return None,
                })
            }

            /// `second` (a binary operator writing `d`) reading the result of `first` (the
            /// instruction before it) as one of its operands, as one instruction, if the ISA
            /// has it (`fused_float`). `first`'s result must be dead afterwards.
            pub fn fuse_binary(first: &Instr, second: &Instr) -> Option<Instr> {
                match (*first, *second) {
                    $(
                        (Instr::$ffo1 { d: t, a, b }, Instr::$ffo2 { d, a: x, b: y })
                            if x == t && y != t => Some(Instr::$ff { d, a, b, c: y }),
                        (Instr::$ffo1 { d: t, a, b }, Instr::$ffo2 { d, a: x, b: y })
                            if y == t && x != t => Some(Instr::$ff { d, a, b, c: x }),
                    )*
                    _ => None,
                }
            }

            /// Whether this is a float comparison (which fuses with a branch).
            pub fn is_float_compare(&self) -> bool {
                matches!(self, $( Instr::$cfo { .. } )|*)
            }

            /// For a conditional branch: the branch on the negated condition, with the same
            /// operands and offset.
            pub fn negated_branch(&self) -> Option<Instr> {
                Some(match *self {
                    $(
                        Instr::$c32 { a, b, offset } => Instr::$c32n { a, b, offset },
                        Instr::$c32i { a, imm, offset } => Instr::$c32ni { a, imm, offset },
                    )*
                    $(
                        Instr::$c64 { a, b, offset } => Instr::$c64n { a, b, offset },
                        Instr::$c64i { a, imm, offset } => Instr::$c64ni { a, imm, offset },
                    )*
                    $(
                        Instr::$cf { a, b, offset } => Instr::$cfn { a, b, offset },
                        Instr::$cfn { a, b, offset } => Instr::$cf { a, b, offset },
                    )*
                    Instr::BrIfZ { c, offset } => Instr::BrIfNz { c, offset },
                    Instr::BrIfNz { c, offset } => Instr::BrIfZ { c, offset },
                    Instr::BrOnNull { r, offset } => Instr::BrOnNonNull { r, offset },
                    Instr::BrOnNonNull { r, offset } => Instr::BrOnNull { r, offset },
                    _ => return None,
                })
            }

            /// The branch offset of a branching instruction.
            pub fn offset_mut(&mut self) -> Option<&mut i32> {
                match self {
                    $( Instr::$c32 { offset, .. } | Instr::$c32i { offset, .. } => Some(offset), )*
                    $( Instr::$c64 { offset, .. } | Instr::$c64i { offset, .. } => Some(offset), )*
                    $( Instr::$cf { offset, .. } | Instr::$cfn { offset, .. } => Some(offset), )*
                    Instr::Br { offset }
                    | Instr::BrIfZ { offset, .. }
                    | Instr::BrIfNz { offset, .. }
                    | Instr::BrOnNull { offset, .. }
                    | Instr::BrOnNonNull { offset, .. } => Some(offset),
                    _ => None,
                }
            }
        }
    };
}

with_isa!(define_instr);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_are_twelve_bytes() {
        assert_eq!(std::mem::size_of::<Instr>(), 12);
    }
}
