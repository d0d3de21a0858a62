//! Hand-assembled payloads for every section form, every error message, the name section,
//! and random input.

use super::*;
use crate::reader::UNEXPECTED_END;
use crate::{Features, Operator};
use proptest::prelude::*;

/// Module offset given to every payload, so offsets are checked as module offsets.
const BASE: usize = 100;

fn parse(id: u8, bytes: &[u8]) -> Result<Payload> {
    parse_section(id, &Bytes::copy_from_slice(bytes), BASE, &Features::ALL)
}

fn ok(id: u8, bytes: &[u8]) -> Payload {
    parse(id, bytes).unwrap_or_else(|e| panic!("section {id} {bytes:02x?}: {e}"))
}

/// The error's offset and message.
fn err(id: u8, bytes: &[u8]) -> (usize, String) {
    match parse(id, bytes) {
        Ok(p) => panic!("section {id} {bytes:02x?} parsed: {p:?}"),
        Err(e) => (e.offset(), e.message().to_string()),
    }
}

/// Asserts that the error's message contains `expected`.
#[track_caller]
fn assert_err(id: u8, bytes: &[u8], expected: &str) -> usize {
    let (offset, message) = err(id, bytes);
    assert!(
        message.contains(expected),
        "section {id} {bytes:02x?}: {message:?} does not contain {expected:?}"
    );
    offset
}

/// Asserts the BinaryReader's end-of-input error at the end of the payload.
#[track_caller]
fn assert_eof(id: u8, bytes: &[u8]) {
    assert_eq!(
        err(id, bytes),
        (BASE + bytes.len(), UNEXPECTED_END.to_string()),
        "section {id} {bytes:02x?}"
    );
}

fn expr_bytes(e: &ConstExpr) -> &[u8] {
    &e.bytes
}

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;

// ---------------------------------------------------------------------------------------
// Type section

#[test]
fn type_section_rec_groups_sub_types_and_descriptors() {
    #[rustfmt::skip]
    let bytes = [
        0x03, // three groups
        // rec (sub (struct (field (mut i8)) (field i16))) (sub final 0 (array (mut i32)))
        0x4E, 0x02,
        0x50, 0x00, 0x5F, 0x02, 0x78, 0x01, 0x77, 0x00,
        0x4F, 0x01, 0x00, 0x5E, 0x7F, 0x01,
        // (func (param i32 i64) (result f32))
        0x60, 0x02, 0x7F, 0x7E, 0x01, 0x7D,
        // rec (type (descriptor 3) (struct (field (ref null (exact 4)))))
        //     (type (describes 2) (struct))
        0x4E, 0x02,
        0x4D, 0x03, 0x5F, 0x01, 0x63, 0x62, 0x04, 0x00,
        0x4C, 0x02, 0x5F, 0x00,
    ];
    let Payload::Type(groups) = ok(section_id::TYPE, &bytes) else {
        panic!()
    };
    let field = |storage, mutable| FieldType { storage, mutable };
    let plain = |kind| CompositeType {
        kind,
        describes: None,
        descriptor: None,
    };
    assert_eq!(
        groups,
        vec![
            RecGroup {
                explicit: true,
                types: vec![
                    SubType {
                        is_final: false,
                        supertypes: Box::new([]),
                        composite: plain(CompositeTypeKind::Struct(Box::new([
                            field(StorageType::I8, true),
                            field(StorageType::I16, false),
                        ]))),
                    },
                    SubType {
                        is_final: true,
                        supertypes: Box::new([0]),
                        composite: plain(CompositeTypeKind::Array(field(
                            StorageType::Val(I32),
                            true
                        ))),
                    },
                ],
            },
            RecGroup {
                explicit: false,
                types: vec![SubType {
                    is_final: true,
                    supertypes: Box::new([]),
                    composite: plain(CompositeTypeKind::Func(FuncType {
                        params: Box::new([I32, I64]),
                        results: Box::new([ValType::F32]),
                    })),
                }],
            },
            RecGroup {
                explicit: true,
                types: vec![
                    SubType {
                        is_final: true,
                        supertypes: Box::new([]),
                        composite: CompositeType {
                            kind: CompositeTypeKind::Struct(Box::new([field(
                                StorageType::Val(ValType::Ref(RefType {
                                    nullable: true,
                                    heap: HeapType::Exact(4),
                                })),
                                false
                            )])),
                            describes: None,
                            descriptor: Some(3),
                        },
                    },
                    SubType {
                        is_final: true,
                        supertypes: Box::new([]),
                        composite: CompositeType {
                            kind: CompositeTypeKind::Struct(Box::new([])),
                            describes: Some(2),
                            descriptor: None,
                        },
                    },
                ],
            },
        ]
    );
}

