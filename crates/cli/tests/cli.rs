//! Runs the built `rill` binary: each subcommand, standard input, a URL served by a small
//! HTTP server on 127.0.0.1, and each error path with its class and exit code.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// No test waits longer than this for the command.
const TIMEOUT: Duration = Duration::from_secs(120);

fn bench(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/bench")
        .join(rel)
}

fn micro() -> PathBuf {
    bench("micro/micro.wasm")
}

/// A fresh directory for this test's files.
fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "rill-cli-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Standard error starts with the error class.
    fn assert_error(&self, code: i32, class: &str, parts: &[&str]) -> &Self {
        self.assert_code(code);
        assert!(
            self.stderr.starts_with(&format!("{class}: ")),
            "stderr should start with {class}: {}",
            self.stderr
        );
        for p in parts {
            assert!(
                self.stderr.contains(p),
                "stderr should contain {p:?}: {}",
                self.stderr
            );
        }
        self
    }
}

/// Runs `rill ARGS` with `stdin` as standard input, within `TIMEOUT`.
fn rill_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rill"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rill");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        // The command may stop reading early (an error): ignore a broken pipe.
        let _ = input.write_all(&data);
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > TIMEOUT {
            child.kill().unwrap();
            panic!("rill {args:?} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    Run {
        code: status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn rill(args: &[&str]) -> Run {
    rill_with_stdin(args, b"")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ---------------------------------------------------------------------------------------
// rill run

#[test]
fn run_fib_30_from_the_bench_folder() {
    let r = rill(&["run", s(&micro()), "--invoke", "fib", "30"]);
    r.assert_code(0);
    assert_eq!(r.stdout, "832040\n");
    assert_eq!(r.stderr, "");
}

#[test]
fn run_from_standard_input() {
    let wasm = std::fs::read(micro()).unwrap();
    let r = rill_with_stdin(&["run", "-", "--invoke", "fib", "20"], &wasm);
    r.assert_code(0);
    assert_eq!(r.stdout, "6765\n");
}

#[test]
fn run_a_wat_file() {
    let r = rill(&[
        "run",
        s(&bench("micro/micro.wat")),
        "--invoke",
        "memsum",
        "1000",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "-1367998464\n");
}

#[test]
fn arguments_and_results_of_every_type() {
    let dir = temp_dir();
    let m = write(
        &dir,
        "types.wat",
        r#"(module
          (func (export "id") (param i32 i64 f32 f64 externref funcref)
                              (result i32 i64 f32 f64 externref funcref)
            local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 local.get 5))"#,
    );
    let r = rill(&[
        "run",
        s(&m),
        "--invoke",
        "id",
        "-7",
        "0xffffffffffffffff",
        "1.5",
        "-inf",
        "null",
        "null",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "-7\n-1\n1.5\n-inf\nnull\nnull\n");

    let r = rill(&[
        "run",
        s(&m),
        "--invoke",
        "id",
        "4294967295",
        "1",
        "nan",
        "2.5",
        "null",
        "null",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "-1\n1\nnan\n2.5\nnull\nnull\n");
}

#[test]
fn without_invoke_the_start_function_and_start_export_run() {
    let dir = temp_dir();
    // A start function that traps: instantiation fails with its trap.
    let m = write(
        &dir,
        "start.wat",
        "(module (func $s unreachable) (start $s))",
    );
    rill(&["run", s(&m)]).assert_error(4, "RuntimeError", &["unreachable"]);

    // `_start` is called when there is no --invoke.
    let m = write(
        &dir,
        "underscore.wat",
        r#"(module (func (export "_start") (result i32) i32.const 5))"#,
    );
    let r = rill(&["run", s(&m)]);
    r.assert_code(0);
    assert_eq!(r.stdout, "5\n");

    // Neither: instantiating is all there is to do.
    let r = rill(&["run", s(&micro())]);
    r.assert_code(0);
    assert_eq!(r.stdout, "");
}

#[test]
fn preload_provides_imports() {
    let dir = temp_dir();
    let lib = write(
        &dir,
        "lib.wat",
        r#"(module (func (export "double") (param i32) (result i32)
             local.get 0 local.get 0 i32.add))"#,
    );
    let main = write(
        &dir,
        "main.wat",
        r#"(module (import "lib" "double" (func $d (param i32) (result i32)))
             (func (export "quad") (param i32) (result i32)
               local.get 0 call $d call $d))"#,
    );
    let preload = format!("lib={}", s(&lib));
    let r = rill(&[
        "run",
        "--preload",
        &preload,
        s(&main),
        "--invoke",
        "quad",
        "5",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "20\n");

    // Preloaded, but without the field.
    let preload = format!("lib={}", s(&micro()));
    rill(&[
        "run",
        "--preload",
        &preload,
        s(&main),
        "--invoke",
        "quad",
        "5",
    ])
    .assert_error(3, "LinkError", &["\"lib\" \"double\"", "preloaded"]);

    // A preload that is not NAME=FILE is a usage error.
    rill(&["run", "--preload", "lib", s(&main)]).assert_code(2);
}

#[test]
fn preloads_and_module_share_one_store() {
    // The preloaded instances and the module are in one store: the memory `lib` exports is
    // the one `mid` and `main` import, and `mid` calls `lib`'s function.
    let dir = temp_dir();
    let lib = write(
        &dir,
        "lib.wat",
        r#"(module (memory (export "mem") 1)
             (func (export "peek") (result i32) (i32.load (i32.const 0))))"#,
    );
    let mid = write(
        &dir,
        "mid.wat",
        r#"(module (import "lib" "mem" (memory 1))
             (import "lib" "peek" (func $peek (result i32)))
             (func (export "peek2") (result i32) (i32.add (call $peek) (i32.load (i32.const 0)))))"#,
    );
    let main = write(
        &dir,
        "main.wat",
        r#"(module (import "lib" "mem" (memory 1))
             (import "mid" "peek2" (func $peek2 (result i32)))
             (func (export "run") (param i32) (result i32)
               (i32.store (i32.const 0) (local.get 0))
               (call $peek2)))"#,
    );
    let (lib, mid) = (format!("lib={}", s(&lib)), format!("mid={}", s(&mid)));
    let r = rill(&[
        "run",
        "--preload",
        &lib,
        "--preload",
        &mid,
        s(&main),
        "--invoke",
        "run",
        "21",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "42\n");
}

#[test]
fn unknown_import_is_a_link_error_naming_module_and_field() {
    let r = rill(&[
        "run",
        s(&bench("coremark/coremark-minimal.wasm")),
        "--invoke",
        "run",
    ]);
    r.assert_error(3, "LinkError", &["\"env\" \"clock_ms\"", "--preload env="]);
}

#[test]
fn a_trap_prints_the_trap_message() {
    let dir = temp_dir();
    let m = write(
        &dir,
        "div.wat",
        r#"(module (func (export "div") (param i32 i32) (result i32)
             local.get 0 local.get 1 i32.div_s))"#,
    );
    let r = rill(&["run", s(&m), "--invoke", "div", "7", "0"]);
    r.assert_error(4, "RuntimeError", &["integer divide by zero"]);
    assert_eq!(r.stdout, "");
    let r = rill(&["run", s(&m), "--invoke", "div", "7", "-2"]);
    r.assert_code(0);
    assert_eq!(r.stdout, "-3\n");
}

