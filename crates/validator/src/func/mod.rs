//! Function validation: operand-stack typing over the operators of one body (or constant
//! expression), handing each accepted operator with its resolved facts to an
//! [`OperatorSink`].
//!
//! Split by family: this file has the machinery (operand stack with polymorphic bottom,
//! control frames, local initialisation) and the dispatch; `control.rs`, `variables.rs`,
//! `memory.rs`, `refs.rs` (tables and references), `gc.rs` the operator families;
//! `signatures.rs` (generated) the fixed-signature numeric and SIMD operators.

mod control;
mod gc;
mod memory;
mod numeric;
mod refs;
mod signatures;
mod variables;

use rill_decoder::{
    BinaryReader, BlockType, ConstExpr, FunctionBody, HeapType, Operator, OperatorsReader, RefType,
    ValType,
};

use crate::env::ModuleEnv;
use crate::error::{bail, Result, ValidationError};
use crate::sink::{Facts, FrameKind, Label, NoopSink, OpInfo, OperatorSink};

/// A type on the operand stack: a value type, or unknown (popped from the polymorphic
/// bottom of unreachable code), or a reference of unknown heap type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Bot,
    RefBot { nullable: bool },
    Val(ValType),
}

impl Ty {
    fn as_ref(self) -> Option<RefType> {
        match self {
            Ty::Val(ValType::Ref(r)) => Some(r),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    kind: FrameKind,
    block: BlockType,
    /// Operand stack height at entry (after popping the params).
    height: usize,
    unreachable: bool,
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

pub(crate) struct FuncValidator<'e> {
    env: &'e ModuleEnv,
    locals: Vec<ValType>,
    local_init: Vec<bool>,
    /// Locals initialised inside the current frames, to forget at their end.
    init_log: Vec<u32>,
    stack: Vec<Ty>,
    frames: Vec<Frame>,
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
    let func = env.imported_funcs + body.index;
    let Some(&type_index) = env.funcs.get(func as usize) else {
        bail!(body.offset, "unknown function {func}");
    };
    let ty = env
        .types
        .func_type(type_index)
        .expect("function types are checked by the module validator");
    let mut reader = BinaryReader::new(&body.bytes, body.offset);
    let mut locals: Vec<ValType> = ty.params.to_vec();
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
        env.types.check_val_type(t, at)?;
        locals.extend(std::iter::repeat_n(t, n as usize));
    }
    let mut v = FuncValidator::new(env, locals, None);
    v.local_init = v
        .locals
        .iter()
        .enumerate()
        .map(|(i, t)| i < ty.params.len() || defaultable(*t))
        .collect();
    sink.locals(&v.locals)?;
    v.frames.push(Frame {
        kind: FrameKind::Function,
        block: BlockType::FuncType(type_index),
        height: 0,
        unreachable: false,
        init_height: 0,
    });
    v.run(OperatorsReader::new(reader), sink)?;
    Ok(sink.finish()?)
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
    let mut v = FuncValidator::new(env, Vec::new(), Some(konst));
    v.frames.push(Frame {
        kind: FrameKind::Const,
        block: BlockType::Value(ty),
        height: 0,
        unreachable: false,
        init_height: 0,
    });
    v.run(expr.operators(), &mut NoopSink)?;
    Ok(v.konst.map(|k| k.funcs).unwrap_or_default())
}

/// Whether a local of type `t` starts out with a default value.
pub(crate) fn defaultable(t: ValType) -> bool {
    match t {
        ValType::Ref(r) => r.nullable,
        _ => true,
    }
}

impl<'e> FuncValidator<'e> {
    fn new(env: &'e ModuleEnv, locals: Vec<ValType>, konst: Option<ConstMode>) -> Self {
        FuncValidator {
            env,
            local_init: vec![true; locals.len()],
            locals,
            init_log: Vec::new(),
            stack: Vec::new(),
            frames: Vec::new(),
            popped: None,

            konst,
        }
    }

    fn run(&mut self, mut ops: OperatorsReader<'_>, sink: &mut impl OperatorSink) -> Result<()> {
        while !self.frames.is_empty() {
            let offset = ops.offset();
            let op = ops.read()?;
            let unreachable = self.frames.last().is_some_and(|f| f.unreachable);
            let stack_height = self.stack.len();
            if self.konst.is_some() {
                self.check_const(&op, offset)?;
            }
            let key = self.step(&op, offset)?;
            let info = OpInfo {
                offset,
                unreachable,
                stack_height,
                facts: self.facts(key),
            };
            sink.operator(&op, &info)?;
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
                ty: self.locals[i as usize],
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
            BlockType::Value(v) => Ok(self.env.types.check_val_type(v, offset)?),
            BlockType::FuncType(i) => {
                if self.env.types.func_type(i).is_none() {
                    bail!(offset, "unknown type {i}");
                }
                Ok(())
            }
        }
    }

    // ----- operand stack -----

    fn push(&mut self, t: ValType) {
        self.stack.push(Ty::Val(t));
    }

    fn push_all(&mut self, ts: &[ValType]) {
        self.stack.extend(ts.iter().map(|t| Ty::Val(*t)));
    }

