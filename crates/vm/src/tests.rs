//! End-to-end tests: text modules compiled, instantiated and run.

use std::sync::Arc;

use crate::{Extern, Module, Store, Trap, Value};

fn instance(wat: &str) -> (Store, crate::Instance) {
    let module = Arc::new(Module::new(&wat::parse_str(wat).unwrap()).unwrap());
    let mut store = Store::new();
    let inst = store.instantiate(&module, &[]).unwrap();
    (store, inst)
}

fn call(
    store: &mut Store,
    inst: crate::Instance,
    name: &str,
    args: &[Value],
) -> Result<Vec<Value>, Trap> {
    let Some(Extern::Func(f)) = store.export(inst, name) else {
        panic!("no function {name}")
    };
    store.invoke(f, args)
}

#[test]
fn fib() {
    let (mut s, i) = instance(
        r#"(module (func $fib (export "fib") (param i32) (result i32)
            (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#,
    );
    assert_eq!(
        call(
            &mut s,
            i,
            "fib",
            &[Value::I32(if cfg!(miri) { 10 } else { 20 })]
        ),
        Ok(vec![Value::I32(if cfg!(miri) { 55 } else { 6765 })])
    );
}

#[test]
#[cfg_attr(miri, ignore = "100,000 frames: too slow under miri")]
fn deep_recursion_is_a_trap() {
    let (mut s, i) = instance(
        r#"(module (func $f (export "f") (param i32) (result i32)
            (i32.add (call $f (local.get 0)) (i32.const 1))))"#,
    );
    assert_eq!(
        call(&mut s, i, "f", &[Value::I32(0)]),
        Err(Trap::StackExhausted)
    );
}

#[test]
fn memory_and_loops() {
    let (mut s, i) = instance(
        r#"(module (memory 1)
          (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
            (loop $l
              (i32.store (i32.mul (local.get $i) (i32.const 4)) (local.get $i))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
            (local.set $i (i32.const 0))
            (block $done (loop $l
              (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
              (local.set $acc (i32.add (local.get $acc) (i32.load (i32.shl (local.get $i) (i32.const 2)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $l)))
            (local.get $acc))
          (func (export "oob") (result i32) (i32.load (i32.const 65535))))"#,
    );
    assert_eq!(
        call(&mut s, i, "sum", &[Value::I32(100)]),
        Ok(vec![Value::I32(4950)])
    );
    assert_eq!(call(&mut s, i, "oob", &[]), Err(Trap::MemoryOutOfBounds));
}

#[test]
fn multi_value_blocks_and_br_table() {
    let (mut s, i) = instance(
        r#"(module
          (func (export "swap") (param i32 i32) (result i32 i32)
            (local.get 0) (local.get 1)
            (block (param i32 i32) (result i32 i32)
              (local.set 0) (local.set 1) (local.get 0) (local.get 1)))
          (func (export "sel") (param i32) (result i32)
            (block $c (block $b (block $a
              (br_table $a $b $c (local.get 0)))
              (return (i32.const 10)))
              (return (i32.const 20)))
            (i32.const 30))
          (func (export "ifp") (param i32) (result i32)
            (i32.const 5)
            (if (param i32) (result i32) (local.get 0)
              (then (i32.const 1) (i32.add))
              (else (i32.const 2) (i32.mul)))))"#,
    );
    assert_eq!(
        call(&mut s, i, "swap", &[Value::I32(1), Value::I32(2)]),
        Ok(vec![Value::I32(2), Value::I32(1)])
    );
    for (x, r) in [(0, 10), (1, 20), (2, 30), (7, 30)] {
        assert_eq!(
            call(&mut s, i, "sel", &[Value::I32(x)]),
            Ok(vec![Value::I32(r)])
        );
    }
    assert_eq!(
        call(&mut s, i, "ifp", &[Value::I32(1)]),
        Ok(vec![Value::I32(6)])
    );
    assert_eq!(
        call(&mut s, i, "ifp", &[Value::I32(0)]),
        Ok(vec![Value::I32(10)])
    );
}

/// The interpreter's unchecked state across everything that re-derives it: calls (direct,
/// indirect, tail), returns of several values, `memory.grow` followed by accesses, and an
/// out-of-bounds store at the new end. Small enough for `cargo +nightly miri test`.
#[test]
fn calls_tail_calls_and_grow() {
    let (mut s, i) = instance(
        r#"(module (memory 1) (table funcref (elem $sq $two))
          (type $t (func (param i32) (result i32)))
          (func $sq (type $t) (i32.mul (local.get 0) (local.get 0)))
          (func $two (param i32) (result i32 i32) (local.get 0) (i32.const 2))
          (func $count (param i32 i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0)) (then (local.get 1))
              (else (return_call $count (i32.sub (local.get 0) (i32.const 1))
                                        (i32.add (local.get 1) (i32.const 3))))))
          (func (export "run") (param i32) (result i32) (local i32)
            (local.set 1 (call_indirect (type $t) (local.get 0) (i32.const 0)))
            (drop (memory.grow (i32.const 1)))
            (i32.store (i32.const 131068) (local.get 1))
            (call $two (i32.load (i32.const 131068)))
            (i32.add)
            (call $count (i32.const 50) (i32.const 0))
            (i32.add))
          (func (export "oob") (i32.store (i32.const 131069) (i32.const 1))))"#,
    );
    assert_eq!(
        call(&mut s, i, "run", &[Value::I32(7)]),
        Ok(vec![Value::I32(49 + 2 + 150)])
    );
    assert_eq!(call(&mut s, i, "oob", &[]), Err(Trap::MemoryOutOfBounds));
}

