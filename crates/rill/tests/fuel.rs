//! Fuel through the façade: metering switched on by `ModuleConfig::fuel` and
//! `Store::set_fuel`, a distinguishable out-of-fuel error, resumable calls, refuelling from
//! a host function, start functions, and the rules for modules compiled without metering.

use rill::{
    Caller, Error, Func, Imports, Instance, Module, ModuleConfig, ResumableCall, Store, Value,
};

const GUEST: &str = r#"(module
  (import "env" "refuel" (func $refuel (param i32)))
  (global $count (export "count") (mut i32) (i32.const 0))
  (func (export "spin") (loop (br 0)))
  (func (export "count_to") (param i32) (result i32)
    (loop
      (global.set $count (i32.add (global.get $count) (i32.const 1)))
      (br_if 0 (i32.lt_u (global.get $count) (local.get 0))))
    (global.get $count))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "refuel_then_spin_a_while") (param i32) (result i32)
    (call $refuel (local.get 0))
    (call $fib (i32.const 15))))"#;

fn metered(wat: &str) -> Module {
    Module::with_config(wat::parse_str(wat).unwrap(), ModuleConfig::new().fuel(true)).unwrap()
}

fn instance(store: &mut Store<()>) -> Instance {
    let refuel = Func::wrap(&mut *store, |mut caller: Caller<'_, ()>, fuel: i32| {
        caller.set_fuel(fuel as u64)
    });
    let mut imports = Imports::new();
    imports.define("env", "refuel", refuel);
    Instance::new(store, &metered(GUEST), &imports).unwrap()
}

fn func(store: &Store<()>, instance: &Instance, name: &str) -> Func {
    instance.get_func(store, name).unwrap()
}

