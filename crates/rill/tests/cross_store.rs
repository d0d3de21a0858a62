//! Stores: every handle (Func, Memory, Table, Global, Tag, Instance, ExternRef, and the
//! references inside values) belongs to the store that made it. Used with another store it
//! is an `Error::TypeError` ("... belongs to another store ..."), never a panic and never
//! the other store's entity of the same index; that store is left as it was.

#[macro_use]
mod common;

use common::*;
use rill::*;

/// A module whose entities all have index 0 in a fresh store, so the same module in two
/// fresh stores gives handles with equal indices: a mix-up would show.
const ENTITIES: &str = r#"(module
    (memory (export "mem") 1 4)
    (table (export "t") 2 funcref)
    (global (export "g") (mut i32) (i32.const 10))
    (global (export "v") (mut v128) (v128.const i64x2 0 0))
    (tag (export "e") (param i32))
    (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func (export "take") (param funcref externref) (result i32) (i32.const 1))
    (data (i32.const 0) "store"))"#;

fn module() -> Module {
    Module::new(wat(ENTITIES)).unwrap()
}

/// Two stores with the same module instantiated in each: `(store a, its instance, store
/// b, its instance)`.
fn two() -> (Store, Instance, Store, Instance) {
    let module = module();
    let mut a = Store::new(());
    let mut b = Store::new(());
    let ia = Instance::new(&mut a, &module, &Imports::new()).unwrap();
    let ib = Instance::new(&mut b, &module, &Imports::new()).unwrap();
    (a, ia, b, ib)
}

fn foreign<T: std::fmt::Debug>(r: Result<T, Error>) {
    let e = assert_err!(r, TypeError);
    assert!(e.message().contains("another store"), "{e}");
}

#[test]
fn the_same_entity_index_in_two_stores_is_two_handles() {
    let (a, ia, b, ib) = two();
    assert_ne!(ia, ib);
    for name in ["mem", "t", "g", "e", "f"] {
        let (x, y) = (ia.get_export(&a, name), ib.get_export(&b, name));
        assert!(x.is_some() && y.is_some(), "{name}");
        assert_ne!(x, y, "{name}");
    }
}

#[test]
fn func_with_another_store() {
    let (mut a, ia, mut b, ib) = two();
    let f = ia.get_func(&a, "f").unwrap();
    foreign(f.call(&mut b, &[Value::I32(1)]));
    foreign(f.call_with_v128(&mut b, &[Value::I32(1)]));
    foreign(f.ty(&b));
    foreign(f.typed::<i32, i32>(&b));
    let typed = f.typed::<i32, i32>(&a).unwrap();
    foreign(typed.call(&mut b, 1));
    assert_eq!(typed.call(&mut a, 1).unwrap(), 2);
    assert_eq!(f.call(&mut a, &[Value::I32(1)]).unwrap(), [Value::I32(2)]);
    // Also a typed function got from the instance in its own store.
    let typed = ib.get_typed_func::<i32, i32>(&b, "f").unwrap();
    foreign(typed.call(&mut a, 1));

    // A host function of A, called with B, does not run (neither does B's function of the
    // same index), whether B is a store or a host function's caller in B.
    let mut a = Store::new(0u32);
    let mut b = Store::new(0u32);
    let count = |mut caller: Caller<'_, u32>| *caller.data_mut() += 1;
    let fa = Func::wrap(&mut a, count);
    let fb = Func::wrap(&mut b, count);
    foreign(fa.call(&mut b, &[]));
    assert_eq!((*a.data(), *b.data()), (0, 0));
    let calls_fa = Func::wrap(&mut b, move |mut caller: Caller<'_, u32>| {
        fa.call(&mut caller, &[]).map(|_| ())
    });
    foreign(calls_fa.call(&mut b, &[]));
    assert_eq!((*a.data(), *b.data()), (0, 0));
    fa.call(&mut a, &[]).unwrap();
    fb.call(&mut b, &[]).unwrap();
    assert_eq!((*a.data(), *b.data()), (1, 1));
}

