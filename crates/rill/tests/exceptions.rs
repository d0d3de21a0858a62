//! JS-API.md, "Tags and exceptions" (the rows where exceptions cross wasm) and the tag rows
//! of "Instantiation": tags as imports and exports, exceptions thrown by wasm and by host
//! functions, caught or not. (Creating tags and exceptions: tests/objects.rs.)

#[macro_use]
mod common;

use common::*;
use rill::*;

fn m(src: &str) -> Module {
    Module::new(wat(src)).unwrap()
}

fn tag(store: &mut Store, parameters: Vec<ValType>) -> Tag {
    Tag::new(store, TagDescriptor { parameters })
}

/// Row: an exception thrown by wasm and not caught reaches the caller as an `Exception`,
/// with the tag the module exports and the payload thrown.
#[test]
fn an_uncaught_wasm_exception_reaches_the_caller() {
    let mut store = Store::new(());
    let i = Instance::new(
        &mut store,
        &m(r#"(module (tag $e (export "e") (param i32 f64))
            (func (export "throw") (param i32)
              (throw $e (local.get 0) (f64.const 2.5))))"#),
        &Imports::new(),
    )
    .unwrap();
    let e_tag = i.get_export(&store, "e").unwrap().into_tag().unwrap();
    assert_eq!(
        e_tag.parameters(&store).unwrap(),
        &[ValType::I32, ValType::F64]
    );
    let f = i.get_func(&store, "throw").unwrap();
    let x = assert_err!(f.call(&mut store, &[Value::I32(7)]), Exception);
    assert!(x.is(e_tag));
    assert_eq!(x.tag(), e_tag);
    assert_eq!(x.get_arg(e_tag, 0).unwrap(), Value::I32(7));
    assert_eq!(x.get_arg(e_tag, 1).unwrap(), Value::F64(2.5));
    // The same tag every time it is exported.
    let again = i.exports(&store).unwrap().get("e").copied().unwrap();
    assert_eq!(again.into_tag(), Some(e_tag));
    let other = tag(&mut store, vec![ValType::I32, ValType::F64]);
    assert!(!x.is(other));
}

/// Row: one thrown by a host function passes through wasm unchanged unless caught: the
/// very value, also after wasm caught it with a reference and threw it again.
#[test]
fn a_host_exception_passes_through_wasm_unchanged() {
    let mut store = Store::new(());
    let t = tag(&mut store, vec![ValType::I32]);
    let thrown = Exception::new(&store, t, &[Value::I32(3)]).unwrap();
    let e2 = thrown.clone();
    let module = m(r#"(module
        (import "h" "f" (func $f))
        (func (export "g") call $f)
        (func (export "rethrow")
          (block $h (result exnref)
            (try_table (catch_all_ref $h) (call $f))
            (unreachable))
          (throw_ref)))"#);
    let mut imports = Imports::new();
    imports.define(
        "h",
        "f",
        Func::wrap(&mut store, move || -> Result<(), Exception> {
            Err(e2.clone())
        }),
    );
    let i = Instance::new(&mut store, &module, &imports).unwrap();
    for name in ["g", "rethrow"] {
        let e = assert_err!(
            i.get_func(&store, name).unwrap().call(&mut store, &[]),
            Host
        );
        let caught = e.downcast_ref::<Exception>().unwrap();
        assert_eq!(caught, &thrown, "{name}");
        assert!(caught.is(t));
    }
    // An exception equal in every way but made separately is another exception.
    let other = Exception::new(&store, t, &[Value::I32(3)]).unwrap();
    assert_ne!(other, thrown);
}

