//! Host functions and the store API: user data, the caller's memory (read in place, grown),
//! calls back into wasm (one level and re-entrancy until the limits), exceptions and traps
//! crossing host functions, a host function that replaces the store, and tables and
//! globals changed from host code.

use std::sync::Arc;

use rill_decoder::{FuncType, ValType};

use crate::{
    AccessError, Caller, Extern, Func, HostFailure, Instance, Module, Store, Trap, Value,
    NATIVE_STACK_BUDGET,
};

pub(crate) fn module(wat: &str) -> Arc<Module> {
    Arc::new(Module::new(&wat::parse_str(wat).unwrap()).unwrap())
}

pub(crate) fn ty(params: &[ValType], results: &[ValType]) -> FuncType {
    FuncType {
        params: params.into(),
        results: results.into(),
    }
}

pub(crate) fn func<T>(store: &Store<T>, inst: Instance, name: &str) -> Func {
    match store.export(inst, name) {
        Some(Extern::Func(f)) => f,
        other => panic!("export {name}: {other:?}"),
    }
}

/// An exported function of the calling instance, or a host failure.
fn caller_func<T>(caller: &Caller<'_, T>, name: &str) -> Result<Func, Trap> {
    match caller.export(name) {
        Some(Extern::Func(f)) => Ok(f),
        _ => Err(Trap::host(format!("no function {name}"))),
    }
}

/// Runs `f` on a thread with the stack a spawned thread gets by default (2 MiB).
fn on_spawned_thread_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn_scoped(s, f)
            .unwrap()
            .join()
            .unwrap()
    })
}

/// The address of a local of the caller: where the native stack is.
#[inline(always)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

// ---------------------------------------------------------------------------------------
// Memory

#[test]
fn a_host_function_reads_a_string_in_the_callers_memory_in_place() {
    #[derive(Default)]
    struct Log {
        lines: Vec<String>,
        /// Where the bytes the host function saw were.
        seen_at: Vec<usize>,
    }
    let m = module(
        r#"(module
          (import "env" "log" (func $log (param i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "hello, host")
          (data (i32.const 200) "second line")
          (func (export "run")
            (call $log (i32.const 100) (i32.const 11))
            (call $log (i32.const 200) (i32.const 6))))"#,
    );
    let mut store = Store::with_data(Log::default());
    let log = store.func_new(ty(&[ValType::I32; 2], &[]), |mut caller, args, _| {
        let [Value::I32(ptr), Value::I32(len)] = *args else {
            return Err(Trap::host("two i32 arguments"));
        };
        let Some(Extern::Memory(m)) = caller.export("memory") else {
            return Err(Trap::host("no memory export"));
        };
        let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
        let bytes = caller
            .store()
            .memory(m)
            .data()
            .get(ptr..ptr + len)
            .ok_or_else(|| Trap::host("out of bounds"))?;
        let at = bytes.as_ptr() as usize;
        let line = std::str::from_utf8(bytes)
            .map_err(|_| Trap::host("not UTF-8"))?
            .to_owned();
        let data = caller.data_mut();
        data.lines.push(line);
        data.seen_at.push(at);
        Ok(())
    });
    let inst = store.instantiate(&m, &[Extern::Func(log)]).unwrap();
    let run = func(&store, inst, "run");
    assert_eq!(store.invoke(run, &[]), Ok(vec![]));
    assert_eq!(store.data().lines, ["hello, host", "second"]);
    // Not a copy: the very bytes of the memory.
    let Some(Extern::Memory(mem)) = store.export(inst, "memory") else {
        panic!("no memory")
    };
    let base = store.memory(mem).data().as_ptr() as usize;
    assert_eq!(store.data().seen_at, [base + 100, base + 200]);
}

#[test]
fn a_host_function_grows_the_callers_memory() {
    let m = module(
        r#"(module
          (import "env" "grow" (func $grow (param i32) (result i32)))
          (import "env" "read" (func $read (param i32) (result i32)))
          (memory (export "memory") 1 4)
          (func (export "run") (result i32 i32 i32 i32)
            (local $old i32)
            (local.set $old (call $grow (i32.const 2)))
            ;; The last word of the memory as grown: out of bounds before.
            (i32.store (i32.const 196604) (i32.const 0x12345678))
            (local.get $old)
            (memory.size)
            ;; What the host function wrote in the first new page.
            (i32.load8_u (i32.const 65536))
            ;; The new bytes wasm wrote, as the host function reads them.
            (call $read (i32.const 196604)))
          (func (export "oob") (result i32) (i32.load (i32.const 262144))))"#,
    );
    let mut store = Store::new();
    let grow = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        |mut caller, args, results| {
            let Some(Extern::Memory(m)) = caller.export("memory") else {
                return Err(Trap::host("no memory export"));
            };
            let [Value::I32(delta)] = *args else {
                return Err(Trap::host("one i32 argument"));
            };
            let memory = caller.store_mut().memory_mut(m);
            let old = memory
                .grow(delta as u64)
                .ok_or_else(|| Trap::host("cannot grow"))?;
            memory.data_mut()[(old * 65536) as usize] = 0xab;
            results[0] = Value::I32(old as i32);
            Ok(())
        },
    );
    let read = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        |caller, args, results| {
            let Some(Extern::Memory(m)) = caller.export("memory") else {
                return Err(Trap::host("no memory export"));
            };
            let [Value::I32(at)] = *args else {
                return Err(Trap::host("one i32 argument"));
            };
            let at = at as u32 as usize;
            let bytes = caller.store().memory(m).data()[at..at + 4]
                .try_into()
                .unwrap();
            results[0] = Value::I32(i32::from_le_bytes(bytes));
            Ok(())
        },
    );
    let inst = store
        .instantiate(&m, &[Extern::Func(grow), Extern::Func(read)])
        .unwrap();
    let run = func(&store, inst, "run");
    assert_eq!(
        store.invoke(run, &[]),
        Ok(vec![
            Value::I32(1),
            Value::I32(3),
            Value::I32(0xab),
            Value::I32(0x12345678)
        ])
    );
    let Some(Extern::Memory(mem)) = store.export(inst, "memory") else {
        panic!("no memory")
    };
    assert_eq!(store.memory(mem).pages(), 3);
    assert_eq!(store.memory(mem).grows(), 1);
    // Once more: 3 + 2 is over the maximum (4), the host function fails, nothing changes.
    assert_eq!(store.invoke(run, &[]), Err(Trap::host("cannot grow")));
    assert_eq!(store.memory(mem).pages(), 3);
    let oob = func(&store, inst, "oob");
    assert_eq!(store.invoke(oob, &[]), Err(Trap::MemoryOutOfBounds));
}

