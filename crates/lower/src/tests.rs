//! Lowering tests: small modules written in the text format (the `wat` crate is a
//! dev-dependency), lowered, and checked for the instructions the design promises.

use crate::{lower_function, CompiledFunc, Instr};
use rill_decoder::{Decoder, Payload};
use rill_validator::ModuleValidator;

/// Lowers every function of the module `wat`.
pub(crate) fn lower_wat(wat: &str) -> Vec<CompiledFunc> {
    let bytes = wat::parse_str(wat).expect("valid text");
    let mut decoder = Decoder::new();
    decoder.push(&bytes).unwrap();
    decoder.finish().unwrap();
    let mut validator = ModuleValidator::new();
    let mut out = Vec::new();
    while let Some(event) = decoder.next_event() {
        validator.payload(&event).unwrap();
        if let Payload::FunctionBody(body) = &event.payload {
            let env = validator.env().unwrap();
            out.push(lower_function(env, body).unwrap());
        }
    }
    out
}

#[test]
fn local_get_emits_nothing_and_set_folds() {
    let f = &lower_wat(
        r#"(module (func (param i32 i32) (result i32) (local i32)
            local.get 0 local.get 1 i32.add local.set 2 local.get 2))"#,
    )[0];
    assert_eq!(
        &*f.code,
        &[Instr::I32Add { d: 2, a: 0, b: 1 }, Instr::Return1 { s: 2 }]
    );
}

#[test]
fn constants_are_immediates_and_compare_fuses_with_br_if() {
    let f = &lower_wat(
        r#"(module (func (param i32) (result i32)
            (loop $l
              local.get 0 i32.const 1 i32.sub local.tee 0
              i32.const 10 i32.gt_s br_if $l)
            local.get 0))"#,
    )[0];
    assert_eq!(
        &*f.code,
        &[
            Instr::I32SubImm { d: 0, a: 0, imm: 1 },
            Instr::BrI32GtSImm {
                a: 0,
                imm: 10,
                offset: -1
            },
            Instr::Return1 { s: 0 }
        ]
    );
}

#[test]
fn call_arguments_are_placed_in_consecutive_slots() {
    let f = &lower_wat(
        r#"(module
            (func $f (param i32 i32) (result i32) local.get 0)
            (func (param i32) (result i32) (local i32)
              local.get 0 i32.const 7 call $f))"#,
    )[1];
    assert_eq!(
        &*f.code,
        &[
            Instr::Copy { d: 2, s: 0 },
            Instr::Const32 { d: 3, value: 7 },
            Instr::Call { base: 2, func: 0 },
            Instr::Return1 { s: 2 }
        ]
    );
}

#[test]
fn overwritten_local_is_preserved() {
    let f = &lower_wat(
        r#"(module (func (param i32) (result i32)
            local.get 0 i32.const 5 local.set 0 local.get 0 i32.add))"#,
    )[0];
    assert_eq!(
        &*f.code,
        &[
            Instr::Copy { d: 1, s: 0 },
            Instr::Const32 { d: 0, value: 5 },
            Instr::I32Add { d: 1, a: 1, b: 0 },
            Instr::Return1 { s: 1 }
        ]
    );
}

#[test]
fn while_loops_are_rotated() {
    let f = &lower_wat(
        r#"(module (func (param i32) (result i32) (local i32)
            block loop
              local.get 1 local.get 0 i32.ge_u br_if 1
              local.get 1 i32.const 1 i32.add local.set 1
              br 0
            end end
            local.get 1))"#,
    )[0];
    assert_eq!(
        &*f.code,
        &[
            Instr::BrI32GeU {
                a: 1,
                b: 0,
                offset: 3
            },
            Instr::I32AddImm { d: 1, a: 1, imm: 1 },
            Instr::BrI32LtU {
                a: 1,
                b: 0,
                offset: -1
            },
            Instr::Return1 { s: 1 },
        ]
    );
}

#[test]
fn eqz_of_a_comparison_negates_it_and_still_fuses() {
    let f = &lower_wat(
        r#"(module (func (param i32 i32 f64 f64) (result i32)
            (if (i32.eqz (i32.lt_s (local.get 0) (local.get 1))) (then (return (i32.const 1))))
            (if (i32.eqz (f64.lt (local.get 2) (local.get 3))) (then (return (i32.const 2))))
            (i32.eqz (f64.gt (local.get 2) (local.get 3)))))"#,
    )[0];
    // `if` skips its body when the condition is false: when `a < b` for the integers
    // (eqz negated the comparison), and when `a < b` holds for the floats (eqz deferred,
    // so the branch tests the comparison itself); NaN takes the body either way, as it must.
    assert!(matches!(f.code[0], Instr::BrI32LtS { a: 0, b: 1, .. }));
    assert!(matches!(f.code[3], Instr::BrF64Lt { a: 2, b: 3, .. }));
    // Not followed by a branch: the deferred eqz is emitted.
    assert!(matches!(f.code[6], Instr::F64Gt { d: 4, a: 2, b: 3 }));
    assert!(matches!(f.code[7], Instr::I32Eqz { d: 4, a: 4 }));
}

#[test]
fn constants_in_loops_are_read_from_the_frame() {
    let f = &lower_wat(
        r#"(module (func (param f64) (result f64) (local i32)
            (local.set 0 (f64.add (local.get 0) (f64.const 1.5)))
            (loop
              (local.set 0 (f64.mul (local.get 0) (f64.const 2.5)))
              (br_if 0 (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1)))
                                 (i32.const 10))))
            (local.get 0)))"#,
    )[0];
    // Outside the loop, 1.5 is materialised where it is used; inside, 2.5 is hoisted into
    // the slot after the locals (2), and the operand stack starts after it.
    assert_eq!(&*f.consts, &[2.5f64.to_bits()]);
    assert!(f.code.iter().any(|i| matches!(i, Instr::Const64 { .. })));
    assert!(f
        .code
        .iter()
        .any(|i| matches!(i, Instr::F64Mul { d: 0, a: 0, b: 2 })));
    assert_eq!(f.locals, 2);
}

