//! The immediates of operators and how each is read ([`FromReader`]).
//!
//! Immediates that are lists (`br_table` targets, `try_table` catch clauses, the types of a
//! typed `select`) are checked once when the operator is read and then kept as the borrowed
//! bytes they were read from; iterating them decodes those bytes again, which cannot fail.
//! Nothing here allocates.

use std::fmt;

use crate::reader::BinaryReader;
use crate::types::{BlockType, HeapType, RefType, ValType};
use crate::{DecodeError, Result};

/// Reading an immediate from the binary format.
pub trait FromReader<'a>: Sized {
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self>;
}

impl<'a> FromReader<'a> for u32 {
    #[inline(always)]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_var_u32()
    }
}

impl<'a> FromReader<'a> for i32 {
    #[inline(always)]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_var_i32()
    }
}

impl<'a> FromReader<'a> for i64 {
    #[inline(always)]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_var_i64()
    }
}

/// A lane index: one raw byte (not LEB128). Range checks are the validator's.
impl<'a> FromReader<'a> for u8 {
    #[inline(always)]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_u8()
    }
}

/// The 16 lane indices of `i8x16.shuffle`, one raw byte each.
impl<'a> FromReader<'a> for [u8; 16] {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_v128()
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

impl<'a> FromReader<'a> for HeapType {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_heap_type()
    }
}

/// The bits of an `f32` constant (kept as bits so NaN payloads survive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Ieee32(pub u32);

impl Ieee32 {
    /// The raw bits.
    #[inline]
    pub fn bits(self) -> u32 {
        self.0
    }

    /// The value as an `f32`.
    #[inline]
    pub fn to_f32(self) -> f32 {
        f32::from_bits(self.0)
    }
}

impl<'a> FromReader<'a> for Ieee32 {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_f32_bits().map(Ieee32)
    }
}

/// The bits of an `f64` constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Ieee64(pub u64);

impl Ieee64 {
    /// The raw bits.
    #[inline]
    pub fn bits(self) -> u64 {
        self.0
    }

    /// The value as an `f64`.
    #[inline]
    pub fn to_f64(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl<'a> FromReader<'a> for Ieee64 {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_f64_bits().map(Ieee64)
    }
}

/// A `v128` constant: its 16 bytes in memory (little-endian) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct V128(pub [u8; 16]);

impl V128 {
    /// The bytes, lane 0 first.
    #[inline]
    pub fn bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The value as a little-endian `u128`.
    #[inline]
    pub fn to_u128(self) -> u128 {
        u128::from_le_bytes(self.0)
    }
}

impl<'a> FromReader<'a> for V128 {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        reader.read_v128().map(V128)
    }
}

/// The memory argument of a load, store or atomic operator.
///
/// Encoded as a flags `u32` (bits 0-5: log2 of the alignment; bit 6: a memory index
/// follows; anything at or above bit 7 is "malformed memop flags"), the memory index if bit 6
/// is set, and the offset as a `u64` (memory64; whether it fits a 32-bit memory is the
/// validator's check).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct MemArg {
    /// log2 of the alignment hint (0..=63 as decoded; the validator bounds it by the
    /// access's natural alignment).
    pub align: u32,
    /// The static offset.
    pub offset: u64,
    /// The memory index (0 unless flags bit 6 was set).
    pub memory: u32,
}

impl<'a> FromReader<'a> for MemArg {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        let at = reader.offset();
        let flags = reader.read_var_u32()?;
        if flags >= 0x80 {
            return Err(DecodeError::new(at, "malformed memop flags"));
        }
        let memory = if flags & 0x40 != 0 {
            reader.read_var_u32()?
        } else {
            0
        };
        let offset = reader.read_var_u64()?;
        Ok(MemArg {
            align: flags & 0x3F,
            offset,
            memory,
        })
    }
}

/// A reserved byte that must be zero (`atomic.fence`): "zero byte expected" otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ZeroByte;

impl<'a> FromReader<'a> for ZeroByte {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        let at = reader.offset();
        match reader.read_u8()? {
            0 => Ok(ZeroByte),
            _ => Err(DecodeError::new(at, "zero byte expected")),
        }
    }
}

/// The flags byte of `br_on_cast`, `br_on_cast_fail` and the custom-descriptors
/// `br_on_cast_desc_eq(_fail)`: bit 0 makes the source type nullable, bit 1 the target type.
/// Any other bit is "malformed br_on_cast flags".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CastFlags(u8);

impl CastFlags {
    /// Flags with the given nullability of the source and target types.
    pub fn new(from_nullable: bool, to_nullable: bool) -> Self {
        CastFlags(u8::from(from_nullable) | (u8::from(to_nullable) << 1))
    }

