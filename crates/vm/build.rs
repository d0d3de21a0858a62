//! Chooses the interpreter's dispatch (see `src/exec/mod.rs`): handlers that tail-call the
//! next instruction's handler where the optimiser is known to turn those calls into jumps
//! (optimised builds on x86_64 and aarch64), a loop that calls one handler at a time
//! elsewhere (debug builds, Miri, other targets), where a call would grow the native stack.
//! `RILL_DISPATCH=loop` forces the loop, to compare the two.
//!
//! `RILL_INTERRUPT_CHECKS=off` builds an interpreter whose backward branches and calls do
//! not count towards the interruption and deadline checks (`src/interrupt.rs`): only to
//! measure what those checks cost (README.md, "Benchmarks"). Such a build cannot stop a loop.

use std::env;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=RILL_DISPATCH");
    println!("cargo::rustc-check-cfg=cfg(rill_tail_dispatch)");
    println!("cargo::rerun-if-env-changed=RILL_INTERRUPT_CHECKS");
    println!("cargo::rustc-check-cfg=cfg(rill_no_interrupt_checks)");
    if env::var("RILL_INTERRUPT_CHECKS").is_ok_and(|v| v == "off") {
        println!(
            "cargo::warning=RILL_INTERRUPT_CHECKS=off: loops cannot be interrupted in this build"
        );
        println!("cargo::rustc-cfg=rill_no_interrupt_checks");
    }
    let opt = env::var("OPT_LEVEL").unwrap_or_default();
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let optimised = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    let known_arch = matches!(arch.as_str(), "x86_64" | "aarch64");
    let miri = env::var_os("CARGO_CFG_MIRI").is_some();
    let forced_loop = env::var("RILL_DISPATCH").is_ok_and(|v| v == "loop");
    if optimised && known_arch && !miri && !forced_loop {
        println!("cargo::rustc-cfg=rill_tail_dispatch");
    }
}
