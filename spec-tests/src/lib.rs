//! rill's spec-test harness: runs the official WebAssembly testsuite's `.wast` scripts.
//!
//! - [`suite`] — where the testsuite is and which files it has.
//! - [`run`] — parses one script with the `wast` crate and turns each directive into a case.
//! - [`decode`] — decodes a module with rill's push decoder, whole and byte by byte.
//! - [`engine`] — the [`engine::Engine`] trait, where compilation, instantiation and execution
//!   plug in, one method per directive.
//! - [`execute`] — the engine the test and the summary run ([`engine::StageEngine`]): every
//!   stage after decoding through the façade (`rill::Module`, `Instance`, `Imports`, `Func`).
//! - [`expected`] — `expected-failures.txt`.
//! - [`legacy`] — rewrites the legacy exception-handling files' folded `try` for the parser.
//! - [`report`] — outcomes, judging them against the expected failures, counts, the summary.
//!
//! The test (`tests/spec.rs`, one libtest-mimic case per file) and the summary
//! (`src/main.rs`, `--summary`) both go through [`check_file`].

pub mod decode;
pub mod engine;
pub mod execute;
pub mod expected;
pub mod legacy;
pub mod report;
pub mod run;
pub mod suite;

use std::path::Path;

use engine::Engine;
use expected::Expectations;
use report::{judge, Judgement};

/// Runs one file (path relative to `root`) on a fresh `E` and judges it against `expected`.
pub fn check_file<E: Engine>(root: &Path, rel: &str, expected: &Expectations) -> Judgement {
    let run = run::run_file::<E>(root, rel);
    judge(&run, expected.file(rel))
}
