//! Explicit stores (issue 13): host functions that read and grow the caller's memory, call
//! back into the calling instance, fail, and re-enter deeply; stores on several threads;
//! handles used with a store that is not theirs; the typed call path.

use std::sync::Arc;

use rill::{
    Caller, Error, Extern, Func, HostError, Imports, Instance, Module, Store, TypedFunc, Value,
};

/// WebAssembly text to binary.
fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).expect("the text lexes");
    let mut module = wast::parser::parse::<wast::Wat>(&buf).expect("the text parses");
    module.encode().expect("the module encodes")
}

fn module(text: &str) -> Module {
    Module::new(wat(text)).expect("the module compiles")
}

/// The calling instance's export `name`, as a function.
fn export_func<T>(caller: &Caller<'_, T>, name: &str) -> Func {
    caller
        .get_export(name)
        .and_then(Extern::into_func)
        .unwrap_or_else(|| panic!("the caller exports a function {name:?}"))
}

// Store<T> is Send when T is.
const _: fn() = || {
    fn send<S: Send>() {}
    send::<Store<()>>();
    send::<Store<Vec<String>>>();
    send::<Store<Arc<std::sync::Mutex<u64>>>>();
};

/// (a) env.log(ptr, len) reads a string out of the guest's memory, without copying, into
/// the store's data.
#[test]
fn host_reads_a_string_from_guest_memory() {
    let m = module(
        r#"(module
          (import "env" "log" (func $log (param i32 i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "héllo, store")
          (data (i32.const 200) "second")
          (func (export "run")
            (call $log (i32.const 100) (i32.const 13))
            (call $log (i32.const 200) (i32.const 6))))"#,
    );
    let mut store = Store::new(Vec::<String>::new());
    let log = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| -> Result<(), Error> {
            let memory = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .expect("an exported memory");
            let bytes = memory.data(&caller)?;
            let text = std::str::from_utf8(&bytes[ptr as usize..][..len as usize])
                .expect("UTF-8")
                .to_owned();
            caller.data_mut().push(text);
            Ok(())
        },
    );
    let mut imports = Imports::new();
    imports.define("env", "log", log);
    let instance = Instance::new(&mut store, &m, &imports).unwrap();
    let run = instance.get_typed_func::<(), ()>(&store, "run").unwrap();
    run.call(&mut store, ()).unwrap();
    assert_eq!(store.data(), &["héllo, store", "second"]);
    assert_eq!(store.into_data(), ["héllo, store", "second"]);
}

/// (b) A host function calls an export of the same instance (wasm → host → wasm) and the
/// result flows back into wasm and out.
#[test]
fn host_calls_back_into_the_calling_instance() {
    let m = module(
        r#"(module
          (import "host" "apply" (func $apply (param i32) (result i32)))
          (func (export "square") (param i32) (result i32)
            (i32.mul (local.get 0) (local.get 0)))
          ;; apply(n) + 1
          (func (export "run") (param i32) (result i32)
            (i32.add (call $apply (local.get 0)) (i32.const 1))))"#,
    );
    let mut store = Store::new(0u32);
    // Untyped nested call through `Func::call`.
    let apply = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, u32>, n: i32| -> Result<i32, Error> {
            *caller.data_mut() += 1;
            let square = export_func(&caller, "square");
            match square.call(&mut caller, &[Value::I32(n)])?[..] {
                [Value::I32(sq)] => Ok(sq),
                ref other => panic!("square returned {other:?}"),
            }
        },
    );
    let mut imports = Imports::new();
    imports.define("host", "apply", apply);
    let instance = Instance::new(&mut store, &m, &imports).unwrap();
    let run = instance.get_func(&store, "run").unwrap();
    assert_eq!(
        run.call(&mut store, &[Value::I32(7)]).unwrap(),
        [Value::I32(50)]
    );
    assert_eq!(*store.data(), 1);

    // The same through the typed path, in the host function and outside.
    let mut store = Store::new(0u32);
    let apply = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, u32>, n: i32| -> Result<i32, Error> {
            *caller.data_mut() += 1;
            let square = export_func(&caller, "square").typed::<i32, i32>(&caller)?;
            square.call(&mut caller, n)
        },
    );
    let mut imports = Imports::new();
    imports.define("host", "apply", apply);
    let instance = Instance::new(&mut store, &m, &imports).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 12).unwrap(), 145);
    assert_eq!(run.call(&mut store, -3).unwrap(), 10);
    assert_eq!(*store.data(), 2);
}

