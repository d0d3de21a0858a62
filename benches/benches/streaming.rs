//! Streaming compile (issue 5): `../shared/bench/startup/spidermonkey.wasm` fed to
//! `rill::compile_streaming` in 16 KiB chunks at a simulated 50 Mbit/s, next to compiling the
//! same bytes at once with `rill::Module::new`, in one run.
//!
//! - `streaming/spidermonkey/at-once`: `Module::new` on the whole buffer (dropping the module
//!   is not timed).
//! - `streaming/spidermonkey/tail-after-last-byte`: a feeder thread sends chunk `i` when it
//!   has "arrived", at `(i + 1) × 16 KiB / 50 Mbit/s` after the start; only the time from
//!   sending the last chunk to the ready `Module` is timed (`iter_custom`), not the ≈0.67 s
//!   the bytes take to arrive, during which sections are validated and bodies lowered.
//!
//! At the end it prints both medians and their ratio; issue 5's target is a tail under 5% of
//! the at-once compile time. Each streamed round takes the whole feed time in wall-clock
//! time, so the group uses 10 samples of one round each.
//!
//! ```text
//! cargo bench -p rill-benches --bench streaming -- --warm-up-time 1 --measurement-time 5
//! ```

use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use futures::channel::mpsc;
use futures::executor::block_on;

const CHUNK: usize = 16 * 1024;
const BITS_PER_SECOND: f64 = 50e6;

/// Every timed round, for the medians printed at the end: (at once, tail).
static TIMES: Mutex<(Vec<Duration>, Vec<Duration>)> = Mutex::new((Vec::new(), Vec::new()));

/// Compiles `bytes` at once; returns the compile time and the number of exports (a check
/// that both ways give the same module).
fn at_once(bytes: &[u8]) -> (Duration, usize) {
    let start = Instant::now();
    let module = rill::Module::new(bytes).expect("the module compiles at once");
    let elapsed = start.elapsed();
    (elapsed, module.exports().len())
}

/// Streams `bytes` in `CHUNK`s, one every `interval`, from another thread into
/// `compile_streaming`; returns the time from sending the last chunk to the ready module,
/// and the number of exports.
fn streamed(bytes: &[u8], interval: Duration) -> (Duration, usize) {
    let (tx, rx) = mpsc::unbounded::<Result<Vec<u8>, std::io::Error>>();
    let chunks: Vec<Vec<u8>> = bytes.chunks(CHUNK).map(<[u8]>::to_vec).collect();
    assert!(!chunks.is_empty(), "an empty module cannot be streamed");
    let feeder = std::thread::spawn(move || {
        let start = Instant::now();
        let n = chunks.len();
        let mut last = start;
        for (i, chunk) in chunks.into_iter().enumerate() {
            // Chunk i has fully arrived at (i + 1) × interval.
            let due = start + interval * (i as u32 + 1);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            if i + 1 == n {
                last = Instant::now();
            }
            tx.unbounded_send(Ok(chunk))
                .expect("the compile is still reading");
        }
        last
    });
    let module = block_on(rill::compile_streaming(rx)).expect("the module compiles streamed");
    let ready = Instant::now();
    let last = feeder.join().expect("the feeder thread");
    (ready - last, module.exports().len())
}

fn median(v: &mut [Duration]) -> Option<Duration> {
    v.sort();
    v.get(v.len() / 2).copied()
}

fn streaming(c: &mut Criterion) {
    let name = "spidermonkey";
    let path = rill_benches::bench_dir().join(format!("startup/{name}.wasm"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let interval = Duration::from_secs_f64(CHUNK as f64 * 8.0 / BITS_PER_SECOND);
    println!(
        "{name}: {} bytes in {} chunks of {} KiB, one every {:.2} ms ({} Mbit/s)",
        bytes.len(),
        bytes.len().div_ceil(CHUNK),
        CHUNK / 1024,
        interval.as_secs_f64() * 1e3,
        BITS_PER_SECOND / 1e6
    );
    let (_, exports) = at_once(&bytes);

    let mut group = c.benchmark_group(format!("streaming/{name}"));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.bench_function("at-once", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (t, n) = at_once(&bytes);
                assert_eq!(n, exports);
                TIMES.lock().unwrap().0.push(t);
                total += t;
            }
            total
        })
    });
    group.bench_function("tail-after-last-byte", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (t, n) = streamed(&bytes, interval);
                assert_eq!(n, exports, "streamed and at-once modules differ");
                TIMES.lock().unwrap().1.push(t);
                total += t;
            }
            total
        })
    });
    group.finish();

    let mut times = TIMES.lock().unwrap();
    let (once, tail) = &mut *times;
    if let (Some(once), Some(tail)) = (median(once), median(tail)) {
        println!(
            "{name}: at once {:.2} ms, tail after the last byte {:.3} ms = {:.2}% of at once \
             (medians of every round, warm-up included; target < 5%)",
            once.as_secs_f64() * 1e3,
            tail.as_secs_f64() * 1e3,
            100.0 * tail.as_secs_f64() / once.as_secs_f64()
        );
    }
}

criterion_group!(benches, streaming);
criterion_main!(benches);
