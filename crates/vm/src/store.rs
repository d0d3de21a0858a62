//! [`Store<T>`]: the entities of every instance made in it, its host functions and the
//! embedder's data; and [`Caller`], what a host function gets to use the store it was
//! called from.
//!
//! The interpreter (`exec`) is not generic: it works on the store's [`StoreInner`] and
//! reaches the typed part (host functions, user data) through the [`ErasedStore`] trait
//! object, so one compiled [`Module`] runs in stores of any `T`.

use std::sync::Arc;

use rill_decoder::{FuncType, GlobalType, MemoryType, TableType, ValType};

use crate::entities::{
    Exception, Extern, FuncEntity, FuncKind, GlobalInst, Instance, MemoryInst, StoreId, StoreInner,
    TableInst, TagInst, MAX_TABLE_ELEMENTS,
};
use crate::module::Module;
use crate::value::{Func, Value};
use crate::Trap;

/// A host function: gets its [`Caller`] and the arguments, writes its results into the
/// slice it is given (one slot per result type, each holding that type's default when the
/// function is called) and returns `Ok(())`, or fails with a [`Trap`].
pub type HostFn<T> =
    dyn Fn(Caller<'_, T>, &[Value], &mut [Value]) -> Result<(), Trap> + Send + Sync;

/// A host function on raw slots ([`Store::func_new_raw`]): gets its [`Caller`] and the
/// slots, which hold the arguments in their raw encoding ([`Value::to_raw`]) when it is
/// called, and into which it writes its results the same way.
pub type RawHostFn<T> = dyn Fn(Caller<'_, T>, &mut [u64]) -> Result<(), Trap> + Send + Sync;

/// Every entity (function, memory, table, global, tag, exception, segment, instance) of
/// the instances made in it, its host functions, and data of the embedder's (`T`).
///
/// Entities are addressed by index ([`Func`], [`Instance`], and `u32` addresses for the
/// others) and live as long as the store: dropping the store frees all of them. Addresses
/// mean something only in the store that made them. Independent stores share nothing, so
/// each can run on its own thread (`Store<T>: Send` when `T: Send`).
// `repr(C)`, `inner` first: the interpreter reaches it from a `dyn ErasedStore` without
// a virtual call (see `ErasedStore`).
#[repr(C)]
pub struct Store<T = ()> {
    pub(crate) inner: StoreInner,
    hosts: Vec<HostSlot<T>>,
    data: T,
}

impl Store<()> {
    /// An empty store without user data.
    pub fn new() -> Store<()> {
        Store::with_data(())
    }
}

impl Default for Store<()> {
    fn default() -> Self {
        Store::new()
    }
}

/// Why a table or global operation of the embedder's was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// An index outside the table.
    #[error("index out of bounds")]
    OutOfBounds,
    /// A value of another type than the table's elements or the global's.
    #[error("value of the wrong type")]
    WrongType,
    /// A write to an immutable global.
    #[error("the global is immutable")]
    Immutable,
}

/// Why [`Store::try_table_new`] made no table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TableNewError {
    /// The initial value is not of the element type.
    #[error("value of the wrong type")]
    WrongType,
    /// The size is over the implementation's limit, or the store's limits refuse the
    /// table (the message says which).
    #[error("{0}")]
    Resource(String),
}

impl<T> Store<T> {
    /// An empty store holding `data`.
    pub fn with_data(data: T) -> Store<T> {
        Store {
            inner: StoreInner::new(),
            hosts: Vec::new(),
            data,
        }
    }

