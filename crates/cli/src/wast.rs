//! `rill wast`: runs spec-style scripts with the spec-test harness (the `spec-tests` crate,
//! with the engine stage the testsuite runs on) and prints what each directive did and a
//! summary. A file inside the testsuite is judged against `expected-failures.txt` like the
//! testsuite's own test; any other file has no expected failures.

use std::path::{Path, PathBuf};

use spec_tests::engine::StageEngine;
use spec_tests::expected::Expectations;
use spec_tests::report::{judge, Counts, FileRun, Outcome};
use spec_tests::suite;

use crate::failure::{Failure, EXIT_COMPILE};

/// Runs each script; gives the exit code (0, or 1 when anything failed unexpectedly).
pub fn wast(files: &[PathBuf], quiet: bool) -> Result<u8, Failure> {
    let testsuite = std::fs::canonicalize(suite::testsuite_dir()).ok();
    let expected = std::fs::read_to_string(suite::expected_failures_path())
        .map(|text| Expectations::parse(&text).0)
        .unwrap_or_default();
    let mut total = Counts::default();
    let mut bad_files = 0usize;
    for file in files {
        let full = std::fs::canonicalize(file)
            .map_err(|e| Failure::io(format!("cannot read {}: {e}", file.display())))?;
        // Inside the testsuite, the harness needs the path relative to it (it picks the
        // features and the legacy rewriting by path, and the expected failures use it).
        let (root, rel, in_suite) = match testsuite.as_deref().and_then(|t| relative(&full, t)) {
            Some(rel) => (testsuite.clone().unwrap_or_default(), rel, true),
            None => {
                let parent = full.parent().unwrap_or(Path::new("/")).to_path_buf();
                let name = full
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (parent, name, false)
            }
        };
        let run = spec_tests::run::run_file::<StageEngine>(&root, &rel);
        let listed = if in_suite { expected.file(&rel) } else { None };
        let shown = file.display().to_string();
        print_cases(&run, &shown, listed, quiet);
        let judgement = judge(&run, listed);
        let counts = judgement.tally.total();
        for problem in judgement
            .problems
            .iter()
            .filter(|p| p.contains("xpass") || p.contains("stale entry"))
        {
            out!("{shown}: {problem}");
        }
        out!("{shown}: {counts}");
        if !judgement.ok() {
            bad_files += 1;
        }
        total.add(&counts);
    }
    if files.len() > 1 {
        out!("total ({} files): {total}", files.len());
    }
    if bad_files > 0 {
        eprintln!(
            "wast: unexpected results in {bad_files} of {} file{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
        Ok(EXIT_COMPILE)
    } else {
        Ok(0)
    }
}

/// `full` relative to `root` with `/` separators, if it is inside it.
fn relative(full: &Path, root: &Path) -> Option<String> {
    let rel = full.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

fn print_cases(
    run: &FileRun,
    shown: &str,
    listed: Option<&spec_tests::expected::FileExpectations>,
    quiet: bool,
) {
    if let Some(e) = &run.parse_error {
        let xfail = listed.and_then(|l| l.whole_file.as_deref());
        match xfail {
            Some(reason) => out!("{shown}: expected failure ({reason}): cannot parse: {e}"),
            None => out!("{shown}: FAIL: cannot parse: {e}"),
        }
        return;
    }
    for case in &run.cases {
        let reason = listed.and_then(|l| l.lines.get(&case.line));
        let status = match (&case.outcome, reason) {
            (Outcome::Pass, _) => "ok".to_owned(),
            (Outcome::Fail(msg), Some(reason)) => {
                format!("expected failure ({reason}): {msg}")
            }
            (Outcome::Fail(msg), None) => format!("FAIL: {msg}"),
            (Outcome::NotRun, _) => "not run".to_owned(),
            (Outcome::NotApplicable(why), _) => format!("n/a: {why}"),
        };
        let failed = matches!(case.outcome, Outcome::Fail(_)) && reason.is_none();
        if !quiet || failed {
            out!("{shown}:{}: {}: {status}", case.line, case.kind);
        }
    }
}
