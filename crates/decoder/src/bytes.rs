//! `Bytes`: a cheap-to-clone, thread-safe slice of a shared buffer.
//!
//! Section payloads and function bodies are handed on as `Bytes`, so they can move to other
//! threads (for parallel validation and lowering) without being copied again.

use std::ops::{Deref, Range};
use std::sync::Arc;

/// An immutable, reference-counted byte slice. Equality and hashing look at the visible
/// bytes only, not at which buffer holds them.
#[derive(Clone, Default)]
pub struct Bytes {
    buf: Arc<[u8]>,
    start: usize,
    end: usize,
}

impl Bytes {
    /// Copies `data` into a new shared buffer.
    pub fn copy_from_slice(data: &[u8]) -> Self {
        Bytes::from(Arc::<[u8]>::from(data))
    }

    /// A sub-slice sharing the same buffer. `range` is relative to this slice.
    ///
    /// # Panics
    /// If `range` is out of bounds for this slice.
    pub fn slice(&self, range: Range<usize>) -> Bytes {
        assert!(range.start <= range.end && range.end <= self.len());
        Bytes {
            buf: self.buf.clone(),
            start: self.start + range.start,
            end: self.start + range.end,
        }
    }
}

impl From<Arc<[u8]>> for Bytes {
    fn from(buf: Arc<[u8]>) -> Self {
        let end = buf.len();
        Bytes { buf, start: 0, end }
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes::from(Arc::<[u8]>::from(v))
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Bytes) -> bool {
        **self == **other
    }
}

impl Eq for Bytes {}

impl std::hash::Hash for Bytes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_is_by_visible_bytes() {
        let a = Bytes::copy_from_slice(b"xxabcxx").slice(2..5);
        let b = Bytes::copy_from_slice(b"abc");
        assert_eq!(a, b);
        assert_eq!(&*a, b"abc");
        assert_ne!(a, Bytes::copy_from_slice(b"abd"));
    }
}
