use super::*;
use crate::bytes::Bytes;
use crate::types::{AbsHeapType, BlockType, HeapType, RefType, ValType};
use crate::FunctionBody;
use std::collections::HashSet;

fn leb_u32(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let b = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// The shortest valid encoding of an immediate, all zeros where possible.
trait ZeroImmediate {
    fn zero(out: &mut Vec<u8>);
}

macro_rules! zero_imm {
    ($($ty:ty => [$($b:expr),*];)*) => {
        $(impl ZeroImmediate for $ty {
            fn zero(out: &mut Vec<u8>) {
                out.extend_from_slice(&[$($b),*]);
            }
        })*
    };
}

zero_imm! {
    u8 => [0];
    u32 => [0];
    i32 => [0];
    i64 => [0];
    [u8; 16] => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    V128 => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    Ieee32 => [0, 0, 0, 0];
    Ieee64 => [0, 0, 0, 0, 0, 0, 0, 0];
    BlockType => [0x40];
    MemArg => [0, 0];
    ZeroByte => [0];
    CastFlags => [0];
    HeapType => [0x70];
    BrTable<'_> => [0, 0];
    Catches<'_> => [0];
    SelectTypes<'_> => [1, 0x7F];
}

struct Encoded {
    variant: &'static str,
    name: &'static str,
    bytes: Vec<u8>,
}

macro_rules! encode_all {
    ($( @$proposal:ident $op:ident $({ $($field:ident : $ty:ty),* })?
        = $prefix:literal, $code:literal => $visit:ident $name:literal )*) => {
        /// Every operator, encoded with zeroed-but-valid immediates.
        #[allow(clippy::extra_unused_lifetimes)] // `'a` is named by the table's types
        fn encode_all<'a>() -> Vec<Encoded> {
            let mut all = Vec::new();
            $({
                let mut bytes = Vec::new();
                let (prefix, code): (u8, u32) = ($prefix, $code);
                if prefix == 0 {
                    bytes.push(code as u8);
                } else {
                    bytes.push(prefix);
                    leb_u32(&mut bytes, code);
                }
                $($( <$ty as ZeroImmediate>::zero(&mut bytes); )*)?
                all.push(Encoded { variant: stringify!($op), name: $name, bytes });
            })*
            all
        }
    };
}

crate::for_each_operator!(encode_all);

fn ops(bytes: &[u8]) -> OperatorsReader<'_> {
    OperatorsReader::new_function_body(BinaryReader::new(bytes, 0), true)
}

fn read_one(bytes: &[u8]) -> Operator<'_> {
    let mut r = ops(bytes);
    let op = r.read().unwrap();
    assert!(r.eof(), "{op:?} left bytes unread");
    op
}

fn err(bytes: &[u8]) -> String {
    let mut r = ops(bytes);
    loop {
        match r.read() {
            Ok(_) => {}
            Err(e) => return e.message().to_string(),
        }
    }
}

fn body(bytes: &[u8], has_data_count: bool) -> FunctionBody {
    FunctionBody {
        index: 0,
        offset: 100,
        bytes: Bytes::copy_from_slice(bytes),
        has_data_count,
    }
}

#[test]
fn opcodes_and_names_are_unique() {
    let mut codes = HashSet::new();
    let mut variants = HashSet::new();
    let mut visits = HashSet::new();
    for info in OPERATORS {
        assert!(
            codes.insert((info.prefix, info.code)),
            "duplicate opcode {:#x} {:#x} ({})",
            info.prefix,
            info.code,
            info.name
        );
        assert!(variants.insert(info.variant), "duplicate {}", info.variant);
        assert!(visits.insert(info.visit), "duplicate {}", info.visit);
        assert!(matches!(info.prefix, 0x00 | 0xFB..=0xFE));
        if info.prefix == 0 {
            assert!(info.code < 0xFB, "{} collides with a prefix", info.name);
        }
    }
}

