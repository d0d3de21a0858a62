//! Traps are values: every way execution can fail, with the testsuite's message.

/// Why execution stopped. Small (two words: every variant with more to say boxes it), so
/// that a `Result<(), Trap>` comes back in registers on every call path.
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
    /// The store's [`InterruptHandle`](crate::InterruptHandle) stopped the code.
    #[error("interrupted")]
    Interrupted,
    /// The store's deadline ([`Store::set_deadline`](crate::Store::set_deadline)) passed.
    #[error("deadline exceeded")]
    DeadlineExceeded,
    /// The store's fuel ran out ([`Store::set_fuel`](crate::Store::set_fuel)).
    #[error("out of fuel")]
    OutOfFuel,
    #[error("null exception reference")]
    NullExceptionReference,
    /// An atomic access at an address that is not a multiple of its size.
    #[error("unaligned atomic")]
    UnalignedAtomic,
    /// `memory.atomic.wait` on a memory that is not shared.
    #[error("expected shared memory")]
    ExpectedSharedMemory,
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
    Unsupported(Box<String>),
    /// A host function failed.
    #[error("{0}")]
    Host(Box<HostFailure>),
    /// A host function panicked. Never returned: the call that catches it restores its
    /// part of the store's call stack and then resumes the panic (see `exec::invoke`).
    #[doc(hidden)]
    #[error("a host function panicked")]
    HostPanic(PanicPayload),
}

/// A panic caught in a host function, on its way to being resumed.
#[doc(hidden)]
#[derive(Clone)]
pub struct PanicPayload(
    pub(crate) std::sync::Arc<std::sync::Mutex<Option<Box<dyn std::any::Any + Send>>>>,
);

impl PanicPayload {
    /// Resumes the panic.
    pub(crate) fn resume(self) -> ! {
        let payload = self.0.lock().ok().and_then(|mut p| p.take());
        std::panic::resume_unwind(payload.unwrap_or_else(|| Box::new("a host function panicked")))
    }
}

impl std::fmt::Debug for PanicPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PanicPayload(..)")
    }
}

impl PartialEq for PanicPayload {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for PanicPayload {}

// Two words: see the type's documentation.
const _: () = assert!(std::mem::size_of::<Trap>() <= 16);
const _: () = assert!(std::mem::size_of::<Result<(), Trap>>() <= 16);

impl Trap {
    /// A host function's failure with just a message.
    pub fn host(message: impl Into<String>) -> Trap {
        Trap::Host(Box::new(HostFailure::new(message)))
    }

    /// The "not implemented yet" trap for `what`.
    pub fn unsupported(what: impl Into<String>) -> Trap {
        Trap::Unsupported(Box::new(what.into()))
    }

    /// Whether this is the interpreter's "not implemented yet" error rather than a trap the
    /// program caused.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Trap::Unsupported(_))
    }
}

/// A value of the embedder's that travels through wasm untouched (a host function's own
/// error, say). Equal only to itself (the same value, not an equal one).
#[derive(Clone)]
pub struct HostData(pub std::sync::Arc<dyn std::any::Any + Send + Sync>);

impl std::fmt::Debug for HostData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostData(..)")
    }
}

impl PartialEq for HostData {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for HostData {}

/// A host function's failure: a message, and whatever value the embedder wants back
/// unchanged where the call into wasm returns (its own error type, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostFailure {
    message: String,
    payload: Option<HostData>,
}

impl HostFailure {
    /// A failure with a message.
    pub fn new(message: impl Into<String>) -> HostFailure {
        HostFailure {
            message: message.into(),
            payload: None,
        }
    }

    /// A failure carrying `payload` (the embedder's error) back to the caller.
    pub fn with_payload(message: impl Into<String>, payload: HostData) -> HostFailure {
        HostFailure {
            message: message.into(),
            payload: Some(payload),
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The payload, if one was given.
    pub fn payload(&self) -> Option<&HostData> {
        self.payload.as_ref()
    }
}

impl std::fmt::Display for HostFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
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
    /// The embedder's own value, kept with the exception (see
    /// [`Exception::host_origin`](crate::Exception::host_origin)): what it threw, say.
    pub origin: Option<HostData>,
}
