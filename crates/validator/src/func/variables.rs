//! Locals (with initialisation tracking for non-defaultable locals) and globals.

use rill_decoder::{Operator, ValType};

use super::{FuncValidator, Key};
use crate::error::{bail, Result};

impl FuncValidator<'_> {
    pub(super) fn variables(&mut self, op: &Operator<'_>, offset: usize) -> Result<Option<Key>> {
        let key = match *op {
            Operator::LocalGet { local_index } => {
                let t = self.local(local_index, offset)?;
                if !self.local_init[local_index as usize] {
                    bail!(offset, "uninitialized local {local_index}");
                }
                self.push(t);
                Key::Local(local_index)
            }
            Operator::LocalSet { local_index } => {
                let t = self.local(local_index, offset)?;
                self.pop(t, offset)?;
                self.init_local(local_index);
                Key::Local(local_index)
            }
            Operator::LocalTee { local_index } => {
                let t = self.local(local_index, offset)?;
                self.pop(t, offset)?;
                self.init_local(local_index);
                self.push(t);
                Key::Local(local_index)
            }
            Operator::GlobalGet { global_index } => {
                let g = self.global(global_index, offset)?;
                self.push(g);
                Key::Global(global_index)
            }
            Operator::GlobalSet { global_index } => {
                let g = self.global(global_index, offset)?;
                if !self.env.globals[global_index as usize].mutable {
                    bail!(offset, "immutable global {global_index} cannot be set");
                }
                self.pop(g, offset)?;
                Key::Global(global_index)
            }
            _ => return Ok(None),
        };
        Ok(Some(key))
    }

    fn local(&self, i: u32, offset: usize) -> Result<ValType> {
        match self.locals.get(i as usize) {
            Some(&t) => Ok(t),
            None => bail!(offset, "unknown local {i}"),
        }
    }

    fn init_local(&mut self, i: u32) {
        if !self.local_init[i as usize] {
            self.local_init[i as usize] = true;
            self.init_log.push(i);
        }
    }

    fn global(&self, i: u32, offset: usize) -> Result<ValType> {
        match self.env.globals.get(i as usize) {
            Some(g) => Ok(g.content),
            None => bail!(offset, "unknown global {i}"),
        }
    }
}
