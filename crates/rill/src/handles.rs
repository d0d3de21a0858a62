//! Handles: what names an entity of a store. Each is small and `Copy`, records its
//! store's id (a handle used with another store is refused), and is equal to another
//! exactly when both name the same entity. The operations on them are in the modules of
//! their JS counterparts (`func`, `memory`, ...); the store itself is in `store`.

use std::sync::Arc;

use crate::module::ExternKind;

pub(crate) type StoreId = rill_vm::StoreId;

/// A function: an exported wasm function or a host function (`Exported Function` in JS).
///
/// A handle into its store: `Copy`, `Send + Sync`, and equal exactly when it is the same
/// function, so a function exported by one instance and imported by another keeps its
/// identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: StoreId,
    pub(crate) index: rill_vm::Func,
}

/// A linear memory (`WebAssembly.Memory`): a handle into its store, `Copy`, `Send +
/// Sync`, equal exactly when it is the same memory.
///
/// # Reading and writing
/// The bytes live in the store. [`Memory::data`] and [`Memory::data_mut`] borrow them (no
/// copy) for as long as the store is borrowed, which inside a host function is the call's
/// duration; [`Memory::read`] / [`Memory::write`] copy bytes in and out with a bounds
/// check. [`Memory::buffer`] is the JS `buffer`: a view that stops working (is detached)
/// when the memory grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

/// A table of references (`WebAssembly.Table`): a handle into its store, `Copy`,
/// `Send + Sync`, equal exactly when it is the same table.
///
/// ```
/// use rill::{RefType, Store, Table, TableDescriptor, Value, AddressType};
/// let mut store = Store::new(());
/// let desc = TableDescriptor { element: RefType::FUNCREF, initial: 2, maximum: None, address: AddressType::I32 };
/// let table = Table::new(&mut store, desc, None)?;
/// let f = rill::Func::wrap(&mut store, || 7i32);
/// table.set(&mut store, 1, Value::FuncRef(Some(f)))?;
/// assert_eq!(table.get(&store, 1)?, Value::FuncRef(Some(f)));
/// assert_eq!(table.grow(&mut store, 3, None)?, 2);
/// assert_eq!(table.length(&store)?, 5);
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

/// A global (`WebAssembly.Global`): a handle into its store, `Copy`,
/// `Send + Sync`, equal exactly when it is the same global.
///
/// As in JS, a `v128` global can be created (with its default value) and imported, but
/// neither read nor written through [`Global::get`] and [`Global::set`]
/// ([`Error::TypeError`](crate::Error::TypeError)). The Rust-only [`Global::get_with_v128`] and
/// [`Global::set_with_v128`] read and write it with all 128 bits.
///
/// ```
/// use rill::{Global, GlobalDescriptor, Store, ValType, Value};
/// let mut store = Store::new(());
/// let g = Global::new(&mut store, GlobalDescriptor { value: ValType::I64, mutable: true }, None)?;
/// assert_eq!(g.get(&store)?, Value::I64(0));
/// g.set(&mut store, Value::I64(-5))?;
/// assert_eq!(g.get(&store)?, Value::I64(-5));
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

/// An exception tag: a handle into its store, `Copy`; two tags are equal only if they are
/// the same tag, even with equal parameters. A tag a module defines and exports is the
/// same `Tag` every time it is exported or imported again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

/// A non-null external reference: a host value wasm can hold and pass around but not
/// look into. A handle into its store (the value lives as long as the store), `Copy`;
/// equal references are the same value.
///
/// ```
/// let mut store = rill::Store::new(());
/// let r = rill::ExternRef::new(&mut store, String::from("a host value"));
/// assert_eq!(r.data(&store)?.downcast_ref::<String>().unwrap(), "a host value");
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

/// Something an instance exports, or an import is given: a function, memory, table,
/// global or tag. Equal exactly when it is the same entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A memory.
    Memory(Memory),
    /// A table.
    Table(Table),
    /// A global.
    Global(Global),
    /// A tag.
    Tag(Tag),
}

impl Extern {
    /// What kind of entity it is.
    pub fn kind(&self) -> ExternKind {
        match self {
            Extern::Func(_) => ExternKind::Function,
            Extern::Memory(_) => ExternKind::Memory,
            Extern::Table(_) => ExternKind::Table,
            Extern::Global(_) => ExternKind::Global,
            Extern::Tag(_) => ExternKind::Tag,
        }
    }

    /// The function, if it is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The memory, if it is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// The table, if it is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The global, if it is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The tag, if it is one.
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// The store the entity belongs to.
    pub(crate) fn store(&self) -> StoreId {
        match self {
            Extern::Func(f) => f.store,
            Extern::Memory(m) => m.store,
            Extern::Table(t) => t.store,
            Extern::Global(g) => g.store,
            Extern::Tag(t) => t.store,
        }
    }

    /// The interpreter's extern (same store checked by the caller).
    pub(crate) fn to_vm(self) -> rill_vm::Extern {
        match self {
            Extern::Func(f) => rill_vm::Extern::Func(f.index),
            Extern::Memory(m) => rill_vm::Extern::Memory(m.index),
            Extern::Table(t) => rill_vm::Extern::Table(t.index),
            Extern::Global(g) => rill_vm::Extern::Global(g.index),
            Extern::Tag(t) => rill_vm::Extern::Tag(t.index),
        }
    }
}

/// The façade's handle for an interpreter extern of store `store`.
pub(crate) fn extern_from_vm(store: StoreId, ext: rill_vm::Extern) -> Extern {
    match ext {
        rill_vm::Extern::Func(index) => Extern::Func(Func { store, index }),
        rill_vm::Extern::Memory(index) => Extern::Memory(Memory { store, index }),
        rill_vm::Extern::Table(index) => Extern::Table(Table { store, index }),
        rill_vm::Extern::Global(index) => Extern::Global(Global { store, index }),
        rill_vm::Extern::Tag(index) => Extern::Tag(Tag { store, index }),
    }
}

/// An instance's exports: an ordered map (module order) from name to entity. An instance
/// makes its exports once, so asking twice gives the same entity. Cheap to clone (the
/// names are the module's, shared by all its instances).
#[derive(Clone, Debug, Default)]
pub struct Exports {
    pub(crate) names: Arc<[String]>,
    pub(crate) externs: Arc<[Extern]>,
}

impl Exports {
    /// The export named `name`.
    pub fn get(&self, name: &str) -> Option<&Extern> {
        let k = self.names.iter().position(|n| n == name)?;
        self.externs.get(k)
    }

    /// The exports in module order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Extern)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.externs.iter())
    }

    /// The names in module order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// How many exports there are.
    pub fn len(&self) -> usize {
        self.externs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.externs.is_empty()
    }
}

/// An instance of a module (`WebAssembly.Instance`): a handle into its store, `Copy`,
/// `Send + Sync`, equal exactly when it is the same instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}
