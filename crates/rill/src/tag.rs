//! `Tag` and `Exception` (`WebAssembly.Tag`, `WebAssembly.Exception`, Wasm 3.0).
//!
//! Neither needs the store to be made, so host functions can make them too. A tag gets
//! its store address the first time an instance imports it; a tag a module defines and
//! exports is the same `Tag` every time it is exported or imported again.
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
use std::sync::{Arc, OnceLock};

use rill_decoder::ValType;

use crate::error::{Error, RangeError, TypeError};
use crate::runtime::State;
use crate::values::{crosses, Value};

/// What [`Tag::new`] takes (the JS `TagType`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TagDescriptor {
    /// The payload's types.
    pub parameters: Vec<ValType>,
}

/// An exception tag. Clones are the same tag; two tags are equal only if they are the same
/// tag, even with equal parameters.
#[derive(Clone)]
pub struct Tag(Arc<TagInner>);

struct TagInner {
    parameters: Box<[ValType]>,
    /// The store address, once the store has the tag.
    address: OnceLock<u32>,
}

impl Tag {
    /// A new tag (`new WebAssembly.Tag({ parameters })`).
    pub fn new(desc: TagDescriptor) -> Tag {
        Tag(Arc::new(TagInner {
            parameters: desc.parameters.into(),
            address: OnceLock::new(),
        }))
    }

    /// The payload's types.
    pub fn parameters(&self) -> &[ValType] {
        &self.0.parameters
    }

    /// The tag's store address, giving it one if it has none yet.
    pub(crate) fn address(&self, st: &mut State) -> u32 {
        let a = *self
            .0
            .address
            .get_or_init(|| st.store.tag_new(&self.0.parameters));
        st.tags.entry(a).or_insert_with(|| self.clone());
        a
    }

    /// The store address, if the tag has one (readable without the store).
    pub(crate) fn known_address(&self) -> Option<u32> {
        self.0.address.get().copied()
    }

    /// The tag at store address `a`: the same `Tag` every time.
    pub(crate) fn at(st: &mut State, a: u32) -> Tag {
        if let Some(t) = st.tags.get(&a) {
            return t.clone();
        }
        let t = Tag(Arc::new(TagInner {
            parameters: st.store.tag_params(a).into(),
            address: OnceLock::from(a),
        }));
        st.tags.insert(a, t.clone());
        t
    }
}

impl PartialEq for Tag {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Tag {}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Tag({:?} @ {:p})",
            &self.0.parameters,
            Arc::as_ptr(&self.0)
        )
    }
}

/// An exception: a tag and a payload (`WebAssembly.Exception`). It is an error type, so a
/// host function can raise it (see the [module documentation](self)). Like a JS object,
/// an exception is equal only to itself and its clones, whatever its payload.
///
/// ```
/// use rill::{Exception, Tag, TagDescriptor, ValType, Value};
/// let tag = Tag::new(TagDescriptor { parameters: vec![ValType::I32] });
/// let e = Exception::new(&tag, &[Value::I32(7)])?;
/// assert!(e.is(&tag));
/// assert_eq!(e.get_arg(&tag, 0)?, Value::I32(7));
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Exception {
    tag: Tag,
    payload: Arc<[Value]>,
}

impl Exception {
    /// A new exception (`new WebAssembly.Exception(tag, payload)`). A payload of the wrong
    /// length or types (or a v128 in the tag's type): [`Error::TypeError`].
    pub fn new(tag: &Tag, payload: &[Value]) -> Result<Exception, Error> {
        let params = tag.parameters();
        if !params.iter().all(crosses) {
            return Err(TypeError::new(
                "a tag with v128 or exnref parameters cannot be used from the host",
            )
            .into());
        }
        if payload.len() != params.len() || !payload.iter().zip(params).all(|(v, t)| v.matches(*t))
        {
            return Err(TypeError::new(format!(
                "the payload {payload:?} does not match the tag's parameters {params:?}"
            ))
            .into());
        }
        Ok(Exception {
            tag: tag.clone(),
            payload: payload.into(),
        })
    }

    /// Whether the exception has this tag (`exception.is(tag)`).
    pub fn is(&self, tag: &Tag) -> bool {
        self.tag == *tag
    }

    /// The payload's value at `index` (`exception.getArg(tag, index)`). Another tag:
    /// [`Error::TypeError`]; an index out of range: [`Error::RangeError`].
    pub fn get_arg(&self, tag: &Tag, index: usize) -> Result<Value, Error> {
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
    pub fn tag(&self) -> &Tag {
        &self.tag
    }

    /// The payload.
    pub fn payload(&self) -> &[Value] {
        &self.payload
    }

    /// The exception for the host function's error `e` if it is one: what rill-vm
    /// throws (`token` identifies the error for when it comes back uncaught).
    pub(crate) fn to_vm(&self, token: u64) -> rill_vm::HostException {
        rill_vm::HostException {
            tag: self.tag.known_address(),
            payload: self.payload.iter().map(|v| v.to_vm()).collect(),
            token,
        }
    }

    /// The exception at store address `a`, which wasm threw.
    pub(crate) fn from_vm(st: &mut State, a: u32) -> Result<Exception, Error> {
        let exn = st.store.exception(a);
        let payload: Vec<rill_vm::Value> = exn.payload().to_vec();
        let tag = exn.tag().expect("wasm throws with a tag of the store");
        crate::values::check_leaving(&payload)?;
        let tag = Tag::at(st, tag);
        Ok(Exception {
            tag,
            payload: payload.into_iter().map(Value::from_vm).collect(),
        })
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm exception with payload {:?}", self.payload)
    }
}

impl std::error::Error for Exception {}
