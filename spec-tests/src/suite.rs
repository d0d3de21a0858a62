//! Where the testsuite and the expected-failures list are, and what is in them.

use std::path::{Path, PathBuf};

use crate::expected::Expectations;

/// The environment variable that points at a testsuite checkout.
pub const TESTSUITE_ENV: &str = "RILL_TESTSUITE";

/// `$RILL_TESTSUITE`, else `shared/testsuite` beside the workspace root.
pub fn testsuite_dir() -> PathBuf {
    match std::env::var_os(TESTSUITE_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testsuite"),
    }
}

/// The checked-in list of expected failures.
pub fn expected_failures_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("expected-failures.txt")
}

/// Every `.wast` file under `root`, as sorted paths relative to it with `/` separators.
/// Finding none is an error: a missing testsuite must never look like a passing one.
pub fn wast_files(root: &Path) -> Result<Vec<String>, String> {
    let mut files = Vec::new();
    walk(root, "", &mut files).map_err(|e| {
        format!(
            "cannot read the testsuite at {}: {e} (set ${TESTSUITE_ENV} to a checkout of WebAssembly/testsuite)",
            root.display()
        )
    })?;
    if files.is_empty() {
        return Err(format!(
            "no .wast files under {} (set ${TESTSUITE_ENV} to a checkout of WebAssembly/testsuite)",
            root.display()
        ));
    }
    files.sort();
    Ok(files)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let ty = entry.file_type()?;
        if ty.is_dir() || (ty.is_symlink() && entry.path().is_dir()) {
            walk(&entry.path(), &rel, out)?;
        } else if name.ends_with(".wast") {
            out.push(rel);
        }
    }
    Ok(())
}

/// Reads and parses expected-failures.txt; problems with the list itself (bad lines, entries
/// for files the testsuite does not have) are returned as messages.
pub fn load_expectations(path: &Path, files: &[String]) -> (Expectations, Vec<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            return (
                Expectations::default(),
                vec![format!("cannot read {}: {e}", path.display())],
            )
        }
    };
    let (expectations, mut errors) = Expectations::parse(&text);
    for unknown in expectations.unknown_files(files) {
        errors.push(format!(
            "expected-failures.txt: `{unknown}` is not a .wast file of the testsuite; fix or remove its entries"
        ));
    }
    (expectations, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_testsuite_is_an_error() {
        let err = wast_files(Path::new("/nonexistent/testsuite")).unwrap_err();
        assert!(err.contains(TESTSUITE_ENV), "{err}");
    }

    #[test]
    fn empty_testsuite_is_an_error() {
        let dir = std::env::temp_dir().join(format!("rill-spec-empty-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/readme.md"), "x").unwrap();
        let err = wast_files(&dir).unwrap_err();
        assert!(err.contains("no .wast files"), "{err}");
        std::fs::write(dir.join("sub/a.wast"), "(module)").unwrap();
        std::fs::write(dir.join("b.wast"), "(module)").unwrap();
        assert_eq!(wast_files(&dir).unwrap(), vec!["b.wast", "sub/a.wast"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn checked_in_list_parses() {
        let text = std::fs::read_to_string(expected_failures_path()).unwrap();
        let (_, errors) = Expectations::parse(&text);
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
