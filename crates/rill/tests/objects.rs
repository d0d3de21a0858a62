//! JS-API.md, "Memory", "Table", "Global", "Functions" and "Tags and exceptions". Each
//! test names its row. (Handles used with another store than their own:
//! tests/cross_store.rs.)

#[macro_use]
mod common;

use common::*;
use rill::*;

fn m(src: &str) -> Module {
    Module::new(wat(src)).unwrap()
}

fn inst(store: &mut Store, src: &str) -> Instance {
    Instance::new(store, &m(src), &Imports::new()).unwrap()
}

fn mem(store: &mut Store, initial: u64, maximum: Option<u64>) -> Result<Memory, Error> {
    Memory::new(
        store,
        MemoryDescriptor {
            initial,
            maximum,
            ..Default::default()
        },
    )
}

// ---- Memory ---------------------------------------------------------------------------

/// Row `Memory::new` with initial > maximum, or above 65,536 pages (i32) / 2^48 (i64) →
/// RangeError.
#[test]
fn memory_new_out_of_range_is_a_range_error() {
    let mut store = Store::new(());
    assert_err!(mem(&mut store, 2, Some(1)), RangeError);
    assert_err!(mem(&mut store, 65_537, None), RangeError);
    assert_err!(mem(&mut store, 0, Some(65_537)), RangeError);
    mem(&mut store, 0, Some(65_536)).unwrap();
    let m64 = |store: &mut Store, initial, maximum| {
        Memory::new(
            store,
            MemoryDescriptor {
                initial,
                maximum,
                address: AddressType::I64,
                shared: false,
            },
        )
    };
    assert_err!(m64(&mut store, (1 << 48) + 1, None), RangeError);
    assert_err!(m64(&mut store, 0, Some((1 << 48) + 1)), RangeError);
    let ok = m64(&mut store, 1, Some(70_000)).unwrap();
    assert_eq!(ok.ty(&store).unwrap().address, AddressType::I64);
}

/// Row: shared without a maximum → TypeError.
#[test]
fn memory_shared_without_maximum_is_a_type_error() {
    let mut store = Store::new(());
    let shared = |store: &mut Store, maximum| {
        Memory::new(
            store,
            MemoryDescriptor {
                initial: 1,
                maximum,
                shared: true,
                address: AddressType::I32,
            },
        )
    };
    assert_err!(shared(&mut store, None), TypeError);
    let ok = shared(&mut store, Some(2)).unwrap();
    assert!(ok.ty(&store).unwrap().shared);
}

/// Row: allocation failure → RangeError (2^40 pages of i64 memory are within the
/// descriptor's range but not the runtime's).
#[test]
fn memory_allocation_failure_is_a_range_error() {
    let mut store = Store::new(());
    let r = Memory::new(
        &mut store,
        MemoryDescriptor {
            initial: 1 << 40,
            maximum: None,
            address: AddressType::I64,
            shared: false,
        },
    );
    assert_err!(r, RangeError);
}

/// Row: `grow(delta)` beyond the maximum (or the runtime limit) → RangeError.
#[test]
fn memory_grow_beyond_maximum_is_a_range_error() {
    let mut store = Store::new(());
    let memory = mem(&mut store, 1, Some(2)).unwrap();
    assert_err!(memory.grow(&mut store, 2), RangeError);
    assert_eq!(memory.size(&store).unwrap(), 1);
    let unbounded = mem(&mut store, 0, None).unwrap();
    assert_err!(unbounded.grow(&mut store, 65_537), RangeError);
}

/// Row: `grow(delta)` success returns the old size in pages; every view of the old buffer
/// is invalid afterwards, also for `grow(0)` and after `memory.grow` in wasm.
#[test]
fn memory_grow_returns_old_size_and_detaches_buffers() {
    let mut store = Store::new(());
    let memory = mem(&mut store, 1, Some(10)).unwrap();
    let before = memory.buffer(&store).unwrap();
    assert_eq!(before.len(&store), 65_536);
    before.write(&mut store, 0, b"abc").unwrap();
    assert_eq!(memory.grow(&mut store, 2).unwrap(), 1);
    assert!(before.is_detached(&store));
    assert_eq!(before.len(&store), 0);
    assert_err!(before.read(&mut store, 0, &mut [0; 3]), TypeError);
    // The bytes survive the growth.
    let after = memory.buffer(&store).unwrap();
    let mut buf = [0; 3];
    after.read(&mut store, 0, &mut buf).unwrap();
    assert_eq!(&buf, b"abc");
    // grow(0) detaches too.
    assert_eq!(memory.grow(&mut store, 0).unwrap(), 3);
    assert_err!(after.write(&mut store, 0, b"x"), TypeError);

    // A failed grow changes nothing, so the view stays valid.
    let current = memory.buffer(&store).unwrap();
    assert_err!(memory.grow(&mut store, 8), RangeError);
    assert!(!current.is_detached(&store));
    current.write(&mut store, 0, b"x").unwrap();
}

