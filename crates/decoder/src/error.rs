//! The decoder's error type: a message and the byte offset it concerns.

use std::borrow::Cow;

/// A malformed module: what is wrong and where (byte offset from the start of the module).
///
/// Messages contain the official testsuite's wording for the case ("unexpected end",
/// "integer too large", "malformed section id", ...), so callers can match on them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset:#x})")]
pub struct DecodeError {
    offset: usize,
    message: Cow<'static, str>,
}

impl DecodeError {
    /// An error at `offset` with a static message.
    pub fn new(offset: usize, message: impl Into<Cow<'static, str>>) -> Self {
        DecodeError {
            offset,
            message: message.into(),
        }
    }

    /// Byte offset from the start of the module.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The message, without the offset.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Result type of the decoder.
pub type Result<T, E = DecodeError> = std::result::Result<T, E>;

/// Builds a `DecodeError` with a formatted message: `bail!(offset, "unknown {}", x)`.
#[macro_export]
#[doc(hidden)]
macro_rules! decode_error {
    ($offset:expr, $msg:literal) => {
        $crate::DecodeError::new($offset, $msg)
    };
    ($offset:expr, $($fmt:tt)+) => {
        $crate::DecodeError::new($offset, format!($($fmt)+))
    };
}