#[test]
fn v128_values_move_with_vector_copies() {
    use crate::{SimdOp, SimdXOp};
    let simd = |op, d, a| Instr::Simd {
        op,
        d,
        a,
        b: 0,
        c: 0,
    };
    let f = &lower_wat(
        r#"(module (func (param v128 v128 i32) (result v128) (local v128 i32)
            local.get 0 local.set 3
            local.get 2 local.set 4
            local.get 1))"#,
    )[0];
    assert!(f.uses_v128);
    assert_eq!(
        &*f.code,
        &[
            // The declared v128 local starts at zero; the i32 one is zeroed on entry.
            simd(SimdOp::V128Zero, 3, 0),
            simd(SimdOp::CopyV128, 3, 0),
            Instr::Copy { d: 4, s: 2 },
            // A v128 result goes to vector slot 0, then the frame returns.
            simd(SimdOp::CopyV128, 0, 1),
            Instr::Return0,
        ]
    );
    let f = &lower_wat(
        r#"(module (func (param v128 i32) (result v128)
            (select (local.get 0) (v128.const i64x2 1 2) (local.get 1))))"#,
    )[0];
    assert_eq!(&*f.v128_consts, &[2 << 64 | 1]);
    assert_eq!(
        &*f.code,
        &[
            Instr::SimdX {
                op: SimdXOp::V128Const,
                v: 3,
                s: 0,
                x: 0
            },
            Instr::Simd {
                op: SimdOp::SelectV128,
                d: 2,
                a: 0,
                b: 3,
                c: 1
            },
            simd(SimdOp::CopyV128, 0, 2),
            Instr::Return0,
        ]
    );
}

#[test]
fn scalar_functions_do_not_use_vector_slots() {
    let f = &lower_wat(r#"(module (func (param i32) (result i32) local.get 0))"#)[0];
    assert!(!f.uses_v128);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "parses 70,000 locals: minutes under Miri, and no unsafe code"
)]
fn too_many_locals_is_an_error_not_a_panic() {
    let locals = "v128 ".repeat(70_000);
    let wat = format!("(module (func (local {locals}) (drop (i32.const 0))))");
    let bytes = wat::parse_str(&wat).expect("valid text");
    let mut decoder = Decoder::new();
    decoder.push(&bytes).unwrap();
    decoder.finish().unwrap();
    let mut validator = ModuleValidator::new();
    let mut lowered = None;
    while let Some(event) = decoder.next_event() {
        validator.payload(&event).unwrap();
        if let Payload::FunctionBody(body) = &event.payload {
            lowered = Some(lower_function(validator.env().unwrap(), body));
        }
    }
    // The validator's limit (50,000 locals) comes first; either way an error, no panic.
    let err = lowered.expect("one body").expect_err("too many locals");
    assert!(err.to_string().contains("too many locals"), "{err}");
}

#[test]
fn an_added_address_fuses_into_loads_and_stores() {
    let f = &lower_wat(
        r#"(module (memory 1) (func (param i32 i32 i32)
            ;; memmove's byte loop: dst[i] = src[i], both adds of locals
            (i32.store8 (i32.add (local.get 0) (local.get 2))
                        (i32.load8_u offset=3 (i32.add (local.get 1) (local.get 2))))
            ;; an add of a computed index, then a store of a constant: the constant is
            ;; materialised in the slot the add reads, so the add stays
            (i32.store (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))
                       (i32.const 70000))))"#,
    )[0];
    assert_eq!(
        &f.code[..2],
        &[
            Instr::I32Load8UAdd {
                d: 4,
                p: 1,
                q: 2,
                offset: 3
            },
            Instr::I32Store8Add {
                p: 0,
                q: 2,
                v: 4,
                offset: 0
            },
        ]
    );
    assert!(matches!(f.code[3], Instr::I32Add { .. }), "{:?}", f.code);
}

#[test]
fn branches_to_a_return_become_the_return() {
    // fib: the `then` arm's copy to the `if` result and its branch to the shared return
    // become one return of the parameter.
    let f = &lower_wat(
        r#"(module (func $fib (param i32) (result i32)
            local.get 0 i32.const 2 i32.lt_u
            if (result i32) local.get 0
            else
              local.get 0 i32.const 1 i32.sub call $fib
              local.get 0 i32.const 2 i32.sub call $fib i32.add
            end))"#,
    )[0];
    assert_eq!(
        &f.code[..3],
        &[
            Instr::BrI32GeUImm {
                a: 0,
                imm: 2,
                offset: 3
            },
            Instr::Return1 { s: 0 },
            Instr::Return1 { s: 1 },
        ]
    );
    assert_eq!(f.code.last(), Some(&Instr::Return1 { s: 1 }));
    // A copy into another slot than the returned one stays; a br_table's branches stay
    // branches even when they reach a return.
    let f = &lower_wat(
        r#"(module (func (param i32 i32) (result i32) (local i32)
            block block
              local.get 0 br_table 0 1 1
            end
              local.get 1 local.set 2 local.get 0 return
            end
            local.get 1))"#,
    )[0];
    assert!(matches!(f.code[0], Instr::BrTable { len: 2, .. }));
    assert!(f.code[1..4].iter().all(|i| matches!(i, Instr::Br { .. })));
    assert_eq!(
        &f.code[4..6],
        &[Instr::Copy { d: 2, s: 1 }, Instr::Return1 { s: 0 }]
    );
}
