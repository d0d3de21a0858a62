//! The one table of operators, and the operator reader generated from it.
//!
//! [`for_each_operator!`] lists every operator once: proposal, variant name and immediates,
//! prefix byte (0 for none) and opcode, visitor name, and text-format name. The decoder expands
//! it into [`Operator`] and [`OperatorsReader`]; later stages expand it into their visitors.
//!
//! STUB: only a handful of operators so far; the full table is being written.

use crate::reader::BinaryReader;
use crate::types::{BlockType, ValType};
use crate::{DecodeError, Result};

/// Calls `$m!` with the list of every operator. Each entry has the form
///
/// ```text
/// @proposal VariantName { immediate: Type, ... } = prefix, opcode => visit_name "text.name"
/// ```
///
/// where `prefix` is `0x00` for single-byte opcodes and `0xFB`..`0xFE` for prefixed ones
/// (whose `opcode` is then the LEB128 `u32` after the prefix).
#[macro_export]
macro_rules! for_each_operator {
    ($m:ident) => {
        $m! {
            @mvp Unreachable = 0x00, 0x00 => visit_unreachable "unreachable"
            @mvp Nop = 0x00, 0x01 => visit_nop "nop"
            @mvp Block { blockty: BlockType } = 0x00, 0x02 => visit_block "block"
            @mvp Loop { blockty: BlockType } = 0x00, 0x03 => visit_loop "loop"
            @mvp End = 0x00, 0x0B => visit_end "end"
            @mvp Br { relative_depth: u32 } = 0x00, 0x0C => visit_br "br"
            @mvp LocalGet { local_index: u32 } = 0x00, 0x20 => visit_local_get "local.get"
            @mvp I32Const { value: i32 } = 0x00, 0x41 => visit_i32_const "i32.const"
            @mvp I64Const { value: i64 } = 0x00, 0x42 => visit_i64_const "i64.const"
            @mvp I32Add = 0x00, 0x6A => visit_i32_add "i32.add"
        }
    };
}

/// Reading an immediate from the binary format.
pub trait FromReader<'a>: Sized {
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self>;
}

impl<'a> FromReader<'a> for u32 {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_var_u32()
    }
}

impl<'a> FromReader<'a> for i32 {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_var_i32()
    }
}

impl<'a> FromReader<'a> for i64 {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_var_i64()
    }
}

impl<'a> FromReader<'a> for BlockType {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_block_type()
    }
}

impl<'a> FromReader<'a> for ValType {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_val_type()
    }
}

macro_rules! define_operators {
    ($( @$proposal:ident $op:ident $({ $($field:ident : $ty:ty),* })?
        = $prefix:literal, $code:literal => $visit:ident $name:literal )*) => {
        /// One decoded operator with its immediates.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Operator<'a> {
            $( $op $({ $($field: $ty),* })?, )*
            #[doc(hidden)]
            _Phantom(std::marker::PhantomData<&'a ()>),
        }

        impl Operator<'_> {
            /// The text-format name ("i32.add").
            pub fn name(&self) -> &'static str {
                match self {
                    $( Operator::$op { .. } => $name, )*
                    Operator::_Phantom(_) => unreachable!(),
                }
            }
        }

        /// Reads the immediates of the operator with `prefix` (0 for none) and `code`.
        #[inline]
        fn read_immediates<'a>(
            reader: &mut BinaryReader<'a>,
            prefix: u8,
            code: u32,
            at: usize,
        ) -> Result<Operator<'a>> {
            Ok(match (prefix, code) {
                $( ($prefix, $code) => Operator::$op $({ $($field: <$ty as FromReader<'a>>::from_reader(reader)?),* })?, )*
                _ => return Err(illegal_opcode(at, prefix, code)),
            })
        }
    };
}

for_each_operator!(define_operators);

#[cold]
fn illegal_opcode(at: usize, prefix: u8, code: u32) -> DecodeError {
    if prefix == 0 {
        DecodeError::new(at, format!("illegal opcode {code:#04x}"))
    } else {
        DecodeError::new(at, format!("illegal opcode {prefix:#04x} {code}"))
    }
}

/// Reads the operators of a function body or constant expression.
#[derive(Clone, Debug)]
pub struct OperatorsReader<'a> {
    reader: BinaryReader<'a>,
}

impl<'a> OperatorsReader<'a> {
    /// Reads operators from `reader` until the caller stops.
    pub fn new(reader: BinaryReader<'a>) -> Self {
        OperatorsReader { reader }
    }

    /// The module offset of the next operator.
    pub fn offset(&self) -> usize {
        self.reader.offset()
    }

    /// True when all bytes are read.
    pub fn eof(&self) -> bool {
        self.reader.eof()
    }

    /// The underlying byte reader, positioned after the last operator read.
    pub fn into_inner(self) -> BinaryReader<'a> {
        self.reader
    }

    /// Reads the next operator.
    #[inline]
    pub fn read(&mut self) -> Result<Operator<'a>> {
        let at = self.reader.offset();
        let byte = self.reader.read_u8()?;
        let (prefix, code) = match byte {
            0xFB..=0xFE => (byte, self.reader.read_var_u32()?),
            _ => (0, u32::from(byte)),
        };
        read_immediates(&mut self.reader, prefix, code, at)
    }
}
