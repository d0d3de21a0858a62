//! Traps are values: every way execution can fail, with the testsuite's message.

/// Why execution stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Trap {
    #[error("unreachable")]
    Unreachable,
    #[error("integer divide by zero")]
    IntegerDivideByZero,
    #[error("integer overflow")]
    IntegerOverflow,
    #[error("invalid conversion to integer")]
    InvalidConversion,
    #[error("out of bounds memory access")]
    MemoryOutOfBounds,
    #[error("out of bounds table access")]
    TableOutOfBounds,
    #[error("undefined element")]
    UndefinedElement,
    /// A null entry of a table called indirectly (its index).
    #[error("uninitialized element {0}")]
    UninitializedElement(u64),
    #[error("indirect call type mismatch")]
    IndirectCallTypeMismatch,
    #[error("null function reference")]
    NullFunctionReference,
    #[error("null reference")]
    NullReference,
    #[error("call stack exhausted")]
    StackExhausted,
    #[error("null exception reference")]
    NullExceptionReference,
    /// An exception no handler caught: its store address (see
    /// [`Store::exception`](crate::Store::exception)). Calls report every uncaught
    /// exception this way, whoever threw it.
    #[error("uncaught exception")]
    Exception(u32),
    /// A host function throws an exception: wasm handlers may catch it. A host function
    /// returns this (the store is not at hand while it runs); an uncaught one comes back to
    /// the caller as [`Trap::Exception`].
    #[error("exception thrown by a host function")]
    Throw(Box<HostException>),
    /// An instruction of a proposal the interpreter does not execute yet.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A host function failed.
    #[error("{0}")]
    Host(String),
}

impl Trap {
    /// Whether this is the interpreter's "not implemented yet" error rather than a trap the
    /// program caused.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Trap::Unsupported(_))
    }
}

/// An exception a host function throws ([`Trap::Throw`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostException {
    /// The tag's store address ([`Store::tag_new`](crate::Store::tag_new), or a module's
    /// tag), or `None` for a tag the store does not know: then only handlers that catch
    /// every tag catch it.
    pub tag: Option<u32>,
    /// The payload, matching the tag's parameters.
    pub payload: Vec<crate::Value>,
    /// The embedder's own mark, kept with the exception (see
    /// [`Exception::host_token`](crate::Exception::host_token)).
    pub token: u64,
}