#[test]
fn operator_counts_per_prefix() {
    let count = |p: u8| OPERATORS.iter().filter(|i| i.prefix == p).count();
    assert_eq!(count(0x00), 199);
    assert_eq!(count(0xFB), 38);
    assert_eq!(count(0xFC), 22);
    assert_eq!(count(0xFD), 256);
    assert_eq!(count(0xFE), 67);
    assert_eq!(OPERATORS.len(), 582);
    let simd = OPERATORS.iter().filter(|i| i.proposal == "simd").count();
    let relaxed = OPERATORS
        .iter()
        .filter(|i| i.proposal == "relaxed_simd")
        .count();
    assert_eq!((simd, relaxed), (236, 20));
}

#[test]
fn every_operator_round_trips() {
    let all = encode_all();
    assert_eq!(all.len(), OPERATORS.len());
    for (enc, info) in all.iter().zip(OPERATORS) {
        let mut r = ops(&enc.bytes);
        let op = r
            .read()
            .unwrap_or_else(|e| panic!("{} ({:02x?}): {e}", enc.name, enc.bytes));
        assert_eq!(op.info().variant, enc.variant, "{:02x?}", enc.bytes);
        assert_eq!(op.name(), enc.name);
        assert_eq!(op.info(), info);
        assert_eq!(op.opcode(), (info.prefix, info.code));
        assert_eq!(
            r.offset(),
            enc.bytes.len(),
            "{} left bytes unread",
            enc.name
        );
    }
}

#[test]
fn operator_stays_small() {
    assert!(
        std::mem::size_of::<Operator<'_>>() <= 32,
        "Operator is {} bytes",
        std::mem::size_of::<Operator<'_>>()
    );
}

#[test]
fn integer_and_float_constants() {
    assert_eq!(read_one(&[0x41, 0x7F]), Operator::I32Const { value: -1 });
    assert_eq!(
        read_one(&[0x41, 0x80, 0x80, 0x80, 0x80, 0x78]),
        Operator::I32Const { value: i32::MIN }
    );
    assert_eq!(
        read_one(&[0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F]),
        Operator::I64Const { value: i64::MIN }
    );
    assert_eq!(
        read_one(&[0x43, 0x00, 0x00, 0x80, 0x3F]),
        Operator::F32Const {
            value: Ieee32(1.0f32.to_bits())
        }
    );
    let Operator::F64Const { value } = read_one(&[0x44, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F]) else {
        panic!()
    };
    assert!(value.to_f64().is_nan());
    assert_eq!(value.bits(), 0x7FF8_0000_0000_0000);
}

#[test]
fn indices_in_encoding_order() {
    // call_indirect: type index, then table index.
    assert_eq!(
        read_one(&[0x11, 0x05, 0x02]),
        Operator::CallIndirect {
            type_index: 5,
            table_index: 2
        }
    );
    assert_eq!(
        read_one(&[0x13, 0x05, 0x80, 0x01]),
        Operator::ReturnCallIndirect {
            type_index: 5,
            table_index: 128
        }
    );
    // memory.init: data index, then memory; table.init: element, then table.
    assert_eq!(
        read_one(&[0xFC, 0x08, 0x03, 0x01]),
        Operator::MemoryInit {
            data_index: 3,
            memory_index: 1
        }
    );
    assert_eq!(
        read_one(&[0xFC, 0x0C, 0x03, 0x01]),
        Operator::TableInit {
            elem_index: 3,
            table_index: 1
        }
    );
    assert_eq!(
        read_one(&[0xFC, 0x0A, 0x01, 0x02]),
        Operator::MemoryCopy {
            dst_memory: 1,
            src_memory: 2
        }
    );
    assert_eq!(
        read_one(&[0xFC, 0x0E, 0x01, 0x02]),
        Operator::TableCopy {
            dst_table: 1,
            src_table: 2
        }
    );
    assert_eq!(
        read_one(&[0x3F, 0x02]),
        Operator::MemorySize { memory_index: 2 }
    );
    assert_eq!(
        read_one(&[0x40, 0x00]),
        Operator::MemoryGrow { memory_index: 0 }
    );
    assert_eq!(
        read_one(&[0xFB, 0x02, 0x07, 0x03]),
        Operator::StructGet {
            type_index: 7,
            field_index: 3
        }
    );
    assert_eq!(
        read_one(&[0xFB, 0x08, 0x07, 0x03]),
        Operator::ArrayNewFixed {
            type_index: 7,
            size: 3
        }
    );
    assert_eq!(
        read_one(&[0xFB, 0x11, 0x01, 0x02]),
        Operator::ArrayCopy {
            dst_type_index: 1,
            src_type_index: 2
        }
    );
}