    /// The store's identity (unique in the process).
    pub fn id(&self) -> StoreId {
        self.inner.id
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The embedder's data, writable.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// A handle that stops the wasm code running in this store from any thread (see
    /// [`InterruptHandle`](crate::InterruptHandle)).
    pub fn interrupt_handle(&self) -> crate::InterruptHandle {
        crate::InterruptHandle(self.inner.interrupt.clone())
    }

    /// Stops wasm code running in this store with [`Trap::DeadlineExceeded`] once `deadline`
    /// has passed (looked at as often as the interrupt flag, see
    /// [`InterruptHandle`](crate::InterruptHandle)); `None`: no deadline. Takes effect for
    /// calls made after it.
    pub fn set_deadline(&mut self, deadline: Option<std::time::Instant>) {
        self.inner.deadline = deadline;
    }

    /// The most frames the call stack may hold, all nested calls together (default
    /// [`MAX_CALL_DEPTH`](crate::MAX_CALL_DEPTH)); a call past it traps with
    /// [`Trap::StackExhausted`]. Takes effect for calls made after it.
    pub fn set_max_call_depth(&mut self, frames: usize) {
        self.inner.max_call_depth = frames;
    }

    /// The most 64-bit value slots (locals and temporaries) the frames on the call stack
    /// may use together (default [`MAX_REGISTERS`](crate::MAX_REGISTERS), 32 MiB); a call
    /// past it traps with [`Trap::StackExhausted`]. Takes effect for calls made after it
    /// (registers kept from earlier calls are given back when no call is running).
    pub fn set_max_stack_slots(&mut self, slots: usize) {
        self.inner.max_registers = slots;
        let stack = &mut self.inner.stack;
        // Frames of running calls live in the register file: cut it only when none runs.
        if stack.nesting == 0 && stack.regs.len() > slots {
            stack.regs.truncate(slots);
            stack.regs.shrink_to_fit();
            stack.vregs.truncate(slots);
            stack.vregs.shrink_to_fit();
        }
    }

    /// Drops the store (and everything in it) and gives back the embedder's data.
    pub fn into_data(self) -> T {
        self.data
    }

    /// A host function of type `ty`. See [`HostFn`].
    pub fn func_new(
        &mut self,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Value], &mut [Value]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        let ty = Arc::new(ty);
        let host = ValuesHost { f, ty: ty.clone() };
        let raw = entry_of(&host);
        self.add_host(ty, Arc::new(host), raw)
    }

    /// A host function of type `ty` on raw slots: the cheapest to call, for functions
    /// that know their types statically (a typed wrapper). `f` gets as many slots as the
    /// larger of the parameters and results: the arguments first, each in its raw
    /// encoding ([`Value::to_raw`]), and it writes the results to the first slots the
    /// same way. Results that are references are checked when the function returns
    /// (numbers cannot be wrong: every bit pattern is one).
    ///
    /// # Panics
    /// If `ty` has a `v128` parameter or result (a `v128` does not fit a slot).
    pub fn func_new_raw(
        &mut self,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &mut [u64]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        assert!(
            !ty.params
                .iter()
                .chain(ty.results.iter())
                .any(|t| *t == ValType::V128),
            "a host function on raw slots cannot have v128 parameters or results"
        );
        let ty = Arc::new(ty);
        let host = RawHost { f, ty: ty.clone() };
        let raw = entry_of(&host);
        self.add_host(ty, Arc::new(host), raw)
    }

    /// Adds host function `f`; `raw` calls it on raw slots, and must be `raw_entry` of
    /// `f`'s own type.
    fn add_host(&mut self, ty: Arc<FuncType>, f: Arc<dyn HostCallable<T>>, raw: RawEntry) -> Func {
        let type_id = self.inner.types.func_type_id(&ty);
        self.hosts.push(HostSlot {
            idle: Some(f.clone()),
            shared: f,
        });
        self.inner.funcs.push(FuncEntity {
            type_id,
            kind: FuncKind::Host {
                index: self.hosts.len() as u32 - 1,
                raw: crate::entities::raw_callable(&ty).then_some(raw),
            },
            ty,
        });
        Func(self.inner.funcs.len() as u32 - 1)
    }

    /// The type of a function.
    pub fn func_type(&self, f: Func) -> &FuncType {
        &self.inner.funcs[f.0 as usize].ty
    }

