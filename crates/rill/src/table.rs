//! `Table` (`WebAssembly.Table`).

use rill_decoder::{Limits, RefType, TableType, ValType};

use crate::error::{Error, RangeError, TypeError};
use crate::helpers::table_ops;
use crate::memory::AddressType;
use crate::runtime::{invoke, with_state, State};
use crate::values::Value;

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

/// A table of references (`WebAssembly.Table`): a handle into the façade's store, `Copy`,
/// `Send + Sync`, equal exactly when it is the same table.
///
/// ```
/// use rill::{RefType, Table, TableDescriptor, Value, AddressType};
/// let desc = TableDescriptor { element: RefType::FUNCREF, initial: 2, maximum: None, address: AddressType::I32 };
/// let table = Table::new(desc, None)?;
/// let f = rill::Func::wrap(|| 7i32);
/// table.set(1, Value::FuncRef(Some(f)))?;
/// assert_eq!(table.get(1)?, Value::FuncRef(Some(f)));
/// assert_eq!(table.grow(3, None)?, 2);
/// assert_eq!(table.length()?, 5);
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) u32);

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
    /// - `initial` > `maximum`, or above 10,000,000: [`Error::RangeError`].
    /// - `init` not of the element type, or no `init` for a non-nullable element type:
    ///   [`Error::TypeError`].
    pub fn new(desc: TableDescriptor, init: Option<Value>) -> Result<Table, Error> {
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
        with_state(|st| {
            let a = st.store.table_new(ty, init.to_vm());
            st.tables.insert(a, ty);
            Table(a)
        })
    }

    /// The table's type (with its initial length).
    pub fn ty(&self) -> Result<TableDescriptor, Error> {
        with_state(|st| {
            let t = st.tables[&self.0];
            TableDescriptor {
                element: t.element,
                initial: t.limits.min,
                maximum: t.limits.max,
                address: if t.table64 {
                    AddressType::I64
                } else {
                    AddressType::I32
                },
            }
        })
    }

    fn index(ty: TableType, i: u64) -> Result<rill_vm::Value, Error> {
        Ok(if ty.table64 {
            rill_vm::Value::I64(i as i64)
        } else {
            rill_vm::Value::I32(u32::try_from(i).map_err(|_| oob(i))? as i32)
        })
    }

    fn with_ops<R>(
        &self,
        f: impl FnOnce(&mut State, TableType, crate::helpers::TableOps) -> Result<R, Error>,
    ) -> Result<R, Error> {
        with_state(|st| {
            let ty = st.tables[&self.0];
            let ops = table_ops(st, self.0, ty)?;
            f(st, ty, ops)
        })?
    }

    /// The current length.
    pub fn length(&self) -> Result<u64, Error> {
        self.with_ops(|st, _, ops| Ok(as_u64(invoke(st, ops.size, &[])?[0])))
    }

    /// The element at `i`; out of bounds: [`Error::RangeError`].
    pub fn get(&self, i: u64) -> Result<Value, Error> {
        self.with_ops(|st, ty, ops| {
            let idx = Self::index(ty, i)?;
            let r = invoke(st, ops.get, &[idx]).map_err(|_| oob(i))?;
            crate::values::check_leaving(&r)?;
            Ok(Value::from_vm(r[0]))
        })
    }

    /// Sets the element at `i`; out of bounds: [`Error::RangeError`]; a value of another
    /// type: [`Error::TypeError`].
    pub fn set(&self, i: u64, v: Value) -> Result<(), Error> {
        self.with_ops(|st, ty, ops| {
            let v = init_value(ty.element, Some(v))?;
            let idx = Self::index(ty, i)?;
            invoke(st, ops.set, &[idx, v.to_vm()]).map_err(|_| oob(i))?;
            Ok(())
        })
    }

    /// Grows the table by `delta` elements set to `init` (or null) and returns the old
    /// length. Beyond the maximum or 10,000,000 elements: [`Error::RangeError`].
    pub fn grow(&self, delta: u64, init: Option<Value>) -> Result<u64, Error> {
        self.with_ops(|st, ty, ops| {
            let init = init_value(ty.element, init)?;
            let fail = || RangeError::new(format!("cannot grow the table by {delta} elements"));
            let n = Self::index(ty, delta).map_err(|_| fail())?;
            let r = as_u64(invoke(st, ops.grow, &[init.to_vm(), n])?[0]);
            let minus_one = if ty.table64 {
                u64::MAX
            } else {
                u64::from(u32::MAX)
            };
            if r == minus_one {
                return Err(fail().into());
            }
            Ok(r)
        })
    }
}

fn as_u64(v: rill_vm::Value) -> u64 {
    match v {
        rill_vm::Value::I32(v) => u64::from(v as u32),
        rill_vm::Value::I64(v) => v as u64,
        _ => 0,
    }
}

fn oob(i: u64) -> Error {
    RangeError::new(format!("table index {i} is out of bounds")).into()
}