/// Row: `grow(delta)` … every view of the old buffer is invalid afterwards, after
/// `memory.grow` in wasm too, by 0 pages included; a `memory.grow` that fails (-1) does not
/// detach.
#[test]
fn memory_grow_in_wasm_detaches_buffers() {
    let mut store = Store::new(());
    let instance = inst(
        &mut store,
        r#"(module (memory (export "m") 1 3)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let memory = instance.get_memory(&store, "m").unwrap();
    let grow = instance.get_func(&store, "grow").unwrap();
    let view = memory.buffer(&store).unwrap();
    view.write(&mut store, 0, b"abc").unwrap();
    assert_eq!(
        grow.call(&mut store, &[Value::I32(1)]).unwrap(),
        vec![Value::I32(1)]
    );
    assert!(view.is_detached(&store));
    assert_eq!(view.len(&store), 0);
    assert_err!(view.read(&mut store, 0, &mut [0; 3]), TypeError);
    let after = memory.buffer(&store).unwrap();
    assert_eq!(after.len(&store), 2 * 65_536);
    let mut buf = [0; 3];
    after.read(&mut store, 0, &mut buf).unwrap();
    assert_eq!(&buf, b"abc");

    // memory.grow 0 in wasm: same size, still a grow, so the view is detached.
    assert_eq!(
        grow.call(&mut store, &[Value::I32(0)]).unwrap(),
        vec![Value::I32(2)]
    );
    assert!(after.is_detached(&store));
    assert_eq!(after.len(&store), 0);
    assert_err!(after.write(&mut store, 0, b"x"), TypeError);

    // memory.grow beyond the maximum fails (-1) and leaves the view usable.
    let current = memory.buffer(&store).unwrap();
    assert_eq!(
        grow.call(&mut store, &[Value::I32(5)]).unwrap(),
        vec![Value::I32(-1)]
    );
    assert!(!current.is_detached(&store));
    assert_eq!(current.len(&store), 2 * 65_536);
    current.write(&mut store, 0, b"x").unwrap();
}

/// Reading and writing memory: the host and wasm see the same bytes; out of bounds is a
/// RangeError. The zero-copy views (`data`, `data_mut`) see them too.
#[test]
fn memory_read_write_is_shared_with_wasm() {
    let mut store = Store::new(());
    let instance = inst(
        &mut store,
        r#"(module (memory (export "m") 1)
            (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))"#,
    );
    let memory = instance.get_memory(&store, "m").unwrap();
    memory.write(&mut store, 100, &[7]).unwrap();
    let load = instance.get_func(&store, "load").unwrap();
    assert_eq!(
        load.call(&mut store, &[Value::I32(100)]).unwrap(),
        vec![Value::I32(7)]
    );
    assert_err!(memory.write(&mut store, 65_535, &[1, 2]), RangeError);
    assert_err!(memory.read(&store, 65_535, &mut [0; 2]), RangeError);
    assert_eq!(memory.data(&store).unwrap()[100], 7);
    assert_eq!(memory.data(&store).unwrap().len(), 65_536);
    memory.data_mut(&mut store).unwrap()[101] = 8;
    assert_eq!(
        load.call(&mut store, &[Value::I32(101)]).unwrap(),
        vec![Value::I32(8)]
    );
}

/// A host function reads and writes the calling instance's memory without copying, through
/// its `Caller`: the bytes wasm wrote are there, and wasm sees what the host wrote.
#[test]
fn memory_from_a_host_function_through_the_caller() {
    let mut store = Store::new(Vec::<String>::new());
    let log = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, Vec<String>>, ptr: i32, len: i32| -> Result<(), Error> {
            let memory = caller
                .get_export("m")
                .and_then(Extern::into_memory)
                .unwrap();
            let bytes = &memory.data(&caller)?[ptr as usize..][..len as usize];
            let text = String::from_utf8_lossy(bytes).into_owned();
            memory.data_mut(&mut caller)?[0] = b'!';
            caller.data_mut().push(text);
            Ok(())
        },
    );
    let mut imports = Imports::new();
    imports.define("env", "log", log);
    let module = m(r#"(module (import "env" "log" (func $log (param i32 i32)))
        (memory (export "m") 1) (data (i32.const 8) "hello")
        (func (export "run") (result i32)
          (call $log (i32.const 8) (i32.const 5))
          (i32.load8_u (i32.const 0))))"#);
    let instance = Instance::new(&mut store, &module, &imports).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), i32::from(b'!'));
    assert_eq!(store.data(), &["hello"]);
    // Called from the host, there is no calling instance: no export.
    let sees_m = Func::wrap(&mut store, |caller: Caller<'_, Vec<String>>| {
        i32::from(caller.get_export("m").is_some())
    });
    assert_eq!(sees_m.call(&mut store, &[]).unwrap(), [Value::I32(0)]);
    let mut imports = Imports::new();
    imports.define("env", "sees_m", sees_m);
    let module = m(r#"(module (import "env" "sees_m" (func $f (result i32)))
        (memory (export "m") 1) (export "f" (func $f)) (func (export "g") (result i32) call $f))"#);
    let instance = Instance::new(&mut store, &module, &imports).unwrap();
    let g = instance.get_func(&store, "g").unwrap();
    assert_eq!(g.call(&mut store, &[]).unwrap(), [Value::I32(1)]);
    // The re-export is the host function itself: called from the host, no instance.
    let f = instance.get_func(&store, "f").unwrap();
    assert_eq!(f, sees_m);
    assert_eq!(f.call(&mut store, &[]).unwrap(), [Value::I32(0)]);
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
    let mut store = Store::new(());
    assert_err!(
        Table::new(&mut store, table_desc(RefType::FUNCREF, 3, Some(2)), None),
        RangeError
    );
    assert_err!(
        Table::new(
            &mut store,
            table_desc(RefType::FUNCREF, 10_000_001, None),
            None
        ),
        RangeError
    );
}

