//! Functions: exported wasm functions and host functions made from closures.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

use rill_decoder::{FuncType, ValType};

use crate::error::{Error, HostError, TypeError};
use crate::handles::Func;
use crate::handles::StoreId;
use crate::runtime::{self, host_failure};
use crate::store::{AsContext, AsContextMut, Caller, StoreContextMut, StoreData};
use crate::values::{check_leaving, crosses, is_number, Value, WasmType};

fn type_list(types: &[ValType]) -> String {
    let names: Vec<String> = types
        .iter()
        .map(|t| format!("{t:?}").to_lowercase())
        .collect();
    format!("[{}]", names.join(", "))
}

fn value_list(values: &[Value]) -> String {
    let names: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!("[{}]", names.join(", "))
}

/// Arguments and results up to this many are converted on the native stack.
const INLINE: usize = 8;

/// A slice of `n` values: on the stack up to [`INLINE`], else on the heap.
macro_rules! values {
    ($inline:ident, $heap:ident, $n:expr, $init:expr) => {{
        let n = $n;
        if n <= INLINE {
            &mut $inline[..n]
        } else {
            $heap.resize(n, $init);
            &mut $heap[..]
        }
    }};
}

impl Func {
    /// A host function of type `ty` from a closure over untyped values.
    ///
    /// The closure gets its [`Caller`] and the arguments (checked against `ty` by wasm
    /// validation or by [`Func::call`]) and writes the results into the slice it is given
    /// (which holds the types' defaults when it is called); the façade checks them: a
    /// value of another type makes the call fail with [`Error::TypeError`]. An `Err` is
    /// passed through unchanged ([`Error::Host`]).
    ///
    /// ```
    /// use rill::{Func, FuncType, Store, ValType, Value};
    /// let mut store = Store::new(());
    /// let ty = FuncType { params: [ValType::I32].into(), results: [ValType::I32].into() };
    /// let inc = Func::new(&mut store, ty, |_caller, args, results| {
    ///     let Value::I32(x) = args[0] else { unreachable!() };
    ///     results[0] = Value::I32(x + 1);
    ///     Ok(())
    /// });
    /// assert_eq!(inc.call(&mut store, &[Value::I32(41)])?, vec![Value::I32(42)]);
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn new<T: 'static>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Value], &mut [Value]) -> Result<(), HostError>
            + Send
            + Sync
            + 'static,
    ) -> Func {
        let results_ty = ty.results.clone();
        let host = move |mut caller: rill_vm::Caller<'_, StoreData<T>>,
                         args: &[rill_vm::Value],
                         results: &mut [rill_vm::Value]| {
            let id = caller.store().id();
            if let Err(e) = check_leaving(args) {
                return Err(host_failure(caller.store(), e));
            }
            let (mut a_inline, mut a_heap) = ([Value::I32(0); INLINE], Vec::new());
            let a = values!(a_inline, a_heap, args.len(), Value::I32(0));
            for (a, v) in a.iter_mut().zip(args) {
                *a = Value::from_vm(*v, id);
            }
            let (mut r_inline, mut r_heap) = ([Value::I32(0); INLINE], Vec::new());
            let r = values!(r_inline, r_heap, results.len(), Value::I32(0));
            for (r, t) in r.iter_mut().zip(results_ty.iter()) {
                *r = Value::default_of(*t);
            }
            let outcome = f(
                Caller {
                    vm: caller.reborrow(),
                },
                a,
                r,
            );
            let store = caller.store();
            if let Err(e) = outcome {
                return Err(host_failure(store, Error::Host(e)));
            }
            match host_results(r, &results_ty, results, id) {
                Ok(()) => Ok(()),
                Err(e) => Err(host_failure(store, e)),
            }
        };
        let cx = store.as_context_mut();
        let id = cx.0.id();
        Func {
            store: id,
            index: cx.0.func_new(ty, host),
        }
    }

    /// A typed host function from a closure whose arguments and result are Rust types
    /// standing for wasm types ([`WasmType`]: `i32`, `i64`, `f32`, `f64`, `Option<Func>`,
    /// `Option<ExternRef>`), optionally after a first [`Caller`] argument. The result is
    /// `()`, one such type, a tuple of them, or a `Result` of those whose error is passed
    /// through unchanged ([`Error::Host`]). Arguments and results are converted without a
    /// heap allocation.
    ///
    /// ```
    /// let mut store = rill::Store::new(0);
    /// let double = rill::Func::wrap(&mut store, |x: i32| -> i64 { i64::from(x) * 2 });
    /// assert_eq!(double.call(&mut store, &[rill::Value::I32(21)])?, vec![rill::Value::I64(42)]);
    /// let count = rill::Func::wrap(&mut store, |mut caller: rill::Caller<'_, i32>| {
    ///     *caller.data_mut() += 1;
    /// });
    /// count.call(&mut store, &[])?;
    /// assert_eq!(*store.data(), 1);
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn wrap<T: 'static, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        f.into_func(store.as_context_mut())
    }

    /// The function's type.
    pub fn ty(&self, store: impl AsContext) -> Result<FuncType, Error> {
        let cx = store.as_context();
        Ok(cx
            .check(self.store, "the function")?
            .func_type(self.index)
            .clone())
    }

    /// Calls the function (JS: calling an exported function).
    ///
    /// - The wrong number or types of arguments, or a `v128` or `exnref` in the function's
    ///   type: an [`Error::TypeError`].
    /// - A trap: an [`Error::RuntimeError`] with the trap's message; an exception wasm
    ///   threw and did not catch: [`Error::Exception`].
    /// - A host function's own error: that error, unchanged ([`Error::Host`]); a host
    ///   function returning the wrong results: an [`Error::TypeError`].
    ///
    /// The results come back as a list, in order. For calls without allocations, see
    /// [`Func::typed`].
    pub fn call(&self, store: impl AsContextMut, args: &[Value]) -> Result<Vec<Value>, Error> {
        self.call_checked(store, args, false)
    }

    /// Calls the function like [`Func::call`], except that `v128` and `exnref` parameters
    /// and results are allowed: [`Value::V128`] arguments and results carry all 128 bits
    /// (lane 0 in the least significant bits); an `exnref` crosses as [`Value::NullRef`]
    /// when null (a non-null one is still a [`Error::TypeError`]: it has no Rust value).
    ///
    /// Rust-only: the JS API has no way to pass a `v128` or an `exnref` (calling such a
    /// function from JS is a `TypeError`, which [`Func::call`] keeps).
    ///
    /// ```
    /// # let text = r#"(module
    /// #     (func (export "add") (param v128 v128) (result v128)
    /// #       (i32x4.add (local.get 0) (local.get 1))))"#;
    /// # let buf = wast::parser::ParseBuffer::new(text).unwrap();
    /// # let mut wat = wast::parser::parse::<wast::Wat>(&buf).unwrap();
    /// # let bytes = wat.encode().unwrap();
    /// // `bytes`: a module exporting `add`, `i32x4.add` of two `v128` parameters.
    /// let module = rill::Module::new(&bytes)?;
    /// let mut store = rill::Store::new(());
    /// let instance = rill::Instance::new(&mut store, &module, &rill::Imports::new())?;
    /// let add = instance.get_func(&store, "add").unwrap();
    /// let (a, b) = (rill::Value::V128(1 << 96 | 2), rill::Value::V128(3 << 96 | 4));
    /// assert_eq!(add.call_with_v128(&mut store, &[a, b])?, vec![rill::Value::V128(4 << 96 | 6)]);
    /// assert!(add.call(&mut store, &[a, b]).is_err(), "the JS rule");
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn call_with_v128(
        &self,
        store: impl AsContextMut,
        args: &[Value],
    ) -> Result<Vec<Value>, Error> {
        self.call_checked(store, args, true)
    }

    fn call_checked(
        &self,
        mut store: impl AsContextMut,
        args: &[Value],
        allow_v128: bool,
    ) -> Result<Vec<Value>, Error> {
        let mut cx = store.as_context_mut();
        let vm = cx.check(self.store, "the function")?;
        if let Some(results) = self.call_numbers(vm, args) {
            return results;
        }
        let (mut a_inline, mut a_heap) = ([rill_vm::Value::I32(0); INLINE], Vec::new());
        let a = values!(a_inline, a_heap, args.len(), rill_vm::Value::I32(0));
        let n = self.prepare_call(vm, args, a, allow_v128)?;
        let (mut r_inline, mut r_heap) = ([rill_vm::Value::I32(0); INLINE], Vec::new());
        let r = values!(r_inline, r_heap, n, rill_vm::Value::I32(0));
        runtime::call(vm, self.index, a, r)?;
        self.results_out(r)
    }

    /// The call of a function of numbers only (the common case) with arguments of its
    /// parameter types, as a typed call makes it: raw slots, nothing checked twice. `None`
    /// for any other function or arguments, which take the general path (and its errors).
    #[inline]
    fn call_numbers<T>(
        &self,
        vm: &mut rill_vm::Store<StoreData<T>>,
        args: &[Value],
    ) -> Option<Result<Vec<Value>, Error>> {
        let ty = vm.func_type(self.index);
        let (np, nr) = (ty.params.len(), ty.results.len());
        if np != args.len() || np > INLINE || nr > INLINE || !ty.results.iter().all(is_number) {
            return None;
        }
        let mut a = [0u64; INLINE];
        for ((s, v), t) in a.iter_mut().zip(args).zip(ty.params.iter()) {
            *s = v.number_to_raw(*t)?;
        }
        // The result types, copied: the call borrows the store.
        let mut types = [ValType::I32; INLINE];
        types[..nr].copy_from_slice(&ty.results);
        let mut r = [0u64; INLINE];
        Some(
            runtime::call_typed(vm, self.index, &a[..np], &mut r[..nr]).map(|()| {
                r[..nr]
                    .iter()
                    .zip(types)
                    .map(|(s, t)| Value::from_vm(rill_vm::Value::from_raw(*s, t), self.store))
                    .collect()
            }),
        )
    }

    /// Checks a call's arguments against the function's type (and, unless `allow_v128`,
    /// the JS API's rule against `v128` and `exnref`) and converts them into `a`: the
    /// number of results.
    fn prepare_call<T>(
        &self,
        vm: &rill_vm::Store<StoreData<T>>,
        args: &[Value],
        a: &mut [rill_vm::Value],
        allow_v128: bool,
    ) -> Result<usize, Error> {
        let ty = vm.func_type(self.index);
        if !allow_v128 && !ty.params.iter().chain(ty.results.iter()).all(crosses) {
            return Err(TypeError::new(
                "a function with v128 or exnref in its type cannot be called from the host",
            )
            .into());
        }
        if args.len() != ty.params.len()
            || !args
                .iter()
                .zip(ty.params.iter())
                .all(|(v, t)| v.matches(*t))
        {
            return Err(TypeError::new(format!(
                "arguments {} do not match the function's parameters {}",
                value_list(args),
                type_list(&ty.params)
            ))
            .into());
        }
        for (a, v) in a.iter_mut().zip(args) {
            *a = v.to_vm(self.store)?;
        }
        Ok(ty.results.len())
    }

    /// A call's results, as the embedder gets them.
    fn results_out(&self, results: &[rill_vm::Value]) -> Result<Vec<Value>, Error> {
        check_leaving(results)?;
        Ok(results
            .iter()
            .map(|v| Value::from_vm(*v, self.store))
            .collect())
    }

    /// Calls the function like [`Func::call`], and if it runs out of fuel, suspends it
    /// rather than ending it: [`ResumableCall::OutOfFuel`] holds the call, to be resumed
    /// exactly where it stopped once the store has more fuel ([`SuspendedCall::resume`]).
    /// The store can run other calls meanwhile. A host that runs many guests fairly, a
    /// slice of fuel each, works this way.
    ///
    /// The store must meter fuel for the call to run out ([`Store::set_fuel`], with a
    /// module compiled with [`ModuleConfig::fuel`](crate::ModuleConfig::fuel)). A call made
    /// from inside a host function cannot be suspended (the host function is under it): out
    /// of fuel, it ends with a `RuntimeError` as [`Func::call`] does.
    ///
    /// ```
    /// use rill::{Imports, Instance, Module, ModuleConfig, ResumableCall, Store, Value};
    /// # let wat = |t: &str| wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(t).unwrap()).unwrap().encode().unwrap();
    /// let module = Module::with_config(wat(r#"(module
    ///     (func (export "triangle") (param i32) (result i32) (local i32)
    ///       (loop
    ///         (local.set 1 (i32.add (local.get 1) (local.get 0)))
    ///         (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    ///       (local.get 1)))"#), ModuleConfig::new().fuel(true))?;
    /// let mut store = Store::new(());
    /// let instance = Instance::new(&mut store, &module, &Imports::new())?;
    /// let triangle = instance.get_func(&store, "triangle").unwrap();
    ///
    /// store.set_fuel(500)?;
    /// let mut call = triangle.call_resumable(&mut store, &[Value::I32(1000)])?;
    /// let results = loop {
    ///     match call {
    ///         ResumableCall::Finished(results) => break results,
    ///         ResumableCall::OutOfFuel(suspended) => {
    ///             store.set_fuel(500)?;
    ///             call = suspended.resume(&mut store)?;
    ///         }
    ///     }
    /// };
    /// assert_eq!(results, [Value::I32(500500)]);
    /// # Ok::<(), rill::Error>(())
    /// ```
    ///
    /// [`Store::set_fuel`]: crate::Store::set_fuel
    pub fn call_resumable(
        &self,
        mut store: impl AsContextMut,
        args: &[Value],
    ) -> Result<ResumableCall, Error> {
        let mut cx = store.as_context_mut();
        let vm = cx.check(self.store, "the function")?;
        let mut a = vec![rill_vm::Value::I32(0); args.len()];
        self.prepare_call(vm, args, &mut a, false)?;
        let outcome = vm.invoke_resumable(self.index, &a);
        self.resumable_out(vm, outcome)
    }

    fn resumable_out<T>(
        &self,
        vm: &rill_vm::Store<StoreData<T>>,
        outcome: Result<rill_vm::Resumable, rill_vm::Trap>,
    ) -> Result<ResumableCall, Error> {
        match outcome.map_err(|t| runtime::trap_error(vm, t))? {
            rill_vm::Resumable::Finished(results) => {
                Ok(ResumableCall::Finished(self.results_out(&results)?))
            }
            rill_vm::Resumable::OutOfFuel(call) => Ok(ResumableCall::OutOfFuel(SuspendedCall {
                func: *self,
                call,
            })),
        }
    }

    /// The function as a [`TypedFunc`] with parameters `P` and results `R` (Rust types
    /// standing for wasm types: `()`, a [`WasmType`], or a tuple of them). The signature is
    /// checked once, here (another one: [`Error::TypeError`]); calls then convert nothing
    /// through [`Value`] and allocate nothing.
    ///
    /// ```
    /// # let wasm = [0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0,
    /// #     7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11];
    /// // `wasm`: (func (export "add") (param i32 i32) (result i32) ...)
    /// let mut store = rill::Store::new(());
    /// let module = rill::Module::new(&wasm)?;
    /// let instance = rill::Instance::new(&mut store, &module, &rill::Imports::new())?;
    /// let add = instance.get_func(&store, "add").unwrap().typed::<(i32, i32), i32>(&store)?;
    /// assert_eq!(add.call(&mut store, (1, 2))?, 3);
    /// assert!(instance.get_func(&store, "add").unwrap().typed::<i32, i32>(&store).is_err());
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn typed<P: WasmTypeList, R: WasmTypeList>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<P, R>, Error> {
        let ty = self.ty(store)?;
        let (params, results) = (P::types(), R::types());
        if *ty.params != *params || *ty.results != *results {
            return Err(TypeError::new(format!(
                "the function's type is {} -> {}, not {} -> {}",
                type_list(&ty.params),
                type_list(&ty.results),
                type_list(&params),
                type_list(&results)
            ))
            .into());
        }
        Ok(TypedFunc {
            func: *self,
            _types: PhantomData,
        })
    }
}

