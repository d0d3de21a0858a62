//! `Memory` (`WebAssembly.Memory`).

use rill_decoder::{Limits, MemoryType};

use crate::error::{Error, RangeError, TypeError};
use crate::runtime::with_state;

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
    /// Whether the memory is shared (needs a maximum).
    pub shared: bool,
}

/// A linear memory (`WebAssembly.Memory`): a handle into the façade's store, `Copy`,
/// `Send + Sync`, equal exactly when it is the same memory.
///
/// # Reading and writing
/// The bytes live in the store, behind its lock; no reference to them ever leaves a call,
/// so there can be no data race with wasm code running on another thread. Copy bytes in
/// and out with [`Memory::read`] / [`Memory::write`], or look at them for the duration of a
/// closure with [`Memory::with_data`] / [`Memory::with_data_mut`]. [`Memory::buffer`] is
/// the JS `buffer`: a view that stops working (is detached) when the memory grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) u32);

const PAGE: u64 = 65_536;

impl Memory {
    /// A new memory (`new WebAssembly.Memory(descriptor)`).
    ///
    /// - `initial` > `maximum`, or either above 65,536 pages (i32) or 2^48 pages (i64), or
    ///   an allocation failure: [`Error::RangeError`].
    /// - `shared` without a `maximum`: [`Error::TypeError`].
    ///
    /// ```
    /// use rill::{Memory, MemoryDescriptor};
    /// let memory = Memory::new(MemoryDescriptor { initial: 1, maximum: Some(2), ..Default::default() })?;
    /// memory.write(8, b"hi")?;
    /// assert_eq!(memory.grow(1)?, 1);
    /// let mut buf = [0; 2];
    /// memory.read(8, &mut buf)?;
    /// assert_eq!(&buf, b"hi");
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn new(desc: MemoryDescriptor) -> Result<Memory, Error> {
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
        with_state(|st| {
            let a = st
                .store
                .memory_new(ty)
                .map_err(|e| RangeError::new(format!("cannot allocate the memory: {e}")))?;
            st.memories.insert(a, ty);
            Ok(Memory(a))
        })?
    }

    /// The memory's type.
    pub fn ty(&self) -> Result<MemoryDescriptor, Error> {
        with_state(|st| {
            let t = st.memories[&self.0];
            MemoryDescriptor {
                initial: t.limits.min,
                maximum: t.limits.max,
                address: if t.memory64 {
                    AddressType::I64
                } else {
                    AddressType::I32
                },
                shared: t.shared,
            }
        })
    }

    /// The current size in pages.
    pub fn size(&self) -> Result<u64, Error> {
        with_state(|st| st.store.memory(self.0).pages())
    }

    /// Grows the memory by `delta` pages and returns the old size in pages. Beyond the
    /// maximum (or the runtime limit: 65,536 pages for i32, 262,144 for i64) or on an
    /// allocation failure: [`Error::RangeError`]. Every [`MemoryBuffer`] of the memory is
    /// detached afterwards, also for `grow(0)`.
    pub fn grow(&self, delta: u64) -> Result<u64, Error> {
        with_state(|st| {
            st.store.memory_mut(self.0).grow(delta).ok_or_else(|| {
                RangeError::new(format!("cannot grow the memory by {delta} pages")).into()
            })
        })?
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`; out of bounds: [`Error::RangeError`].
    pub fn read(&self, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
        self.with_data(|d| {
            let src = range(d.len(), offset, buf.len())?;
            buf.copy_from_slice(&d[src]);
            Ok(())
        })?
    }

    /// Copies `data` into the memory at `offset`; out of bounds: [`Error::RangeError`].
    pub fn write(&self, offset: u64, data: &[u8]) -> Result<(), Error> {
        self.with_data_mut(|d| {
            let dst = range(d.len(), offset, data.len())?;
            d[dst].copy_from_slice(data);
            Ok(())
        })?
    }

    /// Runs `f` on the memory's bytes, with the store locked.
    pub fn with_data<R>(&self, f: impl FnOnce(&[u8]) -> R) -> Result<R, Error> {
        with_state(|st| f(st.store.memory(self.0).data()))
    }

    /// Runs `f` on the memory's bytes, writable, with the store locked.
    pub fn with_data_mut<R>(&self, f: impl FnOnce(&mut [u8]) -> R) -> Result<R, Error> {
        with_state(|st| f(st.store.memory_mut(self.0).data_mut()))
    }

    /// The memory's buffer as it is now (the JS `memory.buffer`): valid until the memory
    /// grows.
    pub fn buffer(&self) -> Result<MemoryBuffer, Error> {
        with_state(|st| MemoryBuffer {
            memory: *self,
            grows: st.store.memory(self.0).grows(),
            len: st.store.memory(self.0).data().len(),
        })
    }
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
/// let rill::Instantiated { instance, .. } = futures::executor::block_on(rill::instantiate(wasm, None))?;
/// let memory = instance.get_memory("m").unwrap();
/// let view = memory.buffer()?;
/// view.write(0, b"hi")?;
/// // wasm grows the memory by 0 pages: the view is detached all the same.
/// let grow = instance.get_func("grow").unwrap();
/// assert_eq!(grow.call(&[rill::Value::I32(0)])?, vec![rill::Value::I32(1)]);
/// assert!(view.is_detached());
/// assert!(matches!(view.write(0, b"x"), Err(rill::Error::TypeError(_))));
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
    fn check<R>(&self, f: impl FnOnce(&mut [u8]) -> Result<R, Error>) -> Result<R, Error> {
        with_state(|st| {
            let memory = st.store.memory_mut(self.memory.0);
            if memory.grows() != self.grows {
                return Err(TypeError::new("the memory's buffer is detached (it grew)").into());
            }
            f(memory.data_mut())
        })?
    }

    /// Whether the memory grew since this view was taken.
    pub fn is_detached(&self) -> bool {
        with_state(|st| st.store.memory(self.memory.0).grows() != self.grows).unwrap_or(true)
    }

    /// The view's length in bytes (0 once detached).
    pub fn len(&self) -> usize {
        if self.is_detached() {
            0
        } else {
            self.len
        }
    }

    /// Whether the view is empty (or detached).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies bytes at `offset` into `buf`.
    pub fn read(&self, offset: u64, buf: &mut [u8]) -> Result<(), Error> {
        self.check(|d| {
            let src = range(d.len(), offset, buf.len())?;
            buf.copy_from_slice(&d[src]);
            Ok(())
        })
    }

    /// Copies `data` into the memory at `offset`.
    pub fn write(&self, offset: u64, data: &[u8]) -> Result<(), Error> {
        self.check(|d| {
            let dst = range(d.len(), offset, data.len())?;
            d[dst].copy_from_slice(data);
            Ok(())
        })
    }
}