#[test]
fn memarg_forms() {
    // Alignment and offset.
    assert_eq!(
        read_one(&[0x28, 0x02, 0x10]),
        Operator::I32Load {
            memarg: MemArg {
                align: 2,
                offset: 16,
                memory: 0
            }
        }
    );
    // Bit 6: a memory index follows; the offset is a u64 (memory64).
    let mut bytes = vec![0x29, 0x43, 0x05];
    bytes.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
    assert_eq!(
        read_one(&bytes),
        Operator::I64Load {
            memarg: MemArg {
                align: 3,
                offset: u64::MAX,
                memory: 5
            }
        }
    );
    // Flags are a LEB128 u32: a padded encoding below 0x80 is fine.
    assert_eq!(
        read_one(&[0x36, 0x82, 0x00, 0x00]),
        Operator::I32Store {
            memarg: MemArg {
                align: 2,
                offset: 0,
                memory: 0
            }
        }
    );
    // Atomics and SIMD use the same memarg.
    assert_eq!(
        read_one(&[0xFE, 0x10, 0x02, 0x04]),
        Operator::I32AtomicLoad {
            memarg: MemArg {
                align: 2,
                offset: 4,
                memory: 0
            }
        }
    );
    assert_eq!(
        read_one(&[0xFD, 0x55, 0x41, 0x01, 0x08, 0x07]),
        Operator::V128Load16Lane {
            memarg: MemArg {
                align: 1,
                offset: 8,
                memory: 1
            },
            lane: 7
        }
    );
}

#[test]
fn malformed_memop_flags() {
    // The testsuite's align.wast cases: flags 0x80 and 0x100.
    assert_eq!(
        err(&[0x41, 0x00, 0x28, 0x80, 0x01, 0x00]),
        "malformed memop flags"
    );
    assert_eq!(
        err(&[0x41, 0x00, 0x28, 0x80, 0x02, 0x00]),
        "malformed memop flags"
    );
    assert_eq!(
        err(&[0xFD, 0x00, 0x80, 0x01, 0x00]),
        "malformed memop flags"
    );
    let e = ops(&[0x28, 0x80, 0x01, 0x00]).read().unwrap_err();
    assert_eq!(e.offset(), 1);
}

#[test]
fn block_types() {
    assert_eq!(
        read_one(&[0x02, 0x40]),
        Operator::Block {
            blockty: BlockType::Empty
        }
    );
    assert_eq!(
        read_one(&[0x03, 0x7F]),
        Operator::Loop {
            blockty: BlockType::Value(ValType::I32)
        }
    );
    assert_eq!(
        read_one(&[0x04, 0x05]),
        Operator::If {
            blockty: BlockType::FuncType(5)
        }
    );
    assert_eq!(
        read_one(&[0x02, 0x63, 0x00]),
        Operator::Block {
            blockty: BlockType::Value(ValType::Ref(RefType {
                nullable: true,
                heap: HeapType::Concrete(0)
            }))
        }
    );
}

