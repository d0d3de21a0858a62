//! rill-validator: WebAssembly 3.0 validation, fed section by section as the decoder emits.
//!
//! - [`ModuleValidator`] takes the decoder's [`Event`](rill_decoder::Event)s in arrival order
//!   and checks each section the moment it arrives. When the code section starts it freezes
//!   everything function bodies need into an [`Arc<ModuleEnv>`](ModuleEnv) that is
//!   `Send + Sync`, so bodies can be validated on any thread, in any order.
//! - [`validate_function`] type-checks one body and hands every operator it accepts, with the
//!   types it resolved, to an [`OperatorSink`]. [`NoopSink`] gives plain validation.
//!   [`validate_function_with`] reuses a [`FuncScratch`]'s buffers from body to body.
//! - [`validate`] does both for a whole module in memory.

mod env;
mod error;
mod func;
mod module;
mod sink;
pub mod types;

pub use env::ModuleEnv;
pub use error::{DecodeError, Error, Result, ValidationError};
pub use func::{validate_const_expr, validate_function, validate_function_with, FuncScratch};
pub use module::{Config, ModuleValidator};
pub use sink::{Facts, FrameKind, Label, NoopSink, OpInfo, OperatorSink};
pub use types::{CanonId, CanonRecGroup, Kind, Types};

use rill_decoder::{Decoder, Payload};

/// Decodes and validates a whole module (function bodies included, with [`NoopSink`]).
pub fn validate(bytes: &[u8]) -> Result<()> {
    validate_with(bytes, Config::default())
}

/// [`validate`] with options (the decoder gets the same [`Config::features`]).
pub fn validate_with(bytes: &[u8], config: Config) -> Result<()> {
    let mut decoder = Decoder::with_features(config.features);
    let mut validator = ModuleValidator::with_config(config);
    let mut scratch = FuncScratch::default();
    let mut run = |decoder: &mut Decoder| -> Result<()> {
        while let Some(event) = decoder.next_event() {
            validator.payload(&event)?;
            if let Payload::FunctionBody(body) = &event.payload {
                let env = validator.env().expect("frozen at the code section");
                validate_function_with(env, body, &mut NoopSink, &mut scratch)?;
            }
        }
        Ok(())
    };
    decoder.push(bytes)?;
    run(&mut decoder)?;
    decoder.finish()?;
    run(&mut decoder)
}

/// Validates a module from the decoder's events (as collected by a caller that decoded it
/// already), function bodies included, with [`NoopSink`]. Returns the module environment.
pub fn validate_events<'a>(
    events: impl IntoIterator<Item = &'a rill_decoder::Event>,
    config: Config,
) -> Result<std::sync::Arc<ModuleEnv>> {
    let mut validator = ModuleValidator::with_config(config);
    let mut scratch = FuncScratch::default();
    for event in events {
        validator.payload(event)?;
        if let Payload::FunctionBody(body) = &event.payload {
            let env = validator.env().expect("frozen at the code section");
            validate_function_with(env, body, &mut NoopSink, &mut scratch)?;
        }
    }
    match validator.env() {
        Some(env) => Ok(env.clone()),
        None => Err(ValidationError::new(0, "module ended before its end event").into()),
    }
}

#[cfg(test)]
mod tests;
