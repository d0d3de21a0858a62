//! JS-API.md, "Namespace functions": validate, Module::new, compile.

mod common;

use common::*;
use futures::executor::block_on;
use rill::{compile, validate, Error, Module};

const EMPTY: &[u8] = b"\0asm\x01\0\0\0";

#[test]
fn validate_is_true_for_valid_modules() {
    assert!(validate(EMPTY));
    assert!(validate(wat(
        "(module (func (export \"f\") (result i32) i32.const 1))"
    )));
    assert!(validate(many_functions(20)));
}

#[test]
fn validate_is_false_never_an_error_whatever_the_bytes() {
    assert!(!validate([]));
    assert!(!validate(b"\0asm"));
    assert!(!validate(b"\0asm\x02\0\0\0"));
    assert!(!validate(b"not wasm at all"));
    assert!(!validate(wat("(module (func (result i32) i64.const 1))")));
    // Pseudo-random garbage after a valid header, and every prefix of a valid module
    // except the ones that end between sections.
    let mut x: u32 = 0x1234_5678;
    for len in 0..200 {
        let mut bytes = EMPTY.to_vec();
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            bytes.push(x as u8);
        }
        let _ = validate(&bytes); // Must not panic.
    }
    let m = many_functions(3);
    for end in 0..m.len() {
        let _ = validate(&m[..end]);
    }
}

#[test]
fn validate_agrees_with_module_new() {
    let m = many_functions(3);
    for end in 0..=m.len() {
        assert_eq!(
            validate(&m[..end]),
            Module::new(&m[..end]).is_ok(),
            "prefix {end}"
        );
    }
}

fn compile_error(bytes: &[u8]) -> rill::CompileError {
    match Module::new(bytes) {
        Err(Error::CompileError(e)) => e,
        other => panic!("expected a CompileError, got {other:?}"),
    }
}

#[test]
fn module_new_compiles() {
    let m = Module::new(wat(
        "(module (func (export \"f\") (result i32) i32.const 1) (memory (export \"m\") 1))",
    ))
    .unwrap();
    assert_eq!(m.exports().len(), 2);
    Module::new(EMPTY).unwrap();
    Module::new(many_functions(200)).unwrap(); // big enough for workers
}

#[test]
fn module_new_reports_decode_errors_with_offsets() {
    let e = compile_error(&[]);
    assert!(e.is_malformed());
    assert!(e.message().contains("unexpected end"), "{e}");
    let e = compile_error(b"\0asn\x01\0\0\0");
    assert!(e.message().contains("magic header not detected"), "{e}");
    assert_eq!(e.offset(), 0);
    let e = compile_error(b"\0asm\x02\0\0\0");
    assert!(e.message().contains("unknown binary version"), "{e}");
    let e = compile_error(&module(&[section(14, &[])]));
    assert!(e.message().contains("malformed section id"), "{e}");
    assert_eq!(e.offset(), 8);
    assert!(e.to_string().contains("(at offset 0x8)"), "{e}");
}

#[test]
fn module_new_reports_validation_errors_in_testsuite_words() {
    let e = compile_error(&wat("(module (func (result i32) i64.const 1))"));
    assert!(!e.is_malformed());
    assert!(e.message().contains("type mismatch"), "{e}");
    let e = compile_error(&wat("(module (func call 7))"));
    assert!(e.message().contains("unknown function 7"), "{e}");
    let e = compile_error(&wat("(module (func (export \"a\")) (func (export \"a\")))"));
    assert!(e.message().contains("duplicate export name"), "{e}");
}

#[test]
fn the_error_says_which_class() {
    let err = Module::new([]).unwrap_err();
    assert!(err.to_string().starts_with("CompileError: "), "{err}");
    assert!(err.as_compile_error().is_some());
}

#[test]
fn compile_resolves_to_the_same_as_module_new() {
    let good = many_functions(10);
    let m = block_on(compile(&good)).unwrap();
    assert_eq!(m.exports(), Module::new(&good).unwrap().exports());
    let bad = wat("(module (func (result i32) i64.const 1) (func))");
    assert_eq!(
        block_on(compile(&bad)).unwrap_err(),
        Module::new(&bad).unwrap_err()
    );
    let big = many_functions(300); // compiled with workers
    block_on(compile(&big)).unwrap();
}

#[test]
fn compile_copies_the_bytes_when_called() {
    let mut bytes = wat("(module (func (export \"f\")))");
    let fut = compile(&bytes);
    // Break the caller's buffer before the future is polled: the copy is unaffected.
    bytes.iter_mut().for_each(|b| *b = 0xff);
    let m = block_on(fut).unwrap();
    assert_eq!(m.exports()[0].name, "f");
}

#[test]
fn modules_are_cheap_clones_and_shareable() {
    let m = Module::new(many_functions(5)).unwrap();
    let clones: Vec<Module> = (0..4).map(|_| m.clone()).collect();
    let handles: Vec<_> = clones
        .into_iter()
        .map(|m| std::thread::spawn(move || m.exports().len()))
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 5);
    }
}
