//! Function validation: operand-stack typing over the operators of one body (or constant
//! expression), handing each accepted operator with its resolved facts to an
//! [`OperatorSink`].
//!
//! Split by family: this file has the machinery (operand stack with polymorphic bottom,
//! control frames, local initialisation); `dispatch.rs` (generated from the operator table)
//! the one exhaustive `match` over every operator, with the fixed-signature numeric and SIMD
//! operators and the memory accesses inline; `control.rs`, `variables.rs`, `numeric.rs`,
//! `memory.rs`, `refs.rs` (tables and references) and `gc.rs` the other operator families.
//!
//! Speed: the operand stack holds packed [`Ty`]s (4 bytes), and every pop first tries the
//! exact-match fast path (the top is exactly the expected type, above the frame's height),
//! falling back to subtyping and the unreachable-code rules out of line. Messages are built
//! only on failure. Nothing is allocated per operator, and [`FuncScratch`] carries the
//! buffers from one body to the next.

mod control;
mod dispatch;
mod gc;
mod memory;
mod numeric;
mod refs;
mod ty;
mod variables;

use rill_decoder::{
    BinaryReader, BlockType, ConstExpr, FuncType, FunctionBody, HeapType, Operator,
    OperatorsReader, RefType, ValType,
};

use crate::env::ModuleEnv;
use crate::error::{bail, error_at, Error, Result};
use crate::sink::{Facts, FrameKind, Label, NoopSink, OpInfo, OperatorSink};

pub(crate) use ty::Ty;

/// The types a frame's label or `end` carries, resolved when the frame is pushed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sig {
    Empty,
    One(Ty),
    /// The params of function type `i` (a loop's label).
    Params(u32),
    /// The results of function type `i`.
    Results(u32),
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    kind: FrameKind,
    unreachable: bool,
    block: BlockType,
    /// What a branch to this frame carries.
    label: Sig,
    /// What its `end` leaves.
    results: Sig,
    /// Operand stack height at entry (after popping the params).
    height: usize,
    /// Length of `init_log` at entry.
    init_height: usize,
}

/// What to tell the sink, resolved after the operator was checked.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key {
    None,
    Block,
    Else,
    End,
    Label(u32, Option<RefType>),
    Return,
    BrTable(u32),
    Select(Option<ValType>),
    Call(u32),
    Local(u32),
    Global(u32),
    Memory(u32),
    Table(u32),
    Ref(Option<RefType>),
}

/// Constant expression state.
struct ConstMode {
    /// Globals visible to `global.get`.
    global_limit: u32,
    /// Functions named by `ref.func`.
    funcs: Vec<u32>,
}

/// Buffers the function validator reuses from one body to the next (see
/// [`validate_function_with`]); validating many bodies with one scratch saves allocating
/// them per body.
#[derive(Debug, Default)]
pub struct FuncScratch {
    locals: Vec<Ty>,
    init_log: Vec<u32>,
    stack: Vec<Ty>,
    frames: Vec<Frame>,
}

pub(crate) struct FuncValidator<'e> {
    env: &'e ModuleEnv,
    /// The type of every local (parameters first); [`Ty::UNINIT`] is set while a
    /// non-defaultable local is not initialised.
    locals: Vec<Ty>,
    /// Locals initialised inside the current frames, to forget at their end.
    init_log: Vec<u32>,
    stack: Vec<Ty>,
    frames: Vec<Frame>,
    /// The innermost frame's height (cached from `frames`).
    floor: usize,
    /// The frame the last `end` closed.
    popped: Option<Frame>,
    konst: Option<ConstMode>,
}

/// Validates a function body and hands every accepted operator to `sink`.
///
/// `env` must be the module's frozen environment (from [`ModuleValidator::env`]); bodies are
/// independent of each other and can be validated on any thread, in any order.
///
/// [`ModuleValidator::env`]: crate::ModuleValidator::env
pub fn validate_function(
    env: &ModuleEnv,
    body: &FunctionBody,
    sink: &mut impl OperatorSink,
) -> Result<()> {
    validate_function_with(env, body, sink, &mut FuncScratch::default())
}

