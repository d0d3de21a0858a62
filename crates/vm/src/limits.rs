//! Resource limits: how much memory, how many table elements, and how many instances,
//! memories and tables a store may have.
//!
//! A store asks its [`ResourceLimiter`] before it makes a memory or a table larger (also
//! when it creates one: a growth from 0), and before it adds instances, memories or
//! tables. A refusal is never a trap: wasm's `memory.grow` and `table.grow` give -1 (the
//! specification allows a grow to fail for any reason); [`Store::memory_grow`] and
//! [`Store::table_grow`] give `None`; creating a memory or a table, or instantiating a
//! module whose memories, tables or instance would be over a limit, fails
//! ([`InstantiationError::Resource`], naming the memory or table and the limit) before
//! anything of it is allocated or added to the store.
//!
//! [`StoreLimits`] is the ready-made policy ([`StoreLimitsBuilder`]); implement
//! [`ResourceLimiter`] for another one.
//!
//! # Why the store owns its limiter
//! wasmtime keeps the limiter in the store's data `T` (the embedder hands out a
//! `&mut dyn ResourceLimiter` from it on request). rill's interpreter is not generic over
//! `T`: one compiled module runs in stores of every `T`, and the interpreter sees only the
//! non-generic part of the store. So the limiter is a value the store owns
//! ([`Store::set_limiter`]), kept in that non-generic part, where the slow paths of
//! `memory.grow` and `table.grow` reach it with no call through the typed store. The cost:
//! a limiter cannot borrow the embedder's data; one that needs to share state with the
//! embedder holds an `Arc` of it. It is `Send + Sync` so that the store stays `Send` (and
//! `Sync`) when `T` is.
//!
//! Nothing here is on the interpreter's hot paths: the limiter is consulted only where a
//! memory or table grows or is created, and where a module is instantiated. A limiter that
//! panics inside wasm's `memory.grow` or `table.grow` is treated like a host function that
//! panics: the call stack is put back in order and the panic goes on out of the call.
//!
//! [`Store::memory_grow`]: crate::Store::memory_grow
//! [`Store::table_grow`]: crate::Store::table_grow
//! [`Store::set_limiter`]: crate::Store::set_limiter
//! [`InstantiationError::Resource`]: crate::InstantiationError::Resource

use rill_decoder::{MemoryType, TableType};

use crate::entities::{MemoryInst, TableInst, MAX_TABLE_ELEMENTS};
use crate::Trap;

/// Runs `f`; its panic as the trap a host function's panic travels as.
fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Trap> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        Trap::HostPanic(crate::trap::PanicPayload(std::sync::Arc::new(
            std::sync::Mutex::new(Some(payload)),
        )))
    })
}

/// A policy bounding what a store may allocate. Every method has a default that allows
/// everything, so a policy implements only what it limits.
///
/// Sizes are in bytes for memories and in elements for tables. `current` is the size
/// before, `desired` the size asked for (always larger: a grow by 0 never allocates and
/// never asks), and `maximum` the maximum the memory's or table's type declares, if any.
/// The store asks only about growth that its own checks allow (within the declared maximum
/// and the implementation's limits).
pub trait ResourceLimiter {
    /// Whether a memory may grow from `current` to `desired` bytes. A memory being created
    /// asks with `current` 0 and its initial size as `desired` (also a memory of 0 pages).
    fn memory_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool {
        let _ = (current, desired, maximum);
        true
    }

    /// A growth [`memory_growing`](ResourceLimiter::memory_growing) allowed did not
    /// happen (the allocation failed, or instantiation failed before it made the memory):
    /// for a policy that keeps a running total.
    fn memory_grow_failed(&mut self, current: u64, desired: u64) {
        let _ = (current, desired);
    }

    /// Whether a table may grow from `current` to `desired` elements (creation: from 0).
    fn table_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool {
        let _ = (current, desired, maximum);
        true
    }

