//! Host functions that call back into wasm: wasm → host → wasm, on one store.
//!
//! What it shows:
//! 1. `sum_squares(n)`: a wasm loop calls the host's `apply(i)` for i = 1..=n; `apply`
//!    finds the calling instance's export `square` with `caller.get_export("square")` and
//!    calls it with `func.call(&mut caller, ..)`; the result flows back through the host
//!    into the wasm loop.
//! 2. `sort_numbers(ptr, len)`: wasm asks the host to sort an `i32` array in its memory,
//!    and the host sorts it with wasm's own comparator `compare(a, b)` (by absolute
//!    value, which the host knows nothing about), called through a `TypedFunc` once per
//!    comparison. The comparator needs the store (`&mut caller`), so the host copies the
//!    numbers out of memory first and writes them back at the end: a memory borrow
//!    cannot stay alive across a call into wasm.
//! 3. Errors flow back too: when the comparator traps (on `i32::MIN`, whose absolute
//!    value does not exist), the host function returns the nested call's error with `?`
//!    and it comes out of the outer call unchanged.
//!
//! ```text
//! cargo run -p rill --release --example callback
//! ```

use std::cmp::Ordering;

use rill::{Caller, Extern, Func, HostError, Imports, Instance, Module, Store, Value};

const GUEST: &str = r#"
(module
  (import "host" "apply" (func $apply (param i32) (result i32)))
  (import "host" "sort" (func $sort (param i32 i32)))
  (memory (export "memory") 1)

  (func (export "square") (param $x i32) (result i32)
    (i32.mul (local.get $x) (local.get $x)))

  ;; 1² + 2² + ... + n², each square computed by wasm, called by the host.
  (func (export "sum_squares") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $sum (i32.add (local.get $sum) (call $apply (local.get $i))))
        (br $next)))
    (local.get $sum))

  ;; |x|; traps on i32::MIN, which has none.
  (func $abs (param $x i32) (result i32)
    (if (i32.eq (local.get $x) (i32.const 0x80000000)) (then unreachable))
    (select (i32.sub (i32.const 0) (local.get $x)) (local.get $x)
            (i32.lt_s (local.get $x) (i32.const 0))))

  ;; Negative, zero or positive: orders by absolute value.
  (func (export "compare") (param $a i32) (param $b i32) (result i32)
    (i32.sub (call $abs (local.get $a)) (call $abs (local.get $b))))

  (func (export "sort_numbers") (param $ptr i32) (param $len i32)
    (call $sort (local.get $ptr) (local.get $len))))
"#;

/// What the host counts in the store.
#[derive(Debug, Default)]
struct Stats {
    applies: u32,
    comparisons: u32,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let module = Module::new(wat(GUEST))?;
    let mut store = Store::new(Stats::default());

    // host.apply(x) = the guest's square(x), through the untyped `Func::call`.
    let apply = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, Stats>, x: i32| -> Result<i32, HostError> {
            caller.data_mut().applies += 1;
            let square = caller
                .get_export("square")
                .and_then(Extern::into_func)
                .ok_or_else(|| HostError::msg("the guest exports no `square`"))?;
            // A rill::Error from the nested call becomes the host function's error with `?`.
            match square.call(&mut caller, &[Value::I32(x)])?[..] {
                [Value::I32(y)] => Ok(y),
                ref other => Err(HostError::msg(format!("square returned {other:?}"))),
            }
        },
    );

    // host.sort(ptr, len): sorts `len` i32s at `ptr` with the guest's `compare`.
    let sort = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, Stats>, ptr: i32, len: i32| -> Result<(), HostError> {
            let memory = caller
                .get_export("memory")
                .and_then(Extern::into_memory)
                .ok_or_else(|| HostError::msg("the guest exports no memory"))?;
            let compare = caller
                .get_export("compare")
                .and_then(Extern::into_func)
                .ok_or_else(|| HostError::msg("the guest exports no `compare`"))?
                .typed::<(i32, i32), i32>(&caller)?;
            // Copy the numbers out (bounds-checked): the comparator needs `&mut caller`.
            let mut bytes = vec![0; len as u32 as usize * 4];
            memory.read(&caller, ptr as u32 as u64, &mut bytes)?;
            let mut numbers: Vec<i32> = bytes
                .chunks_exact(4)
                .map(|b| i32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect();
            // `sort_by` cannot fail: remember the comparator's first error, if any.
            let mut failed = None;
            let mut comparisons = 0;
            numbers.sort_by(|a, b| {
                if failed.is_some() {
                    return Ordering::Equal;
                }
                comparisons += 1;
                match compare.call(&mut caller, (*a, *b)) {
                    Ok(c) => c.cmp(&0),
                    Err(e) => {
                        failed = Some(e);
                        Ordering::Equal
                    }
                }
            });
            if let Some(e) = failed {
                return Err(e.into());
            }
            caller.data_mut().comparisons += comparisons;
            for (slot, n) in bytes.chunks_exact_mut(4).zip(&numbers) {
                slot.copy_from_slice(&n.to_le_bytes());
            }
            memory.write(&mut caller, ptr as u32 as u64, &bytes)?;
            Ok(())
        },
    );

    let mut imports = Imports::new();
    imports.define("host", "apply", apply);
    imports.define("host", "sort", sort);
    let instance = Instance::new(&mut store, &module, &imports)?;

    // 1. wasm → host → wasm, ten times.
    let sum_squares = instance.get_typed_func::<i32, i32>(&store, "sum_squares")?;
    let sum = sum_squares.call(&mut store, 10)?;
    println!(
        "sum_squares(10) = {sum} (host calls: {})",
        store.data().applies
    );
    assert_eq!(sum, 385);

    // 2. The host sorts wasm's memory with wasm's comparator.
    let memory = instance.get_memory(&store, "memory").ok_or("no memory")?;
    let numbers = [5, -3, 9, -1, 0, -7, 2, 8, -4, 6];
    let bytes: Vec<u8> = numbers.iter().flat_map(|n: &i32| n.to_le_bytes()).collect();
    memory.write(&mut store, 64, &bytes)?;
    println!("before: {numbers:?}");
    let sort_numbers = instance.get_typed_func::<(i32, i32), ()>(&store, "sort_numbers")?;
    sort_numbers.call(&mut store, (64, numbers.len() as i32))?;
    // Zero-copy read of the result.
    let sorted: Vec<i32> = memory.data(&store)?[64..64 + bytes.len()]
        .chunks_exact(4)
        .map(|b| i32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    println!(
        "after:  {sorted:?} (by absolute value, {} calls to wasm's compare)",
        store.data().comparisons
    );
    assert_eq!(sorted, [0, -1, 2, -3, -4, 5, 6, -7, 8, 9]);

    // 3. The comparator traps on i32::MIN: wasm → host → wasm (trap) → host (`?`) → wasm
    // → here, the trap unchanged.
    let bad: Vec<u8> = [3, i32::MIN, 1]
        .iter()
        .flat_map(|n| n.to_le_bytes())
        .collect();
    memory.write(&mut store, 64, &bad)?;
    match sort_numbers.call(&mut store, (64, 3)) {
        Err(rill::Error::RuntimeError(e)) => {
            println!(
                "sorting [3, i32::MIN, 1]: the comparator trapped: {}",
                e.message()
            )
        }
        other => return Err(format!("expected a trap, got {other:?}").into()),
    }
    Ok(())
}

/// WebAssembly text to binary.
fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).expect("the text lexes");
    let mut module = wast::parser::parse::<wast::Wat>(&buf).expect("the text parses");
    module.encode().expect("the module encodes")
}