    /// The raw byte.
    #[inline]
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Whether the source (operand) type is nullable.
    #[inline]
    pub fn from_nullable(self) -> bool {
        self.0 & 1 != 0
    }

    /// Whether the target (cast) type is nullable.
    #[inline]
    pub fn to_nullable(self) -> bool {
        self.0 & 2 != 0
    }

    /// The source reference type, given the operator's `from_heap_type`.
    #[inline]
    pub fn from_type(self, heap: HeapType) -> RefType {
        RefType {
            nullable: self.from_nullable(),
            heap,
        }
    }

    /// The target reference type, given the operator's `to_heap_type`.
    #[inline]
    pub fn to_type(self, heap: HeapType) -> RefType {
        RefType {
            nullable: self.to_nullable(),
            heap,
        }
    }
}

impl<'a> FromReader<'a> for CastFlags {
    #[inline]
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        let at = reader.offset();
        let b = reader.read_u8()?;
        if b & !3 != 0 {
            return Err(DecodeError::new(at, "malformed br_on_cast flags"));
        }
        Ok(CastFlags(b))
    }
}

/// Decodes an unsigned LEB128 that has already been checked. No bounds or length checks:
/// only called on bytes a `BinaryReader` accepted.
#[inline]
fn decode_checked_u32(bytes: &[u8], pos: &mut usize) -> u32 {
    let mut result = 0u32;
    let mut shift = 0u32;
    while let Some(&b) = bytes.get(*pos) {
        *pos += 1;
        result |= u32::from(b & 0x7F).wrapping_shl(shift);
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    result
}

/// The bytes between two reader states.
fn consumed<'a>(before: &'a [u8], after: &BinaryReader<'a>) -> &'a [u8] {
    &before[..before.len() - after.bytes_remaining()]
}

/// The targets of `br_table`: a count (at most [`crate::limits::MAX_BR_TABLE_TARGETS`]),
/// the targets as borrowed bytes, and the default target.
///
/// ```
/// # use rill_decoder::{BinaryReader, OperatorsReader, Operator};
/// // br_table 1 2 0 (default 0), then end
/// let body = [0x0E, 0x02, 0x01, 0x02, 0x00, 0x0B];
/// let mut ops = OperatorsReader::new(BinaryReader::new(&body, 0));
/// let Operator::BrTable { targets } = ops.read().unwrap() else { panic!() };
/// assert_eq!(targets.len(), 2);
/// assert_eq!(targets.targets().collect::<Vec<_>>(), [1, 2]);
/// assert_eq!(targets.default(), 0);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct BrTable<'a> {
    bytes: &'a [u8],
    count: u32,
    default: u32,
}

impl<'a> BrTable<'a> {
    /// The number of targets, not counting the default.
    #[inline]
    pub fn len(&self) -> u32 {
        self.count
    }

    /// Whether there are no targets besides the default.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The default target (taken when the index is out of range).
    #[inline]
    pub fn default(&self) -> u32 {
        self.default
    }

    /// The targets in order, not including the default.
    #[inline]
    pub fn targets(&self) -> BrTableTargets<'a> {
        BrTableTargets {
            bytes: self.bytes,
            pos: 0,
            left: self.count,
        }
    }
}

impl fmt::Debug for BrTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrTable")
            .field("targets", &self.targets().collect::<Vec<_>>())
            .field("default", &self.default)
            .finish()
    }
}

impl<'a> FromReader<'a> for BrTable<'a> {
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        let count = reader.read_size(crate::limits::MAX_BR_TABLE_TARGETS, "br_table targets")?;
        let before = reader.remaining_slice();
        for _ in 0..count {
            reader.read_var_u32()?;
        }
        let bytes = consumed(before, reader);
        let default = reader.read_var_u32()?;
        Ok(BrTable {
            bytes,
            count,
            default,
        })
    }
}

/// Iterator over the targets of a [`BrTable`].
#[derive(Clone, Debug)]
pub struct BrTableTargets<'a> {
    bytes: &'a [u8],
    pos: usize,
    left: u32,
}

impl Iterator for BrTableTargets<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        Some(decode_checked_u32(self.bytes, &mut self.pos))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

impl ExactSizeIterator for BrTableTargets<'_> {}

/// One catch clause of `try_table`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Catch {
    /// `catch tag label` (0x00): branch with the exception's payload.
    One { tag: u32, label: u32 },
    /// `catch_ref tag label` (0x01): the payload and the `exnref`.
    OneRef { tag: u32, label: u32 },
    /// `catch_all label` (0x02).
    All { label: u32 },
    /// `catch_all_ref label` (0x03): the `exnref`.
    AllRef { label: u32 },
}

