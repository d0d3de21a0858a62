//! Resource limits: grows refused (-1 from wasm, `None` from the store's API), creation and
//! instantiation refused before anything is allocated, the counts, a custom limiter that
//! records what it is asked, and the limits inside start functions and in wasm called
//! back from a host function.

use std::sync::{Arc, Mutex};

use rill_decoder::{FuncType, Limits as DeclLimits, MemoryType, RefType, TableType, ValType};

use crate::tests_host::{func, module};
use crate::{
    Extern, Func, Instance, InstantiationError, ResourceLimiter, Store, StoreLimits,
    StoreLimitsBuilder, TableNewError, Trap, Value,
};

const PAGE: u64 = 65_536;
const MIB: u64 = 1 << 20;

fn memory<T>(store: &Store<T>, inst: Instance, name: &str) -> u32 {
    match store.export(inst, name) {
        Some(Extern::Memory(m)) => m,
        other => panic!("export {name}: {other:?}"),
    }
}

fn call_i32<T>(store: &mut Store<T>, f: Func, args: &[Value]) -> i32 {
    match store.invoke(f, args).unwrap()[..] {
        [Value::I32(v)] => v,
        ref other => panic!("results {other:?}"),
    }
}

fn limited(limits: StoreLimits) -> Store {
    let mut store = Store::new();
    store.set_limiter(limits);
    store
}

fn resource(e: InstantiationError) -> String {
    match e {
        InstantiationError::Resource(msg) => msg,
        other => panic!("expected a resource error, got {other:?}"),
    }
}

const GROWER: &str = r#"(module
  (memory (export "memory") 1)
  (table (export "table") 1 funcref)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "table_grow") (param i32) (result i32)
    (table.grow (ref.null func) (local.get 0)))
  (func (export "table_size") (result i32) (table.size)))"#;

#[test]
fn wasm_memory_grow_over_the_limit_gives_minus_one() {
    let mut store = limited(StoreLimitsBuilder::new().memory_size(4 * PAGE).build());
    let inst = store.instantiate(&module(GROWER), &[]).unwrap();
    let (grow, size) = (func(&store, inst, "grow"), func(&store, inst, "size"));
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(2)]), 1);
    // 3 + 2 pages > 4: refused, nothing changes.
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(2)]), -1);
    assert_eq!(call_i32(&mut store, size, &[]), 3);
    // Up to the limit exactly is fine; a grow by 0 at the limit too.
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(1)]), 3);
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(0)]), 4);
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(1)]), -1);
    let m = memory(&store, inst, "memory");
    assert_eq!(store.memory(m).data().len() as u64, 4 * PAGE);
}

#[test]
fn store_memory_grow_obeys_the_limit_and_the_raw_grow_does_not() {
    let mut store = limited(StoreLimitsBuilder::new().total_memory(2 * PAGE).build());
    let m = store.memory_new(mem_type(1, None)).unwrap();
    assert_eq!(store.memory_grow(m, 1), Some(1));
    assert_eq!(store.memory_grow(m, 1), None);
    assert_eq!(store.memory(m).pages(), 2);
    // `MemoryInst::grow` is the raw operation, documented to ask no limiter.
    assert_eq!(store.memory_mut(m).grow(1), Some(2));
}

#[test]
fn total_memory_counts_every_memory_of_the_store() {
    let mut store = limited(StoreLimitsBuilder::new().total_memory(3 * PAGE).build());
    let a = store.memory_new(mem_type(1, None)).unwrap();
    let inst = store.instantiate(&module(GROWER), &[]).unwrap();
    let grow = func(&store, inst, "grow");
    // 1 (a) + 1 (the instance's) + 1 = 3 pages.
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(1)]), 1);
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(1)]), -1);
    assert_eq!(store.memory_grow(a, 1), None);
    let e = store.memory_new(mem_type(1, None)).unwrap_err();
    assert!(
        e.contains("over the limit of 196608 bytes for all memories"),
        "{e}"
    );
    // A memory of 0 pages still fits.
    store.memory_new(mem_type(0, None)).unwrap();
    let Some(limits) = store.take_limiter() else {
        panic!("no limiter")
    };
    drop(limits);
    // Without a limiter, only the memory's own maximum counts.
    assert_eq!(store.memory_grow(a, 1), Some(1));
}

fn mem_type(min: u64, max: Option<u64>) -> MemoryType {
    MemoryType {
        limits: DeclLimits { min, max },
        memory64: false,
        shared: false,
        page_size_log2: None,
    }
}

