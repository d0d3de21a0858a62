//! Interruption from another thread, deadlines, and the configurable call-stack limits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rill_decoder::{FuncType, ValType};

use crate::tests_host::{func, module};
use crate::{Extern, Func, Instance, Store, Trap, Value};

/// Code that never ends on its own, in each shape the checks must reach.
const ENDLESS: &str = r#"(module
  (memory 1)
  (memory $shared 1 1 shared)
  (func (export "wait")
    (drop (memory.atomic.wait32 $shared (i32.const 0) (i32.const 0) (i64.const -1))))
  (func (export "loop") (loop (br 0)))
  (func (export "loop_if") (local i32)
    (loop (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br_if 0 (i32.const 1))))
  (func $tail (export "tail_calls") (return_call $tail))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "fills")
    (loop (memory.fill (i32.const 0) (i32.const 7) (i32.const 65536)) (br 0))))"#;

/// Runs `name` (fib gets 60: years of work) and interrupts it from another thread after
/// 20 ms: it stops with `Trap::Interrupted`; the time from the request to the return.
fn interrupted_after_request(name: &str) -> Duration {
    let m = module(ENDLESS);
    let mut store = Store::new();
    let inst = store.instantiate(&m, &[]).unwrap();
    let f = func(&store, inst, name);
    let args: &[Value] = if name == "fib" {
        &[Value::I32(60)]
    } else {
        &[]
    };
    let handle = store.interrupt_handle();
    let asked = Arc::new(std::sync::Mutex::new(None));
    let asked2 = asked.clone();
    let asker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        *asked2.lock().unwrap() = Some(Instant::now());
        handle.interrupt();
    });
    assert_eq!(store.invoke(f, args), Err(Trap::Interrupted), "{name}");
    let stopped = Instant::now();
    asker.join().unwrap();
    let asked = asked.lock().unwrap().expect("the request was made");
    stopped.saturating_duration_since(asked)
}

#[test]
fn every_endless_shape_stops_when_interrupted_from_another_thread() {
    for name in ["loop", "loop_if", "tail_calls", "fib", "fills", "wait"] {
        let took = interrupted_after_request(name);
        // The checks come every few microseconds; the slack is for a loaded machine, not
        // a measurement. (Under Miri, whose clock runs with the interpreted code, only
        // stopping is checked.)
        if !cfg!(miri) {
            assert!(
                took < Duration::from_secs(5),
                "{name} took {took:?} to stop"
            );
        }
    }
}

#[test]
fn a_deadline_stops_running_code_and_later_calls_run_again() {
    let m = module(ENDLESS);
    let mut store = Store::new();
    let inst = store.instantiate(&m, &[]).unwrap();
    let spin = func(&store, inst, "loop");
    let fib = func(&store, inst, "fib");
    store.set_deadline(Some(Instant::now() + Duration::from_millis(20)));
    assert_eq!(store.invoke(spin, &[]), Err(Trap::DeadlineExceeded));
    assert_eq!(
        store.invoke(fib, &[Value::I32(10)]),
        Err(Trap::DeadlineExceeded)
    );
    store.set_deadline(None);
    assert_eq!(
        store.invoke(fib, &[Value::I32(10)]).unwrap(),
        [Value::I32(55)]
    );
}

#[test]
fn a_request_made_while_nothing_runs_stops_the_next_call_only() {
    let m = module(ENDLESS);
    let mut store = Store::new();
    let inst = store.instantiate(&m, &[]).unwrap();
    let fib = func(&store, inst, "fib");
    store.interrupt_handle().interrupt();
    assert_eq!(store.invoke(fib, &[Value::I32(10)]), Err(Trap::Interrupted));
    assert_eq!(
        store.invoke(fib, &[Value::I32(10)]).unwrap(),
        [Value::I32(55)]
    );
}

