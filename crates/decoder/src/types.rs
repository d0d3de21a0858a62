//! The type grammar of Wasm 3.0 (with GC, typed references, exceptions, memory64 and
//! custom page sizes) and how each type is read from the binary format.

use crate::reader::{BinaryReader, UNEXPECTED_END};
use crate::{DecodeError, Features, Result};

/// A value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

/// A reference type: a heap type and whether `null` is a value of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    pub nullable: bool,
    pub heap: HeapType,
}

impl RefType {
    /// `funcref` = `(ref null func)`.
    pub const FUNCREF: RefType = RefType::abstract_nullable(AbsHeapType::Func);
    /// `externref` = `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType::abstract_nullable(AbsHeapType::Extern);
    /// `exnref` = `(ref null exn)`.
    pub const EXNREF: RefType = RefType::abstract_nullable(AbsHeapType::Exn);

    const fn abstract_nullable(ty: AbsHeapType) -> RefType {
        RefType {
            nullable: true,
            heap: HeapType::Abstract(ty),
        }
    }
}

/// A heap type: abstract, or a concrete type index (optionally exact, from the
/// custom-descriptors proposal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    Abstract(AbsHeapType),
    /// A type index.
    Concrete(u32),
    /// `(exact $t)`: only `$t` itself, not its subtypes.
    Exact(u32),
}

/// The abstract heap types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AbsHeapType {
    Func,
    NoFunc,
    Extern,
    NoExtern,
    Any,
    Eq,
    I31,
    Struct,
    Array,
    None,
    Exn,
    NoExn,
}

impl AbsHeapType {
    /// The abstract heap type for a binary code, if it is one.
    pub fn from_code(code: u8) -> Option<AbsHeapType> {
        Some(match code {
            0x70 => AbsHeapType::Func,
            0x73 => AbsHeapType::NoFunc,
            0x6F => AbsHeapType::Extern,
            0x72 => AbsHeapType::NoExtern,
            0x6E => AbsHeapType::Any,
            0x6D => AbsHeapType::Eq,
            0x6C => AbsHeapType::I31,
            0x6B => AbsHeapType::Struct,
            0x6A => AbsHeapType::Array,
            0x71 => AbsHeapType::None,
            0x69 => AbsHeapType::Exn,
            0x74 => AbsHeapType::NoExn,
            _ => return None,
        })
    }
}

/// The storage type of a struct field or array element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    I8,
    I16,
    Val(ValType),
}

/// A struct field or array element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldType {
    pub storage: StorageType,
    pub mutable: bool,
}

/// A function type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    pub params: Box<[ValType]>,
    pub results: Box<[ValType]>,
}

/// The structure of a defined type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CompositeTypeKind {
    Func(FuncType),
    Struct(Box<[FieldType]>),
    Array(FieldType),
}

/// A composite type with the custom-descriptors clauses (absent in plain Wasm 3.0).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompositeType {
    pub kind: CompositeTypeKind,
    /// `(describes $t)`: this type is the descriptor of type `$t`.
    pub describes: Option<u32>,
    /// `(descriptor $t)`: type `$t` describes this type.
    pub descriptor: Option<u32>,
}

/// A sub type: its declared supertypes and whether it is final.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubType {
    pub is_final: bool,
    pub supertypes: Box<[u32]>,
    pub composite: CompositeType,
}

/// A recursion group. A type without `rec` is a group of one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecGroup {
    pub types: Vec<SubType>,
    /// Whether the group was written with the explicit `rec` prefix (0x4E).
    pub explicit: bool,
}

/// The limits of a memory or table, with its address type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

/// A memory type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    pub limits: Limits,
    /// Addresses are `i64` (memory64).
    pub memory64: bool,
    pub shared: bool,
    /// log2 of the page size, when the custom-page-sizes flag is present.
    pub page_size_log2: Option<u32>,
}

/// A table type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    pub element: RefType,
    pub limits: Limits,
    /// Indices are `i64` (table64).
    pub table64: bool,
    pub shared: bool,
}

