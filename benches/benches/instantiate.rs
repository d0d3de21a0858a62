//! The first instantiation of a compiled module through the façade:
//! `rill::Instance::new` on a freshly compiled `rill::Module` of
//! `../shared/bench/startup/spidermonkey.wasm` (compiling it is not timed), with every
//! function import given a host function of its type that is never called (the module has
//! no start function). This is where the interpreter's module is made from what the compile
//! produced.
//!
//! ```text
//! cargo bench -p rill-benches --bench instantiate -- --warm-up-time 1 --measurement-time 5
//! ```
//!
//! rill's store never frees (see the façade's docs), so every instance stays allocated until
//! the process ends. Each round compiles the module first, which bounds the number of
//! rounds (and instances) to a few dozen; timing later instantiations of one module would
//! make thousands.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rill_decoder::{decode_chunks, Features, Payload, TypeRef};
use rill_validator::ModuleValidator;

/// Host functions of the right types for every import of `bytes` (all of them functions).
fn stub_imports(bytes: &[u8]) -> rill::Imports {
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
    let mut out = rill::Imports::new();
    // Every import is a function, so import i is function i.
    for (func, import) in (0..).zip(&imports) {
        let TypeRef::Func(_) = import.ty else {
            panic!("{}.{} is not a function import", import.module, import.name)
        };
        let ty = env
            .func_type_of(func)
            .expect("an imported function")
            .clone();
        let what = format!("{}.{}", import.module, import.name);
        let f = rill::Func::new(ty, move |_| {
            Err(rill::HostError::msg(format!("{what} is a stub")))
        });
        out.define(&import.module, &import.name, f);
    }
    out
}

fn instantiate(c: &mut Criterion) {
    let name = "spidermonkey";
    let path = rill_benches::bench_dir().join(format!("startup/{name}.wasm"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let imports = stub_imports(&bytes);
    let mut group = c.benchmark_group(format!("instantiate/{name}"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.bench_function("first", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let module = rill::Module::new(&bytes).expect("the module compiles");
                let start = Instant::now();
                let instance = rill::Instance::new(&module, Some(&imports));
                total += start.elapsed();
                instance.expect("the module instantiates");
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, instantiate);
criterion_main!(benches);
