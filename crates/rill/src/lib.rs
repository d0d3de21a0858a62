//! rill: an embeddable WebAssembly engine whose façade mirrors the WebAssembly JavaScript
//! API and the Web API's streaming functions.
//!
//! | JS | rill |
//! |---|---|
//! | `WebAssembly.validate(bytes)` | [`validate`] |
//! | `new WebAssembly.Module(bytes)` | [`Module::new`] ([`Module::with_config`]: core limits, proposals) |
//! | `WebAssembly.compile(bytes)` | [`compile`] |
//! | `WebAssembly.compileStreaming(source)` | [`compile_streaming`] |
//! | `WebAssembly.Module.exports` / `imports` / `customSections` | [`Module::exports`], [`Module::imports`], [`Module::custom_sections`] |
//! | the agent (its objects, their lifetime) | [`Store<T>`] (with the embedder's data `T`) |
//! | `WebAssembly.instantiate(bytes, imports)` | [`instantiate`]`(&mut store, bytes, &imports)` → [`Instantiated`] `{ module, instance }` |
//! | `WebAssembly.instantiate(module, imports)` | [`instantiate_module`]`(&mut store, &module, &imports)` |
//! | `new WebAssembly.Instance(module, imports)` | [`Instance::new`]`(&mut store, &module, &imports)` |
//! | `WebAssembly.instantiateStreaming(source, imports)` | [`instantiate_streaming`]`(&mut store, source, &imports)` |
//! | the import object | [`Imports`] (module → field → [`ImportValue`]) |
//! | `instance.exports` | [`Instance::exports`] (ordered, [`Extern`]s) |
//! | `Memory`, `Table`, `Global`, `Tag`, `Exception` | [`Memory`], [`Table`], [`Global`], [`Tag`], [`Exception`] (`new(&mut store, ...)`) |
//! | `memory.buffer` | [`Memory::buffer`]; zero-copy [`Memory::data`] / [`Memory::data_mut`] |
//! | a JS function as an import | [`Func::wrap`] (typed closure, optionally taking a [`Caller`]), [`Func::new`] (untyped) |
//! | calling an exported function | [`Func::call`]`(&mut store, &args)`; checked once, then no allocation: [`Func::typed`] → [`TypedFunc::call`] |
//! | `CompileError`, `LinkError`, `RuntimeError`, `TypeError`, `RangeError` | the variants of [`Error`] |
//! | (no JS counterpart) bounding memory, tables, instances | [`Store::set_limits`] ([`StoreLimits`]), [`Store::set_limiter`] (a [`ResourceLimiter`]) |
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
//! A host function's own error ([`HostError`]) passes through wasm unchanged as
//! [`Error::Host`]. Exceptions ([`Tag`], [`Exception`]): one a host function throws may be
//! caught by wasm, and comes back unchanged in [`Error::Host`] if not; one wasm throws and
//! nothing catches is an [`Error::Exception`] (see the `tag` module's notes).
//!
//! # Compiling: validation and lowering in one pass
//! [`Module::new`], [`compile`] and [`compile_streaming`] validate each function body and
//! lower it to the interpreter's register bytecode in the same pass (streaming: on worker
//! threads, as soon as the body's last byte arrives). [`validate`] only validates: it
//! answers whether the bytes are a valid module by the specification.
//!
//! The interpreter's module is assembled from exactly that, when the compile ends
//! (`rill_vm::Module::from_parts`, each function verified by rill-vm where it was lowered):
//! instantiating a [`Module`] decodes, validates and lowers nothing again.
//!
//! # Stores
//! Every instance, function, memory, table, global, tag and external reference lives in a
//! [`Store<T>`], which also carries data of the embedder's (`T`): the JS agent made
//! explicit. Handles ([`Func`], [`Memory`], [`Instance`], ...) are small, `Copy`, `Send +
//! Sync`, equal exactly when they are the same entity, and name an entity of one store;
//! every operation takes that store (`&store` to read, `&mut store` to change or call,
//! or the [`Caller`] inside a host function), and a handle used with another store is an
//! [`Error::TypeError`].
//!
//! Entities live as long as their store: dropping the store frees everything in it. A
//! long-running program that instantiates untrusted or short-lived modules gives each its
//! own store (one store per request, per plugin run, ...); instantiating a compiled
//! [`Module`] in a fresh store is cheap.
//!
//! A store can bound what its guests take ([`Store::set_limits`], [`StoreLimits`], or any
//! [`ResourceLimiter`]): the bytes of one memory and of all memories, the elements of a
//! table, and the numbers of instances, memories and tables. A guest whose `memory.grow`
//! or `table.grow` would go over gets -1; creating or instantiating over a limit is a
//! [`Error::RangeError`], before anything is allocated.
//!
//! Host functions get a [`Caller`]: the store's data, the calling instance's exports,
//! memories without copying, tables, globals, and calls into any function of the store,
//! nested to any depth the call depth limit allows ("call stack exhausted" past it).
//!
//! # Threads
//! [`Module`] is `Send + Sync` and cheap to clone: compile once, instantiate anywhere.
//! `Store<T>` is `Send` when `T` is; stores share no lock, so stores on different threads
//! run in parallel. The futures are `Send` when their source (and store) are.
//!
//! ```
//! use futures::executor::block_on;
//! // (module (func (export "add") (param i32 i32) (result i32)
//! //   local.get 0 local.get 1 i32.add))
//! let wasm = [
//!     0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1,
//!     3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11,
//! ];
//! let mut store = rill::Store::new(());
//! let imports = rill::Imports::new();
//! let rill::Instantiated { instance, .. } = block_on(rill::instantiate(&mut store, wasm, &imports))?;
//! let add = instance.get_func(&store, "add").unwrap();
//! // The store moves to another thread, and its handles with it.
//! let sum = std::thread::spawn(move || add.call(&mut store, &[rill::Value::I32(2), rill::Value::I32(40)]))
//!     .join()
//!     .unwrap()?;
//! assert_eq!(sum, vec![rill::Value::I32(42)]);
//! # Ok::<(), rill::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod compiler;
mod config;
mod error;
mod func;
mod global;
mod handles;
#[cfg(feature = "http")]
mod http;
mod instance;
mod memory;
mod module;
mod pipeline;
mod pool;
mod progress;
mod runtime;
mod store;
mod streaming;
mod table;
mod tag;
mod values;

