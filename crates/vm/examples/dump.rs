//! Prints the bytecode of every function of a module: `cargo run --example dump -- file.wasm`.
fn main() {
    let path = std::env::args().nth(1).expect("a .wasm file");
    let bytes = wat::parse_file(&path).unwrap();
    let module = rill_vm::Module::new(&bytes).unwrap();
    for (i, (f, code)) in module.functions().enumerate() {
        println!(
            "func {i}: params {} locals {} frame {}",
            f.params, f.locals, f.frame_size
        );
        for (k, ins) in code.enumerate() {
            println!("  {k:4} {ins:?}");
        }
    }
    let (wasm, lowered) = module.code_sizes();
    println!("code: {wasm} bytes of wasm, {lowered} bytes lowered");
}