/// (c) Two threads, each with its own store and instance of one shared module, run at the
/// same time (a barrier makes them overlap) and get the right results.
#[test]
fn two_threads_two_stores() {
    let m = module(
        r#"(module
          (import "env" "tick" (func $tick))
          (func $fib (export "fib") (param $n i32) (result i32)
            (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (call $tick)
                    (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                             (call $fib (i32.sub (local.get $n) (i32.const 2))))))))"#,
    );
    let barrier = std::sync::Barrier::new(2);
    let results: Vec<(i32, i32, u64)> = std::thread::scope(|s| {
        let workers: Vec<_> = [20, 21]
            .into_iter()
            .map(|n| {
                let (m, barrier) = (m.clone(), &barrier);
                s.spawn(move || {
                    let mut store = Store::new(0u64);
                    let tick = Func::wrap(&mut store, |mut caller: Caller<'_, u64>| {
                        *caller.data_mut() += 1;
                    });
                    let mut imports = Imports::new();
                    imports.define("env", "tick", tick);
                    let instance = Instance::new(&mut store, &m, &imports).unwrap();
                    let fib = instance.get_typed_func::<i32, i32>(&store, "fib").unwrap();
                    barrier.wait();
                    let mut last = 0;
                    for _ in 0..5 {
                        last = fib.call(&mut store, n).unwrap();
                    }
                    (n, last, store.into_data())
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    // fib(n) makes fib(n + 1) - 1 calls with n >= 2 (each ticks once): fib(21) - 1 = 10945
    // for n = 20, fib(22) - 1 = 17710 for n = 21; five rounds each, each store its own.
    assert_eq!(results, [(20, 6765, 5 * 10945), (21, 10946, 5 * 17710)]);
}

/// (d) A host function grows the caller's memory by a page, writes into the new page, and
/// wasm sees the new size and the bytes.
#[test]
fn host_grows_the_callers_memory() {
    let m = module(
        r#"(module
          (import "env" "grow" (func $grow (result i32)))
          (memory (export "memory") 1 4)
          (func (export "run") (result i32 i32 i32)
            (call $grow)                   ;; the old size, from the host
            (memory.size)                  ;; the new size, as wasm sees it
            ;; what the host wrote at the start of the new (last) page
            (i32.load (i32.mul (i32.sub (memory.size) (i32.const 1)) (i32.const 65536)))))
        "#,
    );
    const PAGE: usize = 65536;
    let mut store = Store::new(());
    let grow = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, ()>| -> Result<i32, Error> {
            let memory = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .expect("an exported memory");
            let old = memory.grow(&mut caller, 1)?;
            assert_eq!(memory.size(&caller)?, old + 1);
            let new_page = old as usize * PAGE;
            let data = memory.data_mut(&mut caller)?;
            assert_eq!(data.len(), new_page + PAGE);
            assert!(
                data[new_page..].iter().all(|b| *b == 0),
                "a new page is zeroed"
            );
            data[new_page..new_page + 4].copy_from_slice(&(0x1234_5670 + old as u32).to_le_bytes());
            data[new_page + PAGE - 1] = 0xab;
            Ok(old as i32)
        },
    );
    let mut imports = Imports::new();
    imports.define("env", "grow", grow);
    let instance = Instance::new(&mut store, &m, &imports).unwrap();
    let run = instance
        .get_typed_func::<(), (i32, i32, i32)>(&store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), (1, 2, 0x1234_5671));
    let memory = instance.get_memory(&store, "memory").unwrap();
    assert_eq!(memory.size(&store).unwrap(), 2);
    assert_eq!(memory.data(&store).unwrap().len(), 2 * PAGE);
    assert_eq!(memory.data(&store).unwrap()[2 * PAGE - 1], 0xab);
    // Again: 3 pages, then 4 (the maximum), then the host's grow fails with its RangeError.
    assert_eq!(run.call(&mut store, ()).unwrap(), (2, 3, 0x1234_5672));
    assert_eq!(run.call(&mut store, ()).unwrap(), (3, 4, 0x1234_5673));
    assert!(matches!(
        run.call(&mut store, ()),
        Err(Error::RangeError(_))
    ));
    assert_eq!(memory.size(&store).unwrap(), 4);
}

#[derive(Debug, PartialEq)]
struct Refused {
    code: u32,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused with code {}", self.code)
    }
}