#[test]
fn br_table_targets_borrow_the_body() {
    let bytes = [0x0E, 0x03, 0x01, 0x80, 0x01, 0x00, 0x02];
    let Operator::BrTable { targets } = read_one(&bytes) else {
        panic!()
    };
    assert_eq!(targets.len(), 3);
    assert!(!targets.is_empty());
    assert_eq!(targets.default(), 2);
    let t = targets.targets();
    assert_eq!(t.len(), 3);
    assert_eq!(t.collect::<Vec<_>>(), [1, 128, 0]);
    assert_eq!(
        format!("{targets:?}"),
        "BrTable { targets: [1, 128, 0], default: 2 }"
    );
    // Zero targets.
    let Operator::BrTable { targets } = read_one(&[0x0E, 0x00, 0x05]) else {
        panic!()
    };
    assert!(targets.is_empty());
    assert_eq!(targets.targets().next(), None);
    assert_eq!(targets.default(), 5);
    // One target declared, two given: the second is the default and the third byte an
    // operator of its own.
    let mut r = ops(&[0x0E, 0x01, 0x00, 0x01, 0x02, 0x40]);
    let Operator::BrTable { targets } = r.read().unwrap() else {
        panic!()
    };
    assert_eq!((targets.len(), targets.default()), (1, 1));
    assert_eq!(
        r.read().unwrap(),
        Operator::Block {
            blockty: BlockType::Empty
        }
    );
    // Truncated and oversized tables.
    assert!(err(&[0x0E, 0x02, 0x00]).contains("unexpected end"));
    assert!(err(&[0x0E, 0xFF, 0xFF, 0x03, 0x00]).contains("too many br_table targets"));
}

#[test]
fn try_table_catches() {
    let bytes = [
        0x1F, 0x40, 0x04, // try_table (empty block type), 4 clauses
        0x00, 0x01, 0x02, // catch tag 1 label 2
        0x01, 0x03, 0x04, // catch_ref tag 3 label 4
        0x02, 0x05, // catch_all label 5
        0x03, 0x06, // catch_all_ref label 6
    ];
    let Operator::TryTable { blockty, catches } = read_one(&bytes) else {
        panic!()
    };
    assert_eq!(blockty, BlockType::Empty);
    assert_eq!(catches.len(), 4);
    let all: Vec<Catch> = catches.iter().collect();
    assert_eq!(
        all,
        [
            Catch::One { tag: 1, label: 2 },
            Catch::OneRef { tag: 3, label: 4 },
            Catch::All { label: 5 },
            Catch::AllRef { label: 6 },
        ]
    );
    assert_eq!(all[1].tag(), Some(3));
    assert_eq!(all[2].tag(), None);
    assert_eq!(all[3].label(), 6);
    assert_eq!(catches.into_iter().len(), 4);
    // No clauses.
    let Operator::TryTable { catches, .. } = read_one(&[0x1F, 0x7F, 0x00]) else {
        panic!()
    };
    assert!(catches.is_empty());
    assert_eq!(
        err(&[0x1F, 0x40, 0x01, 0x04, 0x00]),
        "malformed catch clause"
    );
}

#[test]
fn typed_select() {
    let Operator::TypedSelect { types } = read_one(&[0x1C, 0x01, 0x7E]) else {
        panic!()
    };
    assert_eq!(types.single(), Some(ValType::I64));
    assert_eq!(types.iter().collect::<Vec<_>>(), [ValType::I64]);
    // Any number decodes; the validator wants exactly one.
    let Operator::TypedSelect { types } = read_one(&[0x1C, 0x02, 0x7F, 0x64, 0x70]) else {
        panic!()
    };
    assert_eq!(types.len(), 2);
    assert_eq!(types.single(), None);
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            ValType::I32,
            ValType::Ref(RefType {
                nullable: false,
                heap: HeapType::Abstract(AbsHeapType::Func)
            })
        ]
    );
    let Operator::TypedSelect { types } = read_one(&[0x1C, 0x00]) else {
        panic!()
    };
    assert!(types.is_empty());
    assert_eq!(read_one(&[0x1B]), Operator::Select);
    assert!(err(&[0x1C, 0x01, 0x00]).contains("malformed value type"));
}

