//! The execution stage: modules are compiled (validated and lowered), instantiated against
//! the `spectest` module and the registered instances, and the assertions run on
//! `rill_vm`.
//!
//! Out of scope (not executed yet; their execution directives are `notrun`): files of the
//! proposals listed in [`OUT_OF_SCOPE`] (SIMD, relaxed SIMD, GC, exception handling,
//! threads, custom descriptors, wide arithmetic), and anywhere, an execution that reaches an
//! instruction the interpreter reports as unsupported (`Trap::Unsupported`). Their modules
//! are still validated and lowered.

use std::collections::HashMap;
use std::sync::Arc;

use rill_decoder::{
    FuncType, GlobalType, Limits, MemoryType, RefType, TableType, TypeRef, ValType,
};
use rill_vm::{Extern, Instance, InstantiationError, Module, Store, Trap, Value};
use wast::core::{HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastInvoke, WastRet};

use crate::engine::{Engine, Exec, ModuleCase, Outcome, Validate};

/// Files (paths relative to the testsuite, by prefix) whose features belong to later
/// issues: their execution directives are not run.
pub const OUT_OF_SCOPE: &[(&str, &str)] = &[
    ("simd_", "SIMD"),
    ("relaxed_", "relaxed SIMD"),
    ("i16x8_relaxed", "relaxed SIMD"),
    ("i32x4_relaxed", "relaxed SIMD"),
    ("i8x16_relaxed", "relaxed SIMD"),
    ("array", "GC"),
    ("struct.wast", "GC"),
    ("i31.wast", "GC"),
    ("br_on_cast", "GC"),
    ("ref_cast.wast", "GC"),
    ("ref_test.wast", "GC"),
    ("ref_eq.wast", "GC"),
    ("type-subtyping.wast", "GC"),
    ("binary-gc.wast", "GC"),
    ("tag.wast", "exception handling"),
    ("throw", "exception handling"),
    ("try_table.wast", "exception handling"),
    ("legacy/", "exception handling"),
    ("proposals/threads/", "threads"),
    ("proposals/custom-descriptors/", "custom descriptors"),
    ("proposals/wide-arithmetic/", "wide arithmetic"),
];

/// Whether the file's features are out of this stage's scope.
pub fn out_of_scope(path: &str) -> Option<&'static str> {
    OUT_OF_SCOPE
        .iter()
        .find(|(p, _)| path.starts_with(p))
        .map(|(_, why)| *why)
}

/// What a name refers to.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Ready(Instance),
    /// The module could not be instantiated because it needs something unsupported.
    Unsupported,
    /// The module failed (already reported).
    Failed,
}

/// The execution engine.
pub struct Execute {
    store: Store,
    out_of_scope: bool,
    current: Option<Slot>,
    named: HashMap<String, Slot>,
    registered: HashMap<String, Slot>,
    spectest: HashMap<&'static str, Extern>,
    definitions: HashMap<String, Arc<Module>>,
}

impl Default for Execute {
    fn default() -> Self {
        let mut store = Store::new();
        let spectest = spectest(&mut store);
        Execute {
            store,
            out_of_scope: false,
            current: None,
            named: HashMap::new(),
            registered: HashMap::new(),
            spectest,
            definitions: HashMap::new(),
        }
    }
}

