//! Lowered size against wasm code size: `cargo run --release --example sizes -- a.wasm b.wasm`.
fn main() {
    for path in std::env::args().skip(1) {
        let t = std::time::Instant::now();
        let module = rill_vm::Module::new(&std::fs::read(&path).unwrap()).unwrap();
        let (wasm, lowered) = module.code_sizes();
        println!(
            "{path}: {wasm} bytes of function bodies, {lowered} bytes lowered ({:.2}x), compiled in {:?}",
            lowered as f64 / wasm as f64,
            t.elapsed()
        );
    }
}
