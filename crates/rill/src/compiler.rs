//! The per-function stage of compilation: where lowering plugs in.
//!
//! The compile pipeline ([`crate::pipeline`]) decodes and validates sections itself and hands
//! every function body, as soon as its last byte has arrived, to a [`FunctionCompiler`] on a
//! worker thread. What the compiler returns for each function goes, in order, into the
//! interpreter's module ([`rill_vm::Module::from_parts`]) when the compile ends.
//!
//! The active compiler is [`Lower`]: `rill_lower::lower_function`, which runs the
//! validator's `validate_function` with the lowering sink, so each body is read once and
//! validated and lowered together, on the workers, as soon as it is complete; then rill-vm
//! verifies the lowered code ([`VerifiedFunc::new`]) on the same worker. Nothing is lowered
//! again when the module is instantiated.
//!
//! `validate()` keeps using [`ValidateOnly`] (`validate_function` with the `NoopSink`): it
//! only answers yes or no, and lowering's own limits are not validation rules, so a module
//! valid by the specification is reported valid even if rill could not lower it. (Any such
//! lowering failure still makes `Module::new` a `CompileError`.)

use std::sync::Arc;

use rill_decoder::FunctionBody;
use rill_validator::{validate_function, ModuleEnv, NoopSink};
use rill_vm::VerifiedFunc;

use crate::config::ModuleConfig;

/// Compiles one function body against the frozen module environment.
///
/// One compiler is made per module, when the code section starts (or the module ends
/// without one), and shared by every worker; `compile` is called once per body, on any
/// thread, in any order.
pub(crate) trait FunctionCompiler: Send + Sync + 'static {
    /// What a body compiles to (the content of a function's slot in the module).
    type Code: Send + Sync + 'static;

    /// The compiler for one module, compiled by `config`.
    fn for_module(env: &Arc<ModuleEnv>, config: ModuleConfig) -> Self;

    /// Validates (and, for a lowering compiler, lowers) one body. Errors are the
    /// validator's, so the pipeline reports them like any other compile error.
    fn compile(
        &self,
        env: &ModuleEnv,
        body: &FunctionBody,
    ) -> Result<Self::Code, rill_validator::Error>;
}

/// Plain validation: the `NoopSink`.
pub(crate) struct ValidateOnly;

impl FunctionCompiler for ValidateOnly {
    type Code = ();

    fn for_module(_: &Arc<ModuleEnv>, _: ModuleConfig) -> Self {
        ValidateOnly
    }

    fn compile(&self, env: &ModuleEnv, body: &FunctionBody) -> Result<(), rill_validator::Error> {
        validate_function(env, body, &mut NoopSink)
    }
}

/// Validation and lowering in one pass, then the interpreter's verification of the lowered
/// code: a function ready for [`rill_vm::Module::from_parts`].
pub(crate) struct Lower(rill_lower::Options);

impl FunctionCompiler for Lower {
    type Code = VerifiedFunc;

    fn for_module(_: &Arc<ModuleEnv>, config: ModuleConfig) -> Self {
        Lower(config.lowering())
    }

    fn compile(
        &self,
        env: &ModuleEnv,
        body: &FunctionBody,
    ) -> Result<VerifiedFunc, rill_validator::Error> {
        let lowered = rill_lower::lower_function_with(env, body, self.0)?;
        Ok(VerifiedFunc::new(lowered, body))
    }
}

/// The compiler `Module::new`, `compile` and `compile_streaming` use.
pub(crate) type ActiveCompiler = Lower;

/// What each function of a [`Module`](crate::Module) holds besides its body.
pub(crate) type Code = <ActiveCompiler as FunctionCompiler>::Code;
