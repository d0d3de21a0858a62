//! The type grammar of Wasm 3.0 (with GC, typed references, exceptions, memory64 and
//! custom page sizes) and how each type is read from the binary format.

use crate::reader::BinaryReader;
use crate::{DecodeError, Result};

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
            _ => Err(DecodeError::new(at, "malformed value type")),
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
                None => Err(DecodeError::new(at, "malformed reference type")),
            },
        }
    }

    /// Reads a heap type: an abstract type code, `0x62 idx` (exact) or a type index (s33).
    pub fn read_heap_type(&mut self) -> Result<HeapType> {
        let at = self.offset();
        let b = self.peek_u8()?;
        if let Some(ty) = AbsHeapType::from_code(b) {
            self.read_u8()?;
            return Ok(HeapType::Abstract(ty));
        }
        if b == 0x62 {
            self.read_u8()?;
            return Ok(HeapType::Exact(self.read_var_u32()?));
        }
        let idx = self.read_var_s33()?;
        match u32::try_from(idx) {
            Ok(idx) => Ok(HeapType::Concrete(idx)),
            Err(_) => Err(DecodeError::new(at, "malformed heap type")),
        }
    }

    /// Reads a block type: `0x40`, a value type, or a type index (s33).
    pub fn read_block_type(&mut self) -> Result<BlockType> {
        let at = self.offset();
        let b = self.peek_u8()?;
        if b == 0x40 {
            self.read_u8()?;
            return Ok(BlockType::Empty);
        }
        if is_val_type_start(b) {
            return Ok(BlockType::Value(self.read_val_type()?));
        }
        let idx = self.read_var_s33()?;
        match u32::try_from(idx) {
            Ok(idx) => Ok(BlockType::FuncType(idx)),
            Err(_) => Err(DecodeError::new(at, "malformed block type")),
        }
    }

    /// Reads a storage type (a value type or a packed type).
    pub fn read_storage_type(&mut self) -> Result<StorageType> {
        match self.peek_u8()? {
            0x78 => self.advance(StorageType::I8),
            0x77 => self.advance(StorageType::I16),
            _ => Ok(StorageType::Val(self.read_val_type()?)),
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
        let n = self.read_size(crate::limits::MAX_FUNCTION_PARAMS, "parameters or results")?;
        let mut v = Vec::with_capacity((n as usize).min(self.bytes_remaining()));
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
        let kind = match self.read_u8()? {
            0x60 => {
                let params = self.read_result_types()?;
                let results = self.read_result_types()?;
                CompositeTypeKind::Func(FuncType { params, results })
            }
            0x5F => {
                let n = self.read_size(crate::limits::MAX_STRUCT_FIELDS, "struct fields")?;
                let mut fields = Vec::with_capacity((n as usize).min(self.bytes_remaining()));
                for _ in 0..n {
                    fields.push(self.read_field_type()?);
                }
                CompositeTypeKind::Struct(fields.into_boxed_slice())
            }
            0x5E => CompositeTypeKind::Array(self.read_field_type()?),
            _ => return Err(DecodeError::new(at, "malformed definition type")),
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
            let n = self.read_size(crate::limits::MAX_SUPERTYPES, "supertypes")?;
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
        if self.peek_u8()? == 0x4E {
            self.read_u8()?;
            let n = self.read_size(crate::limits::MAX_TYPES, "types")?;
            let mut types = Vec::with_capacity((n as usize).min(self.bytes_remaining()));
            for _ in 0..n {
                types.push(self.read_sub_type()?);
            }
            Ok(RecGroup {
                types,
                explicit: true,
            })
        } else {
            Ok(RecGroup {
                types: vec![self.read_sub_type()?],
                explicit: false,
            })
        }
    }

    /// Reads limits with their flags byte. Bit 0: has max; bit 1: shared; bit 2: 64-bit
    /// addresses; bit 3: custom page size (memories only). Returns the limits and the flags.
    fn read_limits(&mut self, allowed_flags: u8) -> Result<(Limits, u8)> {
        let at = self.offset();
        let flags = self.read_u8()?;
        if flags & !allowed_flags != 0 {
            return Err(DecodeError::new(at, "malformed limits flags"));
        }
        let is64 = flags & 0x04 != 0;
        let read = |r: &mut Self| -> Result<u64> {
            if is64 {
                r.read_var_u64()
            } else {
                r.read_var_u32().map(u64::from)
            }
        };
        let min = read(self)?;
        let max = if flags & 0x01 != 0 {
            Some(read(self)?)
        } else {
            None
        };
        Ok((Limits { min, max }, flags))
    }

    /// Reads a memory type.
    pub fn read_memory_type(&mut self) -> Result<MemoryType> {
        let (limits, flags) = self.read_limits(0x0F)?;
        let page_size_log2 = if flags & 0x08 != 0 {
            let at = self.offset();
            let p = self.read_var_u32()?;
            if p > 64 {
                return Err(DecodeError::new(at, "malformed memory page size"));
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

    /// Reads a table type (reference type, then limits).
    pub fn read_table_type(&mut self) -> Result<TableType> {
        let element = self.read_ref_type()?;
        let (limits, flags) = self.read_limits(0x07)?;
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
            return Err(DecodeError::new(at, "malformed tag attribute"));
        }
        Ok(TagType {
            func_type: self.read_var_u32()?,
        })
    }
}

/// Whether byte `b` starts a reference type.
fn is_ref_type_start(b: u8) -> bool {
    b == 0x64 || b == 0x63 || AbsHeapType::from_code(b).is_some()
}

/// Whether byte `b` starts a value type.
fn is_val_type_start(b: u8) -> bool {
    matches!(b, 0x7B..=0x7F) || is_ref_type_start(b)
}