/// Row: init value of the wrong reference type → TypeError.
#[test]
fn table_new_init_of_the_wrong_type_is_a_type_error() {
    let mut store = Store::new(());
    let e = ExternRef::new(&mut store, "host value");
    assert_err!(
        Table::new(
            &mut store,
            table_desc(RefType::FUNCREF, 1, None),
            Some(Value::ExternRef(Some(e)))
        ),
        TypeError
    );
    assert_err!(
        Table::new(
            &mut store,
            table_desc(RefType::EXTERNREF, 1, None),
            Some(Value::I32(0))
        ),
        TypeError
    );
    let t = Table::new(
        &mut store,
        table_desc(RefType::EXTERNREF, 2, None),
        Some(Value::ExternRef(Some(e))),
    )
    .unwrap();
    assert_eq!(t.get(&store, 1).unwrap(), Value::ExternRef(Some(e)));
    let data = e.data(&store).unwrap();
    assert_eq!(data.downcast_ref::<&str>(), Some(&"host value"));
}

/// Row: no init value → null for funcref, null externref for externref; a non-nullable
/// element type without init is a TypeError.
#[test]
fn table_new_without_init_is_null_or_a_type_error() {
    let mut store = Store::new(());
    let f = Table::new(&mut store, table_desc(RefType::FUNCREF, 2, None), None).unwrap();
    assert_eq!(f.get(&store, 0).unwrap(), Value::FuncRef(None));
    let e = Table::new(&mut store, table_desc(RefType::EXTERNREF, 2, None), None).unwrap();
    assert_eq!(e.get(&store, 1).unwrap(), Value::ExternRef(None));
    assert_err!(
        Table::new(&mut store, table_desc(NON_NULL_FUNC, 1, None), None),
        TypeError
    );
    let func = Func::wrap(&mut store, || {});
    let t = Table::new(
        &mut store,
        table_desc(NON_NULL_FUNC, 1, None),
        Some(Value::FuncRef(Some(func))),
    )
    .unwrap();
    assert_eq!(t.get(&store, 0).unwrap(), Value::FuncRef(Some(func)));
    assert_err!(t.grow(&mut store, 1, None), TypeError);
}

/// Row: `grow(delta, init?)` beyond the maximum → RangeError; success returns the old
/// length.
#[test]
fn table_grow() {
    let mut store = Store::new(());
    let t = Table::new(&mut store, table_desc(RefType::FUNCREF, 1, Some(3)), None).unwrap();
    let f = Func::wrap(&mut store, || {});
    assert_eq!(
        t.grow(&mut store, 2, Some(Value::FuncRef(Some(f))))
            .unwrap(),
        1
    );
    assert_eq!(t.length(&store).unwrap(), 3);
    assert_eq!(t.get(&store, 2).unwrap(), Value::FuncRef(Some(f)));
    assert_err!(t.grow(&mut store, 1, None), RangeError);
    assert_eq!(t.length(&store).unwrap(), 3);
}

/// Row: `get(i)` / `set(i, v)` out of bounds → RangeError.
#[test]
fn table_get_set_out_of_bounds_is_a_range_error() {
    let mut store = Store::new(());
    let t = Table::new(&mut store, table_desc(RefType::FUNCREF, 2, None), None).unwrap();
    assert_err!(t.get(&store, 2), RangeError);
    assert_err!(t.set(&mut store, 2, Value::FuncRef(None)), RangeError);
    assert_err!(t.get(&store, u64::MAX), RangeError);
}

