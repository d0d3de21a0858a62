//! Fuel: the schedule, deterministic exhaustion, resumable calls, fuel across host calls,
//! start functions, and the rules about unmetered code.

use std::sync::Arc;

use rill_decoder::ValType;

use crate::tests_host::{func, ty};
use crate::{
    Extern, FuelError, Func, Instance, InstantiationError, LowerOptions, Module, Resumable, Store,
    Trap, Value,
};

fn metered(wat: &str) -> Arc<Module> {
    let wasm = wat::parse_str(wat).unwrap();
    Arc::new(Module::new_with(&wasm, LowerOptions::default().fuel(true)).unwrap())
}

fn instance(wat: &str) -> (Store, Instance) {
    let m = metered(wat);
    let mut store = Store::new();
    let inst = store.instantiate(&m, &[]).unwrap();
    (store, inst)
}

/// The fuel `name` takes when called with `args` (with plenty given).
fn cost(store: &mut Store, f: Func, args: &[Value]) -> u64 {
    store.set_fuel(1_000_000).unwrap();
    store.invoke(f, args).unwrap();
    1_000_000 - store.get_fuel().unwrap()
}

#[test]
fn every_operator_costs_one_and_structure_nothing() {
    let (mut store, inst) = instance(
        r#"(module
          (func (export "three") (result i32) (i32.add (i32.const 1) (i32.const 2)))
          (func (export "blocks") (result i32)
            (block (result i32) (block (result i32) (i32.const 7))))
          (func (export "empty"))
          (func (export "call") (result i32) (call 0)))"#,
    );
    let three = func(&store, inst, "three");
    assert_eq!(cost(&mut store, three, &[]), 3);
    // `block` and `end` are free: only the constant costs.
    let blocks = func(&store, inst, "blocks");
    assert_eq!(cost(&mut store, blocks, &[]), 1);
    let empty = func(&store, inst, "empty");
    assert_eq!(cost(&mut store, empty, &[]), 0);
    // The call costs 1, the callee its own 3.
    let call = func(&store, inst, "call");
    assert_eq!(cost(&mut store, call, &[]), 4);
}

const COUNT: &str = r#"(module
  (global $iterations (export "iterations") (mut i32) (i32.const 0))
  (func (export "count") (param $n i32) (result i32)
    (loop $l
      (global.set $iterations (i32.add (global.get $iterations) (i32.const 1)))
      (br_if $l (i32.lt_u (global.get $iterations) (local.get $n))))
    (global.get $iterations)))"#;

/// Each loop iteration costs its body (8 operators); the function's own region 1 (the
/// final `global.get`; `loop` and `end` are free).
#[test]
fn loops_pay_per_iteration() {
    let (mut store, inst) = instance(COUNT);
    let count = func(&store, inst, "count");
    assert_eq!(cost(&mut store, count, &[Value::I32(10)]), 1 + 8 * 10);
}

fn iterations(store: &Store, inst: Instance) -> Value {
    let Some(Extern::Global(g)) = store.export(inst, "iterations") else {
        panic!("no global")
    };
    store.global_get(g)
}

#[test]
fn running_out_stops_at_the_same_place_every_time() {
    let mut seen = Vec::new();
    for _ in 0..5 {
        let (mut store, inst) = instance(COUNT);
        let count = func(&store, inst, "count");
        store.set_fuel(1 + 8 * 37 + 5).unwrap();
        assert_eq!(
            store.invoke(count, &[Value::I32(1000)]),
            Err(Trap::OutOfFuel)
        );
        // The region that could not be paid took nothing.
        seen.push((iterations(&store, inst), store.get_fuel()));
    }
    assert!(
        seen.iter().all(|s| *s == (Value::I32(37), Some(5))),
        "{seen:?}"
    );
}

