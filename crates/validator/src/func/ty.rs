//! The operand stack's type: a value type packed into a `u32`, plus the two types only
//! unreachable code produces (an unknown type, and a reference of unknown heap type).
//!
//! Packing makes the stack 4 bytes a slot and the common check — "is the top exactly the
//! expected type?" — one integer comparison. Everything else (subtyping, the polymorphic
//! bottom) goes through [`FuncValidator::matches`](super::FuncValidator).
//!
//! Layout: bits 0–7 a code, bits 8–31 a type index (concrete and exact heap types).
//! Codes: 0 unknown, 1–5 `i32 i64 f32 f64 v128`; references set `REF`, `NULLABLE` when
//! nullable, and a heap kind in bits 4–5 (abstract, with the [`AbsHeapType`] in bits 0–3;
//! concrete; exact; or unknown). Type indices are below [`MAX_TYPES`] (< 2^20), so bit 31 is
//! free: locals use it to mark "not yet initialised" ([`Ty::UNINIT`]).
//!
//! [`MAX_TYPES`]: rill_decoder::limits::MAX_TYPES

use rill_decoder::{AbsHeapType, HeapType, RefType, ValType};

/// A packed operand type. Equal packings are equal types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ty(pub(crate) u32);

const REF: u32 = 0x80;
const NULLABLE: u32 = 0x40;
const HEAP_MASK: u32 = 0x30;
const HEAP_ABSTRACT: u32 = 0x00;
const HEAP_CONCRETE: u32 = 0x10;
const HEAP_EXACT: u32 = 0x20;
const HEAP_UNKNOWN: u32 = 0x30;
const INDEX_SHIFT: u32 = 8;

const ABSTRACT: [AbsHeapType; 12] = [
    AbsHeapType::Func,
    AbsHeapType::NoFunc,
    AbsHeapType::Extern,
    AbsHeapType::NoExtern,
    AbsHeapType::Any,
    AbsHeapType::Eq,
    AbsHeapType::I31,
    AbsHeapType::Struct,
    AbsHeapType::Array,
    AbsHeapType::None,
    AbsHeapType::Exn,
    AbsHeapType::NoExn,
];

const fn abs_code(a: AbsHeapType) -> u32 {
    match a {
        AbsHeapType::Func => 0,
        AbsHeapType::NoFunc => 1,
        AbsHeapType::Extern => 2,
        AbsHeapType::NoExtern => 3,
        AbsHeapType::Any => 4,
        AbsHeapType::Eq => 5,
        AbsHeapType::I31 => 6,
        AbsHeapType::Struct => 7,
        AbsHeapType::Array => 8,
        AbsHeapType::None => 9,
        AbsHeapType::Exn => 10,
        AbsHeapType::NoExn => 11,
    }
}

impl Ty {
    /// Unknown: popped from the polymorphic bottom of unreachable code.
    pub const BOT: Ty = Ty(0);
    pub const I32: Ty = Ty(1);
    pub const I64: Ty = Ty(2);
    pub const F32: Ty = Ty(3);
    pub const F64: Ty = Ty(4);
    pub const V128: Ty = Ty(5);
    /// Marks a local that is not initialised yet (never on the operand stack).
    pub const UNINIT: u32 = 1 << 31;

    /// A reference of unknown heap type (from unreachable code).
    pub const fn ref_bot(nullable: bool) -> Ty {
        Ty(REF | HEAP_UNKNOWN | if nullable { NULLABLE } else { 0 })
    }

    /// Packs a value type. Its type index (if any) must have been checked against the
    /// module's types.
    #[inline]
    pub const fn from_val(v: ValType) -> Ty {
        match v {
            ValType::I32 => Ty::I32,
            ValType::I64 => Ty::I64,
            ValType::F32 => Ty::F32,
            ValType::F64 => Ty::F64,
            ValType::V128 => Ty::V128,
            ValType::Ref(r) => Ty::from_ref(r),
        }
    }

    /// Packs a reference type (its type index, if any, checked).
    #[inline]
    pub const fn from_ref(r: RefType) -> Ty {
        let n = if r.nullable { NULLABLE } else { 0 };
        match r.heap {
            HeapType::Abstract(a) => Ty(REF | n | HEAP_ABSTRACT | abs_code(a)),
            HeapType::Concrete(i) => Ty(REF | n | HEAP_CONCRETE | (i << INDEX_SHIFT)),
            HeapType::Exact(i) => Ty(REF | n | HEAP_EXACT | (i << INDEX_SHIFT)),
        }
    }

    /// Whether this is the unknown type.
    #[inline]
    pub fn is_bot(self) -> bool {
        self.0 == 0
    }

    /// Whether this is a reference (of known or unknown heap type).
    #[inline]
    pub fn is_ref(self) -> bool {
        self.0 & REF != 0
    }

    /// Whether this is a reference of unknown heap type.
    #[inline]
    pub fn is_ref_bot(self) -> bool {
        self.0 & (REF | HEAP_MASK) == REF | HEAP_UNKNOWN
    }

    /// Whether this is a nullable reference (known or unknown heap type).
    #[inline]
    pub fn is_nullable(self) -> bool {
        self.0 & (REF | NULLABLE) == REF | NULLABLE
    }

    /// The value type, unless unknown (or a reference of unknown heap type).
    pub fn to_val(self) -> Option<ValType> {
        Some(match self.0 {
            1 => ValType::I32,
            2 => ValType::I64,
            3 => ValType::F32,
            4 => ValType::F64,
            5 => ValType::V128,
            _ => ValType::Ref(self.as_ref()?),
        })
    }

    /// The reference type, if this is a reference of known heap type.
    pub fn as_ref(self) -> Option<RefType> {
        if self.0 & REF == 0 {
            return None;
        }
        let index = (self.0 & !Ty::UNINIT) >> INDEX_SHIFT;
        let heap = match self.0 & HEAP_MASK {
            HEAP_ABSTRACT => HeapType::Abstract(ABSTRACT[(self.0 & 0xF) as usize]),
            HEAP_CONCRETE => HeapType::Concrete(index),
            HEAP_EXACT => HeapType::Exact(index),
            _ => return None,
        };
        Some(RefType {
            nullable: self.0 & NULLABLE != 0,
            heap,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut all = vec![
            ValType::I32,
            ValType::I64,
            ValType::F32,
            ValType::F64,
            ValType::V128,
        ];
        for nullable in [false, true] {
            for a in ABSTRACT {
                all.push(ValType::Ref(RefType {
                    nullable,
                    heap: HeapType::Abstract(a),
                }));
            }
            for i in [0, 1, 77, rill_decoder::limits::MAX_TYPES - 1] {
                for heap in [HeapType::Concrete(i), HeapType::Exact(i)] {
                    all.push(ValType::Ref(RefType { nullable, heap }));
                }
            }
        }
        for (k, &a) in all.iter().enumerate() {
            let t = Ty::from_val(a);
            assert_eq!(t.to_val(), Some(a));
            assert!(!t.is_bot() && !t.is_ref_bot());
            assert_eq!(t.0 & Ty::UNINIT, 0);
            for &b in &all[k + 1..] {
                assert_ne!(t, Ty::from_val(b), "{a:?} vs {b:?}");
            }
        }
        assert_eq!(Ty::BOT.to_val(), None);
        assert!(Ty::ref_bot(true).is_ref_bot() && Ty::ref_bot(true).is_nullable());
        assert!(Ty::ref_bot(false).is_ref() && !Ty::ref_bot(false).is_nullable());
        assert_eq!(Ty::ref_bot(false).as_ref(), None);
    }
}
