//! The one table of operators, and the operator reader generated from it.
//!
//! [`for_each_operator!`] lists every operator once: proposal, variant name and immediates,
//! prefix byte (0 for none) and opcode, visitor name, and text-format name. The decoder expands
//! it into [`Operator`], [`OPERATORS`] and the dispatch of [`OperatorsReader::read`]; later
//! stages expand it into their visitors.
//!
//! Immediates are read in the order their fields are listed, each through [`FromReader`].
//! List-like immediates ([`BrTable`], [`Catches`], [`SelectTypes`]) borrow the body's bytes;
//! nothing is allocated per operator.

mod immediates;
mod locals;
#[cfg(test)]
mod tests;

pub use immediates::*;
pub use locals::LocalsReader;

use crate::reader::BinaryReader;
use crate::{DecodeError, Result};

/// Calls `$m!` with the list of every operator. Each entry has the form
///
/// ```text
/// @proposal VariantName { immediate: Type, ... } = prefix, opcode => visit_name "text.name"
/// ```
///
/// where `prefix` is `0x00` for single-byte opcodes and `0xFB`..`0xFE` for prefixed ones
/// (whose `opcode` is then the LEB128 `u32` after the prefix). Immediates are listed in
/// encoding order; their types are paths (`$crate::MemArg`, `u32`, ...), and list-like ones
/// borrow the input with the lifetime `'a`, so an expansion must have `'a` in scope
/// (as `Operator<'a>` does).
///
/// Proposals: `mvp`, `sign_extension`, `saturating_float_to_int`, `bulk_memory`,
/// `reference_types`, `tail_call`, `function_references`, `gc`, `exceptions`,
/// `legacy_exceptions`, `simd`, `relaxed_simd`, `threads`, `wide_arithmetic`,
/// `custom_descriptors`. (Multi-value, memory64 and multi-memory add no opcodes: they
/// change block types and [`MemArg`].)
///
/// Two entries may share a text name when the binary format splits one text instruction
/// (`ref.test` / `ref.test null`, `select` / `select t*`); variant and visitor names are unique.
#[macro_export]
macro_rules! for_each_operator {
    ($m:ident) => {
        $m! {
            @mvp Unreachable = 0x00, 0x00 => visit_unreachable "unreachable"
            @mvp Nop = 0x00, 0x01 => visit_nop "nop"
            @mvp Block { blockty: $crate::BlockType } = 0x00, 0x02 => visit_block "block"
            @mvp Loop { blockty: $crate::BlockType } = 0x00, 0x03 => visit_loop "loop"
            @mvp If { blockty: $crate::BlockType } = 0x00, 0x04 => visit_if "if"
            @mvp Else = 0x00, 0x05 => visit_else "else"
            @legacy_exceptions Try { blockty: $crate::BlockType } = 0x00, 0x06 => visit_try "try"
            @legacy_exceptions Catch { tag_index: u32 } = 0x00, 0x07 => visit_catch "catch"
            @exceptions Throw { tag_index: u32 } = 0x00, 0x08 => visit_throw "throw"
            @legacy_exceptions Rethrow { relative_depth: u32 } = 0x00, 0x09 => visit_rethrow "rethrow"
            @exceptions ThrowRef = 0x00, 0x0A => visit_throw_ref "throw_ref"
            @mvp End = 0x00, 0x0B => visit_end "end"
            @mvp Br { relative_depth: u32 } = 0x00, 0x0C => visit_br "br"
            @mvp BrIf { relative_depth: u32 } = 0x00, 0x0D => visit_br_if "br_if"
            @mvp BrTable { targets: $crate::BrTable<'a> } = 0x00, 0x0E => visit_br_table "br_table"
            @mvp Return = 0x00, 0x0F => visit_return "return"
            @mvp Call { function_index: u32 } = 0x00, 0x10 => visit_call "call"
            @mvp CallIndirect { type_index: u32, table_index: u32 } = 0x00, 0x11 => visit_call_indirect "call_indirect"
            @tail_call ReturnCall { function_index: u32 } = 0x00, 0x12 => visit_return_call "return_call"
            @tail_call ReturnCallIndirect { type_index: u32, table_index: u32 } = 0x00, 0x13 => visit_return_call_indirect "return_call_indirect"
            @function_references CallRef { type_index: u32 } = 0x00, 0x14 => visit_call_ref "call_ref"
            @function_references ReturnCallRef { type_index: u32 } = 0x00, 0x15 => visit_return_call_ref "return_call_ref"
            @legacy_exceptions Delegate { relative_depth: u32 } = 0x00, 0x18 => visit_delegate "delegate"
            @legacy_exceptions CatchAll = 0x00, 0x19 => visit_catch_all "catch_all"
            @mvp Drop = 0x00, 0x1A => visit_drop "drop"
            @mvp Select = 0x00, 0x1B => visit_select "select"
            @reference_types TypedSelect { types: $crate::SelectTypes<'a> } = 0x00, 0x1C => visit_typed_select "select"
            @exceptions TryTable { blockty: $crate::BlockType, catches: $crate::Catches<'a> } = 0x00, 0x1F => visit_try_table "try_table"
            @mvp LocalGet { local_index: u32 } = 0x00, 0x20 => visit_local_get "local.get"
            @mvp LocalSet { local_index: u32 } = 0x00, 0x21 => visit_local_set "local.set"
            @mvp LocalTee { local_index: u32 } = 0x00, 0x22 => visit_local_tee "local.tee"
            @mvp GlobalGet { global_index: u32 } = 0x00, 0x23 => visit_global_get "global.get"
            @mvp GlobalSet { global_index: u32 } = 0x00, 0x24 => visit_global_set "global.set"
            @reference_types TableGet { table_index: u32 } = 0x00, 0x25 => visit_table_get "table.get"
            @reference_types TableSet { table_index: u32 } = 0x00, 0x26 => visit_table_set "table.set"
            @mvp I32Load { memarg: $crate::MemArg } = 0x00, 0x28 => visit_i32_load "i32.load"
            @mvp I64Load { memarg: $crate::MemArg } = 0x00, 0x29 => visit_i64_load "i64.load"
            @mvp F32Load { memarg: $crate::MemArg } = 0x00, 0x2A => visit_f32_load "f32.load"
            @mvp F64Load { memarg: $crate::MemArg } = 0x00, 0x2B => visit_f64_load "f64.load"
            @mvp I32Load8S { memarg: $crate::MemArg } = 0x00, 0x2C => visit_i32_load8_s "i32.load8_s"
            @mvp I32Load8U { memarg: $crate::MemArg } = 0x00, 0x2D => visit_i32_load8_u "i32.load8_u"
            @mvp I32Load16S { memarg: $crate::MemArg } = 0x00, 0x2E => visit_i32_load16_s "i32.load16_s"
            @mvp I32Load16U { memarg: $crate::MemArg } = 0x00, 0x2F => visit_i32_load16_u "i32.load16_u"
            @mvp I64Load8S { memarg: $crate::MemArg } = 0x00, 0x30 => visit_i64_load8_s "i64.load8_s"
            @mvp I64Load8U { memarg: $crate::MemArg } = 0x00, 0x31 => visit_i64_load8_u "i64.load8_u"
            @mvp I64Load16S { memarg: $crate::MemArg } = 0x00, 0x32 => visit_i64_load16_s "i64.load16_s"
            @mvp I64Load16U { memarg: $crate::MemArg } = 0x00, 0x33 => visit_i64_load16_u "i64.load16_u"
            @mvp I64Load32S { memarg: $crate::MemArg } = 0x00, 0x34 => visit_i64_load32_s "i64.load32_s"
            @mvp I64Load32U { memarg: $crate::MemArg } = 0x00, 0x35 => visit_i64_load32_u "i64.load32_u"
            @mvp I32Store { memarg: $crate::MemArg } = 0x00, 0x36 => visit_i32_store "i32.store"
            @mvp I64Store { memarg: $crate::MemArg } = 0x00, 0x37 => visit_i64_store "i64.store"
            @mvp F32Store { memarg: $crate::MemArg } = 0x00, 0x38 => visit_f32_store "f32.store"
            @mvp F64Store { memarg: $crate::MemArg } = 0x00, 0x39 => visit_f64_store "f64.store"
            @mvp I32Store8 { memarg: $crate::MemArg } = 0x00, 0x3A => visit_i32_store8 "i32.store8"
            @mvp I32Store16 { memarg: $crate::MemArg } = 0x00, 0x3B => visit_i32_store16 "i32.store16"
            @mvp I64Store8 { memarg: $crate::MemArg } = 0x00, 0x3C => visit_i64_store8 "i64.store8"
            @mvp I64Store16 { memarg: $crate::MemArg } = 0x00, 0x3D => visit_i64_store16 "i64.store16"
            @mvp I64Store32 { memarg: $crate::MemArg } = 0x00, 0x3E => visit_i64_store32 "i64.store32"
            @mvp MemorySize { memory_index: u32 } = 0x00, 0x3F => visit_memory_size "memory.size"
            @mvp MemoryGrow { memory_index: u32 } = 0x00, 0x40 => visit_memory_grow "memory.grow"
            @mvp I32Const { value: i32 } = 0x00, 0x41 => visit_i32_const "i32.const"
            @mvp I64Const { value: i64 } = 0x00, 0x42 => visit_i64_const "i64.const"
            @mvp F32Const { value: $crate::Ieee32 } = 0x00, 0x43 => visit_f32_const "f32.const"
            @mvp F64Const { value: $crate::Ieee64 } = 0x00, 0x44 => visit_f64_const "f64.const"
            @mvp I32Eqz = 0x00, 0x45 => visit_i32_eqz "i32.eqz"
            @mvp I32Eq = 0x00, 0x46 => visit_i32_eq "i32.eq"
            @mvp I32Ne = 0x00, 0x47 => visit_i32_ne "i32.ne"
            @mvp I32LtS = 0x00, 0x48 => visit_i32_lt_s "i32.lt_s"
            @mvp I32LtU = 0x00, 0x49 => visit_i32_lt_u "i32.lt_u"
            @mvp I32GtS = 0x00, 0x4A => visit_i32_gt_s "i32.gt_s"
            @mvp I32GtU = 0x00, 0x4B => visit_i32_gt_u "i32.gt_u"
            @mvp I32LeS = 0x00, 0x4C => visit_i32_le_s "i32.le_s"
            @mvp I32LeU = 0x00, 0x4D => visit_i32_le_u "i32.le_u"
            @mvp I32GeS = 0x00, 0x4E => visit_i32_ge_s "i32.ge_s"
            @mvp I32GeU = 0x00, 0x4F => visit_i32_ge_u "i32.ge_u"
            @mvp I64Eqz = 0x00, 0x50 => visit_i64_eqz "i64.eqz"
            @mvp I64Eq = 0x00, 0x51 => visit_i64_eq "i64.eq"
            @mvp I64Ne = 0x00, 0x52 => visit_i64_ne "i64.ne"
            @mvp I64LtS = 0x00, 0x53 => visit_i64_lt_s "i64.lt_s"
            @mvp I64LtU = 0x00, 0x54 => visit_i64_lt_u "i64.lt_u"
            @mvp I64GtS = 0x00, 0x55 => visit_i64_gt_s "i64.gt_s"
            @mvp I64GtU = 0x00, 0x56 => visit_i64_gt_u "i64.gt_u"
            @mvp I64LeS = 0x00, 0x57 => visit_i64_le_s "i64.le_s"
            @mvp I64LeU = 0x00, 0x58 => visit_i64_le_u "i64.le_u"
            @mvp I64GeS = 0x00, 0x59 => visit_i64_ge_s "i64.ge_s"
            @mvp I64GeU = 0x00, 0x5A => visit_i64_ge_u "i64.ge_u"
            @mvp F32Eq = 0x00, 0x5B => visit_f32_eq "f32.eq"
            @mvp F32Ne = 0x00, 0x5C => visit_f32_ne "f32.ne"
            @mvp F32Lt = 0x00, 0x5D => visit_f32_lt "f32.lt"
            @mvp F32Gt = 0x00, 0x5E => visit_f32_gt "f32.gt"
            @mvp F32Le = 0x00, 0x5F => visit_f32_le "f32.le"
            @mvp F32Ge = 0x00, 0x60 => visit_f32_ge "f32.ge"
            @mvp F64Eq = 0x00, 0x61 => visit_f64_eq "f64.eq"
            @mvp F64Ne = 0x00, 0x62 => visit_f64_ne "f64.ne"
            @mvp F64Lt = 0x00, 0x63 => visit_f64_lt "f64.lt"
            @mvp F64Gt = 0x00, 0x64 => visit_f64_gt "f64.gt"
            @mvp F64Le = 0x00, 0x65 => visit_f64_le "f64.le"
            @mvp F64Ge = 0x00, 0x66 => visit_f64_ge "f64.ge"
            @mvp I32Clz = 0x00, 0x67 => visit_i32_clz "i32.clz"
            @mvp I32Ctz = 0x00, 0x68 => visit_i32_ctz "i32.ctz"
            @mvp I32Popcnt = 0x00, 0x69 => visit_i32_popcnt "i32.popcnt"
            @mvp I32Add = 0x00, 0x6A => visit_i32_add "i32.add"
            @mvp I32Sub = 0x00, 0x6B => visit_i32_sub "i32.sub"
            @mvp I32Mul = 0x00, 0x6C => visit_i32_mul "i32.mul"
            @mvp I32DivS = 0x00, 0x6D => visit_i32_div_s "i32.div_s"
            @mvp I32DivU = 0x00, 0x6E => visit_i32_div_u "i32.div_u"
            @mvp I32RemS = 0x00, 0x6F => visit_i32_rem_s "i32.rem_s"
            @mvp I32RemU = 0x00, 0x70 => visit_i32_rem_u "i32.rem_u"
            @mvp I32And = 0x00, 0x71 => visit_i32_and "i32.and"
            @mvp I32Or = 0x00, 0x72 => visit_i32_or "i32.or"
            @mvp I32Xor = 0x00, 0x73 => visit_i32_xor "i32.xor"
            @mvp I32Shl = 0x00, 0x74 => visit_i32_shl "i32.shl"
            @mvp I32ShrS = 0x00, 0x75 => visit_i32_shr_s "i32.shr_s"
            @mvp I32ShrU = 0x00, 0x76 => visit_i32_shr_u "i32.shr_u"
            @mvp I32Rotl = 0x00, 0x77 => visit_i32_rotl "i32.rotl"
            @mvp I32Rotr = 0x00, 0x78 => visit_i32_rotr "i32.rotr"
            @mvp I64Clz = 0x00, 0x79 => visit_i64_clz "i64.clz"
            @mvp I64Ctz = 0x00, 0x7A => visit_i64_ctz "i64.ctz"
            @mvp I64Popcnt = 0x00, 0x7B => visit_i64_popcnt "i64.popcnt"
            @mvp I64Add = 0x00, 0x7C => visit_i64_add "i64.add"
            @mvp I64Sub = 0x00, 0x7D => visit_i64_sub "i64.sub"
            @mvp I64Mul = 0x00, 0x7E => visit_i64_mul "i64.mul"
            @mvp I64DivS = 0x00, 0x7F => visit_i64_div_s "i64.div_s"
            @mvp I64DivU = 0x00, 0x80 => visit_i64_div_u "i64.div_u"
            @mvp I64RemS = 0x00, 0x81 => visit_i64_rem_s "i64.rem_s"
            @mvp I64RemU = 0x00, 0x82 => visit_i64_rem_u "i64.rem_u"
            @mvp I64And = 0x00, 0x83 => visit_i64_and "i64.and"
            @mvp I64Or = 0x00, 0x84 => visit_i64_or "i64.or"
            @mvp I64Xor = 0x00, 0x85 => visit_i64_xor "i64.xor"
            @mvp I64Shl = 0x00, 0x86 => visit_i64_shl "i64.shl"
            @mvp I64ShrS = 0x00, 0x87 => visit_i64_shr_s "i64.shr_s"
            @mvp I64ShrU = 0x00, 0x88 => visit_i64_shr_u "i64.shr_u"
            @mvp I64Rotl = 0x00, 0x89 => visit_i64_rotl "i64.rotl"
            @mvp I64Rotr = 0x00, 0x8A => visit_i64_rotr "i64.rotr"
            @mvp F32Abs = 0x00, 0x8B => visit_f32_abs "f32.abs"
            @mvp F32Neg = 0x00, 0x8C => visit_f32_neg "f32.neg"
            @mvp F32Ceil = 0x00, 0x8D => visit_f32_ceil "f32.ceil"
            @mvp F32Floor = 0x00, 0x8E => visit_f32_floor "f32.floor"
            @mvp F32Trunc = 0x00, 0x8F => visit_f32_trunc "f32.trunc"
            @mvp F32Nearest = 0x00, 0x90 => visit_f32_nearest "f32.nearest"
            @mvp F32Sqrt = 0x00, 0x91 => visit_f32_sqrt "f32.sqrt"
            @mvp F32Add = 0x00, 0x92 => visit_f32_add "f32.add"
            @mvp F32Sub = 0x00, 0x93 => visit_f32_sub "f32.sub"
            @mvp F32Mul = 0x00, 0x94 => visit_f32_mul "f32.mul"
            @mvp F32Div = 0x00, 0x95 => visit_f32_div "f32.div"
            @mvp F32Min = 0x00, 0x96 => visit_f32_min "f32.min"
            @mvp F32Max = 0x00, 0x97 => visit_f32_max "f32.max"
            @mvp F32Copysign = 0x00, 0x98 => visit_f32_copysign "f32.copysign"
            @mvp F64Abs = 0x00, 0x99 => visit_f64_abs "f64.abs"
            @mvp F64Neg = 0x00, 0x9A => visit_f64_neg "f64.neg"
            @mvp F64Ceil = 0x00, 0x9B => visit_f64_ceil "f64.ceil"
            @mvp F64Floor = 0x00, 0x9C => visit_f64_floor "f64.floor"
            @mvp F64Trunc = 0x00, 0x9D => visit_f64_trunc "f64.trunc"
            @mvp F64Nearest = 0x00, 0x9E => visit_f64_nearest "f64.nearest"
            @mvp F64Sqrt = 0x00, 0x9F => visit_f64_sqrt "f64.sqrt"
            @mvp F64Add = 0x00, 0xA0 => visit_f64_add "f64.add"
            @mvp F64Sub = 0x00, 0xA1 => visit_f64_sub "f64.sub"
            @mvp F64Mul = 0x00, 0xA2 => visit_f64_mul "f64.mul"
            @mvp F64Div = 0x00, 0xA3 => visit_f64_div "f64.div"
            @mvp F64Min = 0x00, 0xA4 => visit_f64_min "f64.min"
            @mvp F64Max = 0x00, 0xA5 => visit_f64_max "f64.max"
            @mvp F64Copysign = 0x00, 0xA6 => visit_f64_copysign "f64.copysign"
            @mvp I32WrapI64 = 0x00, 0xA7 => visit_i32_wrap_i64 "i32.wrap_i64"
            @mvp I32TruncF32S = 0x00, 0xA8 => visit_i32_trunc_f32_s "i32.trunc_f32_s"
            @mvp I32TruncF32U = 0x00, 0xA9 => visit_i32_trunc_f32_u "i32.trunc_f32_u"
            @mvp I32TruncF64S = 0x00, 0xAA => visit_i32_trunc_f64_s "i32.trunc_f64_s"
            @mvp I32TruncF64U = 0x00, 0xAB => visit_i32_trunc_f64_u "i32.trunc_f64_u"
            @mvp I64ExtendI32S = 0x00, 0xAC => visit_i64_extend_i32_s "i64.extend_i32_s"
            @mvp I64ExtendI32U = 0x00, 0xAD => visit_i64_extend_i32_u "i64.extend_i32_u"
            @mvp I64TruncF32S = 0x00, 0xAE => visit_i64_trunc_f32_s "i64.trunc_f32_s"
            @mvp I64TruncF32U = 0x00, 0xAF => visit_i64_trunc_f32_u "i64.trunc_f32_u"
            @mvp I64TruncF64S = 0x00, 0xB0 => visit_i64_trunc_f64_s "i64.trunc_f64_s"
            @mvp I64TruncF64U = 0x00, 0xB1 => visit_i64_trunc_f64_u "i64.trunc_f64_u"
            @mvp F32ConvertI32S = 0x00, 0xB2 => visit_f32_convert_i32_s "f32.convert_i32_s"
            @mvp F32ConvertI32U = 0x00, 0xB3 => visit_f32_convert_i32_u "f32.convert_i32_u"
            @mvp F32ConvertI64S = 0x00, 0xB4 => visit_f32_convert_i64_s "f32.convert_i64_s"
            @mvp F32ConvertI64U = 0x00, 0xB5 => visit_f32_convert_i64_u "f32.convert_i64_u"
            @mvp F32DemoteF64 = 0x00, 0xB6 => visit_f32_demote_f64 "f32.demote_f64"
            @mvp F64ConvertI32S = 0x00, 0xB7 => visit_f64_convert_i32_s "f64.convert_i32_s"
            @mvp F64ConvertI32U = 0x00, 0xB8 => visit_f64_convert_i32_u "f64.convert_i32_u"
            @mvp F64ConvertI64S = 0x00, 0xB9 => visit_f64_convert_i64_s "f64.convert_i64_s"
            @mvp F64ConvertI64U = 0x00, 0xBA => visit_f64_convert_i64_u "f64.convert_i64_u"
            @mvp F64PromoteF32 = 0x00, 0xBB => visit_f64_promote_f32 "f64.promote_f32"
            @mvp I32ReinterpretF32 = 0x00, 0xBC => visit_i32_reinterpret_f32 "i32.reinterpret_f32"
            @mvp I64ReinterpretF64 = 0x00, 0xBD => visit_i64_reinterpret_f64 "i64.reinterpret_f64"
            @mvp F32ReinterpretI32 = 0x00, 0xBE => visit_f32_reinterpret_i32 "f32.reinterpret_i32"
            @mvp F64ReinterpretI64 = 0x00, 0xBF => visit_f64_reinterpret_i64 "f64.reinterpret_i64"
            @sign_extension I32Extend8S = 0x00, 0xC0 => visit_i32_extend8_s "i32.extend8_s"
            @sign_extension I32Extend16S = 0x00, 0xC1 => visit_i32_extend16_s "i32.extend16_s"
            @sign_extension I64Extend8S = 0x00, 0xC2 => visit_i64_extend8_s "i64.extend8_s"
            @sign_extension I64Extend16S = 0x00, 0xC3 => visit_i64_extend16_s "i64.extend16_s"
            @sign_extension I64Extend32S = 0x00, 0xC4 => visit_i64_extend32_s "i64.extend32_s"
            @reference_types RefNull { heap_type: $crate::HeapType } = 0x00, 0xD0 => visit_ref_null "ref.null"
            @reference_types RefIsNull = 0x00, 0xD1 => visit_ref_is_null "ref.is_null"
            @reference_types RefFunc { function_index: u32 } = 0x00, 0xD2 => visit_ref_func "ref.func"
            @gc RefEq = 0x00, 0xD3 => visit_ref_eq "ref.eq"
            @function_references RefAsNonNull = 0x00, 0xD4 => visit_ref_as_non_null "ref.as_non_null"
            @function_references BrOnNull { relative_depth: u32 } = 0x00, 0xD5 => visit_br_on_null "br_on_null"
            @function_references BrOnNonNull { relative_depth: u32 } = 0x00, 0xD6 => visit_br_on_non_null "br_on_non_null"
            @gc StructNew { type_index: u32 } = 0xFB, 0x00 => visit_struct_new "struct.new"
            @gc StructNewDefault { type_index: u32 } = 0xFB, 0x01 => visit_struct_new_default "struct.new_default"
            @gc StructGet { type_index: u32, field_index: u32 } = 0xFB, 0x02 => visit_struct_get "struct.get"
            @gc StructGetS { type_index: u32, field_index: u32 } = 0xFB, 0x03 => visit_struct_get_s "struct.get_s"
            @gc StructGetU { type_index: u32, field_index: u32 } = 0xFB, 0x04 => visit_struct_get_u "struct.get_u"
            @gc StructSet { type_index: u32, field_index: u32 } = 0xFB, 0x05 => visit_struct_set "struct.set"
            @gc ArrayNew { type_index: u32 } = 0xFB, 0x06 => visit_array_new "array.new"
            @gc ArrayNewDefault { type_index: u32 } = 0xFB, 0x07 => visit_array_new_default "array.new_default"
            @gc ArrayNewFixed { type_index: u32, size: u32 } = 0xFB, 0x08 => visit_array_new_fixed "array.new_fixed"
            @gc ArrayNewData { type_index: u32, data_index: u32 } = 0xFB, 0x09 => visit_array_new_data "array.new_data"
            @gc ArrayNewElem { type_index: u32, elem_index: u32 } = 0xFB, 0x0A => visit_array_new_elem "array.new_elem"
            @gc ArrayGet { type_index: u32 } = 0xFB, 0x0B => visit_array_get "array.get"
            @gc ArrayGetS { type_index: u32 } = 0xFB, 0x0C => visit_array_get_s "array.get_s"
            @gc ArrayGetU { type_index: u32 } = 0xFB, 0x0D => visit_array_get_u "array.get_u"
            @gc ArraySet { type_index: u32 } = 0xFB, 0x0E => visit_array_set "array.set"
            @gc ArrayLen = 0xFB, 0x0F => visit_array_len "array.len"
            @gc ArrayFill { type_index: u32 } = 0xFB, 0x10 => visit_array_fill "array.fill"
            @gc ArrayCopy { dst_type_index: u32, src_type_index: u32 } = 0xFB, 0x11 => visit_array_copy "array.copy"
            @gc ArrayInitData { type_index: u32, data_index: u32 } = 0xFB, 0x12 => visit_array_init_data "array.init_data"
            @gc ArrayInitElem { type_index: u32, elem_index: u32 } = 0xFB, 0x13 => visit_array_init_elem "array.init_elem"
            @gc RefTestNonNull { heap_type: $crate::HeapType } = 0xFB, 0x14 => visit_ref_test_non_null "ref.test"
            @gc RefTestNullable { heap_type: $crate::HeapType } = 0xFB, 0x15 => visit_ref_test_nullable "ref.test"
            @gc RefCastNonNull { heap_type: $crate::HeapType } = 0xFB, 0x16 => visit_ref_cast_non_null "ref.cast"
            @gc RefCastNullable { heap_type: $crate::HeapType } = 0xFB, 0x17 => visit_ref_cast_nullable "ref.cast"
            @gc BrOnCast { flags: $crate::CastFlags, relative_depth: u32, from_heap_type: $crate::HeapType, to_heap_type: $crate::HeapType } = 0xFB, 0x18 => visit_br_on_cast "br_on_cast"
            @gc BrOnCastFail { flags: $crate::CastFlags, relative_depth: u32, from_heap_type: $crate::HeapType, to_heap_type: $crate::HeapType } = 0xFB, 0x19 => visit_br_on_cast_fail "br_on_cast_fail"
            @gc AnyConvertExtern = 0xFB, 0x1A => visit_any_convert_extern "any.convert_extern"
            @gc ExternConvertAny = 0xFB, 0x1B => visit_extern_convert_any "extern.convert_any"
            @gc RefI31 = 0xFB, 0x1C => visit_ref_i31 "ref.i31"
            @gc I31GetS = 0xFB, 0x1D => visit_i31_get_s "i31.get_s"
            @gc I31GetU = 0xFB, 0x1E => visit_i31_get_u "i31.get_u"
            @custom_descriptors StructNewDesc { type_index: u32 } = 0xFB, 0x20 => visit_struct_new_desc "struct.new_desc"
            @custom_descriptors StructNewDefaultDesc { type_index: u32 } = 0xFB, 0x21 => visit_struct_new_default_desc "struct.new_default_desc"
            @custom_descriptors RefGetDesc { type_index: u32 } = 0xFB, 0x22 => visit_ref_get_desc "ref.get_desc"
            @custom_descriptors RefCastDescEqNonNull { heap_type: $crate::HeapType } = 0xFB, 0x23 => visit_ref_cast_desc_eq_non_null "ref.cast_desc_eq"
            @custom_descriptors RefCastDescEqNullable { heap_type: $crate::HeapType } = 0xFB, 0x24 => visit_ref_cast_desc_eq_nullable "ref.cast_desc_eq"
            @custom_descriptors BrOnCastDescEq { flags: $crate::CastFlags, relative_depth: u32, from_heap_type: $crate::HeapType, to_heap_type: $crate::HeapType } = 0xFB, 0x25 => visit_br_on_cast_desc_eq "br_on_cast_desc_eq"
            @custom_descriptors BrOnCastDescEqFail { flags: $crate::CastFlags, relative_depth: u32, from_heap_type: $crate::HeapType, to_heap_type: $crate::HeapType } = 0xFB, 0x26 => visit_br_on_cast_desc_eq_fail "br_on_cast_desc_eq_fail"
            @saturating_float_to_int I32TruncSatF32S = 0xFC, 0x00 => visit_i32_trunc_sat_f32_s "i32.trunc_sat_f32_s"
            @saturating_float_to_int I32TruncSatF32U = 0xFC, 0x01 => visit_i32_trunc_sat_f32_u "i32.trunc_sat_f32_u"
            @saturating_float_to_int I32TruncSatF64S = 0xFC, 0x02 => visit_i32_trunc_sat_f64_s "i32.trunc_sat_f64_s"
            @saturating_float_to_int I32TruncSatF64U = 0xFC, 0x03 => visit_i32_trunc_sat_f64_u "i32.trunc_sat_f64_u"
            @saturating_float_to_int I64TruncSatF32S = 0xFC, 0x04 => visit_i64_trunc_sat_f32_s "i64.trunc_sat_f32_s"
            @saturating_float_to_int I64TruncSatF32U = 0xFC, 0x05 => visit_i64_trunc_sat_f32_u "i64.trunc_sat_f32_u"
            @saturating_float_to_int I64TruncSatF64S = 0xFC, 0x06 => visit_i64_trunc_sat_f64_s "i64.trunc_sat_f64_s"
            @saturating_float_to_int I64TruncSatF64U = 0xFC, 0x07 => visit_i64_trunc_sat_f64_u "i64.trunc_sat_f64_u"
            @bulk_memory MemoryInit { data_index: u32, memory_index: u32 } = 0xFC, 0x08 => visit_memory_init "memory.init"
            @bulk_memory DataDrop { data_index: u32 } = 0xFC, 0x09 => visit_data_drop "data.drop"
            @bulk_memory MemoryCopy { dst_memory: u32, src_memory: u32 } = 0xFC, 0x0A => visit_memory_copy "memory.copy"
            @bulk_memory MemoryFill { memory_index: u32 } = 0xFC, 0x0B => visit_memory_fill "memory.fill"
            @bulk_memory TableInit { elem_index: u32, table_index: u32 } = 0xFC, 0x0C => visit_table_init "table.init"
            @bulk_memory ElemDrop { elem_index: u32 } = 0xFC, 0x0D => visit_elem_drop "elem.drop"
            @bulk_memory TableCopy { dst_table: u32, src_table: u32 } = 0xFC, 0x0E => visit_table_copy "table.copy"
            @reference_types TableGrow { table_index: u32 } = 0xFC, 0x0F => visit_table_grow "table.grow"
            @reference_types TableSize { table_index: u32 } = 0xFC, 0x10 => visit_table_size "table.size"
            @reference_types TableFill { table_index: u32 } = 0xFC, 0x11 => visit_table_fill "table.fill"
            @wide_arithmetic I64Add128 = 0xFC, 0x13 => visit_i64_add128 "i64.add128"
            @wide_arithmetic I64Sub128 = 0xFC, 0x14 => visit_i64_sub128 "i64.sub128"
            @wide_arithmetic I64MulWideS = 0xFC, 0x15 => visit_i64_mul_wide_s "i64.mul_wide_s"
            @wide_arithmetic I64MulWideU = 0xFC, 0x16 => visit_i64_mul_wide_u "i64.mul_wide_u"
            @simd V128Load { memarg: $crate::MemArg } = 0xFD, 0x00 => visit_v128_load "v128.load"
            @simd V128Load8x8S { memarg: $crate::MemArg } = 0xFD, 0x01 => visit_v128_load8x8_s "v128.load8x8_s"
            @simd V128Load8x8U { memarg: $crate::MemArg } = 0xFD, 0x02 => visit_v128_load8x8_u "v128.load8x8_u"
            @simd V128Load16x4S { memarg: $crate::MemArg } = 0xFD, 0x03 => visit_v128_load16x4_s "v128.load16x4_s"
            @simd V128Load16x4U { memarg: $crate::MemArg } = 0xFD, 0x04 => visit_v128_load16x4_u "v128.load16x4_u"
            @simd V128Load32x2S { memarg: $crate::MemArg } = 0xFD, 0x05 => visit_v128_load32x2_s "v128.load32x2_s"
            @simd V128Load32x2U { memarg: $crate::MemArg } = 0xFD, 0x06 => visit_v128_load32x2_u "v128.load32x2_u"
            @simd V128Load8Splat { memarg: $crate::MemArg } = 0xFD, 0x07 => visit_v128_load8_splat "v128.load8_splat"
            @simd V128Load16Splat { memarg: $crate::MemArg } = 0xFD, 0x08 => visit_v128_load16_splat "v128.load16_splat"
            @simd V128Load32Splat { memarg: $crate::MemArg } = 0xFD, 0x09 => visit_v128_load32_splat "v128.load32_splat"
            @simd V128Load64Splat { memarg: $crate::MemArg } = 0xFD, 0x0A => visit_v128_load64_splat "v128.load64_splat"
            @simd V128Store { memarg: $crate::MemArg } = 0xFD, 0x0B => visit_v128_store "v128.store"
            @simd V128Const { value: $crate::V128 } = 0xFD, 0x0C => visit_v128_const "v128.const"
            @simd I8x16Shuffle { lanes: [u8; 16] } = 0xFD, 0x0D => visit_i8x16_shuffle "i8x16.shuffle"
            @simd I8x16Swizzle = 0xFD, 0x0E => visit_i8x16_swizzle "i8x16.swizzle"
            @simd I8x16Splat = 0xFD, 0x0F => visit_i8x16_splat "i8x16.splat"
            @simd I16x8Splat = 0xFD, 0x10 => visit_i16x8_splat "i16x8.splat"
            @simd I32x4Splat = 0xFD, 0x11 => visit_i32x4_splat "i32x4.splat"
            @simd I64x2Splat = 0xFD, 0x12 => visit_i64x2_splat "i64x2.splat"
            @simd F32x4Splat = 0xFD, 0x13 => visit_f32x4_splat "f32x4.splat"
            @simd F64x2Splat = 0xFD, 0x14 => visit_f64x2_splat "f64x2.splat"
            @simd I8x16ExtractLaneS { lane: u8 } = 0xFD, 0x15 => visit_i8x16_extract_lane_s "i8x16.extract_lane_s"
            @simd I8x16ExtractLaneU { lane: u8 } = 0xFD, 0x16 => visit_i8x16_extract_lane_u "i8x16.extract_lane_u"
            @simd I8x16ReplaceLane { lane: u8 } = 0xFD, 0x17 => visit_i8x16_replace_lane "i8x16.replace_lane"
            @simd I16x8ExtractLaneS { lane: u8 } = 0xFD, 0x18 => visit_i16x8_extract_lane_s "i16x8.extract_lane_s"
            @simd I16x8ExtractLaneU { lane: u8 } = 0xFD, 0x19 => visit_i16x8_extract_lane_u "i16x8.extract_lane_u"
            @simd I16x8ReplaceLane { lane: u8 } = 0xFD, 0x1A => visit_i16x8_replace_lane "i16x8.replace_lane"
            @simd I32x4ExtractLane { lane: u8 } = 0xFD, 0x1B => visit_i32x4_extract_lane "i32x4.extract_lane"
            @simd I32x4ReplaceLane { lane: u8 } = 0xFD, 0x1C => visit_i32x4_replace_lane "i32x4.replace_lane"
            @simd I64x2ExtractLane { lane: u8 } = 0xFD, 0x1D => visit_i64x2_extract_lane "i64x2.extract_lane"
            @simd I64x2ReplaceLane { lane: u8 } = 0xFD, 0x1E => visit_i64x2_replace_lane "i64x2.replace_lane"
            @simd F32x4ExtractLane { lane: u8 } = 0xFD, 0x1F => visit_f32x4_extract_lane "f32x4.extract_lane"
            @simd F32x4ReplaceLane { lane: u8 } = 0xFD, 0x20 => visit_f32x4_replace_lane "f32x4.replace_lane"
            @simd F64x2ExtractLane { lane: u8 } = 0xFD, 0x21 => visit_f64x2_extract_lane "f64x2.extract_lane"
            @simd F64x2ReplaceLane { lane: u8 } = 0xFD, 0x22 => visit_f64x2_replace_lane "f64x2.replace_lane"
            @simd I8x16Eq = 0xFD, 0x23 => visit_i8x16_eq "i8x16.eq"
            @simd I8x16Ne = 0xFD, 0x24 => visit_i8x16_ne "i8x16.ne"
            @simd I8x16LtS = 0xFD, 0x25 => visit_i8x16_lt_s "i8x16.lt_s"
            @simd I8x16LtU = 0xFD, 0x26 => visit_i8x16_lt_u "i8x16.lt_u"
            @simd I8x16GtS = 0xFD, 0x27 => visit_i8x16_gt_s "i8x16.gt_s"
            @simd I8x16GtU = 0xFD, 0x28 => visit_i8x16_gt_u "i8x16.gt_u"
            @simd I8x16LeS = 0xFD, 0x29 => visit_i8x16_le_s "i8x16.le_s"
            @simd I8x16LeU = 0xFD, 0x2A => visit_i8x16_le_u "i8x16.le_u"
            @simd I8x16GeS = 0xFD, 0x2B => visit_i8x16_ge_s "i8x16.ge_s"
            @simd I8x16GeU = 0xFD, 0x2C => visit_i8x16_ge_u "i8x16.ge_u"
            @simd I16x8Eq = 0xFD, 0x2D => visit_i16x8_eq "i16x8.eq"
            @simd I16x8Ne = 0xFD, 0x2E => visit_i16x8_ne "i16x8.ne"
            @simd I16x8LtS = 0xFD, 0x2F => visit_i16x8_lt_s "i16x8.lt_s"
            @simd I16x8LtU = 0xFD, 0x30 => visit_i16x8_lt_u "i16x8.lt_u"
            @simd I16x8GtS = 0xFD, 0x31 => visit_i16x8_gt_s "i16x8.gt_s"
            @simd I16x8GtU = 0xFD, 0x32 => visit_i16x8_gt_u "i16x8.gt_u"
            @simd I16x8LeS = 0xFD, 0x33 => visit_i16x8_le_s "i16x8.le_s"
            @simd I16x8LeU = 0xFD, 0x34 => visit_i16x8_le_u "i16x8.le_u"
            @simd I16x8GeS = 0xFD, 0x35 => visit_i16x8_ge_s "i16x8.ge_s"
            @simd I16x8GeU = 0xFD, 0x36 => visit_i16x8_ge_u "i16x8.ge_u"
            @simd I32x4Eq = 0xFD, 0x37 => visit_i32x4_eq "i32x4.eq"
            @simd I32x4Ne = 0xFD, 0x38 => visit_i32x4_ne "i32x4.ne"
            @simd I32x4LtS = 0xFD, 0x39 => visit_i32x4_lt_s "i32x4.lt_s"
            @simd I32x4LtU = 0xFD, 0x3A => visit_i32x4_lt_u "i32x4.lt_u"
            @simd I32x4GtS = 0xFD, 0x3B => visit_i32x4_gt_s "i32x4.gt_s"
            @simd I32x4GtU = 0xFD, 0x3C => visit_i32x4_gt_u "i32x4.gt_u"
            @simd I32x4LeS = 0xFD, 0x3D => visit_i32x4_le_s "i32x4.le_s"
            @simd I32x4LeU = 0xFD, 0x3E => visit_i32x4_le_u "i32x4.le_u"
            @simd I32x4GeS = 0xFD, 0x3F => visit_i32x4_ge_s "i32x4.ge_s"
            @simd I32x4GeU = 0xFD, 0x40 => visit_i32x4_ge_u "i32x4.ge_u"
            @simd F32x4Eq = 0xFD, 0x41 => visit_f32x4_eq "f32x4.eq"
            @simd F32x4Ne = 0xFD, 0x42 => visit_f32x4_ne "f32x4.ne"
            @simd F32x4Lt = 0xFD, 0x43 => visit_f32x4_lt "f32x4.lt"
            @simd F32x4Gt = 0xFD, 0x44 => visit_f32x4_gt "f32x4.gt"
            @simd F32x4Le = 0xFD, 0x45 => visit_f32x4_le "f32x4.le"
            @simd F32x4Ge = 0xFD, 0x46 => visit_f32x4_ge "f32x4.ge"
            @simd F64x2Eq = 0xFD, 0x47 => visit_f64x2_eq "f64x2.eq"
            @simd F64x2Ne = 0xFD, 0x48 => visit_f64x2_ne "f64x2.ne"
            @simd F64x2Lt = 0xFD, 0x49 => visit_f64x2_lt "f64x2.lt"
            @simd F64x2Gt = 0xFD, 0x4A => visit_f64x2_gt "f64x2.gt"
            @simd F64x2Le = 0xFD, 0x4B => visit_f64x2_le "f64x2.le"
            @simd F64x2Ge = 0xFD, 0x4C => visit_f64x2_ge "f64x2.ge"
            @simd V128Not = 0xFD, 0x4D => visit_v128_not "v128.not"
            @simd V128And = 0xFD, 0x4E => visit_v128_and "v128.and"
            @simd V128Andnot = 0xFD, 0x4F => visit_v128_andnot "v128.andnot"
            @simd V128Or = 0xFD, 0x50 => visit_v128_or "v128.or"
            @simd V128Xor = 0xFD, 0x51 => visit_v128_xor "v128.xor"
            @simd V128Bitselect = 0xFD, 0x52 => visit_v128_bitselect "v128.bitselect"
            @simd V128AnyTrue = 0xFD, 0x53 => visit_v128_any_true "v128.any_true"
            @simd V128Load8Lane { memarg: $crate::MemArg, lane: u8 } = 0xFD, 0x54 => visit_v128_load8_lane "v128.load8_lane"
            @simd V128Load16Lane { memarg: $crate::MemArg, lane: u8 } = 0xFD, 0x55 => visit_v128_load16_lane "v128.load16_lane"
            @simd V128Load32Lane { memarg: $crate::MemArg, lane: u8 } = 0xFD, 0x56 => visit_v128_load32_lane "v128.load32_lane"
            @simd V128Load64Lane { memarg: $crate::MemArg, lane: u8 } = 0xFD, 0x57 => visit_v128_load64_lane "v128.load64_lane"
            @simd V128Store8Lane { memarg: $crate::MemArg, lane: u8 } = 0xFD, 0x58 => visit_v128_store8_lane "v128.store8_lane"
            @simd V128Store16Lane { memarg: $crate::MemArg, lane: u8 } = 0xFD, 0x59 => visit_v128_store16_lane "v128.store16_lane"
            @simd V128Store32Lane { memarg: $crate::MemArg, lane: u8 } = 0xFD, 0x5A => visit_v128_store32_lane "v128.store32_lane"
            @simd V128Store64Lane { memarg: $crate::MemArg, lane: u8 } = 0xFD, 0x5B => visit_v128_store64_lane "v128.store64_lane"
            @simd V128Load32Zero { memarg: $crate::MemArg } = 0xFD, 0x5C => visit_v128_load32_zero "v128.load32_zero"
            @simd V128Load64Zero { memarg: $crate::MemArg } = 0xFD, 0x5D => visit_v128_load64_zero "v128.load64_zero"
            @simd F32x4DemoteF64x2Zero = 0xFD, 0x5E => visit_f32x4_demote_f64x2_zero "f32x4.demote_f64x2_zero"
            @simd F64x2PromoteLowF32x4 = 0xFD, 0x5F => visit_f64x2_promote_low_f32x4 "f64x2.promote_low_f32x4"
            @simd I8x16Abs = 0xFD, 0x60 => visit_i8x16_abs "i8x16.abs"
            @simd I8x16Neg = 0xFD, 0x61 => visit_i8x16_neg "i8x16.neg"
            @simd I8x16Popcnt = 0xFD, 0x62 => visit_i8x16_popcnt "i8x16.popcnt"
            @simd I8x16AllTrue = 0xFD, 0x63 => visit_i8x16_all_true "i8x16.all_true"
            @simd I8x16Bitmask = 0xFD, 0x64 => visit_i8x16_bitmask "i8x16.bitmask"
            @simd I8x16NarrowI16x8S = 0xFD, 0x65 => visit_i8x16_narrow_i16x8_s "i8x16.narrow_i16x8_s"
            @simd I8x16NarrowI16x8U = 0xFD, 0x66 => visit_i8x16_narrow_i16x8_u "i8x16.narrow_i16x8_u"
            @simd F32x4Ceil = 0xFD, 0x67 => visit_f32x4_ceil "f32x4.ceil"
            @simd F32x4Floor = 0xFD, 0x68 => visit_f32x4_floor "f32x4.floor"
            @simd F32x4Trunc = 0xFD, 0x69 => visit_f32x4_trunc "f32x4.trunc"
            @simd F32x4Nearest = 0xFD, 0x6A => visit_f32x4_nearest "f32x4.nearest"
            @simd I8x16Shl = 0xFD, 0x6B => visit_i8x16_shl "i8x16.shl"
            @simd I8x16ShrS = 0xFD, 0x6C => visit_i8x16_shr_s "i8x16.shr_s"
            @simd I8x16ShrU = 0xFD, 0x6D => visit_i8x16_shr_u "i8x16.shr_u"
            @simd I8x16Add = 0xFD, 0x6E => visit_i8x16_add "i8x16.add"
            @simd I8x16AddSatS = 0xFD, 0x6F => visit_i8x16_add_sat_s "i8x16.add_sat_s"
            @simd I8x16AddSatU = 0xFD, 0x70 => visit_i8x16_add_sat_u "i8x16.add_sat_u"
            @simd I8x16Sub = 0xFD, 0x71 => visit_i8x16_sub "i8x16.sub"
            @simd I8x16SubSatS = 0xFD, 0x72 => visit_i8x16_sub_sat_s "i8x16.sub_sat_s"
            @simd I8x16SubSatU = 0xFD, 0x73 => visit_i8x16_sub_sat_u "i8x16.sub_sat_u"
            @simd F64x2Ceil = 0xFD, 0x74 => visit_f64x2_ceil "f64x2.ceil"
            @simd F64x2Floor = 0xFD, 0x75 => visit_f64x2_floor "f64x2.floor"
            @simd I8x16MinS = 0xFD, 0x76 => visit_i8x16_min_s "i8x16.min_s"
            @simd I8x16MinU = 0xFD, 0x77 => visit_i8x16_min_u "i8x16.min_u"
            @simd I8x16MaxS = 0xFD, 0x78 => visit_i8x16_max_s "i8x16.max_s"
            @simd I8x16MaxU = 0xFD, 0x79 => visit_i8x16_max_u "i8x16.max_u"
            @simd F64x2Trunc = 0xFD, 0x7A => visit_f64x2_trunc "f64x2.trunc"
            @simd I8x16AvgrU = 0xFD, 0x7B => visit_i8x16_avgr_u "i8x16.avgr_u"
            @simd I16x8ExtaddPairwiseI8x16S = 0xFD, 0x7C => visit_i16x8_extadd_pairwise_i8x16_s "i16x8.extadd_pairwise_i8x16_s"
            @simd I16x8ExtaddPairwiseI8x16U = 0xFD, 0x7D => visit_i16x8_extadd_pairwise_i8x16_u "i16x8.extadd_pairwise_i8x16_u"
            @simd I32x4ExtaddPairwiseI16x8S = 0xFD, 0x7E => visit_i32x4_extadd_pairwise_i16x8_s "i32x4.extadd_pairwise_i16x8_s"
            @simd I32x4ExtaddPairwiseI16x8U = 0xFD, 0x7F => visit_i32x4_extadd_pairwise_i16x8_u "i32x4.extadd_pairwise_i16x8_u"
            @simd I16x8Abs = 0xFD, 0x80 => visit_i16x8_abs "i16x8.abs"
            @simd I16x8Neg = 0xFD, 0x81 => visit_i16x8_neg "i16x8.neg"
            @simd I16x8Q15mulrSatS = 0xFD, 0x82 => visit_i16x8_q15mulr_sat_s "i16x8.q15mulr_sat_s"
            @simd I16x8AllTrue = 0xFD, 0x83 => visit_i16x8_all_true "i16x8.all_true"
            @simd I16x8Bitmask = 0xFD, 0x84 => visit_i16x8_bitmask "i16x8.bitmask"
            @simd I16x8NarrowI32x4S = 0xFD, 0x85 => visit_i16x8_narrow_i32x4_s "i16x8.narrow_i32x4_s"
            @simd I16x8NarrowI32x4U = 0xFD, 0x86 => visit_i16x8_narrow_i32x4_u "i16x8.narrow_i32x4_u"
            @simd I16x8ExtendLowI8x16S = 0xFD, 0x87 => visit_i16x8_extend_low_i8x16_s "i16x8.extend_low_i8x16_s"
            @simd I16x8ExtendHighI8x16S = 0xFD, 0x88 => visit_i16x8_extend_high_i8x16_s "i16x8.extend_high_i8x16_s"
            @simd I16x8ExtendLowI8x16U = 0xFD, 0x89 => visit_i16x8_extend_low_i8x16_u "i16x8.extend_low_i8x16_u"
            @simd I16x8ExtendHighI8x16U = 0xFD, 0x8A => visit_i16x8_extend_high_i8x16_u "i16x8.extend_high_i8x16_u"
            @simd I16x8Shl = 0xFD, 0x8B => visit_i16x8_shl "i16x8.shl"
            @simd I16x8ShrS = 0xFD, 0x8C => visit_i16x8_shr_s "i16x8.shr_s"
            @simd I16x8ShrU = 0xFD, 0x8D => visit_i16x8_shr_u "i16x8.shr_u"
            @simd I16x8Add = 0xFD, 0x8E => visit_i16x8_add "i16x8.add"
            @simd I16x8AddSatS = 0xFD, 0x8F => visit_i16x8_add_sat_s "i16x8.add_sat_s"
            @simd I16x8AddSatU = 0xFD, 0x90 => visit_i16x8_add_sat_u "i16x8.add_sat_u"
            @simd I16x8Sub = 0xFD, 0x91 => visit_i16x8_sub "i16x8.sub"
            @simd I16x8SubSatS = 0xFD, 0x92 => visit_i16x8_sub_sat_s "i16x8.sub_sat_s"
            @simd I16x8SubSatU = 0xFD, 0x93 => visit_i16x8_sub_sat_u "i16x8.sub_sat_u"
            @simd F64x2Nearest = 0xFD, 0x94 => visit_f64x2_nearest "f64x2.nearest"
            @simd I16x8Mul = 0xFD, 0x95 => visit_i16x8_mul "i16x8.mul"
            @simd I16x8MinS = 0xFD, 0x96 => visit_i16x8_min_s "i16x8.min_s"
            @simd I16x8MinU = 0xFD, 0x97 => visit_i16x8_min_u "i16x8.min_u"
            @simd I16x8MaxS = 0xFD, 0x98 => visit_i16x8_max_s "i16x8.max_s"
            @simd I16x8MaxU = 0xFD, 0x99 => visit_i16x8_max_u "i16x8.max_u"
            @simd I16x8AvgrU = 0xFD, 0x9B => visit_i16x8_avgr_u "i16x8.avgr_u"
            @simd I16x8ExtmulLowI8x16S = 0xFD, 0x9C => visit_i16x8_extmul_low_i8x16_s "i16x8.extmul_low_i8x16_s"
            @simd I16x8ExtmulHighI8x16S = 0xFD, 0x9D => visit_i16x8_extmul_high_i8x16_s "i16x8.extmul_high_i8x16_s"
            @simd I16x8ExtmulLowI8x16U = 0xFD, 0x9E => visit_i16x8_extmul_low_i8x16_u "i16x8.extmul_low_i8x16_u"
            @simd I16x8ExtmulHighI8x16U = 0xFD, 0x9F => visit_i16x8_extmul_high_i8x16_u "i16x8.extmul_high_i8x16_u"
            @simd I32x4Abs = 0xFD, 0xA0 => visit_i32x4_abs "i32x4.abs"
            @simd I32x4Neg = 0xFD, 0xA1 => visit_i32x4_neg "i32x4.neg"
            @simd I32x4AllTrue = 0xFD, 0xA3 => visit_i32x4_all_true "i32x4.all_true"
            @simd I32x4Bitmask = 0xFD, 0xA4 => visit_i32x4_bitmask "i32x4.bitmask"
            @simd I32x4ExtendLowI16x8S = 0xFD, 0xA7 => visit_i32x4_extend_low_i16x8_s "i32x4.extend_low_i16x8_s"
            @simd I32x4ExtendHighI16x8S = 0xFD, 0xA8 => visit_i32x4_extend_high_i16x8_s "i32x4.extend_high_i16x8_s"
            @simd I32x4ExtendLowI16x8U = 0xFD, 0xA9 => visit_i32x4_extend_low_i16x8_u "i32x4.extend_low_i16x8_u"
            @simd I32x4ExtendHighI16x8U = 0xFD, 0xAA => visit_i32x4_extend_high_i16x8_u "i32x4.extend_high_i16x8_u"
            @simd I32x4Shl = 0xFD, 0xAB => visit_i32x4_shl "i32x4.shl"
            @simd I32x4ShrS = 0xFD, 0xAC => visit_i32x4_shr_s "i32x4.shr_s"
            @simd I32x4ShrU = 0xFD, 0xAD => visit_i32x4_shr_u "i32x4.shr_u"
            @simd I32x4Add = 0xFD, 0xAE => visit_i32x4_add "i32x4.add"
            @simd I32x4Sub = 0xFD, 0xB1 => visit_i32x4_sub "i32x4.sub"
            @simd I32x4Mul = 0xFD, 0xB5 => visit_i32x4_mul "i32x4.mul"
            @simd I32x4MinS = 0xFD, 0xB6 => visit_i32x4_min_s "i32x4.min_s"
            @simd I32x4MinU = 0xFD, 0xB7 => visit_i32x4_min_u "i32x4.min_u"
            @simd I32x4MaxS = 0xFD, 0xB8 => visit_i32x4_max_s "i32x4.max_s"
            @simd I32x4MaxU = 0xFD, 0xB9 => visit_i32x4_max_u "i32x4.max_u"
            @simd I32x4DotI16x8S = 0xFD, 0xBA => visit_i32x4_dot_i16x8_s "i32x4.dot_i16x8_s"
            @simd I32x4ExtmulLowI16x8S = 0xFD, 0xBC => visit_i32x4_extmul_low_i16x8_s "i32x4.extmul_low_i16x8_s"
            @simd I32x4ExtmulHighI16x8S = 0xFD, 0xBD => visit_i32x4_extmul_high_i16x8_s "i32x4.extmul_high_i16x8_s"
            @simd I32x4ExtmulLowI16x8U = 0xFD, 0xBE => visit_i32x4_extmul_low_i16x8_u "i32x4.extmul_low_i16x8_u"
            @simd I32x4ExtmulHighI16x8U = 0xFD, 0xBF => visit_i32x4_extmul_high_i16x8_u "i32x4.extmul_high_i16x8_u"
            @simd I64x2Abs = 0xFD, 0xC0 => visit_i64x2_abs "i64x2.abs"
            @simd I64x2Neg = 0xFD, 0xC1 => visit_i64x2_neg "i64x2.neg"
            @simd I64x2AllTrue = 0xFD, 0xC3 => visit_i64x2_all_true "i64x2.all_true"
            @simd I64x2Bitmask = 0xFD, 0xC4 => visit_i64x2_bitmask "i64x2.bitmask"
            @simd I64x2ExtendLowI32x4S = 0xFD, 0xC7 => visit_i64x2_extend_low_i32x4_s "i64x2.extend_low_i32x4_s"
            @simd I64x2ExtendHighI32x4S = 0xFD, 0xC8 => visit_i64x2_extend_high_i32x4_s "i64x2.extend_high_i32x4_s"
            @simd I64x2ExtendLowI32x4U = 0xFD, 0xC9 => visit_i64x2_extend_low_i32x4_u "i64x2.extend_low_i32x4_u"
            @simd I64x2ExtendHighI32x4U = 0xFD, 0xCA => visit_i64x2_extend_high_i32x4_u "i64x2.extend_high_i32x4_u"
            @simd I64x2Shl = 0xFD, 0xCB => visit_i64x2_shl "i64x2.shl"
            @simd I64x2ShrS = 0xFD, 0xCC => visit_i64x2_shr_s "i64x2.shr_s"
            @simd I64x2ShrU = 0xFD, 0xCD => visit_i64x2_shr_u "i64x2.shr_u"
            @simd I64x2Add = 0xFD, 0xCE => visit_i64x2_add "i64x2.add"
            @simd I64x2Sub = 0xFD, 0xD1 => visit_i64x2_sub "i64x2.sub"
            @simd I64x2Mul = 0xFD, 0xD5 => visit_i64x2_mul "i64x2.mul"
            @simd I64x2Eq = 0xFD, 0xD6 => visit_i64x2_eq "i64x2.eq"
            @simd I64x2Ne = 0xFD, 0xD7 => visit_i64x2_ne "i64x2.ne"
            @simd I64x2LtS = 0xFD, 0xD8 => visit_i64x2_lt_s "i64x2.lt_s"
            @simd I64x2GtS = 0xFD, 0xD9 => visit_i64x2_gt_s "i64x2.gt_s"
            @simd I64x2LeS = 0xFD, 0xDA => visit_i64x2_le_s "i64x2.le_s"
            @simd I64x2GeS = 0xFD, 0xDB => visit_i64x2_ge_s "i64x2.ge_s"
            @simd I64x2ExtmulLowI32x4S = 0xFD, 0xDC => visit_i64x2_extmul_low_i32x4_s "i64x2.extmul_low_i32x4_s"
            @simd I64x2ExtmulHighI32x4S = 0xFD, 0xDD => visit_i64x2_extmul_high_i32x4_s "i64x2.extmul_high_i32x4_s"
            @simd I64x2ExtmulLowI32x4U = 0xFD, 0xDE => visit_i64x2_extmul_low_i32x4_u "i64x2.extmul_low_i32x4_u"
            @simd I64x2ExtmulHighI32x4U = 0xFD, 0xDF => visit_i64x2_extmul_high_i32x4_u "i64x2.extmul_high_i32x4_u"
            @simd F32x4Abs = 0xFD, 0xE0 => visit_f32x4_abs "f32x4.abs"
            @simd F32x4Neg = 0xFD, 0xE1 => visit_f32x4_neg "f32x4.neg"
            @simd F32x4Sqrt = 0xFD, 0xE3 => visit_f32x4_sqrt "f32x4.sqrt"
            @simd F32x4Add = 0xFD, 0xE4 => visit_f32x4_add "f32x4.add"
            @simd F32x4Sub = 0xFD, 0xE5 => visit_f32x4_sub "f32x4.sub"
            @simd F32x4Mul = 0xFD, 0xE6 => visit_f32x4_mul "f32x4.mul"
            @simd F32x4Div = 0xFD, 0xE7 => visit_f32x4_div "f32x4.div"
            @simd F32x4Min = 0xFD, 0xE8 => visit_f32x4_min "f32x4.min"
            @simd F32x4Max = 0xFD, 0xE9 => visit_f32x4_max "f32x4.max"
            @simd F32x4Pmin = 0xFD, 0xEA => visit_f32x4_pmin "f32x4.pmin"
            @simd F32x4Pmax = 0xFD, 0xEB => visit_f32x4_pmax "f32x4.pmax"
            @simd F64x2Abs = 0xFD, 0xEC => visit_f64x2_abs "f64x2.abs"
            @simd F64x2Neg = 0xFD, 0xED => visit_f64x2_neg "f64x2.neg"
            @simd F64x2Sqrt = 0xFD, 0xEF => visit_f64x2_sqrt "f64x2.sqrt"
            @simd F64x2Add = 0xFD, 0xF0 => visit_f64x2_add "f64x2.add"
            @simd F64x2Sub = 0xFD, 0xF1 => visit_f64x2_sub "f64x2.sub"
            @simd F64x2Mul = 0xFD, 0xF2 => visit_f64x2_mul "f64x2.mul"
            @simd F64x2Div = 0xFD, 0xF3 => visit_f64x2_div "f64x2.div"
            @simd F64x2Min = 0xFD, 0xF4 => visit_f64x2_min "f64x2.min"
            @simd F64x2Max = 0xFD, 0xF5 => visit_f64x2_max "f64x2.max"
            @simd F64x2Pmin = 0xFD, 0xF6 => visit_f64x2_pmin "f64x2.pmin"
            @simd F64x2Pmax = 0xFD, 0xF7 => visit_f64x2_pmax "f64x2.pmax"
            @simd I32x4TruncSatF32x4S = 0xFD, 0xF8 => visit_i32x4_trunc_sat_f32x4_s "i32x4.trunc_sat_f32x4_s"
            @simd I32x4TruncSatF32x4U = 0xFD, 0xF9 => visit_i32x4_trunc_sat_f32x4_u "i32x4.trunc_sat_f32x4_u"
            @simd F32x4ConvertI32x4S = 0xFD, 0xFA => visit_f32x4_convert_i32x4_s "f32x4.convert_i32x4_s"
            @simd F32x4ConvertI32x4U = 0xFD, 0xFB => visit_f32x4_convert_i32x4_u "f32x4.convert_i32x4_u"
            @simd I32x4TruncSatF64x2SZero = 0xFD, 0xFC => visit_i32x4_trunc_sat_f64x2_s_zero "i32x4.trunc_sat_f64x2_s_zero"
            @simd I32x4TruncSatF64x2UZero = 0xFD, 0xFD => visit_i32x4_trunc_sat_f64x2_u_zero "i32x4.trunc_sat_f64x2_u_zero"
            @simd F64x2ConvertLowI32x4S = 0xFD, 0xFE => visit_f64x2_convert_low_i32x4_s "f64x2.convert_low_i32x4_s"
            @simd F64x2ConvertLowI32x4U = 0xFD, 0xFF => visit_f64x2_convert_low_i32x4_u "f64x2.convert_low_i32x4_u"
            @relaxed_simd I8x16RelaxedSwizzle = 0xFD, 0x100 => visit_i8x16_relaxed_swizzle "i8x16.relaxed_swizzle"
            @relaxed_simd I32x4RelaxedTruncF32x4S = 0xFD, 0x101 => visit_i32x4_relaxed_trunc_f32x4_s "i32x4.relaxed_trunc_f32x4_s"
            @relaxed_simd I32x4RelaxedTruncF32x4U = 0xFD, 0x102 => visit_i32x4_relaxed_trunc_f32x4_u "i32x4.relaxed_trunc_f32x4_u"
            @relaxed_simd I32x4RelaxedTruncF64x2SZero = 0xFD, 0x103 => visit_i32x4_relaxed_trunc_f64x2_s_zero "i32x4.relaxed_trunc_f64x2_s_zero"
            @relaxed_simd I32x4RelaxedTruncF64x2UZero = 0xFD, 0x104 => visit_i32x4_relaxed_trunc_f64x2_u_zero "i32x4.relaxed_trunc_f64x2_u_zero"
            @relaxed_simd F32x4RelaxedMadd = 0xFD, 0x105 => visit_f32x4_relaxed_madd "f32x4.relaxed_madd"
            @relaxed_simd F32x4RelaxedNmadd = 0xFD, 0x106 => visit_f32x4_relaxed_nmadd "f32x4.relaxed_nmadd"
            @relaxed_simd F64x2RelaxedMadd = 0xFD, 0x107 => visit_f64x2_relaxed_madd "f64x2.relaxed_madd"
            @relaxed_simd F64x2RelaxedNmadd = 0xFD, 0x108 => visit_f64x2_relaxed_nmadd "f64x2.relaxed_nmadd"
            @relaxed_simd I8x16RelaxedLaneselect = 0xFD, 0x109 => visit_i8x16_relaxed_laneselect "i8x16.relaxed_laneselect"
            @relaxed_simd I16x8RelaxedLaneselect = 0xFD, 0x10A => visit_i16x8_relaxed_laneselect "i16x8.relaxed_laneselect"
            @relaxed_simd I32x4RelaxedLaneselect = 0xFD, 0x10B => visit_i32x4_relaxed_laneselect "i32x4.relaxed_laneselect"
            @relaxed_simd I64x2RelaxedLaneselect = 0xFD, 0x10C => visit_i64x2_relaxed_laneselect "i64x2.relaxed_laneselect"
            @relaxed_simd F32x4RelaxedMin = 0xFD, 0x10D => visit_f32x4_relaxed_min "f32x4.relaxed_min"
            @relaxed_simd F32x4RelaxedMax = 0xFD, 0x10E => visit_f32x4_relaxed_max "f32x4.relaxed_max"
            @relaxed_simd F64x2RelaxedMin = 0xFD, 0x10F => visit_f64x2_relaxed_min "f64x2.relaxed_min"
            @relaxed_simd F64x2RelaxedMax = 0xFD, 0x110 => visit_f64x2_relaxed_max "f64x2.relaxed_max"
            @relaxed_simd I16x8RelaxedQ15mulrS = 0xFD, 0x111 => visit_i16x8_relaxed_q15mulr_s "i16x8.relaxed_q15mulr_s"
            @relaxed_simd I16x8RelaxedDotI8x16I7x16S = 0xFD, 0x112 => visit_i16x8_relaxed_dot_i8x16_i7x16_s "i16x8.relaxed_dot_i8x16_i7x16_s"
            @relaxed_simd I32x4RelaxedDotI8x16I7x16AddS = 0xFD, 0x113 => visit_i32x4_relaxed_dot_i8x16_i7x16_add_s "i32x4.relaxed_dot_i8x16_i7x16_add_s"
            @threads MemoryAtomicNotify { memarg: $crate::MemArg } = 0xFE, 0x00 => visit_memory_atomic_notify "memory.atomic.notify"
            @threads MemoryAtomicWait32 { memarg: $crate::MemArg } = 0xFE, 0x01 => visit_memory_atomic_wait32 "memory.atomic.wait32"
            @threads MemoryAtomicWait64 { memarg: $crate::MemArg } = 0xFE, 0x02 => visit_memory_atomic_wait64 "memory.atomic.wait64"
            @threads AtomicFence { reserved: $crate::ZeroByte } = 0xFE, 0x03 => visit_atomic_fence "atomic.fence"
            @threads I32AtomicLoad { memarg: $crate::MemArg } = 0xFE, 0x10 => visit_i32_atomic_load "i32.atomic.load"
            @threads I64AtomicLoad { memarg: $crate::MemArg } = 0xFE, 0x11 => visit_i64_atomic_load "i64.atomic.load"
            @threads I32AtomicLoad8U { memarg: $crate::MemArg } = 0xFE, 0x12 => visit_i32_atomic_load8_u "i32.atomic.load8_u"
            @threads I32AtomicLoad16U { memarg: $crate::MemArg } = 0xFE, 0x13 => visit_i32_atomic_load16_u "i32.atomic.load16_u"
            @threads I64AtomicLoad8U { memarg: $crate::MemArg } = 0xFE, 0x14 => visit_i64_atomic_load8_u "i64.atomic.load8_u"
            @threads I64AtomicLoad16U { memarg: $crate::MemArg } = 0xFE, 0x15 => visit_i64_atomic_load16_u "i64.atomic.load16_u"
            @threads I64AtomicLoad32U { memarg: $crate::MemArg } = 0xFE, 0x16 => visit_i64_atomic_load32_u "i64.atomic.load32_u"
            @threads I32AtomicStore { memarg: $crate::MemArg } = 0xFE, 0x17 => visit_i32_atomic_store "i32.atomic.store"
            @threads I64AtomicStore { memarg: $crate::MemArg } = 0xFE, 0x18 => visit_i64_atomic_store "i64.atomic.store"
            @threads I32AtomicStore8 { memarg: $crate::MemArg } = 0xFE, 0x19 => visit_i32_atomic_store8 "i32.atomic.store8"
            @threads I32AtomicStore16 { memarg: $crate::MemArg } = 0xFE, 0x1A => visit_i32_atomic_store16 "i32.atomic.store16"
            @threads I64AtomicStore8 { memarg: $crate::MemArg } = 0xFE, 0x1B => visit_i64_atomic_store8 "i64.atomic.store8"
            @threads I64AtomicStore16 { memarg: $crate::MemArg } = 0xFE, 0x1C => visit_i64_atomic_store16 "i64.atomic.store16"
            @threads I64AtomicStore32 { memarg: $crate::MemArg } = 0xFE, 0x1D => visit_i64_atomic_store32 "i64.atomic.store32"
            @threads I32AtomicRmwAdd { memarg: $crate::MemArg } = 0xFE, 0x1E => visit_i32_atomic_rmw_add "i32.atomic.rmw.add"
            @threads I64AtomicRmwAdd { memarg: $crate::MemArg } = 0xFE, 0x1F => visit_i64_atomic_rmw_add "i64.atomic.rmw.add"
            @threads I32AtomicRmw8AddU { memarg: $crate::MemArg } = 0xFE, 0x20 => visit_i32_atomic_rmw8_add_u "i32.atomic.rmw8.add_u"
            @threads I32AtomicRmw16AddU { memarg: $crate::MemArg } = 0xFE, 0x21 => visit_i32_atomic_rmw16_add_u "i32.atomic.rmw16.add_u"
            @threads I64AtomicRmw8AddU { memarg: $crate::MemArg } = 0xFE, 0x22 => visit_i64_atomic_rmw8_add_u "i64.atomic.rmw8.add_u"
            @threads I64AtomicRmw16AddU { memarg: $crate::MemArg } = 0xFE, 0x23 => visit_i64_atomic_rmw16_add_u "i64.atomic.rmw16.add_u"
            @threads I64AtomicRmw32AddU { memarg: $crate::MemArg } = 0xFE, 0x24 => visit_i64_atomic_rmw32_add_u "i64.atomic.rmw32.add_u"
            @threads I32AtomicRmwSub { memarg: $crate::MemArg } = 0xFE, 0x25 => visit_i32_atomic_rmw_sub "i32.atomic.rmw.sub"
            @threads I64AtomicRmwSub { memarg: $crate::MemArg } = 0xFE, 0x26 => visit_i64_atomic_rmw_sub "i64.atomic.rmw.sub"
            @threads I32AtomicRmw8SubU { memarg: $crate::MemArg } = 0xFE, 0x27 => visit_i32_atomic_rmw8_sub_u "i32.atomic.rmw8.sub_u"
            @threads I32AtomicRmw16SubU { memarg: $crate::MemArg } = 0xFE, 0x28 => visit_i32_atomic_rmw16_sub_u "i32.atomic.rmw16.sub_u"
            @threads I64AtomicRmw8SubU { memarg: $crate::MemArg } = 0xFE, 0x29 => visit_i64_atomic_rmw8_sub_u "i64.atomic.rmw8.sub_u"
            @threads I64AtomicRmw16SubU { memarg: $crate::MemArg } = 0xFE, 0x2A => visit_i64_atomic_rmw16_sub_u "i64.atomic.rmw16.sub_u"
            @threads I64AtomicRmw32SubU { memarg: $crate::MemArg } = 0xFE, 0x2B => visit_i64_atomic_rmw32_sub_u "i64.atomic.rmw32.sub_u"
            @threads I32AtomicRmwAnd { memarg: $crate::MemArg } = 0xFE, 0x2C => visit_i32_atomic_rmw_and "i32.atomic.rmw.and"
            @threads I64AtomicRmwAnd { memarg: $crate::MemArg } = 0xFE, 0x2D => visit_i64_atomic_rmw_and "i64.atomic.rmw.and"
            @threads I32AtomicRmw8AndU { memarg: $crate::MemArg } = 0xFE, 0x2E => visit_i32_atomic_rmw8_and_u "i32.atomic.rmw8.and_u"
            @threads I32AtomicRmw16AndU { memarg: $crate::MemArg } = 0xFE, 0x2F => visit_i32_atomic_rmw16_and_u "i32.atomic.rmw16.and_u"
            @threads I64AtomicRmw8AndU { memarg: $crate::MemArg } = 0xFE, 0x30 => visit_i64_atomic_rmw8_and_u "i64.atomic.rmw8.and_u"
            @threads I64AtomicRmw16AndU { memarg: $crate::MemArg } = 0xFE, 0x31 => visit_i64_atomic_rmw16_and_u "i64.atomic.rmw16.and_u"
            @threads I64AtomicRmw32AndU { memarg: $crate::MemArg } = 0xFE, 0x32 => visit_i64_atomic_rmw32_and_u "i64.atomic.rmw32.and_u"
            @threads I32AtomicRmwOr { memarg: $crate::MemArg } = 0xFE, 0x33 => visit_i32_atomic_rmw_or "i32.atomic.rmw.or"
            @threads I64AtomicRmwOr { memarg: $crate::MemArg } = 0xFE, 0x34 => visit_i64_atomic_rmw_or "i64.atomic.rmw.or"
            @threads I32AtomicRmw8OrU { memarg: $crate::MemArg } = 0xFE, 0x35 => visit_i32_atomic_rmw8_or_u "i32.atomic.rmw8.or_u"
            @threads I32AtomicRmw16OrU { memarg: $crate::MemArg } = 0xFE, 0x36 => visit_i32_atomic_rmw16_or_u "i32.atomic.rmw16.or_u"
            @threads I64AtomicRmw8OrU { memarg: $crate::MemArg } = 0xFE, 0x37 => visit_i64_atomic_rmw8_or_u "i64.atomic.rmw8.or_u"
            @threads I64AtomicRmw16OrU { memarg: $crate::MemArg } = 0xFE, 0x38 => visit_i64_atomic_rmw16_or_u "i64.atomic.rmw16.or_u"
            @threads I64AtomicRmw32OrU { memarg: $crate::MemArg } = 0xFE, 0x39 => visit_i64_atomic_rmw32_or_u "i64.atomic.rmw32.or_u"
            @threads I32AtomicRmwXor { memarg: $crate::MemArg } = 0xFE, 0x3A => visit_i32_atomic_rmw_xor "i32.atomic.rmw.xor"
            @threads I64AtomicRmwXor { memarg: $crate::MemArg } = 0xFE, 0x3B => visit_i64_atomic_rmw_xor "i64.atomic.rmw.xor"
            @threads I32AtomicRmw8XorU { memarg: $crate::MemArg } = 0xFE, 0x3C => visit_i32_atomic_rmw8_xor_u "i32.atomic.rmw8.xor_u"
            @threads I32AtomicRmw16XorU { memarg: $crate::MemArg } = 0xFE, 0x3D => visit_i32_atomic_rmw16_xor_u "i32.atomic.rmw16.xor_u"
            @threads I64AtomicRmw8XorU { memarg: $crate::MemArg } = 0xFE, 0x3E => visit_i64_atomic_rmw8_xor_u "i64.atomic.rmw8.xor_u"
            @threads I64AtomicRmw16XorU { memarg: $crate::MemArg } = 0xFE, 0x3F => visit_i64_atomic_rmw16_xor_u "i64.atomic.rmw16.xor_u"
            @threads I64AtomicRmw32XorU { memarg: $crate::MemArg } = 0xFE, 0x40 => visit_i64_atomic_rmw32_xor_u "i64.atomic.rmw32.xor_u"
            @threads I32AtomicRmwXchg { memarg: $crate::MemArg } = 0xFE, 0x41 => visit_i32_atomic_rmw_xchg "i32.atomic.rmw.xchg"
            @threads I64AtomicRmwXchg { memarg: $crate::MemArg } = 0xFE, 0x42 => visit_i64_atomic_rmw_xchg "i64.atomic.rmw.xchg"
            @threads I32AtomicRmw8XchgU { memarg: $crate::MemArg } = 0xFE, 0x43 => visit_i32_atomic_rmw8_xchg_u "i32.atomic.rmw8.xchg_u"
            @threads I32AtomicRmw16XchgU { memarg: $crate::MemArg } = 0xFE, 0x44 => visit_i32_atomic_rmw16_xchg_u "i32.atomic.rmw16.xchg_u"
            @threads I64AtomicRmw8XchgU { memarg: $crate::MemArg } = 0xFE, 0x45 => visit_i64_atomic_rmw8_xchg_u "i64.atomic.rmw8.xchg_u"
            @threads I64AtomicRmw16XchgU { memarg: $crate::MemArg } = 0xFE, 0x46 => visit_i64_atomic_rmw16_xchg_u "i64.atomic.rmw16.xchg_u"
            @threads I64AtomicRmw32XchgU { memarg: $crate::MemArg } = 0xFE, 0x47 => visit_i64_atomic_rmw32_xchg_u "i64.atomic.rmw32.xchg_u"
            @threads I32AtomicRmwCmpxchg { memarg: $crate::MemArg } = 0xFE, 0x48 => visit_i32_atomic_rmw_cmpxchg "i32.atomic.rmw.cmpxchg"
            @threads I64AtomicRmwCmpxchg { memarg: $crate::MemArg } = 0xFE, 0x49 => visit_i64_atomic_rmw_cmpxchg "i64.atomic.rmw.cmpxchg"
            @threads I32AtomicRmw8CmpxchgU { memarg: $crate::MemArg } = 0xFE, 0x4A => visit_i32_atomic_rmw8_cmpxchg_u "i32.atomic.rmw8.cmpxchg_u"
            @threads I32AtomicRmw16CmpxchgU { memarg: $crate::MemArg } = 0xFE, 0x4B => visit_i32_atomic_rmw16_cmpxchg_u "i32.atomic.rmw16.cmpxchg_u"
            @threads I64AtomicRmw8CmpxchgU { memarg: $crate::MemArg } = 0xFE, 0x4C => visit_i64_atomic_rmw8_cmpxchg_u "i64.atomic.rmw8.cmpxchg_u"
            @threads I64AtomicRmw16CmpxchgU { memarg: $crate::MemArg } = 0xFE, 0x4D => visit_i64_atomic_rmw16_cmpxchg_u "i64.atomic.rmw16.cmpxchg_u"
            @threads I64AtomicRmw32CmpxchgU { memarg: $crate::MemArg } = 0xFE, 0x4E => visit_i64_atomic_rmw32_cmpxchg_u "i64.atomic.rmw32.cmpxchg_u"
        }
    };
}

/// One row of the operator table, for tools and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperatorInfo {
    /// Text-format name ("i32.add").
    pub name: &'static str,
    /// `Operator` variant name ("I32Add").
    pub variant: &'static str,
    /// Visitor method name ("visit_i32_add").
    pub visit: &'static str,
    /// Proposal that introduced the operator ("mvp", "simd", ...).
    pub proposal: &'static str,
    /// Prefix byte, 0 for single-byte opcodes.
    pub prefix: u8,
    /// The opcode (after the prefix, if any).
    pub code: u32,
    /// Names of the immediates, in encoding order.
    pub immediates: &'static [&'static str],
}

macro_rules! define_operators {
    ($( @$proposal:ident $op:ident $({ $($field:ident : $ty:ty),* })?
        = $prefix:literal, $code:literal => $visit:ident $name:literal )*) => {
        /// One decoded operator with its immediates.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Operator<'a> {
            $(
                #[doc = concat!("`", $name, "` (", stringify!($prefix), " ", stringify!($code), ")")]
                $op $({ $($field: $ty),* })?,
            )*
        }

        /// Every row of [`for_each_operator!`], in table order.
        pub static OPERATORS: &[OperatorInfo] = &[
            $(
                OperatorInfo {
                    name: $name,
                    variant: stringify!($op),
                    visit: stringify!($visit),
                    proposal: stringify!($proposal),
                    prefix: $prefix,
                    code: $code,
                    immediates: &[$($(stringify!($field)),*)?],
                },
            )*
        ];

        impl Operator<'_> {
            /// The operator's row of the table.
            pub fn info(&self) -> &'static OperatorInfo {
                match self {
                    $(
                        Operator::$op { .. } => &OperatorInfo {
                            name: $name,
                            variant: stringify!($op),
                            visit: stringify!($visit),
                            proposal: stringify!($proposal),
                            prefix: $prefix,
                            code: $code,
                            immediates: &[$($(stringify!($field)),*)?],
                        },
                    )*
                }
            }

            /// The text-format name ("i32.add").
            #[inline]
            pub fn name(&self) -> &'static str {
                match self {
                    $( Operator::$op { .. } => $name, )*
                }
            }

            /// The prefix byte (0 for single-byte opcodes) and the opcode.
            #[inline]
            pub fn opcode(&self) -> (u8, u32) {
                match self {
                    $( Operator::$op { .. } => ($prefix, $code), )*
                }
            }
        }

        /// Reads the immediates of the operator with `prefix` (0 for none) and `code`; `at`
        /// is the module offset of the opcode, for errors.
        #[inline(always)]
        fn read_operator<'a>(
            reader: &mut BinaryReader<'a>,
            prefix: u8,
            code: u32,
            at: usize,
        ) -> Result<Operator<'a>> {
            Ok(match (prefix, code) {
                $(
                    ($prefix, $code) => Operator::$op $({
                        $($field: <$ty as FromReader<'a>>::from_reader(reader)?),*
                    })?,
                )*
                _ => return Err(illegal_opcode(at, prefix, code)),
            })
        }
    };
}