fn table_type(min: u64) -> TableType {
    TableType {
        element: RefType::FUNCREF,
        limits: DeclLimits { min, max: None },
        table64: false,
        shared: false,
    }
}

#[test]
fn a_4_gib_memory_over_a_1_mib_limit_fails_before_anything_is_made() {
    let mut store = limited(StoreLimitsBuilder::new().memory_size(MIB).build());
    let funcs = store.func_count();
    let big = module(r#"(module (memory 65536) (func (export "f")) (global i32 (i32.const 1)))"#);
    let started = std::time::Instant::now();
    let e = resource(store.instantiate(&big, &[]).unwrap_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    assert_eq!(
        e,
        "memory 0: 4294967296 bytes: over the limit of 1048576 bytes for one memory"
    );
    // Nothing of the instance was added: no function, and the next memory and instance
    // get the first addresses.
    assert_eq!(store.func_count(), funcs);
    let small = store
        .instantiate(
            &module(r#"(module (memory (export "m") 16) (table (export "t") 1 funcref))"#),
            &[],
        )
        .unwrap();
    assert_eq!(small, Instance(0));
    assert_eq!(store.export(small, "m"), Some(Extern::Memory(0)));
    assert_eq!(store.export(small, "t"), Some(Extern::Table(0)));
    // The same for a memory the embedder creates.
    let e = store.memory_new(mem_type(65_536, None)).unwrap_err();
    assert!(
        e.contains("over the limit of 1048576 bytes for one memory"),
        "{e}"
    );
    assert_eq!(store.memory_new(mem_type(1, None)), Ok(1));
}

#[test]
fn the_failing_memory_is_named_by_its_index_and_earlier_ones_are_handed_back() {
    let mut store = limited(StoreLimitsBuilder::new().total_memory(3 * PAGE).build());
    let two = module(r#"(module (import "env" "m" (memory 1)) (memory 2) (memory 2))"#);
    let imported = store.memory_new(mem_type(1, None)).unwrap();
    let e = resource(
        store
            .instantiate(&two, &[Extern::Memory(imported)])
            .unwrap_err(),
    );
    // Index space: the import is memory 0; memory 1 fits (1 + 2 pages), memory 2 does not.
    assert!(
        e.starts_with("memory 2: 131072 bytes: over the limit"),
        "{e}"
    );
    // Memory 1 was handed back: 2 more pages still fit.
    store.memory_new(mem_type(2, None)).unwrap();
}

#[test]
fn count_limits() {
    let mut store = limited(
        StoreLimitsBuilder::new()
            .instances(1)
            .memories(2)
            .tables(1)
            .build(),
    );
    let one = module(r#"(module (memory 1) (table 1 funcref))"#);
    store.instantiate(&one, &[]).unwrap();
    assert_eq!(
        resource(store.instantiate(&module("(module)"), &[]).unwrap_err()),
        "instance: the store's limit of 1 instances is reached"
    );
    // Memories and tables the embedder makes count too.
    store.memory_new(mem_type(0, None)).unwrap();
    let e = store.memory_new(mem_type(0, None)).unwrap_err();
    assert_eq!(
        e,
        "the new memory: the store's limit of 2 memories is reached"
    );
    assert_eq!(
        store.try_table_new(table_type(0), Value::FuncRef(None)),
        Err(TableNewError::Resource(
            "the new table: the store's limit of 1 tables is reached".into()
        ))
    );
    assert_eq!(store.table_new(table_type(0), Value::FuncRef(None)), None);

    // Within one instantiation: the first memory over the limit is named.
    let mut store = limited(StoreLimitsBuilder::new().memories(2).build());
    store.memory_new(mem_type(0, None)).unwrap();
    let e = resource(
        store
            .instantiate(&module("(module (memory 0) (memory 0) (memory 0))"), &[])
            .unwrap_err(),
    );
    assert_eq!(e, "memory 1: the store's limit of 2 memories is reached");
    let mut store = limited(StoreLimitsBuilder::new().tables(0).build());
    let e = resource(
        store
            .instantiate(&module("(module (table 0 funcref))"), &[])
            .unwrap_err(),
    );
    assert_eq!(e, "table 0: the store's limit of 0 tables is reached");
}

#[test]
fn table_elements_limit_wasm_and_embedder_grows_and_creation() {
    let mut store = limited(StoreLimitsBuilder::new().table_elements(3).build());
    let inst = store.instantiate(&module(GROWER), &[]).unwrap();
    let (grow, size) = (
        func(&store, inst, "table_grow"),
        func(&store, inst, "table_size"),
    );
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(2)]), 1);
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(1)]), -1);
    assert_eq!(call_i32(&mut store, size, &[]), 3);
    let Some(Extern::Table(t)) = store.export(inst, "table") else {
        panic!("no table")
    };
    assert_eq!(store.table_grow(t, 1, Value::FuncRef(None)), Ok(None));
    assert_eq!(store.table_grow(t, 0, Value::FuncRef(None)), Ok(Some(3)));
    assert_eq!(
        store.try_table_new(table_type(4), Value::FuncRef(None)),
        Err(TableNewError::Resource(
            "the new table: 4 elements: over the limit of 3 elements for one table".into()
        ))
    );
    let e = resource(
        store
            .instantiate(&module("(module (table 1 funcref) (table 5 funcref))"), &[])
            .unwrap_err(),
    );
    assert_eq!(
        e,
        "table 1: 5 elements: over the limit of 3 elements for one table"
    );
}

