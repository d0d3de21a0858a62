//! Store limits through the façade (issue 14): `Store::set_limits` / `Store::set_limiter`.
//! Wasm's grows over a limit give -1; `Memory::grow`, `Table::grow`, `Memory::new`,
//! `Table::new` and instantiation over a limit are `RangeError`s naming what and the limit,
//! with nothing allocated; start functions and wasm called back from host functions obey
//! the same limits. (The implementation's own limits on modules: tests/limits.rs.)

#[macro_use]
mod common;

use std::sync::{Arc, Mutex};

use common::*;
use rill::*;

const PAGE: u64 = 65_536;

fn module(src: &str) -> Module {
    Module::new(wat(src)).expect("the module compiles")
}

fn mem(store: &mut Store, initial: u64) -> Result<Memory, Error> {
    Memory::new(
        store,
        MemoryDescriptor {
            initial,
            ..Default::default()
        },
    )
}

fn table(store: &mut Store, initial: u64) -> Result<Table, Error> {
    Table::new(
        store,
        TableDescriptor {
            element: RefType::FUNCREF,
            initial,
            maximum: None,
            address: AddressType::I32,
        },
        None,
    )
}

const GROWER: &str = r#"(module
  (memory (export "memory") 1)
  (table (export "table") 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "table_grow") (param i32) (result i32)
    (table.grow (ref.null func) (local.get 0))))"#;

#[test]
fn grows_over_the_limits_give_minus_one_in_wasm_and_range_errors_in_the_api() {
    let mut store = Store::new(());
    store.set_limits(
        StoreLimitsBuilder::new()
            .memory_size(3 * PAGE)
            .table_elements(2)
            .build(),
    );
    let instance = Instance::new(&mut store, &module(GROWER), &Imports::new()).unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    let table_grow = instance
        .get_typed_func::<i32, i32>(&store, "table_grow")
        .unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 2).unwrap(), -1);
    assert_eq!(table_grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(table_grow.call(&mut store, 1).unwrap(), -1);

    let memory = instance.get_memory(&store, "memory").unwrap();
    assert_eq!(memory.grow(&mut store, 1).unwrap(), 2);
    assert_err!(memory.grow(&mut store, 1), RangeError);
    assert_eq!(memory.size(&store).unwrap(), 3);
    let t = instance.get_table(&store, "table").unwrap();
    assert_err!(t.grow(&mut store, 1, None), RangeError);
    assert_eq!(t.length(&store).unwrap(), 2);
}

#[test]
fn creating_over_the_limits_is_a_range_error_naming_the_limit() {
    let mut store = Store::new(());
    store.set_limits(
        StoreLimitsBuilder::new()
            .total_memory(2 * PAGE)
            .table_elements(10)
            .tables(1)
            .build(),
    );
    let e = assert_err!(mem(&mut store, 3), RangeError);
    assert!(
        e.to_string().contains(
            "the new memory: 196608 bytes: over the limit of 131072 bytes for all memories"
        ),
        "{e}"
    );
    mem(&mut store, 2).unwrap();
    let e = assert_err!(table(&mut store, 11), RangeError);
    assert!(
        e.to_string()
            .contains("over the limit of 10 elements for one table"),
        "{e}"
    );
    table(&mut store, 10).unwrap();
    let e = assert_err!(table(&mut store, 0), RangeError);
    assert!(
        e.to_string()
            .contains("the store's limit of 1 tables is reached"),
        "{e}"
    );
    // A value of another type is still a TypeError.
    let f = Func::wrap(&mut store, || {});
    assert_err!(
        Table::new(
            &mut store,
            TableDescriptor {
                element: RefType::EXTERNREF,
                initial: 0,
                maximum: None,
                address: AddressType::I32,
            },
            Some(Value::FuncRef(Some(f))),
        ),
        TypeError
    );
}

#[test]
fn instantiation_over_the_limits_is_a_range_error_and_allocates_nothing() {
    let mut store = Store::new(());
    store.set_limits(
        StoreLimitsBuilder::new()
            .memory_size(1 << 20)
            .instances(2)
            .build(),
    );
    // 4 GiB asked, 1 MiB allowed: refused at once.
    let started = std::time::Instant::now();
    let e = assert_err!(
        Instance::new(
            &mut store,
            &module("(module (memory 65536))"),
            &Imports::new()
        ),
        RangeError
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert_eq!(
        e.to_string(),
        "memory 0: 4294967296 bytes: over the limit of 1048576 bytes for one memory"
    );
    let small = module("(module (memory (export \"m\") 16))");
    Instance::new(&mut store, &small, &Imports::new()).unwrap();
    Instance::new(&mut store, &small, &Imports::new()).unwrap();
    let e = assert_err!(
        Instance::new(&mut store, &small, &Imports::new()),
        RangeError
    );
    assert_eq!(
        e.to_string(),
        "instance: the store's limit of 2 instances is reached"
    );
}

#[test]
fn start_functions_and_wasm_called_from_host_functions_obey_the_limits() {
    let mut store = Store::new(());
    store.set_limits(StoreLimitsBuilder::new().memory_size(2 * PAGE).build());
    let host = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, ()>| -> Result<(i32, i32), Error> {
            let grow = caller
                .get_export("grow")
                .and_then(Extern::into_func)
                .expect("grow");
            let memory = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .expect("memory");
            let from_wasm = grow.call(&mut caller, &[Value::I32(4)])?;
            let from_host = memory.grow(&mut caller, 4).is_ok();
            let [Value::I32(r)] = from_wasm[..] else {
                panic!("{from_wasm:?}")
            };
            Ok((r, i32::from(from_host)))
        },
    );
    let mut imports = Imports::new();
    imports.define("env", "host", host);
    let m = module(
        r#"(module
          (import "env" "host" (func $host (result i32 i32)))
          (memory (export "memory") 1)
          (global (export "at_start") (mut i32) (i32.const 0))
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func $start (global.set 0 (memory.grow (i32.const 2))))
          (start $start)
          (func (export "run") (result i32 i32) (call $host)))"#,
    );
    let instance = Instance::new(&mut store, &m, &imports).unwrap();
    let at_start = instance.get_global(&store, "at_start").unwrap();
    assert_eq!(at_start.get(&store).unwrap(), Value::I32(-1));
    let run = instance.get_func(&store, "run").unwrap();
    assert_eq!(
        run.call(&mut store, &[]).unwrap(),
        [Value::I32(-1), Value::I32(0)]
    );
}

/// A custom policy: allows one growth of each memory after its creation, and records the
/// sizes it was asked about (shared with the test through an `Arc`).
struct OneGrowth {
    asked: Arc<Mutex<Vec<(u64, u64)>>>,
}

impl ResourceLimiter for OneGrowth {
    fn memory_growing(&mut self, current: u64, desired: u64, _maximum: Option<u64>) -> bool {
        let mut asked = self.asked.lock().unwrap();
        asked.push((current, desired));
        current == 0 || asked.iter().filter(|(c, _)| *c != 0).count() == 1
    }
}

#[test]
fn a_custom_limiter() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let mut store = Store::new(());
    store.set_limiter(OneGrowth {
        asked: asked.clone(),
    });
    let instance = Instance::new(&mut store, &module(GROWER), &Imports::new()).unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(
        *asked.lock().unwrap(),
        [(0, PAGE), (PAGE, 2 * PAGE), (2 * PAGE, 3 * PAGE)]
    );
}
