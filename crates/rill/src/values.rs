//! Values crossing between Rust and wasm, and the Rust types typed host functions use.

use std::any::Any;
use std::sync::Arc;

use rill_decoder::{AbsHeapType, HeapType, RefType, ValType};

use crate::error::Error;
use crate::handles::{ExternRef, Func, StoreId};
use crate::store::{foreign, AsContext, AsContextMut};

/// A wasm value (the Rust counterpart of a JS value converted by `ToWebAssemblyValue`).
///
/// `f32`/`f64` keep their bits (NaN payloads included) as long as Rust does not compute
/// with them. As in JS, a `v128` does not cross the façade's JS-API calls and globals
/// ([`Func::call`], [`Global::get`](crate::Global::get), ... give a `TypeError`); the
/// Rust-only [`Func::call_with_v128`], [`Global::get_with_v128`](crate::Global::get_with_v128)
/// and [`Global::set_with_v128`](crate::Global::set_with_v128) pass a `V128` with all 128
/// bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
    /// A `v128`, lane 0 in the least significant bits (accepted only by the Rust-only
    /// `*_with_v128` calls and accessors).
    V128(u128),
    /// A function reference, or null.
    FuncRef(Option<Func>),
    /// An external reference (a host value), or null.
    ExternRef(Option<ExternRef>),
    /// A null reference of another hierarchy (`anyref`, `exnref`, ...). (A non-null
    /// `exnref` does not leave wasm: see [`Func::call`].)
    NullRef,
}

impl Value {
    /// The default value of a type (zero, or null).
    pub fn default_of(ty: ValType) -> Value {
        match rill_vm::Value::default_of(ty) {
            rill_vm::Value::I32(_) => Value::I32(0),
            rill_vm::Value::I64(_) => Value::I64(0),
            rill_vm::Value::F32(_) => Value::F32(0.0),
            rill_vm::Value::F64(_) => Value::F64(0.0),
            rill_vm::Value::V128(_) => Value::V128(0),
            rill_vm::Value::FuncRef(_) => Value::FuncRef(None),
            rill_vm::Value::ExternRef(_) => Value::ExternRef(None),
            rill_vm::Value::ExnRef(_) | rill_vm::Value::NullRef => Value::NullRef,
        }
    }

    /// Whether the value is of type `ty` (numbers by kind, references by hierarchy and
    /// nullability).
    pub fn matches(&self, ty: ValType) -> bool {
        self.to_vm_unchecked().matches(ty)
    }

    /// A number of type `ty` as a raw slot (the encoding of [`rill_vm::Value::to_raw`],
    /// matched directly: this is `Func::call`'s fast path); `None` if the value is not a
    /// number of that type.
    #[inline]
    pub(crate) fn number_to_raw(&self, ty: ValType) -> Option<u64> {
        Some(match (*self, ty) {
            (Value::I32(x), ValType::I32) => u64::from(x as u32),
            (Value::I64(x), ValType::I64) => x as u64,
            (Value::F32(x), ValType::F32) => u64::from(x.to_bits()),
            (Value::F64(x), ValType::F64) => x.to_bits(),
            _ => return None,
        })
    }

    /// The interpreter's value, for store `store`: a reference to an entity of another
    /// store is an [`Error::TypeError`].
    pub(crate) fn to_vm(self, store: StoreId) -> Result<rill_vm::Value, Error> {
        match self {
            Value::FuncRef(Some(f)) if f.store != store => Err(foreign("a function reference")),
            Value::ExternRef(Some(e)) if e.store != store => Err(foreign("an external reference")),
            v => Ok(v.to_vm_unchecked()),
        }
    }

    /// The interpreter's value, references by index whatever their store.
    fn to_vm_unchecked(self) -> rill_vm::Value {
        match self {
            Value::I32(v) => rill_vm::Value::I32(v),
            Value::I64(v) => rill_vm::Value::I64(v),
            Value::F32(v) => rill_vm::Value::F32(v.to_bits()),
            Value::F64(v) => rill_vm::Value::F64(v.to_bits()),
            Value::V128(v) => rill_vm::Value::V128(v),
            Value::FuncRef(f) => rill_vm::Value::FuncRef(f.map(|f| f.index)),
            Value::ExternRef(e) => rill_vm::Value::ExternRef(e.map(|e| e.index)),
            Value::NullRef => rill_vm::Value::NullRef,
        }
    }