/// Checks a host function's results against its result types and converts them into the
/// interpreter's.
fn host_results(
    values: &[Value],
    types: &[ValType],
    out: &mut [rill_vm::Value],
    store: StoreId,
) -> Result<(), Error> {
    let ok = values.len() == types.len()
        && values
            .iter()
            .zip(types.iter())
            .all(|(v, t)| crosses(t) && !matches!(v, Value::V128(_)) && v.matches(*t));
    if !ok {
        return Err(TypeError::new(format!(
            "a host function returned {}; its type has results {}",
            value_list(values),
            type_list(types)
        ))
        .into());
    }
    for (o, v) in out.iter_mut().zip(values) {
        *o = v.to_vm(store)?;
    }
    Ok(())
}

/// How a resumable call ([`Func::call_resumable`]) ended.
#[derive(Debug)]
pub enum ResumableCall {
    /// The call returned these results.
    Finished(Vec<Value>),
    /// The call ran out of fuel: give the store more ([`Store::set_fuel`]) and resume it.
    ///
    /// [`Store::set_fuel`]: crate::Store::set_fuel
    OutOfFuel(SuspendedCall),
}

/// A call that ran out of fuel ([`Func::call_resumable`]), waiting to go on from where it
/// stopped. It holds the call's wasm stack, not the store; dropping it abandons the call.
#[derive(Debug)]
pub struct SuspendedCall {
    func: Func,
    call: rill_vm::SuspendedCall,
}

