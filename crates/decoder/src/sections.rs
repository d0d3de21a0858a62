//! The items of each section and how a section payload is read into them.
//!
//! STUB: the data definitions are settled; the readers are being written.

use crate::bytes::Bytes;
use crate::reader::BinaryReader;
use crate::types::*;
use crate::{DecodeError, OperatorsReader, Result};

/// Section ids of the binary format.
pub mod section_id {
    pub const CUSTOM: u8 = 0;
    pub const TYPE: u8 = 1;
    pub const IMPORT: u8 = 2;
    pub const FUNCTION: u8 = 3;
    pub const TABLE: u8 = 4;
    pub const MEMORY: u8 = 5;
    pub const GLOBAL: u8 = 6;
    pub const EXPORT: u8 = 7;
    pub const START: u8 = 8;
    pub const ELEMENT: u8 = 9;
    pub const CODE: u8 = 10;
    pub const DATA: u8 = 11;
    pub const DATA_COUNT: u8 = 12;
    pub const TAG: u8 = 13;
}

/// The kind of an import or export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternalKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

/// What an import brings in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// A function of the given type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    Tag(TagType),
}

/// One import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub ty: TypeRef,
}

/// One export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub kind: ExternalKind,
    pub index: u32,
}

/// A constant expression (global initialiser, segment offset, table initialiser, element
/// item): its bytes, up to and including the final `end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstExpr {
    /// Module offset of the first byte.
    pub offset: usize,
    pub bytes: Bytes,
}

impl ConstExpr {
    /// The operators of the expression, ending with `end`.
    pub fn operators(&self) -> OperatorsReader<'_> {
        OperatorsReader::new(BinaryReader::new(&self.bytes, self.offset))
    }
}

/// A defined table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub ty: TableType,
    /// The initialiser of every element (`0x40 0x00` form); `None` means null.
    pub init: Option<ConstExpr>,
}

/// A defined global.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    pub ty: GlobalType,
    pub init: ConstExpr,
}

/// How an element segment is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElementKind {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

/// The items of an element segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElementItems {
    /// Function indices (the `elemkind` forms; the type is `funcref`).
    Functions(Vec<u32>),
    /// Constant expressions of the given reference type.
    Expressions(RefType, Vec<ConstExpr>),
}

/// An element segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// Module offset of the segment.
    pub offset: usize,
    pub kind: ElementKind,
    pub items: ElementItems,
}

/// How a data segment is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataKind {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

/// A data segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Data {
    /// Module offset of the segment.
    pub offset: usize,
    pub kind: DataKind,
    pub data: Bytes,
}

/// A custom section: its name and the bytes after the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomSection {
    pub name: String,
    /// Module offset of `data`.
    pub data_offset: usize,
    pub data: Bytes,
}

/// One function body from the code section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionBody {
    /// Index among the module's defined functions (0 = first body in the code section).
    pub index: u32,
    /// Module offset of the body's first byte (after its size).
    pub offset: usize,
    pub bytes: Bytes,
    /// Whether the module has a data count section (required by `memory.init`, `data.drop`).
    pub has_data_count: bool,
}

impl FunctionBody {
    /// A reader over the body's bytes, reporting module offsets.
    pub fn reader(&self) -> BinaryReader<'_> {
        BinaryReader::new(&self.bytes, self.offset)
    }

    /// The body's local declarations; [`crate::LocalsReader::into_operators`] continues with the
    /// code. The total is bounded by [`crate::limits::MAX_FUNCTION_LOCALS`] ("too many
    /// locals").
    pub fn locals(&self) -> Result<crate::LocalsReader<'_>> {
        crate::LocalsReader::new(self.reader(), self.has_data_count)
    }

    /// The body's operators, after the local declarations (which are read and checked).
    pub fn operators(&self) -> Result<OperatorsReader<'_>> {
        self.locals()?.into_operators()
    }

    /// Decodes the whole body: the locals, every operator up to the final `end`, and that
    /// nothing follows it. What "decoding a body" means for the spec tests and the fuzzer;
    /// no validation.
    pub fn check_encoding(&self) -> Result<()> {
        let mut ops = self.operators()?;
        ops.skip_to_end()?;
        ops.finish()
    }
}

/// Reads the payload of a non-code section (`id` is not `CODE` or `CUSTOM`).
/// `offset` is the module offset of the payload's first byte.
pub(crate) fn parse_section(_id: u8, _payload: &Bytes, offset: usize) -> Result<crate::Payload> {
    Err(DecodeError::new(offset, "section readers not written yet"))
}

/// Reads a custom section's name; the rest is its data.
pub(crate) fn parse_custom_section(payload: &Bytes, offset: usize) -> Result<CustomSection> {
    let mut r = BinaryReader::new(payload, offset);
    let name = r.read_name()?.to_string();
    let start = r.position();
    Ok(CustomSection {
        name,
        data_offset: offset + start,
        data: payload.slice(start..payload.len()),
    })
}