#[test]
fn simd_immediates() {
    let mut bytes = vec![0xFD, 0x0C];
    bytes.extend(0u8..16);
    let Operator::V128Const { value } = read_one(&bytes) else {
        panic!()
    };
    assert_eq!(value.bytes()[15], 15);
    assert_eq!(value.to_u128() >> 120, 15);
    let mut bytes = vec![0xFD, 0x0D];
    bytes.extend((0u8..16).rev());
    let Operator::I8x16Shuffle { lanes } = read_one(&bytes) else {
        panic!()
    };
    assert_eq!(lanes[0], 15);
    assert_eq!(
        read_one(&[0xFD, 0x15, 0x0F]),
        Operator::I8x16ExtractLaneS { lane: 15 }
    );
    // Lane indices are raw bytes: 0x80 is lane 128 (invalid, but decodable).
    assert_eq!(
        read_one(&[0xFD, 0x1F, 0x80]),
        Operator::F32x4ExtractLane { lane: 128 }
    );
    // Opcodes above 0x7F are LEB128 encoded.
    assert_eq!(read_one(&[0xFD, 0x80, 0x01]), Operator::I16x8Abs);
    assert_eq!(
        read_one(&[0xFD, 0xFF, 0x01]),
        Operator::F64x2ConvertLowI32x4U
    );
    assert_eq!(read_one(&[0xFD, 0x80, 0x02]), Operator::I8x16RelaxedSwizzle);
    assert_eq!(
        read_one(&[0xFD, 0x93, 0x02]),
        Operator::I32x4RelaxedDotI8x16I7x16AddS
    );
    assert!(err(&[0xFD, 0x0C, 0x00]).contains("unexpected end"));
}

#[test]
fn reference_and_gc_immediates() {
    assert_eq!(
        read_one(&[0xD0, 0x6F]),
        Operator::RefNull {
            heap_type: HeapType::Abstract(AbsHeapType::Extern)
        }
    );
    assert_eq!(
        read_one(&[0xD0, 0x03]),
        Operator::RefNull {
            heap_type: HeapType::Concrete(3)
        }
    );
    assert_eq!(
        read_one(&[0xFB, 0x15, 0x6C]),
        Operator::RefTestNullable {
            heap_type: HeapType::Abstract(AbsHeapType::I31)
        }
    );
    assert_eq!(
        read_one(&[0xFB, 0x16, 0x62, 0x02]),
        Operator::RefCastNonNull {
            heap_type: HeapType::Exact(2)
        }
    );
    let op = read_one(&[0xFB, 0x18, 0x02, 0x01, 0x6E, 0x04]);
    let Operator::BrOnCast {
        flags,
        relative_depth,
        from_heap_type,
        to_heap_type,
    } = op
    else {
        panic!()
    };
    assert_eq!(relative_depth, 1);
    assert!(!flags.from_nullable() && flags.to_nullable());
    assert_eq!(flags, CastFlags::new(false, true));
    assert_eq!(
        flags.from_type(from_heap_type),
        RefType {
            nullable: false,
            heap: HeapType::Abstract(AbsHeapType::Any)
        }
    );
    assert_eq!(
        flags.to_type(to_heap_type),
        RefType {
            nullable: true,
            heap: HeapType::Concrete(4)
        }
    );
    assert_eq!(
        err(&[0xFB, 0x19, 0x04, 0x00, 0x6E, 0x6E]),
        "malformed br_on_cast flags"
    );
    // Custom descriptors.
    assert_eq!(
        read_one(&[0xFB, 0x22, 0x00]),
        Operator::RefGetDesc { type_index: 0 }
    );
    assert_eq!(
        read_one(&[0xFB, 0x24, 0x62, 0x01]),
        Operator::RefCastDescEqNullable {
            heap_type: HeapType::Exact(1)
        }
    );
    assert_eq!(
        read_one(&[0xFB, 0x26, 0x03, 0x00, 0x6E, 0x01]).name(),
        "br_on_cast_desc_eq_fail"
    );
}