impl SuspendedCall {
    /// The fuel the instruction the call stopped at needs: resumed with less, the call
    /// stops there again.
    pub fn required_fuel(&self) -> u64 {
        self.call.required_fuel()
    }

    /// The function called.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Continues the call with the store's fuel; it ends, or runs out of fuel again. The
    /// store must be the call's own (another one: [`Error::TypeError`]), and this not
    /// called from inside a host function.
    pub fn resume(self, mut store: impl AsContextMut) -> Result<ResumableCall, Error> {
        let mut cx = store.as_context_mut();
        let vm = cx.check(self.func.store, "the suspended call")?;
        let outcome = self.call.resume(vm);
        self.func.resumable_out(vm, outcome)
    }
}

/// A function whose signature was checked once ([`Func::typed`]): parameters `P`, results
/// `R`. Calls convert nothing through [`Value`] and allocate nothing. `Copy`.
pub struct TypedFunc<P, R> {
    func: Func,
    _types: PhantomData<fn(P) -> R>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P, R> Copy for TypedFunc<P, R> {}

impl<P, R> fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TypedFunc").field(&self.func).finish()
    }
}

impl<P: WasmTypeList, R: WasmTypeList> TypedFunc<P, R> {
    /// The function.
    pub fn func(&self) -> Func {
        self.func
    }

