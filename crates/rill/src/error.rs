//! One error type whose variants are the JS error classes (JS-API.md, "Errors").
//!
//! [`Error`] is generic over `E`, the error type of a streaming source (a byte stream, a
//! response body, or a future yielding a response). That error is passed through unchanged,
//! as the value the source produced, in [`Error::Source`]: no boxing, no downcasting, no
//! `'static` or `Send` bound imposed on it. Calls that read no source (`validate`,
//! `Module::new`, `compile`) use the default `E = Infallible`, so `Error` alone means
//! "one of the JS classes". [`Error::widen`] turns such an error into any `Error<E>`, and
//! [`Error::map_source`] converts the source error.

use std::any::Any;
use std::borrow::Cow;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

/// Any failure of the façade: one variant per JS error class, plus the streaming source's
/// own error passed through unchanged.
///
/// The message of every class says what failed and where: compile errors carry the byte
/// offset, link errors the import's module and field names.
///
/// The enum is `#[non_exhaustive]`: later proposals may add classes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// `WebAssembly.CompileError`: the bytes are not a valid module (malformed, invalid, or
    /// over an implementation limit).
    #[error("CompileError: {0}")]
    CompileError(CompileError),
    /// `WebAssembly.LinkError`: the imports do not match the module.
    #[error("LinkError: {0}")]
    LinkError(LinkError),
    /// `WebAssembly.RuntimeError`: a trap, e.g. during the start function.
    #[error("RuntimeError: {0}")]
    RuntimeError(RuntimeError),
    /// `TypeError`: a value or argument of the wrong kind, or a streaming response that is
    /// not a WebAssembly response (content type, status, consumed body).
    #[error("TypeError: {0}")]
    TypeError(TypeError),
    /// `RangeError`: a size or index out of range.
    #[error("RangeError: {0}")]
    RangeError(RangeError),
    /// The error a host function raised (during a call or the start function), passed
    /// through wasm unchanged. An [`Exception`](crate::Exception) a host function throws
    /// and wasm does not catch ends up here too, as the value thrown.
    #[error("{0}")]
    Host(HostError),
    /// A `WebAssembly.Exception` wasm threw and did not catch.
    #[error("{0}")]
    Exception(crate::Exception),
    /// The streaming source's own error (the response future failed, or the body stream
    /// yielded an error), unchanged.
    #[error(transparent)]
    Source(E),
}

impl<E> Error<E> {
    /// Converts the source error, keeping every other variant.
    pub fn map_source<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::CompileError(e) => Error::CompileError(e),
            Error::LinkError(e) => Error::LinkError(e),
            Error::RuntimeError(e) => Error::RuntimeError(e),
            Error::TypeError(e) => Error::TypeError(e),
            Error::RangeError(e) => Error::RangeError(e),
            Error::Host(e) => Error::Host(e),
            Error::Exception(e) => Error::Exception(e),
            Error::Source(e) => Error::Source(f(e)),
        }
    }

    /// The source's error, if this is one.
    pub fn into_source(self) -> Option<E> {
        match self {
            Error::Source(e) => Some(e),
            _ => None,
        }
    }

    /// The compile error, if this is one.
    pub fn as_compile_error(&self) -> Option<&CompileError> {
        match self {
            Error::CompileError(e) => Some(e),
            _ => None,
        }
    }
}

impl Error {
    /// An error that involves no source, as an error of a call that has one.
    pub fn widen<F>(self) -> Error<F> {
        self.map_source(|never| match never {})
    }
}

impl<E> From<CompileError> for Error<E> {
    fn from(e: CompileError) -> Self {
        Error::CompileError(e)
    }
}

impl<E> From<LinkError> for Error<E> {
    fn from(e: LinkError) -> Self {
        Error::LinkError(e)
    }
}

impl<E> From<RuntimeError> for Error<E> {
    fn from(e: RuntimeError) -> Self {
        Error::RuntimeError(e)
    }
}

impl<E> From<TypeError> for Error<E> {
    fn from(e: TypeError) -> Self {
        Error::TypeError(e)
    }
}

impl<E> From<RangeError> for Error<E> {
    fn from(e: RangeError) -> Self {
        Error::RangeError(e)
    }
}

/// The module is malformed, invalid, or over an implementation limit. Prints as
/// "message (at offset 0x…)"; the message contains the official testsuite's wording
/// ("type mismatch", "unknown function 7", "unexpected end", ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    offset: usize,
    message: Cow<'static, str>,
    malformed: bool,
}

impl CompileError {
    /// Byte offset from the start of the module.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The message, without the offset.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the bytes failed to decode (malformed) rather than to validate (invalid).
    pub fn is_malformed(&self) -> bool {
        self.malformed
    }
}