#[test]
fn type_section_errors() {
    // custom-descriptors/binary-descriptors.wast: clauses repeated or out of order.
    for bytes in [
        &[
            0x01, 0x4E, 0x02, 0x4D, 0x01, 0x4D, 0x01, 0x5F, 0x00, 0x4C, 0x00, 0x5F, 0x00,
        ][..],
        &[
            0x01, 0x4E, 0x02, 0x4D, 0x01, 0x5F, 0x00, 0x4C, 0x00, 0x4C, 0x00, 0x5F, 0x00,
        ],
        &[
            0x01, 0x4E, 0x02, 0x4D, 0x01, 0x5F, 0x00, 0x4D, 0x02, 0x4C, 0x00, 0x5F, 0x00,
        ],
    ] {
        assert_err(section_id::TYPE, bytes, "malformed definition type");
    }
    // custom-descriptors/exact.wast: `exact` is not a storage type, and its index is an s32.
    assert_err(
        section_id::TYPE,
        &[0x01, 0x5F, 0x01, 0x62, 0x00, 0x00],
        "malformed storage type",
    );
    assert_err(
        section_id::TYPE,
        &[0x01, 0x5F, 0x01, 0x64, 0x62, 0x62, 0x00, 0x00],
        "malformed storage type",
    );
    // binary-leb128.wast: a type code is an s7, so a continuation bit makes it too long.
    assert_err(
        section_id::TYPE,
        &[0x01, 0xE0, 0x7F, 0x00, 0x00],
        "integer representation too long",
    );
    assert_err(
        section_id::TYPE,
        &[0x01, 0x60, 0x01, 0x00, 0x00],
        "malformed value type",
    );
    assert_err(
        section_id::TYPE,
        &[0x01, 0x5E, 0x7F, 0x02],
        "malformed mutability",
    );
    // binary.wast: two types declared in 7 bytes, one given.
    assert_eof(section_id::TYPE, &[0x02, 0x60, 0x00, 0x00]);
    // Leftover bytes.
    let at = assert_err(
        section_id::TYPE,
        &[0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00],
        "section size mismatch",
    );
    assert_eq!(at, BASE + 4);
    // A count beyond the bytes left.
    assert_err(
        section_id::TYPE,
        &[0x05, 0x60, 0x00, 0x00],
        "length out of bounds",
    );
}

#[test]
fn type_count_limit_covers_all_groups() {
    let max = limits::MAX_TYPES;
    let mut r = BinaryReader::new(&[0x5F, 0x00], 0);
    assert_eq!(r.read_rec_group_after(max - 1).unwrap().types.len(), 1);
    let mut r = BinaryReader::new(&[0x5F, 0x00], 0);
    let e = r.read_rec_group_after(max).unwrap_err();
    assert!(e.message().starts_with("too many types"), "{e}");
    let group = [0x4E, 0x02, 0x5F, 0x00, 0x5F, 0x00];
    let mut r = BinaryReader::new(&group, 0);
    assert_eq!(r.read_rec_group_after(max - 2).unwrap().types.len(), 2);
    let mut r = BinaryReader::new(&group, 0);
    let e = r.read_rec_group_after(max - 1).unwrap_err();
    assert_eq!(
        (e.offset(), e.message()),
        (0, "too many types: 1000001 exceeds the limit of 1000000")
    );
}

// ---------------------------------------------------------------------------------------
// Imports, functions, tables, memories, tags, globals, exports, start, data count

#[test]
fn import_section_every_kind() {
    #[rustfmt::skip]
    let bytes = [
        0x06,
        0x01, b'm', 0x01, b'f', 0x00, 0x07,                      // func type 7
        0x01, b'm', 0x01, b't', 0x01, 0x70, 0x01, 0x01, 0x02,    // table funcref 1 2
        0x01, b'm', 0x02, b'm', b'e', 0x02, 0x03, 0x01, 0x02,    // memory 1 2 shared
        0x00, 0x01, b'g', 0x03, 0x7E, 0x01,                      // global (mut i64)
        0x01, b'm', 0x00, 0x04, 0x00, 0x05,                      // tag type 5
        0x01, b'm', 0x01, b'x', 0x20, 0x09,                      // exact func type 9
    ];
    let Payload::Import(imports) = ok(section_id::IMPORT, &bytes) else {
        panic!()
    };
    let names: Vec<_> = imports
        .iter()
        .map(|i| (i.module.as_str(), i.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("m", "f"),
            ("m", "t"),
            ("m", "me"),
            ("", "g"),
            ("m", ""),
            ("m", "x")
        ]
    );
    let types: Vec<_> = imports.iter().map(|i| i.ty).collect();
    assert_eq!(
        types,
        [
            TypeRef::Func(7),
            TypeRef::Table(TableType {
                element: RefType::FUNCREF,
                limits: Limits {
                    min: 1,
                    max: Some(2)
                },
                table64: false,
                shared: false,
            }),
            TypeRef::Memory(MemoryType {
                limits: Limits {
                    min: 1,
                    max: Some(2)
                },
                memory64: false,
                shared: true,
                page_size_log2: None,
            }),
            TypeRef::Global(GlobalType {
                content: I64,
                mutable: true
            }),
            TypeRef::Tag(TagType { func_type: 5 }),
            TypeRef::FuncExact(9),
        ]
    );
}

#[test]
fn import_errors() {
    // binary.wast and custom-descriptors/binary.wast.
    for kind in [0x05, 0x06, 0x80] {
        let at = assert_err(
            section_id::IMPORT,
            &[0x01, 0x00, 0x00, kind, 0x00],
            "malformed import kind",
        );
        assert_eq!(at, BASE + 3);
    }
    assert_err(
        section_id::IMPORT,
        &[0x01, 0x00, 0x01, 0xFF, 0x00, 0x00],
        "malformed UTF-8 encoding",
    );
    assert_err(
        section_id::IMPORT,
        &[0x01, 0x02, 0xC3, 0x28, 0x00, 0x00, 0x00],
        "malformed UTF-8 encoding",
    );
    // global.wast: mutability other than 0 or 1.
    for m in [0x02, 0xFF] {
        assert_err(
            section_id::IMPORT,
            &[0x01, 0x00, 0x00, 0x03, 0x7F, m],
            "malformed mutability",
        );
    }
    assert_err(
        section_id::IMPORT,
        &[0x01, 0x00, 0x00, 0x04, 0x01, 0x00],
        "zero byte expected",
    );
    // A name running past the payload: beyond the bytes left counting its length byte it is
    // out of bounds, otherwise an unexpected end (as in the reference interpreter).
    let at = assert_err(
        section_id::IMPORT,
        &[0x01, 0x04, b'a', b'b'],
        "length out of bounds",
    );
    assert_eq!(at, BASE + 1);
    assert_eof(section_id::IMPORT, &[0x01, 0x03, b'a', b'b']);
    // Truncated in the middle of an import.
    assert_eof(section_id::IMPORT, &[0x01, 0x00, 0x00, 0x00]);
    assert_eof(section_id::IMPORT, &[0x01, 0x00, 0x00, 0x02, 0x01, 0x00]);
}

