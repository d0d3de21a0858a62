//! `cargo run -p spec-tests --release -- --summary [--failures N] [FILTER…]`
//!
//! Runs every testsuite file (or those whose path contains one of the FILTERs) on all cores,
//! prints the unexpected results (at most N per file, default 5; 0 for none), then one line per
//! directive kind, one per folder, and last `spec-summary: passed=N failed=N xfail=N notrun=N`.
//! Exits 1 when anything failed unexpectedly or an expected failure passed.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use spec_tests::engine::StageEngine;
use spec_tests::report::{Judgement, Summary};
use spec_tests::{check_file, suite};

const USAGE: &str = "usage: spec-tests --summary [--failures N] [FILTER...]";

fn main() -> ExitCode {
    let mut summary_requested = false;
    let mut max_failures = 5usize;
    let mut filters = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--summary" => summary_requested = true,
            "--failures" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => max_failures = n,
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') => {
                eprintln!("unknown option {s}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => filters.push(arg),
        }
    }
    if !summary_requested {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }

    let start = Instant::now();
    let root = suite::testsuite_dir();
    let mut summary = Summary::default();
    let files = match suite::wast_files(&root) {
        Ok(files) => files,
        Err(e) => {
            summary.global_problems.push(e);
            return finish(summary, &[], max_failures, start);
        }
    };
    let (expected, list_errors) =
        suite::load_expectations(&suite::expected_failures_path(), &files);
    summary.global_problems.extend(list_errors);

    let mut selected: Vec<String> = files
        .into_iter()
        .filter(|f| filters.is_empty() || filters.iter().any(|p| f.contains(p.as_str())))
        .collect();
    if selected.is_empty() {
        summary
            .global_problems
            .push(format!("no testsuite file matches {filters:?}"));
    }
    // Largest first, so the threads finish together.
    selected
        .sort_by_key(|f| std::cmp::Reverse(std::fs::metadata(root.join(f)).map_or(0, |m| m.len())));

    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(selected.len()));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads.min(selected.len()).max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(rel) = selected.get(i) else { break };
                let j = check_file::<StageEngine>(&root, rel, &expected);
                results.lock().unwrap().push(j);
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.path.cmp(&b.path));
    for j in &results {
        summary.add(j);
    }
    finish(summary, &results, max_failures, start)
}

fn finish(
    summary: Summary,
    results: &[Judgement],
    max_failures: usize,
    start: Instant,
) -> ExitCode {
    for p in &summary.global_problems {
        println!("error: {p}");
    }
    if max_failures > 0 {
        for j in results.iter().filter(|j| !j.ok()) {
            for p in j.problems.iter().take(max_failures) {
                println!("FAIL {p}");
            }
            if j.problems.len() > max_failures {
                println!(
                    "FAIL {}: … and {} more (--failures N shows more)",
                    j.path,
                    j.problems.len() - max_failures,
                );
            }
        }
    }
    if !summary.files_with_problems.is_empty() {
        println!(
            "# {} of {} files have unexpected results",
            summary.files_with_problems.len(),
            results.len()
        );
    }
    println!(
        "# {} files in {:.1}s",
        results.len(),
        start.elapsed().as_secs_f64()
    );
    print!("{}", summary.render());
    if summary.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