    /// Calls the function; errors as [`Func::call`]'s.
    pub fn call(&self, mut store: impl AsContextMut, params: P) -> Result<R, Error> {
        let mut cx = store.as_context_mut();
        let vm = cx.check(self.func.store, "the function")?;
        let id = self.func.store;
        // Typed values are numbers and references: each fits a raw slot, and a list of
        // them has at most `INLINE`.
        let mut a = [0u64; INLINE];
        let a = &mut a[..P::len()];
        params.write_raw(a, id)?;
        let mut r = [0u64; INLINE];
        let r = &mut r[..R::len()];
        runtime::call_typed(vm, self.func.index, a, r)?;
        R::read_raw(r, id).ok_or_else(|| TypeError::new("a result of the wrong type").into())
    }
}

mod private {
    pub trait Sealed {}
}

/// A list of wasm types as Rust types: `()`, a [`WasmType`], or a tuple of up to 8 of
/// them; the parameters and results of [`TypedFunc`]s and typed host functions. Sealed.
pub trait WasmTypeList: private::Sealed + Send + Sized + 'static {
    /// The wasm types.
    fn types() -> Vec<ValType>;
    /// How many there are.
    fn len() -> usize;
    /// Writes the values (`out` has [`WasmTypeList::len`] slots).
    #[doc(hidden)]
    fn write_vm(self, out: &mut [rill_vm::Value], store: StoreId) -> Result<(), Error>;
    /// Reads the values; `None` if one is of another type.
    #[doc(hidden)]
    fn read_vm(values: &[rill_vm::Value], store: StoreId) -> Option<Self>;
    /// Writes the values to raw slots (`out` has at least [`WasmTypeList::len`]).
    #[doc(hidden)]
    fn write_raw(self, out: &mut [u64], store: StoreId) -> Result<(), Error>;
    /// Reads the values from raw slots; `None` if a reference is not one of the store's.
    #[doc(hidden)]
    fn read_raw(slots: &[u64], store: StoreId) -> Option<Self>;
}

