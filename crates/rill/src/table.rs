//! `Table` (`WebAssembly.Table`).

use rill_decoder::{Limits, RefType, TableType, ValType};

use crate::error::{Error, RangeError, TypeError};
use crate::handles::Table;
use crate::memory::AddressType;
use crate::store::{AsContext, AsContextMut};
use crate::values::{check_leaving, Value};

/// What [`Table::new`] takes (the JS `TableDescriptor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableDescriptor {
    /// The element type, e.g. `RefType::FUNCREF`.
    pub element: RefType,
    /// The initial length.
    pub initial: u64,
    /// The maximum length, if any.
    pub maximum: Option<u64>,
    /// The index type.
    pub address: AddressType,
}

/// Most elements a table may have.
const MAX_TABLE: u64 = rill_vm::MAX_TABLE_ELEMENTS;

/// The value filling new slots: `init`, or null, or a `TypeError` for a non-nullable type.
fn init_value(element: RefType, init: Option<Value>) -> Result<Value, Error> {
    let ty = ValType::Ref(element);
    match init {
        Some(v) if v.matches(ty) => Ok(v),
        Some(v) => Err(TypeError::new(format!(
            "{v:?} is not a value of the table's element type {element:?}"
        ))
        .into()),
        None if element.nullable => Ok(Value::default_of(ty)),
        None => Err(TypeError::new(format!(
            "a table of non-nullable {element:?} needs an initial value"
        ))
        .into()),
    }
}

impl Table {
    /// A new table (`new WebAssembly.Table(descriptor, init)`): every element is `init`,
    /// or null when `init` is `None`.
    ///
    /// - `initial` > `maximum`, or above 10,000,000, or over the store's limits
    ///   ([`Store::set_limits`](crate::Store::set_limits)): [`Error::RangeError`].
    /// - `init` not of the element type, or no `init` for a non-nullable element type:
    ///   [`Error::TypeError`].
    pub fn new(
        mut store: impl AsContextMut,
        desc: TableDescriptor,
        init: Option<Value>,
    ) -> Result<Table, Error> {
        if desc.initial > MAX_TABLE {
            return Err(RangeError::new(format!(
                "initial table length {} is above the limit of {MAX_TABLE}",
                desc.initial
            ))
            .into());
        }
        if desc.maximum.is_some_and(|m| desc.initial > m) {
            return Err(RangeError::new(format!(
                "initial table length {} is above the maximum {}",
                desc.initial,
                desc.maximum.unwrap_or_default()
            ))
            .into());
        }
        let init = init_value(desc.element, init)?;
        let ty = TableType {
            element: desc.element,
            limits: Limits {
                min: desc.initial,
                max: desc.maximum,
            },
            table64: desc.address == AddressType::I64,
            shared: false,
        };
        let cx = store.as_context_mut();
        let id = cx.0.id();
        let index =
            cx.0.try_table_new(ty, init.to_vm(id)?)
                .map_err(|e| match e {
                    rill_vm::TableNewError::WrongType => Error::from(TypeError::new(format!(
                        "{init:?} is not a value of the table"
                    ))),
                    // Over the store's limits (the message says which).
                    rill_vm::TableNewError::Resource(msg) => RangeError::new(msg).into(),
                })?;
        Ok(Table { store: id, index })
    }

    /// The table's type (with its initial length).
    pub fn ty(&self, store: impl AsContext) -> Result<TableDescriptor, Error> {
        let cx = store.as_context();
        let t = cx.check(self.store, "the table")?.table(self.index).ty();
        Ok(TableDescriptor {
            element: t.element,
            initial: t.limits.min,
            maximum: t.limits.max,
            address: if t.table64 {
                AddressType::I64
            } else {
                AddressType::I32
            },
        })
    }

    /// The current length.
    pub fn length(&self, store: impl AsContext) -> Result<u64, Error> {
        let cx = store.as_context();
        Ok(cx.check(self.store, "the table")?.table(self.index).len())
    }

    /// The element at `i`; out of bounds: [`Error::RangeError`].
    pub fn get(&self, store: impl AsContext, i: u64) -> Result<Value, Error> {
        let cx = store.as_context();
        let v = cx
            .check(self.store, "the table")?
            .table_get(self.index, i)
            .ok_or_else(|| oob(i))?;
        check_leaving(&[v])?;
        Ok(Value::from_vm(v, self.store))
    }

    /// Sets the element at `i`; out of bounds: [`Error::RangeError`]; a value of another
    /// type: [`Error::TypeError`].
    pub fn set(&self, mut store: impl AsContextMut, i: u64, v: Value) -> Result<(), Error> {
        let mut cx = store.as_context_mut();
        let vm = cx.check(self.store, "the table")?;
        let v = init_value(vm.table(self.index).ty().element, Some(v))?;
        vm.table_set(self.index, i, v.to_vm(self.store)?)
            .map_err(|e| match e {
                rill_vm::AccessError::OutOfBounds => oob(i),
                e => TypeError::new(format!("{v:?}: {e}")).into(),
            })
    }

    /// Grows the table by `delta` elements set to `init` (or null) and returns the old
    /// length. Beyond the maximum or 10,000,000 elements, or refused by the store's limits
    /// ([`Store::set_limits`](crate::Store::set_limits)): [`Error::RangeError`].
    pub fn grow(
        &self,
        mut store: impl AsContextMut,
        delta: u64,
        init: Option<Value>,
    ) -> Result<u64, Error> {
        let mut cx = store.as_context_mut();
        let vm = cx.check(self.store, "the table")?;
        let ty = vm.table(self.index).ty();
        let init = init_value(ty.element, init)?;
        let fail = || RangeError::new(format!("cannot grow the table by {delta} elements"));
        if !ty.table64 && delta > u64::from(u32::MAX) {
            return Err(fail().into());
        }
        vm.table_grow(self.index, delta, init.to_vm(self.store)?)
            .map_err(|e| TypeError::new(format!("{init:?}: {e}")))?
            .ok_or_else(|| fail().into())
    }
}

fn oob(i: u64) -> Error {
    RangeError::new(format!("table index {i} is out of bounds")).into()
}