    fn pop_any(&mut self, offset: usize) -> Result<Ty> {
        let f = self.frames.last().expect("inside a frame");
        if self.stack.len() == f.height {
            if f.unreachable {
                return Ok(Ty::Bot);
            }
            bail!(
                offset,
                "type mismatch: instruction requires more operands than the stack has"
            );
        }
        Ok(self.stack.pop().expect("above the frame's height"))
    }

    fn matches(&self, actual: Ty, expected: ValType) -> bool {
        match actual {
            Ty::Bot => true,
            Ty::RefBot { nullable } => match expected {
                ValType::Ref(r) => r.nullable || !nullable,
                _ => false,
            },
            Ty::Val(v) => self.env.types.val_sub(v, expected),
        }
    }

    fn pop(&mut self, expected: ValType, offset: usize) -> Result<Ty> {
        let f = self.frames.last().expect("inside a frame");
        let popped = if self.stack.len() > f.height {
            self.stack[self.stack.len() - 1]
        } else {
            Ty::Bot
        };
        self.pop_all(std::slice::from_ref(&expected), offset)?;
        Ok(popped)
    }

    /// Pops `ts` (the last one from the top), with the reference interpreter's message
    /// "type mismatch: instruction requires [..] but stack has [..]" on failure.
    fn pop_all(&mut self, ts: &[ValType], offset: usize) -> Result<()> {
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
            let want: Vec<String> = ts.iter().map(|t| self.type_name(*t)).collect();
            let have: Vec<String> = self.stack[len - n.min(avail)..]
                .iter()
                .map(|t| self.ty_name(*t))
                .collect();
            bail!(
                offset,
                "type mismatch: instruction requires [{}] but stack has [{}]",
                want.join(" "),
                have.join(" ")
            );
        }
        self.stack.truncate(len - n.min(avail));
        Ok(())
    }

    /// Pops a reference of any type; `None` when it came from unreachable code.
    fn pop_ref(&mut self, offset: usize) -> Result<Option<RefType>> {
        match self.pop_any(offset)? {
            Ty::Bot | Ty::RefBot { .. } => Ok(None),
            Ty::Val(ValType::Ref(r)) => Ok(Some(r)),
            Ty::Val(v) => bail!(
                offset,
                "type mismatch: expected a reference, found {}",
                self.type_name(v)
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
            if !self.matches(self.stack[at], *t) {
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

    fn push_frame(&mut self, kind: FrameKind, block: BlockType, offset: usize) -> Result<()> {
        self.check_block_type(block, offset)?;
        let params = self.params(&block).to_vec();
        self.pop_all(&params, offset)?;
        self.frames.push(Frame {
            kind,
            block,
            height: self.stack.len(),
            unreachable: false,
            init_height: self.init_log.len(),
        });
        self.push_all(&params);
        Ok(())
    }

    /// Checks the current frame's results and pops it (restoring local initialisation).
    fn pop_frame(&mut self, offset: usize) -> Result<Frame> {
        let f = *self.frames.last().expect("inside a frame");
        let results = self.results(&f.block).to_vec();
        self.pop_all(&results, offset)?;
        if self.stack.len() != f.height {
            bail!(
                offset,
                "type mismatch: values remaining on the stack at end of block"
            );
        }
        for i in self.init_log.drain(f.init_height..) {
            self.local_init[i as usize] = false;
        }
        self.frames.pop();
        Ok(f)
    }

    /// The frame at relative `depth`: "unknown label" if there is none.
    fn frame_at(&self, depth: u32, offset: usize) -> Result<&Frame> {
        match (self.frames.len() as u32).checked_sub(depth + 1) {
            Some(i) => Ok(&self.frames[i as usize]),
            None => bail!(offset, "unknown label {depth}"),
        }
    }

    fn label_types_at(&self, depth: u32, offset: usize) -> Result<Vec<ValType>> {
        let f = self.frame_at(depth, offset)?;
        Ok(self.label_types(f).to_vec())
    }

    // ----- names for messages -----

    fn ty_name(&self, t: Ty) -> String {
        match t {
            Ty::Bot => "bot".into(),
            Ty::RefBot { nullable: true } => "(ref null bot)".into(),
            Ty::RefBot { nullable: false } => "(ref bot)".into(),
            Ty::Val(v) => self.type_name(v),
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

    // ----- dispatch -----

    fn step(&mut self, op: &Operator<'_>, offset: usize) -> Result<Key> {
        if let Some((params, results)) = signatures::signature(op) {
            self.pop_all(params, offset)?;
            self.push_all(results);
            return Ok(Key::None);
        }
        if let Some(access) = signatures::memory_access(op) {
            return self.memory_access(access, offset);
        }
        if let Some(key) = self.numeric(op, offset)? {
            return Ok(key);
        }
        if let Some(key) = self.control(op, offset)? {
            return Ok(key);
        }
        if let Some(key) = self.variables(op, offset)? {
            return Ok(key);
        }
        if let Some(key) = self.memory(op, offset)? {
            return Ok(key);
        }
        if let Some(key) = self.refs(op, offset)? {
            return Ok(key);
        }
        if let Some(key) = self.gc(op, offset)? {
            return Ok(key);
        }
        Err(ValidationError::new(offset, format!("unsupported operator {}", op.name())).into())
    }
}