for_each_operator!(define_operators);

#[cold]
#[inline(never)]
fn illegal_opcode(at: usize, prefix: u8, code: u32) -> DecodeError {
    if prefix == 0 {
        DecodeError::new(at, format!("illegal opcode {code:02x}"))
    } else {
        DecodeError::new(at, format!("illegal opcode {prefix:02x} {code:02x}"))
    }
}

/// Message when a body or constant expression ends before its final `end`. The testsuite
/// expects "END opcode expected" or "unexpected end of section or function" depending on
/// what follows the body in the module, which a body reader cannot see; this has both.
pub const END_EXPECTED: &str = "END opcode expected (unexpected end of section or function)";

/// Message when bytes follow the final `end` of a function body. The spec interpreter
/// reports these as a "section size mismatch" of the body.
pub const OPERATORS_REMAINING: &str =
    "operators remaining after end of function (section size mismatch)";

/// How each single-byte opcode changes the control nesting depth: +1 for `block`, `loop`,
/// `if`, `try` and `try_table`; -1 (wrapping) for `end` and `delegate`.
static DEPTH_DELTA: [u32; 256] = {
    let mut t = [0u32; 256];
    t[0x02] = 1; // block
    t[0x03] = 1; // loop
    t[0x04] = 1; // if
    t[0x06] = 1; // try (legacy exceptions)
    t[0x1F] = 1; // try_table
    t[0x0B] = u32::MAX; // end
    t[0x18] = u32::MAX; // delegate (ends a legacy try)
    t
};