// ---------------------------------------------------------------------------------------
// Calls back into wasm

const CALLBACK: &str = r#"(module
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (memory 1)
  (func $square (export "square") (param i32) (result i32)
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
    (i32.mul (local.get 0) (local.get 0)))
  (func (export "run") (param i32) (result i32)
    (local $keep i64)
    (local.set $keep (i64.const 0x0123456789abcdef))
    (i32.add
      (call $cb (local.get 0))
      (if (result i32) (i64.eq (local.get $keep) (i64.const 0x0123456789abcdef))
        (then (i32.const 1))
        (else (i32.const 1000)))))
  (func (export "tail") (param i32) (result i32) (return_call $cb (local.get 0)))
  (func (export "count") (result i32) (i32.load (i32.const 0))))"#;

/// A host function `cb` that calls the instance's `square` and returns its result.
fn callback_instance() -> (Store<u32>, Instance) {
    let m = module(CALLBACK);
    let mut store = Store::with_data(0u32);
    let cb = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        |mut caller, args, results| {
            assert!(caller.instance().is_some());
            *caller.data_mut() += 1;
            let square = caller_func(&caller, "square")?;
            caller.store_mut().call(square, args, results)
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(cb)]).unwrap();
    (store, inst)
}

#[test]
fn a_host_function_calls_an_export_of_its_caller() {
    let (mut store, inst) = callback_instance();
    let run = func(&store, inst, "run");
    // 7² + 1: the caller's frame (its i64 local) survives the nested call.
    assert_eq!(
        store.invoke(run, &[Value::I32(7)]),
        Ok(vec![Value::I32(50)])
    );
    let tail = func(&store, inst, "tail");
    assert_eq!(
        store.invoke(tail, &[Value::I32(9)]),
        Ok(vec![Value::I32(81)])
    );
    let count = func(&store, inst, "count");
    assert_eq!(store.invoke(count, &[]), Ok(vec![Value::I32(2)]));
    assert_eq!(*store.data(), 2);
}

#[test]
fn a_host_function_called_by_the_embedder_has_no_caller_instance() {
    let mut store = Store::with_data(None::<Option<Instance>>);
    let f = store.func_new(ty(&[], &[ValType::I64]), |mut caller, _, results| {
        // The results come filled with their defaults.
        assert_eq!(results, [Value::I64(0)]);
        let instance = caller.instance();
        *caller.data_mut() = Some(instance);
        results[0] = Value::I64(-5);
        Ok(())
    });
    assert_eq!(store.invoke(f, &[]), Ok(vec![Value::I64(-5)]));
    assert_eq!(*store.data(), Some(None));
    // The embedder's calls check the arguments and the room for results.
    assert!(matches!(
        store.invoke(f, &[Value::I32(1)]),
        Err(Trap::Host(_))
    ));
    assert!(matches!(store.call(f, &[], &mut []), Err(Trap::Host(_))));
    let g = store.func_new(ty(&[ValType::I32], &[]), |_, _, _| Ok(()));
    assert!(matches!(
        store.invoke(g, &[Value::I64(1)]),
        Err(Trap::Host(_))
    ));
    assert_eq!(store.invoke(g, &[Value::I32(1)]), Ok(vec![]));
}

/// User data of the re-entrancy tests.
#[derive(Default)]
struct Depth {
    /// Host calls running, one inside the other.
    depth: u32,
    /// Most of them at once.
    max: u32,
    /// The native stack address of the host function at each depth (the first time).
    addrs: Vec<usize>,
}

/// `rec(n)`: `n` host calls, each calling `rec(n - 1)` from the host function (wasm →
/// host → wasm → host …); returns `n`.
fn reentrant_instance() -> (Store<Depth>, Instance) {
    let m = module(
        r#"(module
          (import "env" "reenter" (func $reenter (param i32) (result i32)))
          (func (export "rec") (param $n i32) (result i32)
            (if (result i32) (i32.eqz (local.get $n))
              (then (i32.const 0))
              (else (i32.add (call $reenter (i32.sub (local.get $n) (i32.const 1)))
                             (i32.const 1))))))"#,
    );
    let mut store = Store::with_data(Depth::default());
    let reenter = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        |mut caller: Caller<'_, Depth>, args, results| {
            let here = stack_address();
            let d = caller.data_mut();
            d.depth += 1;
            d.max = d.max.max(d.depth);
            if d.addrs.len() < d.depth as usize {
                d.addrs.push(here);
            }
            let outcome = caller_func(&caller, "rec")
                .and_then(|rec| caller.store_mut().call(rec, args, results));
            caller.data_mut().depth -= 1;
            outcome
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(reenter)]).unwrap();
    (store, inst)
}

/// Native stack per nesting level (host function to host function), in bytes.
fn stack_per_level(addrs: &[usize]) -> usize {
    let n = addrs.len() - 1;
    addrs[0].abs_diff(addrs[n]) / n
}

/// 1,000 levels of wasm → host → wasm on a spawned thread's default stack (2 MiB). A level
/// takes about 1.8 KiB of native stack in release builds and 7 to 9 KiB in debug builds
/// (the test prints it), so past a few hundred levels the nested calls continue on new
/// stack segments ([`crate::NATIVE_STACK_RED_ZONE`]).
#[test]
#[cfg_attr(miri, ignore = "thousands of nested calls: too slow under miri")]
fn reentrancy_a_thousand_levels_deep_fits_a_spawned_threads_stack() {
    let (mut store, inst) = reentrant_instance();
    let rec = func(&store, inst, "rec");
    let store = on_spawned_thread_stack(move || {
        let out = store.invoke(rec, &[Value::I32(1000)]);
        let per_level = stack_per_level(&store.data().addrs);
        eprintln!(
            "re-entrancy: {per_level} bytes of native stack per level ({} build); \
             without growing the stack, room for about {} levels in NATIVE_STACK_BUDGET",
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
            NATIVE_STACK_BUDGET / per_level.max(1)
        );
        assert_eq!(
            out,
            Ok(vec![Value::I32(1000)]),
            "{per_level} bytes per level"
        );
        store
    });
    assert!(store.data().max >= 1000, "{}", store.data().max);
    assert_eq!(store.data().depth, 0);
}

