//! Running several untrusted guests fairly on one thread: a slice of fuel each, in turn.
//!
//! Each guest has its own store (one could also share a store: a suspended call holds its
//! own stack). A guest runs until its slice of fuel is used up; its call is then suspended
//! (`Func::call_resumable`), and the next guest gets a turn. A guest that finishes leaves
//! the queue with its result; one that uses more than its whole budget is dropped, however
//! it loops. The same fuel always stops a guest at the same instruction, so the schedule
//! below is the same on every run and machine.
//!
//! ```text
//! cargo run -p rill --release --example fair_scheduling              # slices of 100,000
//! cargo run -p rill --release --example fair_scheduling -- 5000      # finer slices
//! ```

use std::collections::VecDeque;

use rill::{Func, Imports, Instance, Module, ModuleConfig, ResumableCall, Store, Value};

const GUESTS: &str = r#"
(module
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "sum_to") (param $n i32) (result i32) (local $sum i32)
    (loop
      (local.set $sum (i32.add (local.get $sum) (local.get $n)))
      (br_if 0 (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  (func (export "runaway") (param i32) (result i32)
    (loop (br 0))
    (i32.const 0)))
"#;

/// Fuel a guest may use in all before it is dropped.
const BUDGET: u64 = 20_000_000;

/// A guest waiting for its turn.
struct Guest {
    name: String,
    store: Store<()>,
    /// Its call: not started yet (the function and argument), or suspended.
    call: Call,
    used: u64,
    turns: u32,
}

enum Call {
    Start(Func, i32),
    Suspended(rill::SuspendedCall),
}

fn main() -> Result<(), rill::Error> {
    let slice: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("a slice of fuel"))
        .unwrap_or(100_000);
    let wasm = wat::parse_str(GUESTS).expect("valid text");
    // Metering is compiled in: the module runs in stores that meter fuel.
    let module = Module::with_config(&wasm, ModuleConfig::new().fuel(true))?;

    let mut queue = VecDeque::new();
    for (export, arg) in [
        ("fib", 25),
        ("sum_to", 100_000),
        ("runaway", 0),
        ("fib", 20),
    ] {
        let mut store = Store::new(());
        store.set_fuel(0)?; // metering from the start: a start function would pay too
        let instance = Instance::new(&mut store, &module, &Imports::new())?;
        let f = instance.get_func(&store, export).expect("exported");
        queue.push_back(Guest {
            name: format!("{export}({arg})"),
            store,
            call: Call::Start(f, arg),
            used: 0,
            turns: 0,
        });
    }

    println!("slices of {slice} fuel, a budget of {BUDGET} per guest");
    let mut turn = 0u32;
    while let Some(mut guest) = queue.pop_front() {
        turn += 1;
        guest.turns += 1;
        guest.store.set_fuel(slice)?;
        let outcome = match guest.call {
            Call::Start(f, arg) => f.call_resumable(&mut guest.store, &[Value::I32(arg)])?,
            Call::Suspended(s) => s.resume(&mut guest.store)?,
        };
        guest.used += slice - guest.store.get_fuel().unwrap_or(0);
        match outcome {
            ResumableCall::Finished(results) => println!(
                "turn {turn:>4}: {:<14} finished after {:>3} turns, {:>9} fuel: {results:?}",
                guest.name, guest.turns, guest.used
            ),
            ResumableCall::OutOfFuel(_) if guest.used >= BUDGET => println!(
                "turn {turn:>4}: {:<14} dropped after {:>3} turns, {:>9} fuel: over budget",
                guest.name, guest.turns, guest.used
            ),
            ResumableCall::OutOfFuel(suspended) => {
                guest.call = Call::Suspended(suspended);
                queue.push_back(guest);
            }
        }
    }
    Ok(())
}
