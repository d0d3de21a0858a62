//! Execution speed: rill against wasmi 2, side by side in one run, on the micro benchmarks
//! (fib 30, loop, memsum), CoreMark and every rust-benchmarks program (protocol in
//! ../shared/bench/README.md: `setup`, input written at `input_ptr`, time `run` only, check
//! the result exports). Prints each rill/wasmi time ratio (below 1: rill is faster) and their
//! geometric mean at the end.
//!
//! `RILL_BENCH_FILTER=name` runs only the benchmarks whose name contains `name`;
//! `RILL_BENCH_SKIP_COREMARK=1` skips CoreMark (about 10 s per engine; `0` or empty runs it).
//!
//! `RILL_BENCH_FUEL=1` also runs every benchmark with fuel metering on both sides, in the
//! same run: rill compiled with `LowerOptions::fuel` in a store given `u64::MAX` fuel
//! (`rill+fuel`), wasmi with `consume_fuel(true)` and as much fuel (`wasmi+fuel`). The
//! report then adds what fuel costs each engine (`rill+fuel`/`rill`, `wasmi+fuel`/`wasmi`)
//! and the ratio of the metered engines, each with its geometric mean.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

/// A value passed to or returned from an export.
#[derive(Clone, Copy, Debug, PartialEq)]
enum V {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

/// What each engine must offer the benchmarks.
trait Runner {
    const NAME: &'static str;
    fn new(bytes: &[u8]) -> Self;
    fn call(&mut self, name: &str, args: &[V]) -> Vec<V>;
    /// Whether export `name` takes an `i64` as its first parameter.
    fn first_param_i64(&mut self, name: &str) -> bool;
    fn params(&mut self, name: &str) -> usize;
    fn memory(&mut self) -> &mut [u8];
}

fn clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// rill; with `FUEL`, compiled with fuel metering and run with (endless) fuel.
struct Rill<const FUEL: bool = false> {
    store: rill_vm::Store,
    inst: rill_vm::Instance,
}

impl<const FUEL: bool> Rill<FUEL> {
    fn func(&self, name: &str) -> rill_vm::Func {
        match self.store.export(self.inst, name) {
            Some(rill_vm::Extern::Func(f)) => f,
            _ => panic!("no export {name}"),
        }
    }
}

impl<const FUEL: bool> Runner for Rill<FUEL> {
    const NAME: &'static str = if FUEL { "rill+fuel" } else { "rill" };
    fn new(bytes: &[u8]) -> Self {
        use rill_vm::{Extern, LowerOptions, Module, Store, Value};
        let options = LowerOptions::default().fuel(FUEL);
        let module = Arc::new(Module::new_with(bytes, options).expect("compiles"));
        let mut store = Store::new();
        if FUEL {
            store.set_fuel(u64::MAX).expect("metered");
        }
        let mut imports = Vec::new();
        for i in module.imports() {
            assert_eq!((i.module.as_str(), i.name.as_str()), ("env", "clock_ms"));
            let ty = rill_decoder::FuncType {
                params: Box::new([]),
                results: Box::new([rill_decoder::ValType::I64]),
            };
            let f = store.func_new(ty, |_, _, results| {
                results[0] = Value::I64(clock_ms());
                Ok(())
            });
            imports.push(Extern::Func(f));
        }
        let inst = store.instantiate(&module, &imports).expect("instantiates");
        Rill { store, inst }
    }
    fn call(&mut self, name: &str, args: &[V]) -> Vec<V> {
        use rill_vm::Value;
        let f = self.func(name);
        let args: Vec<Value> = args
            .iter()
            .map(|a| match *a {
                V::I32(x) => Value::I32(x),
                V::I64(x) => Value::I64(x),
                V::F32(x) => Value::F32(x.to_bits()),
                V::F64(x) => Value::F64(x.to_bits()),
            })
            .collect();
        let out = self.store.invoke(f, &args).expect("no trap");
        out.into_iter()
            .map(|v| match v {
                Value::I32(x) => V::I32(x),
                Value::I64(x) => V::I64(x),
                Value::F32(x) => V::F32(f32::from_bits(x)),
                Value::F64(x) => V::F64(f64::from_bits(x)),
                other => panic!("unexpected result {other:?}"),
            })
            .collect()
    }
    fn first_param_i64(&mut self, name: &str) -> bool {
        let f = self.func(name);
        self.store.func_type(f).params.first() == Some(&rill_decoder::ValType::I64)
    }
    fn params(&mut self, name: &str) -> usize {
        let f = self.func(name);
        self.store.func_type(f).params.len()
    }
    fn memory(&mut self) -> &mut [u8] {
        match self.store.export(self.inst, "memory") {
            Some(rill_vm::Extern::Memory(m)) => self.store.memory_mut(m).data_mut(),
            _ => panic!("no memory export"),
        }
    }
}

/// wasmi; with `FUEL`, with `consume_fuel(true)` and (endless) fuel.
struct Wasmi<const FUEL: bool = false> {
    store: wasmi::Store<()>,
    inst: wasmi::Instance,
}

impl<const FUEL: bool> Runner for Wasmi<FUEL> {
    const NAME: &'static str = if FUEL { "wasmi+fuel" } else { "wasmi" };
    fn new(bytes: &[u8]) -> Self {
        let mut config = wasmi::Config::default();
        config.consume_fuel(FUEL);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, bytes).expect("compiles");
        let mut store = wasmi::Store::new(&engine, ());
        if FUEL {
            store.set_fuel(u64::MAX).expect("fuel metering on");
        }
        let mut linker = wasmi::Linker::<()>::new(&engine);
        linker
            .func_wrap("env", "clock_ms", || -> i64 { clock_ms() })
            .unwrap();
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
                V::I64(x) => Val::I64(x),
                V::F32(x) => Val::F32(x.into()),
                V::F64(x) => Val::F64(x.into()),
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
                Val::I64(x) => V::I64(x),
                Val::F32(x) => V::F32(x.into()),
                Val::F64(x) => V::F64(x.into()),
                other => panic!("unexpected result {other:?}"),
            })
            .collect()
    }
    fn first_param_i64(&mut self, name: &str) -> bool {
        let f = self.inst.get_func(&self.store, name).expect("export");
        f.ty(&self.store).params().first() == Some(&wasmi::ValType::I64)
    }
    fn params(&mut self, name: &str) -> usize {
        let f = self.inst.get_func(&self.store, name).expect("export");
        f.ty(&self.store).params().len()
    }
    fn memory(&mut self) -> &mut [u8] {
        let m = self.inst.get_memory(&self.store, "memory").expect("memory");
        m.data_mut(&mut self.store)
    }
}