/// A host function's exception is caught by wasm: by its tag when the module imports
/// that tag, and by `catch_all` in any case; its payload arrives.
#[test]
fn wasm_catches_a_host_exception() {
    let mut store = Store::new(());
    let t = tag(&mut store, vec![ValType::I32]);
    let unlinked = tag(&mut store, vec![ValType::I32]);
    let module = m(r#"(module
        (import "h" "t" (tag $t (param i32)))
        (import "h" "f" (func $f (param i32)))
        (func (export "by_tag") (param i32) (result i32)
          (block $c (result i32)
            (try_table (catch $t $c) (call $f (local.get 0)))
            (i32.const -1)))
        (func (export "any") (param i32) (result i32)
          (block $c
            (try_table (catch $t 1) (catch_all $c) (call $f (local.get 0)))
            (return (i32.const -1)))
          (i32.const 100)))"#);
    let mut imports = Imports::new();
    let f = Func::wrap(
        &mut store,
        move |caller: Caller<'_, ()>, x: i32| -> Result<(), Exception> {
            // Odd: a tag the module imports; even: one no instance knows.
            let tag = if x % 2 == 1 { t } else { unlinked };
            Err(Exception::new(&caller, tag, &[Value::I32(x * 10)]).unwrap())
        },
    );
    imports.define("h", "t", t).define("h", "f", f);
    let i = Instance::new(&mut store, &module, &imports).unwrap();
    let mut call = |name: &str, x: i32| {
        i.get_func(&store, name)
            .unwrap()
            .call(&mut store, &[Value::I32(x)])
    };
    assert_eq!(call("by_tag", 3).unwrap(), vec![Value::I32(30)]);
    // `any` catches its own tag with `catch $t 1`: the function's label, the payload its
    // result.
    assert_eq!(call("any", 5).unwrap(), vec![Value::I32(50)]);
    assert_eq!(call("any", 4).unwrap(), vec![Value::I32(100)]);
    let e = assert_err!(call("by_tag", 4), Host);
    assert!(e.downcast_ref::<Exception>().unwrap().is(unlinked));
}

/// Other host errors are not exceptions: no wasm handler catches them.
#[test]
fn other_host_errors_are_not_caught() {
    let mut store = Store::new(());
    let module = m(r#"(module
        (import "h" "f" (func $f))
        (func (export "g") (result i32)
          (block $c (try_table (catch_all $c) (call $f)) (return (i32.const 1)))
          (i32.const 2)))"#);
    let mut imports = Imports::new();
    imports.define(
        "h",
        "f",
        Func::wrap(&mut store, || -> Result<(), std::io::Error> {
            Err(std::io::Error::other("boom"))
        }),
    );
    let i = Instance::new(&mut store, &module, &imports).unwrap();
    let e = assert_err!(i.get_func(&store, "g").unwrap().call(&mut store, &[]), Host);
    assert_eq!(e.to_string(), "boom");
}

