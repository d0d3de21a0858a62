//! Function bodies against a hand-made module.

use std::sync::Arc;

use rill_decoder::*;

use crate::{validate_function, Facts, ModuleEnv, ModuleValidator, NoopSink, OpInfo, OperatorSink};

/// A module with type 0 = [i32] -> [i32], type 1 = [] -> [], one function of type
/// `func_type`, a memory and a funcref table.
fn env(func_type: u32) -> Arc<ModuleEnv> {
    let ft = |params: &[ValType], results: &[ValType]| RecGroup {
        types: vec![SubType {
            is_final: true,
            supertypes: Box::new([]),
            composite: CompositeType {
                kind: CompositeTypeKind::Func(FuncType {
                    params: params.into(),
                    results: results.into(),
                }),
                describes: None,
                descriptor: None,
            },
        }],
        explicit: false,
    };
    let mut v = ModuleValidator::new();
    let payloads = vec![
        Payload::Type(vec![ft(&[ValType::I32], &[ValType::I32]), ft(&[], &[])]),
        Payload::Function(vec![func_type]),
        Payload::Table(vec![Table {
            ty: TableType {
                element: RefType::FUNCREF,
                limits: Limits { min: 1, max: None },
                table64: false,
                shared: false,
            },
            init: None,
        }]),
        Payload::Memory(vec![MemoryType {
            limits: Limits { min: 1, max: None },
            memory64: false,
            shared: false,
            page_size_log2: None,
        }]),
        Payload::CodeStart { count: 1 },
    ];
    for p in payloads {
        v.payload(&Event {
            range: 0..0,
            payload: p,
        })
        .unwrap();
    }
    v.env().unwrap().clone()
}

fn body(code: &[u8]) -> FunctionBody {
    FunctionBody {
        index: 0,
        offset: 100,
        bytes: Bytes::copy_from_slice(code),
        has_data_count: false,
    }
}

fn check(func_type: u32, code: &[u8]) -> Result<(), crate::Error> {
    validate_function(&env(func_type), &body(code), &mut NoopSink)
}

fn expect_err(func_type: u32, code: &[u8], text: &str) {
    let err = check(func_type, code).expect_err(text);
    assert!(
        err.message().contains(text),
        "{err} should contain {text:?}"
    );
}

#[test]
fn valid_bodies() {
    // (local.get 0) (i32.const 1) (i32.add)
    check(0, &[0, 0x20, 0, 0x41, 1, 0x6A, 0x0B]).unwrap();
    // block (result i32) (local.get 0) end
    check(0, &[0, 0x02, 0x7F, 0x20, 0, 0x0B, 0x0B]).unwrap();
    // unreachable makes the stack polymorphic: unreachable i32.add
    check(0, &[0, 0x00, 0x6A, 0x0B]).unwrap();
    // i32.load offset=0 align=2 of local 0
    check(0, &[0, 0x20, 0, 0x28, 2, 0, 0x0B]).unwrap();
    // call_indirect (type 0) table 0: [i32 i32] -> [i32]
    check(0, &[0, 0x20, 0, 0x20, 0, 0x11, 0, 0, 0x0B]).unwrap();
}

#[test]
fn invalid_bodies() {
    expect_err(0, &[0, 0x0B], "type mismatch");
    expect_err(0, &[0, 0x20, 3, 0x0B], "unknown local 3");
    expect_err(1, &[0, 0x10, 5, 0x0B], "unknown function 5");
    expect_err(1, &[0, 0x0C, 1, 0x0B], "unknown label");
    expect_err(
        0,
        &[0, 0x20, 0, 0x28, 3, 0, 0x0B],
        "alignment must not be larger than natural",
    );
    expect_err(1, &[0, 0x02, 0x40, 0x41, 1, 0x0B, 0x0B], "type mismatch");
    // i64.const 0; i32.eqz
    expect_err(
        1,
        &[0, 0x42, 0, 0x45, 0x1A, 0x0B],
        "type mismatch: instruction requires [i32] but stack has [i64]",
    );
    // ref.func 0 is not declared anywhere outside bodies.
    expect_err(
        1,
        &[0, 0xD2, 0, 0x1A, 0x0B],
        "undeclared function reference",
    );
    // A non-nullable local read before it is set: (local (ref func)) local.get 0
    expect_err(
        1,
        &[1, 1, 0x64, 0x70, 0x20, 0, 0x1A, 0x0B],
        "uninitialized local",
    );
    // select with mismatched operands
    expect_err(
        1,
        &[0, 0x41, 0, 0x42, 0, 0x41, 0, 0x1B, 0x1A, 0x0B],
        "type mismatch",
    );
}

#[derive(Default)]
struct Recorder(Vec<String>);

impl OperatorSink for Recorder {
    fn operator(
        &mut self,
        op: &Operator<'_>,
        info: &OpInfo<'_>,
    ) -> Result<(), crate::ValidationError> {
        let fact = match info.facts {
            Facts::Block { params, results } => format!("block {params:?}->{results:?}"),
            Facts::End { kind, results } => format!("end {kind:?} {results:?}"),
            Facts::Branch { label, .. } => format!("br arity {}", label.types.len()),
            Facts::Select { ty } => format!("select {ty:?}"),
            Facts::Local { ty } => format!("local {ty:?}"),
            _ => String::new(),
        };
        self.0.push(format!(
            "{}@{} {}{}",
            op.name(),
            info.offset,
            if info.unreachable { "dead " } else { "" },
            fact
        ));
        Ok(())
    }
}

#[test]
fn sink_sees_resolved_facts() {
    let env = env(0);
    // block (result i32) local.get 0 br 0 end local.get 0 i32.const 0 select end
    let code = [
        0, 0x02, 0x7F, 0x20, 0, 0x0C, 0, 0x0B, 0x20, 0, 0x41, 0, 0x1B, 0x0B,
    ];
    let mut sink = Recorder::default();
    validate_function(&env, &body(&code), &mut sink).unwrap();
    assert_eq!(
        sink.0,
        [
            "block@101 block []->[I32]",
            "local.get@103 local I32",
            "br@105 br arity 1",
            "end@107 dead end Block [I32]",
            "local.get@108 local I32",
            "i32.const@110 ",
            "select@112 select Some(I32)",
            "end@113 end Function [I32]",
        ]
    );
}

/// Every module in /work/shared/bench validates (needs the decoder's section readers).
#[test]
fn bench_modules_validate() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "wasm") {
                files.push(p);
            }
        }
    }
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        match crate::validate(&bytes) {
            Ok(()) => {}
            Err(e) if e.message().contains("section readers not written yet") => return,
            Err(e) => panic!("{}: {e}", f.display()),
        }
    }
}
