//! Instantiating a compiled module through the façade: `rill::Instance::new` on a
//! `rill::Module` of `../shared/bench/startup/spidermonkey.wasm` (compiling it is not
//! timed), with every function import given a host function of its type that is never
//! called (the module has no start function).
//!
//! - `instantiate/spidermonkey/first`: the first instantiation of a freshly compiled module.
//!   This is where the interpreter's module is made from what the compile produced.
//! - `instantiate/spidermonkey/later`: instantiating a module compiled once, again and
//!   again (what a server giving each request its own store does).
//!
//! ```text
//! cargo bench -p rill-benches --bench instantiate -- --warm-up-time 1 --measurement-time 5
//! ```
//!
//! Each round instantiates in a fresh `rill::Store` (the stub imports are made in it, not
//! timed), and dropping the store, not timed either, frees the instance and everything in
//! it: rounds do not accumulate instances. Each `first` round compiles the module first, so
//! every timed instantiation there is the module's first.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rill_decoder::{decode_chunks, Features, Payload, TypeRef};
use rill_validator::ModuleValidator;

/// The types of every import of `bytes` (all of them functions): (module, name, type).
fn import_types(bytes: &[u8]) -> Vec<(String, String, rill::FuncType)> {
    let run = decode_chunks([bytes], Features::default());
    assert!(run.error.is_none(), "the module decodes: {:?}", run.error);
    let mut validator = ModuleValidator::new();
    let mut imports = Vec::new();
    for event in &run.events {
        validator.payload(event).expect("the module is valid");
        if let Payload::Import(i) = &event.payload {
            imports = i.clone();
        }
    }
    let env = validator.env().expect("the module is complete");
    let mut out = Vec::new();
    // Every import is a function, so import i is function i.
    for (func, import) in (0..).zip(&imports) {
        let TypeRef::Func(_) = import.ty else {
            panic!("{}.{} is not a function import", import.module, import.name)
        };
        let ty = env
            .func_type_of(func)
            .expect("an imported function")
            .clone();
        out.push((import.module.clone(), import.name.clone(), ty));
    }
    out
}

/// Host functions of the right types for every import, made in `store`; each fails if
/// called.
fn stub_imports(
    store: &mut rill::Store,
    types: &[(String, String, rill::FuncType)],
) -> rill::Imports {
    let mut out = rill::Imports::new();
    for (module, name, ty) in types {
        let what = format!("{module}.{name}");
        let f = rill::Func::new(&mut *store, ty.clone(), move |_, _, _| {
            Err(rill::HostError::msg(format!("{what} is a stub")))
        });
        out.define(module, name, f);
    }
    out
}

fn instantiate(c: &mut Criterion) {
    let name = "spidermonkey";
    let path = rill_benches::bench_dir().join(format!("startup/{name}.wasm"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let types = import_types(&bytes);
    let mut group = c.benchmark_group(format!("instantiate/{name}"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.bench_function("first", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let module = rill::Module::new(&bytes).expect("the module compiles");
                let mut store = rill::Store::new(());
                let imports = stub_imports(&mut store, &types);
                let start = Instant::now();
                let instance = rill::Instance::new(&mut store, &module, &imports);
                total += start.elapsed();
                instance.expect("the module instantiates");
                drop(store);
            }
            total
        })
    });
    let module = rill::Module::new(&bytes).expect("the module compiles");
    group.bench_function("later", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut store = rill::Store::new(());
                let imports = stub_imports(&mut store, &types);
                let start = Instant::now();
                let instance = rill::Instance::new(&mut store, &module, &imports);
                total += start.elapsed();
                instance.expect("the module instantiates");
                drop(store);
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, instantiate);
criterion_main!(benches);
