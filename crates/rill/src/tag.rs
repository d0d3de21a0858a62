//! `Tag` and `Exception` (`WebAssembly.Tag`, `WebAssembly.Exception`, Wasm 3.0).
//!
//! A tag lives in a store; an exception is a plain value (its tag and payload), made with
//! the store at hand to check the payload against the tag.
//!
//! - A host function throws an `Exception` by returning it as its error
//!   ([`HostError::new`](crate::HostError::new)): wasm's handlers catch it by its tag
//!   (`catch`) or any (`catch_all`); uncaught, it reaches the caller unchanged as
//!   [`Error::Host`], the very value thrown (also after a wasm `catch_all_ref` and
//!   `throw_ref`).
//! - An exception wasm throws and nothing catches reaches the caller as
//!   [`Error::Exception`], with the tag the module's export of it is.
//!
//! Other host errors are not exceptions for wasm: no handler catches them.

use std::fmt;
use std::sync::Arc;

use rill_decoder::ValType;

use crate::error::{Error, RangeError, TypeError};
use crate::handles::{StoreId, Tag};
use crate::store::{AsContext, AsContextMut, StoreData};
use crate::values::{check_leaving, crosses, Value};

/// What [`Tag::new`] takes (the JS `TagType`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TagDescriptor {
    /// The payload's types.
    pub parameters: Vec<ValType>,
}

impl Tag {
    /// A new tag (`new WebAssembly.Tag({ parameters })`).
    pub fn new(mut store: impl AsContextMut, desc: TagDescriptor) -> Tag {
        let cx = store.as_context_mut();
        Tag {
            store: cx.0.id(),
            index: cx.0.tag_new(&desc.parameters),
        }
    }

    /// The payload's types.
    pub fn parameters(&self, store: impl AsContext) -> Result<Vec<ValType>, Error> {
        let cx = store.as_context();
        Ok(cx
            .check(self.store, "the tag")?
            .tag_params(self.index)
            .to_vec())
    }
}

/// An exception: a tag and a payload (`WebAssembly.Exception`). It is an error type: a host
/// function throws one by returning it as its error, and wasm's handlers catch it by its
/// tag or with `catch_all`; uncaught, it comes back unchanged in [`Error::Host`]. Like a JS
/// object, an exception is equal only to itself and its clones, whatever its payload.
///
/// ```
/// use rill::{Exception, Store, Tag, TagDescriptor, ValType, Value};
/// let mut store = Store::new(());
/// let tag = Tag::new(&mut store, TagDescriptor { parameters: vec![ValType::I32] });
/// let e = Exception::new(&store, tag, &[Value::I32(7)])?;
/// assert!(e.is(tag));
/// assert_eq!(e.get_arg(tag, 0)?, Value::I32(7));
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Exception {
    tag: Tag,
    payload: Arc<[Value]>,
}

impl Exception {
    /// A new exception (`new WebAssembly.Exception(tag, payload)`). A payload of the wrong
    /// length or types (or a v128 in the tag's type), or a tag or a reference of another
    /// store: [`Error::TypeError`].
    pub fn new(store: impl AsContext, tag: Tag, payload: &[Value]) -> Result<Exception, Error> {
        let params = tag.parameters(&store)?;
        let id = store.as_context().0.id();
        for v in payload {
            v.to_vm(id)?;
        }
        if !params.iter().all(crosses) {
            return Err(TypeError::new(
                "a tag with v128 or exnref parameters cannot be used from the host",
            )
            .into());
        }
        if payload.len() != params.len() || !payload.iter().zip(&params).all(|(v, t)| v.matches(*t))
        {
            return Err(TypeError::new(format!(
                "the payload {payload:?} does not match the tag's parameters {params:?}"
            ))
            .into());
        }
        Ok(Exception {
            tag,
            payload: payload.into(),
        })
    }

    /// Whether the exception has this tag (`exception.is(tag)`).
    pub fn is(&self, tag: Tag) -> bool {
        self.tag == tag
    }

    /// The payload's value at `index` (`exception.getArg(tag, index)`). Another tag:
    /// [`Error::TypeError`]; an index out of range: [`Error::RangeError`].
    pub fn get_arg(&self, tag: Tag, index: usize) -> Result<Value, Error> {
        if !self.is(tag) {
            return Err(TypeError::new("the exception has another tag").into());
        }
        self.payload.get(index).copied().ok_or_else(|| {
            RangeError::new(format!(
                "index {index} is out of range of the payload ({} values)",
                self.payload.len()
            ))
            .into()
        })
    }
}

impl PartialEq for Exception {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.payload, &other.payload)
    }
}

impl Eq for Exception {}

impl Exception {
    /// The exception's tag.
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The payload.
    pub fn payload(&self) -> &[Value] {
        &self.payload
    }

    /// The payload as the interpreter's values for store `store` (a reference of another
    /// store: [`Error::TypeError`]).
    pub(crate) fn payload_to_vm(&self, store: StoreId) -> Result<Vec<rill_vm::Value>, Error> {
        self.payload.iter().map(|v| v.to_vm(store)).collect()
    }

    /// The exception at store address `a`, which wasm threw.
    pub(crate) fn from_vm<T>(
        store: &rill_vm::Store<StoreData<T>>,
        a: u32,
    ) -> Result<Exception, Error> {
        let exn = store.exception(a);
        let id = store.id();
        check_leaving(exn.payload())?;
        let index = exn.tag().expect("wasm throws with a tag of the store");
        Ok(Exception {
            tag: Tag { store: id, index },
            payload: exn
                .payload()
                .iter()
                .map(|v| Value::from_vm(*v, id))
                .collect(),
        })
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm exception with payload {:?}", self.payload)
    }
}

impl std::error::Error for Exception {}