    /// A growth [`table_growing`](ResourceLimiter::table_growing) allowed did not happen.
    fn table_grow_failed(&mut self, current: u64, desired: u64) {
        let _ = (current, desired);
    }

    /// Most instances the store may have.
    fn instances(&self) -> usize {
        usize::MAX
    }

    /// Most memories the store may have (those instances define and those the embedder
    /// creates; imported ones are counted where they were made).
    fn memories(&self) -> usize {
        usize::MAX
    }

    /// Most tables the store may have (counted like [`memories`](ResourceLimiter::memories)).
    fn tables(&self) -> usize {
        usize::MAX
    }

    /// Why the last refused `memory_growing` or `table_growing` refused, for the error
    /// the store reports when creation or instantiation fails (e.g. "over the limit of
    /// 1048576 bytes for one memory"); `None`: the message says only that the store's
    /// resource limiter refused.
    fn refusal(&self) -> Option<String> {
        None
    }
}

/// The ready-made [`ResourceLimiter`]: the most bytes of one memory, of all memories
/// together, elements of one table, and instances, memories and tables in the store.
/// Unlimited by default; made with [`StoreLimitsBuilder`].
///
/// The total counts the bytes of every memory created or grown after it is installed
/// ([`Store::set_limiter`](crate::Store::set_limiter)): install it in a new store.
///
/// ```
/// use rill_vm::{Store, StoreLimitsBuilder};
/// let mut store = Store::new();
/// store.set_limiter(StoreLimitsBuilder::new().total_memory(1 << 20).instances(4).build());
/// ```
#[derive(Clone, Debug)]
pub struct StoreLimits {
    memory_size: Option<u64>,
    total_memory: Option<u64>,
    table_elements: Option<u64>,
    instances: usize,
    memories: usize,
    tables: usize,
    /// Bytes of all memories allowed so far (less the growths that failed).
    memory_used: u64,
    refusal: Option<String>,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            memory_size: None,
            total_memory: None,
            table_elements: None,
            instances: usize::MAX,
            memories: usize::MAX,
            tables: usize::MAX,
            memory_used: 0,
            refusal: None,
        }
    }
}

impl StoreLimits {
    /// Bytes of all memories this policy has allowed (created or grown since it was
    /// installed).
    pub fn memory_used(&self) -> u64 {
        self.memory_used
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, current: u64, desired: u64, _maximum: Option<u64>) -> bool {
        if let Some(limit) = self.memory_size.filter(|l| desired > *l) {
            self.refusal = Some(format!("over the limit of {limit} bytes for one memory"));
            return false;
        }
        let more = desired.saturating_sub(current);
        let total = self.memory_used.saturating_add(more);
        if let Some(limit) = self.total_memory.filter(|l| total > *l) {
            self.refusal = Some(format!(
                "over the limit of {limit} bytes for all memories ({} in use)",
                self.memory_used
            ));
            return false;
        }
        self.memory_used = total;
        true
    }

    fn memory_grow_failed(&mut self, current: u64, desired: u64) {
        self.memory_used = self
            .memory_used
            .saturating_sub(desired.saturating_sub(current));
    }

    fn table_growing(&mut self, _current: u64, desired: u64, _maximum: Option<u64>) -> bool {
        match self.table_elements.filter(|l| desired > *l) {
            Some(limit) => {
                self.refusal = Some(format!("over the limit of {limit} elements for one table"));
                false
            }
            None => true,
        }
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn memories(&self) -> usize {
        self.memories
    }

    fn tables(&self) -> usize {
        self.tables
    }

    fn refusal(&self) -> Option<String> {
        self.refusal.clone()
    }
}

/// Makes a [`StoreLimits`]; every limit not set is unlimited.
#[derive(Clone, Debug, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    /// No limits yet.
    pub fn new() -> StoreLimitsBuilder {
        StoreLimitsBuilder::default()
    }

