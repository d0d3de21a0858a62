//! Control operators: blocks, branches, calls, `select`, exceptions.

use rill_decoder::{AbsHeapType, BlockType, Catch, FuncType, HeapType, Operator, RefType, ValType};

use super::{FuncValidator, Key, Ty};
use crate::error::{bail, Result};
use crate::sink::FrameKind;

const EXNREF_NON_NULL: ValType = ValType::Ref(RefType {
    nullable: false,
    heap: HeapType::Abstract(AbsHeapType::Exn),
});

impl<'e> FuncValidator<'e> {
    #[inline(always)]
    pub(super) fn control(&mut self, op: &Operator<'_>, offset: usize) -> Result<Key> {
        let key = match *op {
            Operator::Unreachable => {
                self.set_unreachable();
                Key::None
            }
            Operator::Nop => Key::None,
            Operator::Block { blockty } => {
                self.push_frame(FrameKind::Block, blockty, offset)?;
                Key::Block
            }
            Operator::Loop { blockty } => {
                self.push_frame(FrameKind::Loop, blockty, offset)?;
                Key::Block
            }
            Operator::If { blockty } => {
                self.check_block_type(blockty, offset)?;
                self.pop_ty(Ty::I32, offset)?;
                self.push_frame(FrameKind::If, blockty, offset)?;
                Key::Block
            }
            Operator::Else => {
                if self.frames.last().map(|f| f.kind) != Some(FrameKind::If) {
                    bail!(offset, "else found outside an if block");
                }
                let f = self.pop_frame(offset)?;
                self.push_frame_unchecked(FrameKind::Else, f.block);
                Key::Else
            }
            Operator::End => {
                let f = self.frames.last().expect("inside a frame");
                if f.kind == FrameKind::If && !self.if_passes_through(f.block) {
                    bail!(
                        offset,
                        "type mismatch: if without else must not change the stack"
                    );
                }
                let f = self.pop_frame(offset)?;
                self.push_sig(f.results);
                self.popped = Some(f);
                Key::End
            }
            Operator::Br { relative_depth } => {
                let label = self.frame_at(relative_depth, offset)?.label;
                self.pop_sig(label, offset)?;
                self.set_unreachable();
                Key::Label(relative_depth, None)
            }
            Operator::BrIf { relative_depth } => {
                self.pop_ty(Ty::I32, offset)?;
                let label = self.frame_at(relative_depth, offset)?.label;
                self.pop_sig(label, offset)?;
                self.push_sig(label);
                Key::Label(relative_depth, None)
            }
            Operator::BrTable { targets } => {
                self.pop_ty(Ty::I32, offset)?;
                let default = targets.default();
                let arity = self.label_types(self.frame_at(default, offset)?).len();
                for depth in targets.targets().chain(std::iter::once(default)) {
                    let types = self.label_types(self.frame_at(depth, offset)?);
                    if types.len() != arity {
                        bail!(
                            offset,
                            "type mismatch: br_table targets have different arities"
                        );
                    }
                    self.check_top(types, offset)?;
                }
                let label = self.frame_at(default, offset)?.label;
                self.pop_sig(label, offset)?;
                self.set_unreachable();
                Key::BrTable(default)
            }
            Operator::Return => {
                let label = self.frames[0].label;
                self.pop_sig(label, offset)?;
                self.set_unreachable();
                Key::Return
            }
            Operator::Call { function_index } => {
                let t = self.func_type_index(function_index, offset)?;
                self.call(t, false, offset)?;
                Key::Call(t)
            }
            Operator::ReturnCall { function_index } => {
                let t = self.func_type_index(function_index, offset)?;
                self.call(t, true, offset)?;
                Key::Call(t)
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => {
                self.call_indirect(type_index, table_index, offset)?;
                self.call(type_index, false, offset)?;
                Key::Call(type_index)
            }
            Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                self.call_indirect(type_index, table_index, offset)?;
                self.call(type_index, true, offset)?;
                Key::Call(type_index)
            }
            Operator::CallRef { type_index } => {
                self.call_ref(type_index, offset)?;
                self.call(type_index, false, offset)?;
                Key::Call(type_index)
            }
            Operator::ReturnCallRef { type_index } => {
                self.call_ref(type_index, offset)?;
                self.call(type_index, true, offset)?;
                Key::Call(type_index)
            }
            Operator::Drop => {
                self.pop_any(offset)?;
                Key::None
            }
            Operator::Select => {
                self.pop_ty(Ty::I32, offset)?;
                let a = self.pop_any(offset)?;
                let b = self.pop_any(offset)?;
                // Unknown (0) or a number or vector (1..=5).
                let numeric = |t: Ty| t.0 <= Ty::V128.0;
                if !numeric(a) || !numeric(b) {
                    bail!(
                        offset,
                        "type mismatch: select without a type needs numeric operands"
                    );
                }
                let ty = if a.is_bot() {
                    b
                } else if b.is_bot() || a == b {
                    a
                } else {
                    bail!(offset, "type mismatch: select operands differ");
                };
                self.push_ty(ty);
                Key::Select(ty.to_val())
            }
            Operator::TypedSelect { types } => {
                let Some(t) = types.single() else {
                    bail!(offset, "invalid result arity");
                };
                self.env.check_val_type(t, offset)?;
                self.pop_ty(Ty::I32, offset)?;
                self.pop(t, offset)?;
                self.pop(t, offset)?;
                self.push(t);
                Key::Select(Some(t))
            }
            Operator::Throw { tag_index } => {
                let params = self.tag_params(tag_index, offset)?;
                self.pop_all(&params, offset)?;
                self.set_unreachable();
                Key::None
            }
            Operator::ThrowRef => {
                self.pop(ValType::Ref(RefType::EXNREF), offset)?;
                self.set_unreachable();
                Key::None
            }
            Operator::TryTable { blockty, catches } => {
                self.check_block_type(blockty, offset)?;
                for catch in catches.iter() {
                    let mut provided = match catch.tag() {
                        Some(tag) => self.tag_params(tag, offset)?,
                        None => Vec::new(),
                    };
                    if matches!(catch, Catch::OneRef { .. } | Catch::AllRef { .. }) {
                        provided.push(EXNREF_NON_NULL);
                    }
                    let label = self.label_types_at(catch.label(), offset)?;
                    if label.len() != provided.len()
                        || !provided
                            .iter()
                            .zip(&label)
                            .all(|(p, l)| self.env.types.val_sub(*p, *l))
                    {
                        bail!(offset, "type mismatch: catch does not match its label");
                    }
                }
                self.push_frame(FrameKind::TryTable, blockty, offset)?;
                Key::Block
            }
            Operator::Try { blockty } => {
                self.push_frame(FrameKind::Try, blockty, offset)?;
                Key::Block
            }
            Operator::Catch { tag_index } => {
                let params = self.tag_params(tag_index, offset)?;
                let block = self.end_try_part(offset)?;
                self.push_frame_unchecked(FrameKind::Catch, block);
                self.push_all(&params);
                Key::Else
            }
            Operator::CatchAll => {
                let block = self.end_try_part(offset)?;
                self.push_frame_unchecked(FrameKind::CatchAll, block);
                Key::Else
            }
            Operator::Delegate { relative_depth } => {
                if self.frames.last().map(|f| f.kind) != Some(FrameKind::Try) {
                    bail!(offset, "delegate found outside a try block");
                }
                let f = self.pop_frame(offset)?;
                self.frame_at(relative_depth, offset)?;
                let results = self.results(&f.block).to_vec();
                self.push_all(&results);
                self.popped = Some(f);
                Key::End
            }
            Operator::Rethrow { relative_depth } => {
                let f = self.frame_at(relative_depth, offset)?;
                if !matches!(f.kind, FrameKind::Catch | FrameKind::CatchAll) {
                    bail!(offset, "invalid rethrow label");
                }
                self.set_unreachable();
                Key::None
            }
            Operator::BrOnNull { relative_depth } => {
                let r = self.pop_ref(offset)?;
                let types = self.label_types_at(relative_depth, offset)?;
                self.pop_all(&types, offset)?;
                self.push_all(&types);
                match r {
                    Some(r) => self.push(ValType::Ref(RefType {
                        nullable: false,
                        heap: r.heap,
                    })),
                    None => self.push_ty(Ty::ref_bot(false)),
                }
                Key::Label(relative_depth, r)
            }
            Operator::BrOnNonNull { relative_depth } => {
                let r = self.pop_ref(offset)?;
                let mut types = self.label_types_at(relative_depth, offset)?;
                let Some(ValType::Ref(last)) = types.pop() else {
                    bail!(
                        offset,
                        "type mismatch: br_on_non_null needs a reference label"
                    );
                };
                if let Some(r) = r {
                    let nn = RefType {
                        nullable: false,
                        heap: r.heap,
                    };
                    if !self.env.types.ref_sub(nn, last) {
                        bail!(
                            offset,
                            "type mismatch: br_on_non_null operand does not match its label"
                        );
                    }
                }
                self.pop_all(&types, offset)?;
                self.push_all(&types);
                Key::Label(relative_depth, r)
            }
            _ => unreachable!("dispatch routes only control operators here"),
        };
        Ok(key)
    }

