//! What happened to each case, how a file's cases are judged against the expected failures,
//! and the counts the summary prints.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::expected::FileExpectations;

/// The kind of a case: one per `.wast` directive, plus `wast-parse` for a file that cannot be
/// parsed at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Parse,
    Module,
    ModuleDefinition,
    ModuleInstance,
    AssertMalformed,
    AssertMalformedCustom,
    AssertInvalid,
    AssertInvalidCustom,
    AssertUnlinkable,
    Register,
    Invoke,
    AssertReturn,
    AssertTrap,
    AssertExhaustion,
    AssertException,
    AssertSuspension,
    Thread,
    Wait,
}

impl Kind {
    /// Every kind, in the order the summary prints them.
    pub const ALL: [Kind; 18] = [
        Kind::Parse,
        Kind::Module,
        Kind::ModuleDefinition,
        Kind::ModuleInstance,
        Kind::AssertMalformed,
        Kind::AssertMalformedCustom,
        Kind::AssertInvalid,
        Kind::AssertInvalidCustom,
        Kind::AssertUnlinkable,
        Kind::Register,
        Kind::Invoke,
        Kind::AssertReturn,
        Kind::AssertTrap,
        Kind::AssertExhaustion,
        Kind::AssertException,
        Kind::AssertSuspension,
        Kind::Thread,
        Kind::Wait,
    ];

    /// The name used in messages and in the summary (the directive's keyword).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Parse => "wast-parse",
            Kind::Module => "module",
            Kind::ModuleDefinition => "module_definition",
            Kind::ModuleInstance => "module_instance",
            Kind::AssertMalformed => "assert_malformed",
            Kind::AssertMalformedCustom => "assert_malformed_custom",
            Kind::AssertInvalid => "assert_invalid",
            Kind::AssertInvalidCustom => "assert_invalid_custom",
            Kind::AssertUnlinkable => "assert_unlinkable",
            Kind::Register => "register",
            Kind::Invoke => "invoke",
            Kind::AssertReturn => "assert_return",
            Kind::AssertTrap => "assert_trap",
            Kind::AssertExhaustion => "assert_exhaustion",
            Kind::AssertException => "assert_exception",
            Kind::AssertSuspension => "assert_suspension",
            Kind::Thread => "thread",
            Kind::Wait => "wait",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The result of running one case, before it is compared with the expected failures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every check this stage can make passed.
    Pass,
    /// A check failed; the text says what was expected and what happened.
    Fail(String),
    /// The check this directive is about belongs to a later stage (validation, instantiation,
    /// execution). Whatever this stage could check on the way (decoding) passed.
    NotRun,
    /// The case cannot apply to a binary engine: a text-format-only module, a module the
    /// `wast` crate cannot encode where that is the point of the test, a component.
    NotApplicable(String),
}

/// One case: a directive at a line of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// 1-based line of the directive's keyword; 0 for the file as a whole.
    pub line: usize,
    pub kind: Kind,
    pub outcome: Outcome,
}

/// All cases of one `.wast` file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileRun {
    /// Path relative to the testsuite root, with `/` separators.
    pub path: String,
    /// Set when the file could not be read or parsed; then `cases` is empty.
    pub parse_error: Option<String>,
    pub cases: Vec<Case>,
}

/// How many cases ended which way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    /// Unexpected results: unlisted failures, and listed cases that passed (xpass).
    pub failed: usize,
    /// Listed in expected-failures.txt, and failed.
    pub xfail: usize,
    pub notrun: usize,
    pub na: usize,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.xfail += other.xfail;
        self.notrun += other.notrun;
        self.na += other.na;
    }

    pub fn total(&self) -> usize {
        self.passed + self.failed + self.xfail + self.notrun + self.na
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "passed={} failed={} xfail={} notrun={} na={}",
            self.passed, self.failed, self.xfail, self.notrun, self.na
        )
    }
}

/// Counts per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub by_kind: BTreeMap<Kind, Counts>,
}

