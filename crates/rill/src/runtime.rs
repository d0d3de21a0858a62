//! Crossing between the façade and the interpreter: a host function's error into a trap
//! (keeping the error itself, to hand back unchanged), a trap into the façade's error, and
//! calls into the store.

use std::sync::Arc;

use rill_vm::{HostData, HostException, HostFailure, Trap};

use crate::error::{Error, RuntimeError};
use crate::store::StoreData;

type VmStore<T> = rill_vm::Store<StoreData<T>>;

/// The trap for a host function's error `e`: an [`Exception`](crate::Exception) is thrown
/// (wasm may catch it; uncaught, `e` comes back unchanged); anything else ends the call
/// and comes back unchanged.
pub(crate) fn host_failure<T>(store: &VmStore<T>, e: Error) -> Trap {
    // An error that is the façade's own (a nested call's, passed on with `?`) is kept as
    // it is rather than wrapped once more.
    let e = match e {
        Error::Host(h) => match h.downcast_ref::<Error>() {
            Some(inner) => inner.clone(),
            None => Error::Host(h),
        },
        e => e,
    };
    let exception = match &e {
        Error::Host(h) => h.downcast_ref::<crate::Exception>().cloned(),
        Error::Exception(x) => Some(x.clone()),
        _ => None,
    };
    if let Some(x) = exception {
        if let Ok(payload) = x.payload_to_vm(store.id()) {
            // A tag of this store is caught by tag; another store's only by `catch_all`.
            let tag = (x.tag().store == store.id()).then_some(x.tag().index);
            return Trap::Throw(Box::new(HostException {
                tag,
                payload,
                origin: Some(HostData(Arc::new(e))),
            }));
        }
    }
    let message = e.to_string();
    Trap::Host(Box::new(HostFailure::with_payload(
        message,
        HostData(Arc::new(e)),
    )))
}

/// A trap as a façade error: a host function's own error unchanged, an uncaught exception
/// as the [`Exception`](crate::Exception) (or the host's error it came from), anything
/// else a `RuntimeError` with the trap's message.
pub(crate) fn trap_error<T>(store: &VmStore<T>, trap: Trap) -> Error {
    match trap {
        Trap::Host(f) => f
            .payload()
            .and_then(|p| p.0.downcast_ref::<Error>())
            .cloned()
            .unwrap_or_else(|| RuntimeError::new(f.message().to_owned()).into()),
        Trap::Exception(a) => {
            let exn = store.exception(a);
            if let Some(e) = exn.host_origin().and_then(|o| o.0.downcast_ref::<Error>()) {
                return e.clone();
            }
            match crate::Exception::from_vm(store, a) {
                Ok(x) => Error::Exception(x),
                Err(e) => e,
            }
        }
        t => RuntimeError::of_trap(&t).into(),
    }
}

/// Calls `f`, the results into `results`; the arguments are checked by the interpreter.
pub(crate) fn call<T>(
    store: &mut VmStore<T>,
    f: rill_vm::Func,
    args: &[rill_vm::Value],
    results: &mut [rill_vm::Value],
) -> Result<(), Error> {
    store
        .call(f, args, results)
        .map_err(|t| trap_error(store, t))
}

/// Calls `f` with arguments, as raw slots, whose number and types the caller has made
/// match `f`'s type (a [`TypedFunc`](crate::TypedFunc) checked it once), the results into
/// `results`.
#[inline]
pub(crate) fn call_typed<T>(
    store: &mut VmStore<T>,
    f: rill_vm::Func,
    args: &[u64],
    results: &mut [u64],
) -> Result<(), Error> {
    store
        .call_raw_unchecked(f, args, results)
        .map_err(|t| trap_error(store, t))
}