#[test]
fn function_section() {
    assert_eq!(
        ok(section_id::FUNCTION, &[0x03, 0x00, 0x80, 0x01, 0x02]),
        Payload::Function(vec![0, 128, 2])
    );
    assert_eq!(ok(section_id::FUNCTION, &[0x00]), Payload::Function(vec![]));
    assert_eof(section_id::FUNCTION, &[0x02, 0x00]);
    assert_eof(section_id::FUNCTION, &[0x01, 0x80]);
    assert_err(
        section_id::FUNCTION,
        &[0x01, 0x80, 0x80, 0x80, 0x80, 0x10],
        "integer too large",
    );
}

#[test]
fn table_section_plain_and_with_init_expression() {
    #[rustfmt::skip]
    let bytes = [
        0x03,
        0x70, 0x00, 0x0A,                                   // funcref 10
        0x40, 0x00, 0x64, 0x6F, 0x05, 0x01, 0x02,           // (ref extern) i64 1 2, init:
        0x42, 0x07, 0x0B,                                   //   i64.const 7 end
        0x63, 0x03, 0x01, 0x00, 0x00,                       // (ref null 3) 0 0
    ];
    let Payload::Table(tables) = ok(section_id::TABLE, &bytes) else {
        panic!()
    };
    assert_eq!(tables.len(), 3);
    assert_eq!(
        tables[0],
        Table {
            ty: TableType {
                element: RefType::FUNCREF,
                limits: Limits { min: 10, max: None },
                table64: false,
                shared: false,
            },
            init: None,
        }
    );
    assert_eq!(
        tables[1].ty,
        TableType {
            element: RefType {
                nullable: false,
                heap: HeapType::Abstract(AbsHeapType::Extern),
            },
            limits: Limits {
                min: 1,
                max: Some(2)
            },
            table64: true,
            shared: false,
        }
    );
    let init = tables[1].init.as_ref().unwrap();
    assert_eq!(init.offset, BASE + 11);
    assert_eq!(expr_bytes(init), [0x42, 0x07, 0x0B]);
    let mut ops = init.operators();
    assert_eq!(ops.read().unwrap(), Operator::I64Const { value: 7 });
    assert_eq!(ops.read().unwrap(), Operator::End);
    assert!(ops.eof());
    assert_eq!(
        tables[2].ty.element,
        RefType {
            nullable: true,
            heap: HeapType::Concrete(3)
        }
    );
}

#[test]
fn table_errors() {
    // binary.wast: flags are one byte (0x81 0x00 is not a LEB128 1), bit 3 is not for tables.
    for bytes in [
        &[0x01, 0x70, 0x08][..],
        &[0x01, 0x70, 0x08, 0x00],
        &[0x01, 0x70, 0x81, 0x00, 0x00, 0x00],
        &[0x01, 0x70, 0x02, 0x00],
        &[0x01, 0x70, 0x03, 0x00, 0x00],
    ] {
        let at = assert_err(section_id::TABLE, bytes, "malformed limits flags");
        assert_eq!(at, BASE + 2);
    }
    assert_eof(section_id::TABLE, &[0x01]);
    assert_eof(section_id::TABLE, &[0x01, 0x70, 0x01, 0x00]);
    assert_eof(
        section_id::TABLE,
        &[0x01, 0x40, 0x00, 0x70, 0x00, 0x00, 0x41, 0x00],
    );
    assert_err(
        section_id::TABLE,
        &[0x01, 0x7F, 0x00, 0x00],
        "malformed reference type",
    );
    assert_err(
        section_id::TABLE,
        &[0x01, 0x40, 0x01, 0x70, 0x00, 0x00, 0x0B],
        "malformed reference type",
    );
}

#[test]
fn memory_section_every_flag() {
    let limits = |min, max| Limits { min, max };
    let memory = |limits, memory64, shared, page_size_log2| MemoryType {
        limits,
        memory64,
        shared,
        page_size_log2,
    };
    #[rustfmt::skip]
    let bytes = [
        0x10,
        0x00, 0x01,
        0x01, 0x01, 0x02,
        0x02, 0x03,
        0x03, 0x03, 0x04,
        0x04, 0x80, 0x80, 0x80, 0x80, 0x10,                  // min 2^32
        0x05, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, // max u64::MAX
        0x06, 0x05,
        0x07, 0x05, 0x06,
        0x08, 0x01, 0x00,                                    // page size 1
        0x09, 0x01, 0x02, 0x10,                              // page size 64 KiB
        0x0A, 0x01, 0x00,
        0x0B, 0x01, 0x02, 0x00,
        0x0C, 0x01, 0x00,
        0x0D, 0x01, 0x02, 0x00,
        0x0E, 0x01, 0x00,
        0x0F, 0x01, 0x02, 0x40,                              // page size 2^64
    ];
    let Payload::Memory(memories) = ok(section_id::MEMORY, &bytes) else {
        panic!()
    };
    assert_eq!(
        memories,
        [
            memory(limits(1, None), false, false, None),
            memory(limits(1, Some(2)), false, false, None),
            memory(limits(3, None), false, true, None),
            memory(limits(3, Some(4)), false, true, None),
            memory(limits(1 << 32, None), true, false, None),
            memory(limits(0, Some(u64::MAX)), true, false, None),
            memory(limits(5, None), true, true, None),
            memory(limits(5, Some(6)), true, true, None),
            memory(limits(1, None), false, false, Some(0)),
            memory(limits(1, Some(2)), false, false, Some(16)),
            memory(limits(1, None), false, true, Some(0)),
            memory(limits(1, Some(2)), false, true, Some(0)),
            memory(limits(1, None), true, false, Some(0)),
            memory(limits(1, Some(2)), true, false, Some(0)),
            memory(limits(1, None), true, true, Some(0)),
            memory(limits(1, Some(2)), true, true, Some(64)),
        ]
    );
}

