//! Runs one export of a module with one i32 argument, for profiling:
//! `cargo run --release --example micro -- file.wasm loop 10000000`.
use std::sync::Arc;
fn main() {
    let mut args = std::env::args().skip(1);
    let (path, name, n) = (
        args.next().unwrap(),
        args.next().unwrap(),
        args.next().unwrap(),
    );
    let module = Arc::new(rill_vm::Module::new(&std::fs::read(path).unwrap()).unwrap());
    let mut store = rill_vm::Store::new();
    let inst = store.instantiate(&module, &[]).unwrap();
    let Some(rill_vm::Extern::Func(f)) = store.export(inst, &name) else {
        panic!()
    };
    let t = std::time::Instant::now();
    let r = store.invoke(f, &[rill_vm::Value::I32(n.parse().unwrap())]);
    println!("{r:?} in {:?}", t.elapsed());
}
