//! Dropping a store frees everything in it (issue 13): a counting global allocator (this
//! test binary's own) sees the live bytes return to where they were after 1,000 stores,
//! each with an instance and its 1 MiB memory, were made and dropped; and sees them grow
//! by the memories' size while 50 such stores are kept alive (so the count can fail).
//!
//! One test only: the count is process-wide, and another test running at the same time
//! would disturb it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use rill::{Imports, Instance, Module, Store};

/// `System`, counting the bytes allocated and not yet freed.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only a counter is updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

const KIB: isize = 1024;
const MIB: isize = 1024 * KIB;

/// A module with a 1 MiB memory (16 pages), a data segment, a table, a global and a
/// function that writes into the memory.
const MODULE: &str = r#"(module
  (memory (export "memory") 16)
  (data (i32.const 0) "rill frees its stores")
  (table 4 funcref)
  (global $g (mut i32) (i32.const 0))
  (func $touch (export "touch") (param $at i32) (result i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.store (local.get $at) (global.get $g))
    (i32.load (i32.const 0)))
  (elem (i32.const 0) $touch))"#;

/// A store with an instance of `module`, its memory touched by wasm and by the host.
fn store_with_instance(module: &Module, k: u32) -> Store<Vec<u8>> {
    let mut store = Store::new(vec![0u8; 64]);
    let instance = Instance::new(&mut store, module, &Imports::new()).expect("instantiates");
    let touch = instance
        .get_typed_func::<i32, i32>(&store, "touch")
        .expect("exports touch");
    // The last page of the memory, by wasm, then a byte in the middle, by the host.
    let head = touch.call(&mut store, 16 * 65536 - 4).expect("runs");
    assert_eq!(head.to_le_bytes(), *b"rill");
    let memory = instance
        .get_memory(&store, "memory")
        .expect("exports memory");
    let data = memory.data_mut(&mut store).expect("the store's memory");
    assert_eq!(data.len(), 1 << 20);
    data[512 * 1024] = k as u8;
    store
}

#[test]
fn dropped_stores_free_everything() {
    let wasm = {
        let buf = wast::parser::ParseBuffer::new(MODULE).expect("the text lexes");
        let mut module = wast::parser::parse::<wast::Wat>(&buf).expect("the text parses");
        module.encode().expect("the module encodes")
    };
    // Compiled once, before counting.
    let module = Module::new(&wasm).expect("the module compiles");
    // A first store, so whatever is made once (lazily) is made before counting.
    drop(store_with_instance(&module, 0));

    // 1,000 stores, made and dropped one after the other.
    let start = live();
    for k in 0..1000 {
        let store = store_with_instance(&module, k);
        assert!(
            live() - start >= MIB,
            "the live store's 1 MiB memory is counted"
        );
        drop(store);
    }
    let after = live();
    eprintln!(
        "live bytes: {start} before 1,000 stores, {after} after they were dropped ({:+})",
        after - start
    );
    assert!(
        (after - start).abs() < 64 * KIB,
        "1,000 dropped stores left {} bytes behind",
        after - start
    );

    // 50 stores kept alive: the count sees their memories (50 MiB and more).
    let kept: Vec<Store<Vec<u8>>> = (0..50).map(|k| store_with_instance(&module, k)).collect();
    let with_kept = live();
    eprintln!(
        "live bytes with 50 stores kept: {with_kept} ({:+.1} MiB)",
        (with_kept - after) as f64 / MIB as f64
    );
    assert!(
        with_kept - after >= 50 * MIB,
        "50 live stores take only {} bytes",
        with_kept - after
    );
    drop(kept);
    let end = live();
    assert!(
        (end - start).abs() < 64 * KIB,
        "dropping the 50 stores left {} bytes behind",
        end - start
    );
}