#[test]
fn memory_with_another_store() {
    let (mut a, ia, mut b, ib) = two();
    let ma = ia.get_memory(&a, "mem").unwrap();
    let mb = ib.get_memory(&b, "mem").unwrap();
    foreign(ma.ty(&b));
    foreign(ma.size(&b));
    foreign(ma.grow(&mut b, 1));
    foreign(ma.read(&b, 0, &mut [0; 5]));
    foreign(ma.write(&mut b, 0, b"xxxxx"));
    foreign(ma.data(&b));
    foreign(ma.data_mut(&mut b));
    foreign(ma.buffer(&b));
    // B's memory of the same index is as it was: not grown, not written.
    assert_eq!(mb.size(&b).unwrap(), 1);
    assert_eq!(&mb.data(&b).unwrap()[..5], b"store");
    // A buffer (view) of A's memory, used with B: detached-like, and refused.
    let view = ma.buffer(&a).unwrap();
    assert!(view.is_detached(&b));
    assert_eq!(view.len(&b), 0);
    assert!(view.is_empty(&b));
    foreign(view.read(&mut b, 0, &mut [0; 5]));
    foreign(view.write(&mut b, 0, b"xxxxx"));
    assert_eq!(&mb.data(&b).unwrap()[..5], b"store");
    // With A, all of it works.
    assert!(!view.is_detached(&a));
    view.write(&mut a, 0, b"STORE").unwrap();
    assert_eq!(&ma.data(&a).unwrap()[..5], b"STORE");
    assert_eq!(ma.grow(&mut a, 1).unwrap(), 1);
    // A memory the host made, too.
    let host = Memory::new(
        &mut a,
        MemoryDescriptor {
            initial: 1,
            ..Default::default()
        },
    )
    .unwrap();
    foreign(host.size(&b));
    foreign(host.write(&mut b, 0, b"x"));
}

#[test]
fn table_with_another_store() {
    let (mut a, ia, mut b, ib) = two();
    let ta = ia.get_table(&a, "t").unwrap();
    let tb = ib.get_table(&b, "t").unwrap();
    foreign(ta.ty(&b));
    foreign(ta.length(&b));
    foreign(ta.get(&b, 0));
    foreign(ta.set(&mut b, 0, Value::FuncRef(None)));
    foreign(ta.grow(&mut b, 1, None));
    assert_eq!(tb.length(&b).unwrap(), 2);
    // An element of the other store's kind: A's function into B's table.
    let fa = ia.get_func(&a, "f").unwrap();
    let fb = ib.get_func(&b, "f").unwrap();
    foreign(tb.set(&mut b, 0, Value::FuncRef(Some(fa))));
    foreign(tb.grow(&mut b, 1, Some(Value::FuncRef(Some(fa)))));
    assert_eq!(tb.get(&b, 0).unwrap(), Value::FuncRef(None));
    assert_eq!(tb.length(&b).unwrap(), 2);
    foreign(Table::new(
        &mut b,
        TableDescriptor {
            element: RefType::FUNCREF,
            initial: 1,
            maximum: None,
            address: AddressType::I32,
        },
        Some(Value::FuncRef(Some(fa))),
    ));
    let ea = ExternRef::new(&mut a, 7u8);
    foreign(Table::new(
        &mut b,
        TableDescriptor {
            element: RefType::EXTERNREF,
            initial: 1,
            maximum: None,
            address: AddressType::I32,
        },
        Some(Value::ExternRef(Some(ea))),
    ));
    // In its own store.
    tb.set(&mut b, 0, Value::FuncRef(Some(fb))).unwrap();
    assert_eq!(tb.get(&b, 0).unwrap(), Value::FuncRef(Some(fb)));
    ta.set(&mut a, 0, Value::FuncRef(Some(fa))).unwrap();
    assert_eq!(ta.get(&a, 0).unwrap(), Value::FuncRef(Some(fa)));
}

#[test]
fn global_with_another_store() {
    let (mut a, ia, mut b, ib) = two();
    let ga = ia.get_global(&a, "g").unwrap();
    let gb = ib.get_global(&b, "g").unwrap();
    foreign(ga.ty(&b));
    foreign(ga.get(&b));
    foreign(ga.get_with_v128(&b));
    foreign(ga.set(&mut b, Value::I32(99)));
    foreign(ga.set_with_v128(&mut b, Value::I32(99)));
    let va = ia.get_global(&a, "v").unwrap();
    foreign(va.set_with_v128(&mut b, Value::V128(5)));
    assert_eq!(gb.get(&b).unwrap(), Value::I32(10));
    assert_eq!(
        ib.get_global(&b, "v").unwrap().get_with_v128(&b).unwrap(),
        Value::V128(0)
    );
    ga.set(&mut a, Value::I32(11)).unwrap();
    assert_eq!(ga.get(&a).unwrap(), Value::I32(11));
    assert_eq!(gb.get(&b).unwrap(), Value::I32(10));
    // A reference of another store as a global's value.
    let fa = ia.get_func(&a, "f").unwrap();
    let desc = GlobalDescriptor {
        value: FUNCREF,
        mutable: true,
    };
    foreign(Global::new(&mut b, desc, Some(Value::FuncRef(Some(fa)))));
    let g = Global::new(&mut b, desc, None).unwrap();
    foreign(g.set(&mut b, Value::FuncRef(Some(fa))));
    assert_eq!(g.get(&b).unwrap(), Value::FuncRef(None));
}