    /// How many functions the store has (their addresses are `0..count`).
    pub fn func_count(&self) -> u32 {
        self.inner.funcs.len() as u32
    }

    /// A new memory. Its size over the implementation's limit, or refused by the store's
    /// [`ResourceLimiter`](crate::ResourceLimiter) (its size, or the number of memories):
    /// the error says why, and nothing is allocated.
    pub fn memory_new(&mut self, ty: MemoryType) -> Result<u32, String> {
        let have = self.inner.memories.len();
        self.inner
            .limits
            .admit_memory(&ty, have, "the new memory")?;
        match MemoryInst::new(ty) {
            Ok(m) => self.inner.memories.push(m),
            Err(e) => {
                self.inner.limits.refund(&[ty], &[]);
                return Err(e);
            }
        }
        Ok(self.inner.memories.len() as u32 - 1)
    }

    /// Grows memory `m` by `delta` pages, as wasm's `memory.grow` does: the old size in
    /// pages, or `None` (over its maximum or the implementation's limit, refused by the
    /// store's [`ResourceLimiter`](crate::ResourceLimiter), or the allocation failed;
    /// nothing changes). ([`MemoryInst::grow`] asks no limiter.)
    pub fn memory_grow(&mut self, m: u32, delta: u64) -> Option<u64> {
        let inner = &mut self.inner;
        inner
            .limits
            .grow_memory(&mut inner.memories[m as usize], delta)
    }

    /// Installs `limiter` as the store's resource policy (replacing any before it): from
    /// now on, every memory and table created or grown in the store, by wasm (start
    /// functions and calls nested in host functions included) or by the embedder, and
    /// every instantiation, asks it first. See [`ResourceLimiter`](crate::ResourceLimiter)
    /// for what a refusal does, and the `limits` module's notes for why the store owns
    /// it. The counts of instances, memories and tables include those the store already
    /// has; sizes are asked about as they change.
    pub fn set_limiter(&mut self, limiter: impl crate::ResourceLimiter + Send + Sync + 'static) {
        self.inner.limits.limiter = Some(Box::new(limiter));
    }

    /// Removes the store's resource limiter and gives it back (`None` if it had none):
    /// nothing is limited afterwards but by the implementation.
    pub fn take_limiter(&mut self) -> Option<Box<dyn crate::ResourceLimiter + Send + Sync>> {
        self.inner.limits.limiter.take()
    }

    /// The store's resource limiter, if it has one.
    pub fn limiter(&self) -> Option<&(dyn crate::ResourceLimiter + Send + Sync)> {
        self.inner.limits.limiter.as_deref()
    }

    /// A memory by address.
    pub fn memory(&self, m: u32) -> &MemoryInst {
        &self.inner.memories[m as usize]
    }

    /// A memory by address, writable.
    pub fn memory_mut(&mut self, m: u32) -> &mut MemoryInst {
        &mut self.inner.memories[m as usize]
    }

    /// A memory by address and the embedder's data, both writable at once (a host
    /// function that moves bytes between guest memory and its own state needs both).
    pub fn memory_and_data_mut(&mut self, m: u32) -> (&mut MemoryInst, &mut T) {
        (&mut self.inner.memories[m as usize], &mut self.data)
    }

    /// A new table with every element `init`; `None` if `init` is not of the element type,
    /// the size is over [`MAX_TABLE_ELEMENTS`], or the store's limiter refuses it (see
    /// [`Store::try_table_new`] to tell which).
    pub fn table_new(&mut self, ty: TableType, init: Value) -> Option<u32> {
        self.try_table_new(ty, init).ok()
    }