#[test]
fn out_of_fuel_is_a_runtime_error_that_says_so() {
    let mut store = Store::new(());
    let inst = instance(&mut store);
    store.set_fuel(10_000).unwrap();
    let spin = func(&store, &inst, "spin");
    match spin.call(&mut store, &[]) {
        Err(Error::RuntimeError(e)) => {
            assert!(e.is_out_of_fuel());
            assert!(!e.is_interrupted() && !e.is_deadline_exceeded());
            assert_eq!(e.message(), "out of fuel");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.get_fuel(), Some(0));
    // Other traps are not.
    let fib = func(&store, &inst, "fib");
    store.set_fuel(1_000_000).unwrap();
    assert_eq!(
        fib.call(&mut store, &[Value::I32(10)]).unwrap(),
        [Value::I32(55)]
    );
    assert!(store.get_fuel().unwrap() < 1_000_000);
}

#[test]
fn the_same_fuel_stops_at_the_same_place() {
    let stops: Vec<(Value, Option<u64>)> = (0..4)
        .map(|_| {
            let mut store = Store::new(());
            let inst = instance(&mut store);
            store.set_fuel(12_345).unwrap();
            let count_to = func(&store, &inst, "count_to");
            assert!(count_to.call(&mut store, &[Value::I32(1_000_000)]).is_err());
            let count = inst.get_global(&store, "count").unwrap();
            (count.get(&store).unwrap(), store.get_fuel())
        })
        .collect();
    assert!(stops.windows(2).all(|w| w[0] == w[1]), "{stops:?}");
    // 8 operators per iteration, 1 on entry: 1,543 iterations, and 1 fuel too little for
    // the next.
    assert_eq!(stops[0], (Value::I32(1543), Some(12_345 - 1 - 8 * 1543)));
}

#[test]
fn resumable_calls_finish_with_the_unlimited_results() {
    let mut store = Store::new(());
    let inst = instance(&mut store);
    let fib = func(&store, &inst, "fib");
    let whole = fib.call(&mut store, &[Value::I32(18)]).unwrap();
    for slice in [1, 50, 999] {
        store.set_fuel(slice).unwrap();
        let mut call = fib.call_resumable(&mut store, &[Value::I32(18)]).unwrap();
        let mut slices = 1;
        let results = loop {
            match call {
                ResumableCall::Finished(r) => break r,
                ResumableCall::OutOfFuel(s) => {
                    assert_eq!(s.func(), fib);
                    store.set_fuel(slice.max(s.required_fuel())).unwrap();
                    slices += 1;
                    call = s.resume(&mut store).unwrap();
                }
            }
        };
        assert_eq!(results, whole);
        assert!(slices > 1);
    }
}

#[test]
fn a_suspended_call_resumes_in_its_own_store_only() {
    let mut store = Store::new(());
    let inst = instance(&mut store);
    let spin = func(&store, &inst, "spin");
    store.set_fuel(100).unwrap();
    let ResumableCall::OutOfFuel(s) = spin.call_resumable(&mut store, &[]).unwrap() else {
        panic!("spin finished")
    };
    let mut other = Store::new(());
    assert!(matches!(s.resume(&mut other), Err(Error::TypeError(_))));
}

#[test]
fn a_host_function_refuels_the_call_it_is_in() {
    let mut store = Store::new(());
    let inst = instance(&mut store);
    let f = func(&store, &inst, "refuel_then_spin_a_while");
    // Too little to compute fib(15) ...
    store.set_fuel(100).unwrap();
    assert_eq!(store.get_fuel(), Some(100));
    // ... but the host function refills it first.
    assert_eq!(
        f.call(&mut store, &[Value::I32(1_000_000)]).unwrap(),
        [Value::I32(610)]
    );
    let left = store.get_fuel().unwrap();
    assert!(left < 1_000_000 && left > 900_000, "{left}");
}

#[test]
fn modules_compiled_without_metering_do_not_run_in_a_metering_store() {
    let plain = Module::new(wat::parse_str("(module (func (export \"f\")))").unwrap()).unwrap();
    let mut store = Store::new(());
    store.set_fuel(10).unwrap();
    assert!(matches!(
        Instance::new(&mut store, &plain, &Imports::new()),
        Err(Error::LinkError(e)) if e.to_string().contains("fuel")
    ));
    let mut store = Store::new(());
    Instance::new(&mut store, &plain, &Imports::new()).unwrap();
    assert!(matches!(store.set_fuel(10), Err(Error::TypeError(_))));
    assert_eq!(store.get_fuel(), None);
}

#[test]
fn start_functions_pay() {
    let module = metered("(module (func $s (loop (br 0))) (start $s))");
    let mut store = Store::new(());
    store.set_fuel(5_000).unwrap();
    match Instance::new(&mut store, &module, &Imports::new()) {
        Err(Error::RuntimeError(e)) => assert!(e.is_out_of_fuel()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn streaming_compiles_meter_too() {
    let wasm = wat::parse_str(GUEST).unwrap();
    let chunks = || {
        futures::stream::iter(
            wasm.chunks(7)
                .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
                .collect::<Vec<_>>(),
        )
    };
    let config = ModuleConfig::new().fuel(true);
    let module =
        futures::executor::block_on(rill::compile_streaming_with_config(chunks(), config)).unwrap();
    let mut store = Store::new(());
    store.set_fuel(1000).unwrap();
    let refuel = Func::wrap(&mut store, |_: Caller<'_, ()>, _: i32| {});
    let mut imports = Imports::new();
    imports.define("env", "refuel", refuel);
    let inst = Instance::new(&mut store, &module, &imports).unwrap();
    let spin = func(&store, &inst, "spin");
    assert!(
        matches!(spin.call(&mut store, &[]), Err(Error::RuntimeError(e)) if e.is_out_of_fuel())
    );
    // `instantiate_streaming` into a store that meters fuel compiles with metering.
    let obj =
        futures::executor::block_on(rill::instantiate_streaming(&mut store, chunks(), &imports))
            .unwrap();
    assert!(obj.module.is_metered());
    let spin = func(&store, &obj.instance, "spin");
    store.set_fuel(1000).unwrap();
    assert!(
        matches!(spin.call(&mut store, &[]), Err(Error::RuntimeError(e)) if e.is_out_of_fuel())
    );
}
