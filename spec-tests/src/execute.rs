//! The execution stage, through the façade (`rill`), as a JS embedder would run the
//! testsuite:
//!
//! - every module is compiled with [`rill::Module::with_config`] (the spec's limits, not the
//!   JS API's implementation limits; the decoder's proposals of the file's folder);
//!   `assert_malformed` (binary) and `assert_invalid` must be a [`rill::Error::CompileError`]
//!   whose message contains the expected text, malformed or invalid as the assertion says
//!   ([`rill::CompileError::is_malformed`]);
//! - one [`rill::Store`] per script: the `spectest` objects, the `ref.extern` values and
//!   every instance of the script live in it, so an entity one instance exports and
//!   another imports is the same entity (the JS agent of the JS harness);
//! - instances are made with [`rill::Instance::new`] from one [`rill::Imports`]: the
//!   `spectest` module made of façade objects ([`spectest`]) and every registered
//!   instance's exports under its name; an import module nobody registered is an empty
//!   entry, like the JS harness's registry (a `Proxy` answering `{}`), so a missing import is
//!   a `LinkError`, never a `TypeError`;
//! - `assert_unlinkable` must be a [`rill::Error::LinkError`], `assert_trap` on a module a
//!   [`rill::Error::RuntimeError`], both with the expected text;
//! - `invoke`, `assert_return`, `assert_trap` and `assert_exhaustion` call
//!   [`rill::Func::call`]; a trap must be a `RuntimeError` with the expected text
//!   (`assert_exhaustion`: "call stack exhausted"); `get` reads an exported
//!   [`rill::Global`];
//! - functions with `v128` in their type and `v128` globals, which the JS API cannot reach,
//!   go through the façade's Rust-only [`rill::Func::call_with_v128`] and
//!   [`rill::Global::get_with_v128`]; a `v128` result is checked lane by lane against the
//!   expected lane shape (NaN patterns per float lane).
//!
//! Out of scope (not executed yet; their execution directives are `notrun`): files of the
//! proposals listed in [`OUT_OF_SCOPE`] (GC, custom descriptors), and anywhere, what the façade reports as unsupported
//! ([`rill::RuntimeError::is_unsupported`]: an instruction of a proposal the interpreter
//! does not execute yet). Their modules are still compiled.

use std::collections::HashMap;

use rill::{
    AddressType, AsContextMut, Error, ExternRef, Features, Func, Global, GlobalDescriptor, Imports,
    Instance, Memory, MemoryDescriptor, Module, ModuleConfig, RefType, Store, Table,
    TableDescriptor, ValType, Value,
};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastInvoke, WastRet};

use crate::engine::{Engine, Exec, ModuleCase, Outcome};

/// Files (paths relative to the testsuite, by prefix) whose features belong to later
/// issues: their execution directives are not run.
pub const OUT_OF_SCOPE: &[(&str, &str)] = &[
    ("array", "GC"),
    ("struct.wast", "GC"),
    ("i31.wast", "GC"),
    ("br_on_cast", "GC"),
    ("ref_cast.wast", "GC"),
    ("ref_test.wast", "GC"),
    ("ref_eq.wast", "GC"),
    ("type-subtyping.wast", "GC"),
    ("binary-gc.wast", "GC"),
    ("proposals/custom-descriptors/", "custom descriptors"),
];

/// Whether the file's features are out of this stage's scope.
pub fn out_of_scope(path: &str) -> Option<&'static str> {
    OUT_OF_SCOPE
        .iter()
        .find(|(p, _)| path.starts_with(p))
        .map(|(_, why)| *why)
}

/// What a name refers to.
#[derive(Clone, Debug)]
enum Slot {
    Ready(Instance),
    /// The module could not be instantiated because it needs something unsupported.
    Unsupported,
    /// The module failed (already reported).
    Failed,
}

/// The execution engine. One is made per script, with its own store.
pub struct Execute {
    /// The script's store: `spectest`, the `ref.extern` values, every instance.
    store: Store<()>,
    config: ModuleConfig,
    out_of_scope: bool,
    current: Option<Slot>,
    named: HashMap<String, Slot>,
    /// Registered names whose instance is not ready (unsupported or failed).
    unavailable: HashMap<String, Slot>,
    /// `spectest` and the registered instances.
    imports: Imports,
    definitions: HashMap<String, Module>,
    /// The host values of `ref.extern N`: one reference per `N`, whose data is `N`.
    extern_refs: HashMap<u32, ExternRef>,
}

