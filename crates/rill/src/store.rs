//! [`Store<T>`]: the JS agent made explicit. Every instance, function, memory, table,
//! global, tag and external reference lives in one store; handles name an entity of one
//! store, and every operation takes the store (or a [`Caller`] inside a host function)
//! through [`AsContext`] / [`AsContextMut`].

use std::any::Any;
use std::sync::Arc;

use crate::error::{Error, TypeError};
use crate::handles::Exports;
use crate::{ResourceLimiter, StoreLimits};
pub use rill_vm::InterruptHandle;

/// A store: everything instances are made of, plus data of the embedder's (`T`).
///
/// The JS agent made explicit: entities made in it (by instantiation or by the host) live
/// as long as the store, and dropping the store frees them all. Stores share nothing: a
/// server gives each request its own store (instantiating a compiled [`Module`] in a fresh
/// store is cheap), and stores on different threads run in parallel without any lock.
/// `Store<T>` is `Send` when `T` is.
///
/// A handle ([`Func`], [`Memory`], [`Instance`], ...) belongs to the store that made it;
/// using it with another store is an [`Error::TypeError`].
///
/// ```
/// // (module (func (export "add") (param i32 i32) (result i32)
/// //   local.get 0 local.get 1 i32.add))
/// let wasm = [
///     0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1,
///     3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11,
/// ];
/// let module = rill::Module::new(&wasm)?;
/// // One store per thread: the module is shared, the stores are not.
/// let sums: Vec<i32> = std::thread::scope(|s| {
///     let workers: Vec<_> = (0..2)
///         .map(|k| {
///             let module = module.clone();
///             s.spawn(move || -> Result<i32, rill::Error> {
///                 let mut store = rill::Store::new(());
///                 let instance = rill::Instance::new(&mut store, &module, &rill::Imports::new())?;
///                 let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add")?;
///                 add.call(&mut store, (k, 40))
///             })
///         })
///         .collect();
///     workers.into_iter().map(|w| w.join().unwrap().unwrap()).collect()
/// });
/// assert_eq!(sums, [40, 41]);
/// # Ok::<(), rill::Error>(())
/// ```
///
/// [`Module`]: crate::Module
/// [`Func`]: crate::Func
/// [`Memory`]: crate::Memory
/// [`Instance`]: crate::Instance
pub struct Store<T = ()> {
    pub(crate) vm: rill_vm::Store<StoreData<T>>,
}

/// What the interpreter's store carries for the façade: the user's data and the façade's
/// own per-store tables.
pub(crate) struct StoreData<T> {
    pub(crate) user: T,
    pub(crate) rt: Runtime,
}

/// The façade's per-store tables.
#[derive(Default)]
pub(crate) struct Runtime {
    /// Each instance's exports, by the façade's instance index.
    pub(crate) instances: Vec<Exports>,
    /// The data of each external reference, by index.
    pub(crate) externs: Vec<Arc<dyn Any + Send + Sync>>,
}

impl<T> Store<T> {
    /// An empty store holding `data`.
    pub fn new(data: T) -> Store<T> {
        Store {
            vm: rill_vm::Store::with_data(StoreData {
                user: data,
                rt: Runtime::default(),
            }),
        }
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.vm.data().user
    }

