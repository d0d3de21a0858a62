//! JS-API.md, "Namespace functions" (the instantiating ones), "Reading the imports" and
//! "Instantiation". Each test names its row.

#[macro_use]
mod common;

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use common::*;
use futures::executor::block_on;
use futures::{stream, FutureExt};
use rill::*;

fn m(src: &str) -> Module {
    Module::new(wat(src)).unwrap()
}

fn none() -> Imports {
    Imports::new()
}

fn link_error(r: Result<Instance, Error>) -> LinkError {
    match r {
        Err(Error::LinkError(e)) => e,
        other => panic!("expected a LinkError, got {other:?}"),
    }
}

fn type_error(r: Result<Instance, Error>) -> TypeError {
    match r {
        Err(Error::TypeError(e)) => e,
        other => panic!("expected a TypeError, got {other:?}"),
    }
}

fn one(module: &str, name: &str, v: impl Into<ImportValue>) -> Imports {
    let mut i = Imports::new();
    i.define(module, name, v);
    i
}

const ANSWER: &str = r#"(module (func (export "answer") (result i32) i32.const 42))"#;
const IMPORTS_F: &str = r#"(module (import "m" "f" (func (param i32))))"#;

// ---- Namespace functions --------------------------------------------------------------

/// Row `instantiate(bytes, imports)`: future of `{ module, instance }`.
#[test]
fn instantiate_bytes_gives_module_and_instance() {
    let mut store = Store::new(());
    let Instantiated { module, instance } =
        block_on(instantiate(&mut store, wat(ANSWER), &none())).unwrap();
    assert_eq!(module.exports()[0].name, "answer");
    let f = instance.get_func(&store, "answer").unwrap();
    assert_eq!(f.call(&mut store, &[]).unwrap(), vec![Value::I32(42)]);
}

/// Row `instantiate(bytes, imports)`: imports are read only after compiling, so invalid
/// bytes are a CompileError even when the imports would be a TypeError.
#[test]
fn instantiate_bytes_reads_imports_only_after_compiling() {
    let mut bytes = wat(IMPORTS_F);
    bytes.push(0xff); // A section id that does not exist.
    let mut store = Store::new(());
    let r = block_on(instantiate(&mut store, &bytes, &none()));
    assert!(matches!(r, Err(Error::CompileError(_))), "{r:?}");
    let r = block_on(instantiate(&mut store, wat(IMPORTS_F), &none()));
    assert!(matches!(r, Err(Error::TypeError(_))), "{r:?}");
}

/// Row `instantiate_module(&module, imports)`: future of `Instance`; imports are read at
/// the call (the future is ready at once).
#[test]
fn instantiate_module_reads_imports_at_the_call() {
    let mut store = Store::new(());
    let module = m(ANSWER);
    let instance = instantiate_module(&mut store, &module, &none())
        .now_or_never()
        .unwrap()
        .unwrap();
    assert!(instance.get_func(&store, "answer").is_some());
    let r = instantiate_module(&mut store, &m(IMPORTS_F), &none())
        .now_or_never()
        .unwrap();
    type_error(r);
}

/// Row `Instance::new(&module, imports)`: synchronously, each call a new instance.
#[test]
fn instance_new_is_synchronous_and_makes_new_instances() {
    let mut store = Store::new(());
    let module = m(ANSWER);
    let a = Instance::new(&mut store, &module, &none()).unwrap();
    let b = Instance::new(&mut store, &module, &none()).unwrap();
    assert_ne!(a, b);
    assert_ne!(a.get_func(&store, "answer"), b.get_func(&store, "answer"));
    #[allow(clippy::clone_on_copy)]
    let copy = a.clone();
    assert_eq!(a, copy);
    // The same module in another store: another instance again.
    let mut other = Store::new(());
    let c = Instance::new(&mut other, &module, &none()).unwrap();
    assert_ne!(a, c);
    assert_ne!(a.get_func(&store, "answer"), c.get_func(&other, "answer"));
}

