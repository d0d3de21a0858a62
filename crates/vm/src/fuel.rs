//! Fuel: a deterministic budget for running code, and calls that resume after it ran out.
//!
//! Code lowered with fuel metering ([`LowerOptions::fuel`](crate::LowerOptions), the
//! schedule in `rill_lower::fuel`) pays for the operators it runs. A store meters fuel once
//! [`Store::set_fuel`] gives it some; from then on every call takes from it, and code that
//! cannot pay stops with [`Trap::OutOfFuel`] at the same instruction on every run. A store
//! without fuel runs metered code without limit. A store that meters fuel runs metered code
//! only: code lowered without metering would run for free.
//!
//! [`Store::invoke_resumable`] makes a call that, out of fuel, is suspended rather than
//! ended: [`SuspendedCall::resume`] continues it exactly where it stopped, once the store
//! has been given more fuel. Running many guests fairly, a slice of fuel each, is the use.
//!
//! ```
//! use rill_vm::{Extern, LowerOptions, Module, Resumable, Store, Value};
//! let wasm = wat::parse_str(r#"(module (func (export "sum") (param i32) (result i32)
//!     (local i32)
//!     (loop
//!       (local.set 1 (i32.add (local.get 1) (local.get 0)))
//!       (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
//!     (local.get 1)))"#).unwrap();
//! let module = std::sync::Arc::new(Module::new_with(&wasm, LowerOptions::default().fuel(true)).unwrap());
//! let mut store = Store::new();
//! let instance = store.instantiate(&module, &[]).unwrap();
//! let Some(Extern::Func(sum)) = store.export(instance, "sum") else { panic!() };
//!
//! store.set_fuel(100).unwrap();
//! let mut call = store.invoke_resumable(sum, &[Value::I32(1000)]).unwrap();
//! let mut slices = 1;
//! let results = loop {
//!     match call {
//!         Resumable::Finished(results) => break results,
//!         Resumable::OutOfFuel(suspended) => {
//!             store.set_fuel(100).unwrap();
//!             slices += 1;
//!             call = suspended.resume(&mut store).unwrap();
//!         }
//!     }
//! };
//! assert_eq!(results, [Value::I32(500500)]);
//! assert!(slices > 10);
//! ```

use crate::exec::Suspension;
use crate::{Func, Store, Trap, Value};

/// Why [`Store::set_fuel`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FuelError {
    /// The store holds code lowered without fuel metering, which would run for free.
    #[error("the store holds code compiled without fuel metering")]
    Unmetered,
}

/// How a resumable call ([`Store::invoke_resumable`]) ended.
#[derive(Debug)]
pub enum Resumable {
    /// It returned these results.
    Finished(Vec<Value>),
    /// It ran out of fuel: refuel the store, then resume it.
    OutOfFuel(SuspendedCall),
}

/// A call that ran out of fuel, waiting to be resumed where it stopped. It holds the call's
/// stack (its frames and registers), not the store: the store can run other calls, and
/// other suspended calls, meanwhile. Dropping it abandons the call.
pub struct SuspendedCall(pub(crate) Box<Suspension>);

impl std::fmt::Debug for SuspendedCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuspendedCall")
            .field("required_fuel", &self.required_fuel())
            .finish_non_exhaustive()
    }
}

impl SuspendedCall {
    /// The fuel the instruction it stopped at needs: resuming with less stops it there
    /// again.
    pub fn required_fuel(&self) -> u64 {
        self.0.needed
    }

    /// Continues the call with the store's fuel, in the store it ran in (another store is
    /// an error, and so is resuming inside a host function's call).
    pub fn resume<T>(self, store: &mut Store<T>) -> Result<Resumable, Trap> {
        if store.id() != self.0.store {
            return Err(Trap::host("a suspended call resumed in another store"));
        }
        let f = Func(self.0.entry);
        let mut results = store.default_results(f);
        match crate::exec::resume(store, self.0, &mut results)? {
            None => Ok(Resumable::Finished(results)),
            Some(s) => Ok(Resumable::OutOfFuel(SuspendedCall(s))),
        }
    }
}

impl<T> Store<T> {
    /// Gives the store `fuel` (replacing what it had) and makes it meter fuel: from now on
    /// the code it runs pays for what it executes, and stops with [`Trap::OutOfFuel`] when
    /// it cannot (see the [schedule](crate::LowerOptions::fuel)). A host function may
    /// refuel through its caller's store. Refused if the store holds code lowered without
    /// metering; once it meters, instantiating such code is refused.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), FuelError> {
        if self.inner.unmetered {
            return Err(FuelError::Unmetered);
        }
        self.inner.fuel = Some(fuel);
        Ok(())
    }

    /// The fuel left, if the store meters fuel.
    pub fn get_fuel(&self) -> Option<u64> {
        self.inner.fuel
    }

    /// Calls a function like [`Store::invoke`]; if it runs out of fuel, the call is
    /// suspended rather than ended, to be resumed after refuelling
    /// ([`SuspendedCall::resume`]). A call made from inside a host function cannot be
    /// suspended (the host function's native frames are under it): it traps with
    /// [`Trap::OutOfFuel`] as [`Store::invoke`] does.
    pub fn invoke_resumable(&mut self, f: Func, args: &[Value]) -> Result<Resumable, Trap> {
        let mut results = self.default_results(f);
        crate::store::check_call(&self.inner, f, args, &results)?;
        match crate::exec::invoke_resumable(self, f.0, args, &mut results)? {
            None => Ok(Resumable::Finished(results)),
            Some(s) => Ok(Resumable::OutOfFuel(SuspendedCall(s))),
        }
    }
}
