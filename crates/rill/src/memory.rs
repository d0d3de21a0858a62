//! `Memory` (`WebAssembly.Memory`).

use rill_decoder::{Limits, MemoryType};

use crate::error::{Error, RangeError, TypeError};
use crate::handles::Memory;
use crate::store::{AsContext, AsContextMut};

/// The address type of a memory or table (`"i32"` or `"i64"` in JS).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AddressType {
    /// 32-bit addresses.
    #[default]
    I32,
    /// 64-bit addresses (memory64 / table64).
    I64,
}

/// What [`Memory::new`] takes (the JS `MemoryDescriptor`); sizes are in 64 KiB pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MemoryDescriptor {
    /// The initial size in pages.
    pub initial: u64,
    /// The maximum size in pages, if any.
    pub maximum: Option<u64>,
    /// The address type.
    pub address: AddressType,
    /// Whether the memory is shared (needs a maximum). A shared memory imports only where
    /// a shared one is declared, and `memory.atomic.wait` works on it; it belongs to its
    /// store like any other memory for now (not shared between stores or threads yet), so
    /// a wait that finds its expected value can only time out.
    pub shared: bool,
}

const PAGE: u64 = 65_536;

impl Memory {
    /// A new memory (`new WebAssembly.Memory(descriptor)`).
    ///
    /// - `initial` > `maximum`, or either above 65,536 pages (i32) or 2^48 pages (i64), or
    ///   an allocation failure, or over the store's limits
    ///   ([`Store::set_limits`](crate::Store::set_limits)): [`Error::RangeError`].
    /// - `shared` without a `maximum`: [`Error::TypeError`].
    ///
    /// ```
    /// use rill::{Memory, MemoryDescriptor, Store};
    /// let mut store = Store::new(());
    /// let desc = MemoryDescriptor { initial: 1, maximum: Some(2), ..Default::default() };
    /// let memory = Memory::new(&mut store, desc)?;
    /// memory.write(&mut store, 8, b"hi")?;
    /// assert_eq!(memory.grow(&mut store, 1)?, 1);
    /// let mut buf = [0; 2];
    /// memory.read(&store, 8, &mut buf)?;
    /// assert_eq!(&buf, b"hi");
    /// assert_eq!(&memory.data(&store)?[8..10], b"hi");
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn new(mut store: impl AsContextMut, desc: MemoryDescriptor) -> Result<Memory, Error> {
        let limit = match desc.address {
            AddressType::I32 => PAGE,
            AddressType::I64 => 1 << 48,
        };
        if desc.initial > limit || desc.maximum.is_some_and(|m| m > limit) {
            return Err(
                RangeError::new(format!("memory size above the limit of {limit} pages")).into(),
            );
        }
        if desc.maximum.is_some_and(|m| desc.initial > m) {
            return Err(RangeError::new(format!(
                "initial memory size {} is above the maximum {}",
                desc.initial,
                desc.maximum.unwrap_or_default()
            ))
            .into());
        }
        if desc.shared && desc.maximum.is_none() {
            return Err(TypeError::new("a shared memory needs a maximum").into());
        }
        let ty = MemoryType {
            limits: Limits {
                min: desc.initial,
                max: desc.maximum,
            },
            memory64: desc.address == AddressType::I64,
            shared: desc.shared,
            page_size_log2: None,
        };
        let cx = store.as_context_mut();
        // Over the implementation's limit or the store's limits (the message says which).
        let index = cx.0.memory_new(ty).map_err(RangeError::new)?;
        Ok(Memory {
            store: cx.0.id(),
            index,
        })
    }