impl std::error::Error for Refused {}

/// (e) A host function's error ends the call and comes back unchanged: the same value
/// (downcast), the same `HostError` (equality), also through several wasm frames and
/// through a nested wasm → host → wasm → host call.
#[test]
fn host_errors_pass_through_unchanged() {
    let m = module(
        r#"(module
          (import "env" "fail" (func $fail (param i32) (result i32)))
          (import "env" "reenter" (func $reenter (param i32) (result i32)))
          (func (export "direct") (param i32) (result i32) (call $fail (local.get 0)))
          ;; Three wasm frames between the host function and the caller.
          (func $c (param i32) (result i32) (i32.add (call $fail (local.get 0)) (i32.const 1)))
          (func $b (param i32) (result i32) (i32.add (call $c (local.get 0)) (i32.const 1)))
          (func (export "deep") (param i32) (result i32)
            (i32.add (call $b (local.get 0)) (i32.const 1)))
          ;; wasm → host (reenter) → wasm (deep) → host (fail)
          (func (export "nested") (param i32) (result i32) (call $reenter (local.get 0))))"#,
    );
    // One raised error, kept to compare with what comes back.
    let raised = HostError::new(Refused { code: 7 });
    let mut store = Store::new(());
    let fail = {
        let raised = raised.clone();
        Func::wrap(&mut store, move |code: i32| -> Result<i32, HostError> {
            if code == 7 {
                Err(raised.clone())
            } else if code < 0 {
                Err(HostError::new(Refused { code: code as u32 }))
            } else {
                Ok(code)
            }
        })
    };
    let reenter = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, ()>, code: i32| -> Result<i32, Error> {
            let deep = export_func(&caller, "deep").typed::<i32, i32>(&caller)?;
            Ok(deep.call(&mut caller, code)? * 10)
        },
    );
    let mut imports = Imports::new();
    imports.define("env", "fail", fail);
    imports.define("env", "reenter", reenter);
    let instance = Instance::new(&mut store, &m, &imports).unwrap();

    for name in ["direct", "deep", "nested"] {
        let f = instance.get_typed_func::<i32, i32>(&store, name).unwrap();
        // The same HostError (same value), compared by equality.
        let err = f.call(&mut store, 7).unwrap_err();
        assert_eq!(err, Error::Host(raised.clone()), "{name}");
        // A fresh error each time: its value comes back, downcast.
        match f.call(&mut store, -3).unwrap_err() {
            Error::Host(h) => assert_eq!(
                h.downcast_ref::<Refused>(),
                Some(&Refused { code: -3i32 as u32 }),
                "{name}"
            ),
            other => panic!("{name}: expected Error::Host, got {other:?}"),
        }
        // Through the untyped call too.
        let err = f.func().call(&mut store, &[Value::I32(7)]).unwrap_err();
        assert_eq!(err, Error::Host(raised.clone()), "{name}");
        assert_eq!(err.to_string(), "refused with code 7");
    }
    // And without an error, the values flow: 5 + 3 for deep, (5 + 3) * 10 nested.
    let deep = instance.get_typed_func::<i32, i32>(&store, "deep").unwrap();
    let nested = instance
        .get_typed_func::<i32, i32>(&store, "nested")
        .unwrap();
    assert_eq!(deep.call(&mut store, 5).unwrap(), 8);
    assert_eq!(nested.call(&mut store, 5).unwrap(), 80);

    // A trap in the nested wasm, returned by the host function with `?`, comes back as
    // the same RuntimeError, not wrapped in Error::Host.
    let m = module(
        r#"(module
          (import "env" "call" (func $call (result i32)))
          (func (export "trap") (result i32) (unreachable))
          (func (export "run") (result i32) (call $call)))"#,
    );
    let mut store = Store::new(());
    let call = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, ()>| -> Result<i32, Error> {
            let trap = export_func(&caller, "trap").typed::<(), i32>(&caller)?;
            trap.call(&mut caller, ())
        },
    );
    let mut imports = Imports::new();
    imports.define("env", "call", call);
    let instance = Instance::new(&mut store, &m, &imports).unwrap();
    let direct = instance
        .get_typed_func::<(), i32>(&store, "trap")
        .unwrap()
        .call(&mut store, ())
        .unwrap_err();
    let through_host = instance
        .get_typed_func::<(), i32>(&store, "run")
        .unwrap()
        .call(&mut store, ())
        .unwrap_err();
    assert!(matches!(direct, Error::RuntimeError(_)), "{direct:?}");
    assert_eq!(through_host, direct);
}

