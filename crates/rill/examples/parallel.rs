//! Compile once, run on many threads: one `Module` shared by every thread, one `Store` per
//! thread. Stores share nothing (no lock, no process-wide state), so they run in parallel.
//!
//! What it shows:
//! - `Module` is `Send + Sync` and cheap to clone (the compiled code is shared);
//! - each thread makes its own `Store` and instantiates the module in it;
//! - N runs of a recursive `fib` one after the other, then the same N runs on N threads:
//!   the results, and the two wall-clock times.
//!
//! ```text
//! cargo run -p rill --release --example parallel            # threads = cores, fib(30)
//! cargo run -p rill --release --example parallel -- 4 32    # 4 threads, fib(32)
//! ```

use std::time::{Duration, Instant};

use rill::{Imports, Instance, Module, Store};

const FIB: &str = r#"
(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2))))))))
"#;

/// One run: a fresh store, an instance of `module` in it, `fib(n)`. The store (and the
/// instance's memory, stacks, ...) is freed when it returns.
fn run(module: &Module, n: i32) -> Result<(i32, Duration), rill::Error> {
    let start = Instant::now();
    let mut store = Store::new(());
    let instance = Instance::new(&mut store, module, &Imports::new())?;
    let fib = instance.get_typed_func::<i32, i32>(&store, "fib")?;
    let result = fib.call(&mut store, n)?;
    Ok((result, start.elapsed()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let threads: usize = match args.next() {
        Some(a) => a.parse()?,
        None => std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    let n: i32 = match args.next() {
        Some(a) => a.parse()?,
        None => 30,
    };

    // Compiled once.
    let module = Module::new(wat(FIB))?;
    // A warm-up run (page faults, the first allocation of the call stack, ...).
    run(&module, 20)?;

    // Serial: the runs one after the other on this thread.
    let start = Instant::now();
    for i in 0..threads {
        let (result, took) = run(&module, n)?;
        println!("serial   run {i}: fib({n}) = {result} in {took:.2?}");
    }
    let serial = start.elapsed();

    // Parallel: the same runs, one thread each, each with its own store.
    let start = Instant::now();
    let outcomes = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let module = module.clone();
                s.spawn(move || run(&module, n))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker panicked"))
            .collect::<Vec<_>>()
    });
    let parallel = start.elapsed();
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let (result, took) = outcome?;
        println!("parallel run {i}: fib({n}) = {result} in {took:.2?}");
    }

    println!(
        "{threads} runs of fib({n}): serial {serial:.2?}, parallel on {threads} threads \
         {parallel:.2?}; parallel/serial = {:.2} (1/{threads} = {:.2} is perfect scaling)",
        parallel.as_secs_f64() / serial.as_secs_f64(),
        1.0 / threads as f64
    );
    Ok(())
}

/// WebAssembly text to binary.
fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).expect("the text lexes");
    let mut module = wast::parser::parse::<wast::Wat>(&buf).expect("the text parses");
    module.encode().expect("the module encodes")
}
