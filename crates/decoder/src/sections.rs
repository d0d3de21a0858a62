//! The items of each section and how a section payload is read into them.
//!
//! [`parse_section`] reads the payload of every non-code section into its [`Payload`]; the
//! push decoder calls it once a section's last byte has arrived. Error messages contain the
//! official testsuite's wording, and running out of payload in the middle of an item is the
//! [`BinaryReader`]'s end-of-input error at the payload's end (the decoder turns it into
//! "section size mismatch" when more of the module follows, as the reference interpreter,
//! which reads on past a section's end, would).
//!
//! The name section is not read by the decoder (custom sections never make a module
//! malformed); [`NameSection::parse`] reads it on demand.

mod name;
#[cfg(test)]
mod tests;

pub use name::{IndirectNameMap, NameMap, NameSection};

use crate::bytes::Bytes;
use crate::limits;
use crate::reader::{BinaryReader, UNEXPECTED_END};
use crate::types::*;
use crate::{DecodeError, Features, OperatorsReader, Payload, Result};

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
    /// A function of exactly the given type index (custom-descriptors, import kind `0x20`):
    /// references to it have type `(ref (exact $t))`.
    FuncExact(u32),
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
    /// Function indices (flags 0 to 3, the `elemkind` forms). The reference interpreter
    /// types these segments `(ref func)`.
    Functions(Vec<u32>),
    /// Constant expressions of the given reference type (flags 4 to 7; flags 4 has no type
    /// byte and is `funcref`).
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
///
/// Every declared item is read; bytes left over after them are "section size mismatch".
/// Running out of payload in the middle of an item is the [`BinaryReader`]'s end-of-input
/// error, at the end of the payload.
pub(crate) fn parse_section(
    id: u8,
    payload: &Bytes,
    offset: usize,
    features: &Features,
) -> Result<Payload> {
    parse_section_from(id, payload, payload.len(), offset, features)
}

/// Reads a non-code section of `size` bytes from the start of `data`, which may hold more of
/// the module after the section, the way the reference interpreter does: an item that runs
/// over the section's end is read on into the bytes that follow, and the section is "section
/// size mismatch" unless its items end exactly at `size`. Length checks ("length out of
/// bounds") count the bytes of `data`.
///
/// With `data` the section's payload followed by the rest of the module, the error is the
/// reference interpreter's. [`parse_section`] is the case `size == data.len()`.
pub(crate) fn parse_section_from(
    id: u8,
    data: &Bytes,
    size: usize,
    offset: usize,
    features: &Features,
) -> Result<Payload> {
    let r = &mut BinaryReader::new(data, offset);
    let parsed = match id {
        section_id::TYPE => Payload::Type(read_type_section(r)?),
        section_id::IMPORT => Payload::Import(read_vec(r, limits::MAX_IMPORTS, "imports", |r| {
            read_import(r, features)
        })?),
        section_id::FUNCTION => Payload::Function(read_vec(
            r,
            limits::MAX_FUNCTIONS,
            "functions",
            BinaryReader::read_var_u32,
        )?),
        section_id::TABLE => Payload::Table(read_vec(r, limits::MAX_TABLES, "tables", |r| {
            read_table(r, data)
        })?),
        section_id::MEMORY => {
            Payload::Memory(read_vec(r, limits::MAX_MEMORIES, "memories", |r| {
                r.read_memory_type_with(features)
            })?)
        }
        section_id::TAG => Payload::Tag(read_vec(
            r,
            limits::MAX_TAGS,
            "tags",
            BinaryReader::read_tag_type,
        )?),
        section_id::GLOBAL => Payload::Global(read_vec(r, limits::MAX_GLOBALS, "globals", |r| {
            read_global(r, data)
        })?),
        section_id::EXPORT => {
            Payload::Export(read_vec(r, limits::MAX_EXPORTS, "exports", read_export)?)
        }
        section_id::START => Payload::Start(r.read_var_u32()?),
        section_id::ELEMENT => Payload::Element(read_vec(
            r,
            limits::MAX_ELEMENT_SEGMENTS,
            "element segments",
            |r| read_element(r, data),
        )?),
        section_id::DATA_COUNT => {
            let at = r.offset();
            let n = r.read_var_u32()?;
            if n > limits::MAX_DATA_SEGMENTS {
                return Err(too_many(
                    at,
                    "data segments",
                    u64::from(n),
                    limits::MAX_DATA_SEGMENTS,
                ));
            }
            Payload::DataCount(n)
        }
        section_id::DATA => Payload::Data(read_vec(
            r,
            limits::MAX_DATA_SEGMENTS,
            "data segments",
            |r| read_data(r, data),
        )?),
        section_id::CUSTOM | section_id::CODE => {
            return Err(DecodeError::new(
                offset,
                format!("internal error: section {id} is not read by parse_section"),
            ))
        }
        _ => return Err(DecodeError::new(offset, "malformed section id")),
    };
    if r.position() != size {
        return Err(DecodeError::new(
            offset + r.position().min(size),
            "section size mismatch",
        ));
    }
    Ok(parsed)
}

