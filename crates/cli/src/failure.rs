//! What the command reports when something fails: the error class (the first word on
//! standard error) and the exit code that goes with it.

use std::fmt;
use std::process::ExitCode;

/// The class of a failure: the façade's error classes, plus the command's own (I/O).
/// The variants are named as the classes print (the JS error class names).
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The module is malformed or invalid (also a `.wat` file that does not parse).
    CompileError,
    /// An import is missing or does not match.
    LinkError,
    /// A value of the wrong type: an argument, the function to invoke, or an HTTP response
    /// that is not a WebAssembly response (content type, status).
    TypeError,
    /// A trap.
    RuntimeError,
    /// A size or index out of range.
    RangeError,
    /// An error a host function raised (passed through wasm unchanged).
    HostError,
    /// An exception wasm threw and nothing caught.
    Exception,
    /// A file, standard input or the network could not be read.
    IoError,
}

/// Exit code: a module is not valid (`CompileError`), or `rill wast` had unexpected results.
pub const EXIT_COMPILE: u8 = 1;
/// Exit code: usage error (bad option, see `--help`) or a module that cannot be read.
pub const EXIT_USAGE_IO: u8 = 2;
/// Exit code: `LinkError` or `TypeError`.
pub const EXIT_LINK_TYPE: u8 = 3;
/// Exit code: `RuntimeError` (a trap), or an uncaught wasm exception.
pub const EXIT_RUNTIME: u8 = 4;
/// Exit code: any other error (`RangeError`, a host function's error).
pub const EXIT_OTHER: u8 = 5;

/// The exit codes, for `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  CompileError (malformed or invalid module), or `rill wast` had unexpected results
  2  usage error, or IoError (a module or script that cannot be read or fetched)
  3  LinkError or TypeError (missing import, bad argument, not a WebAssembly response)
  4  RuntimeError (a trap), or an Exception wasm threw and did not catch
  5  any other error (RangeError, a host function's error)

Errors go to standard error, each starting with its class (`CompileError: …`).";

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::CompileError => "CompileError",
            Class::LinkError => "LinkError",
            Class::TypeError => "TypeError",
            Class::RuntimeError => "RuntimeError",
            Class::RangeError => "RangeError",
            Class::HostError => "HostError",
            Class::Exception => "Exception",
            Class::IoError => "IoError",
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Class::CompileError => EXIT_COMPILE,
            Class::IoError => EXIT_USAGE_IO,
            Class::LinkError | Class::TypeError => EXIT_LINK_TYPE,
            Class::RuntimeError | Class::Exception => EXIT_RUNTIME,
            Class::RangeError | Class::HostError => EXIT_OTHER,
        }
    }
}

/// A failure: its class and a message saying what failed and where.
#[derive(Debug)]
pub struct Failure {
    pub class: Class,
    pub message: String,
}

impl Failure {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Failure {
            class,
            message: message.into(),
        }
    }

    pub fn io(message: impl Into<String>) -> Self {
        Failure::new(Class::IoError, message)
    }

    /// A façade error about `what` (a file name, a URL, an export). Compile, link and type
    /// errors name `what`; a trap prints the trap's message alone. The source's own error
    /// (reading a file or an HTTP body) is an I/O error.
    pub fn from_rill<E: fmt::Display>(e: rill::Error<E>, what: &str) -> Self {
        let at = |m: String| {
            if what.is_empty() {
                m
            } else {
                format!("{what}: {m}")
            }
        };
        match e {
            rill::Error::CompileError(e) => Failure::new(Class::CompileError, at(e.to_string())),
            rill::Error::LinkError(e) => Failure::new(Class::LinkError, at(e.to_string())),
            rill::Error::TypeError(e) => Failure::new(Class::TypeError, at(e.to_string())),
            rill::Error::RuntimeError(e) => Failure::new(Class::RuntimeError, e.to_string()),
            rill::Error::RangeError(e) => Failure::new(Class::RangeError, at(e.to_string())),
            rill::Error::Host(e) => Failure::new(Class::HostError, e.to_string()),
            rill::Error::Exception(e) => Failure::new(Class::Exception, at(e.to_string())),
            rill::Error::Source(e) => Failure::new(Class::IoError, at(e.to_string())),
            other => Failure::new(Class::HostError, at(other.to_string())),
        }
    }

    /// Prints the failure to standard error and gives its exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("{self}");
        ExitCode::from(self.class.exit_code())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.class.name(), self.message)
    }
}
