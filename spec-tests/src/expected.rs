//! The checked-in list of expected failures, `spec-tests/expected-failures.txt`.
//!
//! Format, one entry a line:
//!
//! ```text
//! # a comment
//! binary.wast:120  the decoder accepts an over-long LEB128 here
//! legacy/try_catch.wast  wast 263 cannot parse the folded (try (do …) (catch …)) form
//! ```
//!
//! - `PATH:LINE  REASON`: the case(s) whose directive starts on line LINE (1-based) of PATH
//!   are expected to fail.
//! - `PATH  REASON` (no line): the file as a whole is expected to fail, i.e. it cannot be
//!   parsed.
//! - PATH is relative to the testsuite root, with `/` separators. At least one space or tab
//!   separates it from REASON, which must not be empty. Blank lines and lines starting with `#`
//!   are ignored. An entry may appear only once.

use std::collections::BTreeMap;

/// The entries for one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileExpectations {
    /// Reason the whole file is expected to fail (it cannot be parsed).
    pub whole_file: Option<String>,
    /// Reasons by 1-based line.
    pub lines: BTreeMap<usize, String>,
}

/// The whole list, by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    pub files: BTreeMap<String, FileExpectations>,
}

impl Expectations {
    /// Parses the list. Bad lines are reported (with their line number in the list) and
    /// skipped; the good ones are kept.
    pub fn parse(text: &str) -> (Expectations, Vec<String>) {
        let mut e = Expectations::default();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, reason) = match line.split_once([' ', '\t']) {
                Some((k, r)) => (k, r.trim()),
                None => (line, ""),
            };
            if reason.is_empty() {
                errors.push(format!(
                    "expected-failures.txt:{n}: `{line}` has no reason; write `PATH:LINE  REASON`"
                ));
                continue;
            }
            let (path, case_line) = match key.rsplit_once(':') {
                Some((p, l)) => match l.parse::<usize>() {
                    Ok(l) if l > 0 => (p, Some(l)),
                    _ => {
                        errors.push(format!(
                            "expected-failures.txt:{n}: `{l}` is not a line number (1-based)"
                        ));
                        continue;
                    }
                },
                None => (key, None),
            };
            if !path.ends_with(".wast") || path.starts_with('/') || path.contains('\\') {
                errors.push(format!(
                    "expected-failures.txt:{n}: `{path}` is not a .wast path relative to the testsuite root"
                ));
                continue;
            }
            let file = e.files.entry(path.to_string()).or_default();
            let duplicate = match case_line {
                Some(l) => file.lines.insert(l, reason.to_string()).is_some(),
                None => file.whole_file.replace(reason.to_string()).is_some(),
            };
            if duplicate {
                errors.push(format!(
                    "expected-failures.txt:{n}: duplicate entry `{key}`"
                ));
            }
        }
        (e, errors)
    }

    pub fn file(&self, path: &str) -> Option<&FileExpectations> {
        self.files.get(path)
    }

    /// Entries whose file is not among `paths` (the testsuite's files): stale or misspelt.
    pub fn unknown_files<'a>(&'a self, paths: &[String]) -> Vec<&'a str> {
        self.files
            .keys()
            .filter(|p| paths.binary_search(p).is_err())
            .map(|p| p.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_comments_and_whole_files() {
        let text = "\
# comment
   # indented comment

binary.wast:120  over-long LEB128 accepted
binary.wast:7\treason with\ttabs and  spaces
legacy/try_catch.wast  wast 263 cannot parse folded try
";
        let (e, errors) = Expectations::parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        let b = e.file("binary.wast").unwrap();
        assert_eq!(b.whole_file, None);
        assert_eq!(b.lines[&120], "over-long LEB128 accepted");
        assert_eq!(b.lines[&7], "reason with\ttabs and  spaces");
        let l = e.file("legacy/try_catch.wast").unwrap();
        assert_eq!(
            l.whole_file.as_deref(),
            Some("wast 263 cannot parse folded try")
        );
        assert!(l.lines.is_empty());
    }

    #[test]
    fn rejects_bad_lines_but_keeps_good_ones() {
        let text = "\
a.wast:1
a.wast:x  reason
a.wast:0  reason
/abs.wast:3  reason
notwast.txt:3  reason
a.wast:2  ok
a.wast:2  again
";
        let (e, errors) = Expectations::parse(text);
        assert_eq!(errors.len(), 6, "{errors:#?}");
        assert!(errors[0].contains(":1:") && errors[0].contains("no reason"));
        assert!(errors[1].contains("not a line number"));
        assert!(errors[2].contains("not a line number"));
        assert!(errors[3].contains("relative"));
        assert!(errors[4].contains("relative"));
        assert!(errors[5].contains(":7:") && errors[5].contains("duplicate"));
        assert_eq!(e.file("a.wast").unwrap().lines.len(), 1);
    }

    #[test]
    fn unknown_files() {
        let (e, _) = Expectations::parse("a.wast:1  r\nb/c.wast  r\n");
        let paths = vec!["a.wast".to_string(), "z.wast".to_string()];
        assert_eq!(e.unknown_files(&paths), vec!["b/c.wast"]);
    }
}