    fn inst<'a, S: AsContext + ?Sized>(
        &self,
        store: &'a S,
    ) -> Result<&'a rill_vm::MemoryInst, Error>
    where
        S::Data: 'a,
    {
        let cx = store.as_context();
        Ok(cx.check(self.store, "the memory")?.memory(self.index))
    }

    fn inst_mut<'a, S: AsContextMut + ?Sized>(
        &self,
        store: &'a mut S,
    ) -> Result<&'a mut rill_vm::MemoryInst, Error>
    where
        S::Data: 'a,
    {
        let mut cx = store.as_context_mut();
        let id = self.store;
        cx.check(id, "the memory")?;
        Ok(cx.0.memory_mut(self.index))
    }

    /// The memory's type.
    pub fn ty(&self, store: impl AsContext) -> Result<MemoryDescriptor, Error> {
        let t = self.inst(&store)?.ty();
        Ok(MemoryDescriptor {
            initial: t.limits.min,
            maximum: t.limits.max,
            address: if t.memory64 {
                AddressType::I64
            } else {
                AddressType::I32
            },
            shared: t.shared,
        })
    }

    /// The current size in pages.
    pub fn size(&self, store: impl AsContext) -> Result<u64, Error> {
        Ok(self.inst(&store)?.pages())
    }

    /// Grows the memory by `delta` pages and returns the old size in pages. Beyond the
    /// maximum (or the runtime limit: 65,536 pages for i32, 262,144 for i64), refused by
    /// the store's limits ([`Store::set_limits`](crate::Store::set_limits)), or on an
    /// allocation failure: [`Error::RangeError`]. Every [`MemoryBuffer`] of the memory is
    /// detached afterwards, also for `grow(0)`.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64, Error> {
        let mut cx = store.as_context_mut();
        let vm = cx.check(self.store, "the memory")?;
        vm.memory_grow(self.index, delta).ok_or_else(|| {
            RangeError::new(format!("cannot grow the memory by {delta} pages")).into()
        })
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`; out of bounds: [`Error::RangeError`].
    pub fn read(&self, store: impl AsContext, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
        copy_out(self.data(&store)?, offset, buf)
    }

    /// Copies `data` into the memory at `offset`; out of bounds: [`Error::RangeError`].
    pub fn write(
        &self,
        mut store: impl AsContextMut,
        offset: u64,
        data: &[u8],
    ) -> Result<(), Error> {
        copy_in(self.data_mut(&mut store)?, offset, data)
    }

    /// The memory's bytes, borrowed from the store (no copy).
    pub fn data<'a, S: AsContext + ?Sized>(&self, store: &'a S) -> Result<&'a [u8], Error>
    where
        S::Data: 'a,
    {
        Ok(self.inst(store)?.data())
    }

    /// The memory's bytes, writable, borrowed from the store (no copy).
    pub fn data_mut<'a, S: AsContextMut + ?Sized>(
        &self,
        store: &'a mut S,
    ) -> Result<&'a mut [u8], Error>
    where
        S::Data: 'a,
    {
        Ok(self.inst_mut(store)?.data_mut())
    }

    /// The memory's bytes and the store's data, both writable and borrowed at once (no
    /// copy): what a host function needs to move bytes between guest memory and state it
    /// keeps in the store's data, e.g. a WASI context.
    ///
    /// ```
    /// use rill::{Memory, MemoryDescriptor, Store};
    /// let mut store = Store::new(Vec::<u8>::new());
    /// let memory = Memory::new(&mut store, MemoryDescriptor { initial: 1, ..Default::default() })?;
    /// let (bytes, data) = memory.data_and_store_mut(&mut store)?;
    /// bytes[..3].copy_from_slice(b"abc");
    /// data.extend_from_slice(&bytes[1..3]);
    /// assert_eq!(store.data(), b"bc");
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn data_and_store_mut<'a, S: AsContextMut + ?Sized>(
        &self,
        store: &'a mut S,
    ) -> Result<(&'a mut [u8], &'a mut S::Data), Error>
    where
        S::Data: 'a,
    {
        let mut cx = store.as_context_mut();
        cx.check(self.store, "the memory")?;
        let (memory, data) = cx.0.memory_and_data_mut(self.index);
        Ok((memory.data_mut(), &mut data.user))
    }

    /// The memory's buffer as it is now (the JS `memory.buffer`): valid until the memory
    /// grows.
    pub fn buffer(&self, store: impl AsContext) -> Result<MemoryBuffer, Error> {
        let m = self.inst(&store)?;
        Ok(MemoryBuffer {
            memory: *self,
            grows: m.grows(),
            len: m.data().len(),
        })
    }
}

