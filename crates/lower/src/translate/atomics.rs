//! The threads proposal's atomic instructions: each is one `Atomic` instruction whose
//! [`AtomicSite`] says what it does, on which memory, at which offset and on how many
//! bytes; `atomic.fence` is `AtomicFence`.
//!
//! `cmpxchg` and `wait` take two values besides the address: they go to consecutive stack
//! slots (`v`, `v + 1`), so the instruction names the first only and stays 12 bytes.

use rill_decoder::{MemArg, Operator};

use super::{Lowerer, Opnd};
use crate::isa::{AtomicOp, AtomicSite, Instr};

/// What atomic instruction `op` is: its access kind, its width in bytes and its memory
/// operand; `None` for every other operator (`atomic.fence` included).
pub(super) fn atomic_of(op: &Operator<'_>) -> Option<(AtomicOp, u8, MemArg)> {
    use AtomicOp::*;
    use Operator as O;
    Some(match *op {
        O::MemoryAtomicNotify { memarg } => (Notify, 4, memarg),
        O::MemoryAtomicWait32 { memarg } => (Wait, 4, memarg),
        O::MemoryAtomicWait64 { memarg } => (Wait, 8, memarg),
        O::I32AtomicLoad { memarg } | O::I64AtomicLoad32U { memarg } => (Load, 4, memarg),
        O::I64AtomicLoad { memarg } => (Load, 8, memarg),
        O::I32AtomicLoad8U { memarg } | O::I64AtomicLoad8U { memarg } => (Load, 1, memarg),
        O::I32AtomicLoad16U { memarg } | O::I64AtomicLoad16U { memarg } => (Load, 2, memarg),
        O::I32AtomicStore { memarg } | O::I64AtomicStore32 { memarg } => (Store, 4, memarg),
        O::I64AtomicStore { memarg } => (Store, 8, memarg),
        O::I32AtomicStore8 { memarg } | O::I64AtomicStore8 { memarg } => (Store, 1, memarg),
        O::I32AtomicStore16 { memarg } | O::I64AtomicStore16 { memarg } => (Store, 2, memarg),
        O::I32AtomicRmwAdd { memarg } | O::I64AtomicRmw32AddU { memarg } => (Add, 4, memarg),
        O::I64AtomicRmwAdd { memarg } => (Add, 8, memarg),
        O::I32AtomicRmw8AddU { memarg } | O::I64AtomicRmw8AddU { memarg } => (Add, 1, memarg),
        O::I32AtomicRmw16AddU { memarg } | O::I64AtomicRmw16AddU { memarg } => (Add, 2, memarg),
        O::I32AtomicRmwSub { memarg } | O::I64AtomicRmw32SubU { memarg } => (Sub, 4, memarg),
        O::I64AtomicRmwSub { memarg } => (Sub, 8, memarg),
        O::I32AtomicRmw8SubU { memarg } | O::I64AtomicRmw8SubU { memarg } => (Sub, 1, memarg),
        O::I32AtomicRmw16SubU { memarg } | O::I64AtomicRmw16SubU { memarg } => (Sub, 2, memarg),
        O::I32AtomicRmwAnd { memarg } | O::I64AtomicRmw32AndU { memarg } => (And, 4, memarg),
        O::I64AtomicRmwAnd { memarg } => (And, 8, memarg),
        O::I32AtomicRmw8AndU { memarg } | O::I64AtomicRmw8AndU { memarg } => (And, 1, memarg),
        O::I32AtomicRmw16AndU { memarg } | O::I64AtomicRmw16AndU { memarg } => (And, 2, memarg),
        O::I32AtomicRmwOr { memarg } | O::I64AtomicRmw32OrU { memarg } => (Or, 4, memarg),
        O::I64AtomicRmwOr { memarg } => (Or, 8, memarg),
        O::I32AtomicRmw8OrU { memarg } | O::I64AtomicRmw8OrU { memarg } => (Or, 1, memarg),
        O::I32AtomicRmw16OrU { memarg } | O::I64AtomicRmw16OrU { memarg } => (Or, 2, memarg),
        O::I32AtomicRmwXor { memarg } | O::I64AtomicRmw32XorU { memarg } => (Xor, 4, memarg),
        O::I64AtomicRmwXor { memarg } => (Xor, 8, memarg),
        O::I32AtomicRmw8XorU { memarg } | O::I64AtomicRmw8XorU { memarg } => (Xor, 1, memarg),
        O::I32AtomicRmw16XorU { memarg } | O::I64AtomicRmw16XorU { memarg } => (Xor, 2, memarg),
        O::I32AtomicRmwXchg { memarg } | O::I64AtomicRmw32XchgU { memarg } => (Xchg, 4, memarg),
        O::I64AtomicRmwXchg { memarg } => (Xchg, 8, memarg),
        O::I32AtomicRmw8XchgU { memarg } | O::I64AtomicRmw8XchgU { memarg } => (Xchg, 1, memarg),
        O::I32AtomicRmw16XchgU { memarg } | O::I64AtomicRmw16XchgU { memarg } => (Xchg, 2, memarg),
        O::I32AtomicRmwCmpxchg { memarg } | O::I64AtomicRmw32CmpxchgU { memarg } => {
            (Cmpxchg, 4, memarg)
        }
        O::I64AtomicRmwCmpxchg { memarg } => (Cmpxchg, 8, memarg),
        O::I32AtomicRmw8CmpxchgU { memarg } | O::I64AtomicRmw8CmpxchgU { memarg } => {
            (Cmpxchg, 1, memarg)
        }
        O::I32AtomicRmw16CmpxchgU { memarg } | O::I64AtomicRmw16CmpxchgU { memarg } => {
            (Cmpxchg, 2, memarg)
        }
        _ => return None,
    })
}