    /// The embedder's data, writable.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.vm.data_mut().user
    }

    /// Drops the store and everything in it, and gives back the embedder's data.
    pub fn into_data(self) -> T {
        self.vm.into_data().user
    }

    /// A handle (`Send + Sync`, cloneable) that stops the wasm code running in this store
    /// from any thread: the call ends with an [`Error::RuntimeError`] for which
    /// [`RuntimeError::is_interrupted`](crate::RuntimeError::is_interrupted) holds. Loops,
    /// recursion, tail calls and long `memory.fill`/`memory.copy` stop within microseconds;
    /// a host function runs to its end first. A request made while no wasm runs stops the
    /// next call at its start.
    ///
    /// ```
    /// let wasm = wat::parse_str(r#"(module (func (export "spin") (loop (br 0))))"#).unwrap();
    /// let module = rill::Module::new(&wasm)?;
    /// let mut store = rill::Store::new(());
    /// let instance = rill::Instance::new(&mut store, &module, &rill::Imports::new())?;
    /// let spin = instance.get_typed_func::<(), ()>(&store, "spin")?;
    /// let handle = store.interrupt_handle();
    /// std::thread::spawn(move || {
    ///     std::thread::sleep(std::time::Duration::from_millis(10));
    ///     handle.interrupt();
    /// });
    /// match spin.call(&mut store, ()) {
    ///     Err(rill::Error::RuntimeError(e)) => assert!(e.is_interrupted()),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.vm.interrupt_handle()
    }

    /// Stops wasm code running in this store once `deadline` has passed (an
    /// [`Error::RuntimeError`] for which
    /// [`RuntimeError::is_deadline_exceeded`](crate::RuntimeError::is_deadline_exceeded)
    /// holds), checked as often as an interruption; `None`: no deadline. For calls made
    /// after it.
    pub fn set_deadline(&mut self, deadline: Option<std::time::Instant>) {
        self.vm.set_deadline(deadline);
    }

    /// The most frames the wasm call stack may hold, all nested calls together (default
    /// [`rill_vm::MAX_CALL_DEPTH`], 100,000); deeper calls end in a `RuntimeError` "call
    /// stack exhausted". For calls made after it.
    pub fn set_max_call_depth(&mut self, frames: usize) {
        self.vm.set_max_call_depth(frames);
    }

    /// The most 64-bit value slots (locals and temporaries) the frames on the wasm call
    /// stack may use together (default [`rill_vm::MAX_REGISTERS`], 4 Mi slots = 32 MiB);
    /// past it, a `RuntimeError` "call stack exhausted". For calls made after it.
    pub fn set_max_stack_slots(&mut self, slots: usize) {
        self.vm.set_max_stack_slots(slots);
    }

    /// Installs `limiter` as the store's resource policy, replacing any before it: every
    /// memory and table created or grown in the store from now on, and every
    /// instantiation, asks it first (see [`ResourceLimiter`]).
    ///
    /// Over a limit, wasm's `memory.grow` and `table.grow` give -1 (the guest decides what
    /// to do, as with any failed grow); [`Memory::grow`](crate::Memory::grow) and
    /// [`Table::grow`](crate::Table::grow) fail with [`Error::RangeError`], as they do
    /// past a maximum; [`Memory::new`](crate::Memory::new), [`Table::new`](crate::Table::new)
    /// and instantiating a module whose memories, tables or instance would be over a
    /// limit fail with [`Error::RangeError`] naming the memory or table and the limit,
    /// before anything is allocated. Start functions, and wasm called back from host
    /// functions, are limited the same way.
    ///
    /// The store owns the limiter (it cannot borrow `T`: the interpreter, which consults
    /// it, is not generic over `T`); a limiter that shares state with the embedder holds
    /// an `Arc` of it.
    pub fn set_limiter(&mut self, limiter: impl ResourceLimiter + Send + Sync + 'static) {
        self.vm.set_limiter(limiter);
    }

    /// Installs the ready-made policy [`StoreLimits`] (see [`Store::set_limiter`]). Install it
    /// in a new store: the total of memory bytes counts the memories made or grown after.
    ///
    /// ```
    /// use rill::{Error, Imports, Instance, Module, Store, StoreLimitsBuilder};
    /// # let wat = |src: &str| {
    /// #     let buf = wast::parser::ParseBuffer::new(src).unwrap();
    /// #     wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap()
    /// # };
    /// let mut store = Store::new(());
    /// store.set_limits(StoreLimitsBuilder::new().total_memory(1 << 20).instances(10).build());
    ///
    /// // 16 pages (1 MiB) fit; one more page does not: `memory.grow` gives -1.
    /// let module = Module::new(wat(r#"(module (memory 16)
    ///     (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#))?;
    /// let instance = Instance::new(&mut store, &module, &Imports::new())?;
    /// let grow = instance.get_typed_func::<(), i32>(&store, "grow")?;
    /// assert_eq!(grow.call(&mut store, ())?, -1);
    ///
    /// // A module defining a larger memory is not instantiated, and nothing is allocated.
    /// let big = Module::new(wat("(module (memory 65536))"))?;
    /// let Err(Error::RangeError(e)) = Instance::new(&mut store, &big, &Imports::new()) else {
    ///     panic!("instantiated over the limit")
    /// };
    /// assert!(e.to_string().contains("memory 0: 4294967296 bytes: over the limit"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_limits(&mut self, limits: StoreLimits) {
        self.vm.set_limiter(limits);
    }

    /// Gives the store `fuel` (replacing what it had left) and makes it meter fuel: the
    /// code it runs pays for each operator it executes, by a schedule that depends on the
    /// module alone (every operator costs 1, except `block`, `loop`, `else`, `end` and the
    /// exception-handling markers, which cost 0; `memory.fill`/`copy`/`init` and
    /// `table.fill`/`copy`/`init` cost 1 more per 64 bytes or elements). Code that cannot
    /// pay stops with a [`RuntimeError`](crate::RuntimeError) for which
    /// [`is_out_of_fuel`](crate::RuntimeError::is_out_of_fuel) holds, at the same
    /// instruction on every run; [`Func::call_resumable`](crate::Func::call_resumable)
    /// can resume it after refuelling. A host function may refuel through its caller.
    ///
    /// Only modules compiled with [`ModuleConfig::fuel`](crate::ModuleConfig::fuel) meter
    /// fuel: a store holding another module's code refuses (an [`Error::TypeError`]), and
    /// a store that meters refuses to instantiate one (an [`Error::LinkError`]).
    ///
    /// ```
    /// use rill::{Error, Imports, Instance, Module, ModuleConfig, Store};
    /// # let wat = |t: &str| wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(t).unwrap()).unwrap().encode().unwrap();
    /// let module = Module::with_config(
    ///     wat(r#"(module (func (export "spin") (loop (br 0))))"#),
    ///     ModuleConfig::new().fuel(true),
    /// )?;
    /// let mut store = Store::new(());
    /// store.set_fuel(1_000_000)?;
    /// let instance = Instance::new(&mut store, &module, &Imports::new())?;
    /// let spin = instance.get_typed_func::<(), ()>(&store, "spin")?;
    /// match spin.call(&mut store, ()) {
    ///     Err(Error::RuntimeError(e)) => assert!(e.is_out_of_fuel()),
    ///     other => panic!("{other:?}"),
    /// }
    /// // Each iteration of `(loop (br 0))` costs 1 (the `br`).
    /// assert_eq!(store.get_fuel(), Some(0));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        self.vm.set_fuel(fuel).map_err(fuel_error)
    }

    /// The fuel left, if the store meters fuel ([`Store::set_fuel`]).
    pub fn get_fuel(&self) -> Option<u64> {
        self.vm.get_fuel()
    }
}

