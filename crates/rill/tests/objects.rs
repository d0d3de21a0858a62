//! JS-API.md, "Memory", "Table", "Global", "Functions" and "Tags and exceptions". Each
//! test names its row.

#[macro_use]
mod common;

use common::*;
use rill::*;

fn m(src: &str) -> Module {
    Module::new(wat(src)).unwrap()
}

fn inst(src: &str) -> Instance {
    Instance::new(&m(src), None).unwrap()
}

fn mem(initial: u64, maximum: Option<u64>) -> Result<Memory, Error> {
    Memory::new(MemoryDescriptor {
        initial,
        maximum,
        ..Default::default()
    })
}

// ---- Memory ---------------------------------------------------------------------------

/// Row `Memory::new` with initial > maximum, or above 65,536 pages (i32) / 2^48 (i64) →
/// RangeError.
#[test]
fn memory_new_out_of_range_is_a_range_error() {
    assert_err!(mem(2, Some(1)), RangeError);
    assert_err!(mem(65_537, None), RangeError);
    assert_err!(mem(0, Some(65_537)), RangeError);
    mem(0, Some(65_536)).unwrap();
    let m64 = |initial, maximum| {
        Memory::new(MemoryDescriptor {
            initial,
            maximum,
            address: AddressType::I64,
            shared: false,
        })
    };
    assert_err!(m64((1 << 48) + 1, None), RangeError);
    assert_err!(m64(0, Some((1 << 48) + 1)), RangeError);
    let ok = m64(1, Some(70_000)).unwrap();
    assert_eq!(ok.ty().unwrap().address, AddressType::I64);
}

/// Row: shared without a maximum → TypeError.
#[test]
fn memory_shared_without_maximum_is_a_type_error() {
    let shared = |maximum| {
        Memory::new(MemoryDescriptor {
            initial: 1,
            maximum,
            shared: true,
            address: AddressType::I32,
        })
    };
    assert_err!(shared(None), TypeError);
    assert!(shared(Some(2)).unwrap().ty().unwrap().shared);
}

/// Row: allocation failure → RangeError (2^40 pages of i64 memory are within the
/// descriptor's range but not the runtime's).
#[test]
fn memory_allocation_failure_is_a_range_error() {
    let r = Memory::new(MemoryDescriptor {
        initial: 1 << 40,
        maximum: None,
        address: AddressType::I64,
        shared: false,
    });
    assert_err!(r, RangeError);
}

/// Row: `grow(delta)` beyond the maximum (or the runtime limit) → RangeError.
#[test]
fn memory_grow_beyond_maximum_is_a_range_error() {
    let memory = mem(1, Some(2)).unwrap();
    assert_err!(memory.grow(2), RangeError);
    assert_eq!(memory.size().unwrap(), 1);
    let unbounded = mem(0, None).unwrap();
    assert_err!(unbounded.grow(65_537), RangeError);
}

/// Row: `grow(delta)` success returns the old size in pages; every view of the old buffer
/// is invalid afterwards, also for `grow(0)` and after `memory.grow` in wasm.
#[test]
fn memory_grow_returns_old_size_and_detaches_buffers() {
    let memory = mem(1, Some(10)).unwrap();
    let before = memory.buffer().unwrap();
    assert_eq!(before.len(), 65_536);
    before.write(0, b"abc").unwrap();
    assert_eq!(memory.grow(2).unwrap(), 1);
    assert!(before.is_detached());
    assert_eq!(before.len(), 0);
    assert_err!(before.read(0, &mut [0; 3]), TypeError);
    // The bytes survive the growth.
    let after = memory.buffer().unwrap();
    let mut buf = [0; 3];
    after.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"abc");
    // grow(0) detaches too.
    assert_eq!(memory.grow(0).unwrap(), 3);
    assert_err!(after.write(0, b"x"), TypeError);

    // A failed grow changes nothing, so the view stays valid.
    let current = memory.buffer().unwrap();
    assert_err!(memory.grow(8), RangeError);
    assert!(!current.is_detached());
    current.write(0, b"x").unwrap();
}

