//! Shared helpers for rill's criterion benchmarks (in `benches/`): where the benchmark
//! programs are, and how to load them.

use std::path::PathBuf;

/// `../shared/bench` next to the workspace (or `$RILL_BENCH_DIR`).
pub fn bench_dir() -> PathBuf {
    match std::env::var_os("RILL_BENCH_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench"),
    }
}

/// The `.wasm` files of one folder of the benchmark programs, sorted by name, with their
/// bytes. Panics if the folder is missing: a benchmark without its inputs is an error.
pub fn modules(folder: &str) -> Vec<(String, Vec<u8>)> {
    let dir = bench_dir().join(folder);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}