/// A global type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

/// An exception tag type: the function type index of its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    pub func_type: u32,
}

/// The type of a block, loop, if or try.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockType {
    Empty,
    Value(ValType),
    /// A function type index (multi-value and block parameters).
    FuncType(u32),
}

impl<'a> BinaryReader<'a> {
    /// Reads a value type.
    pub fn read_val_type(&mut self) -> Result<ValType> {
        let at = self.offset();
        let b = self.peek_u8()?;
        match b {
            0x7F => self.advance(ValType::I32),
            0x7E => self.advance(ValType::I64),
            0x7D => self.advance(ValType::F32),
            0x7C => self.advance(ValType::F64),
            0x7B => self.advance(ValType::V128),
            _ if is_ref_type_start(b) => Ok(ValType::Ref(self.read_ref_type()?)),
            _ => Err(type_code_error(at, b, "malformed value type")),
        }
    }

    fn advance<T>(&mut self, v: T) -> Result<T> {
        self.read_u8()?;
        Ok(v)
    }

    /// Reads a reference type: `0x64 ht`, `0x63 ht`, or an abstract heap type shorthand.
    pub fn read_ref_type(&mut self) -> Result<RefType> {
        let at = self.offset();
        let b = self.read_u8()?;
        match b {
            0x64 | 0x63 => Ok(RefType {
                nullable: b == 0x63,
                heap: self.read_heap_type()?,
            }),
            _ => match AbsHeapType::from_code(b) {
                Some(ty) => Ok(RefType {
                    nullable: true,
                    heap: HeapType::Abstract(ty),
                }),
                None => Err(type_code_error(at, b, "malformed reference type")),
            },
        }
    }

    /// Reads a heap type: an abstract type code, `0x62 idx` (exact, the index an s32) or a
    /// type index (s33).
    pub fn read_heap_type(&mut self) -> Result<HeapType> {
        let at = self.offset();
        let b = self.peek_u8()?;
        if let Some(ty) = AbsHeapType::from_code(b) {
            self.read_u8()?;
            return Ok(HeapType::Abstract(ty));
        }
        if b == 0x62 {
            self.read_u8()?;
            // The reference interpreter reads the index of `exact` as an s32.
            let at = self.offset();
            let idx = self.read_var_i32()?;
            return match u32::try_from(idx) {
                Ok(idx) => Ok(HeapType::Exact(idx)),
                Err(_) => Err(DecodeError::new(at, "malformed type index")),
            };
        }
        self.read_type_index_s33(at, b, "malformed heap type")
            .map(HeapType::Concrete)
    }

    /// Reads the s33 type index of a heap type or block type starting with byte `b` at
    /// `at`. The reference interpreter tries the index first and then a type code (an s7),
    /// so what is neither is `message`, or an over-long integer if `b` continues.
    fn read_type_index_s33(&mut self, at: usize, b: u8, message: &'static str) -> Result<u32> {
        match self.read_var_s33() {
            Ok(idx) => u32::try_from(idx).map_err(|_| type_code_error(at, b, message)),
            Err(e) if self.is_eof_error(&e) => Err(e),
            Err(_) => Err(type_code_error(at, b, message)),
        }
    }

    /// Reads a block type: `0x40`, a value type, or a type index (s33). As in the reference
    /// interpreter, any other byte from 0x41 to 0x7F is a malformed value type (not a
    /// negative type index).
    pub fn read_block_type(&mut self) -> Result<BlockType> {
        let at = self.offset();
        let b = self.peek_u8()?;
        if b == 0x40 {
            self.read_u8()?;
            return Ok(BlockType::Empty);
        }
        if b & 0xC0 == 0x40 {
            return Ok(BlockType::Value(self.read_val_type()?));
        }
        self.read_type_index_s33(at, b, "malformed block type")
            .map(BlockType::FuncType)
    }