impl Tally {
    pub fn kind(&self, kind: Kind) -> Counts {
        self.by_kind.get(&kind).copied().unwrap_or_default()
    }

    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for c in self.by_kind.values() {
            total.add(c);
        }
        total
    }

    pub fn add(&mut self, other: &Tally) {
        for (kind, c) in &other.by_kind {
            self.by_kind.entry(*kind).or_default().add(c);
        }
    }

    fn entry(&mut self, kind: Kind) -> &mut Counts {
        self.by_kind.entry(kind).or_default()
    }
}

/// A file's cases judged against its expected failures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Judgement {
    pub path: String,
    pub tally: Tally,
    /// Everything that makes the file's test fail, one message each: unlisted failures,
    /// listed cases that passed, entries that match no directive.
    pub problems: Vec<String>,
}

impl Judgement {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Compares a file's outcomes with its entries in expected-failures.txt.
///
/// - An unlisted `Fail` is a problem.
/// - A listed line with at least one `Fail` on it: its failures count as xfail.
/// - A listed line whose cases include a `Pass` and no `Fail`: xpass, a problem (the entry must
///   go), counted as failed.
/// - A listed line whose cases are all notrun or n/a stays listed quietly: nothing confirms or
///   refutes it in this stage.
/// - A listed line with no directive on it is a stale entry, a problem.
/// - A file that cannot be parsed is a problem unless the file itself is listed; a listed file
///   that parses is an xpass.
pub fn judge(run: &FileRun, expected: Option<&FileExpectations>) -> Judgement {
    let empty = FileExpectations::default();
    let expected = expected.unwrap_or(&empty);
    let mut j = Judgement {
        path: run.path.clone(),
        ..Judgement::default()
    };
    let path = &run.path;
    let mut problems: Vec<(usize, String)> = Vec::new();

    if let Some(err) = &run.parse_error {
        match &expected.whole_file {
            Some(_) => j.tally.entry(Kind::Parse).xfail += 1,
            None => {
                j.tally.entry(Kind::Parse).failed += 1;
                j.problems.push(format!(
                    "{path}: {}: cannot parse the file: {err}",
                    Kind::Parse
                ));
            }
        }
        // Line entries of an unparsable file can be neither confirmed nor refuted.
        return j;
    }
    if let Some(reason) = &expected.whole_file {
        j.tally.entry(Kind::Parse).failed += 1;
        problems.push((0, format!(
            "{path}: xpass: the file parses now; remove `{path}  {reason}` from expected-failures.txt"
        )));
    }

    let failing_lines: BTreeSet<usize> = run
        .cases
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail(_)))
        .map(|c| c.line)
        .collect();
    let case_lines: BTreeSet<usize> = run.cases.iter().map(|c| c.line).collect();

    for case in &run.cases {
        let listed = expected.lines.get(&case.line);
        let counts = j.tally.entry(case.kind);
        match (&case.outcome, listed) {
            (Outcome::Pass, None) => counts.passed += 1,
            (Outcome::Pass, Some(_)) if failing_lines.contains(&case.line) => counts.passed += 1,
            (Outcome::Pass, Some(reason)) => {
                counts.failed += 1;
                problems.push((case.line, format!(
                    "{path}:{}: {}: xpass: passes now; remove `{path}:{}  {reason}` from expected-failures.txt",
                    case.line, case.kind, case.line
                )));
            }
            (Outcome::Fail(_), Some(_)) => counts.xfail += 1,
            (Outcome::Fail(msg), None) => {
                counts.failed += 1;
                problems.push((
                    case.line,
                    format!("{path}:{}: {}: {msg}", case.line, case.kind),
                ));
            }
            (Outcome::NotRun, _) => counts.notrun += 1,
            (Outcome::NotApplicable(_), _) => counts.na += 1,
        }
    }

    for (line, reason) in &expected.lines {
        if !case_lines.contains(line) {
            problems.push((*line, format!(
                "{path}:{line}: stale entry: no directive starts on this line; fix or remove `{path}:{line}  {reason}` in expected-failures.txt"
            )));
        }
    }
    // In file order; the sort is stable, so cases on one line keep their order.
    problems.sort_by_key(|(line, _)| *line);
    j.problems = problems.into_iter().map(|(_, p)| p).collect();
    j
}