#[test]
fn tag_and_exception_with_another_store() {
    let (mut a, ia, b, _) = two();
    let ea = ia.get_export(&a, "e").unwrap().into_tag().unwrap();
    foreign(ea.parameters(&b));
    foreign(Exception::new(&b, ea, &[Value::I32(1)]));
    let host = Tag::new(&mut a, TagDescriptor { parameters: vec![] });
    foreign(host.parameters(&b));
    foreign(Exception::new(&b, host, &[]));
    assert_eq!(ea.parameters(&a).unwrap(), [ValType::I32]);
    Exception::new(&a, ea, &[Value::I32(1)]).unwrap();
}

/// An exception's payload holding a reference of another store than the tag's (and the
/// store `Exception::new` is given) → TypeError, as everywhere else a value crosses into a
/// store. Thrown by a host function, such an exception would otherwise be caught by no
/// wasm handler (not even `catch_all`) and come back as `Error::Host`.
#[test]
fn exception_payload_of_another_store_is_a_type_error() {
    let mut a = Store::new(());
    let mut b = Store::new(());
    let refs = Tag::new(
        &mut a,
        TagDescriptor {
            parameters: vec![FUNCREF, EXTERNREF],
        },
    );
    let fa = Func::wrap(&mut a, || {});
    let fb = Func::wrap(&mut b, || {});
    let rb = ExternRef::new(&mut b, ());
    Exception::new(
        &a,
        refs,
        &[Value::FuncRef(Some(fa)), Value::ExternRef(None)],
    )
    .unwrap();
    foreign(Exception::new(
        &a,
        refs,
        &[Value::FuncRef(Some(fb)), Value::ExternRef(None)],
    ));
    foreign(Exception::new(
        &a,
        refs,
        &[Value::FuncRef(None), Value::ExternRef(Some(rb))],
    ));
}

#[test]
fn instance_with_another_store() {
    let (a, ia, b, _) = two();
    foreign(ia.exports(&b));
    assert!(ia.get_export(&b, "f").is_none());
    assert!(ia.get_func(&b, "f").is_none());
    assert!(ia.get_memory(&b, "mem").is_none());
    assert!(ia.get_table(&b, "t").is_none());
    assert!(ia.get_global(&b, "g").is_none());
    assert_err!(ia.get_typed_func::<i32, i32>(&b, "f"), TypeError);
    let mut imports = Imports::new();
    foreign(imports.define_instance(&b, "a", &ia).map(|_| ()));
    assert!(imports.get("a", "f").is_none());
    assert_eq!(ia.exports(&a).unwrap().len(), 7);
    imports.define_instance(&a, "a", &ia).unwrap();
    assert!(imports.get("a", "f").is_some());
}

#[test]
fn externref_with_another_store() {
    let mut a = Store::new(());
    let mut b = Store::new(());
    let ra = ExternRef::new(&mut a, String::from("in a"));
    let rb = ExternRef::new(&mut b, String::from("in b"));
    assert_ne!(ra, rb);
    foreign(ra.data(&b).map(|_| ()));
    assert_eq!(
        ra.data(&a).unwrap().downcast_ref::<String>().unwrap(),
        "in a"
    );
    assert_eq!(
        rb.data(&b).unwrap().downcast_ref::<String>().unwrap(),
        "in b"
    );
}