#[test]
#[cfg_attr(miri, ignore = "thousands of nested calls: too slow under miri")]
fn unbounded_reentrancy_ends_with_stack_exhausted() {
    let (mut store, inst) = reentrant_instance();
    let rec = func(&store, inst, "rec");
    let store = on_spawned_thread_stack(move || {
        // -1: counts down (wrapping) for 2^32 levels.
        assert_eq!(
            store.invoke(rec, &[Value::I32(-1)]),
            Err(Trap::StackExhausted)
        );
        let (max, per_level) = (store.data().max, stack_per_level(&store.data().addrs));
        eprintln!(
            "unbounded re-entrancy: stopped at {max} levels, {per_level} bytes of native \
             stack per level"
        );
        // What stopped it is one of the limits, not something before them. (Whether the
        // native stack budget allows 1,000 levels is the test above.)
        assert!(
            max >= crate::MAX_NESTED_CALLS || (max as usize + 2) * per_level > NATIVE_STACK_BUDGET,
            "stopped at {max} levels of {per_level} bytes"
        );
        assert_eq!(store.data().depth, 0);
        // The store is fine afterwards, and has its whole budget again.
        store.data_mut().max = 0;
        assert_eq!(
            store.invoke(rec, &[Value::I32(10)]),
            Ok(vec![Value::I32(10)])
        );
        assert_eq!(store.data().max, 10);
        assert_eq!(
            store.invoke(rec, &[Value::I32(-1)]),
            Err(Trap::StackExhausted)
        );
        assert_eq!(
            store.invoke(rec, &[Value::I32(50)]),
            Ok(vec![Value::I32(50)])
        );
        store
    });
    assert_eq!(store.data().depth, 0);
}

#[test]
#[cfg_attr(miri, ignore = "thousands of nested calls: too slow under miri")]
fn host_functions_calling_host_functions_end_with_stack_exhausted() {
    // `apply(f)` calls `f(f)`: handed itself by wasm, it recurses host function to host
    // function without a wasm frame in between, and must still stop at the limits.
    let m = module(
        r#"(module
          (import "env" "apply" (func $apply (param funcref)))
          (elem declare func $apply)
          (func (export "run") (call $apply (ref.func $apply))))"#,
    );
    let mut store = Store::with_data(0u32);
    let funcref = ValType::Ref(rill_decoder::RefType::FUNCREF);
    let apply = store.func_new(ty(&[funcref], &[]), |mut caller, args, _| {
        let [Value::FuncRef(Some(f))] = *args else {
            return Err(Trap::host("a function"));
        };
        *caller.data_mut() += 1;
        caller.store_mut().call(f, args, &mut [])
    });
    let inst = store.instantiate(&m, &[Extern::Func(apply)]).unwrap();
    let run = func(&store, inst, "run");
    on_spawned_thread_stack(move || {
        assert_eq!(store.invoke(run, &[]), Err(Trap::StackExhausted));
        assert!(*store.data() > 1);
        // Called by the embedder directly, too.
        *store.data_mut() = 0;
        assert_eq!(
            store.invoke(apply, &[Value::FuncRef(Some(apply))]),
            Err(Trap::StackExhausted)
        );
        assert!(*store.data() > 1);
    });
}

#[test]
#[cfg_attr(miri, ignore = "100,000 frames: too slow under miri")]
fn the_call_depth_limit_counts_the_frames_of_every_nested_call() {
    // `deep(n)`: n wasm frames, then the host function, which calls `deep2(k)` for k more.
    let m = module(
        r#"(module
          (import "env" "host" (func $host (param i32) (result i32)))
          (func $deep (export "deep") (param $n i32) (param $k i32) (result i32)
            (if (result i32) (i32.eqz (local.get $n))
              (then (call $host (local.get $k)))
              (else (i32.add (call $deep (i32.sub (local.get $n) (i32.const 1)) (local.get $k))
                             (i32.const 1)))))
          (func $deep2 (export "deep2") (param $n i32) (result i32)
            (if (result i32) (i32.eqz (local.get $n))
              (then (i32.const 0))
              (else (i32.add (call $deep2 (i32.sub (local.get $n) (i32.const 1)))
                             (i32.const 1))))))"#,
    );
    let mut store = Store::new();
    let host = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        |mut caller, args, results| {
            let deep2 = caller_func(&caller, "deep2")?;
            caller.store_mut().call(deep2, args, results)
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(host)]).unwrap();
    let deep = func(&store, inst, "deep");
    let half = crate::MAX_CALL_DEPTH as i32 / 2;
    on_spawned_thread_stack(move || {
        let small = half - 100;
        assert_eq!(
            store.invoke(deep, &[Value::I32(small), Value::I32(small)]),
            Ok(vec![Value::I32(2 * small)])
        );
        let big = half + 100;
        assert_eq!(
            store.invoke(deep, &[Value::I32(big), Value::I32(big)]),
            Err(Trap::StackExhausted)
        );
        assert_eq!(
            store.invoke(deep, &[Value::I32(small), Value::I32(small)]),
            Ok(vec![Value::I32(2 * small)])
        );
    });
}

#[test]
fn v128_values_through_a_callback() {
    let m = module(
        r#"(module
          (import "env" "cb" (func $cb (param v128) (result v128)))
          (func (export "twice") (param v128) (result v128) (i64x2.add (local.get 0) (local.get 0)))
          (func (export "run") (param v128) (result v128)
            (local $keep v128)
            (local.set $keep (v128.const i64x2 -1 7))
            (i64x2.add (call $cb (local.get 0)) (local.get $keep))))"#,
    );
    let mut store = Store::new();
    let cb = store.func_new(
        ty(&[ValType::V128], &[ValType::V128]),
        |mut caller, args, results| {
            let twice = caller_func(&caller, "twice")?;
            caller.store_mut().call(twice, args, results)
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(cb)]).unwrap();
    let run = func(&store, inst, "run");
    let x = (5u128 << 64) | 0x8000_0000_0000_0001;
    // Lanes: low 0x8000_0000_0000_0001 * 2 - 1 = 1, high 5 * 2 + 7 = 17.
    assert_eq!(
        store.invoke(run, &[Value::V128(x)]),
        Ok(vec![Value::V128((17u128 << 64) | 1)])
    );
}