/// [`validate_function`] with buffers reused from earlier bodies.
pub fn validate_function_with(
    env: &ModuleEnv,
    body: &FunctionBody,
    sink: &mut impl OperatorSink,
    scratch: &mut FuncScratch,
) -> Result<()> {
    let func = env.imported_funcs + body.index;
    let Some(&type_index) = env.funcs.get(func as usize) else {
        bail!(body.offset, "unknown function {func}");
    };
    let mut v = FuncValidator::new(env, std::mem::take(scratch), None);
    let result = v.function(type_index, body, sink);
    *scratch = v.into_scratch();
    result
}

/// Validates a constant expression of type `ty`, where `global.get` may name the first
/// `global_limit` globals. Returns the functions it names with `ref.func`.
pub fn validate_const_expr(
    env: &ModuleEnv,
    expr: &ConstExpr,
    ty: ValType,
    global_limit: u32,
) -> Result<Vec<u32>> {
    let konst = ConstMode {
        global_limit,
        funcs: Vec::new(),
    };
    let mut v = FuncValidator::new(env, FuncScratch::default(), Some(konst));
    let block = BlockType::Value(ty);
    v.frames.push(v.new_frame(FrameKind::Const, block));
    v.run::<_, true>(expr.operators(), &mut NoopSink)?;
    Ok(v.konst.map(|k| k.funcs).unwrap_or_default())
}

/// Whether a local of type `t` starts out with a default value.
pub(crate) fn defaultable(t: ValType) -> bool {
    match t {
        ValType::Ref(r) => r.nullable,
        _ => true,
    }
}

/// The params of a block type.
fn params_sig(bt: BlockType) -> Sig {
    match bt {
        BlockType::FuncType(i) => Sig::Params(i),
        _ => Sig::Empty,
    }
}

impl<'e> FuncValidator<'e> {
    fn new(env: &'e ModuleEnv, scratch: FuncScratch, konst: Option<ConstMode>) -> Self {
        let FuncScratch {
            mut locals,
            mut init_log,
            mut stack,
            mut frames,
        } = scratch;
        locals.clear();
        init_log.clear();
        stack.clear();
        frames.clear();
        FuncValidator {
            env,
            locals,
            init_log,
            stack,
            frames,
            floor: 0,
            popped: None,
            konst,
        }
    }

    fn into_scratch(self) -> FuncScratch {
        FuncScratch {
            locals: self.locals,
            init_log: self.init_log,
            stack: self.stack,
            frames: self.frames,
        }
    }

    /// Reads the locals of `body` (of function type `type_index`) and validates its operators.
    fn function(
        &mut self,
        type_index: u32,
        body: &FunctionBody,
        sink: &mut impl OperatorSink,
    ) -> Result<()> {
        let env = self.env;
        let ty = env
            .types
            .func_type(type_index)
            .expect("function types are checked by the module validator");
        let mut reader = BinaryReader::new(&body.bytes, body.offset);
        self.locals
            .extend(ty.params.iter().map(|&t| Ty::from_val(t)));
        let groups = reader.read_var_u32()?;
        let mut declared: u64 = 0;
        for _ in 0..groups {
            let at = reader.offset();
            let n = reader.read_var_u32()?;
            declared += u64::from(n);
            if declared > u64::from(rill_decoder::limits::MAX_FUNCTION_LOCALS) {
                bail!(at, "too many locals");
            }
            let t = reader.read_val_type()?;
            env.check_val_type(t, at)?;
            let mut packed = Ty::from_val(t);
            if !defaultable(t) {
                packed.0 |= Ty::UNINIT;
            }
            self.locals.extend(std::iter::repeat_n(packed, n as usize));
        }
        self.locals_to_sink(sink)?;
        let block = BlockType::FuncType(type_index);
        self.frames.push(self.new_frame(FrameKind::Function, block));
        self.run::<_, false>(OperatorsReader::new(reader), sink)?;
        Ok(sink.finish()?)
    }