    /// A new table with every element `init`, or why not: `init` not of the element type,
    /// or its size over [`MAX_TABLE_ELEMENTS`] or refused by the store's
    /// [`ResourceLimiter`](crate::ResourceLimiter) (its size, or the number of tables;
    /// nothing is allocated).
    pub fn try_table_new(&mut self, ty: TableType, init: Value) -> Result<u32, TableNewError> {
        if !self.inner.fits(init, ValType::Ref(ty.element)) {
            return Err(TableNewError::WrongType);
        }
        let have = self.inner.tables.len();
        self.inner
            .limits
            .admit_table(&ty, have, "the new table")
            .map_err(TableNewError::Resource)?;
        debug_assert!(ty.limits.min <= MAX_TABLE_ELEMENTS);
        self.inner.tables.push(TableInst {
            elems: vec![init.to_raw(); ty.limits.min as usize],
            ty,
        });
        Ok(self.inner.tables.len() as u32 - 1)
    }

    /// A table by address (its type and size).
    pub fn table(&self, t: u32) -> &TableInst {
        &self.inner.tables[t as usize]
    }

    /// Element `i` of table `t`, or `None` out of bounds.
    pub fn table_get(&self, t: u32, i: u64) -> Option<Value> {
        let t = &self.inner.tables[t as usize];
        let raw = *t.elems.get(usize::try_from(i).ok()?)?;
        Some(Value::from_raw(raw, ValType::Ref(t.ty.element)))
    }

    /// Sets element `i` of table `t` to `v`.
    pub fn table_set(&mut self, t: u32, i: u64, v: Value) -> Result<(), AccessError> {
        if !self
            .inner
            .fits(v, ValType::Ref(self.inner.tables[t as usize].ty.element))
        {
            return Err(AccessError::WrongType);
        }
        let t = &mut self.inner.tables[t as usize];
        let slot = usize::try_from(i)
            .ok()
            .and_then(|i| t.elems.get_mut(i))
            .ok_or(AccessError::OutOfBounds)?;
        *slot = v.to_raw();
        Ok(())
    }

    /// Grows table `t` by `delta` elements set to `init`, as wasm's `table.grow` does: the
    /// old size, or `None` (over the maximum or the implementation's limit, or refused by
    /// the store's [`ResourceLimiter`](crate::ResourceLimiter); nothing changes). A value of the wrong
    /// type is an error.
    pub fn table_grow(
        &mut self,
        t: u32,
        delta: u64,
        init: Value,
    ) -> Result<Option<u64>, AccessError> {
        if !self
            .inner
            .fits(init, ValType::Ref(self.inner.tables[t as usize].ty.element))
        {
            return Err(AccessError::WrongType);
        }
        let inner = &mut self.inner;
        Ok(inner
            .limits
            .grow_table(&mut inner.tables[t as usize], delta, init.to_raw()))
    }

    /// A new global; `None` if `value` is not of the global's type.
    pub fn global_new(&mut self, ty: GlobalType, value: Value) -> Option<u32> {
        if !self.inner.fits(value, ty.content) {
            return None;
        }
        self.inner
            .globals
            .push(GlobalInst::new(ty, value.to_bits128()));
        Some(self.inner.globals.len() as u32 - 1)
    }

    /// A global's type.
    pub fn global_type(&self, g: u32) -> GlobalType {
        self.inner.globals[g as usize].ty
    }

    /// A global's value.
    pub fn global_get(&self, g: u32) -> Value {
        let g = &self.inner.globals[g as usize];
        Value::from_bits128(g.get_v128(), g.ty.content)
    }

    /// Sets a mutable global.
    pub fn global_set(&mut self, g: u32, v: Value) -> Result<(), AccessError> {
        let ty = self.inner.globals[g as usize].ty;
        if !ty.mutable {
            return Err(AccessError::Immutable);
        }
        if !self.inner.fits(v, ty.content) {
            return Err(AccessError::WrongType);
        }
        self.inner.globals[g as usize].set_v128(v.to_bits128());
        Ok(())
    }

    /// A new tag whose exceptions carry values of `params`.
    pub fn tag_new(&mut self, params: &[ValType]) -> u32 {
        let ty = FuncType {
            params: params.into(),
            results: Box::new([]),
        };
        let type_id = self.inner.types.func_type_id(&ty);
        self.inner.tags.push(TagInst {
            type_id,
            ty: Arc::new(ty),
        });
        self.inner.tags.len() as u32 - 1
    }