impl<T: Default> Default for Store<T> {
    fn default() -> Self {
        Store::new(T::default())
    }
}

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("id", &self.vm.id().as_u64())
            .finish_non_exhaustive()
    }
}

/// What a host function gets first: the store it was called from (its data, its entities,
/// calls into its functions) and the exports of the instance whose wasm code called it.
/// Pass it (`&caller`, `&mut caller`) wherever an operation takes a store.
///
/// ```
/// use rill::{Caller, Func, Imports, Instance, Module, Store};
/// // (module (import "env" "log" (func $log (param i32 i32)))
/// //   (memory (export "memory") 1) (data (i32.const 8) "hello")
/// //   (func (export "run") (call $log (i32.const 8) (i32.const 5))))
/// # let text = r#"(module (import "env" "log" (func $log (param i32 i32)))
/// #   (memory (export "memory") 1) (data (i32.const 8) "hello")
/// #   (func (export "run") (call $log (i32.const 8) (i32.const 5))))"#;
/// # let buf = wast::parser::ParseBuffer::new(text).unwrap();
/// # let wasm = wast::parser::parse::<wast::Wat>(&buf).unwrap().encode().unwrap();
/// let mut store = Store::new(Vec::<String>::new());
/// let log = Func::wrap(&mut store, |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| {
///     let memory = caller.get_export("memory").and_then(|e| e.into_memory()).unwrap();
///     let bytes = memory.data(&caller)?;
///     let text = String::from_utf8_lossy(&bytes[ptr as usize..][..len as usize]).into_owned();
///     caller.data_mut().push(text);
///     Ok::<(), rill::Error>(())
/// });
/// let mut imports = Imports::new();
/// imports.define("env", "log", log);
/// let instance = Instance::new(&mut store, &Module::new(&wasm)?, &imports)?;
/// instance.get_func(&store, "run").unwrap().call(&mut store, &[])?;
/// assert_eq!(store.data(), &["hello"]);
/// # Ok::<(), rill::Error>(())
/// ```
pub struct Caller<'a, T> {
    pub(crate) vm: rill_vm::Caller<'a, StoreData<T>>,
}