impl Catch {
    /// The branch target (relative depth).
    pub fn label(&self) -> u32 {
        match *self {
            Catch::One { label, .. }
            | Catch::OneRef { label, .. }
            | Catch::All { label }
            | Catch::AllRef { label } => label,
        }
    }

    /// The tag caught, if the clause names one.
    pub fn tag(&self) -> Option<u32> {
        match *self {
            Catch::One { tag, .. } | Catch::OneRef { tag, .. } => Some(tag),
            Catch::All { .. } | Catch::AllRef { .. } => None,
        }
    }
}

impl<'a> FromReader<'a> for Catch {
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        let at = reader.offset();
        Ok(match reader.read_u8()? {
            0x00 => Catch::One {
                tag: reader.read_var_u32()?,
                label: reader.read_var_u32()?,
            },
            0x01 => Catch::OneRef {
                tag: reader.read_var_u32()?,
                label: reader.read_var_u32()?,
            },
            0x02 => Catch::All {
                label: reader.read_var_u32()?,
            },
            0x03 => Catch::AllRef {
                label: reader.read_var_u32()?,
            },
            _ => return Err(DecodeError::new(at, "malformed catch clause")),
        })
    }
}

/// The catch clauses of `try_table`, as borrowed bytes (the clause count and the clauses).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Catches<'a> {
    bytes: &'a [u8],
}

impl<'a> Catches<'a> {
    /// The number of clauses.
    #[inline]
    pub fn len(&self) -> u32 {
        let mut pos = 0;
        decode_checked_u32(self.bytes, &mut pos)
    }

    /// Whether there are no clauses.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The clauses in order.
    #[inline]
    pub fn iter(&self) -> CatchesIter<'a> {
        let mut pos = 0;
        let left = decode_checked_u32(self.bytes, &mut pos);
        CatchesIter {
            reader: BinaryReader::new(&self.bytes[pos..], 0),
            left,
        }
    }
}

impl<'a> IntoIterator for Catches<'a> {
    type Item = Catch;
    type IntoIter = CatchesIter<'a>;
    fn into_iter(self) -> CatchesIter<'a> {
        self.iter()
    }
}

impl fmt::Debug for Catches<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> FromReader<'a> for Catches<'a> {
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        let before = reader.remaining_slice();
        let count = reader.read_var_u32()?;
        for _ in 0..count {
            Catch::from_reader(reader)?;
        }
        Ok(Catches {
            bytes: consumed(before, reader),
        })
    }
}

/// Iterator over [`Catches`].
#[derive(Clone, Debug)]
pub struct CatchesIter<'a> {
    reader: BinaryReader<'a>,
    left: u32,
}

impl Iterator for CatchesIter<'_> {
    type Item = Catch;

    fn next(&mut self) -> Option<Catch> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // The bytes were checked when the operator was read.
        Catch::from_reader(&mut self.reader).ok()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

impl ExactSizeIterator for CatchesIter<'_> {}

/// The value types of a typed `select` (0x1C), as borrowed bytes. Validation requires
/// exactly one; the binary format allows any number.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SelectTypes<'a> {
    bytes: &'a [u8],
    count: u32,
}

impl<'a> SelectTypes<'a> {
    /// The number of types.
    #[inline]
    pub fn len(&self) -> u32 {
        self.count
    }

    /// Whether the list is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The type, if there is exactly one (the only valid case).
    pub fn single(&self) -> Option<ValType> {
        if self.count == 1 {
            self.iter().next()
        } else {
            None
        }
    }

    /// The types in order.
    #[inline]
    pub fn iter(&self) -> SelectTypesIter<'a> {
        SelectTypesIter {
            reader: BinaryReader::new(self.bytes, 0),
            left: self.count,
        }
    }
}

impl<'a> IntoIterator for SelectTypes<'a> {
    type Item = ValType;
    type IntoIter = SelectTypesIter<'a>;
    fn into_iter(self) -> SelectTypesIter<'a> {
        self.iter()
    }
}

impl fmt::Debug for SelectTypes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> FromReader<'a> for SelectTypes<'a> {
    fn from_reader(reader: &mut BinaryReader<'a>) -> Result<Self> {
        let count = reader.read_var_u32()?;
        let before = reader.remaining_slice();
        for _ in 0..count {
            reader.read_val_type()?;
        }
        Ok(SelectTypes {
            bytes: consumed(before, reader),
            count,
        })
    }
}

/// Iterator over [`SelectTypes`].
#[derive(Clone, Debug)]
pub struct SelectTypesIter<'a> {
    reader: BinaryReader<'a>,
    left: u32,
}

impl Iterator for SelectTypesIter<'_> {
    type Item = ValType;

    fn next(&mut self) -> Option<ValType> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        // The bytes were checked when the operator was read.
        self.reader.read_val_type().ok()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

impl ExactSizeIterator for SelectTypesIter<'_> {}