    fn locals_to_sink<S: OperatorSink>(&self, sink: &mut S) -> Result<()> {
        if S::OPERATORS {
            let locals: Vec<ValType> = (0..self.locals.len() as u32)
                .map(|i| self.local_val(i))
                .collect();
            sink.locals(&locals)?;
        }
        Ok(())
    }

    /// The value type of local `i` (which exists).
    fn local_val(&self, i: u32) -> ValType {
        Ty(self.locals[i as usize].0 & !Ty::UNINIT)
            .to_val()
            .expect("locals have value types")
    }

    /// Validates operators up to the final `end`; `KONST` for a constant expression.
    fn run<S: OperatorSink, const KONST: bool>(
        &mut self,
        mut ops: OperatorsReader<'_>,
        sink: &mut S,
    ) -> Result<()> {
        while !self.frames.is_empty() {
            let offset = ops.offset();
            // The operator is used where the reader put it: moving it out of the `Result`
            // copies it with wide loads right after the reader's narrow stores, which stalls
            // store forwarding on every operator.
            let read = ops.read();
            let op = match read {
                Ok(ref op) => op,
                Err(e) => return Err(e.into()),
            };
            if KONST {
                self.check_const(op, offset)?;
            }
            if S::OPERATORS {
                let unreachable = self.frames.last().is_some_and(|f| f.unreachable);
                let stack_height = self.stack.len();
                let key = self.step(op, offset)?;
                let info = OpInfo {
                    offset,
                    unreachable,
                    stack_height,
                    facts: self.facts(key),
                };
                sink.operator(op, &info)?;
            } else {
                self.step(op, offset)?;
            }
        }
        if !ops.eof() {
            bail!(ops.offset(), "operators remaining after end of function");
        }
        Ok(())
    }