    /// The parameter types of a tag.
    pub fn tag_params(&self, t: u32) -> &[ValType] {
        &self.inner.tags[t as usize].ty.params
    }

    /// How many exceptions the store keeps (their addresses are `0..count`).
    pub fn exception_count(&self) -> u32 {
        self.inner.exceptions.len() as u32
    }

    /// An exception by address (from [`Trap::Exception`] or a [`Value::ExnRef`]).
    pub fn exception(&self, e: u32) -> &Exception {
        &self.inner.exceptions[e as usize]
    }

    /// An export of an instance.
    pub fn export(&self, instance: Instance, name: &str) -> Option<Extern> {
        let inst = &self.inner.instances[instance.0 as usize];
        let k = *inst.module.as_ref()?.export_index.get(name)?;
        inst.exports.get(k as usize).copied()
    }

    /// An instance's exports, in its module's order ([`Module::exports`] names them).
    pub fn exports(&self, instance: Instance) -> &[Extern] {
        &self.inner.instances[instance.0 as usize].exports
    }

    /// Instantiates `module` with `imports` (one extern per import, in order), and runs
    /// its start function.
    pub fn instantiate(
        &mut self,
        module: &Arc<Module>,
        imports: &[Extern],
    ) -> Result<Instance, crate::InstantiationError> {
        if !module.metered() && self.inner.fuel.is_some() {
            return Err(crate::InstantiationError::Link(
                "the module was compiled without fuel metering, and the store meters fuel".into(),
            ));
        }
        let (instance, start) = crate::instance::instantiate(&mut self.inner, module, imports)?;
        if !module.metered() {
            self.inner.unmetered = true;
        }
        if let Some(f) = start {
            crate::exec::invoke(self, f.0, &[], &mut [])
                .map_err(crate::InstantiationError::Trap)?;
        }
        Ok(instance)
    }

    /// Calls a function, the results written to `results` (as many as the function has).
    /// Allocates nothing on the heap when the call stack has room (it is kept between
    /// calls). A host function may call this through its [`Caller`]: calls nest to any
    /// depth the limits allow ([`MAX_CALL_DEPTH`](crate::MAX_CALL_DEPTH),
    /// [`MAX_NESTED_CALLS`](crate::MAX_NESTED_CALLS),
    /// [`NATIVE_STACK_BUDGET`](crate::NATIVE_STACK_BUDGET)), past which the call traps
    /// with [`Trap::StackExhausted`].
    #[inline]
    pub fn call(&mut self, f: Func, args: &[Value], results: &mut [Value]) -> Result<(), Trap> {
        check_call(&self.inner, f, args, results)?;
        crate::exec::invoke(self, f.0, args, results)
    }

    /// Calls a function like [`Store::call`] without checking the arguments, which are
    /// raw slots, as are the results: each value in its register encoding
    /// ([`Value::to_raw`], read back with [`Value::from_raw`]). For callers that checked
    /// the function's type once and hold numbers and references (a typed call): no value
    /// is made, matched or checked. A `v128` does not fit a slot: its calls take
    /// [`Store::call`]. The wrong number or types of values give wrong results or a panic,
    /// never undefined behaviour (every access the interpreter makes with a value is
    /// checked where it matters: function and exception addresses are bounds-checked
    /// indices).
    #[inline]
    pub fn call_raw_unchecked(
        &mut self,
        f: Func,
        args: &[u64],
        results: &mut [u64],
    ) -> Result<(), Trap> {
        crate::exec::invoke_raw(self, f.0, args, results)
    }

    /// Calls a function and returns its results (see [`Store::call`]).
    pub fn invoke(&mut self, f: Func, args: &[Value]) -> Result<Vec<Value>, Trap> {
        let mut results = self.default_results(f);
        self.call(f, args, &mut results)?;
        Ok(results)
    }