pub use config::ModuleConfig;
pub use error::{CompileError, Error, HostError, LinkError, RangeError, RuntimeError, TypeError};
pub use func::{IntoFunc, ResumableCall, SuspendedCall, TypedFunc, WasmResults, WasmTypeList};
pub use global::GlobalDescriptor;
pub use handles::{Exports, Extern, ExternRef, Func, Global, Instance, Memory, Table, Tag};
#[cfg(feature = "http")]
pub use http::HttpBody;
pub use instance::{
    instantiate, instantiate_module, instantiate_streaming, ImportValue, Imports, Instantiated,
};
pub use memory::{AddressType, MemoryBuffer, MemoryDescriptor};
pub use module::{ExportDescriptor, ExternKind, ImportDescriptor, Module};
pub use progress::CompileProgress;
pub use rill_decoder::Bytes;
pub use rill_decoder::{AbsHeapType, Features, FuncType, HeapType, RefType, ValType};
pub use rill_vm::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
pub use store::{
    AsContext, AsContextMut, Caller, InterruptHandle, Store, StoreContext, StoreContextMut,
};
pub use streaming::{
    Body, Compile, CompileStreaming, IntoResponse, Response, ResponseFuture, StreamingSource,
};
pub use table::TableDescriptor;
pub use tag::{Exception, TagDescriptor};
pub use values::{Value, WasmType, EXTERNREF, FUNCREF};

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
    compile_streaming_with_config(source, ModuleConfig::default())
}

/// [`compile_streaming`], compiling by `config` as [`Module::with_config`] does (other
/// limits, proposals, fuel metering).
pub fn compile_streaming_with_config<Src: StreamingSource>(
    source: Src,
    config: ModuleConfig,
) -> CompileStreaming<Src> {
    CompileStreaming::new(source, Mode::Streaming, config)
}