impl Default for Execute {
    fn default() -> Self {
        let mut store = Store::new(());
        let mut imports = Imports::new();
        spectest(&mut store, &mut imports);
        Execute {
            store,
            config: compile_config(Features::default()),
            out_of_scope: false,
            current: None,
            named: HashMap::new(),
            unavailable: HashMap::new(),
            imports,
            definitions: HashMap::new(),
            extern_refs: HashMap::new(),
        }
    }
}

/// How the testsuite's modules are compiled: by the core specification's limits (table.wast
/// declares tables of 2^32-1 elements), with the decoder's proposals of the file's folder.
fn compile_config(features: Features) -> ModuleConfig {
    ModuleConfig::new().js_limits(false).features(features)
}

/// Defines the `spectest` module, made of façade objects as the spec interpreter's
/// `spectest` defines it (interpreter/host/spectest.ml): the `print*` functions (which
/// print nothing here), the immutable globals `global_i32` = 666, `global_i64` = 666,
/// `global_f32` = 666.6, `global_f64` = 666.6, `table` (10..20 funcref), `table64` (its
/// 64-bit twin), `memory` (1..2 pages) and `shared_memory` (1..2 pages, shared), made in
/// `store`. Each file gets a fresh one,
/// in its own store.
pub fn spectest<T: 'static>(mut store: impl AsContextMut<Data = T>, imports: &mut Imports) {
    let m = "spectest";
    imports
        .define(m, "print", Func::wrap(&mut store, || ()))
        .define(m, "print_i32", Func::wrap(&mut store, |_: i32| ()))
        .define(m, "print_i64", Func::wrap(&mut store, |_: i64| ()))
        .define(m, "print_f32", Func::wrap(&mut store, |_: f32| ()))
        .define(m, "print_f64", Func::wrap(&mut store, |_: f64| ()))
        .define(
            m,
            "print_i32_f32",
            Func::wrap(&mut store, |_: i32, _: f32| ()),
        )
        .define(
            m,
            "print_f64_f64",
            Func::wrap(&mut store, |_: f64, _: f64| ()),
        );
    let globals = [
        ("global_i32", ValType::I32, Value::I32(666)),
        ("global_i64", ValType::I64, Value::I64(666)),
        ("global_f32", ValType::F32, Value::F32(666.6)),
        ("global_f64", ValType::F64, Value::F64(666.6)),
    ];
    for (name, ty, v) in globals {
        let desc = GlobalDescriptor {
            value: ty,
            mutable: false,
        };
        let g = Global::new(&mut store, desc, Some(v)).expect("a spectest global");
        imports.define(m, name, g);
    }
    for (name, address) in [("table", AddressType::I32), ("table64", AddressType::I64)] {
        let desc = TableDescriptor {
            element: RefType::FUNCREF,
            initial: 10,
            maximum: Some(20),
            address,
        };
        imports.define(
            m,
            name,
            Table::new(&mut store, desc, None).expect("a spectest table"),
        );
    }
    let desc = MemoryDescriptor {
        initial: 1,
        maximum: Some(2),
        ..Default::default()
    };
    imports.define(
        m,
        "memory",
        Memory::new(&mut store, desc).expect("a spectest memory"),
    );
    let desc = MemoryDescriptor {
        shared: true,
        ..desc
    };
    imports.define(
        m,
        "shared_memory",
        Memory::new(&mut store, desc).expect("a spectest shared memory"),
    );
}

/// Why an execution did not give values.
enum Failure {
    /// The façade's error (a trap is a `RuntimeError`).
    Error(Error),
    /// Not run: needs something out of scope.
    NotRun,
    Fail(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match &e {
            Error::RuntimeError(r) if r.is_unsupported() => Failure::NotRun,
            _ => Failure::Error(e),
        }
    }
}

fn failure_outcome(f: Failure, what: &str) -> Outcome {
    match f {
        Failure::NotRun => Outcome::NotRun,
        Failure::Fail(m) => Outcome::Fail(m),
        Failure::Error(e) => Outcome::Fail(format!("{what}: {e}")),
    }
}