#[test]
fn out_of_fuel_is_its_own_trap() {
    assert_eq!(Trap::OutOfFuel.to_string(), "out of fuel");
    let (mut store, inst) = instance(r#"(module (func (export "spin") (loop (br 0))))"#);
    let spin = func(&store, inst, "spin");
    store.set_fuel(1000).unwrap();
    assert_eq!(store.invoke(spin, &[]), Err(Trap::OutOfFuel));
    // Without fuel set, metered code runs unmetered: a short call finishes.
    let (mut store, inst) = instance(COUNT);
    let count = func(&store, inst, "count");
    assert_eq!(store.get_fuel(), None);
    assert_eq!(
        store.invoke(count, &[Value::I32(100)]),
        Ok(vec![Value::I32(100)])
    );
    assert_eq!(store.get_fuel(), None);
}

#[test]
fn bulk_operators_pay_for_their_length() {
    let (mut store, inst) = instance(
        r#"(module (memory (export "mem") 1)
          (func (export "fill") (param i32)
            (memory.fill (i32.const 0) (i32.const 1) (local.get 0)))
          (func (export "copy") (param i32)
            (memory.copy (i32.const 0) (i32.const 100) (local.get 0)))
          (table 1000 funcref)
          (func (export "table_fill") (param i32)
            (table.fill (i32.const 0) (ref.null func) (local.get 0))))"#,
    );
    for name in ["fill", "copy", "table_fill"] {
        let f = func(&store, inst, name);
        // Four operators (three operands and the operator), then one per 64 units.
        assert_eq!(cost(&mut store, f, &[Value::I32(10)]), 4, "{name}");
        assert_eq!(cost(&mut store, f, &[Value::I32(640)]), 4 + 10, "{name}");
    }
    // Short of the length's share, nothing is written.
    let Some(Extern::Memory(m)) = store.export(inst, "mem") else {
        panic!("no memory")
    };
    store.memory_mut(m).data_mut().fill(0);
    let fill = func(&store, inst, "fill");
    store.set_fuel(4 + 9).unwrap();
    assert_eq!(store.invoke(fill, &[Value::I32(640)]), Err(Trap::OutOfFuel));
    assert_eq!(store.memory(m).data()[0], 0);
}

#[test]
fn if_arms_pay_for_themselves() {
    let (mut store, inst) = instance(
        r#"(module (func (export "pick") (param i32) (result i32)
          (if (result i32) (local.get 0)
            (then (i32.add (i32.const 1) (i32.const 2)))
            (else (i32.const 9)))))"#,
    );
    let pick = func(&store, inst, "pick");
    // local.get and if, then the arm taken.
    assert_eq!(cost(&mut store, pick, &[Value::I32(1)]), 2 + 3);
    assert_eq!(cost(&mut store, pick, &[Value::I32(0)]), 2 + 1);
}

/// Runs `f` to the end in slices of `slice` fuel; the results and the number of slices.
fn run_in_slices(store: &mut Store, f: Func, args: &[Value], slice: u64) -> (Vec<Value>, u32) {
    store.set_fuel(slice).unwrap();
    let mut call = store.invoke_resumable(f, args).unwrap();
    let mut slices = 1;
    loop {
        match call {
            Resumable::Finished(results) => return (results, slices),
            Resumable::OutOfFuel(s) => {
                assert!(s.required_fuel() > 0);
                store.set_fuel(slice.max(s.required_fuel())).unwrap();
                slices += 1;
                call = s.resume(store).unwrap();
            }
        }
    }
}