impl<T> Caller<'_, T> {
    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.vm.data().user
    }

    /// The embedder's data, writable.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.vm.data_mut().user
    }

    /// The fuel left in the store, if it meters fuel ([`Store::get_fuel`]).
    pub fn get_fuel(&self) -> Option<u64> {
        self.vm.store().get_fuel()
    }

    /// Refuels the store ([`Store::set_fuel`]): the wasm code that called the host
    /// function goes on with `fuel` when it returns.
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        self.vm.store_mut().set_fuel(fuel).map_err(fuel_error)
    }

    /// The export `name` of the instance whose wasm code called the host function (`None`
    /// if there is none, or the host function was called from the host).
    pub fn get_export(&self, name: &str) -> Option<crate::Extern> {
        let ext = self.vm.export(name)?;
        Some(crate::handles::extern_from_vm(self.vm.store().id(), ext))
    }
}

/// A shared borrow of a store, as an operation that only reads it takes it.
pub struct StoreContext<'a, T>(pub(crate) &'a rill_vm::Store<StoreData<T>>);

/// A writable borrow of a store, as an operation that changes it or calls into it takes it.
pub struct StoreContextMut<'a, T>(pub(crate) &'a mut rill_vm::Store<StoreData<T>>);

/// Something that gives a shared borrow of a store: [`Store`], [`Caller`], the contexts,
/// and references to them.
pub trait AsContext {
    /// The store's data type.
    type Data;
    /// The store.
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Something that gives a writable borrow of a store: [`Store`], [`Caller`],
/// [`StoreContextMut`], and `&mut` references to them.
pub trait AsContextMut: AsContext {
    /// The store, writable.
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(&self.vm)
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(&mut self.vm)
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.vm.store())
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.vm.store_mut())
    }
}

impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.0)
    }
}

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;
    fn as_context(&self) -> StoreContext<'_, S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;
    fn as_context(&self) -> StoreContext<'_, S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, S::Data> {
        (**self).as_context_mut()
    }
}

use crate::handles::StoreId;

impl<'a, T> StoreContext<'a, T> {
    /// Fails unless `id` is this store's (a handle of `what` from another store).
    pub(crate) fn check(
        &self,
        id: StoreId,
        what: &str,
    ) -> Result<&'a rill_vm::Store<StoreData<T>>, Error> {
        if self.0.id() == id {
            Ok(self.0)
        } else {
            Err(foreign(what))
        }
    }

    pub(crate) fn rt(&self) -> &'a Runtime {
        &self.0.data().rt
    }
}

impl<T> StoreContextMut<'_, T> {
    /// Fails unless `id` is this store's (see [`StoreContext::check`]).
    pub(crate) fn check(
        &mut self,
        id: StoreId,
        what: &str,
    ) -> Result<&mut rill_vm::Store<StoreData<T>>, Error> {
        if self.0.id() == id {
            Ok(self.0)
        } else {
            Err(foreign(what))
        }
    }
}

/// The error of `set_fuel` in a store holding code compiled without metering.
fn fuel_error(e: rill_vm::FuelError) -> Error {
    TypeError::new(format!(
        "{e}: compile every module of a store that meters fuel with ModuleConfig::fuel"
    ))
    .into()
}

/// The error for a handle used with a store that is not its own.
pub(crate) fn foreign(what: &str) -> Error {
    TypeError::new(format!(
        "{what} belongs to another store than the one it is used with"
    ))
    .into()
}