    /// The value of the interpreter's value `v` of store `store`.
    pub(crate) fn from_vm(v: rill_vm::Value, store: StoreId) -> Value {
        match v {
            rill_vm::Value::I32(v) => Value::I32(v),
            rill_vm::Value::I64(v) => Value::I64(v),
            rill_vm::Value::F32(v) => Value::F32(f32::from_bits(v)),
            rill_vm::Value::F64(v) => Value::F64(f64::from_bits(v)),
            rill_vm::Value::V128(v) => Value::V128(v),
            rill_vm::Value::FuncRef(f) => Value::FuncRef(f.map(|index| Func { store, index })),
            rill_vm::Value::ExternRef(e) => {
                Value::ExternRef(e.map(|index| ExternRef { store, index }))
            }
            // Non-null: refused by `check_leaving` before any conversion.
            rill_vm::Value::NullRef | rill_vm::Value::ExnRef(_) => Value::NullRef,
        }
    }
}

/// The JS rule for values leaving wasm (results, host function arguments, globals, table
/// elements): a non-null `exnref` does not (`TypeError`).
pub(crate) fn check_leaving(values: &[rill_vm::Value]) -> Result<(), crate::Error> {
    if values
        .iter()
        .any(|v| matches!(v, rill_vm::Value::ExnRef(Some(_))))
    {
        return Err(crate::error::TypeError::new(
            "an exception reference (exnref) cannot leave wasm",
        )
        .into());
    }
    Ok(())
}

/// Whether a type is a number type (`i32`, `i64`, `f32`, `f64`).
pub(crate) fn is_number(ty: &ValType) -> bool {
    matches!(
        ty,
        ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64
    )
}

/// Whether a type can cross the façade's JS-API calls (everything but `v128` and `exnref`,
/// as in JS: a function with either in its type is not callable from JS).
pub(crate) fn crosses(ty: &ValType) -> bool {
    !matches!(
        ty,
        ValType::V128
            | ValType::Ref(RefType {
                heap: HeapType::Abstract(AbsHeapType::Exn | AbsHeapType::NoExn),
                ..
            })
    )
}

/// Whether a type can be named without a module (no concrete type indices).
pub(crate) fn is_abstract(ty: ValType) -> bool {
    !matches!(
        ty,
        ValType::Ref(RefType {
            heap: HeapType::Concrete(_) | HeapType::Exact(_),
            ..
        })
    )
}

/// `funcref`.
pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
/// `externref`.
pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);

impl ExternRef {
    /// A new reference to `data`, kept by the store.
    pub fn new(mut store: impl AsContextMut, data: impl Any + Send + Sync) -> ExternRef {
        let cx = store.as_context_mut();
        let id = cx.0.id();
        let externs = &mut cx.0.data_mut().rt.externs;
        externs.push(Arc::new(data));
        ExternRef {
            store: id,
            index: externs.len() as u32 - 1,
        }
    }

    /// The host value.
    pub fn data<'a, S: AsContext + ?Sized>(
        &self,
        store: &'a S,
    ) -> Result<&'a Arc<dyn Any + Send + Sync>, Error> {
        let cx = store.as_context();
        cx.check(self.store, "the external reference")?;
        Ok(&cx.rt().externs[self.index as usize])
    }
}

mod private {
    pub trait Sealed {}
}

