//! Decode + validate throughput of the startup modules: rill's decoder, module validator and
//! function validator (with the no-op sink) against `wasmparser::Validator` on the same bytes,
//! side by side in one run.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    let features = wasmparser::WasmFeatures::all();
    for (name, bytes) in rill_benches::modules("startup") {
        // Both must accept the module before we time them.
        rill_validator::validate(&bytes).unwrap();
        wasmparser::Validator::new_with_features(features)
            .validate_all(&bytes)
            .unwrap();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("{name}/rill"), |b| {
            b.iter(|| rill_validator::validate(black_box(&bytes)).unwrap())
        });
        group.bench_function(format!("{name}/wasmparser"), |b| {
            b.iter(|| {
                wasmparser::Validator::new_with_features(features)
                    .validate_all(black_box(&bytes))
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