/// The standard `spectest` host module.
fn spectest(store: &mut Store) -> HashMap<&'static str, Extern> {
    use ValType::*;
    let mut m = HashMap::new();
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType {
            params: params.into(),
            results: Box::new([]),
        };
        m.insert(name, Extern::Func(store.func_new(ty, |_| Ok(Vec::new()))));
    }
    let global = |store: &mut Store, content, v| {
        let ty = GlobalType {
            content,
            mutable: false,
        };
        Extern::Global(store.global_new(ty, v))
    };
    m.insert("global_i32", global(store, I32, Value::I32(666)));
    m.insert("global_i64", global(store, I64, Value::I64(666)));
    m.insert(
        "global_f32",
        global(store, F32, Value::F32(666.6f32.to_bits())),
    );
    m.insert(
        "global_f64",
        global(store, F64, Value::F64(666.6f64.to_bits())),
    );
    let table = |store: &mut Store, table64| {
        let ty = TableType {
            element: RefType::FUNCREF,
            limits: Limits {
                min: 10,
                max: Some(20),
            },
            table64,
            shared: false,
        };
        Extern::Table(store.table_new(ty, Value::FuncRef(None)))
    };
    m.insert("table", table(store, false));
    m.insert("table64", table(store, true));
    let memory = MemoryType {
        limits: Limits {
            min: 1,
            max: Some(2),
        },
        memory64: false,
        shared: false,
        page_size_log2: None,
    };
    let mem = store.memory_new(memory).expect("one page");
    m.insert("memory", Extern::Memory(mem));
    m
}

/// Why an execution did not give values.
enum Failure {
    Trap(Trap),
    /// Not run: needs something out of scope.
    NotRun,
    Fail(String),
}

impl Execute {
    fn compile(module: &ModuleCase<'_>) -> Result<Module, String> {
        let config = rill_validator::Config { js_limits: false };
        Module::from_events(module.events, config)
            .map_err(|e| format!("valid module rejected: {e}"))
    }

    fn slot(&self, name: Option<&str>) -> Option<Slot> {
        match name {
            Some(n) => self.named.get(n).copied(),
            None => self.current,
        }
    }

    /// Resolves the imports of `module` against `spectest` and the registered instances.
    fn imports(&self, module: &Module) -> Result<Vec<Extern>, Failure> {
        let mut out = Vec::new();
        for import in module.imports() {
            let ext = if import.module == "spectest" {
                self.spectest.get(import.name.as_str()).copied()
            } else {
                match self.registered.get(&import.module) {
                    Some(Slot::Ready(i)) => self.store.export(*i, &import.name),
                    Some(Slot::Unsupported) => return Err(Failure::NotRun),
                    _ => None,
                }
            };
            match ext {
                Some(e) if kind_matches(&import.ty, &e) => out.push(e),
                Some(_) => {
                    return Err(Failure::Trap(Trap::Host(format!(
                        "incompatible import type {}.{}",
                        import.module, import.name
                    ))))
                }
                None => {
                    return Err(Failure::Trap(Trap::Host(format!(
                        "unknown import {}.{}",
                        import.module, import.name
                    ))))
                }
            }
        }
        Ok(out)
    }

