//! JS-API.md, "Implementation limits": a module over any of them is a CompileError, from
//! `Module::new`, `validate` and streaming alike. Each module declares one more item than
//! the limit allows (the items themselves are padding: the count is checked first).

mod common;

use common::*;
use futures::executor::block_on;
use rill::{Error, Module};

/// A section with a vector of `count` items whose bytes are `filler` (enough bytes for
/// the count to be plausible, so the limit is what fails).
fn vec_section(id: u8, count: u64, filler: usize) -> Vec<u8> {
    let mut payload = leb(count);
    payload.resize(payload.len() + filler, 0);
    section(id, &payload)
}

fn assert_compile_error(what: &str, bytes: &[u8], text: &str) {
    let e = match Module::new(bytes) {
        Err(Error::CompileError(e)) => e,
        Err(other) => panic!("{what}: expected a CompileError, got {other}"),
        Ok(_) => panic!("{what}: the module was accepted"),
    };
    assert!(
        e.message().contains(text),
        "{what}: {e:?} should mention {text:?}"
    );
    assert!(!rill::validate(bytes), "{what}: validate said true");
    // Streamed in 4 KiB chunks: the same error.
    let streamed =
        block_on(rill::compile_streaming(chunks(bytes, 4096))).expect_err("streaming accepted it");
    assert_eq!(
        streamed.to_string(),
        Error::CompileError(e).widen::<std::io::Error>().to_string()
    );
}

const I32: u8 = 0x7f;

#[test]
fn module_size_1_gib() {
    // A custom section declaring 1 GiB: rejected before anything is buffered.
    let mut bytes = module(&[]);
    bytes.push(0);
    bytes.extend(leb(1 << 30));
    bytes.extend_from_slice(b"\x01x");
    assert_compile_error("module size", &bytes, "module size limit");
}

#[test]
fn types_1_000_000() {
    let bytes = module(&[vec_section(1, 1_000_001, 1_000_001)]);
    assert_compile_error("types", &bytes, "too many types");
}

#[test]
fn functions_1_000_000() {
    let types = section(1, &[0x01, 0x60, 0x00, 0x00]);
    let bytes = module(&[types, vec_section(3, 1_000_001, 1_000_001)]);
    assert_compile_error("functions", &bytes, "too many functions");
}

#[test]
fn imports_1_000_000() {
    let bytes = module(&[vec_section(2, 1_000_001, 1_000_001)]);
    assert_compile_error("imports", &bytes, "too many imports");
}

#[test]
fn exports_1_000_000() {
    let bytes = module(&[vec_section(7, 1_000_001, 1_000_001)]);
    assert_compile_error("exports", &bytes, "too many exports");
}

#[test]
fn globals_1_000_000() {
    let bytes = module(&[vec_section(6, 1_000_001, 1_000_001)]);
    assert_compile_error("globals", &bytes, "too many globals");
}

#[test]
fn data_segments_100_000() {
    let bytes = module(&[vec_section(11, 100_001, 100_001)]);
    assert_compile_error("data segments", &bytes, "too many data segments");
    let bytes = module(&[section(12, &leb(100_001))]);
    assert_compile_error("data count", &bytes, "too many data segments");
}

#[test]
fn tables_100_000() {
    let bytes = module(&[vec_section(4, 100_001, 100_001)]);
    assert_compile_error("tables", &bytes, "too many tables");
}

#[test]
fn memories_100() {
    let bytes = module(&[vec_section(5, 101, 101)]);
    assert_compile_error("memories", &bytes, "too many memories");
    // 100 memories are fine.
    let mut payload = leb(100);
    for _ in 0..100 {
        payload.extend_from_slice(&[0x00, 0x00]);
    }
    Module::new(module(&[section(5, &payload)])).unwrap();
}

#[test]
fn initial_table_size_10_000_000() {
    assert_compile_error(
        "table size",
        &wat("(module (table 10000001 funcref))"),
        "table size",
    );
    Module::new(wat("(module (table 10000000 funcref))")).unwrap();
    assert_compile_error(
        "imported table size",
        &wat("(module (import \"m\" \"t\" (table 10000001 externref)))"),
        "table size",
    );
}

fn one_function_module(body: &[u8]) -> Vec<u8> {
    let types = section(1, &[0x01, 0x60, 0x00, 0x00]);
    let funcs = section(3, &[0x01, 0x00]);
    let mut code = vec![0x01];
    code.extend(leb(body.len() as u64));
    code.extend_from_slice(body);
    module(&[types, funcs, section(10, &code)])
}

#[test]
fn function_body_size_7_654_321() {
    // Only the body's declared size: rejected before the body is buffered.
    let types = section(1, &[0x01, 0x60, 0x00, 0x00]);
    let funcs = section(3, &[0x01, 0x00]);
    let mut code = vec![0x01];
    code.extend(leb(7_654_322));
    let mut bytes = module(&[types, funcs]);
    bytes.push(10);
    bytes.extend(leb(7_654_322 + 5));
    bytes.extend(code);
    assert_compile_error("body size", &bytes, "exceeds the limit");
    // A body of exactly the limit is fine: no locals, nops, end.
    let mut body = vec![0x00];
    body.resize(7_654_320, 0x01);
    body.push(0x0b);
    Module::new(one_function_module(&body)).unwrap();
}

#[test]
fn locals_50_000() {
    let mut body = vec![0x01];
    body.extend(leb(50_001));
    body.extend_from_slice(&[I32, 0x0b]);
    assert_compile_error("locals", &one_function_module(&body), "too many locals");
    let mut body = vec![0x02];
    body.extend(leb(25_000));
    body.push(I32);
    body.extend(leb(25_000));
    body.extend_from_slice(&[I32, 0x0b]);
    Module::new(one_function_module(&body)).unwrap();
}

fn func_type_module(params: usize, results: usize) -> Vec<u8> {
    let mut payload = vec![0x01, 0x60];
    payload.extend(leb(params as u64));
    payload.resize(payload.len() + params, I32);
    payload.extend(leb(results as u64));
    payload.resize(payload.len() + results, I32);
    module(&[section(1, &payload)])
}

#[test]
fn parameters_1_000() {
    assert_compile_error("params", &func_type_module(1_001, 0), "too many");
    Module::new(func_type_module(1_000, 0)).unwrap();
}

#[test]
fn results_1_000() {
    assert_compile_error("results", &func_type_module(0, 1_001), "too many");
    Module::new(func_type_module(0, 1_000)).unwrap();
}

#[test]
fn maximum_table_size_10_000_000() {
    assert_compile_error(
        "table maximum",
        &wat("(module (table 1 10000001 funcref))"),
        "table size",
    );
    Module::new(wat("(module (table 1 10000000 funcref))")).unwrap();
}