/// Row: `grow(delta)` … every view of the old buffer is invalid afterwards, after
/// `memory.grow` in wasm too, by 0 pages included; a `memory.grow` that fails (-1) does not
/// detach.
#[test]
fn memory_grow_in_wasm_detaches_buffers() {
    let instance = inst(
        r#"(module (memory (export "m") 1 3)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let memory = instance.get_memory("m").unwrap();
    let grow = instance.get_func("grow").unwrap();
    let view = memory.buffer().unwrap();
    view.write(0, b"abc").unwrap();
    assert_eq!(grow.call(&[Value::I32(1)]).unwrap(), vec![Value::I32(1)]);
    assert!(view.is_detached());
    assert_eq!(view.len(), 0);
    assert_err!(view.read(0, &mut [0; 3]), TypeError);
    let after = memory.buffer().unwrap();
    assert_eq!(after.len(), 2 * 65_536);
    let mut buf = [0; 3];
    after.read(0, &mut buf).unwrap();
    assert_eq!(&buf, b"abc");

    // memory.grow 0 in wasm: same size, still a grow, so the view is detached.
    assert_eq!(grow.call(&[Value::I32(0)]).unwrap(), vec![Value::I32(2)]);
    assert!(after.is_detached());
    assert_eq!(after.len(), 0);
    assert_err!(after.write(0, b"x"), TypeError);

    // memory.grow beyond the maximum fails (-1) and leaves the view usable.
    let current = memory.buffer().unwrap();
    assert_eq!(grow.call(&[Value::I32(5)]).unwrap(), vec![Value::I32(-1)]);
    assert!(!current.is_detached());
    assert_eq!(current.len(), 2 * 65_536);
    current.write(0, b"x").unwrap();
}

/// Reading and writing memory: the host and wasm see the same bytes; out of bounds is a
/// RangeError.
#[test]
fn memory_read_write_is_shared_with_wasm() {
    let instance = inst(
        r#"(module (memory (export "m") 1)
            (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))"#,
    );
    let memory = instance.get_memory("m").unwrap();
    memory.write(100, &[7]).unwrap();
    let load = instance.get_func("load").unwrap();
    assert_eq!(load.call(&[Value::I32(100)]).unwrap(), vec![Value::I32(7)]);
    assert_err!(memory.write(65_535, &[1, 2]), RangeError);
    assert_eq!(memory.with_data(|d| d[100]).unwrap(), 7);
}

// ---- Table ----------------------------------------------------------------------------

fn table_desc(element: RefType, initial: u64, maximum: Option<u64>) -> TableDescriptor {
    TableDescriptor {
        element,
        initial,
        maximum,
        address: AddressType::I32,
    }
}

const NON_NULL_FUNC: RefType = RefType {
    nullable: false,
    heap: HeapType::Abstract(AbsHeapType::Func),
};

/// Row `Table::new` with initial > maximum → RangeError.
#[test]
fn table_new_initial_above_maximum_is_a_range_error() {
    assert_err!(
        Table::new(table_desc(RefType::FUNCREF, 3, Some(2)), None),
        RangeError
    );
    assert_err!(
        Table::new(table_desc(RefType::FUNCREF, 10_000_001, None), None),
        RangeError
    );
}

/// Row: init value of the wrong reference type → TypeError.
#[test]
fn table_new_init_of_the_wrong_type_is_a_type_error() {
    let e = ExternRef::new("host value");
    assert_err!(
        Table::new(
            table_desc(RefType::FUNCREF, 1, None),
            Some(Value::ExternRef(Some(e)))
        ),
        TypeError
    );
    assert_err!(
        Table::new(table_desc(RefType::EXTERNREF, 1, None), Some(Value::I32(0))),
        TypeError
    );
    let t = Table::new(
        table_desc(RefType::EXTERNREF, 2, None),
        Some(Value::ExternRef(Some(e))),
    )
    .unwrap();
    assert_eq!(t.get(1).unwrap(), Value::ExternRef(Some(e)));
    let data = e.data();
    assert_eq!(data.downcast_ref::<&str>(), Some(&"host value"));
}

