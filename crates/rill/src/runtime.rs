//! The one store every instance, function, memory, table and global lives in, and the lock
//! that makes using it from several threads safe.
//!
//! rill-vm's `Store` needs `&mut` for every operation (calls included) and hands out plain
//! addresses. The façade keeps one process-wide store behind a [`Mutex`], like the single
//! agent of a JS engine: every façade handle ([`Func`](crate::Func),
//! [`Memory`](crate::Memory), ...) is such an address, `Copy`, `Send` and `Sync`, and every
//! operation takes the lock for its duration. So two threads never touch the store at
//! once (no data races, and no `unsafe`), imports and exports of different instances
//! always live in the same store (so identity is kept), and values are copied in and out.
//!
//! A host function runs while its caller holds the lock, and rill-vm gives host functions
//! no handle to the store, so a host function cannot use the façade's store operations
//! (call a `Func`, read a `Memory`, ...): those fail with an [`Error::RuntimeError`] saying
//! so, rather than deadlock. Entities are never freed: rill-vm's store only grows.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use rill_decoder::{GlobalType, MemoryType, TableType};

use crate::error::{Error, RuntimeError};

pub(crate) struct State {
    pub(crate) store: rill_vm::Store,
    /// Types the façade needs and rill-vm does not expose, by store address.
    pub(crate) memories: HashMap<u32, MemoryType>,
    pub(crate) tables: HashMap<u32, TableType>,
    pub(crate) globals: HashMap<u32, GlobalType>,
    /// Small wasm helpers for operations rill-vm's API lacks (see `helpers`).
    pub(crate) table_helpers: HashMap<u32, crate::helpers::TableOps>,
    pub(crate) global_setters: HashMap<u32, rill_vm::Func>,
    /// The `Tag` of each tag store address (so a tag keeps its identity).
    pub(crate) tags: HashMap<u32, crate::Tag>,
    /// The errors (exceptions) host functions threw that the store keeps an exception for,
    /// by token (see [`throw_host_exception`]).
    pub(crate) host_exceptions: HashMap<u64, Error>,
}

fn state() -> &'static Mutex<State> {
    static STATE: OnceLock<Mutex<State>> = OnceLock::new();
    STATE.get_or_init(|| {
        Mutex::new(State {
            store: rill_vm::Store::new(),
            memories: HashMap::new(),
            tables: HashMap::new(),
            globals: HashMap::new(),
            table_helpers: HashMap::new(),
            global_setters: HashMap::new(),
            tags: HashMap::new(),
            host_exceptions: HashMap::new(),
        })
    })
}

thread_local! {
    /// Whether this thread holds the store lock (so a host function is running).
    static IN_STORE: Cell<bool> = const { Cell::new(false) };
    /// The error a host function raised during the current call, to pass through unchanged.
    static HOST_ERROR: RefCell<Option<Error>> = const { RefCell::new(None) };
    /// The exceptions host functions threw during the current call, by token.
    static THROWN: RefCell<Vec<(u64, Error)>> = const { RefCell::new(Vec::new()) };
}

struct Held<'a>(#[allow(dead_code)] MutexGuard<'a, State>);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        IN_STORE.with(|f| f.set(false));
    }
}

/// Runs `f` with the store locked. Fails (instead of deadlocking) when called from a host
/// function.
pub(crate) fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> Result<R, Error> {
    if IN_STORE.with(Cell::get) {
        return Err(RuntimeError::new(
            "a host function cannot use the store (call functions, read or change memories, \
             tables or globals, create entities): rill-vm gives host functions no access to it",
        )
        .into());
    }
    // A panic in a host function poisons the lock; the store itself is still consistent
    // between operations, so keep going.
    let guard = state().lock().unwrap_or_else(|p| p.into_inner());
    IN_STORE.with(|f| f.set(true));
    let mut held = Held(guard);
    Ok(f(&mut held.0))
}

/// Like [`with_state`], for constructors that cannot fail otherwise: panics when called
/// from a host function.
pub(crate) fn with_state_infallible<R>(what: &str, f: impl FnOnce(&mut State) -> R) -> R {
    with_state(f).unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Notes the error a host function raised, for [`take_host_error`].
pub(crate) fn set_host_error(e: Error) {
    HOST_ERROR.with(|h| *h.borrow_mut() = Some(e));
}

/// The error a host function raised during the last call on this thread, if any.
pub(crate) fn take_host_error() -> Option<Error> {
    HOST_ERROR.with(|h| h.borrow_mut().take())
}

/// The trap a host function returns for its error `e`: an [`Exception`](crate::Exception)
/// is thrown (wasm may catch it; uncaught, `e` comes back unchanged), anything else ends
/// the call.
pub(crate) fn host_failure(e: Error) -> rill_vm::Trap {
    if let Error::Host(h) = &e {
        if let Some(x) = h.downcast_ref::<crate::Exception>() {
            static TOKENS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let token = TOKENS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let thrown = x.to_vm(token);
            THROWN.with(|t| t.borrow_mut().push((token, e)));
            return rill_vm::Trap::Throw(Box::new(thrown));
        }
    }
    let msg = e.to_string();
    set_host_error(e);
    rill_vm::Trap::Host(msg)
}

/// A trap as a façade error: a host function's own error (or a wrong result) unchanged,
/// an uncaught exception as the `Exception` (or the host's error it came from), anything
/// else a `RuntimeError` with the trap's message.
pub(crate) fn trap_error(st: &mut State, trap: rill_vm::Trap) -> Error {
    match trap {
        rill_vm::Trap::Host(m) => take_host_error().unwrap_or_else(|| RuntimeError::new(m).into()),
        rill_vm::Trap::Exception(a) => {
            take_host_error();
            match st.store.exception(a).host_token() {
                Some(t) => st
                    .host_exceptions
                    .get(&t)
                    .cloned()
                    .unwrap_or_else(|| RuntimeError::new("uncaught exception").into()),
                None => match crate::Exception::from_vm(st, a) {
                    Ok(x) => Error::Exception(x),
                    Err(e) => e,
                },
            }
        }
        t if t.is_unsupported() => {
            take_host_error();
            RuntimeError::unsupported(t.to_string()).into()
        }
        t => {
            take_host_error();
            RuntimeError::new(t.to_string()).into()
        }
    }
}

/// Calls a function with the store locked (the store's own check-free call).
pub(crate) fn invoke(
    st: &mut State,
    f: rill_vm::Func,
    args: &[rill_vm::Value],
) -> Result<Vec<rill_vm::Value>, Error> {
    run(st, |st| st.store.invoke(f, args), trap_error)
}

/// Runs `call` (a call into wasm, or an instantiation) and turns its error into the
/// façade's with `error`. Keeps the errors of the exceptions host functions threw during
/// it for as long as the store keeps an exception made from them (an `exnref` may throw it
/// again later).
pub(crate) fn run<R, E>(
    st: &mut State,
    call: impl FnOnce(&mut State) -> Result<R, E>,
    error: impl FnOnce(&mut State, E) -> Error,
) -> Result<R, Error> {
    take_host_error();
    THROWN.with(|t| t.borrow_mut().clear());
    let before = st.store.exception_count();
    let result = call(st);
    let thrown = THROWN.with(|t| std::mem::take(&mut *t.borrow_mut()));
    if !thrown.is_empty() {
        let kept: std::collections::HashSet<u64> = (before..st.store.exception_count())
            .filter_map(|a| st.store.exception(a).host_token())
            .collect();
        st.host_exceptions
            .extend(thrown.into_iter().filter(|(t, _)| kept.contains(t)));
    }
    result.map_err(|e| error(st, e))
}