    /// Reads a storage type (a value type or a packed type).
    ///
    /// Like the reference interpreter, which tries a value type and then a packed type, any
    /// malformed storage type is reported as "malformed storage type" (running out of input
    /// stays an unexpected end).
    pub fn read_storage_type(&mut self) -> Result<StorageType> {
        let at = self.offset();
        match self.peek_u8()? {
            0x78 => self.advance(StorageType::I8),
            0x77 => self.advance(StorageType::I16),
            _ => match self.read_val_type() {
                Ok(t) => Ok(StorageType::Val(t)),
                Err(e) if self.is_eof_error(&e) => Err(e),
                Err(e) => Err(DecodeError::new(
                    at,
                    format!("malformed storage type: {}", e.message()),
                )),
            },
        }
    }

    /// Reads a mutability flag: 0 (const) or 1 (var).
    pub fn read_mutability(&mut self) -> Result<bool> {
        let at = self.offset();
        match self.read_u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::new(at, "malformed mutability")),
        }
    }

    /// Reads a field type.
    pub fn read_field_type(&mut self) -> Result<FieldType> {
        let storage = self.read_storage_type()?;
        let mutable = self.read_mutability()?;
        Ok(FieldType { storage, mutable })
    }

    /// Reads a vector of value types (function parameters or results).
    pub fn read_result_types(&mut self) -> Result<Box<[ValType]>> {
        let n = self.read_vec_len(crate::limits::MAX_FUNCTION_PARAMS, "parameters or results")?;
        let mut v = Vec::with_capacity(n as usize);
        for _ in 0..n {
            v.push(self.read_val_type()?);
        }
        Ok(v.into_boxed_slice())
    }

    /// Reads a composite type, including custom-descriptors clauses.
    pub fn read_composite_type(&mut self) -> Result<CompositeType> {
        let mut describes = None;
        let mut descriptor = None;
        if self.peek_u8()? == 0x4C {
            self.read_u8()?;
            describes = Some(self.read_var_u32()?);
        }
        if self.peek_u8()? == 0x4D {
            self.read_u8()?;
            descriptor = Some(self.read_var_u32()?);
        }
        let at = self.offset();
        let code = self.read_u8()?;
        let kind = match code {
            0x60 => {
                let params = self.read_result_types()?;
                let results = self.read_result_types()?;
                CompositeTypeKind::Func(FuncType { params, results })
            }
            0x5F => {
                let n = self.read_vec_len(crate::limits::MAX_STRUCT_FIELDS, "struct fields")?;
                let mut fields = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    fields.push(self.read_field_type()?);
                }
                CompositeTypeKind::Struct(fields.into_boxed_slice())
            }
            0x5E => CompositeTypeKind::Array(self.read_field_type()?),
            _ => return Err(type_code_error(at, code, "malformed definition type")),
        };
        Ok(CompositeType {
            kind,
            describes,
            descriptor,
        })
    }

    /// Reads a sub type: `0x50` / `0x4F` with supertypes, or a bare composite type (final).
    pub fn read_sub_type(&mut self) -> Result<SubType> {
        let b = self.peek_u8()?;
        if b == 0x50 || b == 0x4F {
            self.read_u8()?;
            let n = self.read_vec_len(crate::limits::MAX_SUPERTYPES, "supertypes")?;
            let mut supertypes = Vec::with_capacity(n as usize);
            for _ in 0..n {
                supertypes.push(self.read_var_u32()?);
            }
            let composite = self.read_composite_type()?;
            Ok(SubType {
                is_final: b == 0x4F,
                supertypes: supertypes.into_boxed_slice(),
                composite,
            })
        } else {
            Ok(SubType {
                is_final: true,
                supertypes: Box::new([]),
                composite: self.read_composite_type()?,
            })
        }
    }

    /// Reads a recursion group: `0x4E vec(subtype)` or one sub type.
    pub fn read_rec_group(&mut self) -> Result<RecGroup> {
        self.read_rec_group_after(0)
    }

    /// Reads a recursion group of a type section in which `types_before` sub types came
    /// before it, checking that the total stays within [`crate::limits::MAX_TYPES`] before
    /// allocating for the group.
    pub(crate) fn read_rec_group_after(&mut self, types_before: u32) -> Result<RecGroup> {
        let limit = crate::limits::MAX_TYPES;
        let at = self.offset();
        if self.peek_u8()? == 0x4E {
            self.read_u8()?;
            let n = self.read_vec_len(limit, "types")?;
            if u64::from(types_before) + u64::from(n) > u64::from(limit) {
                return Err(too_many(
                    at,
                    "types",
                    u64::from(types_before) + u64::from(n),
                    limit,
                ));
            }
            let mut types = Vec::with_capacity(n as usize);
            for _ in 0..n {
                types.push(self.read_sub_type()?);
            }
            Ok(RecGroup {
                types,
                explicit: true,
            })
        } else {
            if types_before >= limit {
                return Err(too_many(at, "types", u64::from(types_before) + 1, limit));
            }
            Ok(RecGroup {
                types: vec![self.read_sub_type()?],
                explicit: false,
            })
        }
    }

    /// Reads limits with their flags byte. Bit 0: has max; bit 1: shared (memories only,
    /// threads); bit 2: 64-bit addresses; bit 3: custom page size (memories only). The flags
    /// are one byte, not a LEB128 (`0x81 0x00` is "malformed limits flags"). Returns the
    /// limits and the flags.
    ///
    /// Like the reference interpreter, the bounds are read as `u64` whatever the address
    /// type: a 32-bit bound above `u32::MAX` is left to validation ("memory size must be at
    /// most 65536 pages", "table size must be at most 2^32-1").
    fn read_limits(&mut self, allowed_flags: u8) -> Result<(Limits, u8)> {
        let at = self.offset();
        let flags = self.read_u8()?;
        if flags & !allowed_flags != 0 {
            return Err(DecodeError::new(at, "malformed limits flags"));
        }
        let min = self.read_var_u64()?;
        let max = if flags & 0x01 != 0 {
            Some(self.read_var_u64()?)
        } else {
            None
        };
        Ok((Limits { min, max }, flags))
    }

    /// Reads a memory type of Wasm 3.0 (limits flags 0x00..=0x07).
    pub fn read_memory_type(&mut self) -> Result<MemoryType> {
        self.read_memory_type_with(&Features::default())
    }

    /// Reads a memory type; with `features.custom_page_sizes`, flag bit 3 announces a page
    /// size.
    pub fn read_memory_type_with(&mut self, features: &Features) -> Result<MemoryType> {
        let allowed = if features.custom_page_sizes {
            0x0F
        } else {
            0x07
        };
        let (limits, flags) = self.read_limits(allowed)?;
        let page_size_log2 = if flags & 0x08 != 0 {
            let at = self.offset();
            let p = self.read_var_u32()?;
            if p > 64 {
                return Err(DecodeError::new(
                    at,
                    format!("invalid custom page size: 2^{p} bytes"),
                ));
            }
            Some(p)
        } else {
            None
        };
        Ok(MemoryType {
            limits,
            memory64: flags & 0x04 != 0,
            shared: flags & 0x02 != 0,
            page_size_log2,
        })
    }

    /// Reads a table type (reference type, then limits; tables cannot be shared).
    pub fn read_table_type(&mut self) -> Result<TableType> {
        let element = self.read_ref_type()?;
        let (limits, flags) = self.read_limits(0x05)?;
        Ok(TableType {
            element,
            limits,
            table64: flags & 0x04 != 0,
            shared: flags & 0x02 != 0,
        })
    }

    /// Reads a global type.
    pub fn read_global_type(&mut self) -> Result<GlobalType> {
        let content = self.read_val_type()?;
        let mutable = self.read_mutability()?;
        Ok(GlobalType { content, mutable })
    }

    /// Reads a tag type: attribute 0 (exception) and a function type index.
    pub fn read_tag_type(&mut self) -> Result<TagType> {
        let at = self.offset();
        if self.read_u8()? != 0 {
            return Err(DecodeError::new(
                at,
                "malformed tag attribute: zero byte expected",
            ));
        }
        Ok(TagType {
            func_type: self.read_var_u32()?,
        })
    }
}