/// Float comparisons fused with branches (and with a deferred `eqz`) against Rust's own
/// comparisons, NaN and signed zeros included.
#[test]
fn fused_float_compare_and_branch() {
    let ops = ["eq", "ne", "lt", "gt", "le", "ge"];
    let mut funcs = String::new();
    for t in ["f32", "f64"] {
        for op in ops {
            funcs += &format!(
                r#"(func (export "{t}.{op}") (param {t} {t}) (result i32)
                     (if (result i32) ({t}.{op} (local.get 0) (local.get 1))
                       (then (i32.const 1)) (else (i32.const 0))))
                   (func (export "{t}.not_{op}") (param {t} {t}) (result i32)
                     (block (br_if 0 (i32.eqz ({t}.{op} (local.get 0) (local.get 1))))
                       (return (i32.const 0)))
                     (i32.const 1))"#
            );
        }
    }
    let (mut s, i) = instance(&format!("(module {funcs})"));
    let values = [f64::NAN, -0.0, 0.0, 1.0, 2.0, f64::NEG_INFINITY];
    for (k, op) in ops.iter().enumerate() {
        let cmp = |a: f64, b: f64| match k {
            0 => a == b,
            1 => a != b,
            2 => a < b,
            3 => a > b,
            4 => a <= b,
            _ => a >= b,
        };
        for a in values {
            for b in values {
                let want = cmp(a, b);
                for (t, args) in [
                    (
                        "f32",
                        [
                            Value::F32((a as f32).to_bits()),
                            Value::F32((b as f32).to_bits()),
                        ],
                    ),
                    ("f64", [Value::F64(a.to_bits()), Value::F64(b.to_bits())]),
                ] {
                    let got = call(&mut s, i, &format!("{t}.{op}"), &args);
                    assert_eq!(got, Ok(vec![Value::I32(want as i32)]), "{t}.{op} {a} {b}");
                    let got = call(&mut s, i, &format!("{t}.not_{op}"), &args);
                    assert_eq!(
                        got,
                        Ok(vec![Value::I32(!want as i32)]),
                        "eqz {t}.{op} {a} {b}"
                    );
                }
            }
        }
    }
}

