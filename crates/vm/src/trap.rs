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