#[test]
fn an_uncaught_exception_prints_its_payload() {
    let dir = temp_dir();
    let m = write(
        &dir,
        "throw.wat",
        r#"(module (tag $e (param i32))
             (func (export "f") (param i32) (result i32) (throw $e (local.get 0))))"#,
    );
    let r = rill(&["run", s(&m), "--invoke", "f", "5"]);
    r.assert_error(4, "Exception", &["f:", "I32(5)"]);
    assert_eq!(r.stdout, "");
}

#[test]
fn wrong_arguments_are_type_errors() {
    let m = micro();
    rill(&["run", s(&m), "--invoke", "fib"]).assert_error(
        3,
        "TypeError",
        &["expected 1 argument (i32), got 0"],
    );
    rill(&["run", s(&m), "--invoke", "fib", "1", "2"]).assert_error(
        3,
        "TypeError",
        &["expected 1 argument (i32), got 2"],
    );
    rill(&["run", s(&m), "--invoke", "fib", "ten"]).assert_error(
        3,
        "TypeError",
        &["argument 1 \"ten\" is not a valid i32"],
    );
    rill(&["run", s(&m), "--invoke", "fib", "4294967296"]).assert_error(
        3,
        "TypeError",
        &["out of range"],
    );
    rill(&["run", s(&m), "--invoke", "fib64", "1.5"]).assert_error(
        3,
        "TypeError",
        &["not a valid i64"],
    );
    rill(&["run", s(&m), "--invoke", "nope"]).assert_error(
        3,
        "TypeError",
        &["no exported function \"nope\"", "fib, fib64, loop, memsum"],
    );
    // `memory` is an export, but not a function.
    rill(&["run", s(&m), "--invoke", "memory"]).assert_error(
        3,
        "TypeError",
        &["no exported function \"memory\""],
    );
}