const COUNTDOWN: &str = r#"(module
  (import "env" "reenter" (func $reenter (param i32) (result i32)))
  ;; down(0) = 0; down(n) = reenter(n - 1) + 1, where the host's reenter(k) calls down(k).
  (func (export "down") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (call $reenter (i32.sub (local.get $n) (i32.const 1)))
                     (i32.const 1)))))
  ;; No base case: wasm → host → wasm → ... until the call stack is exhausted.
  (func (export "forever") (param $n i32) (result i32)
    (call $reenter (i32.add (local.get $n) (i32.const 1)))))"#;

/// A store whose host function `reenter(n)` calls the calling instance's export `name`
/// with `n`, recording the deepest level in the store's data.
fn reentrant(name: &'static str) -> (Store<u32>, TypedFunc<i32, i32>) {
    let mut store = Store::new(0u32);
    let reenter = Func::wrap(
        &mut store,
        move |mut caller: Caller<'_, u32>, n: i32| -> Result<i32, Error> {
            let level = caller.data_mut();
            *level = (*level).max(n as u32);
            let f = export_func(&caller, name).typed::<i32, i32>(&caller)?;
            f.call(&mut caller, n)
        },
    );
    let mut imports = Imports::new();
    imports.define("env", "reenter", reenter);
    let instance = Instance::new(&mut store, &module(COUNTDOWN), &imports).unwrap();
    let f = instance.get_typed_func::<i32, i32>(&store, name).unwrap();
    (store, f)
}

/// Runs `f` on a thread with a 2 MiB stack (a spawned thread's default): a Rust stack
/// overflow there would abort the test binary, not fail one test.
fn on_two_mib_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .name("2 MiB stack".into())
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// (f) Re-entrancy 1,000 levels deep (wasm → host → wasm ... 1,000 host calls, one inside
/// the other) completes with the right value, on a 2 MiB thread.
#[test]
fn reentrancy_1000_levels_deep() {
    on_two_mib_thread(|| {
        let (mut store, down) = reentrant("down");
        assert_eq!(down.call(&mut store, 1000), Ok(1000));
        assert_eq!(*store.data(), 999);
        // The store still works after the deep call, and again.
        assert_eq!(down.call(&mut store, 1000), Ok(1000));
        assert_eq!(down.call(&mut store, 3), Ok(3));
    });
}