/// Whether a value type cannot cross the façade's JS-API calls (only its Rust-only ones):
/// `v128` and `exnref`.
fn rust_only(ty: &ValType) -> bool {
    matches!(
        ty,
        ValType::V128
            | ValType::Ref(RefType {
                heap: rill::HeapType::Abstract(rill::AbsHeapType::Exn | rill::AbsHeapType::NoExn),
                ..
            })
    )
}

/// Whether the `f32` bits `x` match `p`.
fn f32_matches(p: &NanPattern<wast::token::F32>, x: u32) -> bool {
    match p {
        NanPattern::CanonicalNan => x & 0x7FFF_FFFF == 0x7FC0_0000,
        NanPattern::ArithmeticNan => x & 0x7FC0_0000 == 0x7FC0_0000,
        NanPattern::Value(e) => e.bits == x,
    }
}

/// Whether the `f64` bits `x` match `p`.
fn f64_matches(p: &NanPattern<wast::token::F64>, x: u64) -> bool {
    match p {
        NanPattern::CanonicalNan => x & !(1 << 63) == 0x7FF8_0000_0000_0000,
        NanPattern::ArithmeticNan => x & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000,
        NanPattern::Value(e) => e.bits == x,
    }
}

/// Whether the `v128` `v` (lane 0 in the low bits) matches `p`, lane by lane.
fn v128_matches(p: &V128Pattern, v: u128) -> bool {
    let b = v.to_le_bytes();
    let lane = |i: usize, w: usize| -> u64 {
        let mut x = [0u8; 8];
        x[..w].copy_from_slice(&b[i * w..i * w + w]);
        u64::from_le_bytes(x)
    };
    match p {
        V128Pattern::I8x16(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u8 as u64 == lane(i, 1)),
        V128Pattern::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u16 as u64 == lane(i, 2)),
        V128Pattern::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| *e as u32 as u64 == lane(i, 4)),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, e)| *e as u64 == lane(i, 8)),
        V128Pattern::F32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| f32_matches(e, lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, e)| f64_matches(e, lane(i, 8))),
    }
}

impl Execute {
    fn compile(&self, bytes: &[u8]) -> Result<Module, String> {
        Module::with_config(bytes, self.config).map_err(|e| format!("valid module rejected: {e}"))
    }

    /// `assert_malformed` and `assert_invalid`: compiling must fail with a `CompileError`
    /// containing `message`, which says the module is malformed (did not decode) or
    /// invalid (decoded, but did not validate) as the assertion does.
    fn must_not_compile(&self, bytes: &[u8], message: &str, malformed: bool) -> Outcome {
        let what = if malformed { "malformed" } else { "invalid" };
        match Module::with_config(bytes, self.config) {
            Ok(_) => Outcome::Fail(format!("{what} module accepted (expected {message:?})")),
            Err(Error::CompileError(e)) if !e.message().contains(message) => Outcome::Fail(
                format!("expected a CompileError containing {message:?}, got {e}"),
            ),
            Err(Error::CompileError(e)) if e.is_malformed() != malformed => Outcome::Fail(format!(
                "expected a CompileError for a {what} module, got {e} (the other kind)"
            )),
            Err(Error::CompileError(_)) => Outcome::Pass,
            Err(e) => Outcome::Fail(format!(
                "expected a CompileError containing {message:?}, got {e}"
            )),
        }
    }

    fn slot(&self, name: Option<&str>) -> Option<Slot> {
        match name {
            Some(n) => self.named.get(n).cloned(),
            None => self.current.clone(),
        }
    }