/// One rust-benchmarks program: setup argument, input file, checks.
struct Program {
    name: &'static str,
    arg: i64,
    input: Option<&'static str>,
    checks: &'static [(&'static str, V)],
    output_file: Option<&'static str>,
}

const PROGRAMS: &[Program] = &[
    Program {
        name: "sort",
        arg: 1_000_000,
        input: None,
        checks: &[],
        output_file: None,
    },
    Program {
        name: "sort-dyn",
        arg: 400_000,
        input: None,
        checks: &[],
        output_file: None,
    },
    Program {
        name: "prime-sieve",
        arg: 10_000_000,
        input: None,
        checks: &[
            ("len_primes", V::I64(664_579)),
            ("largest_prime", V::I64(9_999_991)),
        ],
        output_file: None,
    },
    Program {
        name: "matrix-mul",
        arg: 400,
        input: None,
        checks: &[],
        output_file: None,
    },
    Program {
        name: "nbody",
        arg: 400,
        input: None,
        checks: &[],
        output_file: None,
    },
    Program {
        name: "argon2",
        arg: 3_000,
        input: None,
        checks: &[("output", V::I64(0x76318FB48BBA1258))],
        output_file: None,
    },
    Program {
        name: "tiny-keccak",
        arg: 0,
        input: None,
        checks: &[],
        output_file: None,
    },
    Program {
        name: "mandelbrot",
        arg: 150,
        input: None,
        checks: &[("output", V::I64(5_595_328))],
        output_file: None,
    },
    Program {
        name: "spectralnorm",
        arg: 500,
        input: None,
        checks: &[("output", V::F64(1.2742241159529095))],
        output_file: None,
    },
    Program {
        name: "compression",
        arg: -1,
        input: Some("alice29.txt"),
        checks: &[("len_compressed", V::I64(97_649))],
        output_file: None,
    },
    Program {
        name: "word-count",
        arg: -1,
        input: Some("alice29.txt"),
        checks: &[
            ("len_unique_words", V::I64(2213)),
            ("len_special_chars", V::I64(6314)),
        ],
        output_file: None,
    },
    Program {
        name: "json-parse",
        arg: -1,
        input: Some("citm_catalog.json"),
        checks: &[("node_count", V::I64(37_778))],
        output_file: None,
    },
    Program {
        name: "reverse-complement",
        arg: -1,
        input: Some("reverse-complement.input.txt"),
        checks: &[],
        output_file: Some("reverse-complement.output.txt"),
    },
    Program {
        name: "regex-redux",
        arg: -1,
        input: Some("reverse-complement.input.txt"),
        checks: &[("output", V::I32(2))],
        output_file: None,
    },
];