    /// Most bytes one memory may have.
    pub fn memory_size(mut self, bytes: u64) -> StoreLimitsBuilder {
        self.0.memory_size = Some(bytes);
        self
    }

    /// Most bytes all the store's memories may have together.
    pub fn total_memory(mut self, bytes: u64) -> StoreLimitsBuilder {
        self.0.total_memory = Some(bytes);
        self
    }

    /// Most elements one table may have.
    pub fn table_elements(mut self, elements: u64) -> StoreLimitsBuilder {
        self.0.table_elements = Some(elements);
        self
    }

    /// Most instances the store may have.
    pub fn instances(mut self, n: usize) -> StoreLimitsBuilder {
        self.0.instances = n;
        self
    }

    /// Most memories the store may have.
    pub fn memories(mut self, n: usize) -> StoreLimitsBuilder {
        self.0.memories = n;
        self
    }

    /// Most tables the store may have.
    pub fn tables(mut self, n: usize) -> StoreLimitsBuilder {
        self.0.tables = n;
        self
    }

    /// The limits.
    pub fn build(self) -> StoreLimits {
        self.0
    }
}

/// The limiter a store owns, as its non-generic part keeps it.
#[derive(Default)]
pub(crate) struct Limits {
    pub(crate) limiter: Option<Box<dyn ResourceLimiter + Send + Sync>>,
}

impl Limits {
    /// Grows memory `m` by `delta` pages if its type, the implementation and the limiter
    /// allow it: the old size in pages, or `None` (nothing changed).
    pub(crate) fn grow_memory(&mut self, m: &mut MemoryInst, delta: u64) -> Option<u64> {
        m.grow_limited(delta, self.limiter.as_deref_mut())
    }

    /// Grows table `t` by `delta` elements set to `init`, like [`Limits::grow_memory`].
    pub(crate) fn grow_table(&mut self, t: &mut TableInst, delta: u64, init: u64) -> Option<u64> {
        t.grow_limited(delta, init, self.limiter.as_deref_mut())
    }

    /// [`Limits::grow_memory`] for wasm's `memory.grow`: a panic of the limiter becomes
    /// the trap that carries a host function's panic, so that the interpreter puts its
    /// call stack back in order before the panic goes on (as for a host function).
    #[cold]
    pub(crate) fn grow_memory_in_wasm(
        &mut self,
        m: &mut MemoryInst,
        delta: u64,
    ) -> Result<Option<u64>, Trap> {
        if self.limiter.is_none() {
            return Ok(m.grow(delta));
        }
        catch(|| self.grow_memory(m, delta))
    }

    /// [`Limits::grow_table`] for wasm's `table.grow` (see [`Limits::grow_memory_in_wasm`]).
    #[cold]
    pub(crate) fn grow_table_in_wasm(
        &mut self,
        t: &mut TableInst,
        delta: u64,
        init: u64,
    ) -> Result<Option<u64>, Trap> {
        if self.limiter.is_none() {
            return Ok(t.grow(delta, init));
        }
        catch(|| self.grow_table(t, delta, init))
    }

    fn refused(&self, what: &str, size: String) -> String {
        let why = self
            .limiter
            .as_ref()
            .and_then(|l| l.refusal())
            .unwrap_or_else(|| "refused by the store's resource limiter".to_owned());
        format!("{what}: {size}: {why}")
    }

    /// Whether the store may have `count` more of what `limit` bounds besides the `have`
    /// it has: the error, naming `what`, if not.
    fn count(
        &self,
        have: usize,
        count: usize,
        limit: impl Fn(&dyn ResourceLimiter) -> usize,
        what: impl Fn(usize) -> String,
        noun: &str,
    ) -> Result<(), String> {
        let Some(l) = &self.limiter else {
            return Ok(());
        };
        let max = limit(&**l);
        if have.saturating_add(count) > max {
            return Err(format!(
                "{}: the store's limit of {max} {noun} is reached",
                what(max.saturating_sub(have))
            ));
        }
        Ok(())
    }

