//! `Tag` and `Exception` (`WebAssembly.Tag`, `WebAssembly.Exception`, Wasm 3.0).
//!
//! rill-vm does not execute exception handling yet (`throw`, `try_table` are
//! "unsupported" traps) and cannot link tag imports, so tags and exceptions exist in the
//! façade only: create them, compare them, read payloads, and throw an `Exception` from a
//! host function (as its error, [`HostError::new`](crate::HostError::new)): it passes
//! through wasm unchanged and comes back as [`Error::Host`]. Importing a tag into a module
//! is a `LinkError` saying it is unsupported.

use std::fmt;
use std::sync::Arc;

use rill_decoder::ValType;

use crate::error::{Error, RangeError, TypeError};
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
pub struct Tag(Arc<[ValType]>);

impl Tag {
    /// A new tag (`new WebAssembly.Tag({ parameters })`).
    pub fn new(desc: TagDescriptor) -> Tag {
        Tag(desc.parameters.into())
    }

    /// The payload's types.
    pub fn parameters(&self) -> &[ValType] {
        &self.0
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
        write!(f, "Tag({:?} @ {:p})", &self.0, Arc::as_ptr(&self.0))
    }
}

/// An exception: a tag and a payload (`WebAssembly.Exception`). It is an error type, so a
/// host function can raise it.
///
/// ```
/// use rill::{Exception, Tag, TagDescriptor, ValType, Value};
/// let tag = Tag::new(TagDescriptor { parameters: vec![ValType::I32] });
/// let e = Exception::new(&tag, &[Value::I32(7)])?;
/// assert!(e.is(&tag));
/// assert_eq!(e.get_arg(&tag, 0)?, Value::I32(7));
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
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
            return Err(
                TypeError::new("a tag with v128 parameters cannot be used from the host").into(),
            );
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

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm exception with payload {:?}", self.payload)
    }
}

impl std::error::Error for Exception {}