#[test]
fn memory_errors() {
    // binary.wast, custom-page-sizes/binary.wast.
    for bytes in [
        &[0x01, 0x10][..],
        &[0x01, 0x10, 0x00],
        &[0x01, 0x81, 0x00, 0x00, 0x00],
        &[0x01, 0x81, 0x01, 0x00, 0x00],
    ] {
        let at = assert_err(section_id::MEMORY, bytes, "malformed limits flags");
        assert_eq!(at, BASE + 1);
    }
    // custom-page-sizes-invalid.wast: 2^65 bytes.
    let at = assert_err(
        section_id::MEMORY,
        &[0x01, 0x08, 0x00, 0x41],
        "invalid custom page size",
    );
    assert_eq!(at, BASE + 3);
    assert_eof(section_id::MEMORY, &[0x01]);
    assert_eof(section_id::MEMORY, &[0x01, 0x08, 0x00]);
    // binary-leb128.wast: bounds are u64 LEB128s, even for 32-bit memories.
    assert_err(
        section_id::MEMORY,
        &[
            0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x70,
        ],
        "integer too large",
    );
    assert_err(
        section_id::MEMORY,
        &[
            0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
        ],
        "integer representation too long",
    );
    let too_many = [vec![101u8], vec![0x00; 202]].concat();
    assert_err(section_id::MEMORY, &too_many, "too many memories");
}

#[test]
fn tag_global_export_start_and_data_count() {
    assert_eq!(
        ok(section_id::TAG, &[0x02, 0x00, 0x03, 0x00, 0x80, 0x01]),
        Payload::Tag(vec![TagType { func_type: 3 }, TagType { func_type: 128 }])
    );

    let Payload::Global(globals) = ok(
        section_id::GLOBAL,
        &[
            0x02, 0x7F, 0x00, 0x41, 0x2A, 0x0B, 0x7E, 0x01, 0x42, 0x7F, 0x0B,
        ],
    ) else {
        panic!()
    };
    assert_eq!(
        globals[0].ty,
        GlobalType {
            content: I32,
            mutable: false
        }
    );
    assert_eq!(
        (globals[0].init.offset, expr_bytes(&globals[0].init)),
        (BASE + 3, &[0x41, 0x2A, 0x0B][..])
    );
    assert_eq!(
        globals[1].ty,
        GlobalType {
            content: I64,
            mutable: true
        }
    );
    assert_eq!(
        (globals[1].init.offset, expr_bytes(&globals[1].init)),
        (BASE + 8, &[0x42, 0x7F, 0x0B][..])
    );

    #[rustfmt::skip]
    let exports = [
        0x05,
        0x01, b'f', 0x00, 0x00,
        0x01, b't', 0x01, 0x01,
        0x01, b'm', 0x02, 0x02,
        0x01, b'g', 0x03, 0x03,
        0x01, b'e', 0x04, 0x04,
    ];
    let Payload::Export(exports) = ok(section_id::EXPORT, &exports) else {
        panic!()
    };
    let kinds = [
        ExternalKind::Func,
        ExternalKind::Table,
        ExternalKind::Memory,
        ExternalKind::Global,
        ExternalKind::Tag,
    ];
    for (i, (export, kind)) in exports.iter().zip(kinds).enumerate() {
        assert_eq!(export.kind, kind);
        assert_eq!(export.index, i as u32);
        assert_eq!(export.name, ["f", "t", "m", "g", "e"][i]);
    }

    assert_eq!(ok(section_id::START, &[0x80, 0x01]), Payload::Start(128));
    assert_eq!(ok(section_id::DATA_COUNT, &[0x03]), Payload::DataCount(3));
}