fn read(rel: &str) -> Vec<u8> {
    let p = rill_benches::bench_dir().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// A fresh instance after `setup` (and the input), with the data pointer.
fn prepare<R: Runner>(p: &Program, bytes: &[u8], input: &Option<Vec<u8>>) -> (R, i32) {
    let mut r = R::new(bytes);
    let arg = match input {
        Some(data) => data.len() as i64,
        None => p.arg,
    };
    let args = if r.params("setup") == 0 {
        vec![]
    } else if r.first_param_i64("setup") {
        vec![V::I64(arg)]
    } else {
        vec![V::I32(arg as i32)]
    };
    let [V::I32(data)] = r.call("setup", &args)[..] else {
        panic!("setup returns a pointer")
    };
    if let Some(input) = input {
        let [V::I32(ptr)] = r.call("input_ptr", &[V::I32(data)])[..] else {
            panic!("input_ptr returns a pointer")
        };
        let ptr = ptr as usize;
        r.memory()[ptr..ptr + input.len()].copy_from_slice(input);
    }
    (r, data)
}

/// Runs `p` once on `R` and checks its results.
fn check<R: Runner>(p: &Program, bytes: &[u8], input: &Option<Vec<u8>>) {
    let (mut r, data) = prepare::<R>(p, bytes, input);
    r.call("run", &[V::I32(data)]);
    for (export, want) in p.checks {
        let got = r.call(export, &[V::I32(data)]);
        assert_eq!(got, [*want], "{} {}: {export}", R::NAME, p.name);
    }
    if let Some(out) = p.output_file {
        let expected = read(&format!("rust-benchmarks/{out}"));
        let [V::I32(ptr)] = r.call("output_ptr", &[V::I32(data)])[..] else {
            panic!("output_ptr")
        };
        let ptr = ptr as usize;
        assert!(
            r.memory()[ptr..ptr + expected.len()] == expected[..],
            "{} {}: output differs",
            R::NAME,
            p.name
        );
    }
    r.call("teardown", &[V::I32(data)]);
}

/// The engines, in the order of [`BEST`]'s entries.
const RILL: usize = 0;
const WASMI: usize = 1;
const RILL_FUEL: usize = 2;
const WASMI_FUEL: usize = 3;

/// Best time per benchmark and engine, for the ratios.
static BEST: Mutex<BTreeMap<String, [Option<Duration>; 4]>> = Mutex::new(BTreeMap::new());

/// Whether to run the metered engines too (`RILL_BENCH_FUEL=1`).
fn with_fuel() -> bool {
    std::env::var_os("RILL_BENCH_FUEL").is_some_and(|v| v != "0" && !v.is_empty())
}

fn record(bench: &str, engine: usize, d: Duration) {
    let mut best = BEST.lock().unwrap();
    let e = best.entry(bench.to_string()).or_default();
    e[engine] = Some(e[engine].map_or(d, |b| b.min(d)));
}

fn selected(name: &str) -> bool {
    std::env::var("RILL_BENCH_FILTER").map_or(true, |f| name.contains(&f))
}

fn bench_program<R: Runner>(c: &mut Criterion, p: &Program, engine: usize) {
    let bytes = read(&format!("rust-benchmarks/{}.wasm", p.name));
    let input = p.input.map(|f| read(&format!("rust-benchmarks/{f}")));
    check::<R>(p, &bytes, &input);
    let mut group = c.benchmark_group(format!("execute/{}", p.name));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function(R::NAME, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (mut r, data) = prepare::<R>(p, &bytes, &input);
                let t = Instant::now();
                r.call("run", &[V::I32(data)]);
                let d = t.elapsed();
                record(p.name, engine, d);
                total += d;
            }
            total
        })
    });
    group.finish();
}