/// The folder a file's counts are summed under: `top-level`, `legacy`, `custom`,
/// `proposals/NAME`, …
pub fn folder_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.len() {
        0 | 1 => "top-level".to_string(),
        _ if parts[0] == "proposals" && parts.len() >= 3 => format!("proposals/{}", parts[1]),
        _ => parts[..parts.len() - 1].join("/"),
    }
}

/// The whole run, for the summary.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub tally: Tally,
    pub by_folder: BTreeMap<String, Counts>,
    /// Problems not tied to one file (the expected-failures list itself, a missing testsuite).
    pub global_problems: Vec<String>,
    /// Files with problems, and how many each.
    pub files_with_problems: Vec<(String, usize)>,
}

impl Summary {
    pub fn add(&mut self, j: &Judgement) {
        self.tally.add(&j.tally);
        self.by_folder
            .entry(folder_of(&j.path))
            .or_default()
            .add(&j.tally.total());
        if !j.problems.is_empty() {
            self.files_with_problems
                .push((j.path.clone(), j.problems.len()));
        }
    }

    /// True when nothing failed unexpectedly and no expected failure passed.
    pub fn ok(&self) -> bool {
        self.global_problems.is_empty() && self.files_with_problems.is_empty()
    }

    /// The per-kind lines, the per-folder lines, and the final machine-readable line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# per directive kind\n");
        for kind in Kind::ALL {
            out.push_str(&format!("{}: {}\n", kind.name(), self.tally.kind(kind)));
        }
        out.push_str("# per folder\n");
        // top level first, then the rest alphabetically
        let mut folders: Vec<(&String, &Counts)> = self.by_folder.iter().collect();
        folders.sort_by_key(|(name, _)| (name.as_str() != "top-level", name.to_string()));
        for (name, counts) in folders {
            out.push_str(&format!("{name}: {counts}\n"));
        }
        let t = self.tally.total();
        // A problem that is no case (stale entry, a broken list) still fails the run.
        let failed = t.failed.max(usize::from(!self.ok()));
        out.push_str(&format!(
            "spec-summary: passed={} failed={} xfail={} notrun={}\n",
            t.passed, failed, t.xfail, t.notrun
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expected::Expectations;

    fn case(line: usize, kind: Kind, outcome: Outcome) -> Case {
        Case {
            line,
            kind,
            outcome,
        }
    }

    fn fail(msg: &str) -> Outcome {
        Outcome::Fail(msg.to_string())
    }

    fn run(cases: Vec<Case>) -> FileRun {
        FileRun {
            path: "a.wast".into(),
            parse_error: None,
            cases,
        }
    }

    fn expectations(text: &str) -> Expectations {
        let (e, errors) = Expectations::parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        e
    }

    #[test]
    fn unlisted_failure_is_a_problem_with_file_line_and_kind() {
        let r = run(vec![
            case(1, Kind::Module, Outcome::Pass),
            case(3, Kind::AssertMalformed, fail("expected \"x\", got \"y\"")),
        ]);
        let j = judge(&r, None);
        assert_eq!(
            j.problems,
            vec!["a.wast:3: assert_malformed: expected \"x\", got \"y\"".to_string()]
        );
        assert_eq!(j.tally.kind(Kind::Module).passed, 1);
        assert_eq!(j.tally.kind(Kind::AssertMalformed).failed, 1);
        assert!(!j.ok());
    }

    #[test]
    fn listed_failure_is_xfail() {
        let e = expectations("a.wast:3  decoder lacks X\n");
        let r = run(vec![case(3, Kind::AssertMalformed, fail("boom"))]);
        let j = judge(&r, e.file("a.wast"));
        assert!(j.ok(), "{:?}", j.problems);
        assert_eq!(j.tally.kind(Kind::AssertMalformed).xfail, 1);
    }

    #[test]
    fn listed_pass_is_xpass() {
        let e = expectations("a.wast:3  decoder lacks X\n");
        let r = run(vec![case(3, Kind::Module, Outcome::Pass)]);
        let j = judge(&r, e.file("a.wast"));
        assert_eq!(j.problems.len(), 1);
        assert!(j.problems[0].contains("xpass"), "{}", j.problems[0]);
        assert!(j.problems[0].contains("a.wast:3  decoder lacks X"));
        assert_eq!(j.tally.kind(Kind::Module).failed, 1);
    }

    #[test]
    fn listed_line_with_a_failure_and_a_pass_is_xfail_plus_pass() {
        let e = expectations("a.wast:3  one of two fails\n");
        let r = run(vec![
            case(3, Kind::AssertReturn, Outcome::Pass),
            case(3, Kind::AssertReturn, fail("boom")),
        ]);
        let j = judge(&r, e.file("a.wast"));
        assert!(j.ok(), "{:?}", j.problems);
        assert_eq!(j.tally.kind(Kind::AssertReturn).passed, 1);
        assert_eq!(j.tally.kind(Kind::AssertReturn).xfail, 1);
    }

    #[test]
    fn listed_notrun_and_na_stay_quiet() {
        let e = expectations("a.wast:3  later stage\na.wast:4  later stage\n");
        let r = run(vec![
            case(3, Kind::AssertReturn, Outcome::NotRun),
            case(
                4,
                Kind::AssertMalformed,
                Outcome::NotApplicable("text".into()),
            ),
        ]);
        let j = judge(&r, e.file("a.wast"));
        assert!(j.ok(), "{:?}", j.problems);
        assert_eq!(j.tally.total().notrun, 1);
        assert_eq!(j.tally.total().na, 1);
    }

    #[test]
    fn stale_entry_is_a_problem() {
        let e = expectations("a.wast:9  gone\n");
        let r = run(vec![case(3, Kind::Module, Outcome::Pass)]);
        let j = judge(&r, e.file("a.wast"));
        assert_eq!(j.problems.len(), 1);
        assert!(j.problems[0].contains("stale entry"));

        // Problems come in file order, stale entries among failures.
        let e = expectations("a.wast:2  gone\n");
        let r = run(vec![
            case(1, Kind::Module, fail("one")),
            case(3, Kind::Module, fail("three")),
        ]);
        let j = judge(&r, e.file("a.wast"));
        assert_eq!(j.problems.len(), 3);
        assert!(j.problems[0].ends_with("one"));
        assert!(j.problems[1].contains("a.wast:2: stale entry"));
        assert!(j.problems[2].ends_with("three"));
    }

    #[test]
    fn unparsable_file() {
        let r = FileRun {
            path: "legacy/x.wast".into(),
            parse_error: Some("unexpected token".into()),
            cases: vec![],
        };
        let j = judge(&r, None);
        assert_eq!(j.problems.len(), 1);
        assert!(j.problems[0].contains("cannot parse"));
        assert_eq!(j.tally.kind(Kind::Parse).failed, 1);

        let e = expectations("legacy/x.wast  folded try\n");
        let j = judge(&r, e.file("legacy/x.wast"));
        assert!(j.ok());
        assert_eq!(j.tally.kind(Kind::Parse).xfail, 1);

        // A listed file that parses now is an xpass.
        let j = judge(&run(vec![]), e.file("legacy/x.wast"));
        assert_eq!(j.problems.len(), 1);
        assert!(j.problems[0].contains("xpass"));
    }

    #[test]
    fn folders() {
        assert_eq!(folder_of("binary.wast"), "top-level");
        assert_eq!(folder_of("legacy/throw.wast"), "legacy");
        assert_eq!(folder_of("custom/branch_hint.wast"), "custom");
        assert_eq!(
            folder_of("proposals/threads/atomic.wast"),
            "proposals/threads"
        );
    }

    #[test]
    fn summary_render_ends_with_one_machine_line() {
        let mut s = Summary::default();
        let r = run(vec![
            case(1, Kind::Module, Outcome::Pass),
            case(2, Kind::AssertInvalid, Outcome::NotRun),
            case(3, Kind::AssertMalformed, fail("x")),
        ]);
        let j = judge(&r, None);
        s.add(&j);
        let text = s.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            *lines.last().unwrap(),
            "spec-summary: passed=1 failed=1 xfail=0 notrun=1"
        );
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("spec-summary:"))
                .count(),
            1
        );
        assert!(lines.contains(&"assert_invalid: passed=0 failed=0 xfail=0 notrun=1 na=0"));
        assert!(lines.contains(&"top-level: passed=1 failed=1 xfail=0 notrun=1 na=0"));
        assert!(!s.ok());
    }
}