/// Reads a custom section's name; the rest is its data.
pub(crate) fn parse_custom_section(payload: &Bytes, offset: usize) -> Result<CustomSection> {
    parse_custom_section_from(payload, payload.len(), offset)
}

/// [`parse_custom_section`] for a section of `size` bytes at the start of `data`, which may
/// hold more of the module (see [`parse_section_from`]): a name that runs over the section's
/// end is an unexpected end.
pub(crate) fn parse_custom_section_from(
    data: &Bytes,
    size: usize,
    offset: usize,
) -> Result<CustomSection> {
    let mut r = BinaryReader::new(data, offset);
    let name = read_string(&mut r)?.to_string();
    let start = r.position();
    if start > size {
        return Err(DecodeError::new(offset + data.len(), UNEXPECTED_END));
    }
    Ok(CustomSection {
        name,
        data_offset: offset + start,
        data: data.slice(start..size),
    })
}

/// At most this many bytes are reserved up front for the items of one vector; beyond it the
/// vector grows as items are actually read.
const MAX_PREALLOC_BYTES: usize = 1 << 20;

/// Reads a vector: its length (checked against the bytes left and against `limit`, see
/// [`BinaryReader::read_vec_len`]) and that many items.
fn read_vec<'a, T>(
    r: &mut BinaryReader<'a>,
    limit: u32,
    what: &str,
    mut item: impl FnMut(&mut BinaryReader<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = r.read_vec_len(limit, what)?;
    let mut items = Vec::with_capacity(prealloc::<T>(n));
    for _ in 0..n {
        items.push(item(r)?);
    }
    Ok(items)
}

/// How many items of type `T` to reserve room for when `n` are declared (and `n` has been
/// checked against the bytes left).
fn prealloc<T>(n: u32) -> usize {
    (n as usize).min(MAX_PREALLOC_BYTES / std::mem::size_of::<T>().max(1))
}

/// Reads the length of a byte string (a name or a data segment's bytes). As in the reference
/// interpreter, a length beyond the bytes left counting the length's own bytes is "length out
/// of bounds"; a length that only runs past the end by less than that is an unexpected end,
/// reported when the bytes are read.
pub(crate) fn read_byte_len(r: &mut BinaryReader<'_>) -> Result<usize> {
    let at = r.offset();
    let left = r.bytes_remaining();
    let n = r.read_var_u32()? as usize;
    if n > left {
        return Err(DecodeError::new(at, LENGTH_OUT_OF_BOUNDS));
    }
    Ok(n)
}

/// Reads a name: a length-prefixed UTF-8 string ("malformed UTF-8 encoding").
pub(crate) fn read_string<'a>(r: &mut BinaryReader<'a>) -> Result<&'a str> {
    let n = read_byte_len(r)?;
    let at = r.offset();
    let bytes = r.read_bytes(n)?;
    std::str::from_utf8(bytes).map_err(|_| DecodeError::new(at, "malformed UTF-8 encoding"))
}

/// The type section: a vector of recursion groups, at most [`limits::MAX_TYPES`] sub types
/// in all.
fn read_type_section(r: &mut BinaryReader<'_>) -> Result<Vec<RecGroup>> {
    let n = r.read_vec_len(limits::MAX_TYPES, "types")?;
    let mut groups = Vec::with_capacity(prealloc::<RecGroup>(n));
    let mut total = 0u32;
    for _ in 0..n {
        let group = r.read_rec_group_after(total)?;
        total += group.types.len() as u32;
        groups.push(group);
    }
    Ok(groups)
}

fn read_import(r: &mut BinaryReader<'_>, features: &Features) -> Result<Import> {
    let module = read_string(r)?.to_owned();
    let name = read_string(r)?.to_owned();
    let at = r.offset();
    let ty = match r.read_u8()? {
        0x00 => TypeRef::Func(r.read_var_u32()?),
        0x01 => TypeRef::Table(r.read_table_type()?),
        0x02 => TypeRef::Memory(r.read_memory_type_with(features)?),
        0x03 => TypeRef::Global(r.read_global_type()?),
        0x04 => TypeRef::Tag(r.read_tag_type()?),
        0x20 => TypeRef::FuncExact(r.read_var_u32()?),
        kind => {
            return Err(DecodeError::new(
                at,
                format!("malformed import kind {kind:#04x}"),
            ))
        }
    };
    Ok(Import { module, name, ty })
}

fn read_export(r: &mut BinaryReader<'_>) -> Result<Export> {
    let name = read_string(r)?.to_owned();
    let at = r.offset();
    let kind = match r.read_u8()? {
        0x00 => ExternalKind::Func,
        0x01 => ExternalKind::Table,
        0x02 => ExternalKind::Memory,
        0x03 => ExternalKind::Global,
        0x04 => ExternalKind::Tag,
        kind => {
            return Err(DecodeError::new(
                at,
                format!("malformed export kind {kind:#04x}"),
            ))
        }
    };
    let index = r.read_var_u32()?;
    Ok(Export { name, kind, index })
}