    /// Room for `f`'s results: the default value of each result type.
    pub(crate) fn default_results(&self, f: Func) -> Vec<Value> {
        self.inner.funcs[f.0 as usize]
            .ty
            .results
            .iter()
            .map(|t| Value::default_of(*t))
            .collect()
    }
}

/// Checks a call's arguments (their number and types) and the room for its results.
#[inline(never)]
pub(crate) fn check_call(
    inner: &StoreInner,
    f: Func,
    args: &[Value],
    results: &[Value],
) -> Result<(), Trap> {
    let ty = &inner.funcs[f.0 as usize].ty;
    if args.len() != ty.params.len() || results.len() != ty.results.len() {
        return Err(Trap::host(format!(
            "{} arguments and {} results given for a function with {} parameters and {} \
             results",
            args.len(),
            results.len(),
            ty.params.len(),
            ty.results.len()
        )));
    }
    if !args
        .iter()
        .zip(ty.params.iter())
        .all(|(v, t)| inner.fits(*v, *t))
    {
        return Err(Trap::host("arguments of the wrong types"));
    }
    Ok(())
}

/// What a host function gets: the store it was called from (its user data, entities, and
/// calls into any of its functions) and the instance whose wasm code called it.
///
/// Memory bytes borrowed through it (`caller.store().memory(m).data()`) are the memory
/// itself, not a copy, for as long as the borrow lasts.
pub struct Caller<'a, T> {
    store: &'a mut Store<T>,
    instance: Option<Instance>,
}

impl<'a, T> Caller<'a, T> {
    /// The same caller, borrowed for a shorter time (to hand it on and use it again).
    pub fn reborrow(&mut self) -> Caller<'_, T> {
        Caller {
            store: self.store,
            instance: self.instance,
        }
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.store.data
    }

    /// The embedder's data, writable.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.store.data
    }

    /// The store.
    pub fn store(&self) -> &Store<T> {
        self.store
    }

    /// The store, writable: create entities, change memories, tables and globals, call
    /// functions. (Replacing the whole store, `*caller.store_mut() = ...`, is detected:
    /// the wasm code that called this host function then stops with a trap.)
    pub fn store_mut(&mut self) -> &mut Store<T> {
        self.store
    }

    /// The instance whose wasm code called the host function (`None` when the embedder
    /// called it directly).
    pub fn instance(&self) -> Option<Instance> {
        self.instance
    }

    /// An export of the calling instance.
    pub fn export(&self, name: &str) -> Option<Extern> {
        self.store.export(self.instance?, name)
    }
}

/// Calls host function `host` (an index into the store's host functions) of the store at
/// `store` on raw slots (see [`Store::func_new_raw`]): `true` when it returned, `false`
/// with how it failed in `failure` (a small result, returned in a register, for the
/// interpreter's hot path). Made for one store type and one host function type
/// ([`raw_entry`]), so that the call reaches the function without a virtual call.
///
/// # Safety
/// `store` is a `Store<T>` of the `T` the entry was made for, and `host` one of its host
/// functions made with this entry.
pub(crate) type RawEntry = unsafe fn(
    store: &mut dyn ErasedStore,
    host: u32,
    caller: Option<Instance>,
    slots: &mut [u64],
    failure: &mut Option<Trap>,
) -> bool;

/// [`raw_entry`] for `host`'s type.
fn entry_of<T, H: HostCallable<T> + 'static>(_: &H) -> RawEntry {
    raw_entry::<T, H>
}