#[test]
fn threads_immediates() {
    assert_eq!(
        read_one(&[0xFE, 0x03, 0x00]),
        Operator::AtomicFence { reserved: ZeroByte }
    );
    assert_eq!(err(&[0xFE, 0x03, 0x01]), "zero byte expected");
    assert_eq!(
        read_one(&[0xFE, 0x4E, 0x02, 0x00]).name(),
        "i64.atomic.rmw32.cmpxchg_u"
    );
}

#[test]
fn overlong_prefixed_opcodes() {
    // wide-arithmetic.wast: overlong encodings of the opcode after the prefix.
    assert_eq!(read_one(&[0xFC, 0x93, 0x80, 0x00]), Operator::I64Add128);
    assert_eq!(
        read_one(&[0xFC, 0x95, 0x80, 0x80, 0x80, 0x00]),
        Operator::I64MulWideS
    );
    assert_eq!(
        err(&[0xFC, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
        "integer representation too long"
    );
    assert_eq!(
        err(&[0xFC, 0x80, 0x80, 0x80, 0x80, 0x10]),
        "integer too large"
    );
}

#[test]
fn illegal_opcodes() {
    // binary.wast: "illegal opcode ff" after an unreachable.
    let mut r = ops(&[0x00, 0xFF, 0x00, 0x00, 0x0B]);
    assert_eq!(r.read().unwrap(), Operator::Unreachable);
    let e = r.read().unwrap_err();
    assert_eq!((e.message(), e.offset()), ("illegal opcode ff", 1));
    // An element expression with opcode 0xf3.
    assert!(err(&[0xF3, 0x00, 0x0B]).contains("illegal opcode"));
    for b in [0x16, 0x17, 0x1D, 0x1E, 0x27, 0xC5, 0xCF, 0xD7, 0xFA] {
        assert_eq!(err(&[b]), format!("illegal opcode {b:02x}"));
    }
    assert_eq!(err(&[0xFC, 0x12]), "illegal opcode fc 12");
    assert_eq!(err(&[0xFD, 0x9A, 0x01]), "illegal opcode fd 9a");
    assert_eq!(err(&[0xFD, 0x94, 0x02]), "illegal opcode fd 114");
    assert_eq!(err(&[0xFB, 0x1F]), "illegal opcode fb 1f");
    assert_eq!(err(&[0xFE, 0x04]), "illegal opcode fe 04");
    assert!(err(&[0xFC]).contains("unexpected end"));
}

#[test]
fn depth_and_final_end() {
    // block, loop, if, try, try_table each open; end and delegate close.
    let code = [
        0x02, 0x40, // block        depth 2
        0x03, 0x40, // loop         3
        0x04, 0x40, // if           4
        0x05, // else               4
        0x0B, // end                3
        0x06, 0x40, // try          4
        0x07, 0x00, // catch        4
        0x19, // catch_all          4
        0x0B, // end                3
        0x06, 0x40, // try          4
        0x18, 0x00, // delegate     3
        0x1F, 0x40, 0x00, // try_table 4
        0x0B, // end                3
        0x0B, // end                2
        0x0B, // end                1
        0x0B, // end                0
    ];
    let expected = [2, 3, 4, 4, 3, 4, 4, 4, 3, 4, 3, 4, 3, 2, 1, 0];
    let mut r = ops(&code);
    assert_eq!(r.depth(), 1);
    for want in expected {
        assert!(!r.is_finished());
        r.read().unwrap();
        assert_eq!(r.depth(), want);
    }
    assert!(r.is_finished());
    r.finish().unwrap();
    // Prefixed opcodes never change the depth, whatever their code.
    let mut r = ops(&[0xFC, 0x0B, 0x00, 0x0B]);
    r.read().unwrap();
    assert_eq!(r.depth(), 1);
}

#[test]
fn missing_final_end() {
    // binary.wast: a body `i32.const 1, drop` without end. The testsuite expects "END
    // opcode expected" or "unexpected end of section or function" depending on what follows.
    let mut r = ops(&[0x41, 0x01, 0x1A]);
    r.read().unwrap();
    r.read().unwrap();
    let e = r.finish().unwrap_err();
    assert!(e.message().contains("END opcode expected"));
    assert!(e
        .message()
        .contains("unexpected end of section or function"));
    assert_eq!(e.offset(), 3);
    let e = r.read().unwrap_err();
    assert_eq!(e.message(), END_EXPECTED);
    // Nested blocks not closed.
    assert_eq!(err(&[0x02, 0x40, 0x0B]), END_EXPECTED);
    let mut r = ops(&[0x02, 0x40, 0x0B]);
    assert_eq!(r.skip_to_end().unwrap_err().message(), END_EXPECTED);
    // A constant expression (global initialiser) cut short by the end of its section.
    let mut r = OperatorsReader::new(BinaryReader::new(&[0x41, 0x00], 0));
    assert!(r
        .skip_to_end()
        .unwrap_err()
        .message()
        .contains("unexpected end of section or function"));
}

#[test]
fn operators_after_final_end() {
    let mut r = ops(&[0x0B, 0x01, 0x0B]);
    assert_eq!(r.read().unwrap(), Operator::End);
    assert!(r.is_finished());
    let e = r.finish().unwrap_err();
    assert_eq!((e.message(), e.offset()), (OPERATORS_REMAINING, 1));
    assert!(e
        .message()
        .contains("operators remaining after end of function"));
    assert!(e.message().contains("section size mismatch"));
    assert_eq!(r.read().unwrap_err().message(), OPERATORS_REMAINING);
}

#[test]
fn constant_expression_stops_at_its_end() {
    // A section reader reads one expression and continues after it.
    let section = [0x41, 0x05, 0x0B, 0x7F, 0x00];
    let mut r = OperatorsReader::new(BinaryReader::new(&section, 10));
    r.skip_to_end().unwrap();
    let rest = r.into_inner();
    assert_eq!(rest.offset(), 13);
    assert_eq!(rest.remaining_slice(), &[0x7F, 0x00]);
}

#[test]
fn data_count_section_required() {
    // binary.wast: memory.init and data.drop without a data count section.
    let init = [
        0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B,
    ];
    let mut r = OperatorsReader::new_function_body(BinaryReader::new(&init, 0), false);
    let e = r.skip_to_end().unwrap_err();
    assert_eq!(
        (e.message(), e.offset()),
        ("data count section required", 6)
    );
    let drop = [0xFC, 0x09, 0x00, 0x0B];
    let mut r = OperatorsReader::new_function_body(BinaryReader::new(&drop, 0), false);
    assert_eq!(
        r.read().unwrap_err().message(),
        "data count section required"
    );
    // With a data count section, or for other bulk operators, no error.
    let mut r = OperatorsReader::new_function_body(BinaryReader::new(&drop, 0), true);
    r.skip_to_end().unwrap();
    let copy = [0xFC, 0x0A, 0x00, 0x00, 0xFC, 0x0D, 0x00, 0x0B];
    let mut r = OperatorsReader::new_function_body(BinaryReader::new(&copy, 0), false);
    r.skip_to_end().unwrap();
}

#[test]
fn function_body_locals_and_operators() {
    // (local i32 i32 i64) (local.get 2) drop end
    let b = body(
        &[0x02, 0x02, 0x7F, 0x01, 0x7E, 0x20, 0x02, 0x1A, 0x0B],
        true,
    );
    let mut locals = b.locals().unwrap();
    assert_eq!(locals.group_count(), 2);
    assert_eq!(locals.next().unwrap().unwrap(), (2, ValType::I32));
    assert_eq!(locals.next().unwrap().unwrap(), (1, ValType::I64));
    assert!(locals.next().is_none());
    assert_eq!(locals.total(), 3);
    let mut ops = locals.into_operators().unwrap();
    assert_eq!(ops.offset(), 105);
    assert_eq!(ops.read().unwrap(), Operator::LocalGet { local_index: 2 });
    let mut ops = b.operators().unwrap();
    assert_eq!(ops.offset(), 105);
    ops.skip_to_end().unwrap();
    ops.finish().unwrap();
    b.check_encoding().unwrap();
    // The smallest body: no locals, end.
    body(&[0x00, 0x0B], false).check_encoding().unwrap();
}

#[test]
fn too_many_locals() {
    // binary.wast: 0xFFFFFFFF i32 then 2 i64; and 4 x 0x40000000.
    let b = body(
        &[0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F, 0x02, 0x7E, 0x0B],
        true,
    );
    assert!(b
        .check_encoding()
        .unwrap_err()
        .message()
        .contains("too many locals"));
    let mut bytes = vec![0x04];
    for t in [0x7F, 0x7E, 0x7D, 0x7C] {
        bytes.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x04, t]);
    }
    bytes.push(0x0B);
    let e = body(&bytes, true).operators().unwrap_err();
    assert!(e.message().contains("too many locals"));
    assert_eq!(e.offset(), 101);
    // Exactly the limit is fine; one more is not.
    let mut ok = vec![0x01];
    leb_u32(&mut ok, crate::limits::MAX_FUNCTION_LOCALS);
    ok.extend_from_slice(&[0x7F, 0x0B]);
    body(&ok, true).check_encoding().unwrap();
    let mut over = vec![0x02, 0x01, 0x7F];
    leb_u32(&mut over, crate::limits::MAX_FUNCTION_LOCALS);
    over.extend_from_slice(&[0x7F, 0x0B]);
    let over = body(&over, true);
    let mut locals = over.locals().unwrap();
    assert!(locals.next().unwrap().is_ok());
    assert!(locals.next().unwrap().is_err());
    assert!(locals.next().is_none());
    // binary.wast: a local count that does not fit a u32.
    let b = body(
        &[0x02, 0x80, 0x80, 0x80, 0x80, 0x10, 0x7F, 0x02, 0x7E, 0x0B],
        true,
    );
    assert_eq!(
        b.check_encoding().unwrap_err().message(),
        "integer too large"
    );
}

