//! The official WASI testsuite's preview 1 tests (`../shared/wasi-testsuite`, or
//! `$RILL_WASI_TESTSUITE`): one test per `.wasm` of the C, Rust and AssemblyScript suites,
//! run in-process through `rill_wasi::add_to_imports` as its JSON spec says (arguments,
//! environment, the directory preopened as `/`, exit status, standard output).
//!
//! A test's `fs-tests.dir` is copied to a fresh temporary directory first (the testsuite
//! folder is read-only, and tests create and remove files). A test listed in
//! `expected-failures.txt` must fail, and fails if it passes (remove its line then): the
//! list only shrinks. `cargo test -p rill-wasi --release --test wasi-testsuite -- rust/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use libtest_mimic::{Arguments, Failed, Trial};
use rill::{Imports, Instance, Module, Store};
use rill_wasi::{I32Exit, OutputPipe, WasiCtx, WasiCtxBuilder};

const ENV: &str = "RILL_WASI_TESTSUITE";
const SUITES: [&str; 3] = ["assemblyscript", "c", "rust"];
/// Node 20's `node:wasi` on the same tests (NODE-RESULTS.md).
const NODE: [(&str, usize); 3] = [("assemblyscript", 12), ("c", 12), ("rust", 36)];

fn testsuite_dir() -> PathBuf {
    match std::env::var_os(ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wasi-testsuite"),
    }
}

/// A test's spec (upstream's legacy format; missing keys take their defaults).
#[derive(Debug, Default)]
struct Spec {
    args: Vec<String>,
    env: Vec<(String, String)>,
    root: Option<String>,
    exit_code: i32,
    stdout: Option<String>,
    stderr: Option<String>,
}

fn load_spec(path: &Path) -> Result<Spec, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Spec::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let bad = |key: &str| format!("{}: bad {key:?}", path.display());
    let mut spec = Spec::default();
    if let Some(args) = v.get("args") {
        let list = args.as_array().ok_or_else(|| bad("args"))?;
        for a in list {
            spec.args
                .push(a.as_str().ok_or_else(|| bad("args"))?.to_owned());
        }
    }
    if let Some(env) = v.get("env") {
        for (k, val) in env.as_object().ok_or_else(|| bad("env"))? {
            spec.env.push((
                k.clone(),
                val.as_str().ok_or_else(|| bad("env"))?.to_owned(),
            ));
        }
    }
    match v.get("root") {
        None | Some(serde_json::Value::Null) => {}
        Some(r) => spec.root = Some(r.as_str().ok_or_else(|| bad("root"))?.to_owned()),
    }
    if let Some(code) = v.get("exit_code") {
        let code = code.as_i64().ok_or_else(|| bad("exit_code"))?;
        spec.exit_code = i32::try_from(code).map_err(|_| bad("exit_code"))?;
    }
    for (key, slot) in [("stdout", &mut spec.stdout), ("stderr", &mut spec.stderr)] {
        if let Some(s) = v.get(key) {
            *slot = Some(s.as_str().ok_or_else(|| bad(key))?.to_owned());
        }
    }
    Ok(spec)
}

/// Copies the directory tree `from` to `to` (files and directories; the testsuite's trees
/// hold nothing else).
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            // The copy must be writable even though shared/ is not.
            let mut perms = std::fs::metadata(&target)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms)?;
        }
    }
    Ok(())
}

/// Makes a copied tree's directories writable (copies of read-only directories are not).
fn make_writable(dir: &Path) -> std::io::Result<()> {
    let mut perms = std::fs::metadata(dir)?.permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(dir, perms)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            make_writable(&entry.path())?;
        }
    }
    Ok(())
}

struct State {
    wasi: WasiCtx,
}