/// The [`RawEntry`] of host functions of type `H` in a `Store<T>`.
///
/// # Safety
/// As for [`RawEntry`].
unsafe fn raw_entry<T, H: HostCallable<T> + 'static>(
    store: &mut dyn ErasedStore,
    host: u32,
    caller: Option<Instance>,
    slots: &mut [u64],
    failure: &mut Option<Trap>,
) -> bool {
    // SAFETY: the caller's contract: the store is a `Store<T>`.
    let store = unsafe { &mut *(store as *mut dyn ErasedStore as *mut Store<T>) };
    let mut returned = false;
    let outcome = store.run_host(host, caller, |f, caller| {
        // SAFETY: the function at `host` is an `H` (the caller's contract).
        let h = unsafe { &*(f as *const dyn HostCallable<T> as *const H) };
        returned = h.call_raw(caller, slots, failure);
        Ok(())
    });
    // A panic, caught by `run_host`.
    if let Err(t) = outcome {
        *failure = Some(t);
    }
    returned
}

/// A host function as the store keeps it: callable with typed values or with raw slots,
/// whichever convention it was made with (the other one converts by its type).
trait HostCallable<T>: Send + Sync {
    fn call_values(
        &self,
        caller: Caller<'_, T>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), Trap>;
    /// Only for a type that is [`raw_callable`](crate::entities::raw_callable). `true`
    /// when it returned, `false` with how it failed in `failure`: a result in a register
    /// (a `Result<(), Trap>` is returned through memory, and reading it back right after
    /// the call stalls).
    fn call_raw(
        &self,
        caller: Caller<'_, T>,
        slots: &mut [u64],
        failure: &mut Option<Trap>,
    ) -> bool;
}

/// `outcome` as [`HostCallable::call_raw`] returns it.
#[inline(always)]
fn returned(outcome: Result<(), Trap>, failure: &mut Option<Trap>) -> bool {
    match outcome {
        Ok(()) => true,
        Err(t) => {
            *failure = Some(t);
            false
        }
    }
}

/// A host function made with [`Store::func_new`].
struct ValuesHost<F> {
    f: F,
    ty: Arc<FuncType>,
}

/// A host function made with [`Store::func_new_raw`].
struct RawHost<F> {
    f: F,
    ty: Arc<FuncType>,
}

impl<T, F> HostCallable<T> for ValuesHost<F>
where
    F: Fn(Caller<'_, T>, &[Value], &mut [Value]) -> Result<(), Trap> + Send + Sync,
{
    fn call_values(
        &self,
        caller: Caller<'_, T>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), Trap> {
        (self.f)(caller, args, results)
    }

    fn call_raw(
        &self,
        caller: Caller<'_, T>,
        slots: &mut [u64],
        failure: &mut Option<Trap>,
    ) -> bool {
        returned(self.values_on_slots(caller, slots), failure)
    }
}

impl<F> ValuesHost<F> {
    /// Calls the function with the arguments in `slots` made values by their types
    /// (numbers only), the results checked and put back.
    fn values_on_slots<T>(&self, caller: Caller<'_, T>, slots: &mut [u64]) -> Result<(), Trap>
    where
        F: Fn(Caller<'_, T>, &[Value], &mut [Value]) -> Result<(), Trap>,
    {
        let (params, types) = (&self.ty.params, &self.ty.results);
        let mut values = [Value::I32(0); 2 * crate::entities::RAW_SLOTS];
        let (args, results) = values.split_at_mut(params.len());
        for ((v, s), t) in args.iter_mut().zip(slots.iter()).zip(params.iter()) {
            *v = Value::from_raw(*s, *t);
        }
        let results = &mut results[..types.len()];
        for (v, t) in results.iter_mut().zip(types.iter()) {
            *v = Value::default_of(*t);
        }
        (self.f)(caller, args, results)?;
        for ((s, v), t) in slots.iter_mut().zip(results.iter()).zip(types.iter()) {
            if !v.matches(*t) {
                return Err(wrong_result());
            }
            *s = v.to_raw();
        }
        Ok(())
    }
}

impl<T, F> HostCallable<T> for RawHost<F>
where
    F: Fn(Caller<'_, T>, &mut [u64]) -> Result<(), Trap> + Send + Sync,
{
    /// The arguments in slots, the results decoded by their types and checked (a
    /// reference must be one of the store's).
    fn call_values(
        &self,
        mut caller: Caller<'_, T>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), Trap> {
        let mut slots = vec![0; args.len().max(results.len())];
        for (s, v) in slots.iter_mut().zip(args) {
            *s = v.to_raw();
        }
        (self.f)(caller.reborrow(), &mut slots)?;
        for ((r, s), t) in results.iter_mut().zip(&slots).zip(self.ty.results.iter()) {
            *r = Value::from_raw(*s, *t);
            if !caller.store.inner.fits(*r, *t) {
                return Err(wrong_result());
            }
        }
        Ok(())
    }

    fn call_raw(
        &self,
        caller: Caller<'_, T>,
        slots: &mut [u64],
        failure: &mut Option<Trap>,
    ) -> bool {
        returned((self.f)(caller, slots), failure)
    }
}

/// A host function, held twice: `idle` is taken (no reference count touched) while the
/// function runs and put back after, so the function stays alive even if it replaces the
/// store; a call of a function that is already running (recursion) clones `shared`.
struct HostSlot<T> {
    shared: Arc<dyn HostCallable<T>>,
    idle: Option<Arc<dyn HostCallable<T>>>,
}

/// The store as the (non-generic) interpreter sees it.
///
/// # Safety
/// An implementor is `repr(C)` with a [`StoreInner`] as its first field (the one
/// implementor is [`Store`]), so that [`inner`](ErasedStore::inner) is a cast.
pub(crate) unsafe trait ErasedStore {
    /// Runs host function `host` (an index into the store's host functions) with typed
    /// values.
    fn call_host(
        &mut self,
        host: u32,
        caller: Option<Instance>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), Trap>;
}

impl dyn ErasedStore + '_ {
    /// The store's entities and call stack.
    #[inline(always)]
    pub(crate) fn inner(&mut self) -> &mut StoreInner {
        // SAFETY: the implementor begins with its `StoreInner` (the trait's contract), and
        // the pointer is derived from `self`, a unique borrow of the whole store.
        unsafe { &mut *(self as *mut Self as *mut StoreInner) }
    }
}

// SAFETY: `Store<T>` is `repr(C)` with `inner: StoreInner` first.
unsafe impl<T> ErasedStore for Store<T> {
    fn call_host(
        &mut self,
        host: u32,
        caller: Option<Instance>,
        args: &[Value],
        results: &mut [Value],
    ) -> Result<(), Trap> {
        self.run_host(host, caller, |f, caller| {
            f.call_values(caller, args, results)
        })
    }
}

/// The trap of a host function whose result is not of its result type.
#[cold]
pub(crate) fn wrong_result() -> Trap {
    Trap::host("a host function returned a value of another type than its result type")
}

impl<T> Store<T> {
    /// Runs host function `host` through `call`: the function is owned by the call while
    /// it runs (it may replace the store, or add host functions to it, moving the list),
    /// and a panic is caught here and travels as a trap, so that each call it passes
    /// through puts its part of the call stack back before it resumes the panic.
    #[inline(always)]
    fn run_host(
        &mut self,
        host: u32,
        caller: Option<Instance>,
        call: impl FnOnce(&dyn HostCallable<T>, Caller<'_, T>) -> Result<(), Trap>,
    ) -> Result<(), Trap> {
        let slot = &mut self.hosts[host as usize];
        let f = slot.idle.take().unwrap_or_else(|| slot.shared.clone());
        let id = self.inner.id;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            call(
                &*f,
                Caller {
                    store: &mut *self,
                    instance: caller,
                },
            )
        }));
        if self.inner.id == id {
            let slot = &mut self.hosts[host as usize];
            if slot.idle.is_none() {
                slot.idle = Some(f);
            }
        }
        outcome.unwrap_or_else(|payload| {
            Err(Trap::HostPanic(crate::trap::PanicPayload(Arc::new(
                std::sync::Mutex::new(Some(payload)),
            ))))
        })
    }
}