#[test]
fn tag_global_export_start_and_data_count_errors() {
    // custom-descriptors/exact-func-import.wast: 0x20 is an import kind only.
    let at = assert_err(
        section_id::EXPORT,
        &[0x01, 0x00, 0x20, 0x00],
        "malformed export kind",
    );
    assert_eq!(at, BASE + 2);
    assert_err(
        section_id::EXPORT,
        &[0x01, 0x00, 0x05, 0x00],
        "malformed export kind",
    );
    // binary.wast: 2 exports declared, 1 given; leftover.
    assert_eof(section_id::EXPORT, &[0x02, 0x02, b'f', b'1', 0x00, 0x00]);
    assert_err(
        section_id::EXPORT,
        &[
            0x01, 0x02, b'f', b'1', 0x00, 0x00, 0x02, b'f', b'2', 0x00, 0x01,
        ],
        "section size mismatch",
    );
    // binary.wast: 2 globals declared, 1 given; leftover.
    assert_eof(section_id::GLOBAL, &[0x02, 0x7F, 0x00, 0x41, 0x00, 0x0B]);
    assert_err(
        section_id::GLOBAL,
        &[
            0x01, 0x7F, 0x00, 0x41, 0x00, 0x0B, 0x7F, 0x00, 0x41, 0x00, 0x0B,
        ],
        "section size mismatch",
    );
    // global.wast: mutability.
    assert_err(
        section_id::GLOBAL,
        &[0x01, 0x7F, 0x04, 0x41, 0x00, 0x0B],
        "malformed mutability",
    );
    // binary-leb128.wast: an i32.const with an over-long or too large immediate.
    assert_err(
        section_id::GLOBAL,
        &[
            0x01, 0x7F, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B,
        ],
        "integer representation too long",
    );
    assert_err(
        section_id::GLOBAL,
        &[0x01, 0x7F, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x0B],
        "integer too large",
    );
    assert_err(section_id::TAG, &[0x01, 0x01, 0x00], "zero byte expected");
    assert_err(section_id::START, &[0x00, 0x00], "section size mismatch");
    assert_eof(section_id::START, &[]);
    assert_err(
        section_id::DATA_COUNT,
        &[0x01, 0x01],
        "section size mismatch",
    );
    assert_err(
        section_id::DATA_COUNT,
        &[0xA1, 0x8D, 0x06],
        "too many data segments",
    );
}

// ---------------------------------------------------------------------------------------
// Constant expressions

#[test]
fn const_expressions_nest_blocks() {
    // (global i32 (block (result i32) (loop (i32.const 1)) ...)) is not constant, but it is
    // well-formed: the validator rejects it, so it must be read whole.
    #[rustfmt::skip]
    let bytes = [
        0x01, 0x7F, 0x00,
        0x02, 0x7F, 0x03, 0x40, 0x0B, 0x41, 0x01, 0x0B, 0x0B,
    ];
    let Payload::Global(globals) = ok(section_id::GLOBAL, &bytes) else {
        panic!()
    };
    assert_eq!(expr_bytes(&globals[0].init), &bytes[3..]);
    // An unclosed block runs to the end of the payload.
    assert_eof(section_id::GLOBAL, &bytes[..bytes.len() - 1]);
    // binary.wast: an init expression without its end.
    assert_eof(section_id::GLOBAL, &[0x01, 0x7F, 0x00, 0x41, 0x00]);
}

#[test]
fn const_expression_errors_come_from_the_operator_reader() {
    // binary.wast: 0xF3 is not an opcode.
    assert_err(
        section_id::ELEMENT,
        &[0x01, 0x05, 0x70, 0x01, 0xF3, 0x00, 0x0B],
        "illegal opcode",
    );
}

// ---------------------------------------------------------------------------------------
// Element segments

/// `i32.const n end`
fn i32_const(n: u8) -> [u8; 3] {
    [0x41, n, 0x0B]
}

#[test]
fn element_section_all_eight_encodings() {
    #[rustfmt::skip]
    let bytes = [
        vec![0x08],
        // 0: active table 0, offset, funcidx vec
        vec![0x00], i32_const(1).to_vec(), vec![0x02, 0x05, 0x06],
        // 1: passive, elemkind, funcidx vec
        vec![0x01, 0x00, 0x01, 0x07],
        // 2: active table 3, offset, elemkind, funcidx vec
        vec![0x02, 0x03], i32_const(2).to_vec(), vec![0x00, 0x00],
        // 3: declarative, elemkind, funcidx vec
        vec![0x03, 0x00, 0x01, 0x08],
        // 4: active table 0, offset, expression vec (funcref)
        vec![0x04], i32_const(4).to_vec(), vec![0x02], i32_const(5).to_vec(), i32_const(6).to_vec(),
        // 5: passive, reftype, expression vec
        vec![0x05, 0x6F, 0x01], i32_const(7).to_vec(),
        // 6: active table 1, offset, reftype, expression vec
        vec![0x06, 0x01], i32_const(8).to_vec(), vec![0x64, 0x00, 0x00],
        // 7: declarative, reftype, expression vec
        vec![0x07, 0x70, 0x01], i32_const(9).to_vec(),
    ]
    .concat();
    let Payload::Element(elements) = ok(section_id::ELEMENT, &bytes) else {
        panic!()
    };
    assert_eq!(elements.len(), 8);
    let offsets: Vec<_> = elements.iter().map(|e| e.offset - BASE).collect();
    assert_eq!(offsets, [1, 8, 12, 19, 23, 34, 40, 48]);

    let active = |e: &Element| match &e.kind {
        ElementKind::Active { table, offset } => (*table, expr_bytes(offset).to_vec()),
        other => panic!("{other:?}"),
    };
    let functions = |e: &Element| match &e.items {
        ElementItems::Functions(f) => f.clone(),
        other => panic!("{other:?}"),
    };
    let expressions = |e: &Element| match &e.items {
        ElementItems::Expressions(ty, exprs) => (
            *ty,
            exprs
                .iter()
                .map(|x| expr_bytes(x).to_vec())
                .collect::<Vec<_>>(),
        ),
        other => panic!("{other:?}"),
    };

    assert_eq!(active(&elements[0]), (0, i32_const(1).to_vec()));
    assert_eq!(functions(&elements[0]), [5, 6]);
    assert_eq!(elements[1].kind, ElementKind::Passive);
    assert_eq!(functions(&elements[1]), [7]);
    assert_eq!(active(&elements[2]), (3, i32_const(2).to_vec()));
    assert_eq!(functions(&elements[2]), [] as [u32; 0]);
    assert_eq!(elements[3].kind, ElementKind::Declared);
    assert_eq!(functions(&elements[3]), [8]);
    assert_eq!(active(&elements[4]), (0, i32_const(4).to_vec()));
    assert_eq!(
        expressions(&elements[4]),
        (
            RefType::FUNCREF,
            vec![i32_const(5).to_vec(), i32_const(6).to_vec()]
        )
    );
    assert_eq!(elements[5].kind, ElementKind::Passive);
    assert_eq!(
        expressions(&elements[5]),
        (RefType::EXTERNREF, vec![i32_const(7).to_vec()])
    );
    assert_eq!(active(&elements[6]), (1, i32_const(8).to_vec()));
    assert_eq!(
        expressions(&elements[6]),
        (
            RefType {
                nullable: false,
                heap: HeapType::Concrete(0)
            },
            vec![]
        )
    );
    assert_eq!(elements[7].kind, ElementKind::Declared);
    assert_eq!(
        expressions(&elements[7]),
        (RefType::FUNCREF, vec![i32_const(9).to_vec()])
    );
    // Expression offsets are module offsets.
    let ElementItems::Expressions(_, exprs) = &elements[4].items else {
        panic!()
    };
    assert_eq!(exprs[1].offset, BASE + 31);
}

