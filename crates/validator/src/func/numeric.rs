//! Constants and the SIMD operators with lane immediates (the fixed-signature numeric and
//! SIMD operators are checked inline in the generated `dispatch.rs`).

use rill_decoder::Operator;

use super::{FuncValidator, Key, Ty};
use crate::error::{bail, Result};

impl FuncValidator<'_> {
    #[inline(always)]
    pub(super) fn numeric(&mut self, op: &Operator<'_>, offset: usize) -> Result<Key> {
        let (scalar, replace, lane, lanes) = match *op {
            Operator::I32Const { .. } => return self.konst(Ty::I32),
            Operator::I64Const { .. } => return self.konst(Ty::I64),
            Operator::F32Const { .. } => return self.konst(Ty::F32),
            Operator::F64Const { .. } => return self.konst(Ty::F64),
            Operator::V128Const { .. } => return self.konst(Ty::V128),
            Operator::I8x16Shuffle { lanes } => {
                if lanes.iter().any(|&l| l >= 32) {
                    bail!(offset, "invalid lane index");
                }
                return self.op2(Ty::V128, Ty::V128, Ty::V128, offset);
            }
            Operator::I8x16ExtractLaneS { lane } | Operator::I8x16ExtractLaneU { lane } => {
                (Ty::I32, false, lane, 16)
            }
            Operator::I16x8ExtractLaneS { lane } | Operator::I16x8ExtractLaneU { lane } => {
                (Ty::I32, false, lane, 8)
            }
            Operator::I32x4ExtractLane { lane } => (Ty::I32, false, lane, 4),
            Operator::I64x2ExtractLane { lane } => (Ty::I64, false, lane, 2),
            Operator::F32x4ExtractLane { lane } => (Ty::F32, false, lane, 4),
            Operator::F64x2ExtractLane { lane } => (Ty::F64, false, lane, 2),
            Operator::I8x16ReplaceLane { lane } => (Ty::I32, true, lane, 16),
            Operator::I16x8ReplaceLane { lane } => (Ty::I32, true, lane, 8),
            Operator::I32x4ReplaceLane { lane } => (Ty::I32, true, lane, 4),
            Operator::I64x2ReplaceLane { lane } => (Ty::I64, true, lane, 2),
            Operator::F32x4ReplaceLane { lane } => (Ty::F32, true, lane, 4),
            Operator::F64x2ReplaceLane { lane } => (Ty::F64, true, lane, 2),
            _ => unreachable!("dispatch routes only numeric operators here"),
        };
        if lane >= lanes {
            bail!(offset, "invalid lane index");
        }
        if replace {
            self.op2(Ty::V128, scalar, Ty::V128, offset)
        } else {
            self.op1(Ty::V128, scalar, offset)
        }
    }

    #[inline(always)]
    fn konst(&mut self, t: Ty) -> Result<Key> {
        self.push_ty(t);
        Ok(Key::None)
    }
}