/// What a limiter was asked, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Asked {
    Memory(u64, u64, Option<u64>),
    MemoryFailed(u64, u64),
    Table(u64, u64, Option<u64>),
    TableFailed(u64, u64),
}

/// Records every question, allows memories up to `max_bytes`.
struct Recorder {
    log: Arc<Mutex<Vec<Asked>>>,
    max_bytes: u64,
}

impl ResourceLimiter for Recorder {
    fn memory_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool {
        self.log
            .lock()
            .unwrap()
            .push(Asked::Memory(current, desired, maximum));
        desired <= self.max_bytes
    }
    fn memory_grow_failed(&mut self, current: u64, desired: u64) {
        self.log
            .lock()
            .unwrap()
            .push(Asked::MemoryFailed(current, desired));
    }
    fn table_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool {
        self.log
            .lock()
            .unwrap()
            .push(Asked::Table(current, desired, maximum));
        true
    }
    fn table_grow_failed(&mut self, current: u64, desired: u64) {
        self.log
            .lock()
            .unwrap()
            .push(Asked::TableFailed(current, desired));
    }
}

#[test]
fn a_custom_limiter_is_asked_about_every_creation_and_growth() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut store = Store::new();
    store.set_limiter(Recorder {
        log: log.clone(),
        max_bytes: 3 * PAGE,
    });
    let inst = store
        .instantiate(
            &module(
                r#"(module (memory (export "memory") 1 8) (table 2 10 funcref)
                  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
                  (func (export "tgrow") (result i32) (table.grow (ref.null func) (i32.const 1))))"#,
            ),
            &[],
        )
        .unwrap();
    let grow = func(&store, inst, "grow");
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(1)]), 1);
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(5)]), -1);
    // Over the declared maximum: refused without asking.
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(100)]), -1);
    // A grow by 0 asks nothing.
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(0)]), 2);
    let tgrow = func(&store, inst, "tgrow");
    assert_eq!(call_i32(&mut store, tgrow, &[]), 2);
    // Refused by the limiter: the message says so.
    let e = store.memory_new(mem_type(4, None)).unwrap_err();
    assert_eq!(
        e,
        "the new memory: 262144 bytes: refused by the store's resource limiter"
    );
    // A module whose second memory is refused hands back the first, and its table.
    let e = resource(
        store
            .instantiate(
                &module("(module (table 1 funcref) (memory 1) (memory 4))"),
                &[],
            )
            .unwrap_err(),
    );
    assert_eq!(
        e,
        "memory 1: 262144 bytes: refused by the store's resource limiter"
    );
    let max = Some(8 * PAGE);
    assert_eq!(
        *log.lock().unwrap(),
        [
            Asked::Table(0, 2, Some(10)),
            Asked::Memory(0, PAGE, max),
            Asked::Memory(PAGE, 2 * PAGE, max),
            Asked::Memory(2 * PAGE, 7 * PAGE, max),
            Asked::Table(2, 3, Some(10)),
            Asked::Memory(0, 4 * PAGE, None),
            Asked::Table(0, 1, None),
            Asked::Memory(0, PAGE, None),
            Asked::Memory(0, 4 * PAGE, None),
            Asked::MemoryFailed(0, PAGE),
            Asked::TableFailed(0, 1),
        ]
    );
}

