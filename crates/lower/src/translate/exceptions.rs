//! Exception handling: `throw`, `throw_ref`, `try_table`, and the legacy `try`, `catch`,
//! `catch_all`, `delegate` and `rethrow`.
//!
//! Throwing is an instruction (`Throw`, `ThrowRef`); catching is a table of [`Handler`]s
//! the interpreter looks up when an exception reaches a frame (nothing runs on entry to a
//! `try` block, and the normal path pays nothing).
//!
//! - `try_table`: each catch clause gets a *landing pad*, emitted at the block's entry and
//!   jumped over. The handler puts the payload (and the exception's reference) in the slots
//!   at the block's height, the pad passes them on to the clause's label exactly like a
//!   `br` would (copies, then a branch or a return). The handlers cover the body and are
//!   recorded when the block ends: inner blocks end first, so their handlers come first.
//! - legacy `try`: each `catch`/`catch_all` arm has a handler covering the body (recorded
//!   when the arm starts, so again after those of the blocks inside the body). The arm
//!   finds the payload above a hidden slot at the block's height, which holds the
//!   exception's reference when the arm has a `rethrow` (only then: a reference makes the
//!   interpreter keep the exception). `delegate` is a handler that sends the exception to
//!   the handlers of an outer block.

use rill_decoder::{Catch, Catches, RefType};

use super::{CtrlKind, Lowerer, Opnd};
use crate::isa::{Instr, Slot};
use crate::{Handler, HandlerKind};

/// The exception-handling state of a `try_table` or legacy `try` block.
#[derive(Debug, Default)]
pub(super) struct TryState {
    /// The body's first instruction.
    pub(super) start: usize,
    /// Legacy `try`: one past the body's last instruction (set by the first arm).
    end: usize,
    /// `try_table`: its clauses' handlers, completed when the block ends.
    pending: Vec<Handler>,
    /// Legacy catch arm: its handler's index in `handlers` (for `rethrow`).
    catch_entry: Option<usize>,
}

impl Lowerer {
    /// `try_table` with `params` and `results`, and its catch clauses.
    pub(super) fn try_table(&mut self, params: usize, results: usize, catches: Catches<'_>) {
        self.materialize_locals();
        self.materialize_top(params);
        let height = self.stack.len() - params;
        let depth = self.ctrls.len() as u16;
        let mut pending = Vec::new();
        if catches.iter().next().is_some() {
            // The pads branch to labels outside the block: the params are not there.
            let inside: Vec<Opnd> = self.stack.drain(height..).collect();
            let skip = self.emit(Instr::Br { offset: 0 });
            for catch in catches.iter() {
                let mut types = catch
                    .tag()
                    .map_or(Vec::new(), |t| self.tag_params[t as usize].clone());
                let arity = types.len();
                let with_ref = matches!(catch, Catch::OneRef { .. } | Catch::AllRef { .. });
                if with_ref {
                    types.push(rill_decoder::ValType::Ref(RefType::EXNREF));
                }
                let target = self.bind();
                let values = self.home(height);
                for i in 0..types.len() {
                    self.home(height + i);
                    self.stack.push(Opnd::Temp);
                }
                self.br(catch.label(), &types);
                self.stack.truncate(height);
                pending.push(Handler {
                    start: 0,
                    end: 0,
                    depth,
                    kind: HandlerKind::Catch {
                        tag: catch.tag(),
                        values,
                        arity: arity as u16,
                        exn: with_ref.then_some(values + arity as Slot),
                        target: target as u32,
                    },
                });
            }
            let here = self.bind();
            self.patch(skip, here);
            self.stack.extend(inside);
        }
        self.push_ctrl(CtrlKind::TryTable, params, results);
        let start = self.pc();
        let eh = &mut self.ctrls.last_mut().expect("pushed").eh;
        eh.start = start;
        eh.pending = pending;
    }

    /// Records the handlers of the `try_table` that is about to end (its body ends here).
    pub(super) fn close_try(&mut self) {
        let end = self.pc() as u32;
        let c = self.ctrls.last_mut().expect("frame");
        if c.kind != CtrlKind::TryTable {
            return;
        }
        let start = c.eh.start as u32;
        for mut h in c.eh.pending.drain(..) {
            h.start = start;
            h.end = end;
            self.handlers.push(h);
        }
    }

    /// Legacy `catch tag` (`catch_all`: `None`); `results`: the `try`'s result types.
    pub(super) fn catch(&mut self, tag: Option<u32>, results: &[rill_decoder::ValType]) {
        let idx = self.ctrls.len() - 1;
        if self.ctrls[idx].dead {
            return;
        }
        if self.reachable {
            self.results_home(results);
            let at = self.emit(Instr::Br { offset: 0 });
            self.ctrls[idx].fixups.push(at);
        }
        if self.ctrls[idx].kind == CtrlKind::Try {
            self.ctrls[idx].eh.end = self.pc();
        }
        let (height, start, end) = {
            let c = &self.ctrls[idx];
            (c.height, c.eh.start, c.eh.end)
        };
        let target = self.bind();
        let exn = self.home(height);
        let arity = tag.map_or(0, |t| self.tag_params[t as usize].len());
        self.handlers.push(Handler {
            start: start as u32,
            end: end as u32,
            depth: idx as u16,
            kind: HandlerKind::Catch {
                tag,
                values: exn + 1,
                arity: arity as u16,
                exn: None,
                target: target as u32,
            },
        });
        let c = &mut self.ctrls[idx];
        c.eh.catch_entry = Some(self.handlers.len() - 1);
        c.kind = CtrlKind::Catch;
        c.hidden = 1;
        self.stack.truncate(height);
        for i in 0..=arity {
            self.home(height + i);
            self.stack.push(Opnd::Temp);
        }
        self.reachable = true;
    }

    /// Legacy `delegate relative_depth`: ends the `try`.
    pub(super) fn delegate(&mut self, relative_depth: u32, results: &[rill_decoder::ValType]) {
        let idx = self.ctrls.len() - 1;
        let c = &self.ctrls[idx];
        if !c.dead {
            // The label counts from outside the `try`.
            let target = idx - 1 - relative_depth as usize;
            self.handlers.push(Handler {
                start: c.eh.start as u32,
                end: self.pc() as u32,
                depth: idx as u16,
                kind: HandlerKind::Delegate {
                    depth: target as u16,
                },
            });
        }
        self.end(results);
    }

    /// `throw tag`.
    pub(super) fn throw(&mut self, tag: u32) {
        let n = self.tag_params[tag as usize].len();
        let base = self.args(n);
        self.emit(Instr::Throw { base, tag });
        self.set_unreachable();
    }

    /// Legacy `rethrow relative_depth` (a catch arm's label).
    pub(super) fn rethrow(&mut self, relative_depth: u32) {
        let idx = self.ctrls.len() - 1 - relative_depth as usize;
        let c = &self.ctrls[idx];
        let r = (self.locals + c.height) as Slot;
        if let Some(e) = c.eh.catch_entry {
            if let HandlerKind::Catch { exn, .. } = &mut self.handlers[e].kind {
                *exn = Some(r);
            }
        }
        self.emit(Instr::ThrowRef { r });
        self.set_unreachable();
    }
}