impl<A: WasmType> private::Sealed for A {}

impl<A: WasmType> WasmTypeList for A {
    fn types() -> Vec<ValType> {
        vec![A::val_type()]
    }
    fn len() -> usize {
        1
    }
    #[inline]
    fn write_vm(self, out: &mut [rill_vm::Value], store: StoreId) -> Result<(), Error> {
        out[0] = self.to_vm(store)?;
        Ok(())
    }
    #[inline]
    fn read_vm(values: &[rill_vm::Value], store: StoreId) -> Option<Self> {
        A::from_vm(*values.first()?, store)
    }
    #[inline]
    fn write_raw(self, out: &mut [u64], store: StoreId) -> Result<(), Error> {
        out[0] = self.to_raw(store)?;
        Ok(())
    }
    #[inline]
    fn read_raw(slots: &[u64], store: StoreId) -> Option<Self> {
        A::from_raw(*slots.first()?, store)
    }
}

/// The results of a typed host function: a [`WasmTypeList`], or a `Result` of one whose
/// error becomes a [`HostError`]. Sealed.
pub trait WasmResults: Send + 'static {
    /// The values' types.
    type List: WasmTypeList;
    /// The values, or the host function's error.
    fn into_list(self) -> Result<Self::List, HostError>;
}

impl<L: WasmTypeList> WasmResults for L {
    type List = L;
    fn into_list(self) -> Result<L, HostError> {
        Ok(self)
    }
}