impl From<rill_validator::Error> for CompileError {
    fn from(e: rill_validator::Error) -> Self {
        CompileError {
            offset: e.offset(),
            message: Cow::Owned(e.message().to_owned()),
            malformed: e.is_malformed(),
        }
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at offset {:#x})", self.message, self.offset)
    }
}

impl std::error::Error for CompileError {}

/// An import does not match what the module declares. Prints as
/// `import "module" "name": message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    module: String,
    name: String,
    message: String,
}

impl LinkError {
    /// A link error for the import `module`.`name`.
    pub fn new(
        module: impl Into<String>,
        name: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        LinkError {
            module: module.into(),
            name: name.into(),
            message: message.into(),
        }
    }

    /// The import's module name.
    pub fn module(&self) -> &str {
        &self.module
    }

    /// The import's field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What did not match.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "import {:?} {:?}: {}",
            self.module, self.name, self.message
        )
    }
}

impl std::error::Error for LinkError {}

macro_rules! message_error {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            message: Cow<'static, str>,
        }

        impl $name {
            /// An error with this message.
            pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
                $name { message: message.into() }
            }

            /// The message.
            pub fn message(&self) -> &str {
                &self.message
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.message)
            }
        }

        impl std::error::Error for $name {}
    };
}

/// A trap; the message names the trap ("integer divide by zero", "unreachable", "call
/// stack exhausted", ...), in the official testsuite's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError {
    message: Cow<'static, str>,
    kind: StopKind,
}

/// Why execution stopped, where it was not the program's own trap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopKind {
    Trap,
    Unsupported,
    Interrupted,
    DeadlineExceeded,
    OutOfFuel,
}

impl RuntimeError {
    /// An error with this message.
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        RuntimeError {
            message: message.into(),
            kind: StopKind::Trap,
        }
    }

    /// The error of an interpreter trap, kept distinguishable where the embedder stopped
    /// the code (interruption, deadline).
    pub(crate) fn of_trap(trap: &rill_vm::Trap) -> Self {
        let kind = match trap {
            rill_vm::Trap::Interrupted => StopKind::Interrupted,
            rill_vm::Trap::DeadlineExceeded => StopKind::DeadlineExceeded,
            rill_vm::Trap::OutOfFuel => StopKind::OutOfFuel,
            t if t.is_unsupported() => StopKind::Unsupported,
            _ => StopKind::Trap,
        };
        RuntimeError {
            message: trap.to_string().into(),
            kind,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether this is not a trap of the program but the interpreter reaching an
    /// instruction (or, instantiating, a constant expression) of a proposal it does not
    /// execute yet (SIMD, GC, exception handling). The message then starts with
    /// `unsupported:`.
    pub fn is_unsupported(&self) -> bool {
        self.kind == StopKind::Unsupported
    }

    /// Whether the code was stopped by the store's
    /// [`InterruptHandle`](crate::InterruptHandle) (message `interrupted`).
    pub fn is_interrupted(&self) -> bool {
        self.kind == StopKind::Interrupted
    }

    /// Whether the code was stopped because the store's deadline passed
    /// ([`Store::set_deadline`](crate::Store::set_deadline); message `deadline exceeded`).
    pub fn is_deadline_exceeded(&self) -> bool {
        self.kind == StopKind::DeadlineExceeded
    }

    /// Whether the code ran out of the store's fuel ([`Store::set_fuel`](crate::Store::set_fuel);
    /// message `out of fuel`).
    pub fn is_out_of_fuel(&self) -> bool {
        self.kind == StopKind::OutOfFuel
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuntimeError {}
message_error!(
    /// A value or argument of the wrong kind (the JS `TypeError`).
    TypeError
);
message_error!(
    /// A size or index out of range (the JS `RangeError`).
    RangeError
);

/// The error a host function raises: any error value, passed through wasm unchanged and
/// returned to whoever called into wasm as [`Error::Host`]. Get the original back with
/// [`HostError::downcast_ref`]. Two `HostError`s are equal when they hold the same value
/// (one raised error, cloned).
#[derive(Clone)]
pub struct HostError(Arc<dyn std::error::Error + Send + Sync>);

impl HostError {
    /// Wraps an error (a `HostError` is kept as it is, not wrapped twice).
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> HostError {
        if let Some(h) = (&e as &dyn Any).downcast_ref::<HostError>() {
            return h.clone();
        }
        HostError(Arc::new(e))
    }

    /// An error with just a message.
    pub fn msg(message: impl Into<String>) -> HostError {
        #[derive(Debug)]
        struct Msg(String);
        impl fmt::Display for Msg {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::error::Error for Msg {}
        HostError(Arc::new(Msg(message.into())))
    }

    /// The original error, if it is a `T`.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

impl fmt::Debug for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HostError").field(&self.0).finish()
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for HostError {}

impl PartialEq for HostError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for HostError {}

/// The façade's errors pass through host functions unchanged: a host function that calls
/// into wasm may return the call's error with `?`.
impl From<Error> for HostError {
    fn from(e: Error) -> HostError {
        match e {
            Error::Host(h) => h,
            e => HostError::new(e),
        }
    }
}