/// Row: no init value → null for funcref, null externref for externref; a non-nullable
/// element type without init is a TypeError.
#[test]
fn table_new_without_init_is_null_or_a_type_error() {
    let f = Table::new(table_desc(RefType::FUNCREF, 2, None), None).unwrap();
    assert_eq!(f.get(0).unwrap(), Value::FuncRef(None));
    let e = Table::new(table_desc(RefType::EXTERNREF, 2, None), None).unwrap();
    assert_eq!(e.get(1).unwrap(), Value::ExternRef(None));
    assert_err!(
        Table::new(table_desc(NON_NULL_FUNC, 1, None), None),
        TypeError
    );
    let func = Func::wrap(|| {});
    let t = Table::new(
        table_desc(NON_NULL_FUNC, 1, None),
        Some(Value::FuncRef(Some(func))),
    )
    .unwrap();
    assert_eq!(t.get(0).unwrap(), Value::FuncRef(Some(func)));
    assert_err!(t.grow(1, None), TypeError);
}

/// Row: `grow(delta, init?)` beyond the maximum → RangeError; success returns the old
/// length.
#[test]
fn table_grow() {
    let t = Table::new(table_desc(RefType::FUNCREF, 1, Some(3)), None).unwrap();
    let f = Func::wrap(|| {});
    assert_eq!(t.grow(2, Some(Value::FuncRef(Some(f)))).unwrap(), 1);
    assert_eq!(t.length().unwrap(), 3);
    assert_eq!(t.get(2).unwrap(), Value::FuncRef(Some(f)));
    assert_err!(t.grow(1, None), RangeError);
    assert_eq!(t.length().unwrap(), 3);
}

/// Row: `get(i)` / `set(i, v)` out of bounds → RangeError.
#[test]
fn table_get_set_out_of_bounds_is_a_range_error() {
    let t = Table::new(table_desc(RefType::FUNCREF, 2, None), None).unwrap();
    assert_err!(t.get(2), RangeError);
    assert_err!(t.set(2, Value::FuncRef(None)), RangeError);
    assert_err!(t.get(u64::MAX), RangeError);
}

/// Row: `set` with a value of the wrong type → TypeError.
#[test]
fn table_set_with_the_wrong_type_is_a_type_error() {
    let t = Table::new(table_desc(RefType::FUNCREF, 2, None), None).unwrap();
    assert_err!(t.set(0, Value::I32(1)), TypeError);
    assert_err!(t.set(0, Value::ExternRef(None)), TypeError);
    // And a table shared with wasm: wasm calls what the host set.
    let instance = inst(
        r#"(module (table (export "t") 2 funcref)
            (type $r (func (result i32)))
            (func (export "call") (param i32) (result i32)
              (call_indirect (type $r) (local.get 0))))"#,
    );
    let t = instance.get_table("t").unwrap();
    t.set(1, Value::FuncRef(Some(Func::wrap(|| 9i32)))).unwrap();
    let call = instance.get_func("call").unwrap();
    assert_eq!(call.call(&[Value::I32(1)]).unwrap(), vec![Value::I32(9)]);
}

// ---- Global ---------------------------------------------------------------------------

fn global(value: ValType, mutable: bool, v: Option<Value>) -> Result<Global, Error> {
    Global::new(GlobalDescriptor { value, mutable }, v)
}

/// Row `Global::new` with a value of another type → TypeError.
#[test]
fn global_new_with_a_value_of_another_type_is_a_type_error() {
    assert_err!(global(ValType::I32, false, Some(Value::I64(1))), TypeError);
    assert_err!(global(ValType::F64, true, Some(Value::F32(1.0))), TypeError);
    assert_err!(
        global(FUNCREF, true, Some(Value::ExternRef(None))),
        TypeError
    );
    let g = global(ValType::F64, false, Some(Value::F64(1.5))).unwrap();
    assert_eq!(g.get().unwrap(), Value::F64(1.5));
}

/// Row: no value → the type's default (0, null).
#[test]
fn global_new_without_a_value_is_the_default() {
    for (ty, v) in [
        (ValType::I32, Value::I32(0)),
        (ValType::I64, Value::I64(0)),
        (ValType::F32, Value::F32(0.0)),
        (ValType::F64, Value::F64(0.0)),
        (FUNCREF, Value::FuncRef(None)),
        (EXTERNREF, Value::ExternRef(None)),
    ] {
        assert_eq!(global(ty, false, None).unwrap().get().unwrap(), v, "{ty:?}");
    }
}

