//! rill-lower: translates function bodies into rill's register bytecode ([`isa`]) in the same
//! pass that validates them.
//!
//! [`lower_function`] runs the validator's [`validate_function`] with a [`Lowerer`] as its
//! [`OperatorSink`](rill_validator::OperatorSink): every operator the validator accepts is
//! translated right away, with the facts the validator resolved (block signatures, branch
//! label types, call types).
//!
//! Register allocation (see `translate.rs`): parameters and locals are slots `0..locals`,
//! operand stack position `p` is slot `locals + p`. The lowering keeps a model of the operand
//! stack whose entries are a local's slot (`local.get` emits nothing), an inline constant, or
//! a temporary in its stack slot. Copies are made only when a local is overwritten while a
//! lazy reference to it is still on the stack, when values must sit in a block's slots (block
//! entry, branches, joins), and for call arguments, which are placed in consecutive slots
//! where the callee's frame begins. `local.set`/`local.tee` retarget the previous
//! instruction's result; integer comparisons fuse with `br_if`/`if`.
//!
//! `v128` values use the same slot numbers in a parallel file of vector slots
//! ([`isa_simd`]); the lowering knows the type of every value it copies (locals' types, and
//! the validator's label, block and call types), so a `v128` is copied with `CopyV128` and
//! everything else with `Copy`.
//!
//! With [`Options::fuel`], the lowering also emits fuel metering: a `ConsumeFuel` at the
//! start of each function, loop iteration and `if` arm that pays for the operators of that
//! region at once ([`fuel`] has the schedule). Without it, the code has none.

pub mod fuel;
pub mod isa;
pub mod isa_simd;
mod translate;

pub use isa::{AtomicOp, AtomicSite, Instr, MemOp, MemSite, Slot, TrapCode};
pub use isa_simd::{SimdOp, SimdShape, SimdSite, SimdXOp, SimdXShape};
pub use translate::Lowerer;

use rill_decoder::FunctionBody;
use rill_validator::{validate_function, ModuleEnv};

/// Calls of [`lower_function`] in this process (feature `diagnostics`).
#[cfg(feature = "diagnostics")]
static FUNCTIONS_LOWERED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many times [`lower_function`] has been called in this process so far, whatever the
/// outcome. A diagnostic: it lets a test show that an embedder lowers each function once
/// (the `rill` façade's instantiation lowers nothing again, for instance). It counts every
/// thread's calls, so such a test must run alone in its process. Only with the
/// `diagnostics` feature: the engine otherwise keeps no process-wide mutable state.
///
/// ```
/// use rill_decoder::{decode_chunks, Features, Payload};
///
/// let wasm = wat::parse_str("(module (func) (func (result i32) i32.const 7))")?;
/// let before = rill_lower::functions_lowered();
/// let mut validator = rill_validator::ModuleValidator::new();
/// for event in &decode_chunks([&wasm[..]], Features::default()).events {
///     validator.payload(event)?;
///     if let Payload::FunctionBody(body) = &event.payload {
///         rill_lower::lower_function(validator.env().unwrap(), body)?;
///     }
/// }
/// assert_eq!(rill_lower::functions_lowered() - before, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "diagnostics")]
pub fn functions_lowered() -> u64 {
    FUNCTIONS_LOWERED.load(std::sync::atomic::Ordering::Relaxed)
}

/// A `call_indirect` site: the expected type (module type index) and the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallSite {
    pub type_index: u32,
    pub table: u32,
}

/// The operands of a two-index bulk operator: `memory.copy` (destination, source memory),
/// `memory.init` (data segment, memory), `table.copy` (destination, source table),
/// `table.init` (element segment, table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopySite {
    pub a: u32,
    pub b: u32,
}

/// An exception handler of a function: what an exception thrown by an instruction at index
/// `start..end` of the code does (a `throw`, a `throw_ref`, or a call whose callee does
/// not catch it). The interpreter tries a function's handlers in order, inner `try` blocks
/// before the blocks around them and, within one block, its clauses in order; the first
/// that applies decides. No handler applies: the exception leaves the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    /// How many blocks enclose the handler's `try`/`try_table` (the function body is 0); see
    /// [`HandlerKind::Delegate`].
    pub depth: u16,
    pub kind: HandlerKind,
}

