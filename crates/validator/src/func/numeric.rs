//! Constants and the SIMD operators with lane immediates (the fixed-signature numeric and
//! SIMD operators are in the generated `signatures.rs`).

use rill_decoder::{Operator, ValType};

use super::{FuncValidator, Key};
use crate::error::{bail, Result};

impl FuncValidator<'_> {
    pub(super) fn numeric(&mut self, op: &Operator<'_>, offset: usize) -> Result<Option<Key>> {
        use ValType::*;
        let (lanes, scalar, replace) = match *op {
            Operator::I32Const { .. } => return self.konst(I32),
            Operator::I64Const { .. } => return self.konst(I64),
            Operator::F32Const { .. } => return self.konst(F32),
            Operator::F64Const { .. } => return self.konst(F64),
            Operator::V128Const { .. } => return self.konst(V128),
            Operator::I8x16Shuffle { lanes } => {
                if lanes.iter().any(|&l| l >= 32) {
                    bail!(offset, "invalid lane index");
                }
                self.pop_all(&[V128, V128], offset)?;
                self.push(V128);
                return Ok(Some(Key::None));
            }
            Operator::I8x16ExtractLaneS { lane } | Operator::I8x16ExtractLaneU { lane } => {
                (16, I32, lane_check(lane, 16, offset, false)?)
            }
            Operator::I16x8ExtractLaneS { lane } | Operator::I16x8ExtractLaneU { lane } => {
                (8, I32, lane_check(lane, 8, offset, false)?)
            }
            Operator::I32x4ExtractLane { lane } => (4, I32, lane_check(lane, 4, offset, false)?),
            Operator::I64x2ExtractLane { lane } => (2, I64, lane_check(lane, 2, offset, false)?),
            Operator::F32x4ExtractLane { lane } => (4, F32, lane_check(lane, 4, offset, false)?),
            Operator::F64x2ExtractLane { lane } => (2, F64, lane_check(lane, 2, offset, false)?),
            Operator::I8x16ReplaceLane { lane } => (16, I32, lane_check(lane, 16, offset, true)?),
            Operator::I16x8ReplaceLane { lane } => (8, I32, lane_check(lane, 8, offset, true)?),
            Operator::I32x4ReplaceLane { lane } => (4, I32, lane_check(lane, 4, offset, true)?),
            Operator::I64x2ReplaceLane { lane } => (2, I64, lane_check(lane, 2, offset, true)?),
            Operator::F32x4ReplaceLane { lane } => (4, F32, lane_check(lane, 4, offset, true)?),
            Operator::F64x2ReplaceLane { lane } => (2, F64, lane_check(lane, 2, offset, true)?),
            _ => return Ok(None),
        };
        let _ = lanes;
        if replace {
            self.pop_all(&[V128, scalar], offset)?;
            self.push(V128);
        } else {
            self.pop(V128, offset)?;
            self.push(scalar);
        }
        Ok(Some(Key::None))
    }

    fn konst(&mut self, t: ValType) -> Result<Option<Key>> {
        self.push(t);
        Ok(Some(Key::None))
    }
}

/// Checks a lane index; passes `replace` through.
fn lane_check(lane: u8, lanes: u8, offset: usize, replace: bool) -> Result<bool> {
    if lane >= lanes {
        bail!(offset, "invalid lane index");
    }
    Ok(replace)
}