/// A table: `tabletype`, or `0x40 0x00 tabletype expr` (a table with an initialiser).
fn read_table(r: &mut BinaryReader<'_>, payload: &Bytes) -> Result<Table> {
    if r.peek_u8()? != 0x40 {
        return Ok(Table {
            ty: r.read_table_type()?,
            init: None,
        });
    }
    let at = r.offset();
    r.read_u8()?;
    if r.read_u8()? != 0x00 {
        // The reference interpreter falls back to a plain table type, and 0x40 is not a
        // reference type.
        return Err(DecodeError::new(
            at,
            "malformed reference type (a table with an initializer starts 0x40 0x00)",
        ));
    }
    let ty = r.read_table_type()?;
    let init = read_const_expr(r, payload)?;
    Ok(Table {
        ty,
        init: Some(init),
    })
}

fn read_global(r: &mut BinaryReader<'_>, payload: &Bytes) -> Result<Global> {
    let ty = r.read_global_type()?;
    let init = read_const_expr(r, payload)?;
    Ok(Global { ty, init })
}

/// An element segment; `flags` (a u32) selects one of eight encodings. Bit 0: passive or
/// declarative; bit 1: an explicit table index (active) or declarative (with bit 0); bit 2:
/// the items are expressions with a reference type instead of function indices with an
/// element kind.
fn read_element(r: &mut BinaryReader<'_>, payload: &Bytes) -> Result<Element> {
    let offset = r.offset();
    let flags = r.read_var_u32()?;
    if flags > 7 {
        return Err(DecodeError::new(
            offset,
            format!("malformed elements segment kind {flags}"),
        ));
    }
    let kind = match flags & 0b011 {
        0b000 => ElementKind::Active {
            table: 0,
            offset: read_const_expr(r, payload)?,
        },
        0b010 => ElementKind::Active {
            table: r.read_var_u32()?,
            offset: read_const_expr(r, payload)?,
        },
        0b001 => ElementKind::Passive,
        _ => ElementKind::Declared,
    };
    let items = if flags & 0b100 == 0 {
        if flags != 0 {
            let at = r.offset();
            let elemkind = r.read_u8()?;
            if elemkind != 0x00 {
                return Err(DecodeError::new(
                    at,
                    format!("malformed element kind {elemkind:#04x}"),
                ));
            }
        }
        ElementItems::Functions(read_vec(
            r,
            limits::MAX_ELEMENT_ITEMS,
            "elements",
            BinaryReader::read_var_u32,
        )?)
    } else {
        let ty = if flags == 4 {
            RefType::FUNCREF
        } else {
            r.read_ref_type()?
        };
        let exprs = read_vec(r, limits::MAX_ELEMENT_ITEMS, "elements", |r| {
            read_const_expr(r, payload)
        })?;
        ElementItems::Expressions(ty, exprs)
    };
    Ok(Element {
        offset,
        kind,
        items,
    })
}

/// A data segment: flags 0 (active, memory 0), 1 (passive) or 2 (active, explicit memory),
/// then the bytes, handed on as a slice of the payload.
fn read_data(r: &mut BinaryReader<'_>, payload: &Bytes) -> Result<Data> {
    let offset = r.offset();
    let kind = match r.read_var_u32()? {
        0 => DataKind::Active {
            memory: 0,
            offset: read_const_expr(r, payload)?,
        },
        1 => DataKind::Passive,
        2 => DataKind::Active {
            memory: r.read_var_u32()?,
            offset: read_const_expr(r, payload)?,
        },
        flags => {
            return Err(DecodeError::new(
                offset,
                format!("malformed data segment kind {flags}"),
            ))
        }
    };
    let n = read_byte_len(r)?;
    let start = r.position();
    r.skip(n)?;
    Ok(Data {
        offset,
        kind,
        data: payload.slice(start..start + n),
    })
}

/// Reads a constant expression: operators up to the `end` that closes it, kept as a slice
/// of the payload. Blocks are tracked as in a function body (the reference interpreter reads
/// the same instruction grammar), so an expression holding a block is read whole and left
/// to the validator ("constant expression required").
pub(crate) fn read_const_expr(r: &mut BinaryReader<'_>, payload: &Bytes) -> Result<ConstExpr> {
    let start = r.position();
    let offset = r.offset();
    let mut ops = OperatorsReader::new(r.clone());
    ops.skip_to_end().map_err(|e| {
        // Outside a function body, running out before the final `end` is a plain
        // unexpected end (which the push decoder may turn into a size mismatch).
        if e.message() == crate::END_EXPECTED {
            DecodeError::new(e.offset(), UNEXPECTED_END)
        } else {
            e
        }
    })?;
    *r = ops.into_inner();
    Ok(ConstExpr {
        offset,
        bytes: payload.slice(start..r.position()),
    })
}
