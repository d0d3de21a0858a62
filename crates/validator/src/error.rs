//! Errors: a module is either malformed (the decoder's [`DecodeError`]) or invalid
//! ([`ValidationError`]). Both print as "message (at offset 0x…)".

use std::borrow::Cow;

pub use rill_decoder::DecodeError;

/// An invalid module: what is wrong and where (byte offset from the start of the module).
///
/// Messages contain the official testsuite's expected text ("type mismatch", "unknown local 3",
/// "duplicate export name", ...), so callers can match on them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset:#x})")]
pub struct ValidationError {
    offset: usize,
    message: Cow<'static, str>,
}

impl ValidationError {
    /// An error at `offset`.
    pub fn new(offset: usize, message: impl Into<Cow<'static, str>>) -> Self {
        ValidationError {
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

/// Why a module was rejected: malformed (decoding) or invalid (validation).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Malformed(#[from] DecodeError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl Error {
    /// Byte offset from the start of the module.
    pub fn offset(&self) -> usize {
        match self {
            Error::Malformed(e) => e.offset(),
            Error::Invalid(e) => e.offset(),
        }
    }

    /// The message, without the offset.
    pub fn message(&self) -> &str {
        match self {
            Error::Malformed(e) => e.message(),
            Error::Invalid(e) => e.message(),
        }
    }

    /// Whether the module was malformed (a decoding error) rather than invalid.
    pub fn is_malformed(&self) -> bool {
        matches!(self, Error::Malformed(_))
    }
}

/// Result type of the validator.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds a [`ValidationError`] out of line, so that the checks on the success path stay
/// small; a message without arguments is not allocated.
#[cold]
#[inline(never)]
pub(crate) fn error_at(offset: usize, args: std::fmt::Arguments<'_>) -> ValidationError {
    let message = match args.as_str() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(args.to_string()),
    };
    ValidationError { offset, message }
}

/// `return Err(ValidationError)` with a formatted message (inline arguments allowed).
macro_rules! bail {
    ($offset:expr, $($fmt:tt)+) => {
        return Err($crate::error::error_at($offset, format_args!($($fmt)+)).into())
    };
}
pub(crate) use bail;
