//! Functions: exported wasm functions and host functions made from closures.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use rill_decoder::{FuncType, ValType};

use crate::error::{Error, TypeError};
use crate::runtime::{self, with_state, with_state_infallible};
use crate::values::{crosses, Value, WasmType};

/// A function: an exported wasm function or a host function (`Exported Function` in JS).
///
/// A handle into the façade's store: `Copy`, `Send + Sync`, and equal exactly when it is
/// the same function, so a function exported by one instance and imported by another keeps
/// its identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) rill_vm::Func);

/// The error a host function raises: any error value, passed through wasm unchanged and
/// returned to whoever called into wasm as [`Error::Host`]. Get the original back with
/// [`HostError::downcast_ref`]. Two `HostError`s are equal when they hold the same value
/// (one raised error, cloned).
#[derive(Clone)]
pub struct HostError(Arc<dyn std::error::Error + Send + Sync>);

impl HostError {
    /// Wraps an error (a `HostError` is kept as it is, not wrapped twice).
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> HostError {
        if let Some(h) = (&e as &dyn Any).downcast_ref::<HostError>() {
            return h.clone();
        }
        HostError(Arc::new(e))
    }

    /// An error with just a message.
    pub fn msg(message: impl Into<String>) -> HostError {
        #[derive(Debug)]
        struct Msg(String);
        impl fmt::Display for Msg {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::error::Error for Msg {}
        HostError(Arc::new(Msg(message.into())))
    }

    /// The original error, if it is a `T`.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }
}

impl fmt::Debug for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HostError").field(&self.0).finish()
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for HostError {}

impl PartialEq for HostError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for HostError {}

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

impl Func {
    /// A host function of type `ty` from a closure over untyped values.
    ///
    /// The closure gets the arguments (checked against `ty` by wasm validation or by
    /// [`Func::call`]) and returns the results, which the façade checks: the wrong number
    /// or types of results make the call fail with [`Error::TypeError`]. An `Err` is passed
    /// through unchanged ([`Error::Host`]).
    ///
    /// # Panics
    /// When called from inside a host function (see the crate docs, "Threads").
    pub fn new(
        ty: FuncType,
        f: impl Fn(&[Value]) -> Result<Vec<Value>, HostError> + Send + Sync + 'static,
    ) -> Func {
        let results_ty = ty.results.clone();
        let host = move |args: &[rill_vm::Value]| {
            let fail = |e: Error| Err(runtime::host_failure(e));
            if let Err(e) = crate::values::check_leaving(args) {
                return fail(e);
            }
            let args: Vec<Value> = args.iter().map(|v| Value::from_vm(*v)).collect();
            match f(&args) {
                Err(e) => fail(Error::Host(e)),
                Ok(results) => {
                    let ok = results.len() == results_ty.len()
                        && results.iter().zip(results_ty.iter()).all(|(v, t)| {
                            crosses(t) && !matches!(v, Value::V128(_)) && v.matches(*t)
                        });
                    if ok {
                        Ok(results.iter().map(|v| v.to_vm()).collect())
                    } else {
                        fail(
                            TypeError::new(format!(
                                "a host function returned {}; its type has results {}",
                                value_list(&results),
                                type_list(&results_ty)
                            ))
                            .into(),
                        )
                    }
                }
            }
        };
        with_state_infallible("Func::new", |st| Func(st.store.func_new(ty, host)))
    }

    /// A typed host function from a closure whose arguments and result are Rust types
    /// standing for wasm types ([`WasmType`]: `i32`, `i64`, `f32`, `f64`, `Option<Func>`,
    /// `Option<ExternRef>`). The result is `()`, one such type, a tuple of them, or a
    /// `Result` of those whose error is passed through unchanged ([`Error::Host`]).
    ///
    /// ```
    /// let double = rill::Func::wrap(|x: i32| -> i64 { i64::from(x) * 2 });
    /// assert_eq!(double.call(&[rill::Value::I32(21)])?, vec![rill::Value::I64(42)]);
    /// # Ok::<(), rill::Error>(())
    /// ```
    ///
    /// # Panics
    /// When called from inside a host function.
    pub fn wrap<Params, Results>(f: impl IntoFunc<Params, Results>) -> Func {
        f.into_func()
    }

