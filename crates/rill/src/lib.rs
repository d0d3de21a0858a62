//! rill: an embeddable WebAssembly engine whose façade mirrors the WebAssembly JavaScript
//! API and the Web API's streaming functions.
//!
//! | JS | rill |
//! |---|---|
//! | `WebAssembly.validate(bytes)` | [`validate`] |
//! | `new WebAssembly.Module(bytes)` | [`Module::new`] |
//! | `WebAssembly.compile(bytes)` | [`compile`] |
//! | `WebAssembly.compileStreaming(source)` | [`compile_streaming`] |
//! | `WebAssembly.Module.exports` / `imports` / `customSections` | [`Module::exports`], [`Module::imports`], [`Module::custom_sections`] |
//! | `CompileError`, `LinkError`, `RuntimeError`, `TypeError`, `RangeError` | the variants of [`Error`] |
//!
//! Instantiation (`Instance`, `Memory`, `Table`, `Global`, `Tag`, `Exception`, imports)
//! comes with the interpreter.
//!
//! # Streaming
//! [`compile_streaming`] reads a module from a byte stream, a [`Response`] (content type,
//! status, body), `http::Response` (feature `http`), or a [`ResponseFuture`] yielding a
//! response. Each section is decoded and validated as soon as its last byte arrives, and
//! each function body is compiled on a worker thread as soon as its last byte arrives, so
//! when the last byte comes in, little is left to do. The futures depend on no executor.
//!
//! ```
//! use futures::executor::block_on;
//! use futures::stream;
//!
//! // (module (func (export "answer") (result i32) i32.const 42))
//! let wasm: Vec<u8> = vec![
//!     0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01,
//!     0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x0a, 0x01, 0x06, b'a', b'n', b's', b'w', b'e',
//!     b'r', 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
//! ];
//! // Any stream of `Result<impl AsRef<[u8]>, E>`; here, chunks of 7 bytes that cannot fail.
//! let chunks = wasm.chunks(7).map(Ok::<_, std::io::Error>);
//! let module = block_on(rill::compile_streaming(stream::iter(chunks)))?;
//! assert_eq!(module.exports()[0].name, "answer");
//! assert_eq!(module.exports()[0].kind, rill::ExternKind::Function);
//! # Ok::<(), rill::Error<std::io::Error>>(())
//! ```
//!
//! # Errors
//! One type, [`Error<E>`], with a variant per JS error class and one for the streaming
//! source's own error `E`, passed through unchanged. Functions that read no source return
//! `Error` (= `Error<Infallible>`). Compile errors say what and where (byte offset), in the
//! official testsuite's words; streaming and at-once compilation of the same bytes give
//! the same error.
//!
//! # Threads
//! [`Module`] is `Send + Sync` and cheap to clone: compile once, instantiate anywhere. The
//! compile futures are `Send` when their source is.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod compiler;
mod error;
#[cfg(feature = "http")]
mod http;
mod module;
mod pipeline;
mod pool;
mod progress;
mod streaming;

pub use error::{CompileError, Error, LinkError, RangeError, RuntimeError, TypeError};
#[cfg(feature = "http")]
pub use http::HttpBody;
pub use module::{ExportDescriptor, ExternKind, ImportDescriptor, Module};
pub use progress::CompileProgress;
pub use rill_decoder::Bytes;
pub use streaming::{
    Body, Compile, CompileStreaming, IntoResponse, Response, ResponseFuture, StreamingSource,
};

use std::sync::Arc;

use compiler::ValidateOnly;
use pipeline::{Mode, Pipeline};
use progress::Counters;

/// Whether `bytes` are a valid module (`WebAssembly.validate`). Never fails, whatever the
/// bytes; `true` exactly when [`Module::new`] would succeed.
pub fn validate(bytes: impl AsRef<[u8]>) -> bool {
    let mut pipeline = Pipeline::<ValidateOnly>::new(Mode::AtOnce, Arc::new(Counters::default()));
    pipeline.push(Bytes::copy_from_slice(bytes.as_ref()));
    pipeline.finish();
    pipeline.wait();
    !pipeline.failed()
}

/// Compiles a module asynchronously (`WebAssembly.compile`). The bytes are copied when this
/// is called, so the caller may reuse its buffer at once. The future resolves to the same
/// result as [`Module::new`].
pub fn compile(bytes: impl AsRef<[u8]>) -> Compile {
    Compile::new(bytes.as_ref())
}

/// Compiles a module from a streaming source (`WebAssembly.compileStreaming`): a byte
/// stream, a [`Response`], or a [`ResponseFuture`] (see [`StreamingSource`]).
///
/// - A response's headers are checked before its body is read: a missing or other
///   content type than `application/wasm`, a status outside 200–299, or a consumed body is
///   an [`Error::TypeError`].
/// - A failed response future, or a body stream that yields an error, gives that error
///   unchanged as [`Error::Source`]; a body error wins over any compile error.
/// - An empty, malformed or invalid module is an [`Error::CompileError`], reported only
///   once the body has ended, with the same message as [`Module::new`] on the same bytes.
///
/// Sections are decoded and validated as they arrive, function bodies are compiled on
/// worker threads as soon as each is complete (watch it with
/// [`CompileStreaming::progress`]); dropping the future cancels all of it.
pub fn compile_streaming<Src: StreamingSource>(source: Src) -> CompileStreaming<Src> {
    CompileStreaming::new(source, Mode::Streaming)
}
