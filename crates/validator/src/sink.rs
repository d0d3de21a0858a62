//! The interface between validation and lowering: for every operator the function validator
//! accepts, it calls an [`OperatorSink`] with the operator and the facts it resolved.
//!
//! The facts are what a pass that turns the operand stack into registers cannot cheaply know
//! on its own: block signatures, branch targets' label types, whether the code is
//! unreachable, the concrete type of a `select`, and the types of operands the validator
//! popped (e.g. the reference a cast inspects). Everything else (global types, memory and
//! table types) is in the [`ModuleEnv`](crate::ModuleEnv) the sink can keep a reference to.

use rill_decoder::{FuncType, GlobalType, Operator, RefType, TableType, ValType};

use crate::error::ValidationError;

/// The kind of a control frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// The function body itself (its `end` ends the function).
    Function,
    Block,
    Loop,
    If,
    Else,
    TryTable,
    /// Legacy exception handling: `try`, and the handlers after `catch` / `catch_all`.
    Try,
    Catch,
    CatchAll,
    /// A constant expression.
    Const,
}

/// A branch target.
#[derive(Clone, Copy, Debug)]
pub struct Label<'v> {
    /// The relative depth as written.
    pub depth: u32,
    /// The types a branch carries (the block's params for a loop, its results otherwise).
    pub types: &'v [ValType],
    /// The target is a loop (branching goes back to its start).
    pub is_loop: bool,
}

/// What the validator resolved for one operator.
#[derive(Clone, Copy, Debug)]
pub enum Facts<'v> {
    /// Nothing beyond the operator itself (numeric operators, constants, ...).
    None,
    /// `block`, `loop`, `if`, `try`, `try_table`: the block's resolved signature.
    Block {
        params: &'v [ValType],
        results: &'v [ValType],
    },
    /// `else`, `catch`, `catch_all`: the signature of the enclosing construct.
    Else {
        params: &'v [ValType],
        results: &'v [ValType],
    },
    /// `end` (and `delegate`): the frame it closes. `FrameKind::Function` is the last `end`.
    End {
        kind: FrameKind,
        results: &'v [ValType],
    },
    /// `br`, `br_if`, `br_on_null`, `br_on_non_null`, `br_on_cast(_fail)`, and `return`
    /// (whose label is the function's), with the popped reference type for `br_on_*`
    /// (`None` when it came from unreachable code).
    Branch {
        label: Label<'v>,
        operand: Option<RefType>,
    },
    /// `br_table`: every target has the default's arity.
    BrTable { default: Label<'v> },
    /// `select` / typed `select`: the operand type (`None` only in unreachable code).
    Select { ty: Option<ValType> },
    /// Calls and tail calls: the callee's type index and function type.
    Call { type_index: u32, ty: &'v FuncType },
    /// `local.get/set/tee`: the local's type.
    Local { ty: ValType },
    /// `global.get/set`.
    Global { ty: GlobalType },
    /// Memory operators: the (first) memory's address type is `i64`.
    Memory { memory64: bool },
    /// Table operators: the (first) table's type.
    Table { ty: TableType },
    /// Reference operators that inspect an operand (`ref.is_null`, `ref.as_non_null`,
    /// `ref.test`, `ref.cast`, conversions): its type (`None` in unreachable code).
    Ref { operand: Option<RefType> },
}

/// Everything about one accepted operator.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo<'v> {
    /// Module offset of the operator's first byte.
    pub offset: usize,
    /// The operator is in unreachable code (after `br`, `return`, `unreachable`, ...): its
    /// operands may be missing; a lowering pass can skip it except for block structure.
    pub unreachable: bool,
    /// Operand stack height (in values, relative to the function) before the operator.
    pub stack_height: usize,
    pub facts: Facts<'v>,
}

/// Receives every operator the function validator accepts, in order. Lowering implements
/// it; [`NoopSink`] gives plain validation. An error from the sink aborts validation of the
/// body and is returned as is.
pub trait OperatorSink {
    /// Whether the sink wants [`locals`](Self::locals) and [`operator`](Self::operator) calls.
    /// A sink that ignores them (as [`NoopSink`] does) sets this to `false`, and the validator
    /// skips resolving the [`Facts`] for it.
    const OPERATORS: bool = true;

    /// Called once before the first operator with the types of all locals (parameters
    /// first, then declared locals).
    fn locals(&mut self, locals: &[ValType]) -> Result<(), ValidationError> {
        let _ = locals;
        Ok(())
    }

    /// Called for each validated operator.
    fn operator(&mut self, op: &Operator<'_>, info: &OpInfo<'_>) -> Result<(), ValidationError>;

    /// Called after the final `end` was validated.
    fn finish(&mut self) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// A sink that does nothing: plain validation.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopSink;

impl OperatorSink for NoopSink {
    const OPERATORS: bool = false;

    #[inline]
    fn operator(&mut self, _: &Operator<'_>, _: &OpInfo<'_>) -> Result<(), ValidationError> {
        Ok(())
    }
}