/// A module's environment, parts and lowered (not yet verified) functions, made the way a
/// streaming compile makes them.
fn lowered(
    wat: &str,
) -> (
    Arc<rill_validator::ModuleEnv>,
    crate::ModuleParts,
    Vec<(rill_lower::CompiledFunc, rill_decoder::FunctionBody)>,
) {
    use rill_decoder::Payload;
    let wasm = wat::parse_str(wat).unwrap();
    let run = rill_decoder::decode_chunks([&wasm[..]], rill_decoder::Features::default());
    assert!(run.error.is_none(), "{:?}", run.error);
    let mut v = rill_validator::ModuleValidator::new();
    let mut parts = crate::ModuleParts::default();
    let mut functions = Vec::new();
    for event in &run.events {
        v.payload(event).unwrap();
        match &event.payload {
            Payload::Import(i) => parts.imports = i.clone(),
            Payload::Export(e) => parts.exports = e.clone(),
            Payload::Table(t) => parts.tables = t.clone(),
            Payload::Global(g) => parts.globals = g.clone(),
            Payload::Element(e) => parts.elements = e.clone(),
            Payload::Data(d) => parts.datas = d.clone(),
            Payload::Start(s) => parts.start = Some(*s),
            Payload::FunctionBody(body) => {
                let cf = rill_lower::lower_function(v.env().unwrap(), body).unwrap();
                functions.push((cf, body.clone()));
            }
            _ => {}
        }
    }
    (v.env().unwrap().clone(), parts, functions)
}

const PARTS_WAT: &str = r#"(module (memory 1) (global $g (mut i32) (i32.const 5))
    (table funcref (elem $double))
    (data (i32.const 8) "\2a")
    (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func (export "run") (result i32)
      (global.set $g (i32.add (global.get $g) (i32.load8_u (i32.const 8))))
      (call_indirect (param i32) (result i32) (global.get $g) (i32.const 0))))"#;

#[test]
fn a_module_from_parts_runs_the_functions_it_was_given() {
    let (env, parts, functions) = lowered(PARTS_WAT);
    let verified: Vec<crate::VerifiedFunc> = functions
        .into_iter()
        .map(|(cf, body)| crate::VerifiedFunc::new(cf, &body))
        .collect();
    let given: Vec<*const rill_lower::CompiledFunc> =
        verified.iter().map(|f| f.code() as *const _).collect();
    let module = Arc::new(Module::from_parts(env, parts, verified).unwrap());
    // The very code given, not a copy or a second lowering.
    assert_eq!(module.functions().len(), 2);
    for ((m, _), g) in module.functions().zip(&given) {
        assert!(std::ptr::eq(m, *g));
    }
    let mut store = Store::new();
    let i = store.instantiate(&module, &[]).unwrap();
    assert_eq!(
        call(&mut store, i, "run", &[]),
        Ok(vec![Value::I32((5 + 42) * 2)])
    );
    // The same module through `Module::new` agrees, sizes included.
    let whole = Module::new(&wat::parse_str(PARTS_WAT).unwrap()).unwrap();
    assert_eq!(whole.code_sizes(), module.code_sizes());
}

#[test]
fn module_parts_that_do_not_add_up_are_an_error() {
    let verify = |functions: Vec<(rill_lower::CompiledFunc, rill_decoder::FunctionBody)>| {
        functions
            .into_iter()
            .map(|(cf, body)| crate::VerifiedFunc::new(cf, &body))
            .collect::<Vec<_>>()
    };
    let message = |r: Result<Module, crate::CompileError>| r.unwrap_err().to_string();

    let (env, parts, mut functions) = lowered(PARTS_WAT);
    functions.pop();
    assert_eq!(
        message(Module::from_parts(env, parts, verify(functions))),
        "module parts do not match their environment: 1 defined functions given, the \
         environment has 2 (at offset 0x0)"
    );

    let (env, parts, mut functions) = lowered(PARTS_WAT);
    functions.swap(0, 1);
    assert_eq!(
        message(Module::from_parts(env, parts, verify(functions))),
        "module parts do not match their environment: function 0 has 0 parameters and 1 \
         results, its type 1 and 1 (at offset 0x0)"
    );

    let (env, mut parts, functions) = lowered(PARTS_WAT);
    parts.globals.clear();
    assert_eq!(
        message(Module::from_parts(env, parts, verify(functions))),
        "module parts do not match their environment: 0 defined globals given, the \
         environment has 1 (at offset 0x0)"
    );
}