/// (f) Unbounded re-entrancy ends in a RuntimeError "call stack exhausted", not a Rust
/// stack overflow, on a 2 MiB thread; calling again afterwards ends the same way (the
/// store's call stack was put back), and another store on the thread works normally.
#[test]
fn unbounded_reentrancy_is_call_stack_exhausted() {
    let depth = on_two_mib_thread(|| {
        let (mut store, forever) = reentrant("forever");
        for _ in 0..2 {
            match forever.call(&mut store, 0) {
                Err(Error::RuntimeError(e)) => assert_eq!(e.message(), "call stack exhausted"),
                other => panic!("expected call stack exhausted, got {other:?}"),
            }
        }
        let depth = *store.data();
        let (mut store2, down) = reentrant("down");
        assert_eq!(down.call(&mut store2, 10), Ok(10));
        depth
    });
    eprintln!("re-entered {depth} levels (wasm → host → wasm) before the limit");
    assert!(depth >= 1000, "only {depth} levels");
}

fn type_error<T>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::TypeError(_)))
}

/// (g) A handle of store A used with store B is a TypeError (or `None`), every way.
#[test]
fn handles_of_another_store_are_refused() {
    let m = module(
        r#"(module
          (import "env" "f" (func (param i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "id") (param i32) (result i32) (local.get 0)))"#,
    );
    let mut a = Store::new(());
    let mut b = Store::new(());
    let f_a = Func::wrap(&mut a, |x: i32| x);
    let f_b = Func::wrap(&mut b, |x: i32| x);
    let mut imports_a = Imports::new();
    imports_a.define("env", "f", f_a);
    let mut imports_b = Imports::new();
    imports_b.define("env", "f", f_b);
    let inst_a = Instance::new(&mut a, &m, &imports_a).unwrap();
    let inst_b = Instance::new(&mut b, &m, &imports_b).unwrap();

    // Functions.
    let id_a = inst_a.get_func(&a, "id").unwrap();
    assert_eq!(
        id_a.call(&mut a, &[Value::I32(1)]).unwrap(),
        [Value::I32(1)]
    );
    assert!(type_error(id_a.call(&mut b, &[Value::I32(1)])));
    assert!(type_error(f_a.call(&mut b, &[Value::I32(1)])));
    assert!(type_error(id_a.ty(&b)));
    assert!(id_a.typed::<i32, i32>(&b).is_err());
    let typed_a = id_a.typed::<i32, i32>(&a).unwrap();
    assert!(type_error(typed_a.call(&mut b, 1)));
    // A funcref of A as an argument in B.
    let m_ref = module(r#"(module (func (export "take") (param funcref)))"#);
    let inst_ref = Instance::new(&mut b, &m_ref, &Imports::new()).unwrap();
    let take = inst_ref.get_func(&b, "take").unwrap();
    assert!(take.call(&mut b, &[Value::FuncRef(Some(f_b))]).is_ok());
    assert!(type_error(take.call(&mut b, &[Value::FuncRef(Some(f_a))])));

    // Memories.
    let mem_a = inst_a.get_memory(&a, "memory").unwrap();
    assert!(mem_a.data(&a).is_ok());
    assert!(type_error(mem_a.data(&b)));
    assert!(type_error(mem_a.data_mut(&mut b)));
    assert!(type_error(mem_a.size(&b)));
    assert!(type_error(mem_a.grow(&mut b, 1)));
    assert!(type_error(mem_a.write(&mut b, 0, b"x")));
    assert_eq!(mem_a.size(&a).unwrap(), 1, "the failed grow did nothing");

    // Instances.
    assert!(inst_a.get_func(&b, "id").is_none());
    assert!(inst_a.get_memory(&b, "memory").is_none());
    assert!(inst_a.get_export(&b, "id").is_none());
    assert!(type_error(inst_a.exports(&b)));
    assert!(type_error(inst_a.get_typed_func::<i32, i32>(&b, "id")));
    assert!(inst_b.get_func(&b, "id").is_some());

    // Importing A's function into an instance in B.
    assert!(type_error(Instance::new(&mut b, &m, &imports_a)));
    // A's memory as an import in B, too.
    let m_mem = module(r#"(module (import "env" "memory" (memory 1)))"#);
    let mut imports = Imports::new();
    imports.define("env", "memory", mem_a);
    assert!(type_error(Instance::new(&mut b, &m_mem, &imports)));
    assert!(Instance::new(&mut a, &m_mem, &imports).is_ok());

    // A host function given B's store through its caller cannot use A's handles either.
    let m_cb = module(
        r#"(module (import "env" "cb" (func $cb (result i32)))
           (func (export "run") (result i32) (call $cb)))"#,
    );
    let cb = Func::wrap(&mut b, move |mut caller: Caller<'_, ()>| -> i32 {
        let call = id_a.call(&mut caller, &[Value::I32(1)]);
        let data = mem_a.data(&caller);
        i32::from(type_error(call)) + i32::from(type_error(data))
    });
    let mut imports = Imports::new();
    imports.define("env", "cb", cb);
    let inst = Instance::new(&mut b, &m_cb, &imports).unwrap();
    let run = inst.get_typed_func::<(), i32>(&b, "run").unwrap();
    assert_eq!(run.call(&mut b, ()).unwrap(), 2);
}

