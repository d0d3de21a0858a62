//! The `rill` command: run, inspect and validate WebAssembly modules, and run spec-style
//! `.wast` scripts. Everything goes through the `rill` façade; modules are streamed into it
//! from a file, standard input or an `http://` URL.

/// `println!` that ends the command quietly (exit code 2) when standard output is closed, as
/// in `rill wast … | head`, instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($t)*).is_err() {
            std::process::exit(i32::from(crate::failure::EXIT_USAGE_IO));
        }
    }};
}

mod failure;
mod inspect;
mod run;
mod source;
mod wast;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use failure::{Class, EXIT_CODES_HELP};
use source::Input;

const MODULE_HELP: &str =
    "A .wasm file, a .wat file (text format), `-` for standard input, or an http:// URL";

#[derive(Parser)]
#[command(
    name = "rill",
    version,
    about = "The rill WebAssembly engine",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a module while it streams in, instantiate it, and call a function.
    ///
    /// A WASI program (a module importing from `wasi_snapshot_preview1`) gets ARGS as its
    /// arguments after argv[0], the module's name; its `_start` is called and rill exits
    /// with the program's exit status. It sees only the directories given with --dir and
    /// the variables given with --env, and uses rill's standard input, output and error.
    /// Put rill's options before the module, or end them with `--`.
    ///
    /// Otherwise, and with --invoke, instantiating runs the module's start function, and
    /// then the function is called (without --invoke: the `_start` export, if there is
    /// one). The arguments are parsed by the parameter types of the function: i32 and i64
    /// in decimal or 0x hex, f32 and f64 as decimals, `inf`, `-inf`, `nan` or `nan:0x…`,
    /// and `null` for a reference. Each result is printed on a line of its own.
    #[command(after_help = EXIT_CODES_HELP)]
    Run {
        #[arg(help = MODULE_HELP)]
        module: String,
        /// The exported function to call, with typed arguments (a WASI program then gets
        /// only argv[0]).
        #[arg(long, value_name = "NAME")]
        invoke: Option<String>,
        /// WASI: give the program the host directory HOST, under the name GUEST (default:
        /// HOST as given). Repeatable.
        #[arg(long = "dir", value_name = "HOST[::GUEST]", value_parser = parse_dir)]
        dirs: Vec<(String, String)>,
        /// WASI: set an environment variable for the program (it sees no others).
        /// Repeatable.
        #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse_env)]
        envs: Vec<(String, String)>,
        /// Limit the bytes of all the store's memories together (the module's, the
        /// preloaded modules', WASI's): BYTES is a number with an optional suffix, KiB,
        /// MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000), e.g. 64MiB.
        /// A guest whose memory.grow would go over gets -1; a module whose own memories
        /// are over it fails to instantiate with a RangeError.
        #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
        max_memory: Option<u64>,
        /// Instantiate another module first and provide its exports to imports from module
        /// NAME (repeatable; each may import from the ones before it).
        #[arg(long, value_name = "NAME=FILE", value_parser = parse_preload)]
        preload: Vec<(String, String)>,
        /// Stop the guest once this much time has passed since it was compiled (its start
        /// function included): e.g. `500ms`, `2s`, `1.5s`, `1m`; a bare number is seconds.
        /// A stopped guest is a RuntimeError "deadline exceeded" (exit code 4).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        timeout: Option<std::time::Duration>,
        /// Let the guest execute this much fuel (its start function included), then stop it
        /// with a RuntimeError "out of fuel" (exit code 4). Each wasm operator costs 1
        /// (block, loop, else and end cost nothing; bulk memory and table operators 1 more
        /// per 64 bytes or elements), so the same N stops at the same instruction on every
        /// run. The module is compiled with fuel metering.
        #[arg(long, value_name = "N")]
        fuel: Option<u64>,
        /// The function's arguments.
        #[arg(
            value_name = "ARGS",
            trailing_var_arg = true,
            allow_hyphen_values = true
        )]
        args: Vec<String>,
    },
    /// Decode a module as it streams in and print its sections (offsets and sizes), its
    /// imports and exports with their types, and its custom sections.
    ///
    /// Only decodes: a module that is well-formed but invalid is shown too.
    #[command(after_help = EXIT_CODES_HELP)]
    Inspect {
        #[arg(help = MODULE_HELP)]
        module: String,
    },
    /// Validate modules: exit 0 if all are valid, else print each error with its file and
    /// byte offset and exit 1.
    #[command(after_help = EXIT_CODES_HELP)]
    Validate {
        #[arg(required = true, help = MODULE_HELP)]
        modules: Vec<String>,
    },
    /// Run spec-style .wast scripts and print each directive's result and a summary.
    ///
    /// Uses the spec-test harness (the engine stage the official testsuite runs on). A file
    /// inside the testsuite (../shared/testsuite or $RILL_TESTSUITE) is judged against
    /// spec-tests/expected-failures.txt. Exits 1 when anything failed unexpectedly.
    #[command(after_help = EXIT_CODES_HELP)]
    Wast {
        /// Print only the unexpected failures and the counts.
        #[arg(short, long)]
        quiet: bool,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

fn parse_preload(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, file)) if !name.is_empty() && !file.is_empty() => {
            Ok((name.to_owned(), file.to_owned()))
        }
        _ => Err(format!("expected NAME=FILE, got {s:?}")),
    }
}

/// `--max-memory BYTES`: a whole number of bytes, optionally followed (a space allowed
/// between) by `B`, `KiB`, `MiB`, `GiB`, `TiB` (binary) or `KB`, `MB`, `GB`, `TB`
/// (decimal); the suffix's case does not matter.
fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let bad =
        || format!("expected a number of bytes such as 100000, 512KiB, 64MiB or 1GiB, got {s:?}");
    if digits.is_empty() {
        return Err(bad());
    }
    let unit: u64 = match suffix.trim_start().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => return Err(bad()),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| format!("{s:?} is too many bytes"))
}

