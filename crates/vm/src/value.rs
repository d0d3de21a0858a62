//! Values crossing the boundary between the host and wasm.

use rill_decoder::{AbsHeapType, HeapType, ValType};

/// A store address of a function; a non-null `funcref`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) u32);

/// A typed value. Floats are kept as their bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    /// The bits of an `f32`.
    F32(u32),
    /// The bits of an `f64`.
    F64(u64),
    V128(u128),
    /// A function reference (of any function type), or null.
    FuncRef(Option<Func>),
    /// An external reference (a host value), or null.
    ExternRef(Option<u32>),
    /// An exception reference (the store address of an exception, see
    /// [`Store::exception`](crate::Store::exception)), or null.
    ExnRef(Option<u32>),
    /// A null reference of another hierarchy (`any`, `exn`, …).
    NullRef,
}

impl Value {
    /// The default (zero / null) value of a type.
    pub fn default_of(ty: ValType) -> Value {
        match ty {
            ValType::I32 => Value::I32(0),
            ValType::I64 => Value::I64(0),
            ValType::F32 => Value::F32(0),
            ValType::F64 => Value::F64(0),
            ValType::V128 => Value::V128(0),
            ValType::Ref(r) => match ref_kind(r.heap) {
                RefKind::Func => Value::FuncRef(None),
                RefKind::Extern => Value::ExternRef(None),
                RefKind::Exn => Value::ExnRef(None),
                RefKind::Other => Value::NullRef,
            },
        }
    }

    /// The raw encoding of a value in a 64-bit slot, as the interpreter's registers and
    /// host functions on raw slots ([`Store::func_new_raw`](crate::Store::func_new_raw))
    /// hold it: numbers as their bits (`i32` and `f32` zero-extended); a reference 0 when
    /// null, else its store address plus one. A `v128` does not fit: this gives its low 64
    /// bits.
    pub fn to_raw(self) -> u64 {
        match self {
            Value::I32(v) => u64::from(v as u32),
            Value::I64(v) => v as u64,
            Value::F32(v) => u64::from(v),
            Value::F64(v) => v,
            Value::V128(v) => v as u64,
            Value::FuncRef(f) => f.map_or(0, |f| u64::from(f.0) + 1),
            Value::ExternRef(e) | Value::ExnRef(e) => e.map_or(0, |e| u64::from(e) + 1),
            Value::NullRef => 0,
        }
    }

    /// All the value's bits: a `v128` whole, anything else its register encoding
    /// zero-extended.
    pub(crate) fn to_bits128(self) -> u128 {
        match self {
            Value::V128(v) => v,
            v => u128::from(v.to_raw()),
        }
    }

    /// Decodes [`Value::to_bits128`]'s bits of a value of type `ty`.
    pub(crate) fn from_bits128(bits: u128, ty: ValType) -> Value {
        match ty {
            ValType::V128 => Value::V128(bits),
            ty => Value::from_raw(bits as u64, ty),
        }
    }

    /// Decodes [`Value::to_raw`]'s encoding of a value of type `ty` (a `v128` gets only
    /// the low 64 bits). Any bits decode to some value of the type's kind; whether a
    /// reference is one of the store's is checked where it is used.
    pub fn from_raw(raw: u64, ty: ValType) -> Value {
        match ty {
            ValType::I32 => Value::I32(raw as u32 as i32),
            ValType::I64 => Value::I64(raw as i64),
            ValType::F32 => Value::F32(raw as u32),
            ValType::F64 => Value::F64(raw),
            ValType::V128 => Value::V128(u128::from(raw)),
            ValType::Ref(r) => match (ref_kind(r.heap), raw) {
                (RefKind::Func, 0) => Value::FuncRef(None),
                (RefKind::Func, n) => Value::FuncRef(Some(Func((n - 1) as u32))),
                (RefKind::Extern, 0) => Value::ExternRef(None),
                (RefKind::Extern, n) => Value::ExternRef(Some((n - 1) as u32)),
                (RefKind::Exn, 0) => Value::ExnRef(None),
                (RefKind::Exn, n) => Value::ExnRef(Some((n - 1) as u32)),
                (RefKind::Other, _) => Value::NullRef,
            },
        }
    }

    /// Whether the value fits type `ty` (numbers by kind, references by hierarchy).
    pub fn matches(&self, ty: ValType) -> bool {
        match (self, ty) {
            (Value::I32(_), ValType::I32)
            | (Value::I64(_), ValType::I64)
            | (Value::F32(_), ValType::F32)
            | (Value::F64(_), ValType::F64)
            | (Value::V128(_), ValType::V128) => true,
            (Value::FuncRef(f), ValType::Ref(r)) => {
                ref_kind(r.heap) == RefKind::Func && (r.nullable || f.is_some())
            }
            (Value::ExternRef(e), ValType::Ref(r)) => {
                ref_kind(r.heap) == RefKind::Extern && (r.nullable || e.is_some())
            }
            (Value::ExnRef(e), ValType::Ref(r)) => {
                ref_kind(r.heap) == RefKind::Exn && (r.nullable || e.is_some())
            }
            (Value::NullRef, ValType::Ref(r)) => r.nullable,
            _ => false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefKind {
    Func,
    Extern,
    Exn,
    Other,
}

/// Which hierarchy a heap type belongs to (concrete types are function types here: GC
/// types are a later issue).
pub(crate) fn ref_kind(h: HeapType) -> RefKind {
    match h {
        HeapType::Abstract(AbsHeapType::Func | AbsHeapType::NoFunc) => RefKind::Func,
        HeapType::Abstract(AbsHeapType::Extern | AbsHeapType::NoExtern) => RefKind::Extern,
        HeapType::Abstract(AbsHeapType::Exn | AbsHeapType::NoExn) => RefKind::Exn,
        HeapType::Abstract(_) => RefKind::Other,
        HeapType::Concrete(_) | HeapType::Exact(_) => RefKind::Func,
    }
}