#[test]
fn a_host_function_instantiates_a_module_and_calls_into_it() {
    // The caller's frames stay suspended while the store gains functions and instances.
    let outer = module(
        r#"(module
          (import "env" "spawn" (func $spawn (param i32) (result i32)))
          (func (export "run") (param i32) (result i32)
            (local $keep i32)
            (local.set $keep (i32.const 1000))
            (i32.add (call $spawn (local.get 0)) (local.get $keep))))"#,
    );
    let inner = module(
        r#"(module
          (import "env" "note" (func $note (param i32)))
          (global $g (mut i32) (i32.const 0))
          (func $start (global.set $g (i32.const 3)) (call $note (i32.const 77)))
          (start $start)
          (func (export "add_g") (param i32) (result i32)
            (i32.add (local.get 0) (global.get $g))))"#,
    );
    let mut store = Store::with_data(Vec::<i32>::new());
    let note = store.func_new(ty(&[ValType::I32], &[]), |mut caller, args, _| {
        let Value::I32(v) = args[0] else {
            return Err(Trap::host("an i32"));
        };
        caller.data_mut().push(v);
        Ok(())
    });
    let spawn = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        move |mut caller, args, results| {
            let store = caller.store_mut();
            let inst = store
                .instantiate(&inner, &[Extern::Func(note)])
                .map_err(|e| Trap::host(e.to_string()))?;
            let add_g = func(store, inst, "add_g");
            store.call(add_g, args, results)
        },
    );
    let inst = store.instantiate(&outer, &[Extern::Func(spawn)]).unwrap();
    let run = func(&store, inst, "run");
    for round in 1..=3 {
        assert_eq!(
            store.invoke(run, &[Value::I32(round)]),
            Ok(vec![Value::I32(1003 + round)])
        );
    }
    assert_eq!(*store.data(), [77, 77, 77]);
}

// ---------------------------------------------------------------------------------------
// Exceptions and traps across host functions

const EXCEPTIONS: &str = r#"(module
  (import "env" "host" (func $host))
  (tag $e (export "e") (param i32))
  (func (export "thrower") (throw $e (i32.const 42)))
  (func (export "catch_all") (result i32)
    (block $h
      (try_table (catch_all $h) (call $host))
      (return (i32.const 0)))
    (i32.const 1))
  (func (export "catch_tag") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $host))
      (return (i32.const 0))))
  (func (export "uncaught") (call $host)))"#;

#[test]
fn an_exception_from_a_nested_call_is_caught_by_the_outer_wasm() {
    let m = module(EXCEPTIONS);
    let mut store = Store::with_data(Vec::<Result<(), Trap>>::new());
    let host = store.func_new(ty(&[], &[]), |mut caller, _, _| {
        let thrower = caller_func(&caller, "thrower")?;
        let outcome = caller.store_mut().call(thrower, &[], &mut []);
        caller.data_mut().push(outcome.clone());
        outcome
    });
    let inst = store.instantiate(&m, &[Extern::Func(host)]).unwrap();
    let Some(Extern::Tag(tag)) = store.export(inst, "e") else {
        panic!("no tag")
    };
    let catch_all = func(&store, inst, "catch_all");
    assert_eq!(store.invoke(catch_all, &[]), Ok(vec![Value::I32(1)]));
    let catch_tag = func(&store, inst, "catch_tag");
    assert_eq!(store.invoke(catch_tag, &[]), Ok(vec![Value::I32(42)]));
    // What the host function saw: the uncaught exception, by address.
    let seen = std::mem::take(store.data_mut());
    assert_eq!(seen.len(), 2);
    for outcome in seen {
        let Err(Trap::Exception(e)) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(store.exception(e).tag(), Some(tag));
        assert_eq!(store.exception(e).payload(), [Value::I32(42)]);
    }
    // Caught by nobody: it ends the outer call.
    let uncaught = func(&store, inst, "uncaught");
    let Err(Trap::Exception(e)) = store.invoke(uncaught, &[]) else {
        panic!("an uncaught exception")
    };
    assert_eq!(store.exception(e).payload(), [Value::I32(42)]);
}

#[test]
fn a_host_trap_ends_the_outer_call_and_no_handler_catches_it() {
    let m = module(EXCEPTIONS);
    let mut store = Store::new();
    let payload: Arc<dyn std::any::Any + Send + Sync> = Arc::new(String::from("mine"));
    let failure = HostFailure::with_payload("boom", crate::HostData(payload.clone()));
    let trap = Trap::Host(Box::new(failure));
    let expected = trap.clone();
    let host = store.func_new(ty(&[], &[]), move |_, _, _| Err(trap.clone()));
    let inst = store.instantiate(&m, &[Extern::Func(host)]).unwrap();
    for name in ["catch_all", "catch_tag", "uncaught"] {
        let f = func(&store, inst, name);
        let out = store.invoke(f, &[]);
        assert_eq!(out, Err(expected.clone()), "{name}");
        let Err(Trap::Host(failure)) = out else {
            unreachable!()
        };
        assert_eq!(failure.message(), "boom");
        let got = &failure.payload().expect("the payload").0;
        assert!(Arc::ptr_eq(got, &payload));
        assert_eq!(
            got.downcast_ref::<String>().map(String::as_str),
            Some("mine")
        );
    }
}

#[test]
fn a_nested_trap_passes_through_the_host_function() {
    let m = module(
        r#"(module
          (import "env" "host" (func $host (result i32)))
          (func (export "div0") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
          (func (export "run") (result i32)
            (block $h
              (try_table (catch_all $h) (return (call $host))))
            (i32.const -1)))"#,
    );
    let mut store = Store::new();
    let host = store.func_new(ty(&[], &[ValType::I32]), |mut caller, _, results| {
        let div0 = caller_func(&caller, "div0")?;
        caller.store_mut().call(div0, &[], results)
    });
    let inst = store.instantiate(&m, &[Extern::Func(host)]).unwrap();
    let run = func(&store, inst, "run");
    assert_eq!(store.invoke(run, &[]), Err(Trap::IntegerDivideByZero));
}