impl Lowerer {
    /// Lowers the atomic instruction `(op, bytes, memarg)` (see [`atomic_of`]).
    pub(super) fn atomic(&mut self, op: AtomicOp, bytes: u8, memarg: MemArg) {
        self.atomic_sites.push(AtomicSite {
            memory: memarg.memory,
            offset: memarg.offset,
            op,
            bytes,
        });
        let site = (self.atomic_sites.len() - 1) as u32;
        match op {
            AtomicOp::Load => {
                let (po, pp) = self.pop();
                let p = self.read(po, pp);
                let d = self.home(pp);
                self.emit(Instr::Atomic { d, p, v: 0, site });
                self.stack.push(Opnd::Temp);
            }
            AtomicOp::Store => {
                let (vo, vp) = self.pop();
                let (po, pp) = self.pop();
                let p = self.read(po, pp);
                let v = self.read(vo, vp);
                self.emit(Instr::Atomic { d: 0, p, v, site });
            }
            AtomicOp::Cmpxchg | AtomicOp::Wait => {
                // The two values into their own, consecutive, stack slots (`materialize`
                // makes room for both).
                self.materialize_top(2);
                self.pop();
                let (_, vp) = self.pop();
                let (po, pp) = self.pop();
                let p = self.read(po, pp);
                let v = self.home(vp);
                let d = self.home(pp);
                self.emit(Instr::Atomic { d, p, v, site });
                self.stack.push(Opnd::Temp);
            }
            AtomicOp::Add
            | AtomicOp::Sub
            | AtomicOp::And
            | AtomicOp::Or
            | AtomicOp::Xor
            | AtomicOp::Xchg
            | AtomicOp::Notify => {
                let (vo, vp) = self.pop();
                let (po, pp) = self.pop();
                let p = self.read(po, pp);
                let v = self.read(vo, vp);
                let d = self.home(pp);
                self.emit(Instr::Atomic { d, p, v, site });
                self.stack.push(Opnd::Temp);
            }
        }
    }
}