impl<L: WasmTypeList, E: std::error::Error + Send + Sync + 'static> WasmResults for Result<L, E> {
    type List = L;
    fn into_list(self) -> Result<L, HostError> {
        self.map_err(|e| match (&e as &dyn Any).downcast_ref::<Error>() {
            Some(err) => HostError::from(err.clone()),
            None => HostError::new(e),
        })
    }
}

/// A closure that can be made into a typed host function ([`Func::wrap`]): `Fn(A1, ...,
/// An) -> R` or `Fn(Caller<'_, T>, A1, ..., An) -> R` with up to 8 [`WasmType`] arguments
/// and `R: WasmResults`.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    /// The host function, made in `store`.
    fn into_func(self, store: StoreContextMut<'_, T>) -> Func;
}

/// Makes the host function for a typed closure: `$call` calls it with the caller and the
/// converted arguments.
fn typed_host<T: 'static, P: WasmTypeList, R: WasmResults>(
    store: StoreContextMut<'_, T>,
    call: impl Fn(Caller<'_, T>, P) -> R + Send + Sync + 'static,
) -> Func {
    let ty = FuncType {
        params: P::types().into(),
        results: R::List::types().into(),
    };
    // On raw slots: the types are known here, so values cross without being tagged.
    let host = move |mut caller: rill_vm::Caller<'_, StoreData<T>>, slots: &mut [u64]| {
        let id = caller.store().id();
        let Some(params) = P::read_raw(slots, id) else {
            let e = TypeError::new("a host function was given arguments of the wrong types");
            return Err(host_failure(caller.store(), e.into()));
        };
        let outcome = call(
            Caller {
                vm: caller.reborrow(),
            },
            params,
        )
        .into_list();
        let written = match outcome {
            Ok(list) => list.write_raw(slots, id),
            Err(e) => Err(Error::Host(e)),
        };
        written.map_err(|e| host_failure(caller.store(), e))
    };
    let id = store.0.id();
    Func {
        store: id,
        index: store.0.func_new_raw(ty, host),
    }
}