/// Row: `set` with a value of the wrong type → TypeError.
#[test]
fn table_set_with_the_wrong_type_is_a_type_error() {
    let mut store = Store::new(());
    let t = Table::new(&mut store, table_desc(RefType::FUNCREF, 2, None), None).unwrap();
    assert_err!(t.set(&mut store, 0, Value::I32(1)), TypeError);
    assert_err!(t.set(&mut store, 0, Value::ExternRef(None)), TypeError);
    // And a table shared with wasm: wasm calls what the host set.
    let instance = inst(
        &mut store,
        r#"(module (table (export "t") 2 funcref)
            (type $r (func (result i32)))
            (func (export "call") (param i32) (result i32)
              (call_indirect (type $r) (local.get 0))))"#,
    );
    let t = instance.get_table(&store, "t").unwrap();
    let nine = Func::wrap(&mut store, || 9i32);
    t.set(&mut store, 1, Value::FuncRef(Some(nine))).unwrap();
    let call = instance.get_func(&store, "call").unwrap();
    assert_eq!(
        call.call(&mut store, &[Value::I32(1)]).unwrap(),
        vec![Value::I32(9)]
    );
}

// ---- Global ---------------------------------------------------------------------------

fn global(
    store: &mut Store,
    value: ValType,
    mutable: bool,
    v: Option<Value>,
) -> Result<Global, Error> {
    Global::new(store, GlobalDescriptor { value, mutable }, v)
}

/// Row `Global::new` with a value of another type → TypeError.
#[test]
fn global_new_with_a_value_of_another_type_is_a_type_error() {
    let mut store = Store::new(());
    assert_err!(
        global(&mut store, ValType::I32, false, Some(Value::I64(1))),
        TypeError
    );
    assert_err!(
        global(&mut store, ValType::F64, true, Some(Value::F32(1.0))),
        TypeError
    );
    assert_err!(
        global(&mut store, FUNCREF, true, Some(Value::ExternRef(None))),
        TypeError
    );
    let g = global(&mut store, ValType::F64, false, Some(Value::F64(1.5))).unwrap();
    assert_eq!(g.get(&store).unwrap(), Value::F64(1.5));
}

/// Row: no value → the type's default (0, null).
#[test]
fn global_new_without_a_value_is_the_default() {
    let mut store = Store::new(());
    for (ty, v) in [
        (ValType::I32, Value::I32(0)),
        (ValType::I64, Value::I64(0)),
        (ValType::F32, Value::F32(0.0)),
        (ValType::F64, Value::F64(0.0)),
        (FUNCREF, Value::FuncRef(None)),
        (EXTERNREF, Value::ExternRef(None)),
    ] {
        let g = global(&mut store, ty, false, None).unwrap();
        assert_eq!(g.get(&store).unwrap(), v, "{ty:?}");
    }
}

/// Row: setting an immutable global → TypeError (mutable ones can be set, and wasm sees
/// the value).
#[test]
fn global_set_immutable_is_a_type_error() {
    let mut store = Store::new(());
    let g = global(&mut store, ValType::I32, false, Some(Value::I32(1))).unwrap();
    assert_err!(g.set(&mut store, Value::I32(2)), TypeError);
    let g = global(&mut store, ValType::I32, true, Some(Value::I32(1))).unwrap();
    assert_err!(g.set(&mut store, Value::I64(2)), TypeError);
    g.set(&mut store, Value::I32(2)).unwrap();
    assert_eq!(g.get(&store).unwrap(), Value::I32(2));
    let module = m(r#"(module (import "m" "g" (global $g (mut i32)))
        (func (export "get") (result i32) global.get $g)
        (func (export "set") (param i32) (global.set $g (local.get 0))))"#);
    let mut imports = Imports::new();
    imports.define("m", "g", g);
    let instance = Instance::new(&mut store, &module, &imports).unwrap();
    assert_eq!(
        instance
            .get_func(&store, "get")
            .unwrap()
            .call(&mut store, &[])
            .unwrap(),
        vec![Value::I32(2)]
    );
    instance
        .get_func(&store, "set")
        .unwrap()
        .call(&mut store, &[Value::I32(5)])
        .unwrap();
    assert_eq!(g.get(&store).unwrap(), Value::I32(5));
}

/// Row: getting or setting a v128 global through the façade → TypeError (the JS rule;
/// the Rust-only accessors below allow it).
#[test]
fn global_v128_is_a_type_error() {
    let mut store = Store::new(());
    let g = global(&mut store, ValType::V128, true, None).unwrap();
    assert_err!(g.get(&store), TypeError);
    assert_err!(g.set(&mut store, Value::V128(1)), TypeError);
    assert_err!(
        global(&mut store, ValType::V128, false, Some(Value::V128(1))),
        TypeError
    );
}

