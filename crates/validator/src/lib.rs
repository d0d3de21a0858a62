//! rill-validator: WebAssembly 3.0 validation, fed section by section as the decoder emits.
//!
//! - [`ModuleValidator`] takes the decoder's [`Event`](rill_decoder::Event)s in arrival order
//!   and checks each section the moment it arrives. When the code section starts it freezes
//!   everything function bodies need into an [`Arc<ModuleEnv>`](ModuleEnv) that is
//!   `Send + Sync`, so bodies can be validated on any thread, in any order.
//! - [`validate_function`] type-checks one body and hands every operator it accepts, with the
//!   types it resolved, to an [`OperatorSink`]. [`NoopSink`] gives plain validation.

mod error;
pub mod types;

pub use error::{DecodeError, Error, Result, ValidationError};
pub use types::{CanonId, CanonRecGroup, Kind, Types};

#[cfg(test)]
mod tests;