#[test]
fn element_errors() {
    let at = assert_err(
        section_id::ELEMENT,
        &[0x01, 0x08, 0x00],
        "malformed elements segment kind",
    );
    assert_eq!(at, BASE + 1);
    assert_err(
        section_id::ELEMENT,
        &[0x01, 0x01, 0x01, 0x00],
        "malformed element kind",
    );
    // binary.wast: reftype 0x7F.
    assert_err(
        section_id::ELEMENT,
        &[0x01, 0x05, 0x7F, 0x01, 0xD2, 0x00, 0x0B],
        "malformed reference type",
    );
    // binary.wast: 2 segments declared, 1 given; the second cut in its offset; leftover.
    assert_eof(
        section_id::ELEMENT,
        &[0x02, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00],
    );
    assert_eof(
        section_id::ELEMENT,
        &[0x02, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00, 0x00, 0x41, 0x00],
    );
    assert_err(
        section_id::ELEMENT,
        &[
            0x01, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x00,
        ],
        "section size mismatch",
    );
    // binary-leb128.wast: the flags are a u32.
    assert_err(
        section_id::ELEMENT,
        &[
            0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x41, 0x00, 0x0B, 0x00,
        ],
        "integer representation too long",
    );
    assert_err(
        section_id::ELEMENT,
        &[0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x41, 0x00, 0x0B, 0x00],
        "integer too large",
    );
    assert_err(
        section_id::ELEMENT,
        &[0x01, 0x01, 0x00, 0x09, 0x00],
        "length out of bounds",
    );
}

// ---------------------------------------------------------------------------------------
// Data segments

#[test]
fn data_section_three_forms() {
    #[rustfmt::skip]
    let bytes = [
        0x03,
        0x00, 0x41, 0x08, 0x0B, 0x02, b'h', b'i',
        0x01, 0x00,
        0x02, 0x01, 0x41, 0x00, 0x0B, 0x03, 1, 2, 3,
    ];
    let payload = Bytes::copy_from_slice(&bytes);
    let Payload::Data(data) =
        parse_section(section_id::DATA, &payload, BASE, &Features::ALL).unwrap()
    else {
        panic!()
    };
    assert_eq!(data.len(), 3);
    let DataKind::Active { memory, offset } = &data[0].kind else {
        panic!()
    };
    assert_eq!((*memory, expr_bytes(offset)), (0, &[0x41, 0x08, 0x0B][..]));
    assert_eq!(offset.offset, BASE + 2);
    assert_eq!((data[0].offset, &*data[0].data), (BASE + 1, &b"hi"[..]));
    assert_eq!(data[1].kind, DataKind::Passive);
    assert_eq!((data[1].offset, &*data[1].data), (BASE + 8, &[][..]));
    let DataKind::Active { memory, offset } = &data[2].kind else {
        panic!()
    };
    assert_eq!((*memory, expr_bytes(offset)), (1, &[0x41, 0x00, 0x0B][..]));
    assert_eq!(
        (data[2].offset, &*data[2].data),
        (BASE + 10, &[1, 2, 3][..])
    );
    // The bytes are a slice of the payload, not a copy.
    assert_eq!(data[2].data.as_ptr(), payload[bytes.len() - 3..].as_ptr());
}

#[test]
fn data_errors() {
    let at = assert_err(
        section_id::DATA,
        &[0x01, 0x03, 0x00],
        "malformed data segment kind",
    );
    assert_eq!(at, BASE + 1);
    // binary.wast: 2 segments declared, 1 given.
    assert_eof(
        section_id::DATA,
        &[0x02, 0x00, 0x41, 0x00, 0x0B, 0x01, 0x61],
    );
    // binary.wast: 7 bytes declared, 6 given (within the length's own byte: unexpected
    // end); 5 declared, 6 given (leftover).
    assert_eof(
        section_id::DATA,
        &[
            0x01, 0x00, 0x41, 0x03, 0x0B, 0x07, b'a', b'b', b'c', b'd', b'e', b'f',
        ],
    );
    assert_err(
        section_id::DATA,
        &[
            0x01, 0x00, 0x41, 0x00, 0x0B, 0x05, b'a', b'b', b'c', b'd', b'e', b'f',
        ],
        "section size mismatch",
    );
    // Beyond the bytes left counting the length.
    let at = assert_err(
        section_id::DATA,
        &[0x01, 0x01, 0x08, b'a', b'b', b'c', b'd', b'e', b'f'],
        "length out of bounds",
    );
    assert_eq!(at, BASE + 2);
    // binary-leb128.wast: the memory index is a u32.
    assert_err(
        section_id::DATA,
        &[
            0x01, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10, 0x41, 0x00, 0x0B, 0x00,
        ],
        "integer too large",
    );
}

