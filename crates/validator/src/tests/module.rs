//! Module-level checks, fed with hand-made decoder events.

use rill_decoder::*;

use crate::{Error, ModuleValidator};

fn ev(payload: Payload) -> Event {
    Event {
        range: 0..0,
        payload,
    }
}

fn func_type(params: &[ValType], results: &[ValType]) -> RecGroup {
    RecGroup {
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
    }
}

fn run(payloads: Vec<Payload>) -> Result<(), Error> {
    let mut v = ModuleValidator::new();
    for p in payloads {
        v.payload(&ev(p))?;
    }
    Ok(())
}

fn expect_err(payloads: Vec<Payload>, text: &str) {
    let err = run(payloads).expect_err(text);
    assert!(!err.is_malformed());
    assert!(
        err.message().contains(text),
        "{err} should contain {text:?}"
    );
}

fn mem(min: u64, max: Option<u64>, memory64: bool, page: Option<u32>) -> MemoryType {
    MemoryType {
        limits: Limits { min, max },
        memory64,
        shared: false,
        page_size_log2: page,
    }
}

fn const_expr(bytes: &[u8]) -> ConstExpr {
    ConstExpr {
        offset: 0,
        bytes: Bytes::copy_from_slice(bytes),
    }
}

#[test]
fn valid_module() {
    run(vec![
        Payload::Header { version: 1 },
        Payload::Type(vec![func_type(&[], &[])]),
        Payload::Function(vec![0]),
        Payload::Memory(vec![mem(1, Some(2), false, None), mem(0, None, true, None)]),
        Payload::Export(vec![Export {
            name: "f".into(),
            kind: ExternalKind::Func,
            index: 0,
        }]),
        Payload::Start(0),
        Payload::CodeStart { count: 1 },
        Payload::End,
    ])
    .unwrap();
}

#[test]
fn unknown_type_and_function() {
    expect_err(vec![Payload::Function(vec![0])], "unknown type");
    expect_err(
        vec![Payload::Type(vec![func_type(&[], &[])]), Payload::Start(3)],
        "unknown function 3",
    );
}

#[test]
fn start_function_type() {
    expect_err(
        vec![
            Payload::Type(vec![func_type(&[ValType::I32], &[])]),
            Payload::Function(vec![0]),
            Payload::Start(0),
        ],
        "start function",
    );
}

#[test]
fn duplicate_export_name() {
    let e = |index| Export {
        name: "x".into(),
        kind: ExternalKind::Memory,
        index,
    };
    expect_err(
        vec![
            Payload::Memory(vec![mem(0, None, false, None)]),
            Payload::Export(vec![e(0), e(0)]),
        ],
        "duplicate export name",
    );
    expect_err(vec![Payload::Export(vec![e(1)])], "unknown memory 1");
}

#[test]
fn memory_limits() {
    expect_err(
        vec![Payload::Memory(vec![mem(65537, None, false, None)])],
        "memory size must be at most 65536 pages (4GiB)",
    );
    expect_err(
        vec![Payload::Memory(vec![mem(1 << 49, None, true, None)])],
        "memory size",
    );
    expect_err(
        vec![Payload::Memory(vec![mem(2, Some(1), false, None)])],
        "size minimum must not be greater than maximum",
    );
    expect_err(
        vec![Payload::Memory(vec![mem(0, None, false, Some(4))])],
        "invalid custom page size",
    );
    run(vec![Payload::Memory(vec![mem(0, None, false, Some(0))])]).unwrap();
    let mut shared = mem(1, None, false, None);
    shared.shared = true;
    expect_err(
        vec![Payload::Memory(vec![shared])],
        "shared memory must have maximum",
    );
}

#[test]
fn table_limits_and_initialisers() {
    let table = |min, max, element| Table {
        ty: TableType {
            element,
            limits: Limits { min, max },
            table64: false,
            shared: false,
        },
        init: None,
    };
    expect_err(
        vec![Payload::Table(vec![table(
            0,
            Some(1 << 32),
            RefType::FUNCREF,
        )])],
        "table size",
    );
    expect_err(
        vec![Payload::Table(vec![table(
            20_000_000,
            None,
            RefType::FUNCREF,
        )])],
        "table size",
    );
    let non_null = RefType {
        nullable: false,
        heap: HeapType::Abstract(AbsHeapType::Func),
    };
    expect_err(
        vec![Payload::Table(vec![table(1, None, non_null)])],
        "type mismatch",
    );
}

#[test]
fn global_initialisers() {
    let global = |content, mutable, bytes: &[u8]| Global {
        ty: GlobalType { content, mutable },
        init: const_expr(bytes),
    };
    // i32.const 1; i32.const 2; i32.add (extended const)
    run(vec![Payload::Global(vec![global(
        ValType::I32,
        false,
        &[0x41, 1, 0x41, 2, 0x6A, 0x0B],
    )])])
    .unwrap();
    // i32.div_s is not constant.
    expect_err(
        vec![Payload::Global(vec![global(
            ValType::I32,
            false,
            &[0x41, 1, 0x41, 2, 0x6D, 0x0B],
        )])],
        "constant expression required",
    );
    // Type of the expression.
    expect_err(
        vec![Payload::Global(vec![global(
            ValType::I64,
            false,
            &[0x41, 1, 0x0B],
        )])],
        "type mismatch",
    );
    // global.get of a later global, of a mutable one.
    expect_err(
        vec![Payload::Global(vec![global(
            ValType::I32,
            false,
            &[0x23, 0, 0x0B],
        )])],
        "unknown global 0",
    );
    expect_err(
        vec![Payload::Global(vec![
            global(ValType::I32, true, &[0x41, 0, 0x0B]),
            global(ValType::I32, false, &[0x23, 0, 0x0B]),
        ])],
        "constant expression required",
    );
    // An earlier immutable global is fine (Wasm 3.0).
    run(vec![Payload::Global(vec![
        global(ValType::I32, false, &[0x41, 0, 0x0B]),
        global(ValType::I32, false, &[0x23, 0, 0x0B]),
    ])])
    .unwrap();
}

#[test]
fn data_segments() {
    let data = |memory| Data {
        offset: 0,
        kind: DataKind::Active {
            memory,
            offset: const_expr(&[0x41, 0, 0x0B]),
        },
        data: Bytes::copy_from_slice(b"x"),
    };
    expect_err(vec![Payload::Data(vec![data(0)])], "unknown memory 0");
    expect_err(
        vec![Payload::DataCount(2), Payload::Data(vec![])],
        "data count and data section have inconsistent lengths",
    );
    run(vec![
        Payload::Memory(vec![mem(1, None, false, None)]),
        Payload::Data(vec![data(0)]),
    ])
    .unwrap();
}

#[test]
fn code_count() {
    expect_err(
        vec![
            Payload::Type(vec![func_type(&[], &[])]),
            Payload::Function(vec![0]),
            Payload::CodeStart { count: 2 },
        ],
        "function and code section have inconsistent lengths",
    );
}

#[test]
fn tag_types() {
    expect_err(
        vec![
            Payload::Type(vec![func_type(&[], &[ValType::I32])]),
            Payload::Tag(vec![TagType { func_type: 0 }]),
        ],
        "non-empty tag result type",
    );
}

#[test]
fn errors_print_message_and_offset() {
    let err = crate::ValidationError::new(0x2a, "type mismatch");
    assert_eq!(err.to_string(), "type mismatch (at offset 0x2a)");
    let err: Error = DecodeError::new(3, "unexpected end").into();
    assert!(err.is_malformed());
    assert_eq!(err.to_string(), "unexpected end (at offset 0x3)");
}