    /// Instantiates against `spectest` and the registered instances.
    fn instantiate(&mut self, module: &Module) -> Result<Instance, Failure> {
        for import in module.imports() {
            if let Some(Slot::Unsupported) = self.unavailable.get(&import.module) {
                return Err(Failure::NotRun);
            }
            // An unknown module name is an empty entry (see the module docs).
            self.imports.module(&import.module);
        }
        Ok(Instance::new(&mut self.store, module, &self.imports)?)
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, Failure> {
        match self.slot(name) {
            Some(Slot::Ready(i)) => Ok(i),
            Some(Slot::Unsupported) => Err(Failure::NotRun),
            Some(Slot::Failed) => Err(Failure::Fail("its module failed".into())),
            None => Err(Failure::Fail(format!("no module {name:?}"))),
        }
    }

    /// The host value `ref.extern n`.
    fn extern_ref(&mut self, n: u32) -> ExternRef {
        *self
            .extern_refs
            .entry(n)
            .or_insert_with(|| ExternRef::new(&mut self.store, n))
    }

    fn arg_value(&mut self, a: &WastArg<'_>) -> Option<Value> {
        let WastArg::Core(a) = a else { return None };
        Some(match a {
            WastArgCore::I32(v) => Value::I32(*v),
            WastArgCore::I64(v) => Value::I64(*v),
            WastArgCore::F32(v) => Value::F32(f32::from_bits(v.bits)),
            WastArgCore::F64(v) => Value::F64(f64::from_bits(v.bits)),
            WastArgCore::RefNull(HeapType::Abstract { ty, .. }) => match ty {
                AbstractHeapType::Func | AbstractHeapType::NoFunc => Value::FuncRef(None),
                AbstractHeapType::Extern | AbstractHeapType::NoExtern => Value::ExternRef(None),
                _ => Value::NullRef,
            },
            WastArgCore::RefNull(_) => Value::FuncRef(None),
            WastArgCore::RefExtern(n) => Value::ExternRef(Some(self.extern_ref(*n))),
            WastArgCore::V128(c) => Value::V128(u128::from_le_bytes(c.to_le_bytes())),
            _ => return None,
        })
    }

    fn invoke_values(&mut self, call: &WastInvoke<'_>) -> Result<Vec<Value>, Failure> {
        if self.out_of_scope {
            return Err(Failure::NotRun);
        }
        let inst = self.instance(call.module.map(|m| m.name()))?;
        let Some(f) = inst.get_func(&self.store, call.name) else {
            return Err(Failure::Fail(format!(
                "no exported function {:?}",
                call.name
            )));
        };
        let ty = f.ty(&self.store)?;
        let mut args = Vec::new();
        for a in &call.args {
            args.push(self.arg_value(a).ok_or(Failure::NotRun)?);
        }
        if ty.params.iter().chain(ty.results.iter()).any(rust_only) {
            // Out of the JS API's reach: the Rust-only call.
            return Ok(f.call_with_v128(&mut self.store, &args)?);
        }
        Ok(f.call(&mut self.store, &args)?)
    }

    fn exec_values(&mut self, exec: &Exec<'_, '_>) -> Result<Vec<Value>, Failure> {
        match exec {
            Exec::Invoke(call) => self.invoke_values(call),
            Exec::Get { module, global } => {
                if self.out_of_scope {
                    return Err(Failure::NotRun);
                }
                let inst = self.instance(*module)?;
                let Some(g) = inst.get_global(&self.store, global) else {
                    return Err(Failure::Fail(format!("no exported global {global:?}")));
                };
                if rust_only(&g.ty(&self.store)?.value) {
                    return Ok(vec![g.get_with_v128(&self.store)?]);
                }
                Ok(vec![g.get(&self.store)?])
            }
            Exec::Module(m) => {
                if self.out_of_scope {
                    return Err(Failure::NotRun);
                }
                let module = self.compile(m.bytes).map_err(Failure::Fail)?;
                self.instantiate(&module).map(|_| Vec::new())
            }
        }
    }

    /// Whether `v` matches the expected result; `None`: cannot be checked here.
    fn matches_ret(&self, v: &Value, r: &WastRetCore<'_>) -> Option<bool> {
        Some(match (r, v) {
            (WastRetCore::I32(e), Value::I32(x)) => e == x,
            (WastRetCore::I64(e), Value::I64(x)) => e == x,
            (WastRetCore::F32(p), Value::F32(x)) => f32_matches(p, x.to_bits()),
            (WastRetCore::F64(p), Value::F64(x)) => f64_matches(p, x.to_bits()),
            (WastRetCore::V128(p), Value::V128(x)) => v128_matches(p, *x),
            (WastRetCore::RefNull(_), v) => matches!(
                v,
                Value::FuncRef(None) | Value::ExternRef(None) | Value::NullRef
            ),
            (WastRetCore::RefExtern(e), Value::ExternRef(Some(x))) => match e {
                None => true,
                Some(e) => {
                    x.data(&self.store)
                        .ok()
                        .and_then(|d| d.downcast_ref::<u32>())
                        == Some(e)
                }
            },
            (WastRetCore::RefFunc(_), Value::FuncRef(Some(_))) => true,
            (WastRetCore::Either(cases), v) => {
                let mut any = false;
                for c in cases {
                    any |= self.matches_ret(v, c)?;
                }
                any
            }
            (
                WastRetCore::RefAny
                | WastRetCore::RefEq
                | WastRetCore::RefArray
                | WastRetCore::RefStruct
                | WastRetCore::RefI31
                | WastRetCore::RefI31Shared
                | WastRetCore::RefHost(_),
                _,
            ) => return None,
            _ => false,
        })
    }

    /// A trap: a `RuntimeError` whose message contains `message`.
    fn trapped(result: Result<Vec<Value>, Failure>, message: &str) -> Outcome {
        match result {
            Ok(v) => Outcome::Fail(format!("expected trap {message:?}, got {v:?}")),
            Err(Failure::Error(Error::RuntimeError(e))) if e.message().contains(message) => {
                Outcome::Pass
            }
            Err(Failure::Error(e)) => Outcome::Fail(format!(
                "expected a RuntimeError containing {message:?}, got {e}"
            )),
            Err(f) => failure_outcome(f, "trapped"),
        }
    }

    fn set_current(&mut self, name: Option<&str>, slot: Slot) {
        if let Some(n) = name {
            self.named.insert(n.to_string(), slot.clone());
        }
        self.current = Some(slot);
    }
}

impl Engine for Execute {
    fn start_file(&mut self, path: &str) {
        self.out_of_scope = out_of_scope(path).is_some();
        self.config = compile_config(crate::decode::features_for(path));
    }