#[test]
fn a_host_function_returning_a_value_of_the_wrong_type_traps() {
    let m = module(
        r#"(module
          (import "env" "host" (func $host (result i32)))
          (func (export "run") (result i32) (call $host)))"#,
    );
    let mut store = Store::new();
    let host = store.func_new(ty(&[], &[ValType::I32]), |_, _, results| {
        results[0] = Value::I64(1);
        Ok(())
    });
    let inst = store.instantiate(&m, &[Extern::Func(host)]).unwrap();
    let run = func(&store, inst, "run");
    assert!(matches!(store.invoke(run, &[]), Err(Trap::Host(_))));
}

#[test]
fn host_functions_with_many_parameters_and_results() {
    // More than the host call keeps on the native stack (8): the arguments reversed.
    let m = module(
        r#"(module
          (import "env" "rev" (func $rev (param i32 i64 i32 i64 i32 i64 i32 i64 i32 i64)
                                         (result i64 i32 i64 i32 i64 i32 i64 i32 i64 i32)))
          (func (export "run") (result i64 i32 i64 i32 i64 i32 i64 i32 i64 i32)
            (call $rev (i32.const 1) (i64.const 2) (i32.const 3) (i64.const 4) (i32.const 5)
                       (i64.const 6) (i32.const 7) (i64.const 8) (i32.const 9) (i64.const 10)))
          (func (export "tail") (result i64 i32 i64 i32 i64 i32 i64 i32 i64 i32)
            (return_call $rev (i32.const 1) (i64.const 2) (i32.const 3) (i64.const 4)
                              (i32.const 5) (i64.const 6) (i32.const 7) (i64.const 8)
                              (i32.const 9) (i64.const 10))))"#,
    );
    let mut store = Store::new();
    let params = [ValType::I32, ValType::I64].repeat(5);
    let results = [ValType::I64, ValType::I32].repeat(5);
    let rev = store.func_new(ty(&params, &results), |_, args, results| {
        for (r, a) in results.iter_mut().zip(args.iter().rev()) {
            *r = *a;
        }
        Ok(())
    });
    let inst = store.instantiate(&m, &[Extern::Func(rev)]).unwrap();
    let args: Vec<Value> = (1..=10)
        .map(|i| {
            if i % 2 == 1 {
                Value::I32(i)
            } else {
                Value::I64(i64::from(i))
            }
        })
        .collect();
    let reversed: Vec<Value> = args.iter().rev().copied().collect();
    for name in ["run", "tail"] {
        let f = func(&store, inst, name);
        assert_eq!(store.invoke(f, &[]).as_ref(), Ok(&reversed), "{name}");
    }
    assert_eq!(store.invoke(rev, &args), Ok(reversed));
}

#[test]
#[cfg_attr(miri, ignore = "unwinding through nested calls: slow under miri")]
fn a_host_panic_unwinds_through_nested_calls_and_leaves_the_store_usable() {
    struct Flags {
        panic_at_bottom: bool,
        calls: u32,
    }
    let m = module(
        r#"(module
          (import "env" "reenter" (func $reenter (param i32) (result i32)))
          (func (export "rec") (param $n i32) (result i32)
            (block $h
              ;; A wasm handler does not catch a panic.
              (try_table (catch_all $h)
                (return (i32.add (call $reenter (local.get $n)) (i32.const 1)))))
            (i32.const -1000)))"#,
    );
    let mut store = Store::with_data(Flags {
        panic_at_bottom: true,
        calls: 0,
    });
    let reenter = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        |mut caller: Caller<'_, Flags>, args, results| {
            let [Value::I32(n)] = *args else {
                return Err(Trap::host("one i32"));
            };
            caller.data_mut().calls += 1;
            if n == 0 {
                if caller.data().panic_at_bottom {
                    panic!("deep panic");
                }
                return Ok(());
            }
            let rec = caller_func(&caller, "rec")?;
            caller.store_mut().call(rec, &[Value::I32(n - 1)], results)
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(reenter)]).unwrap();
    let rec = func(&store, inst, "rec");
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.invoke(rec, &[Value::I32(5)])
    }));
    let payload = caught.expect_err("the panic comes out of the call");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"deep panic"));
    assert_eq!(store.data().calls, 6);
    // Every level put its part of the call stack back.
    let stack = &store.inner.stack;
    assert_eq!((stack.nesting, stack.base, stack.depth), (0, 0, 0));
    store.data_mut().panic_at_bottom = false;
    assert_eq!(store.invoke(rec, &[Value::I32(5)]), Ok(vec![Value::I32(6)]));
    let stack = &store.inner.stack;
    assert_eq!((stack.nesting, stack.base, stack.depth), (0, 0, 0));
}

// ---------------------------------------------------------------------------------------
// The store replaced, user data

#[test]
fn a_host_function_that_replaces_the_store_ends_the_call() {
    let m = module(CALLBACK);
    let mut store = Store::with_data(String::from("old"));
    let cb = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        |mut caller, _, results| {
            *caller.store_mut() = Store::with_data(String::from("new"));
            results[0] = Value::I32(5);
            Ok(())
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(cb)]).unwrap();
    let old_id = store.id();
    for name in ["run", "tail"] {
        // Instantiated again for the second round: the first replaced the store.
        let inst = if name == "run" {
            inst
        } else {
            let cb = store.func_new(ty(&[ValType::I32], &[ValType::I32]), |mut caller, _, _| {
                *caller.store_mut() = Store::with_data(String::from("new"));
                Ok(())
            });
            store.instantiate(&m, &[Extern::Func(cb)]).unwrap()
        };
        let f = func(&store, inst, name);
        let out = store.invoke(f, &[Value::I32(3)]);
        assert!(matches!(out, Err(Trap::Host(_))), "{name}: {out:?}");
        assert_eq!(store.data(), "new");
        assert_ne!(store.id(), old_id);
        // The new store works.
        let (mut fresh, fresh_inst) = callback_instance();
        let run = func(&fresh, fresh_inst, "run");
        assert_eq!(
            fresh.invoke(run, &[Value::I32(3)]),
            Ok(vec![Value::I32(10)])
        );
        assert_eq!(store.func_count(), 0);
    }
}