    /// Admits a new memory of type `ty` (the count, the implementation's limit on its
    /// size, and the limiter), before anything of it is allocated; `have`: the store's
    /// memories. `what` names it in the error.
    pub(crate) fn admit_memory(
        &mut self,
        ty: &MemoryType,
        have: usize,
        what: &str,
    ) -> Result<(), String> {
        self.count(have, 1, |l| l.memories(), |_| what.to_owned(), "memories")?;
        self.memory_size(ty, what)
    }

    /// Admits a new table of type `ty`, like [`Limits::admit_memory`].
    pub(crate) fn admit_table(
        &mut self,
        ty: &TableType,
        have: usize,
        what: &str,
    ) -> Result<(), String> {
        self.count(have, 1, |l| l.tables(), |_| what.to_owned(), "tables")?;
        self.table_size(ty, what)
    }

    fn memory_size(&mut self, ty: &MemoryType, what: &str) -> Result<(), String> {
        let (bytes, max) = MemoryInst::initial_bytes(ty).map_err(|e| format!("{what}: {e}"))?;
        if let Some(l) = &mut self.limiter {
            if !l.memory_growing(0, bytes, max) {
                return Err(self.refused(what, format!("{bytes} bytes")));
            }
        }
        Ok(())
    }

    fn table_size(&mut self, ty: &TableType, what: &str) -> Result<(), String> {
        if ty.limits.min > MAX_TABLE_ELEMENTS {
            return Err(format!(
                "{what}: {} elements exceed the implementation limit of {MAX_TABLE_ELEMENTS}",
                ty.limits.min
            ));
        }
        if let Some(l) = &mut self.limiter {
            if !l.table_growing(0, ty.limits.min, ty.limits.max) {
                return Err(self.refused(what, format!("{} elements", ty.limits.min)));
            }
        }
        Ok(())
    }

    /// Admits what instantiating a module adds to the store (an instance, and the
    /// `memories` and `tables` the module defines, numbered in its index spaces from
    /// `first_memory` and `first_table`) before anything of it is made; `have`: the
    /// store's instances, memories and tables. On an error, nothing admitted stays
    /// counted.
    pub(crate) fn admit_instance(
        &mut self,
        have: [usize; 3],
        memories: &[MemoryType],
        first_memory: usize,
        tables: &[TableType],
        first_table: usize,
    ) -> Result<(), String> {
        let [instances, have_memories, have_tables] = have;
        self.count(
            instances,
            1,
            |l| l.instances(),
            |_| "instance".to_owned(),
            "instances",
        )?;
        self.count(
            have_memories,
            memories.len(),
            |l| l.memories(),
            |k| format!("memory {}", first_memory + k),
            "memories",
        )?;
        self.count(
            have_tables,
            tables.len(),
            |l| l.tables(),
            |k| format!("table {}", first_table + k),
            "tables",
        )?;
        for (i, t) in tables.iter().enumerate() {
            if let Err(e) = self.table_size(t, &format!("table {}", first_table + i)) {
                self.refund(&[], &tables[..i]);
                return Err(e);
            }
        }
        for (i, m) in memories.iter().enumerate() {
            if let Err(e) = self.memory_size(m, &format!("memory {}", first_memory + i)) {
                self.refund(&memories[..i], tables);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Tells the limiter that memories and tables it admitted were not made after all.
    pub(crate) fn refund(&mut self, memories: &[MemoryType], tables: &[TableType]) {
        let Some(l) = &mut self.limiter else {
            return;
        };
        for m in memories {
            if let Ok((bytes, _)) = MemoryInst::initial_bytes(m) {
                l.memory_grow_failed(0, bytes);
            }
        }
        for t in tables {
            l.table_grow_failed(0, t.limits.min);
        }
    }
}

#[cfg(test)]
#[path = "tests_limits.rs"]
mod tests;
