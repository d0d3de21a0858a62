//! The façade lowers each function body exactly once: while compiling (at once or
//! streamed), never again when the module is instantiated, however often.
//!
//! This reads rill-lower's process-wide count of lowered functions, so it is its own test
//! binary with a single test: nothing else compiles while it counts.

mod common;

use common::wat;
use futures::executor::block_on;
use futures::stream;
use rill::{Imports, Instance, Module, Store, Value};

const WAT: &str = r#"(module
  (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param i32) (result i32) (call $inc (call $sq (local.get 0)))))"#;

fn lowered_since(before: u64) -> u64 {
    rill_lower::functions_lowered() - before
}

fn run(store: &mut Store, instance: &Instance) -> Vec<Value> {
    let run = instance.get_func(&*store, "run").expect("the export run");
    run.call(store, &[Value::I32(6)])
        .expect("run does not trap")
}

#[test]
fn each_function_is_lowered_once_and_never_at_instantiation() -> Result<(), rill::Error> {
    let wasm = wat(WAT);
    let before = rill_lower::functions_lowered();

    // At once: three functions, three lowerings, none more for any instantiation.
    let module = Module::new(&wasm)?;
    assert_eq!(lowered_since(before), 3);
    let mut store = Store::new(());
    for _ in 0..3 {
        let instance = Instance::new(&mut store, &module, &Imports::new())?;
        assert_eq!(run(&mut store, &instance), [Value::I32(37)]);
    }
    // In another store too.
    let mut other = Store::new(());
    let instance = Instance::new(&mut other, &module, &Imports::new())?;
    assert_eq!(run(&mut other, &instance), [Value::I32(37)]);
    assert_eq!(lowered_since(before), 3);

    // Streamed in small chunks: the same.
    let chunks = wasm.chunks(5).map(Ok::<_, std::io::Error>);
    let streamed = block_on(rill::compile_streaming(stream::iter(chunks)))
        .map_err(|e| panic!("the module compiles streamed: {e}"))
        .unwrap();
    assert_eq!(lowered_since(before), 6);
    let instance = block_on(rill::instantiate_module(
        &mut store,
        &streamed,
        &Imports::new(),
    ))?;
    assert_eq!(run(&mut store, &instance), [Value::I32(37)]);
    assert_eq!(lowered_since(before), 6);

    // `instantiate(bytes)`: compiled once, instantiated without lowering.
    let imports = Imports::new();
    let rill::Instantiated { instance, .. } =
        block_on(rill::instantiate(&mut store, &wasm, &imports))?;
    assert_eq!(run(&mut store, &instance), [Value::I32(37)]);
    assert_eq!(lowered_since(before), 9);

    // `validate` only validates.
    assert!(rill::validate(&wasm));
    assert_eq!(lowered_since(before), 9);
    Ok(())
}