#[test]
fn a_store_replaced_in_a_nested_call_ends_every_level() {
    // `rec(n)` calls the host function, which calls `rec(n - 1)`, and replaces the store
    // at `n == 0`.
    let mut store = Store::with_data(Depth::default());
    let m = module(
        r#"(module
          (import "env" "reenter" (func $reenter (param i32) (result i32)))
          (func (export "rec") (param $n i32) (result i32)
            (i32.add (call $reenter (local.get $n)) (i32.const 1))))"#,
    );
    let reenter = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        |mut caller: Caller<'_, Depth>, args, results| {
            let [Value::I32(n)] = *args else {
                return Err(Trap::host("one i32"));
            };
            caller.data_mut().depth += 1;
            if n == 0 {
                *caller.store_mut() = Store::with_data(Depth {
                    max: 12345,
                    ..Depth::default()
                });
                return Ok(());
            }
            let rec = caller_func(&caller, "rec")?;
            let out = caller.store_mut().call(rec, &[Value::I32(n - 1)], results);
            // The replacement's data from here on.
            caller.data_mut().depth += 100;
            out
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(reenter)]).unwrap();
    let rec = func(&store, inst, "rec");
    let out = store.invoke(rec, &[Value::I32(5)]);
    assert!(matches!(out, Err(Trap::Host(_))), "{out:?}");
    // The 5 host functions outside the one that replaced it ran on with the new store.
    assert_eq!(store.data().max, 12345);
    assert_eq!(store.data().depth, 500);
}

#[test]
fn user_data_counts_host_calls() {
    #[derive(Default, Debug, PartialEq)]
    struct Counters {
        calls: u64,
        sum: i64,
    }
    let m = module(
        r#"(module
          (import "env" "count" (func $count (param i64)))
          (func (export "run") (param $n i64)
            (loop $l
              (call $count (local.get $n))
              (br_if $l (i64.ne (local.tee $n (i64.sub (local.get $n) (i64.const 1)))
                                (i64.const 0))))))"#,
    );
    let mut store = Store::with_data(Counters::default());
    fn bump(mut caller: Caller<'_, Counters>, v: i64) {
        let c = caller.data_mut();
        c.calls += 1;
        c.sum += v;
    }
    let count = store.func_new(ty(&[ValType::I64], &[]), |mut caller, args, _| {
        let Value::I64(v) = args[0] else {
            return Err(Trap::host("an i64"));
        };
        // Counted once through a reborrow, once through the caller itself.
        bump(caller.reborrow(), v);
        caller.data_mut().calls -= 1;
        bump(caller, 0);
        Ok(())
    });
    let inst = store.instantiate(&m, &[Extern::Func(count)]).unwrap();
    let run = func(&store, inst, "run");
    assert_eq!(store.invoke(run, &[Value::I64(100)]), Ok(vec![]));
    assert_eq!(
        *store.data(),
        Counters {
            calls: 100,
            sum: 5050
        }
    );
    store.data_mut().calls = 0;
    assert_eq!(store.invoke(run, &[Value::I64(3)]), Ok(vec![]));
    assert_eq!(
        store.into_data(),
        Counters {
            calls: 3,
            sum: 5056
        }
    );
}

// ---------------------------------------------------------------------------------------
// Tables and globals from host code

#[test]
fn host_code_changes_tables_and_globals() {
    let m = module(
        r#"(module
          (import "env" "poke" (func $poke))
          (type $t (func (result i32)))
          (table $t0 (export "t") 2 10 funcref)
          (table (export "ext") 1 externref)
          (global (export "g") (mut i32) (i32.const 1))
          (global (export "k") i32 (i32.const 7))
          (global (export "fg") (mut funcref) (ref.null func))
          (func $forty_two (export "forty_two") (result i32) (i32.const 42))
          (func (export "run") (result i32 i32 i32 i32)
            (call $poke)
            (call_indirect $t0 (type $t) (i32.const 1))
            (table.size $t0)
            (global.get 0)
            ;; The funcref global the host function set, through the table.
            (table.set $t0 (i32.const 0) (global.get 2))
            (call_indirect $t0 (type $t) (i32.const 0))))"#,
    );
    let mut store = Store::with_data(Vec::<String>::new());
    let poke = store.func_new(ty(&[], &[]), |mut caller, _, _| {
        let get = |name: &str| caller.export(name).expect(name);
        let (Extern::Table(t), Extern::Table(ext), Extern::Global(g), Extern::Global(k)) =
            (get("t"), get("ext"), get("g"), get("k"))
        else {
            panic!("exports")
        };
        let Extern::Global(fg) = get("fg") else {
            panic!("fg")
        };
        let forty_two = caller_func(&caller, "forty_two")?;
        let s = caller.store_mut();
        let mut checks = Vec::new();
        let mut check = |what: &str, ok: bool| {
            if !ok {
                checks.push(what.to_owned())
            }
        };
        check(
            "set",
            s.table_set(t, 1, Value::FuncRef(Some(forty_two))) == Ok(()),
        );
        check(
            "externref into funcref",
            s.table_set(t, 0, Value::ExternRef(Some(1))) == Err(AccessError::WrongType),
        );
        check(
            "no such function",
            s.table_set(t, 0, Value::FuncRef(Some(Func(999_999)))) == Err(AccessError::WrongType),
        );
        check(
            "i32 into funcref",
            s.table_set(t, 0, Value::I32(1)) == Err(AccessError::WrongType),
        );
        check(
            "out of bounds",
            s.table_set(t, 2, Value::FuncRef(None)) == Err(AccessError::OutOfBounds),
        );
        check(
            "get",
            s.table_get(t, 1) == Some(Value::FuncRef(Some(forty_two))),
        );
        check("get null", s.table_get(t, 0) == Some(Value::FuncRef(None)));
        check("get out of bounds", s.table_get(t, 2).is_none());
        check("get far out of bounds", s.table_get(t, u64::MAX).is_none());
        check(
            "grow with an externref",
            s.table_grow(t, 1, Value::ExternRef(None)) == Err(AccessError::WrongType),
        );
        check(
            "grow with no such function",
            s.table_grow(t, 1, Value::FuncRef(Some(Func(999_999)))) == Err(AccessError::WrongType),
        );
        check(
            "grow over the maximum",
            s.table_grow(t, 9, Value::FuncRef(None)) == Ok(None),
        );
        check(
            "grow by u64::MAX",
            s.table_grow(t, u64::MAX, Value::FuncRef(None)) == Ok(None),
        );
        check("size unchanged", s.table(t).len() == 2);
        check(
            "grow",
            s.table_grow(t, 3, Value::FuncRef(Some(forty_two))) == Ok(Some(2)),
        );
        check("grown", s.table(t).len() == 5);
        check(
            "new element",
            s.table_get(t, 4) == Some(Value::FuncRef(Some(forty_two))),
        );
        check(
            "externref set",
            s.table_set(ext, 0, Value::ExternRef(Some(5))) == Ok(()),
        );
        check(
            "externref get",
            s.table_get(ext, 0) == Some(Value::ExternRef(Some(5))),
        );
        check(
            "funcref into externref",
            s.table_set(ext, 0, Value::FuncRef(None)) == Err(AccessError::WrongType),
        );
        check("global set", s.global_set(g, Value::I32(99)) == Ok(()));
        check(
            "global of the wrong type",
            s.global_set(g, Value::I64(99)) == Err(AccessError::WrongType),
        );
        check(
            "immutable global",
            s.global_set(k, Value::I32(1)) == Err(AccessError::Immutable),
        );
        check(
            "immutable global unchanged",
            s.global_get(k) == Value::I32(7),
        );
        check(
            "global type",
            !s.global_type(k).mutable && s.global_type(g).mutable,
        );
        check(
            "funcref global: no such function",
            s.global_set(fg, Value::FuncRef(Some(Func(999_999)))) == Err(AccessError::WrongType),
        );
        check(
            "funcref global",
            s.global_set(fg, Value::FuncRef(Some(forty_two))) == Ok(()),
        );
        caller.data_mut().extend(checks);
        Ok(())
    });
    let inst = store.instantiate(&m, &[Extern::Func(poke)]).unwrap();
    let run = func(&store, inst, "run");
    assert_eq!(
        store.invoke(run, &[]),
        Ok(vec![
            Value::I32(42),
            Value::I32(5),
            Value::I32(99),
            Value::I32(42)
        ])
    );
    assert!(store.data().is_empty(), "failed: {:?}", store.data());
}

