//! rill-vm: the register-based interpreter and its runtime.
//!
//! - [`Module`]: a module decoded, validated and lowered (`rill_lower`) in one pass
//!   ([`Module::new`], [`Module::from_events`]), or assembled from the parts of a module
//!   validated and lowered elsewhere ([`Module::from_parts`], e.g. by a streaming compile),
//!   every function verified ([`VerifiedFunc`]) before it can run.
//! - [`Store<T>`]: every function (wasm and host), memory (32- and 64-bit, several per
//!   instance), table, global, element and data segment, and instance, plus the
//!   embedder's data `T`; dropping it frees them all. [`Store::instantiate`] links imports,
//!   evaluates constant expressions, applies active segments and runs the start function.
//! - [`Store::call`] runs a function (arguments from a slice, results into a slice).
//!   Wasm calls never recurse on the Rust stack: frames live in a heap vector, and running
//!   out of frames or registers is the [`Trap::StackExhausted`] trap ("call stack
//!   exhausted").
//! - Host functions ([`Store::func_new`]) get a [`Caller`]: the user data, the calling
//!   instance's exports, the store's memories (borrowed, not copied), tables and globals,
//!   and calls back into wasm, nested up to [`MAX_NESTED_CALLS`] deep (the frames of nested
//!   calls share the one call stack and its [`MAX_CALL_DEPTH`]; a nested call short of
//!   native stack continues on a new stack segment, so deep re-entrancy ends in a clean
//!   trap, not a stack overflow). A host function's panic unwinds through every nested
//!   call, each restoring its part of the call stack. Addresses (of functions, memories,
//!   ...) mean something in the store that made them only: the façade checks which store a
//!   handle belongs to. The interpreter is not generic: one [`Module`] runs in stores of
//!   any `T`.
//! - Traps are values ([`Trap`]) with the testsuite's messages. Instructions of proposals
//!   the interpreter does not execute yet (GC, threads) are [`Trap::Unsupported`], never a
//!   wrong answer.
//! - Exception handling executes (`throw`, `throw_ref`, `try_table` and the legacy `try`,
//!   `catch`, `delegate`, `rethrow`; `exec/exceptions.rs`): the lowering gives each function
//!   a table of handlers, consulted only when an exception is thrown. Tags live in the store
//!   ([`Store::tag_new`], imports and exports by address); a host function throws with
//!   [`Trap::Throw`], and an exception nobody catches ends the call with
//!   [`Trap::Exception`] ([`Store::exception`] reads it).
//! - SIMD and relaxed SIMD execute: `v128` values live in a register file parallel to the
//!   scalar one (`exec_simd.rs`), their semantics are portable functions (`simd.rs`, which
//!   also documents the deterministic choice made for each relaxed operator), and
//!   [`Value::V128`] crosses [`Store::invoke`], host functions and globals with all 128
//!   bits.
//! - Resource limits ([`ResourceLimiter`], [`StoreLimits`], `limits.rs`): a policy the
//!   store owns ([`Store::set_limiter`]) bounds the bytes of memories, the elements of
//!   tables and the numbers of instances, memories and tables; over a limit, wasm's
//!   `memory.grow`/`table.grow` give -1 and creating or instantiating fails before
//!   anything is allocated.
//! - Fuel (`fuel.rs`): code lowered with metering pays for what it runs out of the store's
//!   fuel ([`Store::set_fuel`]), deterministically; a call that runs out can be suspended
//!   and resumed after refuelling ([`Store::invoke_resumable`]). An [`InterruptHandle`] or a
//!   deadline stops running code from outside (`interrupt.rs`).

mod entities;
mod exec;
mod exec_simd;
mod fuel;
mod instance;
mod interrupt;
mod limits;
mod module;
mod ops;
mod simd;
mod store;
mod trap;
mod value;

pub use entities::{
    Exception, Extern, GlobalInst, Instance, MemoryInst, StoreId, TableInst, MAX_CALL_DEPTH,
    MAX_NESTED_CALLS, MAX_REGISTERS, MAX_TABLE_ELEMENTS, NATIVE_STACK_BUDGET,
    NATIVE_STACK_RED_ZONE, NATIVE_STACK_SEGMENT,
};
pub use fuel::{FuelError, Resumable, SuspendedCall};
pub use instance::InstantiationError;
pub use interrupt::InterruptHandle;
pub use limits::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
pub use module::{CompileError, Module, ModuleParts, VerifiedFunc};
pub use rill_lower::Options as LowerOptions;
pub use store::{AccessError, Caller, HostFn, RawHostFn, Store, TableNewError};
pub use trap::{HostData, HostException, HostFailure, Trap};
pub use value::{Func, Value};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fuel;
#[cfg(test)]
mod tests_host;
#[cfg(test)]
mod tests_interrupt;
