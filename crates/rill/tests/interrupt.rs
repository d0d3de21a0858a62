//! Stopping runaway guests through the façade: an interrupt handle used from another
//! thread, a deadline, and the call depth limit, each on the outermost call and inside a
//! call a host function makes.

use std::time::{Duration, Instant};

use rill::{Caller, Error, Func, Imports, Instance, Module, Store};

const GUEST: &str = r#"(module
  (import "env" "reenter" (func $reenter))
  (func (export "spin") (loop (br 0)))
  (func (export "spin_inside_host") (call $reenter))
  (func $down (export "down") (param i32)
    (if (local.get 0) (then (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#;

fn instance(store: &mut Store<()>) -> Instance {
    let module = Module::new(wat::parse_str(GUEST).unwrap()).unwrap();
    // The host function calls the guest's `spin` back: the loop runs in a nested call.
    let reenter = Func::wrap(&mut *store, |mut caller: Caller<'_, ()>| {
        let spin = caller
            .get_export("spin")
            .and_then(|e| e.into_func())
            .unwrap();
        spin.call(&mut caller, &[]).map(|_| ())
    });
    let mut imports = Imports::new();
    imports.define("env", "reenter", reenter);
    Instance::new(store, &module, &imports).unwrap()
}

fn runtime_error(r: Result<(), Error>) -> rill::RuntimeError {
    match r {
        Err(Error::RuntimeError(e)) => e,
        other => panic!("expected a RuntimeError, got {other:?}"),
    }
}

#[test]
fn an_interrupt_from_another_thread_stops_a_loop_and_a_nested_loop() {
    for name in ["spin", "spin_inside_host"] {
        let mut store = Store::new(());
        let instance = instance(&mut store);
        let f = instance.get_typed_func::<(), ()>(&store, name).unwrap();
        let handle = store.interrupt_handle();
        let asker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            handle.interrupt();
            Instant::now()
        });
        let e = runtime_error(f.call(&mut store, ()));
        let stopped = Instant::now();
        let asked = asker.join().unwrap();
        assert!(e.is_interrupted(), "{name}: {e}");
        assert!(!e.is_deadline_exceeded());
        assert_eq!(e.message(), "interrupted");
        eprintln!("{name}: stopped {:?} after the request", stopped - asked);
        // The store is usable again: the request was used up.
        let down = instance.get_typed_func::<i32, ()>(&store, "down").unwrap();
        down.call(&mut store, 10).unwrap();
    }
}

#[test]
fn a_deadline_stops_a_loop() {
    let mut store = Store::new(());
    let instance = instance(&mut store);
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    store.set_deadline(Some(Instant::now() + Duration::from_millis(20)));
    let e = runtime_error(spin.call(&mut store, ()));
    assert!(e.is_deadline_exceeded(), "{e}");
    assert_eq!(e.message(), "deadline exceeded");
}

#[test]
fn the_call_depth_limit_is_the_stores() {
    let mut store = Store::new(());
    let instance = instance(&mut store);
    let down = instance.get_typed_func::<i32, ()>(&store, "down").unwrap();
    store.set_max_call_depth(1_000);
    down.call(&mut store, 900).unwrap();
    let e = runtime_error(down.call(&mut store, 2_000));
    assert_eq!(e.message(), "call stack exhausted");
    assert!(!e.is_interrupted());
}