// ---------------------------------------------------------------------------------------
// Other ids, custom sections, reading on past a section's end

#[test]
fn unknown_and_unread_ids() {
    assert_err(14, &[], "malformed section id");
    assert_err(0x7F, &[], "malformed section id");
    assert_err(section_id::CODE, &[0x00], "internal error");
    assert_err(section_id::CUSTOM, &[0x00], "internal error");
}

#[test]
fn custom_sections() {
    let payload = Bytes::copy_from_slice(&[0x04, b'n', b'a', b'm', b'e', 1, 2, 3]);
    let custom = parse_custom_section(&payload, BASE).unwrap();
    assert_eq!(custom.name, "name");
    assert_eq!(
        (custom.data_offset, &*custom.data),
        (BASE + 5, &[1, 2, 3][..])
    );
    let e = parse_custom_section(&Bytes::copy_from_slice(&[0x01, 0xFF]), BASE).unwrap_err();
    assert_eq!(e.message(), "malformed UTF-8 encoding");
    let e = parse_custom_section(&Bytes::copy_from_slice(&[]), BASE).unwrap_err();
    assert_eq!((e.offset(), e.message()), (BASE, UNEXPECTED_END));
    let e = parse_custom_section(&Bytes::copy_from_slice(&[0x05, b'a']), BASE).unwrap_err();
    assert_eq!(e.message(), "length out of bounds");
}

#[test]
fn reading_on_past_the_section_end_like_the_reference_interpreter() {
    // binary-leb128.wast: a memory section of 8 bytes whose minimum runs on for 11 bytes.
    let data = Bytes::copy_from_slice(&[
        0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
    ]);
    assert_eq!(
        parse_section(section_id::MEMORY, &data.slice(0..8), BASE, &Features::ALL)
            .unwrap_err()
            .message(),
        UNEXPECTED_END
    );
    let e = parse_section_from(section_id::MEMORY, &data, 8, BASE, &Features::ALL).unwrap_err();
    assert_eq!(e.message(), "integer representation too long");
    // An item that ends past the section's end is a size mismatch, and so are leftovers.
    let data = Bytes::copy_from_slice(&[0x01, 0x00, 0x05, 0x01, 0x02]);
    let p = parse_section_from(section_id::MEMORY, &data, 3, BASE, &Features::ALL).unwrap();
    assert!(matches!(p, Payload::Memory(m) if m[0].limits == Limits { min: 5, max: None }));
    for size in [2, 4] {
        let e =
            parse_section_from(section_id::MEMORY, &data, size, BASE, &Features::ALL).unwrap_err();
        assert_eq!(e.message(), "section size mismatch");
    }
    // custom.wast: a custom section of size 0 whose name would come from what follows.
    let data = Bytes::copy_from_slice(&[0x00, 0x05, 0x01, 0x00, 0x07, 0x00, 0x00]);
    let e = parse_custom_section_from(&data, 0, BASE).unwrap_err();
    assert!(e.message().contains("unexpected end"));
    let custom = parse_custom_section_from(&data, 1, BASE).unwrap();
    assert_eq!((custom.name.as_str(), custom.data.len()), ("", 0));
}