impl BinaryReader<'_> {
    /// Reads the length of a vector (its number of items) and checks it. Every item takes at
    /// least one byte, so, as in the reference interpreter, a length beyond the bytes left
    /// (counting the length's own bytes) is "length out of bounds"; a length over `limit` is
    /// "too many {what}". The result is safe to use as an allocation capacity.
    pub(crate) fn read_vec_len(&mut self, limit: u32, what: &str) -> Result<u32> {
        let at = self.offset();
        let left = self.bytes_remaining();
        let n = self.read_var_u32()?;
        if n as usize > left {
            return Err(DecodeError::new(at, LENGTH_OUT_OF_BOUNDS));
        }
        if n > limit {
            return Err(too_many(at, what, u64::from(n), limit));
        }
        Ok(n)
    }

    /// Whether `e` is this reader's end-of-input error.
    pub(crate) fn is_eof_error(&self, e: &DecodeError) -> bool {
        e.message() == UNEXPECTED_END && e.offset() == self.offset() + self.bytes_remaining()
    }
}

/// The error for a byte `b` at `at` that is not one of the type codes expected there. The
/// reference interpreter reads type codes as 7-bit signed LEB128s, so a byte with the
/// continuation bit set is an over-long integer rather than an unknown code.
#[cold]
fn type_code_error(at: usize, b: u8, message: &'static str) -> DecodeError {
    if b & 0x80 != 0 {
        DecodeError::new(at + 1, "integer representation too long")
    } else {
        DecodeError::new(at, message)
    }
}