fn bench_micro<R: Runner>(c: &mut Criterion, engine: usize) {
    let bytes = read("micro/micro.wasm");
    let cases: [(&str, i32, i32); 3] = [
        ("fib", 30, 832_040),
        ("loop", 10_000_000, 335_989_696),
        ("memsum", 100, 0),
    ];
    let mut r = R::new(&bytes);
    for (name, arg, want) in cases {
        let bench = format!("micro-{name}");
        if !selected(&bench) {
            continue;
        }
        let got = r.call(name, &[V::I32(arg)]);
        if want != 0 {
            assert_eq!(got, [V::I32(want)], "{} {name}", R::NAME);
        }
        let mut group = c.benchmark_group(format!("execute/{bench}"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(3));
        group.bench_function(R::NAME, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    std::hint::black_box(r.call(name, &[V::I32(arg)]));
                    let d = t.elapsed();
                    record(&bench, engine, d);
                    total += d;
                }
                total
            })
        });
        group.finish();
    }
}

/// CoreMark calibrates itself to about 10 s: run once per engine, compare the scores.
fn coremark() {
    let skip =
        std::env::var_os("RILL_BENCH_SKIP_COREMARK").is_some_and(|v| v != "0" && !v.is_empty());
    if skip || !selected("coremark") {
        return;
    }
    let bytes = read("coremark/coremark-minimal.wasm");
    let score = |scores: Vec<V>| match scores[..] {
        [V::F32(s)] => f64::from(s),
        _ => panic!("run returns the score"),
    };
    let mut scores = [None; 4];
    scores[WASMI] = Some(score(Wasmi::<false>::new(&bytes).call("run", &[])));
    scores[RILL] = Some(score(Rill::<false>::new(&bytes).call("run", &[])));
    if with_fuel() {
        scores[WASMI_FUEL] = Some(score(Wasmi::<true>::new(&bytes).call("run", &[])));
        scores[RILL_FUEL] = Some(score(Rill::<true>::new(&bytes).call("run", &[])));
    }
    println!(
        "coremark scores (higher is better): {scores:.1?} (rill, wasmi, rill+fuel, wasmi+fuel)"
    );
    // Time ratios: how long each engine takes for the same work.
    BEST.lock().unwrap().insert(
        "coremark".into(),
        scores.map(|s| s.map(|s| Duration::from_secs_f64(1.0 / s))),
    );
}

fn execute(c: &mut Criterion) {
    let fuel = with_fuel();
    bench_micro::<Rill<false>>(c, RILL);
    bench_micro::<Wasmi<false>>(c, WASMI);
    if fuel {
        bench_micro::<Rill<true>>(c, RILL_FUEL);
        bench_micro::<Wasmi<true>>(c, WASMI_FUEL);
    }
    for p in PROGRAMS {
        if !selected(p.name) {
            continue;
        }
        bench_program::<Rill<false>>(c, p, RILL);
        bench_program::<Wasmi<false>>(c, p, WASMI);
        if fuel {
            bench_program::<Rill<true>>(c, p, RILL_FUEL);
            bench_program::<Wasmi<true>>(c, p, WASMI_FUEL);
        }
    }
    coremark();
    report();
}

/// Prints the ratio of engines `a` and `b` per benchmark, and its geometric mean.
fn ratios(best: &BTreeMap<String, [Option<Duration>; 4]>, a: usize, b: usize, what: &str) {
    let names = ["rill", "wasmi", "rill+fuel", "wasmi+fuel"];
    let mut logs = Vec::new();
    println!(
        "\n{:<22} {:>12} {:>12} {:>8}",
        "benchmark", names[a], names[b], "ratio"
    );
    for (name, times) in best.iter() {
        if let (Some(x), Some(y)) = (times[a], times[b]) {
            let ratio = x.as_secs_f64() / y.as_secs_f64();
            logs.push(ratio.ln());
            println!("{name:<22} {x:>12.3?} {y:>12.3?} {ratio:>8.3}");
        }
    }
    if !logs.is_empty() {
        let gm = (logs.iter().sum::<f64>() / logs.len() as f64).exp();
        println!(
            "geometric mean of {}/{} time ratios: {gm:.3} ({what})",
            names[a], names[b]
        );
    }
}

fn report() {
    let best = BEST.lock().unwrap();
    ratios(&best, RILL, WASMI, "below 1: rill is faster");
    if with_fuel() {
        ratios(&best, RILL_FUEL, RILL, "what fuel costs rill");
        ratios(&best, WASMI_FUEL, WASMI, "what fuel costs wasmi");
        ratios(
            &best,
            RILL_FUEL,
            WASMI_FUEL,
            "below 1: metered rill is faster",
        );
    }
}

criterion_group!(benches, execute);
criterion_main!(benches);