/// Reads the operators of a function body or constant expression.
///
/// It tracks the control nesting depth: 1 at the start (the body's or expression's own
/// block), +1 for `block`/`loop`/`if`/`try`/`try_table`, -1 for `end`/`delegate`. When the
/// depth reaches 0 the final `end` has been read ([`is_finished`](Self::is_finished)); reading
/// past it is an error, and [`finish`](Self::finish) checks that it was read and that no bytes
/// follow. Whether `else`, `catch` and `delegate` appear in the right kind of block is left to
/// the validator.
///
/// ```
/// # use rill_decoder::{BinaryReader, OperatorsReader, Operator};
/// // i32.const 42, end
/// let mut ops = OperatorsReader::new(BinaryReader::new(&[0x41, 0x2a, 0x0b], 0));
/// assert_eq!(ops.read().unwrap(), Operator::I32Const { value: 42 });
/// assert_eq!(ops.read().unwrap(), Operator::End);
/// assert!(ops.is_finished());
/// ops.finish().unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct OperatorsReader<'a> {
    reader: BinaryReader<'a>,
    depth: u32,
    has_data_count: bool,
}

impl<'a> OperatorsReader<'a> {
    /// Reads operators from `reader` (a constant expression, or a body without the data-count
    /// check) up to and including the final `end`.
    pub fn new(reader: BinaryReader<'a>) -> Self {
        OperatorsReader {
            reader,
            depth: 1,
            has_data_count: true,
        }
    }