/// Row (Rust-only accessor): `get_with_v128` / `set_with_v128` read and write all 128 bits
/// of a v128 global, and wasm sees them; the other rules (mutability, types) still hold.
#[test]
fn global_v128_rust_only_accessors() {
    let mut store = Store::new(());
    let big = Value::V128(0xfedc_ba98_7654_3210_0123_4567_89ab_cdef);
    let g = global(&mut store, ValType::V128, true, None).unwrap();
    assert_eq!(g.get_with_v128(&store).unwrap(), Value::V128(0));
    g.set_with_v128(&mut store, big).unwrap();
    assert_eq!(g.get_with_v128(&store).unwrap(), big);
    assert_err!(g.set_with_v128(&mut store, Value::I32(1)), TypeError);
    let mut imports = Imports::new();
    imports.define("m", "g", g);
    let module = m(r#"(module (import "m" "g" (global $g (mut v128)))
        (func (export "high") (result i64) (i64x2.extract_lane 1 (global.get $g)))
        (func (export "set") (global.set $g (v128.const i64x2 1 2))))"#);
    let instance = Instance::new(&mut store, &module, &imports).unwrap();
    let high = instance.get_func(&store, "high").unwrap();
    assert_eq!(
        high.call(&mut store, &[]).unwrap(),
        vec![Value::I64(0xfedc_ba98_7654_3210_u64 as i64)]
    );
    instance
        .get_func(&store, "set")
        .unwrap()
        .call(&mut store, &[])
        .unwrap();
    assert_eq!(g.get_with_v128(&store).unwrap(), Value::V128(2 << 64 | 1));
    let fixed = global(&mut store, ValType::V128, false, None).unwrap();
    assert_err!(fixed.set_with_v128(&mut store, big), TypeError);
    // An i32 global through the Rust-only accessors: as `get`/`set`.
    let i = global(&mut store, ValType::I32, true, Some(Value::I32(3))).unwrap();
    assert_eq!(i.get_with_v128(&store).unwrap(), Value::I32(3));
}

// ---- Functions ------------------------------------------------------------------------

const DIV: &str = r#"(module
    (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
    (func (export "swap") (param i64 f64) (result f64 i64) local.get 1 local.get 0))"#;

/// Row `call(args)` with the wrong number or types of arguments → TypeError.
#[test]
fn func_call_with_wrong_arguments_is_a_type_error() {
    let mut store = Store::new(());
    let div = inst(&mut store, DIV).get_func(&store, "div").unwrap();
    assert_err!(div.call(&mut store, &[Value::I32(1)]), TypeError);
    assert_err!(
        div.call(&mut store, &[Value::I32(1), Value::I32(1), Value::I32(1)]),
        TypeError
    );
    assert_err!(
        div.call(&mut store, &[Value::I32(1), Value::I64(1)]),
        TypeError
    );
    // A v128 in the signature: TypeError, as in JS.
    let v = inst(&mut store, r#"(module (func (export "v") (param v128)))"#)
        .get_func(&store, "v")
        .unwrap();
    assert_err!(v.call(&mut store, &[Value::V128(0)]), TypeError);
}

/// Row (Rust-only call): `call_with_v128` passes and returns v128 values with all 128
/// bits; argument checks still apply.
#[test]
fn func_call_with_v128() {
    let mut store = Store::new(());
    let i = inst(
        &mut store,
        r#"(module (func (export "rev") (param v128 i32) (result i32 v128)
            (local.get 1)
            (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (local.get 0) (local.get 0))))"#,
    );
    let rev = i.get_func(&store, "rev").unwrap();
    let x = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100u128;
    assert_eq!(
        rev.call_with_v128(&mut store, &[Value::V128(x), Value::I32(7)])
            .unwrap(),
        vec![Value::I32(7), Value::V128(x.swap_bytes())]
    );
    assert_err!(rev.call_with_v128(&mut store, &[Value::V128(x)]), TypeError);
    assert_err!(
        rev.call_with_v128(&mut store, &[Value::I32(1), Value::I32(7)]),
        TypeError
    );
    // Functions without v128: as `call`.
    let div = inst(&mut store, DIV).get_func(&store, "div").unwrap();
    assert_eq!(
        div.call_with_v128(&mut store, &[Value::I32(7), Value::I32(2)])
            .unwrap(),
        vec![Value::I32(3)]
    );
}

/// Row: a trap during the call → RuntimeError with the trap's message.
#[test]
fn func_call_trap_is_a_runtime_error() {
    let mut store = Store::new(());
    let div = inst(&mut store, DIV).get_func(&store, "div").unwrap();
    let e = assert_err!(
        div.call(&mut store, &[Value::I32(1), Value::I32(0)]),
        RuntimeError
    );
    assert_eq!(e.message(), "integer divide by zero");
    let e = assert_err!(
        div.call(&mut store, &[Value::I32(i32::MIN), Value::I32(-1)]),
        RuntimeError
    );
    assert_eq!(e.message(), "integer overflow");
    // The store is usable after a trap.
    assert_eq!(
        div.call(&mut store, &[Value::I32(6), Value::I32(3)])
            .unwrap(),
        vec![Value::I32(2)]
    );
}

