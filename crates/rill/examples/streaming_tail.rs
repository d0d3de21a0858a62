//! Measures how much of a streaming compile is left when the last byte arrives.
//!
//! Feeds a module (default: `../shared/bench/startup/spidermonkey.wasm`) to
//! `compile_streaming` in 16 KiB chunks at a simulated 50 Mbit/s from another thread, and
//! prints the time from sending the last byte to the ready `Module` (the tail), next to the
//! time `Module::new` takes for the same bytes at once, in one run.
//!
//! ```text
//! cargo run --release -p rill --example streaming_tail [path.wasm] [rounds]
//! ```
//!
//! Issue 5's target: the tail is under 5% of the at-once compile time.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::channel::mpsc;
use futures::executor::block_on;

const CHUNK: usize = 16 * 1024;
const BITS_PER_SECOND: f64 = 50e6;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/bench/startup/spidermonkey.wasm")
    });
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("rounds"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let interval = Duration::from_secs_f64(CHUNK as f64 * 8.0 / BITS_PER_SECOND);
    println!(
        "{}: {} bytes, {} chunks of {} KiB every {:.2} ms ({} Mbit/s)",
        path.display(),
        bytes.len(),
        bytes.len().div_ceil(CHUNK),
        CHUNK / 1024,
        interval.as_secs_f64() * 1e3,
        BITS_PER_SECOND / 1e6
    );

    // Warm up (page in the file, start the allocator).
    rill::Module::new(&bytes).expect("the module compiles");

    let mut at_once = Vec::new();
    let mut tails = Vec::new();
    for round in 0..rounds {
        let start = Instant::now();
        let module = rill::Module::new(&bytes).unwrap();
        let t = start.elapsed();
        drop(module);
        at_once.push(t);

        let (tail, feed) = streamed(&bytes, interval);
        tails.push(tail);
        println!(
            "round {round}: at once {:8.2} ms | streamed: feed {:8.2} ms, tail {:6.3} ms ({:.2}% of at once)",
            ms(t),
            ms(feed),
            ms(tail),
            100.0 * tail.as_secs_f64() / t.as_secs_f64()
        );
    }
    let at_once = median(&mut at_once);
    let tail = median(&mut tails);
    println!(
        "median: at once {:.2} ms, tail after the last byte {:.3} ms = {:.2}% (target < 5%)",
        ms(at_once),
        ms(tail),
        100.0 * tail.as_secs_f64() / at_once.as_secs_f64()
    );
}

/// Streams `bytes` at the given pace; returns (last byte → module, whole feed).
fn streamed(bytes: &[u8], interval: Duration) -> (Duration, Duration) {
    let (tx, rx) = mpsc::unbounded::<Result<Vec<u8>, std::io::Error>>();
    let chunks: Vec<Vec<u8>> = bytes.chunks(CHUNK).map(<[u8]>::to_vec).collect();
    let feeder = std::thread::spawn(move || {
        let start = Instant::now();
        let n = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            // Chunk i has fully arrived at (i + 1) * interval.
            let due = start + interval * (i as u32 + 1);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            if i + 1 == n {
                let last = Instant::now();
                tx.unbounded_send(Ok(chunk)).unwrap();
                drop(tx);
                return (start, last);
            }
            tx.unbounded_send(Ok(chunk)).unwrap();
        }
        unreachable!("no chunks")
    });
    let module = block_on(rill::compile_streaming(rx)).expect("the module compiles");
    let ready = Instant::now();
    let (start, last) = feeder.join().unwrap();
    drop(module);
    (ready - last, ready - start)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}