    /// The function's type.
    pub fn ty(&self) -> Result<FuncType, Error> {
        with_state(|st| st.store.func_type(self.0).clone())
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
    /// The results come back as a list, in order.
    pub fn call(&self, args: &[Value]) -> Result<Vec<Value>, Error> {
        self.call_checked(args, false)
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
    /// let add = rill::Instance::new(&module, None)?.get_func("add").unwrap();
    /// let (a, b) = (rill::Value::V128(1 << 96 | 2), rill::Value::V128(3 << 96 | 4));
    /// assert_eq!(add.call_with_v128(&[a, b])?, vec![rill::Value::V128(4 << 96 | 6)]);
    /// assert!(add.call(&[a, b]).is_err(), "the JS rule");
    /// # Ok::<(), rill::Error>(())
    /// ```
    pub fn call_with_v128(&self, args: &[Value]) -> Result<Vec<Value>, Error> {
        self.call_checked(args, true)
    }

    fn call_checked(&self, args: &[Value], allow_v128: bool) -> Result<Vec<Value>, Error> {
        with_state(|st| {
            let ty = st.store.func_type(self.0).clone();
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
            let args: Vec<rill_vm::Value> = args.iter().map(|v| v.to_vm()).collect();
            let results = runtime::invoke(st, self.0, &args)?;
            crate::values::check_leaving(&results)?;
            Ok(results.into_iter().map(Value::from_vm).collect())
        })?
    }
}

/// The results of a typed host function: `()`, a [`WasmType`], a tuple of them, or a
/// `Result` of one of those whose error becomes a [`HostError`]. Sealed.
pub trait WasmResults: Send + 'static {
    /// The wasm result types.
    fn types() -> Vec<ValType>;
    /// The values, or the host function's error.
    fn into_values(self) -> Result<Vec<Value>, HostError>;
}

impl<T: WasmType> WasmResults for T {
    fn types() -> Vec<ValType> {
        vec![T::val_type()]
    }
    fn into_values(self) -> Result<Vec<Value>, HostError> {
        Ok(vec![self.into_value()])
    }
}

impl<R: WasmResults, E: std::error::Error + Send + Sync + 'static> WasmResults for Result<R, E> {
    fn types() -> Vec<ValType> {
        R::types()
    }
    fn into_values(self) -> Result<Vec<Value>, HostError> {
        self.map_err(HostError::new)?.into_values()
    }
}

/// A closure that can be made into a typed host function ([`Func::wrap`]). Implemented
/// for `Fn(A1, ..., An) -> R` with up to 8 [`WasmType`] arguments and `R: WasmResults`.
pub trait IntoFunc<Params, Results>: Send + Sync + 'static {
    /// The host function.
    fn into_func(self) -> Func;
}

macro_rules! tuples {
    ($($a:ident)*) => {
        impl<$($a: WasmType),*> WasmResults for ($($a,)*) {
            fn types() -> Vec<ValType> {
                vec![$($a::val_type()),*]
            }
            #[allow(non_snake_case)]
            fn into_values(self) -> Result<Vec<Value>, HostError> {
                let ($($a,)*) = self;
                Ok(vec![$($a.into_value()),*])
            }
        }

        impl<F, $($a: WasmType,)* R: WasmResults> IntoFunc<($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
        {
            #[allow(non_snake_case, unused_mut, unused_variables)]
            fn into_func(self) -> Func {
                let ty = FuncType {
                    params: vec![$($a::val_type()),*].into(),
                    results: R::types().into(),
                };
                Func::new(ty, move |args: &[Value]| {
                    let mut it = args.iter().copied();
                    $(
                        let $a = it
                            .next()
                            .and_then($a::from_value)
                            .ok_or_else(|| HostError::msg("argument of the wrong type"))?;
                    )*
                    (self)($($a),*).into_values()
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
