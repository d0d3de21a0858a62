//! What the façade offers beyond the JS API for embedders that run the official testsuite:
//! `ModuleConfig` (the core specification's limits, proposals whose encoding conflicts with
//! Wasm 3.0), link error messages in the testsuite's words, and telling an unsupported
//! feature from a trap.

mod common;

use common::*;
use rill::*;

fn compile_error(r: Result<Module, Error>) -> CompileError {
    match r {
        Err(Error::CompileError(e)) => e,
        other => panic!("expected a CompileError, got {other:?}"),
    }
}

fn link_error(r: Result<Instance, Error>) -> LinkError {
    match r {
        Err(Error::LinkError(e)) => e,
        other => panic!("expected a LinkError, got {other:?}"),
    }
}

fn runtime_error(r: Result<Vec<Value>, Error>) -> RuntimeError {
    match r {
        Err(Error::RuntimeError(e)) => e,
        other => panic!("expected a RuntimeError, got {other:?}"),
    }
}

#[test]
fn the_default_config_is_the_js_apis() {
    assert_eq!(ModuleConfig::default(), ModuleConfig::new());
    let c = ModuleConfig::new();
    assert!(c.js_limits);
    assert_eq!(c.features, Features::default());
}

#[test]
fn without_js_limits_a_module_is_compiled_by_the_core_limits() {
    // An initial table size over 10,000,000 is the JS API's limit, not the core one's.
    let wasm = wat("(module (table 20000000 funcref))");
    let e = compile_error(Module::new(&wasm));
    assert!(!e.is_malformed(), "{e}");
    let core = ModuleConfig::new().js_limits(false);
    Module::with_config(&wasm, core).unwrap();
    // table.wast: tables of 2^32-1 elements at most.
    let max = wat("(module (table (export \"t\") 1 0xffff_ffff funcref))");
    let module = Module::with_config(&max, core).unwrap();
    let mut store = Store::new(());
    let instance = Instance::new(&mut store, &module, &Imports::new()).unwrap();
    let table = instance.get_table(&store, "t").unwrap();
    assert_eq!(table.length(&store).unwrap(), 1);
}

#[test]
fn a_config_applies_to_what_is_found_wrong_too() {
    // The same invalid module gives the same error with either config.
    let wasm = wat("(module (func (result i32)))");
    let a = compile_error(Module::new(&wasm));
    let b = compile_error(Module::with_config(
        &wasm,
        ModuleConfig::new().js_limits(false),
    ));
    assert_eq!(a, b);
    assert!(a.message().contains("type mismatch"), "{a}");
}

#[test]
fn custom_page_sizes_decode_only_when_switched_on() {
    // (module (memory (export "m") 2 (pagesize 1))): limits flag 0x08, log2 page size 0.
    let mem = section(5, &[1, 0x08, 2, 0]);
    let export = section(7, &[1, 1, b'm', 2, 0]);
    let wasm = module(&[mem, export]);
    let e = compile_error(Module::new(&wasm));
    assert!(e.is_malformed(), "{e}");
    let features = Features {
        custom_page_sizes: true,
        ..Features::default()
    };
    let module = Module::with_config(&wasm, ModuleConfig::new().features(features)).unwrap();
    let mut store = Store::new(());
    let instance = Instance::new(&mut store, &module, &Imports::new()).unwrap();
    let memory = instance.get_memory(&store, "m").unwrap();
    assert_eq!(memory.size(&store).unwrap(), 2);
}

/// Custom descriptors: off by default (Wasm 3.0's rules), on through `ModuleConfig`.
#[test]
fn custom_descriptors_validate_only_when_switched_on() {
    // br_on_cast from (ref any) to (ref null $t): the target is not a subtype of the source,
    // which the proposal allows (one hierarchy is enough) and Wasm 3.0 does not.
    let relaxed = wat(r#"(module (type $t (struct))
      (func (export "f") (param (ref any)) (result (ref null $t))
        (block (result (ref any)) (br_on_cast 1 (ref any) (ref null $t) (local.get 0)))
        (unreachable)))"#);
    let exact = wat("(module (type $t (struct (field (ref null (exact $t))))))");
    let features = Features {
        custom_descriptors: true,
        ..Features::default()
    };
    for (wasm, message) in [
        (
            &relaxed,
            "type mismatch: cast target is not a subtype of its source",
        ),
        (
            &exact,
            "custom descriptors required for exact reference types",
        ),
    ] {
        assert!(!rill::validate(wasm));
        let e = compile_error(Module::new(wasm));
        assert!(!e.is_malformed(), "{e}");
        assert_eq!(e.message(), message);
        let module = Module::with_config(wasm, ModuleConfig::new().features(features));
        assert!(module.is_ok(), "{:?}", module.err());
    }
}

#[test]
fn link_errors_use_the_testsuites_words() {
    let module = Module::new(wat(r#"(module (import "m" "f" (func)))"#)).unwrap();
    let mut store = Store::new(());
    let mut imports = Imports::new();
    imports.module("m");
    let e = link_error(Instance::new(&mut store, &module, &imports));
    assert!(e.message().starts_with("unknown import"), "{e}");

    let g = Global::new(
        &mut store,
        GlobalDescriptor {
            value: ValType::I32,
            mutable: false,
        },
        None,
    )
    .unwrap();
    imports.define("m", "f", g);
    let e = link_error(Instance::new(&mut store, &module, &imports));
    assert!(e.message().starts_with("incompatible import type"), "{e}");

    imports.define("m", "f", Func::wrap(&mut store, |_: i32| ()));
    let e = link_error(Instance::new(&mut store, &module, &imports));
    assert!(e.message().contains("incompatible import type"), "{e}");
    assert_eq!((e.module(), e.name()), ("m", "f"));
}

#[test]
fn traps_are_not_unsupported() {
    let module = Module::new(wat(r#"(module
        (func (export "div") (param i32) (result i32) i32.const 1 local.get 0 i32.div_u)
        (func $r (export "runaway") call $r))"#))
    .unwrap();
    let mut store = Store::new(());
    let instance = Instance::new(&mut store, &module, &Imports::new()).unwrap();
    let div = instance.get_func(&store, "div").unwrap();
    let e = runtime_error(div.call(&mut store, &[Value::I32(0)]));
    assert_eq!(e.message(), "integer divide by zero");
    assert!(!e.is_unsupported());
    let runaway = instance.get_func(&store, "runaway").unwrap();
    let e = runtime_error(runaway.call(&mut store, &[]));
    assert!(e.message().contains("call stack exhausted"), "{e}");
    assert!(!e.is_unsupported());
    assert!(!RuntimeError::new("unsupported: made up by the host").is_unsupported());
}
