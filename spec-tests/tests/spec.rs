//! One test per testsuite file: `cargo test -p spec-tests --release -- binary.wast`.
//!
//! A file's test fails on any unexpected result: an unlisted failure, a listed case that
//! passes, or a stale entry. `expected-failures.txt` has a test of its own, and so does the
//! testsuite's presence: no testsuite is a failure, never an empty pass.

use std::path::PathBuf;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use spec_tests::engine::StageEngine;
use spec_tests::{check_file, suite};

/// At most this many problems are printed per file.
const MAX_PROBLEMS: usize = 50;

fn main() {
    let args = Arguments::from_args();
    let root = suite::testsuite_dir();
    let files = match suite::wast_files(&root) {
        Ok(files) => files,
        Err(e) => {
            let trial = Trial::test("testsuite", move || Err(Failed::from(e.clone())));
            libtest_mimic::run(&args, vec![trial]).exit();
        }
    };
    let (expected, list_errors) =
        suite::load_expectations(&suite::expected_failures_path(), &files);
    let expected = Arc::new(expected);
    let root = Arc::new(root);

    let mut trials = vec![Trial::test("expected-failures.txt", move || {
        if list_errors.is_empty() {
            Ok(())
        } else {
            Err(Failed::from(list_errors.join("\n")))
        }
    })];
    for rel in files {
        let expected = Arc::clone(&expected);
        let root: Arc<PathBuf> = Arc::clone(&root);
        trials.push(Trial::test(rel.clone(), move || {
            let j = check_file::<StageEngine>(&root, &rel, &expected);
            if j.ok() {
                return Ok(());
            }
            let mut msg = j
                .problems
                .iter()
                .take(MAX_PROBLEMS)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n");
            if j.problems.len() > MAX_PROBLEMS {
                msg.push_str(&format!(
                    "\n… and {} more unexpected results in {rel}",
                    j.problems.len() - MAX_PROBLEMS
                ));
            }
            Err(Failed::from(msg))
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