/// References inside values: arguments, typed arguments, and a host function's results.
#[test]
fn references_of_another_store_in_calls() {
    let (mut a, ia, mut b, ib) = two();
    let fa = ia.get_func(&a, "f").unwrap();
    let ra = ExternRef::new(&mut a, ());
    let take = ib.get_func(&b, "take").unwrap();
    foreign(take.call(&mut b, &[Value::FuncRef(Some(fa)), Value::ExternRef(None)]));
    foreign(take.call(&mut b, &[Value::FuncRef(None), Value::ExternRef(Some(ra))]));
    assert_eq!(
        take.call(&mut b, &[Value::FuncRef(None), Value::ExternRef(None)])
            .unwrap(),
        [Value::I32(1)]
    );
    let typed = take
        .typed::<(Option<Func>, Option<ExternRef>), i32>(&b)
        .unwrap();
    foreign(typed.call(&mut b, (Some(fa), None)));
    foreign(typed.call(&mut b, (None, Some(ra))));
    let fb = ib.get_func(&b, "f").unwrap();
    assert_eq!(typed.call(&mut b, (Some(fb), None)).unwrap(), 1);

    // A host function of B giving back A's function: typed and untyped, called directly
    // and from wasm.
    let gives_fa = Func::wrap(&mut b, move || Some(fa));
    foreign(gives_fa.call(&mut b, &[]));
    let ty = FuncType {
        params: [].into(),
        results: [FUNCREF].into(),
    };
    let gives_fa_untyped = Func::new(&mut b, ty, move |_, _, results| {
        results[0] = Value::FuncRef(Some(fa));
        Ok(())
    });
    foreign(gives_fa_untyped.call(&mut b, &[]));
    let module = Module::new(wat(r#"(module (import "h" "f" (func $f (result funcref)))
        (func (export "g") (result i32) (ref.is_null (call $f))))"#))
    .unwrap();
    for f in [gives_fa, gives_fa_untyped] {
        let mut imports = Imports::new();
        imports.define("h", "f", f);
        let i = Instance::new(&mut b, &module, &imports).unwrap();
        foreign(i.get_func(&b, "g").unwrap().call(&mut b, &[]));
    }
}

/// Inside a host function, the caller is its store: a handle of another store is refused
/// there too, and the error comes back to the outer caller as the TypeError it was.
#[test]
fn handles_of_another_store_inside_a_host_function() {
    let (a, ia, mut b, ib) = two();
    let ma = ia.get_memory(&a, "mem").unwrap();
    let ga = ia.get_global(&a, "g").unwrap();
    let reads = Func::wrap(
        &mut b,
        move |caller: Caller<'_, ()>| -> Result<i32, Error> { Ok(i32::from(ma.data(&caller)?[0])) },
    );
    let sets = Func::wrap(
        &mut b,
        move |mut caller: Caller<'_, ()>| -> Result<(), Error> {
            ga.set(&mut caller, Value::I32(0))
        },
    );
    foreign(reads.call(&mut b, &[]));
    foreign(sets.call(&mut b, &[]));
    assert_eq!(ga.get(&a).unwrap(), Value::I32(10));
    assert_eq!(
        ib.get_global(&b, "g").unwrap().get(&b).unwrap(),
        Value::I32(10)
    );
}

/// Importing another store's entities into `Instance::new`: a TypeError (not a LinkError,
/// not the other store's entity of the same index), and nothing is instantiated.
#[test]
fn importing_another_stores_func() {
    let (mut a, ia, mut b, _) = two();
    let module = Module::new(wat(
        r#"(module (import "m" "f" (func $f (param i32) (result i32)))
        (func (export "g") (result i32) (call $f (i32.const 1))))"#,
    ))
    .unwrap();
    let fa = ia.get_func(&a, "f").unwrap();
    let host_a = Func::wrap(&mut a, |x: i32| x * 10);
    for f in [fa, host_a] {
        let mut imports = Imports::new();
        imports.define("m", "f", f);
        foreign(Instance::new(&mut b, &module, &imports));
        foreign(futures::executor::block_on(instantiate_module(
            &mut b, &module, &imports,
        )));
        let i = Instance::new(&mut a, &module, &imports).unwrap();
        let want = if f == fa { 2 } else { 10 };
        assert_eq!(
            i.get_func(&a, "g").unwrap().call(&mut a, &[]).unwrap(),
            [Value::I32(want)]
        );
    }
}

/// A store's identity is never reused: handles of a dropped store are foreign to every
/// store made later, even one built the same way.
#[test]
fn handles_outlive_their_store_as_foreign_handles() {
    let module = module();
    let (f, g) = {
        let mut gone = Store::new(());
        let i = Instance::new(&mut gone, &module, &Imports::new()).unwrap();
        (
            i.get_func(&gone, "f").unwrap(),
            i.get_global(&gone, "g").unwrap(),
        )
    };
    let mut fresh = Store::new(());
    Instance::new(&mut fresh, &module, &Imports::new()).unwrap();
    foreign(f.call(&mut fresh, &[Value::I32(1)]));
    foreign(g.get(&fresh));
}

/// A store's data: set at `Store::new`, read and written from the host and from host
/// functions, given back by `into_data`.
#[test]
fn store_data() {
    let mut store = Store::new(vec![1]);
    store.data_mut().push(2);
    let push = Func::wrap(&mut store, |mut caller: Caller<'_, Vec<i32>>, x: i32| {
        caller.data_mut().push(x);
        caller.data().len() as i32
    });
    assert_eq!(
        push.call(&mut store, &[Value::I32(3)]).unwrap(),
        [Value::I32(3)]
    );
    assert_eq!(store.data(), &[1, 2, 3]);
    assert_eq!(store.into_data(), [1, 2, 3]);
    let d: Store<u8> = Store::default();
    assert_eq!(*d.data(), 0);
}