/// Row: results → a list of values, in order.
#[test]
fn func_call_results_are_a_list_in_order() {
    let mut store = Store::new(());
    let instance = inst(&mut store, DIV);
    let swap = instance.get_func(&store, "swap").unwrap();
    assert_eq!(
        swap.call(&mut store, &[Value::I64(3), Value::F64(0.5)])
            .unwrap(),
        vec![Value::F64(0.5), Value::I64(3)]
    );
    let div = instance.get_func(&store, "div").unwrap();
    assert_eq!(
        div.call(&mut store, &[Value::I32(7), Value::I32(2)])
            .unwrap(),
        vec![Value::I32(3)]
    );
    let ty = swap.ty(&store).unwrap();
    assert_eq!(&*ty.params, [ValType::I64, ValType::F64]);
    let pair = Func::wrap(&mut store, |a: i32, b: i64| (b, a));
    assert_eq!(
        pair.call(&mut store, &[Value::I32(1), Value::I64(2)])
            .unwrap(),
        vec![Value::I64(2), Value::I32(1)]
    );
}

/// Typed calls: the signature is checked once (another one is a TypeError), then the call
/// takes and gives Rust values.
#[test]
fn func_typed_calls() {
    let mut store = Store::new(());
    let instance = inst(&mut store, DIV);
    let div = instance
        .get_typed_func::<(i32, i32), i32>(&store, "div")
        .unwrap();
    assert_eq!(div.call(&mut store, (7, 2)).unwrap(), 3);
    let e = assert_err!(div.call(&mut store, (1, 0)), RuntimeError);
    assert_eq!(e.message(), "integer divide by zero");
    let swap = instance
        .get_typed_func::<(i64, f64), (f64, i64)>(&store, "swap")
        .unwrap();
    assert_eq!(swap.call(&mut store, (3, 0.5)).unwrap(), (0.5, 3));
    assert_err!(
        instance.get_typed_func::<(i32, i32), i64>(&store, "div"),
        TypeError
    );
    assert_err!(
        instance.get_typed_func::<(i32, i32), i32>(&store, "nope"),
        TypeError
    );
    let f = instance.get_func(&store, "div").unwrap();
    assert_err!(f.typed::<i32, i32>(&store), TypeError);
    assert_eq!(div.func(), f);
}