/// The typed path: `func.typed::<(i32, i32), i32>(&store)?.call(&mut store, (1, 2))`.
#[test]
fn typed_call() -> Result<(), Error> {
    let m = module(
        r#"(module
          (func (export "add") (param i32 i32) (result i32)
            (i32.add (local.get 0) (local.get 1)))
          (func (export "swap") (param i64 f64) (result f64 i64)
            (local.get 1) (local.get 0)))"#,
    );
    let mut store = Store::new(());
    let instance = Instance::new(&mut store, &m, &Imports::new())?;
    let add = instance.get_func(&store, "add").unwrap();
    assert_eq!(
        add.typed::<(i32, i32), i32>(&store)?
            .call(&mut store, (1, 2))?,
        3
    );
    assert_eq!(
        add.typed::<(i32, i32), i32>(&store)?
            .call(&mut store, (i32::MAX, 1))?,
        i32::MIN
    );
    // Another signature is a TypeError, checked once.
    assert!(matches!(
        add.typed::<(i32, i64), i32>(&store),
        Err(Error::TypeError(_))
    ));
    assert!(matches!(
        add.typed::<(i32, i32), ()>(&store),
        Err(Error::TypeError(_))
    ));
    let swap = instance.get_typed_func::<(i64, f64), (f64, i64)>(&store, "swap")?;
    assert_eq!(swap.call(&mut store, (-5, 2.5))?, (2.5, -5));
    Ok(())
}

/// The typed path passes references (null or not) both ways, and calls host functions
/// as it calls wasm ones.
#[test]
fn typed_call_of_references_and_host_functions() -> Result<(), Error> {
    let m = module(
        r#"(module
          (func (export "pick") (param funcref funcref i32) (result funcref)
            (select (result funcref) (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    let mut store = Store::new(());
    let instance = Instance::new(&mut store, &m, &Imports::new())?;
    let pick = instance
        .get_typed_func::<(Option<Func>, Option<Func>, i32), Option<Func>>(&store, "pick")?;
    let double = Func::wrap(&mut store, |x: i64, y: f32| (x * 2, f64::from(y) + 0.5));
    let got = pick.call(&mut store, (Some(double), None, 1))?;
    assert_eq!(got, Some(double));
    assert_eq!(pick.call(&mut store, (Some(double), None, 0))?, None);

    let typed = got.unwrap().typed::<(i64, f32), (i64, f64)>(&store)?;
    assert_eq!(typed.call(&mut store, (-21, 1.25))?, (-42, 1.75));
    Ok(())
}