/// Row `instantiate_streaming(source, imports)`: future of `{ module, instance }`, here
/// from a bare byte stream one byte at a time.
#[test]
fn instantiate_streaming_from_a_byte_stream() {
    let bytes = wat(ANSWER);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = bytes.iter().map(|b| Ok(vec![*b])).collect();
    let mut store = Store::new(());
    let obj = block_on(instantiate_streaming(
        &mut store,
        stream::iter(chunks),
        &none(),
    ))
    .unwrap();
    let f = obj.instance.get_func(&store, "answer").unwrap();
    assert_eq!(f.call(&mut store, &[]).unwrap(), vec![Value::I32(42)]);
    // And instantiation errors come through with the source's error type.
    let chunks = vec![Ok::<_, std::io::Error>(wat(IMPORTS_F))];
    let r = block_on(instantiate_streaming(
        &mut store,
        stream::iter(chunks),
        &none(),
    ));
    assert!(matches!(r, Err(Error::TypeError(_))), "{r:?}");
}

// ---- Reading the imports --------------------------------------------------------------

/// Row: the module has imports and no import object was given → TypeError. (The import
/// object is no longer optional: "none" is an empty `Imports`, which has no entry for the
/// import's module name.)
#[test]
fn imports_missing_import_object_is_a_type_error() {
    let mut store = Store::new(());
    let e = type_error(Instance::new(&mut store, &m(IMPORTS_F), &none()));
    assert!(e.message().contains("\"m\" \"f\""), "{e}");
    // No imports, an empty import object: fine.
    Instance::new(&mut store, &m(ANSWER), &none()).unwrap();
}

/// Row: the import object has no entry for an import's module name → TypeError.
#[test]
fn imports_missing_module_entry_is_a_type_error() {
    let mut store = Store::new(());
    let imports = one("other", "f", Func::wrap(&mut store, |_: i32| {}));
    let e = type_error(Instance::new(&mut store, &m(IMPORTS_F), &imports));
    assert!(e.message().contains("no module \"m\""), "{e}");
}

/// Row: the field is missing, or is not a function where a function is imported →
/// LinkError (naming the import).
#[test]
fn imports_missing_field_or_non_function_is_a_link_error() {
    let mut store = Store::new(());
    let mut imports = Imports::new();
    imports.module("m"); // The module entry exists, empty.
    let e = link_error(Instance::new(&mut store, &m(IMPORTS_F), &imports));
    assert_eq!((e.module(), e.name()), ("m", "f"));
    assert!(e.to_string().contains("import \"m\" \"f\""), "{e}");

    let memory = Memory::new(
        &mut store,
        MemoryDescriptor {
            initial: 1,
            ..Default::default()
        },
    )
    .unwrap();
    for v in [ImportValue::from(memory), ImportValue::Value(Value::I32(1))] {
        let imports = one("m", "f", v);
        let e = link_error(Instance::new(&mut store, &m(IMPORTS_F), &imports));
        assert_eq!((e.module(), e.name()), ("m", "f"));
    }
}