    fn facts(&self, key: Key) -> Facts<'_> {
        let env = self.env;
        match key {
            Key::None => Facts::None,
            Key::Block => {
                let f = self.frames.last().expect("a frame was pushed");
                Facts::Block {
                    params: self.params(&f.block),
                    results: self.results(&f.block),
                }
            }
            Key::Else => {
                let f = self.frames.last().expect("a frame was pushed");
                Facts::Else {
                    params: self.params(&f.block),
                    results: self.results(&f.block),
                }
            }
            Key::End => {
                let f = self.popped.as_ref().expect("a frame was popped");
                Facts::End {
                    kind: f.kind,
                    results: self.results(&f.block),
                }
            }
            Key::Label(depth, operand) => Facts::Branch {
                label: self.label(depth),
                operand,
            },
            Key::Return => Facts::Branch {
                label: self.label(self.frames.len() as u32 - 1),
                operand: None,
            },
            Key::BrTable(depth) => Facts::BrTable {
                default: self.label(depth),
            },
            Key::Select(ty) => Facts::Select { ty },
            Key::Call(type_index) => Facts::Call {
                type_index,
                ty: env.types.func_type(type_index).expect("checked"),
            },
            Key::Local(i) => Facts::Local {
                ty: self.local_val(i),
            },
            Key::Global(i) => Facts::Global {
                ty: env.globals[i as usize],
            },
            Key::Memory(i) => Facts::Memory {
                memory64: env.memories[i as usize].memory64,
            },
            Key::Table(i) => Facts::Table {
                ty: env.tables[i as usize],
            },
            Key::Ref(operand) => Facts::Ref { operand },
        }
    }

    fn label(&self, depth: u32) -> Label<'_> {
        let f = &self.frames[self.frames.len() - 1 - depth as usize];
        Label {
            depth,
            types: self.label_types(f),
            is_loop: f.kind == FrameKind::Loop,
        }
    }

    // ----- block types -----

    fn params<'s>(&'s self, bt: &'s BlockType) -> &'s [ValType] {
        match bt {
            BlockType::FuncType(i) => self.env.types.func_type(*i).map_or(&[], |f| &f.params),
            _ => &[],
        }
    }

    fn results<'s>(&'s self, bt: &'s BlockType) -> &'s [ValType] {
        match bt {
            BlockType::Empty => &[],
            BlockType::Value(v) => std::slice::from_ref(v),
            BlockType::FuncType(i) => self.env.types.func_type(*i).map_or(&[], |f| &f.results),
        }
    }

    fn label_types<'s>(&'s self, f: &'s Frame) -> &'s [ValType] {
        if f.kind == FrameKind::Loop {
            self.params(&f.block)
        } else {
            self.results(&f.block)
        }
    }

    fn check_block_type(&self, bt: BlockType, offset: usize) -> Result<()> {
        match bt {
            BlockType::Empty => Ok(()),
            BlockType::Value(v) => Ok(self.env.check_val_type(v, offset)?),
            BlockType::FuncType(i) => {
                if self.env.types.func_type(i).is_none() {
                    bail!(offset, "unknown type {i}");
                }
                Ok(())
            }
        }
    }

    /// Function type `i`, which was checked to exist.
    fn checked_func_type(&self, i: u32) -> &'e FuncType {
        self.env
            .types
            .func_type(i)
            .expect("block and call types are checked")
    }

    /// The value types of a `Params` or `Results` signature.
    fn sig_vals(&self, s: Sig) -> &'e [ValType] {
        match s {
            Sig::Params(i) => &self.checked_func_type(i).params,
            Sig::Results(i) => &self.checked_func_type(i).results,
            Sig::Empty | Sig::One(_) => &[],
        }
    }

    // ----- operand stack -----

    #[inline(always)]
    fn push(&mut self, t: ValType) {
        self.stack.push(Ty::from_val(t));
    }

    #[inline(always)]
    fn push_ty(&mut self, t: Ty) {
        self.stack.push(t);
    }

    fn push_all(&mut self, ts: &[ValType]) {
        self.stack.extend(ts.iter().map(|&t| Ty::from_val(t)));
    }

    #[inline]
    fn push_sig(&mut self, s: Sig) {
        match s {
            Sig::Empty => {}
            Sig::One(t) => self.push_ty(t),
            Sig::Params(_) | Sig::Results(_) => self.push_all(self.sig_vals(s)),
        }
    }

    /// Pops the types of `s` (the last one from the top).
    #[inline]
    fn pop_sig(&mut self, s: Sig, offset: usize) -> Result<()> {
        match s {
            Sig::Empty => Ok(()),
            Sig::One(t) => self.pop_ty(t, offset).map(drop),
            Sig::Params(_) | Sig::Results(_) => self.pop_all(self.sig_vals(s), offset),
        }
    }

    /// Pops any one operand (unknown from unreachable code).
    #[inline]
    fn pop_any(&mut self, offset: usize) -> Result<Ty> {
        if self.stack.len() > self.floor {
            if let Some(t) = self.stack.pop() {
                return Ok(t);
            }
        }
        if self.frames.last().is_some_and(|f| f.unreachable) {
            return Ok(Ty::BOT);
        }
        bail!(
            offset,
            "type mismatch: instruction requires more operands than the stack has"
        );
    }

    /// Whether an operand of type `actual` matches `expected`.
    #[inline]
    fn matches(&self, actual: Ty, expected: Ty) -> bool {
        actual == expected || self.matches_slow(actual, expected)
    }

    #[inline(never)]
    fn matches_slow(&self, actual: Ty, expected: Ty) -> bool {
        if actual.is_bot() {
            return true;
        }
        if actual.is_ref_bot() {
            return expected.is_ref() && (expected.is_nullable() || !actual.is_nullable());
        }
        match (actual.as_ref(), expected.as_ref()) {
            (Some(a), Some(e)) => self.env.types.ref_sub(a, e),
            _ => false,
        }
    }

    /// Pops one operand of type `expected`; returns what was popped (unknown from
    /// unreachable code).
    #[inline(always)]
    fn pop_ty(&mut self, expected: Ty, offset: usize) -> Result<Ty> {
        let len = self.stack.len();
        if len > self.floor && self.stack[len - 1] == expected {
            self.stack.truncate(len - 1);
            return Ok(expected);
        }
        self.pop_ty_slow(expected, offset)
    }

    #[inline(never)]
    fn pop_ty_slow(&mut self, expected: Ty, offset: usize) -> Result<Ty> {
        let popped = match self.stack.last() {
            Some(&t) if self.stack.len() > self.floor => t,
            _ => Ty::BOT,
        };
        self.pop_tys_slow(&[expected], offset)?;
        Ok(popped)
    }

    /// Pops one operand of type `expected`; returns what was popped.
    #[inline]
    fn pop(&mut self, expected: ValType, offset: usize) -> Result<Ty> {
        self.pop_ty(Ty::from_val(expected), offset)
    }

    /// Pops `ts` (the last one from the top).
    #[inline(always)]
    fn pop_tys(&mut self, ts: &[Ty], offset: usize) -> Result<()> {
        let n = ts.len();
        let len = self.stack.len();
        if len >= self.floor + n && self.stack[len - n..] == *ts {
            self.stack.truncate(len - n);
            return Ok(());
        }
        self.pop_tys_slow(ts, offset)
    }

    /// Pops `ts` (the last one from the top), with the reference interpreter's message
    /// "type mismatch: instruction requires [..] but stack has [..]" on failure.
    #[inline]
    fn pop_all(&mut self, ts: &[ValType], offset: usize) -> Result<()> {
        let n = ts.len();
        let len = self.stack.len();
        if len >= self.floor + n
            && ts
                .iter()
                .zip(&self.stack[len - n..])
                .all(|(&t, &s)| Ty::from_val(t) == s)
        {
            self.stack.truncate(len - n);
            return Ok(());
        }
        let ts: Vec<Ty> = ts.iter().map(|&t| Ty::from_val(t)).collect();
        self.pop_tys_slow(&ts, offset)
    }

    /// `pop_tys` with subtyping and the polymorphic bottom of unreachable code.
    #[inline(never)]
    fn pop_tys_slow(&mut self, ts: &[Ty], offset: usize) -> Result<()> {
        let f = self.frames.last().expect("inside a frame");
        let len = self.stack.len();
        let avail = len - f.height;
        let n = ts.len();
        let ok = (0..n).all(|k| {
            if k < avail {
                self.matches(self.stack[len - 1 - k], ts[n - 1 - k])
            } else {
                f.unreachable
            }
        });
        if !ok {
            return Err(self.mismatch(ts, offset));
        }
        self.stack.truncate(len - n.min(avail));
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn mismatch(&self, ts: &[Ty], offset: usize) -> Error {
        let len = self.stack.len();
        let avail = len - self.floor;
        let want: Vec<String> = ts.iter().map(|t| self.ty_name(*t)).collect();
        let have: Vec<String> = self.stack[len - ts.len().min(avail)..]
            .iter()
            .map(|t| self.ty_name(*t))
            .collect();
        error_at(
            offset,
            format_args!(
                "type mismatch: instruction requires [{}] but stack has [{}]",
                want.join(" "),
                have.join(" ")
            ),
        )
        .into()
    }

    /// A fixed-signature operator `[a] -> [r]`.
    #[inline(always)]
    fn op1(&mut self, a: Ty, r: Ty, offset: usize) -> Result<Key> {
        let len = self.stack.len();
        if len > self.floor && self.stack[len - 1] == a {
            self.stack[len - 1] = r;
        } else {
            self.pop_tys_slow(&[a], offset)?;
            self.push_ty(r);
        }
        Ok(Key::None)
    }

    /// A fixed-signature operator `[a b] -> [r]`.
    #[inline(always)]
    fn op2(&mut self, a: Ty, b: Ty, r: Ty, offset: usize) -> Result<Key> {
        let len = self.stack.len();
        if len >= self.floor + 2 && self.stack[len - 1] == b && self.stack[len - 2] == a {
            self.stack[len - 2] = r;
            self.stack.truncate(len - 1);
        } else {
            self.pop_tys_slow(&[a, b], offset)?;
            self.push_ty(r);
        }
        Ok(Key::None)
    }

    /// A fixed-signature operator `[a b c] -> [r]`.
    #[inline(always)]
    fn op3(&mut self, a: Ty, b: Ty, c: Ty, r: Ty, offset: usize) -> Result<Key> {
        self.pop_tys(&[a, b, c], offset)?;
        self.push_ty(r);
        Ok(Key::None)
    }

    /// Any other fixed-signature operator.
    #[inline(always)]
    fn op_n(&mut self, params: &[Ty], results: &[Ty], offset: usize) -> Result<Key> {
        self.pop_tys(params, offset)?;
        self.stack.extend_from_slice(results);
        Ok(Key::None)
    }

    /// Pops a reference of any type; `None` when it came from unreachable code.
    fn pop_ref(&mut self, offset: usize) -> Result<Option<RefType>> {
        let t = self.pop_any(offset)?;
        if t.is_bot() || t.is_ref_bot() {
            return Ok(None);
        }
        match t.as_ref() {
            Some(r) => Ok(Some(r)),
            None => bail!(
                offset,
                "type mismatch: expected a reference, found {}",
                self.ty_name(t)
            ),
        }
    }

    /// Checks the top of the stack against `ts` without popping.
    fn check_top(&self, ts: &[ValType], offset: usize) -> Result<()> {
        let f = self.frames.last().expect("inside a frame");
        for (k, t) in ts.iter().rev().enumerate() {
            let Some(at) = self
                .stack
                .len()
                .checked_sub(k + 1)
                .filter(|&at| at >= f.height)
            else {
                if f.unreachable {
                    return Ok(());
                }
                bail!(
                    offset,
                    "type mismatch: branch requires more operands than the stack has"
                );
            };
            if !self.matches(self.stack[at], Ty::from_val(*t)) {
                bail!(offset, "type mismatch: expected {}", self.type_name(*t));
            }
        }
        Ok(())
    }

    /// The rest of the current frame is unreachable.
    fn set_unreachable(&mut self) {
        let f = self.frames.last_mut().expect("inside a frame");
        f.unreachable = true;
        self.stack.truncate(f.height);
    }

    // ----- control frames -----

    /// A frame for `block` starting at the current stack height.
    fn new_frame(&self, kind: FrameKind, block: BlockType) -> Frame {
        let (params, results) = match block {
            BlockType::Empty => (Sig::Empty, Sig::Empty),
            BlockType::Value(v) => (Sig::Empty, Sig::One(Ty::from_val(v))),
            BlockType::FuncType(i) => (Sig::Params(i), Sig::Results(i)),
        };
        Frame {
            kind,
            unreachable: false,
            block,
            label: if kind == FrameKind::Loop {
                params
            } else {
                results
            },
            results,
            height: self.stack.len(),
            init_height: self.init_log.len(),
        }
    }

    /// Pushes a frame whose params are on the stack (pops and pushes them back).
    #[inline]
    fn push_frame(&mut self, kind: FrameKind, block: BlockType, offset: usize) -> Result<()> {
        self.check_block_type(block, offset)?;
        let params = params_sig(block);
        self.pop_sig(params, offset)?;
        let f = self.new_frame(kind, block);
        self.floor = f.height;
        self.frames.push(f);
        self.push_sig(params);
        Ok(())
    }

    /// Pushes a frame whose params are already on the stack (else, catch).
    fn push_frame_unchecked(&mut self, kind: FrameKind, block: BlockType) {
        let f = self.new_frame(kind, block);
        self.floor = f.height;
        self.frames.push(f);
        if kind == FrameKind::Else {
            self.push_sig(params_sig(block));
        }
    }

    /// Checks the current frame's results and pops it (restoring local initialisation).
    #[inline]
    fn pop_frame(&mut self, offset: usize) -> Result<Frame> {
        let f = *self.frames.last().expect("inside a frame");
        self.pop_sig(f.results, offset)?;
        if self.stack.len() != f.height {
            return Err(self.values_remaining(f.results, f.height, offset));
        }
        if self.init_log.len() > f.init_height {
            for i in self.init_log.drain(f.init_height..) {
                self.locals[i as usize].0 |= Ty::UNINIT;
            }
        }
        self.frames.pop();
        self.floor = self.frames.last().map_or(0, |f| f.height);
        Ok(f)
    }

    /// Values are left on the stack at the end of a block whose `results` were just popped:
    /// the reference interpreter's "type mismatch: block requires [results] but stack has
    /// [everything the block left]".
    #[cold]
    #[inline(never)]
    fn values_remaining(&self, results: Sig, height: usize, offset: usize) -> Error {
        let want: Vec<Ty> = match results {
            Sig::Empty => vec![],
            Sig::One(t) => vec![t],
            Sig::Params(_) | Sig::Results(_) => self
                .sig_vals(results)
                .iter()
                .map(|&t| Ty::from_val(t))
                .collect(),
        };
        let want_names: Vec<String> = want.iter().map(|&t| self.ty_name(t)).collect();
        let have: Vec<String> = self.stack[height..]
            .iter()
            .chain(&want)
            .map(|&t| self.ty_name(t))
            .collect();
        error_at(
            offset,
            format_args!(
                "type mismatch: block requires [{}] but stack has [{}]",
                want_names.join(" "),
                have.join(" ")
            ),
        )
        .into()
    }

    /// The frame at relative `depth`: "unknown label" if there is none.
    #[inline]
    fn frame_at(&self, depth: u32, offset: usize) -> Result<&Frame> {
        let len = self.frames.len();
        if (depth as usize) < len {
            Ok(&self.frames[len - 1 - depth as usize])
        } else {
            bail!(offset, "unknown label {depth}")
        }
    }

    fn label_types_at(&self, depth: u32, offset: usize) -> Result<Vec<ValType>> {
        let f = self.frame_at(depth, offset)?;
        Ok(self.label_types(f).to_vec())
    }

    // ----- names for messages -----

    fn ty_name(&self, t: Ty) -> String {
        match t.to_val() {
            Some(v) => self.type_name(v),
            None if t.is_bot() => "bot".into(),
            None if t.is_nullable() => "(ref null bot)".into(),
            None => "(ref bot)".into(),
        }
    }

    fn type_name(&self, v: ValType) -> String {
        match v {
            ValType::I32 => "i32".into(),
            ValType::I64 => "i64".into(),
            ValType::F32 => "f32".into(),
            ValType::F64 => "f64".into(),
            ValType::V128 => "v128".into(),
            ValType::Ref(r) => {
                let heap = match r.heap {
                    HeapType::Abstract(a) => format!("{a:?}").to_lowercase(),
                    HeapType::Concrete(i) => i.to_string(),
                    HeapType::Exact(i) => format!("(exact {i})"),
                };
                if r.nullable {
                    format!("(ref null {heap})")
                } else {
                    format!("(ref {heap})")
                }
            }
        }
    }

    // ----- constant expressions -----

    fn check_const(&mut self, op: &Operator<'_>, offset: usize) -> Result<()> {
        let k = self.konst.as_mut().expect("in a constant expression");
        match *op {
            Operator::I32Const { .. }
            | Operator::I64Const { .. }
            | Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::V128Const { .. }
            | Operator::RefNull { .. }
            | Operator::I32Add
            | Operator::I32Sub
            | Operator::I32Mul
            | Operator::I64Add
            | Operator::I64Sub
            | Operator::I64Mul
            | Operator::StructNew { .. }
            | Operator::StructNewDefault { .. }
            | Operator::StructNewDesc { .. }
            | Operator::StructNewDefaultDesc { .. }
            | Operator::ArrayNew { .. }
            | Operator::ArrayNewDefault { .. }
            | Operator::ArrayNewFixed { .. }
            | Operator::RefI31
            | Operator::AnyConvertExtern
            | Operator::ExternConvertAny
            | Operator::End => Ok(()),
            Operator::RefFunc { function_index } => {
                k.funcs.push(function_index);
                Ok(())
            }
            Operator::GlobalGet { global_index } => {
                if global_index >= k.global_limit {
                    bail!(offset, "unknown global {global_index}");
                }
                if self.env.globals[global_index as usize].mutable {
                    bail!(
                        offset,
                        "constant expression required: global {global_index} is mutable"
                    );
                }
                Ok(())
            }
            _ => bail!(offset, "constant expression required"),
        }
    }
}