    /// Instantiates; a link error is reported as `Trap::Host` with its message.
    fn instantiate(&mut self, module: Module) -> Result<Instance, Failure> {
        let imports = self.imports(&module)?;
        match self.store.instantiate(&Arc::new(module), &imports) {
            Ok(i) => Ok(i),
            Err(InstantiationError::Trap(t)) if t.is_unsupported() => Err(Failure::NotRun),
            Err(InstantiationError::Trap(t)) => Err(Failure::Trap(t)),
            Err(InstantiationError::Link(m)) if m.contains("unsupported") => Err(Failure::NotRun),
            Err(InstantiationError::Link(m)) => Err(Failure::Trap(Trap::Host(m))),
        }
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, Failure> {
        match self.slot(name) {
            Some(Slot::Ready(i)) => Ok(i),
            Some(Slot::Unsupported) => Err(Failure::NotRun),
            Some(Slot::Failed) => Err(Failure::Fail("its module failed".into())),
            None => Err(Failure::Fail(format!("no module {name:?}"))),
        }
    }

    fn invoke_values(&mut self, call: &WastInvoke<'_>) -> Result<Vec<Value>, Failure> {
        if self.out_of_scope {
            return Err(Failure::NotRun);
        }
        let inst = self.instance(call.module.map(|m| m.name()))?;
        let Some(Extern::Func(f)) = self.store.export(inst, call.name) else {
            return Err(Failure::Fail(format!(
                "no exported function {:?}",
                call.name
            )));
        };
        let mut args = Vec::new();
        for a in &call.args {
            args.push(arg_value(a).ok_or(Failure::NotRun)?);
        }
        match self.store.invoke(f, &args) {
            Ok(v) => Ok(v),
            Err(t) if t.is_unsupported() => Err(Failure::NotRun),
            Err(t) => Err(Failure::Trap(t)),
        }
    }

    fn exec_values(&mut self, exec: &Exec<'_, '_>) -> Result<Vec<Value>, Failure> {
        match exec {
            Exec::Invoke(call) => self.invoke_values(call),
            Exec::Get { module, global } => {
                if self.out_of_scope {
                    return Err(Failure::NotRun);
                }
                let inst = self.instance(*module)?;
                match self.store.export(inst, global) {
                    Some(Extern::Global(g)) => Ok(vec![self.store.global_get(g)]),
                    _ => Err(Failure::Fail(format!("no exported global {global:?}"))),
                }
            }
            Exec::Module(m) => {
                if self.out_of_scope {
                    return Err(Failure::NotRun);
                }
                let module = Self::compile(m).map_err(Failure::Fail)?;
                self.instantiate(module).map(|_| Vec::new())
            }
        }
    }
}

fn kind_matches(ty: &TypeRef, e: &Extern) -> bool {
    matches!(
        (ty, e),
        (TypeRef::Func(_) | TypeRef::FuncExact(_), Extern::Func(_))
            | (TypeRef::Table(_), Extern::Table(_))
            | (TypeRef::Memory(_), Extern::Memory(_))
            | (TypeRef::Global(_), Extern::Global(_))
            | (TypeRef::Tag(_), Extern::Tag(_))
    )
}

fn arg_value(a: &WastArg<'_>) -> Option<Value> {
    let WastArg::Core(a) = a else { return None };
    Some(match a {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(v.bits),
        WastArgCore::F64(v) => Value::F64(v.bits),
        WastArgCore::RefNull(HeapType::Abstract { ty, .. }) => match ty {
            wast::core::AbstractHeapType::Func | wast::core::AbstractHeapType::NoFunc => {
                Value::FuncRef(None)
            }
            wast::core::AbstractHeapType::Extern | wast::core::AbstractHeapType::NoExtern => {
                Value::ExternRef(None)
            }
            _ => Value::NullRef,
        },
        WastArgCore::RefNull(_) => Value::FuncRef(None),
        WastArgCore::RefExtern(n) => Value::ExternRef(Some(*n)),
        _ => return None,
    })
}

/// Whether `v` matches the expected result; `None`: cannot be checked here (out of scope).
fn matches_ret(v: &Value, r: &WastRetCore<'_>) -> Option<bool> {
    Some(match (r, v) {
        (WastRetCore::I32(e), Value::I32(x)) => e == x,
        (WastRetCore::I64(e), Value::I64(x)) => e == x,
        (WastRetCore::F32(p), Value::F32(x)) => match p {
            NanPattern::CanonicalNan => x & 0x7FFF_FFFF == 0x7FC0_0000,
            NanPattern::ArithmeticNan => x & 0x7FC0_0000 == 0x7FC0_0000,
            NanPattern::Value(e) => e.bits == *x,
        },
        (WastRetCore::F64(p), Value::F64(x)) => match p {
            NanPattern::CanonicalNan => x & !(1 << 63) == 0x7FF8_0000_0000_0000,
            NanPattern::ArithmeticNan => x & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000,
            NanPattern::Value(e) => e.bits == *x,
        },
        (WastRetCore::V128(_), _) => return None,
        (WastRetCore::RefNull(_), v) => matches!(
            v,
            Value::FuncRef(None) | Value::ExternRef(None) | Value::NullRef
        ),
        (WastRetCore::RefExtern(e), Value::ExternRef(Some(x))) => e.is_none_or(|e| e == *x),
        (WastRetCore::RefFunc(_), Value::FuncRef(Some(_))) => true,
        (WastRetCore::Either(cases), v) => {
            let mut any = false;
            for c in cases {
                any |= matches_ret(v, c)?;
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

fn failure_outcome(f: Failure, what: &str) -> Outcome {
    match f {
        Failure::NotRun => Outcome::NotRun,
        Failure::Fail(m) => Outcome::Fail(m),
        Failure::Trap(t) => Outcome::Fail(format!("{what}: {t}")),
    }
}

impl Engine for Execute {
    fn start_file(&mut self, path: &str) {
        self.out_of_scope = out_of_scope(path).is_some();
    }

    fn module(&mut self, module: &ModuleCase<'_>) -> Outcome {
        let compiled = match Self::compile(module) {
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
        match self.instantiate(compiled) {
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
        match Self::compile(module) {
            Ok(m) => {
                if let Some(name) = module.name {
                    self.definitions.insert(name.to_string(), Arc::new(m));
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
        let imports = match self.imports(&m) {
            Ok(i) => i,
            Err(f) => return failure_outcome(f, "instantiation failed"),
        };
        match self.store.instantiate(&m, &imports) {
            Ok(i) => {
                self.set_current(instance, Slot::Ready(i));
                Outcome::Pass
            }
            Err(e) => {
                self.set_current(instance, Slot::Failed);
                Outcome::Fail(format!("instantiation failed: {e}"))
            }
        }
    }

    fn assert_invalid(&mut self, module: &ModuleCase<'_>, message: &str) -> Outcome {
        Validate.assert_invalid(module, message)
    }

    fn assert_unlinkable(&mut self, module: &ModuleCase<'_>, message: &str) -> Outcome {
        let compiled = match Self::compile(module) {
            Ok(m) => m,
            Err(e) => return Outcome::Fail(e),
        };
        if self.out_of_scope {
            return Outcome::NotRun;
        }
        match self.instantiate(compiled) {
            Ok(_) => Outcome::Fail(format!("module linked (expected {message:?})")),
            Err(Failure::Trap(Trap::Host(m))) if m.contains(message) => Outcome::Pass,
            Err(Failure::Trap(t)) => Outcome::Fail(format!("expected {message:?}, got {t}")),
            Err(f) => failure_outcome(f, "instantiation"),
        }
    }

    fn register(&mut self, name: &str, instance: Option<&str>) -> Outcome {
        match self.slot(instance) {
            Some(s) => {
                self.registered.insert(name.to_string(), s);
                match s {
                    Slot::Ready(_) => Outcome::Pass,
                    _ => Outcome::NotRun,
                }
            }
            None => Outcome::Fail(format!("no instance {instance:?} to register")),
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
            match matches_ret(v, r) {
                None => return Outcome::NotRun,
                Some(false) => return Outcome::Fail(format!("expected {r:?}, got {values:?}")),
                Some(true) => {}
            }
        }
        Outcome::Pass
    }

    fn assert_trap(&mut self, exec: &Exec<'_, '_>, message: &str) -> Outcome {
        match self.exec_values(exec) {
            Ok(v) => Outcome::Fail(format!("expected trap {message:?}, got {v:?}")),
            Err(Failure::Trap(t)) if t.to_string().contains(message) => Outcome::Pass,
            Err(Failure::Trap(t)) => Outcome::Fail(format!("expected trap {message:?}, got {t}")),
            Err(f) => failure_outcome(f, "trapped"),
        }
    }

    fn assert_exhaustion(&mut self, call: &WastInvoke<'_>, message: &str) -> Outcome {
        self.assert_trap(&Exec::Invoke(call), message)
    }
}

impl Execute {
    fn set_current(&mut self, name: Option<&str>, slot: Slot) {
        self.current = Some(slot);
        if let Some(n) = name {
            self.named.insert(n.to_string(), slot);
        }
    }
}