/// Rows (Instantiation): a tag import of the wrong kind, or a tag whose type does not
/// match → LinkError; a tag keeps its identity from one instance to another (of the same
/// store).
#[test]
fn tag_imports_link_by_identity_and_type() {
    let mut store = Store::new(());
    let module = m(r#"(module (import "m" "t" (tag (param i32))))"#);
    let mut imports = Imports::new();
    imports.define("m", "t", tag(&mut store, vec![ValType::I64]));
    let e = assert_err!(Instance::new(&mut store, &module, &imports), LinkError);
    assert_eq!((e.module(), e.name()), ("m", "t"));
    imports.define("m", "t", Func::wrap(&mut store, |_: i32| ()));
    assert_err!(Instance::new(&mut store, &module, &imports), LinkError);
    imports.define("m", "t", tag(&mut store, vec![ValType::I32]));
    Instance::new(&mut store, &module, &imports).unwrap();

    // A throws with its tag; B imports A's tag and catches what A's function throws.
    let a = Instance::new(
        &mut store,
        &m(r#"(module (tag $e (export "e") (param i32))
            (func (export "throw") (param i32) (throw $e (local.get 0))))"#),
        &Imports::new(),
    )
    .unwrap();
    let mut imports = Imports::new();
    imports.define_instance(&store, "a", &a).unwrap();
    let b = Instance::new(
        &mut store,
        &m(r#"(module
            (import "a" "e" (tag $e (param i32)))
            (import "a" "throw" (func $throw (param i32)))
            (export "e" (tag $e))
            (func (export "catch") (param i32) (result i32)
              (block $c (result i32)
                (try_table (catch $e $c) (call $throw (local.get 0)))
                (i32.const -1))))"#),
        &imports,
    )
    .unwrap();
    assert_eq!(
        b.get_func(&store, "catch")
            .unwrap()
            .call(&mut store, &[Value::I32(9)])
            .unwrap(),
        vec![Value::I32(9)]
    );
    let (ta, tb) = (
        a.get_export(&store, "e").unwrap().into_tag().unwrap(),
        b.get_export(&store, "e").unwrap().into_tag().unwrap(),
    );
    assert_eq!(ta, tb, "re-exported: the same tag");
    // A host tag linked into a module and exported again is the host's tag.
    let host = tag(&mut store, vec![]);
    let mut imports = Imports::new();
    imports.define("m", "t", host);
    let c = Instance::new(
        &mut store,
        &m(r#"(module (import "m" "t" (tag $t)) (export "t" (tag $t))
            (func (export "throw") (throw $t)))"#),
        &imports,
    )
    .unwrap();
    assert_eq!(c.get_export(&store, "t").unwrap().into_tag(), Some(host));
    let x = assert_err!(
        c.get_func(&store, "throw").unwrap().call(&mut store, &[]),
        Exception
    );
    assert!(x.is(host));
}

/// A host function's exception whose tag is of another store than the one it is thrown
/// in: no wasm tag is that tag, so only `catch_all` catches it; uncaught, it comes back
/// unchanged.
#[test]
fn a_host_exception_with_another_stores_tag_is_caught_only_by_catch_all() {
    let mut other = Store::new(());
    let foreign_tag = tag(&mut other, vec![ValType::I32]);
    let thrown = Exception::new(&other, foreign_tag, &[Value::I32(1)]).unwrap();
    let mut store = Store::new(());
    let local = tag(&mut store, vec![ValType::I32]);
    let x = thrown.clone();
    let f = Func::wrap(&mut store, move || -> Result<(), Exception> {
        Err(x.clone())
    });
    let module = m(r#"(module
        (import "h" "t" (tag $t (param i32)))
        (import "h" "f" (func $f))
        (func (export "by_tag") (result i32)
          (block $c (result i32) (try_table (catch $t $c) (call $f)) (i32.const -1)))
        (func (export "any") (result i32)
          (block $c (try_table (catch_all $c) (call $f)) (return (i32.const -1)))
          (i32.const 100)))"#);
    let mut imports = Imports::new();
    imports.define("h", "t", local).define("h", "f", f);
    let i = Instance::new(&mut store, &module, &imports).unwrap();
    let any = i.get_func(&store, "any").unwrap();
    assert_eq!(any.call(&mut store, &[]).unwrap(), [Value::I32(100)]);
    let by_tag = i.get_func(&store, "by_tag").unwrap();
    let e = assert_err!(by_tag.call(&mut store, &[]), Host);
    assert_eq!(e.downcast_ref::<Exception>(), Some(&thrown));
}

/// As in JS, a function with an `exnref` in its type cannot be called from the host
/// (TypeError). The Rust-only call lets a null one cross as `NullRef`; a non-null one has
/// no Rust value: still a TypeError.
#[test]
fn an_exnref_does_not_leave_wasm() {
    let mut store = Store::new(());
    let i = Instance::new(
        &mut store,
        &m(r#"(module (tag $e)
            (func (export "exn") (result exnref)
              (block $h (result exnref) (try_table (catch_all_ref $h) (throw $e)) (unreachable)))
            (func (export "null") (result exnref) (ref.null exn)))"#),
        &Imports::new(),
    )
    .unwrap();
    let (exn, null) = (
        i.get_func(&store, "exn").unwrap(),
        i.get_func(&store, "null").unwrap(),
    );
    assert_err!(exn.call(&mut store, &[]), TypeError);
    assert_err!(null.call(&mut store, &[]), TypeError);
    assert_err!(exn.call_with_v128(&mut store, &[]), TypeError);
    assert_eq!(
        null.call_with_v128(&mut store, &[]).unwrap(),
        vec![Value::NullRef]
    );
}

/// A start function's uncaught exception fails the instantiation with it.
#[test]
fn an_exception_from_the_start_function() {
    let mut store = Store::new(());
    let e = assert_err!(
        Instance::new(
            &mut store,
            &m(r#"(module (tag $e (param i32)) (func $s (throw $e (i32.const 4))) (start $s))"#),
            &Imports::new(),
        ),
        Exception
    );
    assert_eq!(e.payload(), &[Value::I32(4)]);
}