#[test]
fn missing_file_is_an_io_error() {
    rill(&["run", "/nonexistent/x.wasm"]).assert_error(2, "IoError", &["/nonexistent/x.wasm"]);
    rill(&["inspect", "/nonexistent/x.wasm"]).assert_error(2, "IoError", &["/nonexistent"]);
    rill(&["run", "/nonexistent/x.wat"]).assert_error(2, "IoError", &["/nonexistent/x.wat"]);
}

#[test]
fn malformed_and_invalid_modules_are_compile_errors_with_offsets() {
    let dir = temp_dir();
    let bad = write(&dir, "bad.wasm", b"\0asm\x01\0\0\0\x01\x05");
    rill(&["run", s(&bad)]).assert_error(
        1,
        "CompileError",
        &["bad.wasm", "unexpected end", "at offset 0x9"],
    );
    // The same bytes on standard input.
    let r = rill_with_stdin(&["run", "-"], b"\0asm\x01\0\0\0\x01\x05");
    r.assert_error(1, "CompileError", &["<stdin>", "at offset 0x9"]);
    let not_wasm = write(&dir, "text.wasm", b"hello");
    rill(&["run", s(&not_wasm)]).assert_error(1, "CompileError", &["magic header"]);

    let invalid = write(
        &dir,
        "invalid.wat",
        r#"(module (func (result i32) i64.const 1))"#,
    );
    rill(&["run", s(&invalid)]).assert_error(1, "CompileError", &["type mismatch", "at offset"]);
    // Text that does not parse.
    let broken = write(&dir, "broken.wat", "(module (func");
    rill(&["run", s(&broken)]).assert_error(1, "CompileError", &["broken.wat"]);
}

// ---------------------------------------------------------------------------------------
// rill run: WASI programs