#[test]
fn new_tables_and_globals_check_their_initial_value() {
    use rill_decoder::{GlobalType, Limits, RefType, TableType};
    let mut store = Store::new();
    let table = |element: RefType, min: u64| TableType {
        element,
        limits: Limits { min, max: None },
        table64: false,
        shared: false,
    };
    assert_eq!(
        store.table_new(table(RefType::FUNCREF, 1), Value::ExternRef(None)),
        None
    );
    assert_eq!(
        store.table_new(table(RefType::FUNCREF, 1), Value::FuncRef(Some(Func(7)))),
        None
    );
    assert_eq!(
        store.table_new(
            table(RefType::FUNCREF, crate::MAX_TABLE_ELEMENTS + 1),
            Value::FuncRef(None)
        ),
        None
    );
    let t = store
        .table_new(table(RefType::EXTERNREF, 3), Value::ExternRef(Some(9)))
        .unwrap();
    assert_eq!(store.table(t).len(), 3);
    assert_eq!(store.table_get(t, 2), Some(Value::ExternRef(Some(9))));
    let global = |content, mutable| GlobalType { content, mutable };
    assert_eq!(
        store.global_new(global(ValType::I32, true), Value::F32(0)),
        None
    );
    assert_eq!(
        store.global_new(
            global(ValType::Ref(RefType::FUNCREF), false),
            Value::FuncRef(Some(Func(0)))
        ),
        None
    );
    let g = store
        .global_new(global(ValType::I64, true), Value::I64(-1))
        .unwrap();
    assert_eq!(store.global_set(g, Value::I64(4)), Ok(()));
    assert_eq!(store.global_get(g), Value::I64(4));
}

#[test]
fn a_store_is_send_when_its_data_is() {
    fn send<T: Send>() {}
    fn store_of<T: Send>() {
        send::<Store<T>>();
    }
    store_of::<()>();
    store_of::<Vec<String>>();
    store_of::<std::sync::mpsc::Sender<u8>>();
}

// ---------------------------------------------------------------------------------------
// Host functions on raw slots

/// `(i32, i64, f32, f64) -> (f64, i32)`: the slots hold the arguments' bits; the
/// function writes its results over them.
fn raw_mix<T>(store: &mut Store<T>) -> Func {
    let params = [ValType::I32, ValType::I64, ValType::F32, ValType::F64];
    store.func_new_raw(ty(&params, &[ValType::F64, ValType::I32]), |_, slots| {
        assert_eq!(
            slots.len(),
            4,
            "room for the larger of parameters and results"
        );
        let a = slots[0] as u32 as i32;
        let b = slots[1] as i64;
        let c = f32::from_bits(slots[2] as u32);
        let d = f64::from_bits(slots[3]);
        slots[0] = (f64::from(a) + b as f64 + f64::from(c) + d).to_bits();
        slots[1] = u64::from((a * 2) as u32);
        Ok(())
    })
}

#[test]
fn a_raw_host_function_gets_and_returns_numbers_as_slots() {
    let m = module(
        r#"(module
          (import "env" "mix" (func $mix (param i32 i64 f32 f64) (result f64 i32)))
          (func (export "run") (result f64 i32)
            (call $mix (i32.const -3) (i64.const 40) (f32.const 0.5) (f64.const 2.25)))
          (func (export "tail") (result f64 i32)
            (return_call $mix (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4))))"#,
    );
    let mut store = Store::new();
    let mix = raw_mix(&mut store);
    let inst = store.instantiate(&m, &[Extern::Func(mix)]).unwrap();
    let run = func(&store, inst, "run");
    assert_eq!(
        store.invoke(run, &[]).unwrap(),
        [Value::F64(39.75f64.to_bits()), Value::I32(-6)]
    );
    let tail = func(&store, inst, "tail");
    assert_eq!(
        store.invoke(tail, &[]).unwrap(),
        [Value::F64(10f64.to_bits()), Value::I32(2)]
    );
    // Called by the embedder: values in, values out.
    let args = [
        Value::I32(1),
        Value::I64(1),
        Value::F32(1f32.to_bits()),
        Value::F64(1f64.to_bits()),
    ];
    assert_eq!(
        store.invoke(mix, &args).unwrap(),
        [Value::F64(4f64.to_bits()), Value::I32(2)]
    );
}