/// Runs one test; `Err` says how it failed.
fn run_test(root: &Path, suite: &str, name: &str) -> Result<(), String> {
    let dir = root.join(suite);
    let wasm = std::fs::read(dir.join(format!("{name}.wasm"))).map_err(|e| e.to_string())?;
    let spec = load_spec(&dir.join(format!("{name}.json")))?;

    let (stdout, stderr) = (OutputPipe::new(), OutputPipe::new());
    let mut b = WasiCtxBuilder::new();
    b.arg(format!("{name}.wasm"))
        .args(spec.args.iter().cloned())
        .envs(spec.env.iter().cloned())
        .stdin_bytes(Vec::new())
        .stdout(stdout.clone())
        .stderr(stderr.clone());
    let scratch = std::env::temp_dir().join(format!(
        "rill-wasi-testsuite-{}-{suite}-{name}",
        std::process::id()
    ));
    if let Some(r) = &spec.root {
        let _ = std::fs::remove_dir_all(&scratch);
        copy_tree(&dir.join(r), &scratch).map_err(|e| format!("copying {r}: {e}"))?;
        make_writable(&scratch).map_err(|e| e.to_string())?;
        b.preopened_dir(&scratch, "/").map_err(|e| e.to_string())?;
    }
    let wasi = b.build();

    let outcome = (|| -> Result<i32, rill::Error> {
        let module = Module::new(&wasm)?;
        let mut store = Store::new(State { wasi });
        let mut imports = Imports::new();
        rill_wasi::add_to_imports(&mut store, &mut imports, |s: &mut State| &mut s.wasi);
        let instance = Instance::new(&mut store, &module, &imports)?;
        let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
        match start.call(&mut store, ()) {
            Ok(()) => Ok(0),
            Err(e) => I32Exit::from_error(&e).ok_or(e),
        }
    })();
    if spec.root.is_some() {
        let _ = std::fs::remove_dir_all(&scratch);
    }

    let text = |p: &OutputPipe| String::from_utf8_lossy(&p.contents()).into_owned();
    let (out, err) = (text(&stdout), text(&stderr));
    let context = || format!("\n--- stdout:\n{out}\n--- stderr:\n{err}");
    for (what, expected, got) in [
        ("stdout", &spec.stdout, &out),
        ("stderr", &spec.stderr, &err),
    ] {
        // Upstream's rule: the output starts with the expected text.
        if let Some(e) = expected {
            if !got.starts_with(e.as_str()) {
                return Err(format!("{what} should start with {e:?}{}", context()));
            }
        }
    }
    match outcome {
        Ok(code) if code == spec.exit_code => Ok(()),
        Ok(code) => Err(format!(
            "exit status {code}, expected {}{}",
            spec.exit_code,
            context()
        )),
        Err(e) => Err(format!("{e}{}", context())),
    }
}

/// `expected-failures.txt`: `SUITE/NAME  REASON` per line.
fn expected_failures(tests: &[(String, String)]) -> (BTreeMap<String, String>, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected-failures.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let (mut list, mut errors) = (BTreeMap::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, reason) = line.split_once([' ', '\t']).unwrap_or((line, ""));
        if reason.trim().is_empty() {
            errors.push(format!(
                "expected-failures.txt:{}: {key} has no reason",
                i + 1
            ));
        } else if !tests.iter().any(|(s, n)| format!("{s}/{n}") == key) {
            errors.push(format!("expected-failures.txt:{}: no test {key}", i + 1));
        } else if list
            .insert(key.to_owned(), reason.trim().to_owned())
            .is_some()
        {
            errors.push(format!("expected-failures.txt:{}: {key} twice", i + 1));
        }
    }
    (list, errors)
}

fn main() {
    let args = Arguments::from_args();
    let root = testsuite_dir();
    let mut tests = Vec::new();
    for suite in SUITES {
        let Ok(entries) = std::fs::read_dir(root.join(suite)) else {
            continue;
        };
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            if let Some(name) = file.strip_suffix(".wasm") {
                tests.push((suite.to_owned(), name.to_owned()));
            }
        }
    }
    tests.sort();
    if tests.is_empty() {
        let msg = format!(
            "no tests under {} (set ${ENV} to the wasi-testsuite folder)",
            root.display()
        );
        let trial = Trial::test("wasi-testsuite", move || Err(Failed::from(msg.clone())));
        libtest_mimic::run(&args, vec![trial]).exit();
    }
    let (expected, list_errors) = expected_failures(&tests);
    let mut trials = vec![Trial::test("expected-failures.txt", move || {
        if list_errors.is_empty() {
            Ok(())
        } else {
            Err(Failed::from(list_errors.join("\n")))
        }
    })];
    let passed: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let ran = Arc::new(AtomicUsize::new(0));
    let root = Arc::new(root);
    for (suite, name) in &tests {
        let (suite, name) = (suite.clone(), name.clone());
        let key = format!("{suite}/{name}");
        let reason = expected.get(&key).cloned();
        let (root, passed, ran) = (Arc::clone(&root), Arc::clone(&passed), Arc::clone(&ran));
        trials.push(Trial::test(key.clone(), move || {
            let result = run_test(&root, &suite, &name);
            ran.fetch_add(1, Ordering::SeqCst);
            if result.is_ok() {
                *passed.lock().unwrap().entry(suite.clone()).or_default() += 1;
            }
            match (result, reason) {
                (Ok(()), None) => Ok(()),
                (Err(e), None) => Err(Failed::from(e)),
                (Err(_), Some(_)) => Ok(()),
                (Ok(()), Some(r)) => Err(Failed::from(format!(
                    "{key} passes but is listed in expected-failures.txt ({r}): remove its line"
                ))),
            }
        }));
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if ran.load(Ordering::SeqCst) == tests.len() {
        let passed = passed.lock().unwrap();
        let counts: Vec<String> = NODE
            .iter()
            .map(|(suite, node)| {
                let total = tests.iter().filter(|t| t.0 == *suite).count();
                let ours = passed.get(*suite).copied().unwrap_or(0);
                format!("{suite} {ours}/{total} (Node {node}/{total})")
            })
            .collect();
        println!("wasi-testsuite passes: {}", counts.join(", "));
    }
    conclusion.exit();
}
