//! The `rill` command. For now: `rill inspect MODULE` decodes a module as a stream and prints
//! its sections. Running, validating and spec scripts come with the later stages.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rill_decoder::{Decoder, Event, Payload};

#[derive(Parser)]
#[command(name = "rill", version, about = "The rill WebAssembly engine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode a module and print its sections with their offsets and sizes.
    Inspect {
        /// A .wasm file, or `-` for standard input.
        module: String,
    },
}

/// Exit code for a module that is not well-formed (a `CompileError`).
const EXIT_COMPILE_ERROR: u8 = 1;
/// Exit code for a file that cannot be read.
const EXIT_IO_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect { module } => inspect(&module),
    }
}

fn inspect(path: &str) -> ExitCode {
    let mut source: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: cannot read {path}: {e}");
                return ExitCode::from(EXIT_IO_ERROR);
            }
        }
    };
    let mut decoder = Decoder::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut bodies = 0usize;
    let mut body_bytes = 0usize;
    loop {
        let n = match source.read(&mut chunk) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("error: reading {path}: {e}");
                return ExitCode::from(EXIT_IO_ERROR);
            }
        };
        let result = if n == 0 {
            decoder.finish()
        } else {
            decoder.push(&chunk[..n])
        };
        while let Some(event) = decoder.next_event() {
            if let Payload::FunctionBody(body) = &event.payload {
                bodies += 1;
                body_bytes += body.bytes.len();
                continue;
            }
            if matches!(event.payload, Payload::End) && bodies > 0 {
                println!("  {bodies} function bodies, {body_bytes} bytes");
            }
            print_event(&event);
        }
        if let Err(e) = result {
            eprintln!("CompileError: {path}: {e}");
            return ExitCode::from(EXIT_COMPILE_ERROR);
        }
        if n == 0 {
            return ExitCode::SUCCESS;
        }
    }
}

fn print_event(event: &Event) {
    let r = &event.range;
    let size = r.end - r.start;
    let line = |name: &str, what: String| {
        println!("{:#010x} {name:<10} {size:>9} bytes  {what}", r.start);
    };
    match &event.payload {
        Payload::Header { version } => println!("header: version {version}"),
        Payload::Custom(c) => line("custom", format!("\"{}\"", c.name.escape_debug())),
        Payload::Type(groups) => {
            let types: usize = groups.iter().map(|g| g.types.len()).sum();
            line(
                "type",
                format!("{types} types in {} rec groups", groups.len()),
            )
        }
        Payload::Import(v) => line("import", format!("{} imports", v.len())),
        Payload::Function(v) => line("function", format!("{} functions", v.len())),
        Payload::Table(v) => line("table", format!("{} tables", v.len())),
        Payload::Memory(v) => line("memory", format!("{} memories", v.len())),
        Payload::Tag(v) => line("tag", format!("{} tags", v.len())),
        Payload::Global(v) => line("global", format!("{} globals", v.len())),
        Payload::Export(v) => line("export", format!("{} exports", v.len())),
        Payload::Start(f) => line("start", format!("function {f}")),
        Payload::Element(v) => line("element", format!("{} segments", v.len())),
        Payload::DataCount(n) => line("datacount", format!("{n} data segments")),
        Payload::CodeStart { count } => line("code", format!("{count} function bodies")),
        Payload::Data(v) => line("data", format!("{} segments", v.len())),
        Payload::FunctionBody(_) => {}
        Payload::End => println!("end: {} bytes", r.start),
    }
}
