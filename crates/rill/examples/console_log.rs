//! A `console.log` for wasm: the guest passes a (pointer, length) pair, and the host
//! function reads the string straight out of the guest's memory through its [`Caller`].
//!
//! What it shows:
//! - a typed host function (`Func::wrap`) whose first argument is the `Caller`;
//! - finding the calling instance's memory with `caller.get_export("memory")`;
//! - reading guest memory without copying: `memory.data(&caller)` borrows the bytes
//!   from the store for the duration of the host call, so the `&str` printed points into
//!   wasm's memory;
//! - store data (`Store<T>`) the host function updates: here, how many lines were logged;
//! - a host function that refuses bad input by returning an error, which ends the wasm
//!   call and comes back unchanged as `rill::Error::Host`.
//!
//! ```text
//! cargo run -p rill --release --example console_log
//! ```

use rill::{Caller, Func, HostError, Imports, Instance, Module, Store};

/// The guest: two strings in a data segment, a third one it builds itself, and a `main`
/// that logs all three; `bad` passes a range outside its memory.
const GUEST: &str = r#"
(module
  (import "env" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from wasm!")
  (data (i32.const 32) "The host read this string without copying it.")

  (func (export "main")
    (local $i i32)
    (call $log (i32.const 16) (i32.const 16))
    (call $log (i32.const 32) (i32.const 45))
    ;; Build "0123456789" at address 100 and log that too.
    (loop $digits
      (i32.store8 (i32.add (i32.const 100) (local.get $i))
                  (i32.add (i32.const 48) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $digits (i32.lt_u (local.get $i) (i32.const 10))))
    (call $log (i32.const 100) (i32.const 10)))

  (func (export "bad")
    (call $log (i32.const 65530) (i32.const 100))))
"#;

/// What the host keeps in the store: the number of lines logged.
struct Console {
    lines: usize,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let module = Module::new(wat(GUEST))?;
    let mut store = Store::new(Console { lines: 0 });

    // env.log(ptr, len): print the guest's bytes [ptr, ptr + len) as UTF-8.
    let log = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, Console>, ptr: i32, len: i32| -> Result<(), HostError> {
            // The memory of the instance whose code called us.
            let memory = caller
                .get_export("memory")
                .and_then(|e| e.into_memory())
                .ok_or_else(|| HostError::msg("the guest exports no memory"))?;
            // Borrowed from the store: no copy. The borrow ends before `data_mut` below.
            let bytes = memory.data(&caller)?;
            let (start, len) = (ptr as u32 as usize, len as u32 as usize);
            let text = bytes.get(start..start.saturating_add(len)).ok_or_else(|| {
                HostError::msg(format!(
                    "log: {len} bytes at {start} are outside the guest's memory ({} bytes)",
                    bytes.len()
                ))
            })?;
            let text = std::str::from_utf8(text)
                .map_err(|e| HostError::msg(format!("log: not UTF-8: {e}")))?;
            println!("[wasm] {text}");
            caller.data_mut().lines += 1;
            Ok(())
        },
    );

    let mut imports = Imports::new();
    imports.define("env", "log", log);
    let instance = Instance::new(&mut store, &module, &imports)?;

    let main = instance.get_typed_func::<(), ()>(&store, "main")?;
    main.call(&mut store, ())?;
    println!("the guest logged {} lines", store.data().lines);

    // A pointer past the end of memory: the host function's error ends the call and comes
    // back as it was raised.
    let bad = instance.get_typed_func::<(), ()>(&store, "bad")?;
    match bad.call(&mut store, ()) {
        Err(rill::Error::Host(e)) => println!("`bad` failed as expected: {e}"),
        other => return Err(format!("expected the host's error, got {other:?}").into()),
    }
    Ok(())
}

/// WebAssembly text to binary.
fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).expect("the text lexes");
    let mut module = wast::parser::parse::<wast::Wat>(&buf).expect("the text parses");
    module.encode().expect("the module encodes")
}
