//! Memory operators over multiple memories and memory64 address types: loads, stores,
//! atomics, lanes, size/grow and bulk memory.

use rill_decoder::{MemArg, Operator, ValType};

use super::{FuncValidator, Key, Ty};
use crate::error::{bail, Result};

/// A load, store or atomic access (listed in the generated `dispatch.rs`): its memory
/// argument, natural alignment (log2), the operands after the address, the results, and
/// whether it is atomic (alignment must then be exactly natural) or has a lane immediate.
#[derive(Clone, Copy, Debug)]
pub(super) struct Access {
    pub memarg: MemArg,
    pub natural: u32,
    pub params: &'static [Ty],
    pub results: &'static [Ty],
    pub atomic: bool,
    pub lane: Option<u8>,
}

impl FuncValidator<'_> {
    #[inline(always)]
    pub(super) fn memory_access(&mut self, a: Access, offset: usize) -> Result<Key> {
        let m = a.memarg.memory;
        let Some(memory) = self.env.memories.get(m as usize) else {
            bail!(offset, "unknown memory {m}");
        };
        let addr = if memory.memory64 { Ty::I64 } else { Ty::I32 };
        if a.atomic {
            if a.memarg.align != a.natural {
                bail!(offset, "alignment must be equal to natural");
            }
        } else if a.memarg.align > a.natural {
            bail!(offset, "alignment must not be larger than natural");
        }
        if addr == Ty::I32 && a.memarg.offset > u64::from(u32::MAX) {
            bail!(offset, "offset out of range");
        }
        if let Some(lane) = a.lane {
            if u32::from(lane) >= 16 >> a.natural {
                bail!(offset, "invalid lane index");
            }
        }
        // Fast path: the address and operands are exactly the expected types.
        let n = a.params.len();
        let len = self.stack.len();
        if len > self.floor + n
            && self.stack[len - n - 1] == addr
            && self.stack[len - n..] == *a.params
        {
            self.stack.truncate(len - n - 1);
        } else {
            self.pop_tys(a.params, offset)?;
            self.pop_ty(addr, offset)?;
        }
        self.stack.extend_from_slice(a.results);
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

    #[inline(always)]
    pub(super) fn memory(&mut self, op: &Operator<'_>, offset: usize) -> Result<Key> {
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
            _ => unreachable!("dispatch routes only memory operators here"),
        };
        Ok(key)
    }

    pub(super) fn data_segment_exists(&self, d: u32, offset: usize) -> Result<()> {
        self.data_segment(d, offset)
    }
}