/// Every strict prefix of a well-formed payload runs out in the middle of an item: an
/// unexpected end at the end of the prefix, or a length out of bounds.
#[test]
fn every_truncation_is_an_unexpected_end_or_out_of_bounds() {
    let payloads: &[(u8, &[u8])] = &[
        (
            section_id::TYPE,
            &[
                0x01, 0x4E, 0x02, 0x50, 0x00, 0x5F, 0x01, 0x78, 0x01, 0x60, 0x01, 0x7F, 0x00,
            ],
        ),
        (
            section_id::IMPORT,
            &[
                0x02, 0x01, b'm', 0x01, b'f', 0x00, 0x07, 0x00, 0x00, 0x02, 0x09, 0x01, 0x02, 0x10,
            ],
        ),
        (
            section_id::TABLE,
            &[0x01, 0x40, 0x00, 0x70, 0x01, 0x01, 0x02, 0x41, 0x00, 0x0B],
        ),
        (
            section_id::GLOBAL,
            &[0x01, 0x7E, 0x00, 0x42, 0xFF, 0x00, 0x0B],
        ),
        (
            section_id::EXPORT,
            &[0x01, 0x02, b'a', b'b', 0x04, 0x80, 0x01],
        ),
        (
            section_id::ELEMENT,
            &[
                0x02, 0x06, 0x01, 0x41, 0x00, 0x0B, 0x70, 0x01, 0x41, 0x00, 0x0B, 0x02, 0x00, 0x41,
                0x00, 0x0B, 0x00, 0x01, 0x00,
            ],
        ),
        (
            section_id::DATA,
            &[
                0x02, 0x02, 0x00, 0x41, 0x00, 0x0B, 0x02, 0x61, 0x62, 0x01, 0x00,
            ],
        ),
    ];
    for &(id, bytes) in payloads {
        ok(id, bytes);
        for len in 0..bytes.len() {
            let (offset, message) = err(id, &bytes[..len]);
            assert!(
                (offset, message.as_str()) == (BASE + len, UNEXPECTED_END)
                    || message == "length out of bounds",
                "section {id}, {len} of {bytes:02x?}: {message} at {offset}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Name section

fn sample_names() -> NameSection {
    let map = |entries: &[(u32, &str)]| -> NameMap {
        entries.iter().map(|&(i, n)| (i, n.to_string())).collect()
    };
    NameSection {
        module: Some("mod".into()),
        functions: map(&[(0, "main"), (3, "helper"), (200, "ünïcode")]),
        locals: [(0, map(&[(0, "x"), (1, "y")])), (3, map(&[(2, "z")]))].into(),
        labels: [(3, map(&[(0, "outer")]))].into(),
        types: map(&[(0, "point")]),
        tables: map(&[(0, "table")]),
        memories: map(&[(0, "mem")]),
        globals: map(&[(1, "counter")]),
        elements: map(&[(0, "elems")]),
        data: map(&[(0, "bytes")]),
        fields: [(0, map(&[(0, "x"), (1, "y")]))].into(),
        tags: map(&[(0, "oops")]),
    }
}

fn name_custom_section(content: &[u8]) -> CustomSection {
    let payload = [&[0x04, b'n', b'a', b'm', b'e'][..], content].concat();
    parse_custom_section(&Bytes::from(payload), BASE).unwrap()
}

#[test]
fn name_section_round_trip() {
    let names = sample_names();
    let encoded = names.encode();
    let custom = name_custom_section(&encoded);
    assert_eq!(NameSection::parse(&custom).unwrap(), names);
    assert_eq!(NameSection::default().encode(), []);
    assert_eq!(
        NameSection::parse(&name_custom_section(&[])).unwrap(),
        NameSection::default()
    );
}

#[test]
fn name_section_by_hand() {
    #[rustfmt::skip]
    let content = [
        0x00, 0x02, 0x01, b'm',                               // module "m"
        0x01, 0x07, 0x02, 0x00, 0x01, b'f', 0x02, 0x01, b'g', // functions 0 "f", 2 "g"
        0x02, 0x06, 0x01, 0x02, 0x01, 0x00, 0x01, b'l',       // locals 2: 0 "l"
        0x0C, 0x03, 0xAA, 0xBB, 0xCC,                         // unknown subsection, skipped
    ];
    let names = NameSection::parse(&name_custom_section(&content)).unwrap();
    assert_eq!(names.module.as_deref(), Some("m"));
    assert_eq!(names.functions.get(&2).map(String::as_str), Some("g"));
    assert_eq!(names.locals[&2][&0], "l");
    assert!(names.types.is_empty());
}

#[test]
fn name_section_errors() {
    let parse = |content: &[u8]| {
        NameSection::parse(&name_custom_section(content))
            .unwrap_err()
            .message()
            .to_string()
    };
    // Out of order, repeated (unknown ids too).
    assert!(parse(&[0x01, 0x01, 0x00, 0x00, 0x02, 0x01, b'm']).contains("out of order"));
    assert!(parse(&[0x01, 0x01, 0x00, 0x01, 0x01, 0x00]).contains("duplicate name subsection"));
    assert!(parse(&[0x0C, 0x00, 0x0C, 0x00]).contains("duplicate name subsection"));
    // A subsection not read exactly by its contents.
    assert!(parse(&[0x00, 0x03, 0x01, b'm', 0x00]).contains("size mismatch"));
    assert_eq!(parse(&[0x00, 0x03, 0x03, b'm']), UNEXPECTED_END);
    assert_eq!(parse(&[0x00, 0x05, 0x01, b'm']), "length out of bounds");
    // Indices must increase.
    assert!(
        parse(&[0x01, 0x07, 0x02, 0x02, 0x01, b'f', 0x01, 0x01, b'g']).contains("out of order")
    );
    assert!(
        parse(&[0x01, 0x07, 0x02, 0x02, 0x01, b'f', 0x02, 0x01, b'g']).contains("out of order")
    );
    assert_eq!(parse(&[0x00, 0x02, 0x01, 0xFF]), "malformed UTF-8 encoding");
    // Only a section named "name".
    let custom = parse_custom_section(&Bytes::copy_from_slice(&[0x01, b'x']), 0).unwrap();
    assert!(NameSection::parse(&custom).is_err());
}

// ---------------------------------------------------------------------------------------
// Random input

proptest! {
    #[test]
    fn random_payloads_never_panic(id in 0u8..16, bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let payload = Bytes::copy_from_slice(&bytes);
        let _ = parse_section(id, &payload, BASE, &Features::ALL);
        let _ = parse_custom_section(&payload, BASE);
        let _ = NameSection::from_bytes(&bytes, BASE);
        for size in 0..=bytes.len() {
            let _ = parse_section_from(id, &payload, size, BASE, &Features::ALL);
            let _ = parse_custom_section_from(&payload, size, BASE);
        }
    }

    /// Random bytes after a plausible start, to get past the counts and flags more often.
    #[test]
    fn random_items_never_panic(
        id in 1u8..14,
        count in 0u8..4,
        flags in 0u8..10,
        bytes in proptest::collection::vec(
            prop_oneof![Just(0x0Bu8), Just(0x41), Just(0x00), Just(0x01), Just(0x4E), any::<u8>()],
            0..48,
        ),
    ) {
        let payload = [&[count, flags][..], &bytes].concat();
        if let Err(e) = parse(id, &payload) {
            // Errors point into the payload.
            prop_assert!(e.offset() >= BASE && e.offset() <= BASE + payload.len());
        }
    }
}
