//! Stopping wasm that runs too long: an [`InterruptHandle`] another thread uses, and a
//! deadline ([`Store::set_deadline`](crate::Store::set_deadline)).
//!
//! Running code looks at both every [`CHECK_INTERVAL`] backward branches and calls (a
//! countdown in the interpreter's context, so the common case costs a decrement), and
//! between chunks of long bulk-memory operations. A loop, a recursion (calls, tail calls
//! included) and a `memory.fill`/`memory.copy` of any size all reach a check within a few
//! microseconds. Host functions are not interrupted: the check comes when they return.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::Trap;

/// Backward branches and calls between two looks at the interrupt flag and the deadline.
pub(crate) const CHECK_INTERVAL: u32 = 1 << 12;

/// Bytes a bulk memory operation handles between two looks.
pub(crate) const BULK_CHUNK: usize = 1 << 20;

/// Stops the wasm code running in a store, from any thread
/// ([`Store::interrupt_handle`](crate::Store::interrupt_handle)).
///
/// ```
/// # use std::sync::Arc;
/// let wasm = wat::parse_str(r#"(module (func (export "spin") (loop (br 0))))"#).unwrap();
/// let module = Arc::new(rill_vm::Module::new(&wasm).unwrap());
/// let mut store = rill_vm::Store::new();
/// let instance = store.instantiate(&module, &[]).unwrap();
/// let Some(rill_vm::Extern::Func(spin)) = store.export(instance, "spin") else { panic!() };
/// let handle = store.interrupt_handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(std::time::Duration::from_millis(10));
///     handle.interrupt();
/// });
/// assert_eq!(store.invoke(spin, &[]), Err(rill_vm::Trap::Interrupted));
/// ```
#[derive(Clone, Debug)]
pub struct InterruptHandle(pub(crate) Arc<AtomicBool>);

impl InterruptHandle {
    /// Asks the store's running wasm code to stop with [`Trap::Interrupted`]. If none is
    /// running, the next code that runs stops at its first check: a request is used up by
    /// the trap it causes, never lost between two calls.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What running code checks: the store's interrupt flag and deadline.
#[derive(Clone, Copy)]
pub(crate) struct Checks<'s> {
    pub(crate) flag: &'s AtomicBool,
    pub(crate) deadline: Option<Instant>,
}

impl Checks<'_> {
    /// `Err` with the trap if the code is to stop: interrupted (the request used up), or
    /// past the deadline.
    #[inline(never)]
    pub(crate) fn check(&self) -> Result<(), Trap> {
        if self.flag.load(Ordering::Relaxed) && self.flag.swap(false, Ordering::Relaxed) {
            return Err(Trap::Interrupted);
        }
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(Trap::DeadlineExceeded),
            _ => Ok(()),
        }
    }
}
