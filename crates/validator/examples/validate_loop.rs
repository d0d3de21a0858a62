//! Validates a module N times in a loop, for profiling (`perf record`, callgrind):
//! `cargo run --release -p rill-validator --example validate_loop -- FILE [N]`.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: validate_loop FILE [N]");
    let n: usize = args.next().map_or(10, |s| s.parse().expect("N"));
    let bytes = std::fs::read(&path).expect("read");
    let start = Instant::now();
    for _ in 0..n {
        rill_validator::validate(std::hint::black_box(&bytes)).unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = (bytes.len() * n) as f64 / 1e6;
    println!("{path}: {:.1} MB/s", mb / secs);
}