/// What a [`Handler`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandlerKind {
    /// Catches exceptions of the instance's tag `tag` (any tag if `None`): their payload
    /// (`arity` values, `arity` 0 for any tag) goes to the slots from `values`, a reference
    /// to the exception to slot `exn` if there is one, and execution continues at
    /// instruction `target`.
    Catch {
        tag: Option<u32>,
        values: Slot,
        arity: u16,
        exn: Option<Slot>,
        target: u32,
    },
    /// A legacy `delegate`: the exception goes on to the handlers of the block at depth
    /// `depth` and outwards, skipping every handler deeper than that.
    Delegate { depth: u16 },
}

/// One lowered function.
#[derive(Clone, Debug, Default)]
pub struct CompiledFunc {
    pub code: Box<[Instr]>,
    /// Number of parameters (slots `0..params`).
    pub params: u16,
    /// Number of results.
    pub results: u16,
    /// Parameters plus declared locals; slots `params..locals` start at zero.
    pub locals: u16,
    /// Slots the frame needs (locals, constants and operand stack).
    pub frame_size: u16,
    /// Constants the code reads from slots `locals..locals + consts.len()`, written there
    /// when the frame is entered (constants used inside loops, so that the loop does not
    /// materialise them on every iteration).
    pub consts: Box<[u64]>,
    pub call_sites: Box<[CallSite]>,
    pub mem_sites: Box<[MemSite]>,
    pub atomic_sites: Box<[AtomicSite]>,
    pub copy_sites: Box<[CopySite]>,
    /// `v128.const` values and `i8x16.shuffle` lane indices (`SimdX` instructions).
    pub v128_consts: Box<[u128]>,
    /// The memory operands of SIMD loads and stores.
    pub simd_sites: Box<[SimdSite]>,
    /// Exception handlers, in the order they are tried.
    pub handlers: Box<[Handler]>,
    /// The function touches vector slots (a `v128` parameter, result or local, or a SIMD
    /// instruction): the interpreter keeps vector slots for its frames (see
    /// [`isa_simd`]); functions without it never pay for them.
    pub uses_v128: bool,
    /// Lowered with fuel metering ([`Options::fuel`]): the code pays for what it runs.
    pub metered: bool,
}

impl CompiledFunc {
    /// Size of the bytecode in bytes (instructions and side tables).
    pub fn size_bytes(&self) -> usize {
        self.code.len() * std::mem::size_of::<Instr>()
            + self.call_sites.len() * std::mem::size_of::<CallSite>()
            + self.mem_sites.len() * std::mem::size_of::<MemSite>()
            + self.atomic_sites.len() * std::mem::size_of::<AtomicSite>()
            + self.copy_sites.len() * std::mem::size_of::<CopySite>()
            + self.consts.len() * std::mem::size_of::<u64>()
            + self.v128_consts.len() * std::mem::size_of::<u128>()
            + self.simd_sites.len() * std::mem::size_of::<SimdSite>()
            + self.handlers.len() * std::mem::size_of::<Handler>()
    }
}

/// How [`lower_function_with`] lowers. The default is what [`lower_function`] does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Emit fuel metering ([`fuel`]): the code pays for the operators it runs. Off by
    /// default, and code lowered without it runs no metering at all.
    pub fuel: bool,
}

impl Options {
    /// Sets [`Options::fuel`].
    pub fn fuel(mut self, on: bool) -> Options {
        self.fuel = on;
        self
    }
}

/// Validates `body` (function `imported + body.index` of the module `env` describes) and
/// lowers it in the same pass.
pub fn lower_function(
    env: &ModuleEnv,
    body: &FunctionBody,
) -> Result<CompiledFunc, rill_validator::Error> {
    lower_function_with(env, body, Options::default())
}

/// [`lower_function`] with `options`.
pub fn lower_function_with(
    env: &ModuleEnv,
    body: &FunctionBody,
    options: Options,
) -> Result<CompiledFunc, rill_validator::Error> {
    #[cfg(feature = "diagnostics")]
    FUNCTIONS_LOWERED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let func = env.imported_funcs + body.index;
    let ty = env
        .func_type_of(func)
        .ok_or_else(|| rill_validator::ValidationError::new(body.offset, "unknown function"))?;
    let mut lowerer = Lowerer::new(env, ty, body.offset);
    lowerer.set_fuel(options.fuel);
    validate_function(env, body, &mut lowerer)?;
    Ok(lowerer.into_compiled())
}

#[cfg(test)]
mod tests;