/// Row: setting an immutable global → TypeError (mutable ones can be set, and wasm sees
/// the value).
#[test]
fn global_set_immutable_is_a_type_error() {
    let g = global(ValType::I32, false, Some(Value::I32(1))).unwrap();
    assert_err!(g.set(Value::I32(2)), TypeError);
    let g = global(ValType::I32, true, Some(Value::I32(1))).unwrap();
    assert_err!(g.set(Value::I64(2)), TypeError);
    g.set(Value::I32(2)).unwrap();
    assert_eq!(g.get().unwrap(), Value::I32(2));
    let module = m(r#"(module (import "m" "g" (global $g (mut i32)))
        (func (export "get") (result i32) global.get $g)
        (func (export "set") (param i32) (global.set $g (local.get 0))))"#);
    let mut imports = Imports::new();
    imports.define("m", "g", g);
    let instance = Instance::new(&module, Some(&imports)).unwrap();
    assert_eq!(
        instance.get_func("get").unwrap().call(&[]).unwrap(),
        vec![Value::I32(2)]
    );
    instance
        .get_func("set")
        .unwrap()
        .call(&[Value::I32(5)])
        .unwrap();
    assert_eq!(g.get().unwrap(), Value::I32(5));
}

/// Row: getting or setting a v128 global through the façade → TypeError (the JS rule;
/// the Rust-only accessors below allow it).
#[test]
fn global_v128_is_a_type_error() {
    let g = global(ValType::V128, true, None).unwrap();
    assert_err!(g.get(), TypeError);
    assert_err!(g.set(Value::V128(1)), TypeError);
    assert_err!(
        global(ValType::V128, false, Some(Value::V128(1))),
        TypeError
    );
}

/// Row (Rust-only accessor): `get_with_v128` / `set_with_v128` read and write all 128 bits
/// of a v128 global, and wasm sees them; the other rules (mutability, types) still hold.
#[test]
fn global_v128_rust_only_accessors() {
    let big = Value::V128(0xfedc_ba98_7654_3210_0123_4567_89ab_cdef);
    let g = global(ValType::V128, true, None).unwrap();
    assert_eq!(g.get_with_v128().unwrap(), Value::V128(0));
    g.set_with_v128(big).unwrap();
    assert_eq!(g.get_with_v128().unwrap(), big);
    assert_err!(g.set_with_v128(Value::I32(1)), TypeError);
    let mut imports = Imports::new();
    imports.define("m", "g", g);
    let module = m(r#"(module (import "m" "g" (global $g (mut v128)))
        (func (export "high") (result i64) (i64x2.extract_lane 1 (global.get $g)))
        (func (export "set") (global.set $g (v128.const i64x2 1 2))))"#);
    let instance = Instance::new(&module, Some(&imports)).unwrap();
    let high = instance.get_func("high").unwrap();
    assert_eq!(
        high.call(&[]).unwrap(),
        vec![Value::I64(0xfedc_ba98_7654_3210_u64 as i64)]
    );
    instance.get_func("set").unwrap().call(&[]).unwrap();
    assert_eq!(g.get_with_v128().unwrap(), Value::V128(2 << 64 | 1));
    let fixed = global(ValType::V128, false, None).unwrap();
    assert_err!(fixed.set_with_v128(big), TypeError);
    // An i32 global through the Rust-only accessors: as `get`/`set`.
    let i = global(ValType::I32, true, Some(Value::I32(3))).unwrap();
    assert_eq!(i.get_with_v128().unwrap(), Value::I32(3));
}

// ---- Functions ------------------------------------------------------------------------

const DIV: &str = r#"(module
    (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func (export "swap") (param i64 f64) (result f64 i64) local.get 1 local.get 0))"#;