/// A Rust type that is a wasm value type, for typed host functions and calls
/// ([`Func::wrap`](crate::Func::wrap), [`Func::typed`](crate::Func::typed)): `i32`,
/// `i64`, `f32`, `f64`, `Option<Func>` (`funcref`), `Option<ExternRef>` (`externref`).
/// Sealed.
pub trait WasmType: private::Sealed + Send + 'static + Sized {
    /// The wasm type.
    fn val_type() -> ValType;
    /// The Rust value of a wasm value of this type.
    fn from_value(v: Value) -> Option<Self>;
    /// The wasm value.
    fn into_value(self) -> Value;
    /// The Rust value of an interpreter value of store `store`.
    #[doc(hidden)]
    fn from_vm(v: rill_vm::Value, store: StoreId) -> Option<Self> {
        Self::from_value(Value::from_vm(v, store))
    }
    /// The interpreter's value for store `store`.
    #[doc(hidden)]
    fn to_vm(self, store: StoreId) -> Result<rill_vm::Value, Error> {
        self.into_value().to_vm(store)
    }
    /// The Rust value of a raw slot of store `store` (see [`rill_vm::Value::to_raw`]).
    #[doc(hidden)]
    fn from_raw(raw: u64, store: StoreId) -> Option<Self> {
        Self::from_vm(rill_vm::Value::from_raw(raw, Self::val_type()), store)
    }
    /// The raw slot for store `store`.
    #[doc(hidden)]
    fn to_raw(self, store: StoreId) -> Result<u64, Error> {
        Ok(self.to_vm(store)?.to_raw())
    }
}

macro_rules! wasm_type {
    ($t:ty, $vt:expr, $var:ident) => {
        impl private::Sealed for $t {}
        impl WasmType for $t {
            fn val_type() -> ValType {
                $vt
            }
            fn from_value(v: Value) -> Option<Self> {
                match v {
                    Value::$var(x) => Some(x),
                    _ => None,
                }
            }
            fn into_value(self) -> Value {
                Value::$var(self)
            }
        }
    };
}

/// The numbers skip the detour through [`Value`]: `$to`/`$from` convert to and from the
/// interpreter's value's payload, `$to_raw`/`$from_raw` to and from a raw slot.
macro_rules! wasm_number {
    ($t:ty, $vt:expr, $var:ident, $to:expr, $from:expr, $to_raw:expr, $from_raw:expr) => {
        impl private::Sealed for $t {}
        impl WasmType for $t {
            fn val_type() -> ValType {
                $vt
            }
            fn from_value(v: Value) -> Option<Self> {
                match v {
                    Value::$var(x) => Some(x),
                    _ => None,
                }
            }
            fn into_value(self) -> Value {
                Value::$var(self)
            }
            #[inline]
            fn from_vm(v: rill_vm::Value, _: StoreId) -> Option<Self> {
                match v {
                    rill_vm::Value::$var(x) => Some($from(x)),
                    _ => None,
                }
            }
            #[inline]
            fn to_vm(self, _: StoreId) -> Result<rill_vm::Value, Error> {
                Ok(rill_vm::Value::$var($to(self)))
            }
            #[inline]
            fn from_raw(raw: u64, _: StoreId) -> Option<Self> {
                Some($from_raw(raw))
            }
            #[inline]
            fn to_raw(self, _: StoreId) -> Result<u64, Error> {
                Ok($to_raw(self))
            }
        }
    };
}

wasm_number!(
    i32,
    ValType::I32,
    I32,
    |x| x,
    |x| x,
    |x: i32| u64::from(x as u32),
    |r: u64| r as u32 as i32
);
wasm_number!(
    i64,
    ValType::I64,
    I64,
    |x| x,
    |x| x,
    |x: i64| x as u64,
    |r: u64| r as i64
);
wasm_number!(
    f32,
    ValType::F32,
    F32,
    f32::to_bits,
    f32::from_bits,
    |x: f32| u64::from(x.to_bits()),
    |r: u64| f32::from_bits(r as u32)
);
wasm_number!(
    f64,
    ValType::F64,
    F64,
    f64::to_bits,
    f64::from_bits,
    f64::to_bits,
    f64::from_bits
);
wasm_type!(Option<Func>, FUNCREF, FuncRef);
wasm_type!(Option<ExternRef>, EXTERNREF, ExternRef);

/// The abstract heap type of a reference type, if it is one.
#[allow(dead_code)]
pub(crate) fn abs_heap(r: RefType) -> Option<AbsHeapType> {
    match r.heap {
        HeapType::Abstract(a) => Some(a),
        _ => None,
    }
}