    fn module(&mut self, module: &ModuleCase<'_>) -> Outcome {
        let compiled = match self.compile(module.bytes) {
            Ok(m) => m,
            Err(e) => {
                self.module_unavailable(module.name);
                return Outcome::Fail(e);
            }
        };
        if self.out_of_scope {
            self.set_current(module.name, Slot::Unsupported);
            return Outcome::Pass;
        }
        match self.instantiate(&compiled) {
            Ok(i) => {
                self.set_current(module.name, Slot::Ready(i));
                Outcome::Pass
            }
            Err(Failure::NotRun) => {
                self.set_current(module.name, Slot::Unsupported);
                Outcome::NotRun
            }
            Err(f) => {
                self.set_current(module.name, Slot::Failed);
                failure_outcome(f, "instantiation failed")
            }
        }
    }

    fn module_definition(&mut self, module: &ModuleCase<'_>) -> Outcome {
        match self.compile(module.bytes) {
            Ok(m) => {
                if let Some(name) = module.name {
                    self.definitions.insert(name.to_string(), m);
                }
                Outcome::Pass
            }
            Err(e) => Outcome::Fail(e),
        }
    }

    fn module_unavailable(&mut self, name: Option<&str>) {
        self.set_current(name, Slot::Failed);
    }

    fn module_instance(&mut self, instance: Option<&str>, module: Option<&str>) -> Outcome {
        if self.out_of_scope {
            self.set_current(instance, Slot::Unsupported);
            return Outcome::NotRun;
        }
        let Some(m) = module.and_then(|m| self.definitions.get(m)).cloned() else {
            return Outcome::Fail(format!("no module definition {module:?}"));
        };
        match self.instantiate(&m) {
            Ok(i) => {
                self.set_current(instance, Slot::Ready(i));
                Outcome::Pass
            }
            Err(Failure::NotRun) => {
                self.set_current(instance, Slot::Unsupported);
                Outcome::NotRun
            }
            Err(f) => {
                self.set_current(instance, Slot::Failed);
                failure_outcome(f, "instantiation failed")
            }
        }
    }

    fn assert_malformed(&mut self, bytes: &[u8], message: &str) -> Outcome {
        self.must_not_compile(bytes, message, true)
    }

    fn assert_invalid(&mut self, module: &ModuleCase<'_>, message: &str) -> Outcome {
        self.must_not_compile(module.bytes, message, false)
    }

    fn assert_unlinkable(&mut self, module: &ModuleCase<'_>, message: &str) -> Outcome {
        let compiled = match self.compile(module.bytes) {
            Ok(m) => m,
            Err(e) => return Outcome::Fail(e),
        };
        if self.out_of_scope {
            return Outcome::NotRun;
        }
        match self.instantiate(&compiled) {
            Ok(_) => Outcome::Fail(format!("module linked (expected {message:?})")),
            Err(Failure::Error(Error::LinkError(e))) if e.message().contains(message) => {
                Outcome::Pass
            }
            Err(Failure::Error(e)) => Outcome::Fail(format!(
                "expected a LinkError containing {message:?}, got {e}"
            )),
            Err(f) => failure_outcome(f, "instantiation"),
        }
    }