#[test]
fn verified_funcs_pass_the_interpreters_verification() {
    let (_, _, functions) = lowered(PARTS_WAT);
    let (mut cf, body) = functions.into_iter().nth(1).unwrap();
    // A frame too small for the slots the code uses is raised to fit them.
    cf.frame_size = 0;
    let bound = cf.code.iter().map(|i| i.slot_bound()).max().unwrap();
    assert!(bound > 0);
    let verified = crate::VerifiedFunc::new(cf, &body);
    assert!(usize::from(verified.code().frame_size) >= bound);
}

#[test]
#[should_panic(expected = "lowering: branch target out of code")]
fn a_branch_out_of_the_code_does_not_pass_verification() {
    let (_, _, functions) =
        lowered(r#"(module (func (param i32) (loop (br_if 0 (local.get 0)))))"#);
    let (mut cf, body) = functions.into_iter().next().unwrap();
    let mut code = cf.code.into_vec();
    let branch = code
        .iter_mut()
        .find_map(|i| i.offset_mut())
        .expect("the loop's br_if is a branch");
    *branch = 1000;
    cf.code = code.into_boxed_slice();
    crate::VerifiedFunc::new(cf, &body);
}

// ----- v128 values through frames, calls, globals and the host -----

/// `i32x4` lanes as a `v128` value.
fn i32x4(l: [i32; 4]) -> Value {
    Value::V128(
        l.iter()
            .rev()
            .fold(0u128, |v, &x| v << 32 | u128::from(x as u32)),
    )
}

#[test]
fn v128_params_results_and_locals_keep_128_bits() {
    let (mut s, i) = instance(
        r#"(module
            (func (export "id") (param v128) (result v128) (local.get 0))
            (func (export "swap") (param v128 i64 v128) (result v128 i64 v128)
              (local.get 2) (local.get 1) (local.get 0))
            (func (export "zero") (result v128) (local v128) (local.get 0))
            (func (export "set") (param v128) (result v128) (local v128)
              (local.set 1 (i32x4.add (local.get 0) (local.get 0)))
              (local.get 1)))"#,
    );
    let x = Value::V128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210);
    let y = Value::V128(u128::MAX - 5);
    assert_eq!(call(&mut s, i, "id", &[x]), Ok(vec![x]));
    assert_eq!(
        call(&mut s, i, "swap", &[x, Value::I64(-3), y]),
        Ok(vec![y, Value::I64(-3), x])
    );
    assert_eq!(call(&mut s, i, "zero", &[]), Ok(vec![Value::V128(0)]));
    assert_eq!(
        call(&mut s, i, "set", &[i32x4([1, -2, 3, i32::MAX])]),
        Ok(vec![i32x4([2, -4, 6, -2])])
    );
}

/// A `v128` result returned from a stack slot when constants are hoisted out of a loop:
/// the slots from the locals up move, the result's frame position must not (found by the
/// `execute` fuzz target, fuzz/FINDINGS.md F6).
#[test]
fn v128_results_with_hoisted_constants() {
    let (mut s, i) = instance(
        r#"(module
            (func $one (export "one") (result v128)
              loop i32.const 0 br_if 0 end
              v128.const i32x4 5 6 7 8)
            (func (export "two") (result i32 v128) (local i32)
              loop i32.const 0 br_if 0 end
              i32.const 1 v128.const i32x4 5 6 7 8)
            (func (export "explicit") (result i32 v128)
              i32.const 7 loop i32.const 0 br_if 0 end
              i32.const 1 v128.const i32x4 5 6 7 8 return)
            (func (export "caller") (result i32)
              (i32x4.extract_lane 1 (call $one))))"#,
    );
    let v = i32x4([5, 6, 7, 8]);
    assert_eq!(call(&mut s, i, "one", &[]), Ok(vec![v]));
    assert_eq!(call(&mut s, i, "two", &[]), Ok(vec![Value::I32(1), v]));
    assert_eq!(call(&mut s, i, "explicit", &[]), Ok(vec![Value::I32(1), v]));
    assert_eq!(call(&mut s, i, "caller", &[]), Ok(vec![Value::I32(6)]));
}

