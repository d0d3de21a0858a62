//! SIMD execution speed: rill against wasmi 2 with its `simd` feature, side by side in one
//! run, on two hand-written 128-bit SIMD kernels (`../wat/simd.wat`):
//!
//! - `simd-dot-f32`: the dot product of two arrays of 16,384 `f32` (f32x4 loads, `mul`,
//!   `add` with two accumulators);
//! - `simd-count-i8`: how many of 65,536 bytes equal a given byte (`i8x16.eq`, `i8x16.sub`
//!   counters widened with `extadd_pairwise`).
//!
//! Both engines' results are checked against each other and against the answer computed
//! in Rust before timing. Prints each rill/wasmi time ratio (below 1: rill is faster).
//!
//! Needs the `simd` feature of this crate (it enables wasmi's, which the scalar `execute`
//! benchmark keeps off so its baseline does not change):
//! `cargo bench -p rill-benches --features simd --bench simd`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

/// Floats per array (the byte kernel reads four times as many bytes).
const N: i32 = 16_384;
/// The byte `simd-count-i8` looks for.
const NEEDLE: i32 = 0x5a;

#[derive(Clone, Copy, Debug, PartialEq)]
enum V {
    I32(i32),
    F32(f32),
}

trait Runner {
    const NAME: &'static str;
    fn new(bytes: &[u8]) -> Self;
    fn call(&mut self, name: &str, args: &[V]) -> Vec<V>;
}

struct Rill {
    store: rill_vm::Store,
    inst: rill_vm::Instance,
}

impl Runner for Rill {
    const NAME: &'static str = "rill";
    fn new(bytes: &[u8]) -> Self {
        let module = Arc::new(rill_vm::Module::new(bytes).expect("compiles"));
        let mut store = rill_vm::Store::new();
        let inst = store.instantiate(&module, &[]).expect("instantiates");
        Rill { store, inst }
    }
    fn call(&mut self, name: &str, args: &[V]) -> Vec<V> {
        use rill_vm::Value;
        let Some(rill_vm::Extern::Func(f)) = self.store.export(self.inst, name) else {
            panic!("no export {name}")
        };
        let args: Vec<Value> = args
            .iter()
            .map(|a| match *a {
                V::I32(x) => Value::I32(x),
                V::F32(x) => Value::F32(x.to_bits()),
            })
            .collect();
        let out = self.store.invoke(f, &args).expect("no trap");
        out.into_iter()
            .map(|v| match v {
                Value::I32(x) => V::I32(x),
                Value::F32(x) => V::F32(f32::from_bits(x)),
                other => panic!("unexpected result {other:?}"),
            })
            .collect()
    }
}

struct Wasmi {
    store: wasmi::Store<()>,
    inst: wasmi::Instance,
}

impl Runner for Wasmi {
    const NAME: &'static str = "wasmi";
    fn new(bytes: &[u8]) -> Self {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, bytes).expect("compiles");
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let inst = linker
            .instantiate_and_start(&mut store, &module)
            .expect("instantiates");
        Wasmi { store, inst }
    }
    fn call(&mut self, name: &str, args: &[V]) -> Vec<V> {
        use wasmi::Val;
        let f = self.inst.get_func(&self.store, name).expect("export");
        let args: Vec<Val> = args
            .iter()
            .map(|a| match *a {
                V::I32(x) => Val::I32(x),
                V::F32(x) => Val::F32(x.into()),
            })
            .collect();
        let ty = f.ty(&self.store);
        let mut out: Vec<Val> = ty
            .results()
            .iter()
            .map(|t| Val::default_for_ty(*t))
            .collect();
        f.call(&mut self.store, &args, &mut out).expect("no trap");
        out.into_iter()
            .map(|v| match v {
                Val::I32(x) => V::I32(x),
                Val::F32(x) => V::F32(x.into()),
                other => panic!("unexpected result {other:?}"),
            })
            .collect()
    }
}

fn module() -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/wat/simd.wat");
    wat::parse_file(path).expect("simd.wat parses")
}

/// The answers, computed in Rust from the data `init` writes (the float data makes every
/// partial sum exact in `f32`, so the order of the additions does not matter).
fn expected() -> [(&'static str, Vec<V>, V); 2] {
    let dot: f64 = (0..N)
        .map(|i| f64::from(i % 7) * 0.5 * (f64::from(i % 5) - 1.0))
        .sum();
    let count = (0..4 * N)
        .filter(|&i| ((i * 31 + (i >> 5)) & 0xff) == NEEDLE)
        .count();
    [
        ("dot-f32", vec![V::I32(N)], V::F32(dot as f32)),
        (
            "count-i8",
            vec![V::I32(4 * N), V::I32(NEEDLE)],
            V::I32(count as i32),
        ),
    ]
}

/// Best time per benchmark and engine, for the ratios.
static BEST: Mutex<BTreeMap<String, [Option<Duration>; 2]>> = Mutex::new(BTreeMap::new());

fn bench<R: Runner>(c: &mut Criterion, engine: usize) {
    let mut r = R::new(&module());
    r.call("init", &[V::I32(N)]);
    for (kernel, args, want) in expected() {
        let export = kernel.split('-').next().expect("a name");
        assert_eq!(r.call(export, &args), [want], "{} {kernel}", R::NAME);
        let bench = format!("simd-{kernel}");
        let mut group = c.benchmark_group(format!("execute/{bench}"));
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(3));
        group.bench_function(R::NAME, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    let got = std::hint::black_box(r.call(export, &args));
                    let d = t.elapsed();
                    assert_eq!(got, [want]);
                    let mut best = BEST.lock().unwrap();
                    let e = best.entry(bench.clone()).or_default();
                    e[engine] = Some(e[engine].map_or(d, |b| b.min(d)));
                    total += d;
                }
                total
            })
        });
        group.finish();
    }
}

fn simd(c: &mut Criterion) {
    bench::<Rill>(c, 0);
    bench::<Wasmi>(c, 1);
    println!("\nrill / wasmi (best times; below 1: rill is faster)");
    for (name, [rill, wasmi]) in BEST.lock().unwrap().iter() {
        if let (Some(r), Some(w)) = (rill, wasmi) {
            println!(
                "  {name:<16} rill {:>10.1?}  wasmi {:>10.1?}  ratio {:.2}",
                r,
                w,
                r.as_secs_f64() / w.as_secs_f64()
            );
        }
    }
}

criterion_group!(benches, simd);
criterion_main!(benches);