/// Message of a length (of a vector, name or byte string) that exceeds the bytes left.
pub(crate) const LENGTH_OUT_OF_BOUNDS: &str = "length out of bounds";

/// A count over an implementation limit.
#[cold]
pub(crate) fn too_many(at: usize, what: &str, n: u64, limit: u32) -> DecodeError {
    DecodeError::new(
        at,
        format!("too many {what}: {n} exceeds the limit of {limit}"),
    )
}

/// Whether byte `b` starts a reference type.
fn is_ref_type_start(b: u8) -> bool {
    b == 0x64 || b == 0x63 || AbsHeapType::from_code(b).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(bytes: &[u8]) -> BinaryReader<'_> {
        BinaryReader::new(bytes, 0)
    }

    fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().message().to_string()
    }

    #[test]
    fn block_types() {
        assert_eq!(reader(&[0x40]).read_block_type().unwrap(), BlockType::Empty);
        assert_eq!(
            reader(&[0x7F]).read_block_type().unwrap(),
            BlockType::Value(ValType::I32)
        );
        assert_eq!(
            reader(&[0x63, 0x00]).read_block_type().unwrap(),
            BlockType::Value(ValType::Ref(RefType {
                nullable: true,
                heap: HeapType::Concrete(0)
            }))
        );
        assert_eq!(
            reader(&[0x05]).read_block_type().unwrap(),
            BlockType::FuncType(5)
        );
        assert_eq!(
            reader(&[0x80, 0x01]).read_block_type().unwrap(),
            BlockType::FuncType(128)
        );
        // 0x41..=0x7F are type codes, never negative indices.
        assert_eq!(
            message(reader(&[0x50]).read_block_type()),
            "malformed value type"
        );
        // A negative multi-byte s33, or one too long: the reference interpreter falls back
        // to a value type, whose s7 code cannot continue.
        assert_eq!(
            message(reader(&[0xC0, 0x7F]).read_block_type()),
            "integer representation too long"
        );
        assert_eq!(
            message(reader(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).read_block_type()),
            "integer representation too long"
        );
        assert_eq!(
            message(reader(&[0x80]).read_block_type()),
            crate::reader::UNEXPECTED_END
        );
    }

    #[test]
    fn heap_types() {
        let heap = |bytes: &[u8]| reader(bytes).read_heap_type();
        assert_eq!(
            heap(&[0x70]).unwrap(),
            HeapType::Abstract(AbsHeapType::Func)
        );
        assert_eq!(heap(&[0x62, 0x03]).unwrap(), HeapType::Exact(3));
        assert_eq!(heap(&[0x3F]).unwrap(), HeapType::Concrete(63));
        assert_eq!(message(heap(&[0x62, 0x7F])), "malformed type index");
        assert_eq!(message(heap(&[0x50])), "malformed heap type");
        assert_eq!(
            message(heap(&[0xFF, 0x7F])),
            "integer representation too long"
        );
    }

    #[test]
    fn value_and_reference_type_codes() {
        assert_eq!(
            message(reader(&[0x00]).read_val_type()),
            "malformed value type"
        );
        assert_eq!(
            message(reader(&[0x7F]).read_ref_type()),
            "malformed reference type"
        );
        let e = reader(&[0xFF, 0x7F]).read_val_type().unwrap_err();
        assert_eq!(
            (e.offset(), e.message()),
            (1, "integer representation too long")
        );
        assert_eq!(
            message(reader(&[0x80, 0x00]).read_ref_type()),
            "integer representation too long"
        );
    }

    #[test]
    fn storage_types() {
        let storage = |bytes: &[u8]| reader(bytes).read_storage_type();
        assert_eq!(storage(&[0x78]).unwrap(), StorageType::I8);
        assert_eq!(storage(&[0x77]).unwrap(), StorageType::I16);
        assert_eq!(storage(&[0x7E]).unwrap(), StorageType::Val(ValType::I64));
        for bytes in [
            &[0x62, 0x00][..],
            &[0x64, 0x62, 0x62],
            &[0x76],
            &[0x80, 0x00],
        ] {
            let e = storage(bytes).unwrap_err();
            assert!(e.message().starts_with("malformed storage type"), "{e}");
            assert_eq!(e.offset(), 0);
        }
        // Running out stays an unexpected end.
        assert_eq!(message(storage(&[0x64])), crate::reader::UNEXPECTED_END);
    }

    #[test]
    fn vector_lengths() {
        // Three items need at least three bytes; the length's own byte counts.
        assert_eq!(reader(&[0x02, 0x00]).read_vec_len(10, "x").unwrap(), 2);
        assert_eq!(
            message(reader(&[0x03, 0x00]).read_vec_len(10, "x")),
            LENGTH_OUT_OF_BOUNDS
        );
        assert_eq!(
            message(reader(&[0x03, 0x00, 0x00, 0x00]).read_vec_len(2, "things")),
            "too many things: 3 exceeds the limit of 2"
        );
    }

    #[test]
    fn limits_flags_and_bounds() {
        let table = |bytes: &[u8]| reader(bytes).read_table_type();
        assert!(table(&[0x70, 0x05, 0x00, 0x01]).unwrap().table64);
        for flags in [0x02, 0x03, 0x06, 0x08, 0x10, 0x81] {
            assert_eq!(
                message(table(&[0x70, flags, 0x00, 0x00])),
                "malformed limits flags"
            );
        }
        let memory = |bytes: &[u8]| reader(bytes).read_memory_type_with(&Features::ALL);
        assert_eq!(message(memory(&[0x10, 0x00])), "malformed limits flags");
        // A 32-bit bound is read as a u64; range checks are validation's.
        let m = memory(&[0x00, 0x80, 0x80, 0x80, 0x80, 0x20]).unwrap();
        assert_eq!(m.limits.min, 1 << 33);
        assert!(!m.memory64);
        assert_eq!(
            memory(&[0x08, 0x00, 0x40]).unwrap().page_size_log2,
            Some(64)
        );
        assert!(message(memory(&[0x08, 0x00, 0x41])).contains("invalid custom page size"));
    }
}