#[test]
fn a_start_function_growing_over_the_limit_sees_minus_one() {
    let mut store = limited(StoreLimitsBuilder::new().memory_size(2 * PAGE).build());
    let inst = store
        .instantiate(
            &module(
                r#"(module (memory 1)
                  (global $r (export "r") (mut i32) (i32.const 0))
                  (global $s (export "s") (mut i32) (i32.const 0))
                  (func $start
                    (global.set $r (memory.grow (i32.const 2)))
                    (global.set $s (memory.grow (i32.const 1))))
                  (start $start))"#,
            ),
            &[],
        )
        .unwrap();
    let global = |store: &Store, name| match store.export(inst, name) {
        Some(Extern::Global(g)) => store.global_get(g),
        other => panic!("{other:?}"),
    };
    assert_eq!(global(&store, "r"), Value::I32(-1));
    assert_eq!(global(&store, "s"), Value::I32(1));
}

#[test]
fn wasm_called_back_from_a_host_function_obeys_the_limits() {
    let mut store = limited(
        StoreLimitsBuilder::new()
            .memory_size(2 * PAGE)
            .table_elements(1)
            .build(),
    );
    // The host function calls the instance's `grow` (wasm), then grows the memory itself.
    let host = store.func_new(
        FuncType {
            params: Box::new([]),
            results: Box::new([ValType::I32, ValType::I32, ValType::I32]),
        },
        |mut caller, _, results| {
            let Some(Extern::Func(grow)) = caller.export("grow") else {
                return Err(Trap::host("no grow"));
            };
            let Some(Extern::Func(tgrow)) = caller.export("table_grow") else {
                return Err(Trap::host("no table_grow"));
            };
            let Some(Extern::Memory(m)) = caller.export("memory") else {
                return Err(Trap::host("no memory"));
            };
            let store = caller.store_mut();
            results[0] = store.invoke(grow, &[Value::I32(5)])?[0];
            results[1] = store.invoke(tgrow, &[Value::I32(1)])?[0];
            results[2] = Value::I32(store.memory_grow(m, 5).map_or(-1, |old| old as i32));
            Ok(())
        },
    );
    let inst = store
        .instantiate(
            &module(&GROWER.replace(
                "(module",
                r#"(module (import "env" "host" (func $host (result i32 i32 i32)))
                   (func (export "run") (result i32 i32 i32) (call $host))"#,
            )),
            &[Extern::Func(host)],
        )
        .unwrap();
    let run = func(&store, inst, "run");
    assert_eq!(
        store.invoke(run, &[]).unwrap(),
        [Value::I32(-1), Value::I32(-1), Value::I32(-1)]
    );
    let grow = func(&store, inst, "grow");
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(1)]), 1);
}

#[test]
fn store_limits_hand_back_a_failed_growth() {
    let mut limits = StoreLimitsBuilder::new().total_memory(10).build();
    assert!(limits.memory_growing(0, 8, None));
    assert!(!limits.memory_growing(8, 11, None));
    assert_eq!(limits.memory_used(), 8);
    limits.memory_grow_failed(0, 8);
    assert_eq!(limits.memory_used(), 0);
    assert!(limits.memory_growing(0, 10, None));
    // Unlimited by default.
    let mut none = StoreLimits::default();
    assert!(none.memory_growing(0, u64::MAX, None));
    assert!(none.table_growing(0, u64::MAX, None));
    assert_eq!(
        (none.instances(), none.memories(), none.tables()),
        (usize::MAX, usize::MAX, usize::MAX)
    );
}

#[test]
fn a_store_with_a_limiter_stays_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Store>();
    send_sync::<StoreLimits>();
}

/// Panics when asked about a growth (not a creation).
struct Panicky;

impl ResourceLimiter for Panicky {
    fn memory_growing(&mut self, current: u64, _desired: u64, _maximum: Option<u64>) -> bool {
        assert!(current == 0, "no growth, please");
        true
    }
}

#[test]
fn a_limiter_that_panics_in_memory_grow_leaves_the_store_usable() {
    let mut store = Store::new();
    store.set_limiter(Panicky);
    let inst = store.instantiate(&module(GROWER), &[]).unwrap();
    let (grow, size) = (func(&store, inst, "grow"), func(&store, inst, "size"));
    // The limiter's panic goes on out of the call, as a host function's does.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.invoke(grow, &[Value::I32(1)])
    }));
    let payload = r.expect_err("the panic goes on");
    assert_eq!(
        payload.downcast_ref::<&str>().copied(),
        Some("no growth, please")
    );
    assert_eq!(call_i32(&mut store, size, &[]), 1);
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(0)]), 1);
    store.take_limiter();
    assert_eq!(call_i32(&mut store, grow, &[Value::I32(1)]), 1);
}