macro_rules! tuples {
    ($($a:ident)*) => {
        impl<$($a: WasmType),*> private::Sealed for ($($a,)*) {}

        impl<$($a: WasmType),*> WasmTypeList for ($($a,)*) {
            fn types() -> Vec<ValType> {
                vec![$($a::val_type()),*]
            }
            fn len() -> usize {
                <[&str]>::len(&[$(stringify!($a)),*])
            }
            #[allow(non_snake_case, unused_variables, unused_mut)]
            #[inline]
            fn write_vm(self, out: &mut [rill_vm::Value], store: StoreId) -> Result<(), Error> {
                let ($($a,)*) = self;
                let mut slots = out.iter_mut();
                $(*slots.next().expect("a slot per value") = $a.to_vm(store)?;)*
                Ok(())
            }
            #[allow(non_snake_case, unused_variables, unused_mut)]
            #[inline]
            fn read_vm(values: &[rill_vm::Value], store: StoreId) -> Option<Self> {
                let mut it = values.iter();
                $(let $a = $a::from_vm(*it.next()?, store)?;)*
                Some(($($a,)*))
            }
            #[allow(non_snake_case, unused_variables, unused_mut)]
            #[inline]
            fn write_raw(self, out: &mut [u64], store: StoreId) -> Result<(), Error> {
                let ($($a,)*) = self;
                let mut slots = out.iter_mut();
                $(*slots.next().expect("a slot per value") = $a.to_raw(store)?;)*
                Ok(())
            }
            #[allow(non_snake_case, unused_variables, unused_mut)]
            #[inline]
            fn read_raw(slots: &[u64], store: StoreId) -> Option<Self> {
                let mut it = slots.iter();
                $(let $a = $a::from_raw(*it.next()?, store)?;)*
                Some(($($a,)*))
            }
        }

        impl<T: 'static, F, $($a: WasmType,)* R: WasmResults> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
        {
            #[allow(non_snake_case)]
            fn into_func(self, store: StoreContextMut<'_, T>) -> Func {
                typed_host(store, move |_: Caller<'_, T>, ($($a,)*): ($($a,)*)| (self)($($a),*))
            }
        }

        impl<'c, T: 'static, F, $($a: WasmType,)* R: WasmResults>
            IntoFunc<T, (Caller<'c, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
        {
            #[allow(non_snake_case)]
            fn into_func(self, store: StoreContextMut<'_, T>) -> Func {
                typed_host(store, move |caller: Caller<'_, T>, ($($a,)*): ($($a,)*)| {
                    (self)(caller, $($a),*)
                })
            }
        }
    };
}

tuples!();
tuples!(A1);
tuples!(A1 A2);
tuples!(A1 A2 A3);
tuples!(A1 A2 A3 A4);
tuples!(A1 A2 A3 A4 A5);
tuples!(A1 A2 A3 A4 A5 A6);
tuples!(A1 A2 A3 A4 A5 A6 A7);
tuples!(A1 A2 A3 A4 A5 A6 A7 A8);