/// Row: global import given a value of another type (or v128 given as a plain value) →
/// LinkError. A plain value of the right type makes a new immutable global.
#[test]
fn imports_global_plain_value_of_another_type_is_a_link_error() {
    let module =
        m(r#"(module (import "m" "g" (global i32)) (global (export "copy") i32 (global.get 0)))"#);
    let mut store = Store::new(());
    let ok = Instance::new(&mut store, &module, &one("m", "g", Value::I32(7))).unwrap();
    assert_eq!(
        ok.get_global(&store, "copy").unwrap().get(&store).unwrap(),
        Value::I32(7)
    );
    for v in [Value::I64(7), Value::F32(7.0), Value::V128(7)] {
        link_error(Instance::new(&mut store, &module, &one("m", "g", v)));
    }
    // A plain value for a mutable global is a LinkError too.
    let mutable = m(r#"(module (import "m" "g" (global (mut i32))))"#);
    link_error(Instance::new(
        &mut store,
        &mutable,
        &one("m", "g", Value::I32(7)),
    ));
}

/// Row: memory / table / global / tag import of the wrong kind → LinkError.
#[test]
fn imports_of_the_wrong_kind_are_link_errors() {
    let mut store = Store::new(());
    let f = Func::wrap(&mut store, || {});
    let memory = Memory::new(
        &mut store,
        MemoryDescriptor {
            initial: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let table = Table::new(
        &mut store,
        TableDescriptor {
            element: RefType::FUNCREF,
            initial: 1,
            maximum: None,
            address: AddressType::I32,
        },
        None,
    )
    .unwrap();
    let wants = [
        r#"(module (import "m" "x" (memory 1)))"#,
        r#"(module (import "m" "x" (table 1 funcref)))"#,
        r#"(module (import "m" "x" (global i32)))"#,
        r#"(module (import "m" "x" (tag)))"#,
    ];
    let gives: [ImportValue; 3] = [f.into(), memory.into(), table.into()];
    for (i, want) in wants.iter().enumerate() {
        for (j, give) in gives.iter().enumerate() {
            if (i, j) == (0, 1) || (i, j) == (1, 2) {
                continue; // The right kind.
            }
            let e = link_error(Instance::new(
                &mut store,
                &m(want),
                &one("m", "x", give.clone()),
            ));
            assert_eq!((e.module(), e.name()), ("m", "x"), "{want}");
        }
    }
}

/// Row: limits, shared flag, mutability, element type, function signature or tag type do
/// not match → LinkError; subtypes are accepted.
#[test]
fn imports_that_do_not_match_are_link_errors() {
    let mut store = Store::new(());
    let mem = |store: &mut Store, initial, maximum, shared| {
        Memory::new(
            store,
            MemoryDescriptor {
                initial,
                maximum,
                shared,
                address: AddressType::I32,
            },
        )
        .unwrap()
    };
    let wants_mem = m(r#"(module (import "m" "x" (memory 2 4)))"#);
    // Limits: too small, no maximum, maximum too large.
    for bad in [
        mem(&mut store, 1, Some(4), false),
        mem(&mut store, 2, None, false),
        mem(&mut store, 2, Some(5), false),
    ] {
        link_error(Instance::new(&mut store, &wants_mem, &one("m", "x", bad)));
    }
    let good = mem(&mut store, 3, Some(4), false);
    Instance::new(&mut store, &wants_mem, &one("m", "x", good)).unwrap();
    // Shared flag.
    let shared = mem(&mut store, 2, Some(4), true);
    link_error(Instance::new(
        &mut store,
        &wants_mem,
        &one("m", "x", shared),
    ));
    // Address type.
    let mem64 = Memory::new(
        &mut store,
        MemoryDescriptor {
            initial: 2,
            maximum: Some(4),
            address: AddressType::I64,
            shared: false,
        },
    )
    .unwrap();
    link_error(Instance::new(&mut store, &wants_mem, &one("m", "x", mem64)));

    // Mutability and value type of globals.
    let g = |store: &mut Store, value, mutable| {
        Global::new(store, GlobalDescriptor { value, mutable }, None).unwrap()
    };
    let wants_mut = m(r#"(module (import "m" "x" (global (mut i32))))"#);
    let x = g(&mut store, ValType::I32, false);
    link_error(Instance::new(&mut store, &wants_mut, &one("m", "x", x)));
    let x = g(&mut store, ValType::I64, true);
    link_error(Instance::new(&mut store, &wants_mut, &one("m", "x", x)));
    let x = g(&mut store, ValType::I32, true);
    Instance::new(&mut store, &wants_mut, &one("m", "x", x)).unwrap();
    let wants_const = m(r#"(module (import "m" "x" (global i32)))"#);
    let x = g(&mut store, ValType::I32, true);
    link_error(Instance::new(&mut store, &wants_const, &one("m", "x", x)));

    // Element type of tables.
    let ext = Table::new(
        &mut store,
        TableDescriptor {
            element: RefType::EXTERNREF,
            initial: 1,
            maximum: None,
            address: AddressType::I32,
        },
        None,
    )
    .unwrap();
    let wants_funcs = m(r#"(module (import "m" "x" (table 1 funcref)))"#);
    link_error(Instance::new(&mut store, &wants_funcs, &one("m", "x", ext)));

    // Function signature.
    let f64 = Func::wrap(&mut store, |_: i64| {});
    let e = link_error(Instance::new(
        &mut store,
        &m(IMPORTS_F),
        &one("m", "f", f64),
    ));
    assert_eq!((e.module(), e.name()), ("m", "f"));
    let f32 = Func::wrap(&mut store, |_: i32| {});
    Instance::new(&mut store, &m(IMPORTS_F), &one("m", "f", f32)).unwrap();

    // Tag type.
    let tag = Tag::new(
        &mut store,
        TagDescriptor {
            parameters: vec![ValType::I64],
        },
    );
    let wants_tag = m(r#"(module (import "m" "x" (tag (param i32))))"#);
    link_error(Instance::new(&mut store, &wants_tag, &one("m", "x", tag)));
}

/// Row "with subtyping": a function whose type is a declared subtype of the import's type,
/// and an immutable global of a subtype, are accepted.
#[test]
fn imports_match_with_subtyping() {
    let mut store = Store::new(());
    let a = Instance::new(
        &mut store,
        &m(r#"(module
            (type $super (sub (func)))
            (type $sub (sub $super (func)))
            (func (export "f") (type $sub)))"#),
        &none(),
    )
    .unwrap();
    let b = m(r#"(module
        (type $super (sub (func)))
        (import "a" "f" (func (type $super))))"#);
    let mut imports = Imports::new();
    imports.define_instance(&store, "a", &a).unwrap();
    Instance::new(&mut store, &b, &imports).unwrap();

    // (ref func) is a subtype of funcref = (ref null func).
    let f = Func::wrap(&mut store, || {});
    let non_null = ValType::Ref(RefType {
        nullable: false,
        heap: HeapType::Abstract(AbsHeapType::Func),
    });
    let g = Global::new(
        &mut store,
        GlobalDescriptor {
            value: non_null,
            mutable: false,
        },
        Some(Value::FuncRef(Some(f))),
    )
    .unwrap();
    let wants = m(r#"(module (import "m" "g" (global funcref)))"#);
    Instance::new(&mut store, &wants, &one("m", "g", g)).unwrap();
}

/// Row: an imported function that is itself an exported wasm function is used as is,
/// identity kept (and so are memories). Both instances are in the same store.
#[test]
fn imports_exported_wasm_function_keeps_its_identity() {
    let mut store = Store::new(());
    let a = Instance::new(
        &mut store,
        &m(r#"(module
            (memory (export "mem") 1)
            (func (export "f") (result i32) i32.const 5))"#),
        &none(),
    )
    .unwrap();
    let b = m(r#"(module
        (import "a" "f" (func $f (result i32)))
        (import "a" "mem" (memory 1))
        (export "f" (func $f))
        (export "mem" (memory 0))
        (table (export "t") 1 funcref)
        (elem (i32.const 0) $f)
        (func (export "store") (i32.store (i32.const 8) (i32.const 99))))"#);
    let mut imports = Imports::new();
    imports.define_instance(&store, "a", &a).unwrap();
    let b = Instance::new(&mut store, &b, &imports).unwrap();
    let fa = a.get_func(&store, "f").unwrap();
    assert_eq!(b.get_func(&store, "f"), Some(fa));
    assert_eq!(
        b.get_table(&store, "t").unwrap().get(&store, 0).unwrap(),
        Value::FuncRef(Some(fa))
    );
    assert_eq!(b.get_memory(&store, "mem"), a.get_memory(&store, "mem"));
    b.get_func(&store, "store")
        .unwrap()
        .call(&mut store, &[])
        .unwrap();
    let mut buf = [0; 1];
    a.get_memory(&store, "mem")
        .unwrap()
        .read(&store, 8, &mut buf)
        .unwrap();
    assert_eq!(buf, [99]);
}

/// Row: an entity of another store given as an import → TypeError, for every kind of
/// entity (checked before anything is made in the store), and `define_instance` with a
/// store that is not the instance's → TypeError.
#[test]
fn imports_from_another_store_are_a_type_error() {
    let mut store = Store::new(());
    let mut other = Store::new(());
    let a = Instance::new(
        &mut other,
        &m(r#"(module
            (memory (export "mem") 1)
            (table (export "t") 1 funcref)
            (global (export "g") i32 (i32.const 1))
            (tag (export "e"))
            (func (export "f") (param i32)))"#),
        &none(),
    )
    .unwrap();
    let mut imports = Imports::new();
    let e = assert_err!(imports.define_instance(&store, "a", &a), TypeError);
    assert!(e.message().contains("another store"), "{e}");
    imports.define_instance(&other, "a", &a).unwrap();
    for (import, name) in [
        (r#"(func (param i32))"#, "f"),
        (r#"(memory 1)"#, "mem"),
        (r#"(table 1 funcref)"#, "t"),
        (r#"(global i32)"#, "g"),
        (r#"(tag)"#, "e"),
    ] {
        let module = m(&format!(r#"(module (import "a" "{name}" {import}))"#));
        let e = type_error(Instance::new(&mut store, &module, &imports));
        assert!(e.message().contains("another store"), "{name}: {e}");
        // In the entities' own store the same imports link.
        Instance::new(&mut other, &module, &imports).unwrap();
    }
    // A host function of another store, imported directly.
    let f = Func::wrap(&mut other, |_: i32| {});
    let e = type_error(Instance::new(&mut store, &m(IMPORTS_F), &one("m", "f", f)));
    assert!(e.message().contains("another store"), "{e}");
    Instance::new(&mut other, &m(IMPORTS_F), &one("m", "f", f)).unwrap();
    // A plain value holding a reference of another store, for a global import.
    let module = m(r#"(module (import "m" "g" (global funcref)))"#);
    let e = type_error(Instance::new(
        &mut store,
        &module,
        &one("m", "g", Value::FuncRef(Some(f))),
    ));
    assert!(e.message().contains("another store"), "{e}");
    Instance::new(&mut store, &module, &one("m", "g", Value::FuncRef(None))).unwrap();
}

// ---- Instantiation --------------------------------------------------------------------

/// Row: an active data or element segment out of bounds → RuntimeError.
#[test]
fn instantiation_segment_out_of_bounds_is_a_runtime_error() {
    let mut store = Store::new(());
    let data = m(r#"(module (memory 1) (data (i32.const 65535) "ab"))"#);
    match Instance::new(&mut store, &data, &none()) {
        Err(Error::RuntimeError(e)) => assert!(e.message().contains("out of bounds"), "{e}"),
        other => panic!("{other:?}"),
    }
    let elem = m(r#"(module (table 1 funcref) (func $f) (elem (i32.const 1) $f))"#);
    match Instance::new(&mut store, &elem, &none()) {
        Err(Error::RuntimeError(e)) => assert!(e.message().contains("out of bounds"), "{e}"),
        other => panic!("{other:?}"),
    }
}

/// Row: the start function traps → RuntimeError with the trap's message.
#[test]
fn instantiation_start_trap_is_a_runtime_error() {
    let mut store = Store::new(());
    let module = m(r#"(module (func $s unreachable) (start $s))"#);
    match Instance::new(&mut store, &module, &none()) {
        Err(Error::RuntimeError(e)) => assert_eq!(e.message(), "unreachable"),
        other => panic!("{other:?}"),
    }
}

#[derive(Debug, PartialEq)]
struct Refused(u32);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// Row: a host function raises an error during start → that error, unchanged.
#[test]
fn instantiation_host_error_during_start_passes_through() {
    let mut store = Store::new(());
    let module = m(r#"(module (import "h" "f" (func $f)) (start $f))"#);
    let f = Func::wrap(&mut store, || -> Result<(), Refused> { Err(Refused(7)) });
    match Instance::new(&mut store, &module, &one("h", "f", f)) {
        Err(Error::Host(e)) => assert_eq!(e.downcast_ref::<Refused>(), Some(&Refused(7))),
        other => panic!("{other:?}"),
    }
}

/// Row: the exports are an ordered map name → extern; asking twice gives the same object.
#[test]
fn instantiation_exports_are_ordered_and_stable() {
    let mut store = Store::new(());
    let module = m(r#"(module
        (func (export "z"))
        (memory (export "m") 1)
        (global (export "a") i32 (i32.const 3))
        (table (export "t") 1 funcref)
        (tag (export "e") (param i32))
        (export "z2" (func 0)))"#);
    let instance = Instance::new(&mut store, &module, &none()).unwrap();
    let exports = instance.exports(&store).unwrap();
    let names: Vec<&str> = exports.names().collect();
    assert_eq!(names, ["z", "m", "a", "t", "e", "z2"]);
    let kinds: Vec<ExternKind> = exports.iter().map(|(_, e)| e.kind()).collect();
    let module_kinds: Vec<ExternKind> = module.exports().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, module_kinds);
    for name in names {
        assert_eq!(
            instance.exports(&store).unwrap().get(name),
            instance.exports(&store).unwrap().get(name)
        );
        assert_eq!(
            instance.get_export(&store, name).as_ref(),
            exports.get(name)
        );
    }
    assert_eq!(exports.get("z"), exports.get("z2"));
    let tag = exports.get("e").copied().unwrap().into_tag().unwrap();
    assert_eq!(tag.parameters(&store).unwrap(), [ValType::I32]);
    assert_eq!(
        Some(&Extern::Tag(tag)),
        instance.exports(&store).unwrap().get("e")
    );
    assert_eq!(
        instance
            .get_global(&store, "a")
            .unwrap()
            .get(&store)
            .unwrap(),
        Value::I32(3)
    );
}

/// The seed: an import that sees its argument, called from an export.
#[test]
fn the_seed_example_at_once() {
    let seen = Arc::new(AtomicI32::new(0));
    let s = seen.clone();
    let mut store = Store::new(());
    let imports = one(
        "imports",
        "imported_func",
        Func::wrap(&mut store, move |x: i32| s.store(x, Ordering::SeqCst)),
    );
    let bytes = wat(r#"(module
        (func $i (import "imports" "imported_func") (param i32))
        (func (export "exported_func") i32.const 42 call $i))"#);
    let obj = block_on(instantiate(&mut store, bytes, &imports)).unwrap();
    obj.instance
        .get_func(&store, "exported_func")
        .unwrap()
        .call(&mut store, &[])
        .unwrap();
    assert_eq!(seen.load(Ordering::SeqCst), 42);
}

/// The seed again, with what the import saw kept in the store's data instead of a
/// variable the closure shares.
#[test]
fn the_seed_example_with_the_store_data() {
    let mut store = Store::new(Vec::<i32>::new());
    let f = Func::wrap(&mut store, |mut caller: Caller<'_, Vec<i32>>, x: i32| {
        caller.data_mut().push(x)
    });
    let imports = one("imports", "imported_func", f);
    let bytes = wat(r#"(module
        (func $i (import "imports" "imported_func") (param i32))
        (func (export "exported_func") i32.const 42 call $i))"#);
    let obj = block_on(instantiate(&mut store, bytes, &imports)).unwrap();
    let run = obj
        .instance
        .get_typed_func::<(), ()>(&store, "exported_func")
        .unwrap();
    run.call(&mut store, ()).unwrap();
    run.call(&mut store, ()).unwrap();
    assert_eq!(store.into_data(), [42, 42]);
}

/// Issue 18's finding: a memory or table the module *defines* and the implementation
/// cannot make is a RangeError naming it by index (it was a LinkError for an import
/// `"" ""` that does not exist), and nothing is allocated for it.
#[test]
fn instantiation_defined_memory_or_table_too_large_is_a_range_error() {
    let mut store = Store::new(());
    let huge_memory = m("(module (memory (export \"m\") i64 100000000))");
    match Instance::new(&mut store, &huge_memory, &none()) {
        Err(Error::RangeError(e)) => {
            assert!(e.message().contains("memory 0"), "{e}");
            assert!(!e.message().contains("import"), "{e}");
        }
        other => panic!("expected a RangeError, got {other:?}"),
    }
    // The second memory is the one too large: its index, not the first's.
    let second = Module::with_config(
        wat("(module (memory 1) (memory i64 100000000))"),
        ModuleConfig::new(),
    )
    .unwrap();
    match Instance::new(&mut store, &second, &none()) {
        Err(Error::RangeError(e)) => assert!(e.message().contains("memory 1"), "{e}"),
        other => panic!("expected a RangeError, got {other:?}"),
    }
    // A table over the implementation's 10,000,000 elements (valid by the core
    // specification's limits alone).
    let huge_table = Module::with_config(
        wat("(module (table 20000000 funcref))"),
        ModuleConfig::new().js_limits(false),
    )
    .unwrap();
    match Instance::new(&mut store, &huge_table, &none()) {
        Err(Error::RangeError(e)) => assert!(e.message().contains("table 0"), "{e}"),
        other => panic!("expected a RangeError, got {other:?}"),
    }
    // The store is fine afterwards.
    let ok = m("(module (memory (export \"m\") 1))");
    let instance = Instance::new(&mut store, &ok, &none()).unwrap();
    assert_eq!(
        instance
            .get_memory(&store, "m")
            .unwrap()
            .size(&store)
            .unwrap(),
        1
    );
}