/// `--dir HOST[::GUEST]`.
fn parse_dir(s: &str) -> Result<(String, String), String> {
    let (host, guest) = match s.split_once("::") {
        Some((h, g)) => (h, g),
        None => (s, s),
    };
    if host.is_empty() || guest.is_empty() {
        return Err(format!("expected HOST or HOST::GUEST, got {s:?}"));
    }
    Ok((host.to_owned(), guest.to_owned()))
}

/// `--timeout DURATION`: a decimal number with an optional unit (`ms`, `s`, `m`, `h`;
/// seconds without one).
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let seconds_per_unit = match unit.trim() {
        "ms" => 1e-3,
        "" | "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "expected a duration like 500ms, 2s or 1m, got {s:?}"
            ))
        }
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("expected a duration like 500ms, 2s or 1m, got {s:?}"))?;
    std::time::Duration::try_from_secs_f64(n * seconds_per_unit)
        .map_err(|_| format!("a duration out of range: {s:?}"))
}

/// `--env KEY=VALUE`.
fn parse_env(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Wast { quiet, files } => match wast::wast(&files, quiet) {
            Ok(code) => ExitCode::from(code),
            Err(f) => f.report(),
        },
        command => {
            let rt = match source::runtime() {
                Ok(rt) => rt,
                Err(f) => return f.report(),
            };
            match command {
                Command::Run {
                    module,
                    invoke,
                    dirs,
                    envs,
                    max_memory,
                    preload,
                    timeout,
                    fuel,
                    args,
                } => {
                    let args = run::RunArgs {
                        module: Input::parse(&module),
                        invoke,
                        args,
                        preloads: preload
                            .into_iter()
                            .map(|(name, file)| (name, Input::parse(&file)))
                            .collect(),
                        dirs,
                        envs,
                        timeout,
                        max_memory,
                        fuel,
                    };
                    match run::run(&rt, args) {
                        Ok(status) => ExitCode::from(status),
                        Err(f) => f.report(),
                    }
                }
                Command::Inspect { module } => {
                    match inspect::inspect(&rt, &Input::parse(&module)) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(f) => f.report(),
                    }
                }
                Command::Validate { modules } => validate(&rt, &modules),
                Command::Wast { .. } => unreachable!("handled above"),
            }
        }
    }
}

/// `rill validate`: compiles each module as it streams in (the façade validates and lowers
/// in one pass), printing `FILE: valid` or the error.
fn validate(rt: &tokio::runtime::Runtime, modules: &[String]) -> ExitCode {
    let mut worst: Option<Class> = None;
    for m in modules {
        let input = Input::parse(m);
        match source::compile(rt, &input) {
            Ok(_) => out!("{input}: valid"),
            Err(f) => {
                eprintln!("{f}");
                // An unreadable module outranks an invalid one.
                worst = match (worst, f.class) {
                    (Some(Class::IoError), _) => Some(Class::IoError),
                    (_, c) => Some(c),
                };
            }
        }
    }
    match worst {
        None => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(c.exit_code()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dir_and_env_syntax() {
        assert_eq!(parse_dir("data"), Ok(("data".into(), "data".into())));
        assert_eq!(
            parse_dir("/tmp/x::/data"),
            Ok(("/tmp/x".into(), "/data".into()))
        );
        assert!(parse_dir("::/data").is_err());
        assert!(parse_dir("x::").is_err());
        assert_eq!(parse_env("A=b=c"), Ok(("A".into(), "b=c".into())));
        assert_eq!(parse_env("A="), Ok(("A".into(), String::new())));
        assert!(parse_env("=b").is_err());
        assert!(parse_env("A").is_err());
    }

    #[test]
    fn duration_syntax() {
        use std::time::Duration;
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        for bad in ["", "ms", "5 parsecs", "-1s", "1e400s", "1..2s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_bytes("100000"), Ok(100_000));
        assert_eq!(parse_bytes("0"), Ok(0));
        assert_eq!(parse_bytes("512KiB"), Ok(512 << 10));
        assert_eq!(parse_bytes("64MiB"), Ok(64 << 20));
        assert_eq!(parse_bytes("64mib"), Ok(64 << 20));
        assert_eq!(parse_bytes("1GiB"), Ok(1 << 30));
        assert_eq!(parse_bytes("2TiB"), Ok(2 << 40));
        assert_eq!(parse_bytes("64 MiB"), Ok(64 << 20));
        assert_eq!(parse_bytes("10B"), Ok(10));
        assert_eq!(parse_bytes("3KB"), Ok(3_000));
        assert_eq!(parse_bytes("64MB"), Ok(64_000_000));
        assert_eq!(parse_bytes("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_bytes("18446744073709551615"), Ok(u64::MAX));
        for bad in [
            "", "MiB", "-1", "1.5GiB", "64 M", "64XB", "0x10", "1 2", "+5", "64MiBs",
        ] {
            assert!(parse_bytes(bad).is_err(), "{bad:?} accepted");
        }
        // Too large: an error, not a wrap-around.
        assert!(parse_bytes("18446744073709551616").is_err());
        assert!(parse_bytes("17179869184GiB").is_err());
    }

    #[test]
    fn preload_syntax() {
        assert_eq!(
            parse_preload("env=lib.wasm"),
            Ok(("env".into(), "lib.wasm".into()))
        );
        assert!(parse_preload("env").is_err());
        assert!(parse_preload("=x").is_err());
    }
}