/// Row: a host function returning the wrong types of results → TypeError, when called
/// directly and through wasm. (The number of results cannot be wrong any more: the host
/// function writes into a slice as long as its type's results.)
#[test]
fn func_host_returning_wrong_results_is_a_type_error() {
    let mut store = Store::new(());
    let ty = FuncType {
        params: [].into(),
        results: [ValType::I32].into(),
    };
    let v128 = Func::new(&mut store, ty.clone(), |_, _, results| {
        results[0] = Value::V128(1);
        Ok(())
    });
    let wrong = Func::new(&mut store, ty.clone(), |_, _, results| {
        results[0] = Value::I64(1);
        Ok(())
    });
    let right = Func::new(&mut store, ty, |_, _, results| {
        assert_eq!(results, [Value::I32(0)], "the results start as defaults");
        results[0] = Value::I32(1);
        Ok(())
    });
    assert_err!(v128.call(&mut store, &[]), TypeError);
    assert_err!(wrong.call(&mut store, &[]), TypeError);
    assert_eq!(right.call(&mut store, &[]).unwrap(), vec![Value::I32(1)]);
    let module = m(r#"(module (import "h" "f" (func $f (result i32)))
        (func (export "g") (result i32) (i32.add (call $f) (i32.const 1))))"#);
    for (f, ok) in [(v128, false), (wrong, false), (right, true)] {
        let mut imports = Imports::new();
        imports.define("h", "f", f);
        let g = Instance::new(&mut store, &module, &imports)
            .unwrap()
            .get_func(&store, "g")
            .unwrap();
        let r = g.call(&mut store, &[]);
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

/// A host function's own error passes through wasm unchanged, from a typed host function
/// and from an untyped one.
#[test]
fn func_host_error_passes_through_wasm() {
    let mut store = Store::new(());
    let module = m(r#"(module (import "h" "f" (func $f))
        (func (export "g") call $f))"#);
    let typed = Func::wrap(&mut store, || -> Result<(), Oops> { Err(Oops) });
    let untyped = Func::new(
        &mut store,
        FuncType {
            params: [].into(),
            results: [].into(),
        },
        |_, _, _| Err(HostError::new(Oops)),
    );
    for f in [typed, untyped] {
        let mut imports = Imports::new();
        imports.define("h", "f", f);
        let g = Instance::new(&mut store, &module, &imports)
            .unwrap()
            .get_func(&store, "g")
            .unwrap();
        let e = assert_err!(g.call(&mut store, &[]), Host);
        assert_eq!(e.downcast_ref::<Oops>(), Some(&Oops));
    }
}

const COUNTER: &str = r#"(module (global $n (mut i32) (i32.const 0))
    (func (export "inc") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))"#;

/// Thread safety: handles are Send + Sync and a store is Send, so a store behind a lock is
/// shared by threads whose calls are serialised by that lock; stores on different threads
/// run side by side.
#[test]
fn func_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Func>();
    send_sync::<Instance>();
    send_sync::<Memory>();
    send_sync::<Table>();
    send_sync::<Global>();
    send_sync::<Tag>();
    send_sync::<ExternRef>();
    send_sync::<Extern>();
    send_sync::<Module>();
    send_sync::<Exception>();
    send_sync::<TypedFunc<(i32, i32), i32>>();
    send::<Store>();
    send::<Store<Vec<String>>>();

    let mut store = Store::new(());
    let instance = inst(&mut store, COUNTER);
    let inc = instance.get_func(&store, "inc").unwrap();
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                for _ in 0..250 {
                    inc.call(&mut *store.lock().unwrap(), &[]).unwrap();
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let mut store = store.lock().unwrap();
    assert_eq!(inc.call(&mut *store, &[]).unwrap(), vec![Value::I32(1001)]);

    // One store per thread, the module shared: each counts on its own.
    let module = m(COUNTER);
    let threads: Vec<_> = (0..4)
        .map(|k| {
            let module = module.clone();
            std::thread::spawn(move || {
                let mut store = Store::new(());
                let i = Instance::new(&mut store, &module, &Imports::new()).unwrap();
                let inc = i.get_typed_func::<(), i32>(&store, "inc").unwrap();
                let mut last = 0;
                for _ in 0..(100 * (k + 1)) {
                    last = inc.call(&mut store, ()).unwrap();
                }
                last
            })
        })
        .collect();
    let counts: Vec<i32> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(counts, [100, 200, 300, 400]);
}

/// Re-entrancy: a host function calls into the store through its `Caller` (this replaces
/// the old rule that a host function could not use the store at all), sees and changes
/// the same state as wasm, and a nested call's error, returned with `?`, comes back to
/// the outer caller as that same error (not wrapped in `Error::Host`).
#[test]
fn func_host_reentrancy() {
    let mut store = Store::new(0i32);
    let module = m(r#"(module
        (import "h" "twice" (func $twice (result i32)))
        (import "h" "fail" (func $fail (result i32)))
        (global $n (mut i32) (i32.const 0))
        (func (export "inc") (result i32)
          (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n))
        (func (export "div0") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
        (func (export "twice") (result i32) call $twice)
        (func (export "fail") (result i32) call $fail))"#);
    let twice = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, i32>| -> Result<i32, Error> {
            let inc = caller
                .get_export("inc")
                .and_then(Extern::into_func)
                .unwrap()
                .typed::<(), i32>(&caller)?;
            inc.call(&mut caller, ())?;
            let n = inc.call(&mut caller, ())?;
            *caller.data_mut() += n;
            Ok(n)
        },
    );
    let fail = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, i32>| -> Result<i32, Error> {
            let div0 = caller
                .get_export("div0")
                .and_then(Extern::into_func)
                .unwrap();
            div0.call(&mut caller, &[])?;
            Ok(0)
        },
    );
    let mut imports = Imports::new();
    imports
        .define("h", "twice", twice)
        .define("h", "fail", fail);
    let instance = Instance::new(&mut store, &module, &imports).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "twice").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 2);
    assert_eq!(run.call(&mut store, ()).unwrap(), 4);
    assert_eq!(*store.data(), 6);
    let inc = instance.get_typed_func::<(), i32>(&store, "inc").unwrap();
    assert_eq!(inc.call(&mut store, ()).unwrap(), 5);
    // The nested trap comes back as the RuntimeError it was.
    let fail = instance.get_func(&store, "fail").unwrap();
    let e = assert_err!(fail.call(&mut store, &[]), RuntimeError);
    assert_eq!(e.message(), "integer divide by zero");
    // An untyped host function passes a nested call's error on with `?` too.
    let ty = FuncType {
        params: [].into(),
        results: [].into(),
    };
    let nested = Func::new(&mut store, ty, move |mut caller, _, _| {
        fail.call(&mut caller, &[])?;
        Ok(())
    });
    let e = assert_err!(nested.call(&mut store, &[]), RuntimeError);
    assert_eq!(e.message(), "integer divide by zero");
    // And the store is still usable.
    assert_eq!(inc.call(&mut store, ()).unwrap(), 6);
}