/// A module whose `run` first calls the host's `poke` (which asks for an interruption) and
/// then does one long bulk operation on 3 MiB of memory (more than one chunk), no loop and
/// no call after it: only the operation's own checks can stop it.
fn bulk_after_poke(op: &str) -> (Store, Func, Instance) {
    let m = module(&format!(
        r#"(module
          (import "env" "poke" (func $poke))
          (memory (export "memory") 48)
          (func (export "run") (call $poke) {op}))"#
    ));
    let mut store = Store::new();
    let handle = store.interrupt_handle();
    let poke = store.func_new(
        FuncType {
            params: Box::new([]),
            results: Box::new([]),
        },
        move |_, _, _| {
            handle.interrupt();
            Ok(())
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(poke)]).unwrap();
    let run = func(&store, inst, "run");
    (store, run, inst)
}

fn memory_of(store: &Store, inst: Instance) -> &[u8] {
    let Some(Extern::Memory(m)) = store.export(inst, "memory") else {
        panic!("memory")
    };
    store.memory(m).data()
}

#[test]
#[cfg_attr(miri, ignore = "megabytes checked byte by byte: too slow under miri")]
fn a_long_memory_fill_stops_between_chunks() {
    let (mut store, run, inst) =
        bulk_after_poke("(memory.fill (i32.const 0) (i32.const 9) (i32.const 3145728))");
    assert_eq!(store.invoke(run, &[]), Err(Trap::Interrupted));
    let bytes = memory_of(&store, inst);
    let chunk = crate::interrupt::BULK_CHUNK;
    assert!(
        bytes[..chunk].iter().all(|&b| b == 9),
        "the first chunk is filled"
    );
    assert!(bytes[chunk..].iter().all(|&b| b == 0), "nothing after it");
}

#[test]
fn a_long_memory_copy_stops_between_chunks() {
    let (mut store, run, _) =
        bulk_after_poke("(memory.copy (i32.const 0) (i32.const 1048576) (i32.const 2097152))");
    assert_eq!(store.invoke(run, &[]), Err(Trap::Interrupted));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "millions of wasm stores and byte checks: too slow under miri"
)]
fn long_overlapping_copies_in_chunks_copy_right() {
    // Both directions, ranges overlapping by more than a chunk: every byte lands where a
    // one-piece memmove puts it.
    let chunk = crate::interrupt::BULK_CHUNK as u32;
    for (dst, src) in [(0, chunk / 2), (chunk / 2, 0)] {
        let n = 2 * chunk + 12_345;
        let m = module(&format!(
            r#"(module
              (memory (export "memory") 64)
              (func (export "run") (local $i i32)
                (loop
                  (i32.store8 (i32.add (i32.const {src}) (local.get $i))
                              (i32.rem_u (local.get $i) (i32.const 251)))
                  (br_if 0 (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                     (i32.const {n}))))
                (memory.copy (i32.const {dst}) (i32.const {src}) (i32.const {n}))))"#
        ));
        let mut store = Store::new();
        let inst = store.instantiate(&m, &[]).unwrap();
        let run = func(&store, inst, "run");
        store.invoke(run, &[]).unwrap();
        let bytes = memory_of(&store, inst);
        for i in 0..n as usize {
            assert_eq!(
                bytes[dst as usize + i],
                (i % 251) as u8,
                "dst {dst} src {src} byte {i}"
            );
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "thousands of frames: too slow under miri")]
fn the_call_depth_and_stack_slots_are_configurable() {
    let m = module(
        r#"(module
          (func $down (export "down") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))"#,
    );
    let mut store = Store::new();
    let inst = store.instantiate(&m, &[]).unwrap();
    let down = func(&store, inst, "down");
    store.set_max_call_depth(100);
    assert_eq!(
        store.invoke(down, &[Value::I32(90)]).unwrap(),
        [Value::I32(90)]
    );
    assert_eq!(
        store.invoke(down, &[Value::I32(200)]),
        Err(Trap::StackExhausted)
    );
    store.set_max_call_depth(crate::MAX_CALL_DEPTH);
    assert_eq!(
        store.invoke(down, &[Value::I32(5000)]).unwrap(),
        [Value::I32(5000)]
    );
    // A few slots a frame: 5,000 frames need more than 2,000 slots.
    store.set_max_stack_slots(2_000);
    assert_eq!(
        store.invoke(down, &[Value::I32(5000)]),
        Err(Trap::StackExhausted)
    );
    assert_eq!(
        store.invoke(down, &[Value::I32(10)]).unwrap(),
        [Value::I32(10)]
    );
    let _ = ValType::I32;
}