    fn register(&mut self, name: &str, instance: Option<&str>) -> Outcome {
        let Some(slot) = self.slot(instance) else {
            return Outcome::Fail(format!("no instance {instance:?} to register"));
        };
        // Registering a name again replaces what it had.
        self.imports.module(name).clear();
        match slot {
            Slot::Ready(i) => {
                self.unavailable.remove(name);
                match self.imports.define_instance(&self.store, name, &i) {
                    Ok(_) => Outcome::Pass,
                    Err(e) => Outcome::Fail(format!("cannot register {name:?}: {e}")),
                }
            }
            s => {
                self.unavailable.insert(name.to_string(), s);
                Outcome::NotRun
            }
        }
    }

    fn invoke(&mut self, call: &WastInvoke<'_>) -> Outcome {
        match self.invoke_values(call) {
            Ok(_) => Outcome::Pass,
            Err(f) => failure_outcome(f, "trapped"),
        }
    }

    fn assert_return(&mut self, exec: &Exec<'_, '_>, results: &[WastRet<'_>]) -> Outcome {
        let values = match self.exec_values(exec) {
            Ok(v) => v,
            Err(f) => return failure_outcome(f, "trapped"),
        };
        if let Exec::Module(_) = exec {
            return Outcome::Pass;
        }
        if values.len() != results.len() {
            return Outcome::Fail(format!(
                "expected {} results, got {values:?}",
                results.len()
            ));
        }
        for (v, r) in values.iter().zip(results) {
            let WastRet::Core(r) = r else {
                return Outcome::NotRun;
            };
            match self.matches_ret(v, r) {
                None => return Outcome::NotRun,
                Some(false) => return Outcome::Fail(format!("expected {r:?}, got {values:?}")),
                Some(true) => {}
            }
        }
        Outcome::Pass
    }

    fn assert_trap(&mut self, exec: &Exec<'_, '_>, message: &str) -> Outcome {
        let result = self.exec_values(exec);
        Self::trapped(result, message)
    }

    fn assert_exhaustion(&mut self, call: &WastInvoke<'_>, message: &str) -> Outcome {
        let result = self.invoke_values(call);
        Self::trapped(result, message)
    }

    /// The call must end with an exception wasm threw and nothing caught.
    fn assert_exception(&mut self, exec: &Exec<'_, '_>) -> Outcome {
        match self.exec_values(exec) {
            Ok(v) => Outcome::Fail(format!("expected an uncaught exception, got {v:?}")),
            Err(Failure::Error(Error::Exception(_))) => Outcome::Pass,
            Err(f) => failure_outcome(f, "expected an uncaught exception"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Kind;
    use crate::run::run_text;

    const SCRIPT: &str = r#"(module $m
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "memory" (memory 1))
  (import "spectest" "table" (table 10 funcref))
  (global (export "g") i32 (global.get $g))
  (func (export "add") (param i32 i32) (result i32)
    local.get 0 call $print local.get 0 local.get 1 i32.add)
  (func (export "id") (param externref) (result externref) local.get 0)
  (func (export "nan") (result f32) f32.const nan:0x600000)
  (func $run (export "run") call $run))
(register "m" $m)
(module (import "m" "add" (func (param i32 i32) (result i32))))
(assert_return (invoke $m "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (get $m "g") (i32.const 666))
(assert_return (invoke $m "id" (ref.extern 7)) (ref.extern 7))
(assert_return (invoke $m "id" (ref.null extern)) (ref.null extern))
(assert_return (invoke $m "nan") (f32.const nan:arithmetic))
(assert_exhaustion (invoke $m "run") "call stack exhausted")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_unlinkable (module (import "m" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "nobody" "f" (func))) "unknown import")
(assert_unlinkable (module (import "m" "add" (func))) "incompatible import type")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00\05\04\01\08\02\00") "malformed limits flags")
(module (table 0 0xffff_ffff funcref))
(assert_return (invoke $m "id" (ref.extern 7)) (ref.extern 8))
"#;

    #[test]
    fn every_stage_goes_through_the_facade() {
        let run = run_text::<Execute>("t.wast", SCRIPT);
        assert_eq!(run.parse_error, None);
        let got: Vec<(usize, Kind, Outcome)> = run
            .cases
            .iter()
            .map(|c| (c.line, c.kind, c.outcome.clone()))
            .collect();
        let last = got.len() - 1;
        for (line, kind, outcome) in &got[..last] {
            assert_eq!(*outcome, Outcome::Pass, "line {line} ({kind:?})");
        }
        assert!(
            matches!(&got[last].2, Outcome::Fail(m) if m.contains("expected")),
            "{:?}",
            got[last]
        );
        assert_eq!(got.len(), 17);
    }

    #[test]
    fn one_store_per_script() {
        // Within a script, every instance and `spectest` share one store: what one instance
        // exports is the very entity another imports. Each script starts with a fresh one.
        let script = r#"(module $a
  (import "spectest" "memory" (memory 1))
  (global (export "g") (mut i32) (i32.const 0))
  (func (export "bump") (result i32)
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (i32.load (i32.const 0)))
  (func (export "get") (result i32) global.get 0))
(register "a" $a)
(assert_return (invoke $a "bump") (i32.const 1))
(module $b
  (import "spectest" "memory" (memory 1))
  (import "a" "g" (global $g (mut i32)))
  (func (export "peek") (result i32) (i32.load (i32.const 0)))
  (func (export "set") (param i32) (global.set $g (local.get 0))))
(assert_return (invoke $b "peek") (i32.const 1))
(invoke $b "set" (i32.const 7))
(assert_return (invoke $a "get") (i32.const 7))
(assert_return (get $a "g") (i32.const 7))"#;
        for _ in 0..2 {
            let run = run_text::<Execute>("t.wast", script);
            assert_eq!(run.parse_error, None);
            assert_eq!(run.cases.len(), 8);
            for c in &run.cases {
                assert_eq!(c.outcome, Outcome::Pass, "line {} ({:?})", c.line, c.kind);
            }
        }
    }

    #[test]
    fn custom_page_sizes_compile_in_their_folder_only() {
        // (module (memory 1 (pagesize 1)))
        let script = r#"(module binary "\00asm\01\00\00\00\05\04\01\08\01\00")"#;
        let run = run_text::<Execute>("proposals/custom-page-sizes/x.wast", script);
        assert_eq!(run.cases[0].outcome, Outcome::Pass);
        let run = run_text::<Execute>("x.wast", script);
        assert!(matches!(run.cases[0].outcome, Outcome::Fail(_)));
    }

    #[test]
    fn out_of_scope_files_compile_but_do_not_run() {
        let script = r#"(module (func (export "f") (result i32) i32.const 1))
(assert_return (invoke "f") (i32.const 1))"#;
        let run = run_text::<Execute>("array_x.wast", script);
        assert_eq!(run.cases[0].outcome, Outcome::Pass);
        assert_eq!(run.cases[1].outcome, Outcome::NotRun);
    }

    #[test]
    fn v128_calls_globals_and_lane_patterns() {
        let script = r#"(module
  (global (export "g") v128 (v128.const i32x4 1 2 3 4))
  (func (export "f") (param v128) (result v128) (f32x4.sqrt (local.get 0))))
(assert_return (invoke "f" (v128.const f32x4 4 -1 9 0)) (v128.const f32x4 2 nan:canonical 3 0))
(assert_return (invoke "f" (v128.const f32x4 4 -1 9 0))
  (either (v128.const i32x4 0 0 0 0) (v128.const f32x4 2 nan:arithmetic 3 0)))
(assert_return (get "g") (v128.const i64x2 0x0000000200000001 0x0000000400000003))
(assert_return (invoke "f" (v128.const f32x4 4 -1 9 0)) (v128.const f32x4 2 nan:canonical 3 1))"#;
        let run = run_text::<Execute>("simd_x.wast", script);
        let outcomes: Vec<Outcome> = run.cases.iter().map(|c| c.outcome.clone()).collect();
        assert_eq!(
            outcomes[..4],
            [Outcome::Pass, Outcome::Pass, Outcome::Pass, Outcome::Pass]
        );
        assert!(
            matches!(&outcomes[4], Outcome::Fail(_)),
            "{:?}",
            outcomes[4]
        );
    }
}