const FIB: &str = r#"(module
  (func $fib (export "fib") (param i32) (result i64)
    (if (result i64) (i32.lt_u (local.get 0) (i32.const 2))
      (then (i64.extend_i32_u (local.get 0)))
      (else (i64.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $count (export "count_down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 77))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1)))))))"#;

#[test]
fn resumed_calls_finish_with_the_same_results() {
    let (mut store, inst) = instance(FIB);
    let fib = func(&store, inst, "fib");
    // Smaller under Miri, which interprets the interpreter.
    let n = if cfg!(miri) { 12 } else { 20 };
    let whole = store.invoke(fib, &[Value::I32(n)]).unwrap();
    assert_eq!(whole, vec![Value::I64(if cfg!(miri) { 144 } else { 6765 })]);
    for slice in [7, 100, 1000, 12345] {
        let (results, slices) = run_in_slices(&mut store, fib, &[Value::I32(n)], slice);
        assert_eq!(results, whole, "slices of {slice}");
        assert!(slices > 1 || slice > 1000);
    }
    let count = func(&store, inst, "count_down");
    let n = if cfg!(miri) { 1_000 } else { 10_000 };
    let (results, slices) = run_in_slices(&mut store, count, &[Value::I32(n)], 500);
    assert_eq!(results, vec![Value::I32(77)]);
    assert!(slices > 10);
}

#[test]
fn a_store_runs_other_calls_while_one_is_suspended() {
    let (mut store, inst) = instance(FIB);
    let fib = func(&store, inst, "fib");
    store.set_fuel(1000).unwrap();
    let Resumable::OutOfFuel(first) = store.invoke_resumable(fib, &[Value::I32(15)]).unwrap()
    else {
        panic!("fib 15 needs more than 1000")
    };
    store.set_fuel(1000).unwrap();
    let Resumable::OutOfFuel(second) = store.invoke_resumable(fib, &[Value::I32(16)]).unwrap()
    else {
        panic!("fib 16 needs more than 1000")
    };
    store.set_fuel(1_000_000).unwrap();
    assert_eq!(
        store.invoke(fib, &[Value::I32(10)]),
        Ok(vec![Value::I64(55)])
    );
    let Resumable::Finished(r) = second.resume(&mut store).unwrap() else {
        panic!("enough fuel")
    };
    assert_eq!(r, vec![Value::I64(987)]);
    let Resumable::Finished(r) = first.resume(&mut store).unwrap() else {
        panic!("enough fuel")
    };
    assert_eq!(r, vec![Value::I64(610)]);
}

#[test]
fn a_suspended_call_belongs_to_its_store() {
    let (mut store, inst) = instance(FIB);
    let fib = func(&store, inst, "fib");
    store.set_fuel(10).unwrap();
    let Resumable::OutOfFuel(s) = store.invoke_resumable(fib, &[Value::I32(15)]).unwrap() else {
        panic!("out of fuel")
    };
    let (mut other, _) = instance(FIB);
    other.set_fuel(1_000_000).unwrap();
    assert!(matches!(s.resume(&mut other), Err(Trap::Host(_))));
}

#[test]
fn a_finished_resumable_call_is_finished() {
    let (mut store, inst) = instance(FIB);
    let fib = func(&store, inst, "fib");
    let Resumable::Finished(r) = store.invoke_resumable(fib, &[Value::I32(10)]).unwrap() else {
        panic!("no fuel set: no limit")
    };
    assert_eq!(r, vec![Value::I64(55)]);
    // Other traps end a resumable call as any call.
    let (mut store, inst) = instance(r#"(module (func (export "f") unreachable))"#);
    let f = func(&store, inst, "f");
    assert_eq!(
        store.invoke_resumable(f, &[]).unwrap_err(),
        Trap::Unreachable
    );
}

#[test]
fn unmetered_code_and_a_metering_store_do_not_mix() {
    let plain = Arc::new(Module::new(&wat::parse_str(COUNT).unwrap()).unwrap());
    assert!(!plain.metered());
    assert!(metered(COUNT).metered());
    let mut store = Store::new();
    store.instantiate(&plain, &[]).unwrap();
    assert_eq!(store.set_fuel(10), Err(FuelError::Unmetered));
    let mut store = Store::new();
    store.set_fuel(10).unwrap();
    assert!(matches!(
        store.instantiate(&plain, &[]),
        Err(InstantiationError::Link(m)) if m.contains("fuel")
    ));
    store.instantiate(&metered(COUNT), &[]).unwrap();
    // A module without functions has nothing to meter.
    let empty = Arc::new(Module::new(&wat::parse_str("(module (memory 1))").unwrap()).unwrap());
    store.instantiate(&empty, &[]).unwrap();
}

#[test]
fn start_functions_pay_too() {
    let m = metered(r#"(module (func $start (loop (br 0))) (start $start))"#);
    let mut store = Store::new();
    store.set_fuel(10_000).unwrap();
    assert!(matches!(
        store.instantiate(&m, &[]),
        Err(InstantiationError::Trap(Trap::OutOfFuel))
    ));
}

#[test]
fn host_functions_see_and_set_the_fuel_and_nested_calls_pay() {
    let m = metered(
        r#"(module
          (import "host" "f" (func $host (param i32) (result i32)))
          (func (export "cheap") (result i32) (i32.const 1))
          (func (export "outer") (result i32) (call $host (i32.const 5))))"#,
    );
    let mut store = Store::new();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let host = store.func_new(
        ty(&[ValType::I32], &[ValType::I32]),
        move |mut caller, args, results| {
            let Value::I32(mode) = args[0] else { panic!() };
            seen2.lock().unwrap().push(caller.store().get_fuel());
            let Some(Extern::Func(cheap)) = caller.export("cheap") else {
                panic!()
            };
            // A nested call pays out of the same fuel.
            let r = caller.store_mut().invoke(cheap, &[])?;
            seen2.lock().unwrap().push(caller.store().get_fuel());
            if mode == 5 {
                caller.store_mut().set_fuel(1_000).unwrap();
            }
            results[0] = r[0];
            Ok(())
        },
    );
    let inst = store.instantiate(&m, &[Extern::Func(host)]).unwrap();
    let outer = func(&store, inst, "outer");
    store.set_fuel(100).unwrap();
    assert_eq!(store.invoke(outer, &[]), Ok(vec![Value::I32(1)]));
    // `outer` paid 2 on entry (i32.const, call); `cheap` 1; the refill of 1000 is what is
    // left (nothing runs after the call in `outer`'s region).
    assert_eq!(*seen.lock().unwrap(), vec![Some(98), Some(97)]);
    assert_eq!(store.get_fuel(), Some(1000));
}

#[test]
fn nested_calls_out_of_fuel_trap_rather_than_suspend() {
    let m = metered(
        r#"(module
          (import "host" "f" (func $host))
          (func (export "spin") (loop (br 0)))
          (func (export "outer") (call $host)))"#,
    );
    let mut store = Store::new();
    let host = store.func_new(ty(&[], &[]), |mut caller, _, _| {
        let Some(Extern::Func(spin)) = caller.export("spin") else {
            panic!()
        };
        let r = caller.store_mut().invoke_resumable(spin, &[]);
        assert!(matches!(r, Err(Trap::OutOfFuel)), "{r:?}");
        Err(Trap::OutOfFuel)
    });
    let inst = store.instantiate(&m, &[Extern::Func(host)]).unwrap();
    let outer = func(&store, inst, "outer");
    store.set_fuel(1000).unwrap();
    assert!(matches!(
        store.invoke_resumable(outer, &[]),
        Err(Trap::OutOfFuel)
    ));
}

mod slices {
    //! Resuming after refuelling gives what an unlimited run gives, for small generated
    //! programs and any slicing of the fuel.

    use proptest::prelude::*;

    use super::*;

    /// A statement of a generated function body, over locals 0..4 and memory.
    #[derive(Clone, Debug)]
    enum Stmt {
        /// `local[d] = local[a] op local[b]` (op: add, mul, xor, rotl).
        Arith(u8, u8, u8, u8),
        /// `local[d] = const`.
        Set(u8, i32),
        /// Store `local[a]` at `(local[b] & 0xff) * 4`, then read it back into `local[d]`.
        Memory(u8, u8, u8),
        /// A loop running `n` times over the statements.
        Loop(u8, Vec<Stmt>),
        /// `if local[c] & 1 then ... else ...`.
        If(u8, Vec<Stmt>, Vec<Stmt>),
        /// `local[d] = helper(local[a])` (a small recursive function).
        Call(u8, u8),
        /// A `memory.fill` of `local[a] & 0x3ff` bytes.
        Fill(u8),
    }

    fn stmt() -> impl Strategy<Value = Stmt> {
        let leaf = prop_oneof![
            (0u8..4, 0u8..4, 0u8..4, 0u8..4).prop_map(|(d, a, b, o)| Stmt::Arith(d, a, b, o)),
            (0u8..4, any::<i32>()).prop_map(|(d, k)| Stmt::Set(d, k)),
            (0u8..4, 0u8..4, 0u8..4).prop_map(|(d, a, b)| Stmt::Memory(d, a, b)),
            (0u8..4, 0u8..4).prop_map(|(d, a)| Stmt::Call(d, a)),
            (0u8..4).prop_map(Stmt::Fill),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                (1u8..6, prop::collection::vec(inner.clone(), 1..4))
                    .prop_map(|(n, b)| Stmt::Loop(n, b)),
                (
                    0u8..4,
                    prop::collection::vec(inner.clone(), 0..3),
                    prop::collection::vec(inner, 0..3)
                )
                    .prop_map(|(c, t, e)| Stmt::If(c, t, e)),
            ]
        })
    }

    fn emit(s: &Stmt, out: &mut String, depth: &mut u32) {
        match s {
            Stmt::Arith(d, a, b, o) => {
                let op = ["i32.add", "i32.mul", "i32.xor", "i32.rotl"][*o as usize];
                out.push_str(&format!(
                    "(local.set {d} ({op} (local.get {a}) (local.get {b})))\n"
                ));
            }
            Stmt::Set(d, k) => out.push_str(&format!("(local.set {d} (i32.const {k}))\n")),
            Stmt::Memory(d, a, b) => out.push_str(&format!(
                "(i32.store (i32.mul (i32.and (local.get {b}) (i32.const 255)) (i32.const 4)) (local.get {a}))
                 (local.set {d} (i32.load (i32.mul (i32.and (local.get {b}) (i32.const 255)) (i32.const 4))))\n"
            )),
            Stmt::Loop(n, body) => {
                // A counter local per loop depth (locals 4..).
                let c = 4 + *depth;
                *depth += 1;
                out.push_str(&format!("(local.set {c} (i32.const {n}))\n(loop\n"));
                for s in body {
                    emit(s, out, depth);
                }
                out.push_str(&format!(
                    "(br_if 0 (local.tee {c} (i32.sub (local.get {c}) (i32.const 1)))))\n"
                ));
                *depth -= 1;
            }
            Stmt::If(c, t, e) => {
                out.push_str(&format!(
                    "(if (i32.and (local.get {c}) (i32.const 1)) (then\n"
                ));
                for s in t {
                    emit(s, out, depth);
                }
                out.push_str(") (else\n");
                for s in e {
                    emit(s, out, depth);
                }
                out.push_str("))\n");
            }
            Stmt::Call(d, a) => out.push_str(&format!(
                "(local.set {d} (call $helper (i32.and (local.get {a}) (i32.const 15))))\n"
            )),
            Stmt::Fill(a) => out.push_str(&format!(
                "(memory.fill (i32.const 1024) (local.get {a}) (i32.and (local.get {a}) (i32.const 1023)))\n"
            )),
        }
    }

    fn program(body: &[Stmt]) -> String {
        let mut code = String::new();
        let mut depth = 0;
        for s in body {
            emit(s, &mut code, &mut depth);
        }
        format!(
            r#"(module (memory (export "mem") 1)
              (func $helper (param i32) (result i32)
                (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
                  (then (local.get 0))
                  (else (i32.add (local.get 0) (call $helper (i32.sub (local.get 0) (i32.const 1)))))))
              (func (export "main") (param i32 i32 i32 i32) (result i32 i32 i32 i32)
                (local i32 i32 i32 i32)
                {code}
                (local.get 0) (local.get 1) (local.get 2) (local.get 3)))"#
        )
    }

    /// The results and the memory after running `main` on `args`, with fuel in slices of
    /// `slice` (or unlimited).
    fn outcome(m: &Arc<Module>, args: &[Value], slice: Option<u64>) -> (Vec<Value>, Vec<u8>) {
        let mut store = Store::new();
        let inst = store.instantiate(m, &[]).unwrap();
        let main = func(&store, inst, "main");
        let results = match slice {
            None => store.invoke(main, args).unwrap(),
            Some(slice) => run_in_slices(&mut store, main, args, slice).0,
        };
        let Some(Extern::Memory(mem)) = store.export(inst, "mem") else {
            panic!("no memory")
        };
        (results, store.memory(mem).data().to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 64,
            ..ProptestConfig::default()
        })]
        // Miri: proptest reads the working directory (its regression file), which Miri's
        // isolation refuses; the other resume tests run under Miri.
        #[test]
        #[cfg_attr(miri, ignore = "proptest needs the working directory")]
        fn resuming_gives_the_unlimited_results(
            body in prop::collection::vec(stmt(), 1..8),
            args in prop::array::uniform4(any::<i32>()),
            slice in 1u64..200,
        ) {
            let m = metered(&program(&body));
            let args: Vec<Value> = args.iter().map(|&a| Value::I32(a)).collect();
            let whole = outcome(&m, &args, None);
            let sliced = outcome(&m, &args, Some(slice));
            prop_assert_eq!(&whole.0, &sliced.0);
            prop_assert!(whole.1 == sliced.1, "memories differ");
        }
    }
}