#[test]
fn check_encoding_errors() {
    assert_eq!(
        body(&[0x00, 0x41, 0x01, 0x1A], true)
            .check_encoding()
            .unwrap_err()
            .message(),
        END_EXPECTED
    );
    let e = body(&[0x00, 0x0B, 0x0B], true)
        .check_encoding()
        .unwrap_err();
    assert_eq!((e.message(), e.offset()), (OPERATORS_REMAINING, 102));
    let e = body(&[0x00, 0x00, 0xFF, 0x0B], true)
        .check_encoding()
        .unwrap_err();
    assert_eq!((e.message(), e.offset()), ("illegal opcode ff", 102));
    assert!(body(&[], true)
        .check_encoding()
        .unwrap_err()
        .message()
        .contains("unexpected end"));
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Reads everything, iterating list immediates in full; never panics.
    fn read_all(bytes: &[u8]) -> Result<()> {
        let mut r = ops(bytes);
        while !r.is_finished() {
            let before = r.offset();
            match r.read()? {
                Operator::BrTable { targets } => {
                    assert_eq!(targets.targets().count(), targets.len() as usize);
                }
                Operator::TryTable { catches, .. } => {
                    assert_eq!(catches.iter().count(), catches.len() as usize);
                }
                Operator::TypedSelect { types } => {
                    assert_eq!(types.iter().count(), types.len() as usize);
                }
                _ => {}
            }
            assert!(r.offset() > before);
        }
        r.finish()
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = read_all(&bytes);
            let _ = body(&bytes, false).check_encoding();
        }

        /// Opcode-shaped input: mostly valid opcodes with small immediates.
        #[test]
        fn operator_soup_never_panics(
            picks in proptest::collection::vec((0usize..582, any::<u8>(), any::<u8>()), 0..24)
        ) {
            let all = encode_all();
            let mut bytes = Vec::new();
            for (i, a, b) in picks {
                bytes.extend_from_slice(&all[i].bytes);
                bytes.push(a);
                bytes.push(b);
            }
            let _ = read_all(&bytes);
        }
    }
}