    /// Reads the operators of a function body. Unless `has_data_count` (the module has a data
    /// count section), `memory.init` and `data.drop` are "data count section required".
    pub fn new_function_body(reader: BinaryReader<'a>, has_data_count: bool) -> Self {
        OperatorsReader {
            reader,
            depth: 1,
            has_data_count,
        }
    }

    /// The module offset of the next operator.
    #[inline]
    pub fn offset(&self) -> usize {
        self.reader.offset()
    }

    /// True when all bytes are read.
    #[inline]
    pub fn eof(&self) -> bool {
        self.reader.eof()
    }

    /// The control nesting depth: 1 before the first operator, 0 once the final `end` has
    /// been read.
    #[inline]
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Whether the final `end` has been read.
    #[inline]
    pub fn is_finished(&self) -> bool {
        self.depth == 0
    }

    /// The underlying byte reader, positioned after the last operator read.
    pub fn into_inner(self) -> BinaryReader<'a> {
        self.reader
    }

    /// Reads the next operator.
    ///
    /// Errors: running out of bytes before the final `end` ([`END_EXPECTED`] at an operator
    /// boundary, "unexpected end" inside one), reading after the final `end`, an illegal
    /// opcode, and malformed immediates.
    #[inline(always)]
    pub fn read(&mut self) -> Result<Operator<'a>> {
        if self.depth == 0 {
            return Err(self.remaining_error());
        }
        let at = self.reader.offset();
        let Ok(byte) = self.reader.read_u8() else {
            return Err(self.end_expected_error());
        };
        self.depth = self.depth.wrapping_add(DEPTH_DELTA[usize::from(byte)]);
        match byte {
            0xFB..=0xFE => self.read_prefixed(byte, at),
            _ => read_single(&mut self.reader, byte, at),
        }
    }

    #[inline(never)]
    fn read_prefixed(&mut self, prefix: u8, at: usize) -> Result<Operator<'a>> {
        let code = self.reader.read_var_u32()?;
        if prefix == 0xFC && (code == 0x08 || code == 0x09) && !self.has_data_count {
            return Err(DecodeError::new(at, "data count section required"));
        }
        read_operator(&mut self.reader, prefix, code, at)
    }

    /// Reads operators up to and including the final `end` (for constant expressions and
    /// for skipping a body). Does not check what follows; see [`finish`](Self::finish).
    pub fn skip_to_end(&mut self) -> Result<()> {
        while self.depth != 0 {
            self.read()?;
        }
        Ok(())
    }

    /// Checks that the final `end` has been read and that no bytes follow it.
    pub fn finish(&self) -> Result<()> {
        if self.depth != 0 {
            return Err(self.end_expected_error());
        }
        if !self.reader.eof() {
            return Err(self.remaining_error());
        }
        Ok(())
    }

    #[cold]
    fn end_expected_error(&self) -> DecodeError {
        DecodeError::new(self.reader.offset(), END_EXPECTED)
    }

    #[cold]
    fn remaining_error(&self) -> DecodeError {
        DecodeError::new(self.reader.offset(), OPERATORS_REMAINING)
    }
}

/// The single-byte opcodes: one jump table over `code`.
#[inline(always)]
fn read_single<'a>(reader: &mut BinaryReader<'a>, code: u8, at: usize) -> Result<Operator<'a>> {
    read_operator(reader, 0, u32::from(code), at)
}
