//! Memory operators over multiple memories and memory64 address types: loads, stores,
//! atomics, lanes, size/grow and bulk memory.

use rill_decoder::{Operator, ValType};

use super::signatures::Access;
use super::{FuncValidator, Key};
use crate::error::{bail, Result};

impl FuncValidator<'_> {
    pub(super) fn memory_access(&mut self, a: Access, offset: usize) -> Result<Key> {
        let m = a.memarg.memory;
        let addr = self.memory_addr(m, offset)?;
        if a.atomic {
            if a.memarg.align != a.natural {
                bail!(offset, "alignment must be equal to natural");
            }
        } else if a.memarg.align > a.natural {
            bail!(offset, "alignment must not be larger than natural");
        }
        if addr == ValType::I32 && a.memarg.offset > u64::from(u32::MAX) {
            bail!(offset, "offset out of range");
        }
        if let Some(lane) = a.lane {
            if u32::from(lane) >= 16 >> a.natural {
                bail!(offset, "invalid lane index");
            }
        }
        self.pop_all(a.params, offset)?;
        self.pop(addr, offset)?;
        self.push_all(a.results);
        Ok(Key::Memory(m))
    }

    fn memory_addr(&self, m: u32, offset: usize) -> Result<ValType> {
        match self.env.memory_index_type(m) {
            Some(t) => Ok(t),
            None => bail!(offset, "unknown memory {m}"),
        }
    }

    fn data_segment(&self, d: u32, offset: usize) -> Result<()> {
        match self.env.data_count {
            None => bail!(offset, "data count section required"),
            Some(n) if d >= n => bail!(offset, "unknown data segment {d}"),
            Some(_) => Ok(()),
        }
    }

    pub(super) fn memory(&mut self, op: &Operator<'_>, offset: usize) -> Result<Option<Key>> {
        use ValType::*;
        let key = match *op {
            Operator::MemorySize { memory_index } => {
                let a = self.memory_addr(memory_index, offset)?;
                self.push(a);
                Key::Memory(memory_index)
            }
            Operator::MemoryGrow { memory_index } => {
                let a = self.memory_addr(memory_index, offset)?;
                self.pop(a, offset)?;
                self.push(a);
                Key::Memory(memory_index)
            }
            Operator::MemoryFill { memory_index } => {
                let a = self.memory_addr(memory_index, offset)?;
                self.pop_all(&[a, I32, a], offset)?;
                Key::Memory(memory_index)
            }
            Operator::MemoryCopy {
                dst_memory,
                src_memory,
            } => {
                let d = self.memory_addr(dst_memory, offset)?;
                let s = self.memory_addr(src_memory, offset)?;
                let n = if d == I32 || s == I32 { I32 } else { I64 };
                self.pop_all(&[d, s, n], offset)?;
                Key::Memory(dst_memory)
            }
            Operator::MemoryInit {
                data_index,
                memory_index,
            } => {
                let a = self.memory_addr(memory_index, offset)?;
                self.data_segment(data_index, offset)?;
                self.pop_all(&[a, I32, I32], offset)?;
                Key::Memory(memory_index)
            }
            Operator::DataDrop { data_index } => {
                self.data_segment(data_index, offset)?;
                Key::None
            }
            Operator::AtomicFence { .. } => Key::None,
            _ => return Ok(None),
        };
        Ok(Some(key))
    }

    pub(super) fn data_segment_exists(&self, d: u32, offset: usize) -> Result<()> {
        self.data_segment(d, offset)
    }
}