/// Row `call(args)` with the wrong number or types of arguments → TypeError.
#[test]
fn func_call_with_wrong_arguments_is_a_type_error() {
    let div = inst(DIV).get_func("div").unwrap();
    assert_err!(div.call(&[Value::I32(1)]), TypeError);
    assert_err!(
        div.call(&[Value::I32(1), Value::I32(1), Value::I32(1)]),
        TypeError
    );
    assert_err!(div.call(&[Value::I32(1), Value::I64(1)]), TypeError);
    // A v128 in the signature: TypeError, as in JS.
    let v = inst(r#"(module (func (export "v") (param v128)))"#)
        .get_func("v")
        .unwrap();
    assert_err!(v.call(&[Value::V128(0)]), TypeError);
}

/// Row (Rust-only call): `call_with_v128` passes and returns v128 values with all 128
/// bits; argument checks still apply.
#[test]
fn func_call_with_v128() {
    let i = inst(
        r#"(module (func (export "rev") (param v128 i32) (result i32 v128)
            (local.get 1)
            (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (local.get 0) (local.get 0))))"#,
    );
    let rev = i.get_func("rev").unwrap();
    let x = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100u128;
    assert_eq!(
        rev.call_with_v128(&[Value::V128(x), Value::I32(7)])
            .unwrap(),
        vec![Value::I32(7), Value::V128(x.swap_bytes())]
    );
    assert_err!(rev.call_with_v128(&[Value::V128(x)]), TypeError);
    assert_err!(
        rev.call_with_v128(&[Value::I32(1), Value::I32(7)]),
        TypeError
    );
    // Functions without v128: as `call`.
    let div = inst(DIV).get_func("div").unwrap();
    assert_eq!(
        div.call_with_v128(&[Value::I32(7), Value::I32(2)]).unwrap(),
        vec![Value::I32(3)]
    );
}

/// Row: a trap during the call → RuntimeError with the trap's message.
#[test]
fn func_call_trap_is_a_runtime_error() {
    let div = inst(DIV).get_func("div").unwrap();
    let e = assert_err!(div.call(&[Value::I32(1), Value::I32(0)]), RuntimeError);
    assert_eq!(e.message(), "integer divide by zero");
    let e = assert_err!(
        div.call(&[Value::I32(i32::MIN), Value::I32(-1)]),
        RuntimeError
    );
    assert_eq!(e.message(), "integer overflow");
}

/// Row: results → a list of values, in order.
#[test]
fn func_call_results_are_a_list_in_order() {
    let instance = inst(DIV);
    let swap = instance.get_func("swap").unwrap();
    assert_eq!(
        swap.call(&[Value::I64(3), Value::F64(0.5)]).unwrap(),
        vec![Value::F64(0.5), Value::I64(3)]
    );
    let div = instance.get_func("div").unwrap();
    assert_eq!(
        div.call(&[Value::I32(7), Value::I32(2)]).unwrap(),
        vec![Value::I32(3)]
    );
    let ty = swap.ty().unwrap();
    assert_eq!(&*ty.params, [ValType::I64, ValType::F64]);
    let pair = Func::wrap(|a: i32, b: i64| (b, a));
    assert_eq!(
        pair.call(&[Value::I32(1), Value::I64(2)]).unwrap(),
        vec![Value::I64(2), Value::I32(1)]
    );
}

/// Row: a host function returning the wrong number or types of results → TypeError, when
/// called directly and through wasm.
#[test]
fn func_host_returning_wrong_results_is_a_type_error() {
    let ty = FuncType {
        params: [].into(),
        results: [ValType::I32].into(),
    };
    let none = Func::new(ty.clone(), |_| Ok(vec![]));
    let wrong = Func::new(ty.clone(), |_| Ok(vec![Value::I64(1)]));
    let right = Func::new(ty, |_| Ok(vec![Value::I32(1)]));
    assert_err!(none.call(&[]), TypeError);
    assert_err!(wrong.call(&[]), TypeError);
    assert_eq!(right.call(&[]).unwrap(), vec![Value::I32(1)]);
    let module = m(r#"(module (import "h" "f" (func $f (result i32)))
        (func (export "g") (result i32) (i32.add (call $f) (i32.const 1))))"#);
    for (f, ok) in [(none, false), (wrong, false), (right, true)] {
        let mut imports = Imports::new();
        imports.define("h", "f", f);
        let g = Instance::new(&module, Some(&imports))
            .unwrap()
            .get_func("g")
            .unwrap();
        let r = g.call(&[]);
        if ok {
            assert_eq!(r.unwrap(), vec![Value::I32(2)]);
        } else {
            assert_err!(r, TypeError);
        }
    }
}

#[derive(Debug, PartialEq)]
struct Oops;

impl std::fmt::Display for Oops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("oops")
    }
}

impl std::error::Error for Oops {}