/// A WASI program in the text format: prints each argument on a line of its own, then
/// each environment variable, then exits with status 40 + argc through `proc_exit`.
const ECHO_WAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "\n")
  ;; Writes the NUL-terminated string at $p and a newline.
  (func $line (param $p i32) (local $n i32)
    (block $done (loop $scan
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $scan)))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (local.get $n))
    (i32.store (i32.const 24) (i32.const 8))
    (i32.store (i32.const 28) (i32.const 1))
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 32))))
  ;; Prints the `count` strings whose pointers are at $ptrs.
  (func $lines (param $ptrs i32) (param $count i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (call $line (i32.load (i32.add (local.get $ptrs) (i32.mul (local.get $i) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func (export "_start") (local $argc i32) (local $envc i32)
    (drop (call $args_sizes (i32.const 0) (i32.const 4)))
    (local.set $argc (i32.load (i32.const 0)))
    (drop (call $args_get (i32.const 1024) (i32.const 4096)))
    (call $lines (i32.const 1024) (local.get $argc))
    (drop (call $env_sizes (i32.const 0) (i32.const 4)))
    (local.set $envc (i32.load (i32.const 0)))
    (drop (call $env_get (i32.const 2048) (i32.const 8192)))
    (call $lines (i32.const 2048) (local.get $envc))
    (call $exit (i32.add (i32.const 40) (local.get $argc)))))"#;

#[test]
fn wasi_program_gets_argv_env_and_exits_with_its_status() {
    let dir = temp_dir();
    let m = write(&dir, "echo.wat", ECHO_WAT);
    // Everything after the module is the program's, dashes included; argv[0] is the module.
    let r = rill(&[
        "run",
        "--env",
        "A=1",
        "--env",
        "B=x=y",
        s(&m),
        "one",
        "-v",
        "--dir",
        "x",
    ]);
    r.assert_code(45);
    assert_eq!(
        r.stdout,
        format!("{}\none\n-v\n--dir\nx\nA=1\nB=x=y\n", s(&m))
    );
    assert_eq!(r.stderr, "");

    // `--` ends rill's options; no --env: the program sees no environment.
    let r = rill(&["run", "--", s(&m), "--invoke"]);
    r.assert_code(42);
    assert_eq!(r.stdout, format!("{}\n--invoke\n", s(&m)));

    // --invoke keeps typed arguments: WASI then gets only argv[0].
    let r = rill(&["run", "--invoke", "_start", s(&m)]);
    r.assert_code(41);
    assert_eq!(r.stdout, format!("{}\n", s(&m)));
    rill(&["run", "--invoke", "_start", s(&m), "1"]).assert_error(
        3,
        "TypeError",
        &["expected 0 arguments"],
    );
}

#[test]
fn max_memory_refuses_growth_with_minus_one_and_big_memories_with_a_range_error() {
    let dir = temp_dir();
    let m = write(
        &dir,
        "grow.wat",
        r#"(module (memory 1)
             (func (export "grow") (param i32 i32) (result i32 i32)
               (memory.grow (local.get 0)) (memory.grow (local.get 1))))"#,
    );
    // 128 KiB = 2 pages: the first page more fits, the second does not.
    let r = rill(&[
        "run",
        "--max-memory",
        "128KiB",
        s(&m),
        "--invoke",
        "grow",
        "1",
        "1",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "1\n-1\n");
    // The same in plain bytes, and without a limit both grows succeed.
    let r = rill(&[
        "run",
        "--max-memory=131072",
        s(&m),
        "--invoke",
        "grow",
        "1",
        "1",
    ]);
    assert_eq!(r.stdout, "1\n-1\n");
    let r = rill(&["run", s(&m), "--invoke", "grow", "1", "1"]);
    assert_eq!(r.stdout, "1\n2\n");
    // A decimal megabyte is 15 pages and a bit: 14 more fit, not 15.
    let r = rill(&[
        "run",
        "--max-memory",
        "1MB",
        s(&m),
        "--invoke",
        "grow",
        "15",
        "14",
    ]);
    assert_eq!(r.stdout, "-1\n1\n");

    // A module whose own memory is over the limit does not instantiate: RangeError, exit 5.
    let big = write(&dir, "big.wat", "(module (memory 32))");
    rill(&["run", "--max-memory", "1MiB", s(&big)]).assert_error(
        5,
        "RangeError",
        &[
            "memory 0",
            "2097152 bytes",
            "over the limit of 1048576 bytes",
        ],
    );
    rill(&["run", "--max-memory", "2MiB", s(&big)]).assert_code(0);
    // The limit covers the preloaded modules too (one store).
    rill(&[
        "run",
        "--max-memory",
        "3MiB",
        "--preload",
        &format!("lib={}", s(&big)),
        s(&big),
    ])
    .assert_error(5, "RangeError", &["memory 0", "for all memories"]);

    // A WASI program sees the refused grow as -1 and decides what to do (here, exit 7).
    let wasi = write(
        &dir,
        "wasi_grow.wat",
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start")
               (call $exit (select (i32.const 7) (i32.const 0)
                 (i32.eq (memory.grow (i32.const 16)) (i32.const -1))))))"#,
    );
    rill(&["run", "--max-memory", "1MiB", s(&wasi)]).assert_code(7);
    rill(&["run", "--max-memory", "64MiB", s(&wasi)]).assert_code(0);

    // A value that is not a size is a usage error.
    for bad in ["1.5GiB", "64XB", "-1", "", "99999999999999999999"] {
        let r = rill(&["run", &format!("--max-memory={bad}"), s(&m)]);
        r.assert_code(2);
        assert!(r.stderr.contains("--max-memory"), "{}", r.stderr);
    }
}

#[test]
fn wasi_program_that_returns_exits_0_and_one_that_traps_is_a_runtime_error() {
    let dir = temp_dir();
    let ok = write(
        &dir,
        "ok.wat",
        r#"(module (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
             (memory (export "memory") 1)
             (func (export "_start") (drop (call $y))))"#,
    );
    let r = rill(&["run", s(&ok), "ignored"]);
    r.assert_code(0);
    assert_eq!(r.stdout, "");
    let trap = write(
        &dir,
        "trap.wat",
        r#"(module (import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))
             (memory (export "memory") 1)
             (func (export "_start") (drop (call $y)) unreachable))"#,
    );
    rill(&["run", s(&trap)]).assert_error(4, "RuntimeError", &["unreachable"]);
    // A --dir that cannot be opened.
    rill(&["run", "--dir", s(&dir.join("missing")), s(&ok)]).assert_error(2, "IoError", &["--dir"]);
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// tests/fixtures/files.c, built with Debian's clang and wasi-libc: reads a file from a
/// preopened directory, writes another, lists the directory, prints to stdout.
#[test]
fn wasi_c_program_reads_writes_and_lists_a_preopened_dir() {
    let dir = temp_dir();
    let data = dir.join("data");
    std::fs::create_dir(&data).unwrap();
    write(&data, "input.txt", "alpha\nbeta\ngamma\n");
    write(&data, "zeta.txt", "");
    std::fs::create_dir(data.join("sub")).unwrap();
    let host_dir = format!("{}::/data", s(&data));
    let r = rill(&[
        "run",
        "--dir",
        &host_dir,
        "--env",
        "FILES_MODE=cli-test",
        s(&fixture("files.wasm")),
        "/data",
        "greetings",
    ]);
    r.assert_code(0);
    assert_eq!(
        r.stdout,
        format!(
            "greetings from {}\nFILES_MODE=cli-test\ncopied 3 lines to /data/output.txt\n\
             entry: input.txt\nentry: output.txt\nentry: sub\nentry: zeta.txt\n\
             /etc/passwd: Capabilities insufficient\n",
            s(&fixture("files.wasm"))
        )
    );
    assert_eq!(
        std::fs::read_to_string(data.join("output.txt")).unwrap(),
        "1: alpha\n2: beta\n3: gamma\n"
    );

    // Without the directory the program cannot open its input: it says so and exits 1.
    let r = rill(&["run", s(&fixture("files.wasm")), "/data"]);
    r.assert_code(1);
    assert!(
        r.stderr.starts_with("files: cannot open /data/input.txt"),
        "{}",
        r.stderr
    );
}

/// About 20 s in release (CoreMark calibrates itself to run 10 s of CPU time); a debug
/// build interprets far too slowly for that, so there it is ignored: run
/// `cargo test -p rill-cli --release --test cli coremark`.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "release only: CoreMark runs 10+ s of CPU time"
)]
fn coremark_wasi_prints_its_report_and_exits_0() {
    let r = rill(&["run", s(&bench("coremark/coremark.wasm"))]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("Correct operation validated."),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("CoreMark 1.0 : "), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------
// rill validate

#[test]
fn validate_valid_modules() {
    let r = rill(&["validate", s(&micro()), s(&bench("micro/micro.wat"))]);
    r.assert_code(0);
    assert!(r.stdout.contains("micro.wasm: valid"), "{}", r.stdout);
    assert!(r.stdout.contains("micro.wat: valid"), "{}", r.stdout);
    let wasm = std::fs::read(micro()).unwrap();
    rill_with_stdin(&["validate", "-"], &wasm).assert_code(0);
}

#[test]
fn validate_reports_each_error_with_file_and_offset() {
    let dir = temp_dir();
    let bad = write(&dir, "bad.wasm", b"\0asm\x02\0\0\0");
    let invalid = write(
        &dir,
        "invalid.wat",
        r#"(module (func (result i32) i64.const 1))"#,
    );
    let r = rill(&["validate", s(&bad), s(&micro()), s(&invalid)]);
    r.assert_error(1, "CompileError", &["bad.wasm", "at offset 0x4"]);
    assert!(
        r.stderr.contains("invalid.wat: type mismatch"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
    assert!(r.stdout.contains("micro.wasm: valid"));

    // An unreadable file outranks an invalid one.
    rill(&["validate", s(&bad), "/nonexistent.wasm"]).assert_code(2);
    // At least one module is required.
    rill(&["validate"]).assert_code(2);
}

// ---------------------------------------------------------------------------------------
// rill inspect

#[test]
fn inspect_prints_sections_imports_exports_and_custom_sections() {
    let dir = temp_dir();
    let wat = r#"(module
      (type (func (param i32) (result i64)))
      (import "env" "f" (func (type 0)))
      (import "env" "mem" (memory 1 2))
      (import "env" "g" (global (mut f64)))
      (table (export "t") 3 funcref)
      (global (export "answer") i32 (i32.const 42))
      (func (export "g") (param f32 externref))
      (export "f2" (func 0))
      (@custom "hello" "world")
      (@custom "hello" "again"))"#;
    let m = write(&dir, "m.wat", wat);
    let r = rill(&["inspect", s(&m)]);
    r.assert_code(0);
    for line in [
        "header: version 1",
        "type",
        "code",
        "custom ",
        "imports: 3",
        "  \"env\" \"f\": function (param i32) (result i64)",
        "  \"env\" \"mem\": memory 1 2",
        "  \"env\" \"g\": global (mut f64)",
        "exports: 4",
        "  \"t\": table 3 funcref",
        "  \"answer\": global i32",
        "  \"g\": function (param f32 externref)",
        "  \"f2\": function (param i32) (result i64)",
        "custom sections: 2",
        "  \"hello\": 5 bytes",
    ] {
        assert!(r.stdout.contains(line), "missing {line:?} in\n{}", r.stdout);
    }

    // The same data as the façade's descriptors, in the same order.
    let module = rill::Module::new(wat::parse_str(wat).unwrap()).unwrap();
    let imports: Vec<String> = module
        .imports()
        .iter()
        .map(|i| format!("  {:?} {:?}: {}", i.module, i.name, i.kind))
        .collect();
    let exports: Vec<String> = module
        .exports()
        .iter()
        .map(|e| format!("  {:?}: {}", e.name, e.kind))
        .collect();
    let lines: Vec<&str> = r.stdout.lines().collect();
    let listed = |header: &str, n: usize| -> Vec<&str> {
        let at = lines.iter().position(|l| l.starts_with(header)).unwrap();
        lines[at + 1..at + 1 + n].to_vec()
    };
    for (want, got) in imports.iter().zip(listed("imports:", imports.len())) {
        assert!(got.starts_with(want.as_str()), "{got:?} vs {want:?}");
    }
    for (want, got) in exports.iter().zip(listed("exports:", exports.len())) {
        assert!(got.starts_with(want.as_str()), "{got:?} vs {want:?}");
    }
    assert_eq!(module.custom_sections("hello").len(), 2);
}

#[test]
fn inspect_micro_and_stdin() {
    let r = rill(&["inspect", s(&micro())]);
    r.assert_code(0);
    assert!(r
        .stdout
        .contains("\"fib\": function (param i32) (result i32)"));
    assert!(r.stdout.contains("0x00000008 type"), "{}", r.stdout);
    assert!(r.stdout.contains("end: 256 bytes"), "{}", r.stdout);
    let wasm = std::fs::read(micro()).unwrap();
    let from_stdin = rill_with_stdin(&["inspect", "-"], &wasm);
    from_stdin.assert_code(0);
    assert_eq!(from_stdin.stdout, r.stdout);

    // A truncated module: the sections so far, then the error with its offset.
    let r = rill_with_stdin(&["inspect", "-"], &wasm[..40]);
    r.assert_error(1, "CompileError", &["<stdin>", "at offset"]);
    assert!(r.stdout.contains("0x00000008 type"));
}

// ---------------------------------------------------------------------------------------
// rill wast

#[test]
fn wast_prints_each_directive_and_a_summary() {
    let dir = temp_dir();
    let good = write(
        &dir,
        "good.wast",
        r#"(module (func (export "add") (param i32 i32) (result i32)
             local.get 0 local.get 1 i32.add))
           (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
           (assert_trap (module (func $s unreachable) (start $s)) "unreachable")
           (assert_invalid (module (func (result i32) i64.const 0)) "type mismatch")
           (assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
        "#,
    );
    let r = rill(&["wast", s(&good)]);
    r.assert_code(0);
    assert!(r.stdout.contains("good.wast:1: module: ok"), "{}", r.stdout);
    assert!(
        r.stdout.contains("good.wast:3: assert_return: ok"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("assert_invalid: ok"), "{}", r.stdout);
    assert!(r.stdout.contains("assert_malformed: ok"), "{}", r.stdout);
    assert!(r.stdout.contains("passed=5 failed=0"), "{}", r.stdout);

    let bad = write(
        &dir,
        "bad.wast",
        r#"(module (func (export "one") (result i32) i32.const 1))
           (assert_return (invoke "one") (i32.const 2))
        "#,
    );
    let r = rill(&["wast", s(&good), s(&bad)]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("bad.wast:2: assert_return: FAIL"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("total (2 files): passed=6 failed=1"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("unexpected results in 1 of 2 files"));

    // --quiet prints only the unexpected failures and the counts.
    let r = rill(&["wast", "--quiet", s(&bad)]);
    r.assert_code(1);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);

    // A script that does not parse.
    let broken = write(&dir, "broken.wast", "(module");
    let r = rill(&["wast", s(&broken)]);
    r.assert_code(1);
    assert!(r.stdout.contains("cannot parse"), "{}", r.stdout);

    rill(&["wast", "/nonexistent.wast"]).assert_error(2, "IoError", &["/nonexistent.wast"]);
}

#[test]
fn wast_runs_a_testsuite_file() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testsuite/i32.wast");
    if !file.exists() {
        // The spec-tests crate fails loudly without a testsuite; this only adds the CLI.
        eprintln!("no testsuite at {}", file.display());
        return;
    }
    let r = rill(&["wast", "-q", s(&file)]);
    r.assert_code(0);
    assert!(r.stdout.contains("i32.wast: passed="), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------
// --help

#[test]
fn help_for_every_subcommand_lists_the_exit_codes() {
    for sub in [&[][..], &["run"], &["inspect"], &["validate"], &["wast"]] {
        let mut args = sub.to_vec();
        args.push("--help");
        let r = rill(&args);
        r.assert_code(0);
        assert!(r.stdout.contains("Exit codes:"), "{args:?}: {}", r.stdout);
        assert!(r.stdout.contains("RuntimeError"), "{args:?}: {}", r.stdout);
    }
    let r = rill(&["run", "--help"]);
    assert!(r.stdout.contains("--invoke"));
    assert!(r.stdout.contains("--preload"));
    // An unknown subcommand or option is a usage error.
    rill(&["frobnicate"]).assert_code(2);
    rill(&["run", "--frobnicate", "x.wasm"]).assert_code(2);
}

// ---------------------------------------------------------------------------------------
// http://

/// A small HTTP/1.1 server on 127.0.0.1 (std only). Routes:
/// - `/micro.wasm`: the module, `application/wasm`, sent in small chunks with pauses;
/// - `/text.wasm`: the module as `text/plain`;
/// - `/truncated.wasm`: the first 40 bytes of the module, `application/wasm`;
/// - anything else: 404 (with content type `application/wasm`).
///
/// It serves `connections` connections, each with read and write timeouts, then stops.
fn serve(connections: usize) -> String {
    let wasm = std::fs::read(micro()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let _ = handle(stream, &wasm);
        }
    });
    format!("http://{addr}")
}

fn handle(mut stream: TcpStream, wasm: &[u8]) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
    let (status, content_type, body): (&str, &str, &[u8]) = match path.as_str() {
        "/micro.wasm" => ("200 OK", "application/wasm", wasm),
        "/text.wasm" => ("200 OK", "text/plain", wasm),
        "/truncated.wasm" => ("200 OK", "application/wasm", &wasm[..40]),
        // With the right content type, so that the status is what the façade rejects.
        _ => ("404 Not Found", "application/wasm", b"not found"),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    for chunk in body.chunks(50) {
        stream.write_all(chunk)?;
        stream.flush()?;
        std::thread::sleep(Duration::from_millis(5));
    }
    // Drain whatever the client still sends, then close.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = reader.read_to_end(&mut Vec::new());
    Ok(())
}

#[test]
fn run_a_url() {
    let base = serve(1);
    let r = rill(&[
        "run",
        &format!("{base}/micro.wasm"),
        "--invoke",
        "fib",
        "20",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "6765\n");
}

#[test]
fn validate_and_inspect_a_url() {
    let base = serve(2);
    rill(&["validate", &format!("{base}/micro.wasm")]).assert_code(0);
    let r = rill(&["inspect", &format!("{base}/micro.wasm")]);
    r.assert_code(0);
    assert!(r
        .stdout
        .contains("\"fib\": function (param i32) (result i32)"));
}

#[test]
fn url_errors() {
    let base = serve(4);
    rill(&["run", &format!("{base}/missing.wasm")]).assert_error(3, "TypeError", &["404"]);
    rill(&["run", &format!("{base}/text.wasm")]).assert_error(
        3,
        "TypeError",
        &["text/plain", "application/wasm"],
    );
    rill(&["run", &format!("{base}/truncated.wasm")]).assert_error(
        1,
        "CompileError",
        &["truncated.wasm", "at offset"],
    );
    rill(&["inspect", &format!("{base}/missing.wasm")]).assert_error(3, "TypeError", &["404"]);

    // Nothing listens there.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    rill(&["run", &format!("http://{addr}/x.wasm")]).assert_error(
        2,
        "IoError",
        &["cannot connect"],
    );
    rill(&["run", "https://127.0.0.1/x.wasm"]).assert_error(2, "IoError", &["only http://"]);
    rill(&["run", "http://"]).assert_error(2, "IoError", &["http://"]);
}

#[test]
fn fuel_stops_a_guest_at_the_same_place_every_time() {
    let dir = temp_dir();
    let m = write(
        &dir,
        "spin.wat",
        r#"(module (func (export "spin") (loop (br 0))))"#,
    );
    rill(&["run", "--fuel", "100000", s(&m), "--invoke", "spin"]).assert_error(
        4,
        "RuntimeError",
        &["out of fuel"],
    );
    // A start function pays too.
    let m = write(
        &dir,
        "start.wat",
        r#"(module (func $spin (loop (br 0))) (start $spin))"#,
    );
    rill(&["run", "--fuel", "1000", s(&m)]).assert_error(4, "RuntimeError", &["out of fuel"]);
    // Enough fuel: the same result as without; a little less: stopped, whatever the run.
    let r = rill(&[
        "run",
        "--fuel",
        "1000000",
        s(&micro()),
        "--invoke",
        "fib",
        "20",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "6765\n");
    for _ in 0..2 {
        rill(&[
            "run",
            "--fuel",
            "10000",
            s(&micro()),
            "--invoke",
            "fib",
            "20",
        ])
        .assert_error(4, "RuntimeError", &["out of fuel"]);
    }
    rill(&["run", "--fuel", "lots", s(&m)]).assert_code(2);
}

#[test]
fn timeout_stops_a_guest_that_never_ends() {
    let dir = temp_dir();
    let m = write(
        &dir,
        "spin.wat",
        r#"(module (func (export "spin") (loop (br 0))))"#,
    );
    let started = std::time::Instant::now();
    rill(&["run", "--timeout", "200ms", s(&m), "--invoke", "spin"]).assert_error(
        4,
        "RuntimeError",
        &["deadline exceeded"],
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // A start function is under the same deadline.
    let m = write(
        &dir,
        "start.wat",
        r#"(module (func $spin (loop (br 0))) (start $spin))"#,
    );
    rill(&["run", "--timeout", "0.2s", s(&m)]).assert_error(
        4,
        "RuntimeError",
        &["deadline exceeded"],
    );
    // A guest that ends in time is not affected.
    let r = rill(&[
        "run",
        "--timeout",
        "1m",
        s(&micro()),
        "--invoke",
        "fib",
        "20",
    ]);
    r.assert_code(0);
    assert_eq!(r.stdout, "6765\n");
}