/// Re-entrancy without end: a host function that calls wasm that calls the host function
/// again, unboundedly, ends in "call stack exhausted", not in a native stack overflow; the
/// store is usable afterwards.
#[test]
fn func_host_reentrancy_is_bounded() {
    let mut store = Store::new(0u32);
    let module = m(r#"(module
        (import "h" "down" (func $down))
        (func (export "down") call $down))"#);
    let down = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, u32>| -> Result<(), Error> {
            *caller.data_mut() += 1;
            let f = caller
                .get_export("down")
                .and_then(Extern::into_func)
                .unwrap();
            f.call(&mut caller, &[])?;
            Ok(())
        },
    );
    let mut imports = Imports::new();
    imports.define("h", "down", down);
    let instance = Instance::new(&mut store, &module, &imports).unwrap();
    let f = instance.get_func(&store, "down").unwrap();
    // On a thread with the default stack of spawned threads (2 MiB).
    let (r, depth) = std::thread::spawn(move || {
        let r = f.call(&mut store, &[]);
        (r, *store.data())
    })
    .join()
    .unwrap();
    let e = assert_err!(r, RuntimeError);
    assert!(e.message().contains("call stack exhausted"), "{e}");
    assert!(depth > 100, "only {depth} nested calls");
    eprintln!("{depth} nested host calls before the limit");
}

// ---- Tags and exceptions --------------------------------------------------------------

fn tag(store: &mut Store, parameters: Vec<ValType>) -> Tag {
    Tag::new(store, TagDescriptor { parameters })
}

/// Row `Exception::new(tag, payload)` with a payload of the wrong arity or types →
/// TypeError.
#[test]
fn exception_new_with_a_wrong_payload_is_a_type_error() {
    let mut store = Store::new(());
    let t = tag(&mut store, vec![ValType::I32, ValType::F64]);
    assert_err!(Exception::new(&store, t, &[Value::I32(1)]), TypeError);
    assert_err!(
        Exception::new(&store, t, &[Value::I32(1), Value::I32(2)]),
        TypeError
    );
    Exception::new(&store, t, &[Value::I32(1), Value::F64(2.0)]).unwrap();
    let v = tag(&mut store, vec![ValType::V128]);
    assert_err!(Exception::new(&store, v, &[Value::V128(0)]), TypeError);
}

/// Rows `exception.get_arg(tag, i)`: wrong tag → TypeError, index out of range →
/// RangeError; `exception.is(tag)`.
#[test]
fn exception_get_arg_and_is() {
    let mut store = Store::new(());
    let t = tag(&mut store, vec![ValType::I32]);
    let same_type = tag(&mut store, vec![ValType::I32]);
    assert_ne!(t, same_type);
    let e = Exception::new(&store, t, &[Value::I32(5)]).unwrap();
    assert!(e.is(t));
    assert!(!e.is(same_type));
    assert_eq!(e.tag(), t);
    assert_eq!(e.payload(), [Value::I32(5)]);
    assert_eq!(e.get_arg(t, 0).unwrap(), Value::I32(5));
    assert_err!(e.get_arg(same_type, 0), TypeError);
    assert_err!(e.get_arg(t, 1), RangeError);
}

// The rows about exceptions crossing wasm, and tags as imports: tests/exceptions.rs.

// ---- Implementation limits (runtime) --------------------------------------------------

/// Row (Implementation limits): growing past the runtime limits (table 10,000,000
/// elements, memory 65,536 pages for i32 and 262,144 for i64) fails like any other failed
/// grow: a RangeError from the façade, -1 in wasm.
#[test]
fn limits_growing_past_the_runtime_limits_fails() {
    let mut store = Store::new(());
    let t = Table::new(&mut store, table_desc(RefType::FUNCREF, 0, None), None).unwrap();
    assert_err!(t.grow(&mut store, 10_000_001, None), RangeError);
    assert_eq!(t.length(&store).unwrap(), 0);
    let m32 = mem(&mut store, 0, None).unwrap();
    assert_err!(m32.grow(&mut store, 65_537), RangeError);
    let m64 = Memory::new(
        &mut store,
        MemoryDescriptor {
            initial: 0,
            maximum: None,
            address: AddressType::I64,
            shared: false,
        },
    )
    .unwrap();
    assert_err!(m64.grow(&mut store, 262_145), RangeError);
    let grow = inst(
        &mut store,
        r#"(module (memory 0)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .get_func(&store, "grow")
    .unwrap();
    assert_eq!(
        grow.call(&mut store, &[Value::I32(65_537)]).unwrap(),
        vec![Value::I32(-1)]
    );
}