#[test]
fn a_raw_host_function_with_references_is_called_through_values_and_checked() {
    // A funcref parameter and result: wasm calls it through typed values, and a result
    // that is not one of the store's functions is refused.
    let m = module(
        r#"(module
          (import "env" "pass" (func $pass (param funcref) (result funcref)))
          (import "env" "bad" (func $bad (result funcref)))
          (func $f (export "f"))
          (elem declare func $f)
          (func (export "run") (result funcref) (call $pass (ref.func $f)))
          (func (export "run_bad") (result funcref) (call $bad)))"#,
    );
    let mut store = Store::new();
    let funcref = ValType::Ref(rill_decoder::RefType::FUNCREF);
    let pass = store.func_new_raw(ty(&[funcref], &[funcref]), |_, _| Ok(()));
    let bad = store.func_new_raw(ty(&[], &[funcref]), |_, slots| {
        slots[0] = 1_000_000;
        Ok(())
    });
    let inst = store
        .instantiate(&m, &[Extern::Func(pass), Extern::Func(bad)])
        .unwrap();
    let f = func(&store, inst, "f");
    let run = func(&store, inst, "run");
    assert_eq!(store.invoke(run, &[]).unwrap(), [Value::FuncRef(Some(f))]);
    let run_bad = func(&store, inst, "run_bad");
    assert!(matches!(store.invoke(run_bad, &[]), Err(Trap::Host(_))));
    assert!(matches!(store.invoke(bad, &[]), Err(Trap::Host(_))));
}

#[test]
fn a_typed_host_function_of_numbers_called_from_wasm_returns_checked_values() {
    // A host function on values whose type is all numbers is called through slots too:
    // a result of the wrong kind is still refused.
    let m = module(
        r#"(module
          (import "env" "inc" (func $inc (param i32) (result i32)))
          (import "env" "bad" (func $bad (param i32) (result i32)))
          (func (export "run") (param i32) (result i32) (call $inc (local.get 0)))
          (func (export "run_bad") (result i32) (call $bad (i32.const 0))))"#,
    );
    let mut store = Store::new();
    let i32_to_i32 = ty(&[ValType::I32], &[ValType::I32]);
    let inc = store.func_new(i32_to_i32.clone(), |_, args, results| {
        let [Value::I32(x)] = args else {
            return Err(Trap::host("not an i32"));
        };
        results[0] = Value::I32(x + 1);
        Ok(())
    });
    let bad = store.func_new(i32_to_i32, |_, _, results| {
        results[0] = Value::F32(0);
        Ok(())
    });
    let inst = store
        .instantiate(&m, &[Extern::Func(inc), Extern::Func(bad)])
        .unwrap();
    let run = func(&store, inst, "run");
    assert_eq!(
        store.invoke(run, &[Value::I32(41)]).unwrap(),
        [Value::I32(42)]
    );
    let run_bad = func(&store, inst, "run_bad");
    assert!(matches!(store.invoke(run_bad, &[]), Err(Trap::Host(_))));
}

#[test]
#[should_panic(expected = "v128")]
fn a_raw_host_function_cannot_take_v128() {
    Store::new().func_new_raw(ty(&[ValType::V128], &[]), |_, _| Ok(()));
}

#[test]
fn a_second_module_in_a_store_that_took_over_a_plan_shares_its_types() {
    // The first instance takes the module's registered types over without hashing them;
    // a second module must still find them (its function type is the first one's), so a
    // function of one called through the other's table checks its type as the same.
    let a = module(
        r#"(module
          (type $t (func (param i32) (result i32)))
          (table (export "table") 1 funcref)
          (elem (i32.const 0) $double)
          (func $double (type $t) (i32.mul (local.get 0) (i32.const 2))))"#,
    );
    let b = module(
        r#"(module
          (type $u (func (result f32)))
          (type $t (func (param i32) (result i32)))
          (import "a" "table" (table 1 funcref))
          (func (export "run") (param i32) (result i32)
            (call_indirect (type $t) (local.get 0) (i32.const 0)))
          (func (export "wrong") (result f32)
            (call_indirect (type $u) (i32.const 0))))"#,
    );
    let mut store = Store::new();
    let ia = store.instantiate(&a, &[]).unwrap();
    let table = store.export(ia, "table").unwrap();
    let ib = store.instantiate(&b, &[table]).unwrap();
    let run = func(&store, ib, "run");
    assert_eq!(
        store.invoke(run, &[Value::I32(21)]).unwrap(),
        [Value::I32(42)]
    );
    let wrong = func(&store, ib, "wrong");
    assert_eq!(
        store.invoke(wrong, &[]),
        Err(Trap::IndirectCallTypeMismatch)
    );
}

// ---------------------------------------------------------------------------------------
// Raw calls

#[test]
fn raw_calls_pass_slots_to_wasm_and_host_functions() {
    let m = module(
        r#"(module
          (func (export "mix") (param i32 i64 f64) (result i64 f64)
            (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1))
            (f64.mul (local.get 2) (f64.const 2)))
          (func (export "trap") (result i32) unreachable))"#,
    );
    let mut store = Store::new();
    let inst = store.instantiate(&m, &[]).unwrap();
    let mix = func(&store, inst, "mix");
    let args = [
        Value::I32(-3).to_raw(),
        Value::I64(10).to_raw(),
        Value::F64(1.5f64.to_bits()).to_raw(),
    ];
    let mut results = [0u64; 2];
    store.call_raw_unchecked(mix, &args, &mut results).unwrap();
    assert_eq!(Value::from_raw(results[0], ValType::I64), Value::I64(7));
    assert_eq!(
        Value::from_raw(results[1], ValType::F64),
        Value::F64(3f64.to_bits())
    );
    let trap = func(&store, inst, "trap");
    assert_eq!(
        store.call_raw_unchecked(trap, &[], &mut [0]),
        Err(Trap::Unreachable)
    );

    // A host function called with raw slots gets values made by its type.
    let neg = store.func_new(ty(&[ValType::F32], &[ValType::F32]), |_, args, results| {
        let Value::F32(x) = args[0] else {
            return Err(Trap::host("an f32"));
        };
        results[0] = Value::F32((-f32::from_bits(x)).to_bits());
        Ok(())
    });
    let mut out = [0u64];
    store
        .call_raw_unchecked(neg, &[Value::F32(2.5f32.to_bits()).to_raw()], &mut out)
        .unwrap();
    assert_eq!(out[0], u64::from((-2.5f32).to_bits()));
}