/// Copies `buf.len()` bytes of `memory` at `offset` into `buf`.
fn copy_out(memory: &[u8], offset: u64, buf: &mut [u8]) -> Result<(), Error> {
    let src = range(memory.len(), offset, buf.len())?;
    buf.copy_from_slice(&memory[src]);
    Ok(())
}

/// Copies `data` into `memory` at `offset`.
fn copy_in(memory: &mut [u8], offset: u64, data: &[u8]) -> Result<(), Error> {
    let dst = range(memory.len(), offset, data.len())?;
    memory[dst].copy_from_slice(data);
    Ok(())
}

fn range(len: usize, offset: u64, n: usize) -> Result<std::ops::Range<usize>, Error> {
    usize::try_from(offset)
        .ok()
        .and_then(|o| Some(o..o.checked_add(n)?))
        .filter(|r| r.end <= len)
        .ok_or_else(|| {
            RangeError::new(format!(
                "{n} bytes at offset {offset} are out of bounds of the memory ({len} bytes)"
            ))
            .into()
        })
}

/// A view of a memory's bytes as they were when [`Memory::buffer`] was called (the JS
/// `ArrayBuffer` of `memory.buffer`). Once the memory grows, through [`Memory::grow`] or
/// wasm's `memory.grow`, by 0 pages included, the view is detached: its length is 0 and
/// reading or writing is an [`Error::TypeError`]. (A failed grow changes nothing.)
///
/// ```
/// // (module (memory (export "m") 1)
/// //   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
/// let wasm = [
///     0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 5, 3, 1, 0, 1,
///     7, 12, 2, 1, 109, 2, 0, 4, 103, 114, 111, 119, 0, 0, 10, 8, 1, 6, 0, 32, 0, 64, 0, 11,
/// ];
/// let mut store = rill::Store::new(());
/// let instance = rill::Instance::new(&mut store, &rill::Module::new(&wasm)?, &rill::Imports::new())?;
/// let memory = instance.get_memory(&store, "m").unwrap();
/// let view = memory.buffer(&store)?;
/// view.write(&mut store, 0, b"hi")?;
/// // wasm grows the memory by 0 pages: the view is detached all the same.
/// let grow = instance.get_func(&store, "grow").unwrap();
/// assert_eq!(grow.call(&mut store, &[rill::Value::I32(0)])?, vec![rill::Value::I32(1)]);
/// assert!(view.is_detached(&store));
/// assert!(matches!(view.write(&mut store, 0, b"x"), Err(rill::Error::TypeError(_))));
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryBuffer {
    memory: Memory,
    /// The memory's grow count when the view was taken.
    grows: u64,
    len: usize,
}

impl MemoryBuffer {
    /// The memory's bytes if the view is not detached.
    fn bytes<'a, S: AsContextMut + ?Sized>(&self, store: &'a mut S) -> Result<&'a mut [u8], Error>
    where
        S::Data: 'a,
    {
        let memory = self.memory.inst_mut(store)?;
        if memory.grows() != self.grows {
            return Err(TypeError::new("the memory's buffer is detached (it grew)").into());
        }
        Ok(memory.data_mut())
    }

    /// Whether the memory grew since this view was taken (a store that is not the
    /// memory's: `true`).
    pub fn is_detached(&self, store: impl AsContext) -> bool {
        self.memory
            .inst(&store)
            .map_or(true, |m| m.grows() != self.grows)
    }

    /// The view's length in bytes (0 once detached).
    pub fn len(&self, store: impl AsContext) -> usize {
        if self.is_detached(store) {
            0
        } else {
            self.len
        }
    }

    /// Whether the view is empty (or detached).
    pub fn is_empty(&self, store: impl AsContext) -> bool {
        self.len(store) == 0
    }

    /// Copies bytes at `offset` into `buf`.
    pub fn read(
        &self,
        mut store: impl AsContextMut,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), Error> {
        copy_out(self.bytes(&mut store)?, offset, buf)
    }

    /// Copies `data` into the memory at `offset`.
    pub fn write(
        &self,
        mut store: impl AsContextMut,
        offset: u64,
        data: &[u8],
    ) -> Result<(), Error> {
        copy_in(self.bytes(&mut store)?, offset, data)
    }
}
