//! Locals (with initialisation tracking for non-defaultable locals) and globals.

use rill_decoder::Operator;

use super::{FuncValidator, Key, Ty};
use crate::error::{bail, Result};

impl FuncValidator<'_> {
    #[inline(always)]
    pub(super) fn variables(&mut self, op: &Operator<'_>, offset: usize) -> Result<Key> {
        let key = match *op {
            Operator::LocalGet { local_index } => {
                let t = self.local(local_index, offset)?;
                if t.0 & Ty::UNINIT != 0 {
                    bail!(offset, "uninitialized local {local_index}");
                }
                self.push_ty(t);
                Key::Local(local_index)
            }
            Operator::LocalSet { local_index } => {
                let t = self.local(local_index, offset)?;
                self.pop_ty(Ty(t.0 & !Ty::UNINIT), offset)?;
                self.init_local(local_index, t);
                Key::Local(local_index)
            }
            Operator::LocalTee { local_index } => {
                let raw = self.local(local_index, offset)?;
                let t = Ty(raw.0 & !Ty::UNINIT);
                self.pop_ty(t, offset)?;
                self.init_local(local_index, raw);
                self.push_ty(t);
                Key::Local(local_index)
            }
            Operator::GlobalGet { global_index } => {
                let g = self.global(global_index, offset)?;
                self.push(g.content);
                Key::Global(global_index)
            }
            Operator::GlobalSet { global_index } => {
                let g = self.global(global_index, offset)?;
                if !g.mutable {
                    bail!(offset, "immutable global {global_index} cannot be set");
                }
                self.pop(g.content, offset)?;
                Key::Global(global_index)
            }
            _ => unreachable!("dispatch routes only variable operators here"),
        };
        Ok(key)
    }

    /// Local `i`'s type, with [`Ty::UNINIT`] set if it is not initialised.
    #[inline(always)]
    fn local(&self, i: u32, offset: usize) -> Result<Ty> {
        match self.locals.get(i as usize) {
            Some(&t) => Ok(t),
            None => bail!(offset, "unknown local {i}"),
        }
    }

    /// Marks local `i` (of type `t` as it was) initialised.
    #[inline(always)]
    fn init_local(&mut self, i: u32, t: Ty) {
        if t.0 & Ty::UNINIT != 0 {
            self.init_local_slow(i);
        }
    }

    #[inline(never)]
    fn init_local_slow(&mut self, i: u32) {
        let t = &mut self.locals[i as usize];
        if t.0 & Ty::UNINIT != 0 {
            t.0 &= !Ty::UNINIT;
            self.init_log.push(i);
        }
    }

    #[inline(always)]
    fn global(&self, i: u32, offset: usize) -> Result<rill_decoder::GlobalType> {
        match self.env.globals.get(i as usize) {
            Some(&g) => Ok(g),
            None => bail!(offset, "unknown global {i}"),
        }
    }
}