/// A host function's own error passes through wasm unchanged.
#[test]
fn func_host_error_passes_through_wasm() {
    let module = m(r#"(module (import "h" "f" (func $f))
        (func (export "g") call $f))"#);
    let mut imports = Imports::new();
    imports.define("h", "f", Func::wrap(|| -> Result<(), Oops> { Err(Oops) }));
    let g = Instance::new(&module, Some(&imports))
        .unwrap()
        .get_func("g")
        .unwrap();
    let e = assert_err!(g.call(&[]), Host);
    assert_eq!(e.downcast_ref::<Oops>(), Some(&Oops));
}

/// Thread safety: handles are Send + Sync, calls from several threads are serialised by
/// the store's lock; a host function cannot re-enter the store (an error, not a deadlock).
#[test]
fn func_threads_and_reentrancy() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Func>();
    send_sync::<Instance>();
    send_sync::<Memory>();
    send_sync::<Table>();
    send_sync::<Global>();
    send_sync::<Module>();
    send_sync::<Exception>();
    let instance = inst(
        r#"(module (global $n (mut i32) (i32.const 0))
            (func (export "inc") (result i32)
              (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))"#,
    );
    let inc = instance.get_func("inc").unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(move || {
                for _ in 0..250 {
                    inc.call(&[]).unwrap();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(inc.call(&[]).unwrap(), vec![Value::I32(1001)]);

    let reenter = Func::wrap(move || -> Result<i32, Error> {
        inc.call(&[])?;
        Ok(0)
    });
    let e = assert_err!(reenter.call(&[]), Host);
    let inner = e.downcast_ref::<Error>().unwrap();
    assert!(matches!(inner, Error::RuntimeError(_)), "{inner:?}");
}

// ---- Tags and exceptions --------------------------------------------------------------

fn tag(parameters: Vec<ValType>) -> Tag {
    Tag::new(TagDescriptor { parameters })
}

/// Row `Exception::new(&tag, payload)` with a payload of the wrong arity or types →
/// TypeError.
#[test]
fn exception_new_with_a_wrong_payload_is_a_type_error() {
    let t = tag(vec![ValType::I32, ValType::F64]);
    assert_err!(Exception::new(&t, &[Value::I32(1)]), TypeError);
    assert_err!(
        Exception::new(&t, &[Value::I32(1), Value::I32(2)]),
        TypeError
    );
    Exception::new(&t, &[Value::I32(1), Value::F64(2.0)]).unwrap();
    assert_err!(
        Exception::new(&tag(vec![ValType::V128]), &[Value::V128(0)]),
        TypeError
    );
}

/// Rows `exception.get_arg(&tag, i)`: wrong tag → TypeError, index out of range →
/// RangeError; `exception.is(&tag)`.
#[test]
fn exception_get_arg_and_is() {
    let t = tag(vec![ValType::I32]);
    let same_type = tag(vec![ValType::I32]);
    let e = Exception::new(&t, &[Value::I32(5)]).unwrap();
    assert!(e.is(&t));
    assert!(!e.is(&same_type));
    assert_eq!(e.get_arg(&t, 0).unwrap(), Value::I32(5));
    assert_err!(e.get_arg(&same_type, 0), TypeError);
    assert_err!(e.get_arg(&t, 1), RangeError);
}

// The rows about exceptions crossing wasm, and tags as imports: tests/exceptions.rs.

// ---- Implementation limits (runtime) --------------------------------------------------

/// Row (Implementation limits): growing past the runtime limits (table 10,000,000
/// elements, memory 65,536 pages for i32 and 262,144 for i64) fails like any other failed
/// grow: a RangeError from the façade, -1 in wasm.
#[test]
fn limits_growing_past_the_runtime_limits_fails() {
    let t = Table::new(table_desc(RefType::FUNCREF, 0, None), None).unwrap();
    assert_err!(t.grow(10_000_001, None), RangeError);
    assert_eq!(t.length().unwrap(), 0);
    let m32 = mem(0, None).unwrap();
    assert_err!(m32.grow(65_537), RangeError);
    let m64 = Memory::new(MemoryDescriptor {
        initial: 0,
        maximum: None,
        address: AddressType::I64,
        shared: false,
    })
    .unwrap();
    assert_err!(m64.grow(262_145), RangeError);
    let grow = inst(
        r#"(module (memory 0)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .get_func("grow")
    .unwrap();
    assert_eq!(
        grow.call(&[Value::I32(65_537)]).unwrap(),
        vec![Value::I32(-1)]
    );
}