#[test]
fn v128_through_calls_tail_calls_and_blocks() {
    let (mut s, i) = instance(
        r#"(module
            (func $add (param v128 v128) (result v128) (i64x2.add (local.get 0) (local.get 1)))
            (func $pick (param i32 v128 v128) (result v128)
              (select (local.get 1) (local.get 2) (local.get 0)))
            (func (export "call") (param v128) (result v128)
              (call $add (local.get 0) (call $add (local.get 0) (local.get 0))))
            (func (export "tail") (param v128 v128) (result v128)
              (return_call $add (local.get 1) (local.get 0)))
            (func (export "indirect") (param v128) (result v128)
              (return_call_indirect (type 0) (local.get 0) (local.get 0) (i32.const 0)))
            (table funcref (elem $add))
            (type (func (param v128 v128) (result v128)))
            (func (export "select") (param i32 v128 v128) (result v128)
              (call $pick (local.get 0) (local.get 1) (local.get 2)))
            (func (export "blocks") (param i32 v128) (result v128 i32)
              block $b (result v128 i32)
                block $c (result v128 i32)
                  v128.const i64x2 7 7
                  i32.const 9
                  local.get 0
                  br_table $c $b $c
                end
                drop
                local.get 0
                if (param v128) (result v128 i32)
                  i32.const 1
                else
                  drop
                  local.get 1
                  i32.const 2
                end
              end)
            (func (export "loop") (param i32) (result v128) (local v128)
              (loop $l
                (local.set 1 (i32x4.add (local.get 1) (v128.const i32x4 1 2 3 4)))
                (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
              (local.get 1)))"#,
    );
    let x = Value::V128(5 << 64 | 1);
    let y = Value::V128(1 << 64 | 2);
    assert_eq!(
        call(&mut s, i, "call", &[x]),
        Ok(vec![Value::V128(15 << 64 | 3)])
    );
    assert_eq!(
        call(&mut s, i, "tail", &[x, y]),
        Ok(vec![Value::V128(6 << 64 | 3)])
    );
    assert_eq!(
        call(&mut s, i, "indirect", &[x]),
        Ok(vec![Value::V128(10 << 64 | 2)])
    );
    assert_eq!(
        call(&mut s, i, "select", &[Value::I32(1), x, y]),
        Ok(vec![x])
    );
    assert_eq!(
        call(&mut s, i, "select", &[Value::I32(0), x, y]),
        Ok(vec![y])
    );
    // br_table index 1: to $b with the constant and 9; 0 and 2: to $c, then the `if`.
    let seven = Value::V128(7 << 64 | 7);
    assert_eq!(
        call(&mut s, i, "blocks", &[Value::I32(1), x]),
        Ok(vec![seven, Value::I32(9)])
    );
    assert_eq!(
        call(&mut s, i, "blocks", &[Value::I32(0), x]),
        Ok(vec![x, Value::I32(2)])
    );
    assert_eq!(
        call(&mut s, i, "blocks", &[Value::I32(2), x]),
        Ok(vec![seven, Value::I32(1)])
    );
    assert_eq!(
        call(&mut s, i, "loop", &[Value::I32(3)]),
        Ok(vec![i32x4([3, 6, 9, 12])])
    );
}

#[test]
fn v128_globals_and_host_functions() {
    let module = Arc::new(
        Module::new(
            &wat::parse_str(
                r#"(module
                (import "" "twice" (func $twice (param v128) (result v128)))
                (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
                (global $k v128 (v128.const i32x4 1 2 3 4))
                (global $h v128 (global.get $k))
                (func (export "bump") (result v128)
                  (global.set $g (call $twice (global.get $g)))
                  (global.get $g))
                (func (export "h") (result v128) (global.get $h))
                (func (export "tail") (param v128) (result v128)
                  (return_call $twice (local.get 0))))"#,
            )
            .unwrap(),
        )
        .unwrap(),
    );
    let mut s = Store::new();
    let ty = rill_decoder::FuncType {
        params: Box::new([rill_decoder::ValType::V128]),
        results: Box::new([rill_decoder::ValType::V128]),
    };
    let twice = s.func_new(ty, |_, args, results| match args {
        [Value::V128(x)] => {
            results[0] = Value::V128(x.wrapping_shl(1));
            Ok(())
        }
        _ => panic!("one v128 argument"),
    });
    let i = s.instantiate(&module, &[Extern::Func(twice)]).unwrap();
    assert_eq!(call(&mut s, i, "bump", &[]), Ok(vec![i32x4([2, 4, 6, 8])]));
    assert_eq!(call(&mut s, i, "h", &[]), Ok(vec![i32x4([1, 2, 3, 4])]));
    let Some(Extern::Global(g)) = s.export(i, "g") else {
        panic!("no global")
    };
    assert_eq!(s.global_get(g), i32x4([2, 4, 6, 8]));
    let big = Value::V128(0x8000_0000_0000_0000_0000_0000_0000_0001);
    assert_eq!(call(&mut s, i, "tail", &[big]), Ok(vec![Value::V128(2)]));
    // A host global holding a v128 keeps all of it.
    let desc = rill_decoder::GlobalType {
        content: rill_decoder::ValType::V128,
        mutable: false,
    };
    let hg = s.global_new(desc, big).unwrap();
    assert_eq!(s.global_get(hg), big);
}

#[test]
fn simd_memory_accesses_trap_out_of_bounds() {
    let (mut s, i) = instance(
        r#"(module (memory 1)
            (func (export "store") (param i32 v128) (v128.store offset=1 (local.get 0) (local.get 1)))
            (func (export "load") (param i32) (result v128) (v128.load offset=1 (local.get 0)))
            (func (export "lane") (param i32) (result i32)
              (i8x16.extract_lane_u 15 (v128.load8_lane 15 (local.get 0) (v128.const i64x2 0 0)))))"#,
    );
    let x = Value::V128(0x1122_3344_5566_7788_99aa_bbcc_ddee_ff00);
    assert_eq!(call(&mut s, i, "store", &[Value::I32(100), x]), Ok(vec![]));
    assert_eq!(call(&mut s, i, "load", &[Value::I32(100)]), Ok(vec![x]));
    assert_eq!(
        call(&mut s, i, "lane", &[Value::I32(116)]),
        Ok(vec![Value::I32(0x11)])
    );
    assert_eq!(
        call(&mut s, i, "load", &[Value::I32(65536 - 16)]),
        Err(Trap::MemoryOutOfBounds)
    );
    assert_eq!(
        call(&mut s, i, "store", &[Value::I32(-1), x]),
        Err(Trap::MemoryOutOfBounds)
    );
}