    /// Whether an `if` of type `block` may omit its `else`: its params pass through, so
    /// they must match its results.
    fn if_passes_through(&self, block: BlockType) -> bool {
        match block {
            BlockType::Empty => true,
            BlockType::Value(_) => false,
            BlockType::FuncType(i) => {
                let ft = self.checked_func_type(i);
                ft.params.len() == ft.results.len()
                    && ft
                        .params
                        .iter()
                        .zip(ft.results.iter())
                        .all(|(p, r)| self.env.types.val_sub(*p, *r))
            }
        }
    }

    /// Ends a `try` or `catch` part before the next `catch`/`catch_all`.
    fn end_try_part(&mut self, offset: usize) -> Result<BlockType> {
        match self.frames.last().map(|f| f.kind) {
            Some(FrameKind::Try | FrameKind::Catch) => Ok(self.pop_frame(offset)?.block),
            _ => bail!(offset, "catch found outside a try block"),
        }
    }

    #[inline]
    fn func_type_index(&self, f: u32, offset: usize) -> Result<u32> {
        match self.env.funcs.get(f as usize) {
            Some(&t) => Ok(t),
            None => bail!(offset, "unknown function {f}"),
        }
    }

    #[inline]
    fn func_type(&self, t: u32, offset: usize) -> Result<&'e FuncType> {
        match self.env.types.func_type(t) {
            Some(ft) => Ok(ft),
            None if t < self.env.types.len() => {
                bail!(offset, "type mismatch: type {t} is not a function type")
            }
            None => bail!(offset, "unknown type {t}"),
        }
    }

    pub(super) fn tag_params(&self, tag: u32, offset: usize) -> Result<Vec<ValType>> {
        match self.env.tag_type(tag) {
            Some(ft) => Ok(ft.params.to_vec()),
            None => bail!(offset, "unknown tag {tag}"),
        }
    }

    /// Pops the arguments and pushes the results of a call to type `t`; a tail call's
    /// results must match the function's.
    #[inline]
    fn call(&mut self, t: u32, tail: bool, offset: usize) -> Result<()> {
        let ft = self.func_type(t, offset)?;
        self.pop_all(&ft.params, offset)?;
        if tail {
            let depth = self.frames.len() as u32 - 1;
            let own = self.label_types_at(depth, offset)?;
            if own.len() != ft.results.len()
                || !ft
                    .results
                    .iter()
                    .zip(&own)
                    .all(|(a, b)| self.env.types.val_sub(*a, *b))
            {
                bail!(
                    offset,
                    "type mismatch: tail call results do not match the function's"
                );
            }
            self.set_unreachable();
        } else {
            self.push_all(&ft.results);
        }
        Ok(())
    }

    fn call_indirect(&mut self, t: u32, table: u32, offset: usize) -> Result<()> {
        let Some(tt) = self.env.tables.get(table as usize).copied() else {
            bail!(offset, "unknown table {table}");
        };
        if !self.env.types.ref_sub(tt.element, RefType::FUNCREF) {
            bail!(
                offset,
                "type mismatch: call_indirect needs a table of functions"
            );
        }
        self.func_type(t, offset)?;
        self.pop(
            if tt.table64 {
                ValType::I64
            } else {
                ValType::I32
            },
            offset,
        )?;
        Ok(())
    }

    fn call_ref(&mut self, t: u32, offset: usize) -> Result<()> {
        self.func_type(t, offset)?;
        self.pop(
            ValType::Ref(RefType {
                nullable: true,
                heap: HeapType::Concrete(t),
            }),
            offset,
        )?;
        Ok(())
    }
}