#[test]
fn fused_address_accesses() {
    let (mut s, i) = instance(
        r#"(module (memory 1)
          (func (export "copy") (param $dst i32) (param $src i32) (param $n i32) (result i32)
            (local $i i32)
            (block $done (loop $l
              (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
              (i32.store8 (i32.add (local.get $dst) (local.get $i))
                          (i32.load8_u (i32.add (local.get $src) (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $l)))
            (i32.store (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2)))
                       (i32.const 70000))
            (i32.add (i32.load8_u offset=1 (i32.add (local.get $dst) (local.get $n)))
                     (i32.load offset=0 (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))))
          (func (export "wrap") (param i32 i32) (result i32)
            (i32.load8_u offset=2 (i32.add (local.get 0) (local.get 1))))
          (data (i32.const 0) "\01\02\03\04\05\06\07\08"))"#,
    );
    // 8 bytes copied to 100; dst + 8 * 4 = 132 gets 70000; (dst + 8 + 1) = 109 is 0.
    let r = call(
        &mut s,
        i,
        "copy",
        &[Value::I32(100), Value::I32(0), Value::I32(8)],
    );
    assert_eq!(r, Ok(vec![Value::I32(70000)]));
    // 32-bit wrap of p + q, then the offset: 0xFFFF_FFFF + 1 = 0, + 2 = byte 3.
    let r = call(&mut s, i, "wrap", &[Value::I32(-1), Value::I32(1)]);
    assert_eq!(r, Ok(vec![Value::I32(3)]));
    // Out of bounds: no wrap beyond 32 bits into bounds.
    let r = call(&mut s, i, "wrap", &[Value::I32(65534), Value::I32(0)]);
    assert_eq!(r, Err(Trap::MemoryOutOfBounds));
}

/// Wide arithmetic: two results from lazy locals, the same local twice, hoisted constants
/// (in a loop) and results stored into locals, compared with Rust's 128-bit arithmetic.
#[test]
fn wide_arithmetic() {
    let (mut s, i) = instance(
        r#"(module
          (func (export "add_swapped") (param i64 i64) (result i64 i64)
            (i64.add128 (local.get 0) (local.get 1) (local.get 1) (local.get 0)))
          (func (export "sub") (param i64 i64 i64 i64) (result i64 i64)
            (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
          (func (export "square_s") (param i64) (result i64 i64)
            (i64.mul_wide_s (local.get 0) (local.get 0)))
          ;; sum of i * 0xFFFF_FFFF_FFFF_FFFF for i in 1..=n, in 128 bits, through locals
          (func (export "sum") (param $n i64) (result i64 i64) (local $lo i64) (local $hi i64)
            (loop $next
              (i64.mul_wide_u (local.get $n) (i64.const -1))
              (i64.add128 (local.get $lo) (local.get $hi))
              (local.set $hi)
              (local.set $lo)
              (br_if $next (i64.ne (local.tee $n (i64.sub (local.get $n) (i64.const 1)))
                                   (i64.const 0))))
            (local.get $lo) (local.get $hi)))"#,
    );
    let halves = |v: u128| vec![Value::I64(v as i64), Value::I64((v >> 64) as i64)];
    let (a, b) = (0x8000_0000_0000_0001u64, 0xFFFF_FFFF_FFFF_FFFFu64);
    assert_eq!(
        call(
            &mut s,
            i,
            "add_swapped",
            &[Value::I64(a as i64), Value::I64(b as i64)]
        ),
        Ok(halves(
            (u128::from(b) << 64 | u128::from(a)).wrapping_add(u128::from(a) << 64 | u128::from(b))
        ))
    );
    let args = [1i64, 0, 2, 0].map(Value::I64);
    assert_eq!(call(&mut s, i, "sub", &args), Ok(halves(u128::MAX)));
    assert_eq!(
        call(&mut s, i, "square_s", &[Value::I64(i64::MIN)]),
        Ok(halves(
            (i128::from(i64::MIN) * i128::from(i64::MIN)) as u128
        ))
    );
    let n = 1000u128;
    assert_eq!(
        call(&mut s, i, "sum", &[Value::I64(n as i64)]),
        Ok(halves(n * (n + 1) / 2 * u128::from(u64::MAX)))
    );
}

/// Atomic accesses: every read-modify-write at each width (narrow ones zero-extend and
/// wrap), `cmpxchg` comparing the wrapped expected value, waits that find another value or
/// time out, `notify` without waiters, and the traps: unaligned, out of bounds, waiting on
/// an unshared memory.
#[test]
fn atomics() {
    let (mut s, i) = instance(
        r#"(module
          (memory 1 1 shared)
          (memory $plain 1)
          (func (export "rmw8") (param i32) (result i32 i32)
            (i32.atomic.store8 (i32.const 3) (i32.const 0xF0))
            (i32.atomic.rmw8.add_u (i32.const 3) (local.get 0))
            (i32.atomic.load8_u (i32.const 3)))
          (func (export "rmw16") (param i64) (result i64 i64)
            (i64.atomic.store16 (i32.const 6) (i64.const 0x1234))
            (i64.atomic.rmw16.sub_u (i32.const 6) (local.get 0))
            (i64.atomic.load16_u (i32.const 6)))
          (func (export "bits") (result i32 i32 i32 i32)
            (i32.atomic.store (i32.const 8) (i32.const 0xFF00FF00))
            (i32.atomic.rmw.and (i32.const 8) (i32.const 0x0FF00FF0))
            (i32.atomic.rmw.or (i32.const 8) (i32.const 0x1))
            (i32.atomic.rmw.xor (i32.const 8) (i32.const -1))
            (i32.atomic.rmw.xchg (i32.const 8) (i32.const 7)))
          (func (export "cmpxchg") (param $expected i64) (param $new i64) (result i64 i64)
            (i64.atomic.store (i32.const 16) (i64.const 0x1FF))
            (i64.atomic.rmw8.cmpxchg_u (i32.const 16) (local.get $expected) (local.get $new))
            (i64.atomic.load (i32.const 16)))
          (func (export "wait") (param i32 i64) (result i32)
            (memory.atomic.wait32 (i32.const 8) (local.get 0) (local.get 1)))
          (func (export "notify") (result i32)
            (memory.atomic.notify (i32.const 8) (i32.const 10)))
          (func (export "unaligned") (result i64) (i64.atomic.load (i32.const 4)))
          (func (export "out_of_bounds") (result i32)
            (i32.atomic.rmw.add (i32.const 65536) (i32.const 1)))
          (func (export "wait_plain") (result i32)
            (memory.atomic.wait32 $plain (i32.const 0) (i32.const 0) (i64.const 0)))
          (func (export "fence") (atomic.fence)))"#,
    );
    let i32s = |v: &[u32]| v.iter().map(|&x| Value::I32(x as i32)).collect::<Vec<_>>();
    let i64s = |v: &[u64]| v.iter().map(|&x| Value::I64(x as i64)).collect::<Vec<_>>();
    // 0xF0 + 0x1FF wraps in 8 bits to 0xEF.
    assert_eq!(
        call(&mut s, i, "rmw8", &[Value::I32(0x1FF)]),
        Ok(i32s(&[0xF0, 0xEF]))
    );
    // 0x1234 - 0x1235 wraps in 16 bits.
    assert_eq!(
        call(&mut s, i, "rmw16", &[Value::I64(0x1235)]),
        Ok(i64s(&[0x1234, 0xFFFF]))
    );
    let and = 0xFF00FF00u32 & 0x0FF00FF0;
    assert_eq!(
        call(&mut s, i, "bits", &[]),
        Ok(i32s(&[0xFF00FF00, and, and | 1, !(and | 1)]))
    );
    // The expected value wraps to 8 bits (0x3FF to 0xFF, the stored low byte): replaced,
    // by the wrapped new value; the byte above stays.
    assert_eq!(
        call(
            &mut s,
            i,
            "cmpxchg",
            &[Value::I64(0x3FF), Value::I64(0x1AB)]
        ),
        Ok(i64s(&[0xFF, 0x1AB]))
    );
    assert_eq!(
        call(&mut s, i, "cmpxchg", &[Value::I64(0x1), Value::I64(0x2)]),
        Ok(i64s(&[0xFF, 0x1FF]))
    );
    call(&mut s, i, "bits", &[]).unwrap();
    // Memory at 8 holds 7: another value is "not equal", the same one times out.
    assert_eq!(
        call(&mut s, i, "wait", &[Value::I32(6), Value::I64(-1)]),
        Ok(i32s(&[1]))
    );
    assert_eq!(
        call(&mut s, i, "wait", &[Value::I32(7), Value::I64(1000)]),
        Ok(i32s(&[2]))
    );
    assert_eq!(call(&mut s, i, "notify", &[]), Ok(i32s(&[0])));
    assert_eq!(call(&mut s, i, "fence", &[]), Ok(vec![]));
    assert_eq!(
        call(&mut s, i, "unaligned", &[]),
        Err(Trap::UnalignedAtomic)
    );
    assert_eq!(
        call(&mut s, i, "out_of_bounds", &[]),
        Err(Trap::MemoryOutOfBounds)
    );
    assert_eq!(
        call(&mut s, i, "wait_plain", &[]),
        Err(Trap::ExpectedSharedMemory)
    );
}
