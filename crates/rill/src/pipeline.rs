//! The compile pipeline shared by `Module::new`, `compile`, `validate` and
//! `compile_streaming`: chunks → decoder → module validator → (function bodies) → pool.
//!
//! Sections are decoded and validated on the thread that pushes the bytes, the moment their
//! last byte arrives; function bodies go to the [`Pool`] as soon as they are complete.
//!
//! # Which error is reported
//! Work may find errors in any order (a worker can fail body 7 before the thread that feeds
//! the bytes reaches a malformed section further on), so the pipeline only notes *that* the
//! module failed. Once the input has ended, the error reported is the canonical one, found
//! like V8 does by running the whole module again, at once, in a fixed order
//! ([`canonical_error`]): the first decoding error (framing, sections, or any body's
//! encoding), else the first validation error in module order. So the streamed and the
//! at-once messages are equal, whatever the chunking and thread timing. To that end the
//! pipeline keeps the chunks it has pushed (they are shared buffers that the bodies and
//! segments point into anyway) until the decoder fails or the module ends.

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use rill_decoder::{decode_chunks, Bytes, Decoder, Event, Payload};
use rill_validator::ModuleValidator;

use crate::compiler::FunctionCompiler;
use crate::config::ModuleConfig;
use crate::error::CompileError;
use crate::pool::Pool;
use crate::progress::Counters;

/// Where the bytes come from, which decides who compiles the bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// All bytes at once, on a thread that waits for the result: it compiles bodies itself
    /// and starts workers only for a code section big enough to pay for them.
    AtOnce,
    /// Bytes arrive over time: bodies are compiled on workers (at least one), off the thread
    /// that feeds the stream.
    Streaming,
}

/// What the sections declare besides what the module's environment records (types,
/// function types, memories, tags, ...): the interpreter's [`rill_vm::ModuleParts`], and the
/// custom sections.
#[derive(Debug, Default)]
pub(crate) struct Sections {
    pub(crate) parts: rill_vm::ModuleParts,
    pub(crate) customs: Vec<rill_decoder::CustomSection>,
}

/// A code section smaller than this is compiled on the calling thread in `AtOnce` mode.
const AT_ONCE_WORKER_THRESHOLD: usize = 64 * 1024;

fn parallelism() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Everything a successful compilation produced.
pub(crate) struct Compiled<T> {
    pub(crate) env: Arc<rill_validator::ModuleEnv>,
    pub(crate) sections: Sections,
    /// What the compiler made of each defined function, in order.
    pub(crate) functions: Vec<T>,
}

pub(crate) struct Pipeline<C: FunctionCompiler> {
    mode: Mode,
    config: ModuleConfig,
    decoder: Decoder,
    validator: ModuleValidator,
    sections: Sections,
    pool: Option<Pool<C>>,
    /// Every chunk pushed, until the decoder fails (see the module docs).
    chunks: Vec<Bytes>,
    decode_failed: bool,
    /// The first error found on this thread (decoding or a section); a fallback only.
    error: Option<rill_validator::Error>,
    counters: Arc<Counters>,
}

impl<C: FunctionCompiler> Pipeline<C> {
    /// A pipeline with the default [`ModuleConfig`] (the JS API's).
    pub(crate) fn new(mode: Mode, counters: Arc<Counters>) -> Self {
        Self::with_config(mode, counters, ModuleConfig::default())
    }

    pub(crate) fn with_config(mode: Mode, counters: Arc<Counters>, config: ModuleConfig) -> Self {
        Pipeline {
            mode,
            config,
            decoder: Decoder::with_features(config.features),
            validator: ModuleValidator::with_config(config.validator()),
            sections: Sections::default(),
            pool: None,
            chunks: Vec::new(),
            decode_failed: false,
            error: None,
            counters,
        }
    }

    /// Whether this thread has found the module invalid (workers may have too: see
    /// [`Pipeline::failed`]).
    fn failed_here(&self) -> bool {
        self.decode_failed || self.error.is_some()
    }

    /// Whether any error was found.
    pub(crate) fn failed(&self) -> bool {
        self.failed_here() || self.pool.as_ref().is_some_and(|p| p.failed())
    }

    /// Feeds the next chunk: decodes it, validates every section it completes and hands
    /// every body it completes to the workers.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        self.counters
            .bytes_received
            .fetch_add(chunk.len() as u64, Ordering::SeqCst);
        if self.decode_failed {
            return; // The canonical error lies in the bytes already kept.
        }
        let pushed = self.decoder.push_bytes(&chunk);
        self.chunks.push(chunk);
        if let Err(e) = pushed {
            self.fail_decoding(e);
        }
        self.drain();
    }

    /// The input has ended.
    pub(crate) fn finish(&mut self) {
        if self.decode_failed {
            return;
        }
        if let Err(e) = self.decoder.finish() {
            self.fail_decoding(e);
        }
        self.drain();
    }

    fn fail_decoding(&mut self, e: rill_decoder::DecodeError) {
        self.decode_failed = true;
        self.error.get_or_insert(e.into());
        // Nothing more to compile: stop the workers early.
        self.pool = None;
    }

    fn drain(&mut self) {
        while let Some(event) = self.decoder.next_event() {
            if !self.failed_here() {
                self.event(event);
            }
        }
    }

    fn event(&mut self, event: Event) {
        if let Err(e) = self.validator.payload(&event) {
            self.error = Some(e);
            self.pool = None;
            return;
        }
        if !matches!(event.payload, Payload::FunctionBody(_)) {
            self.counters
                .sections_validated
                .fetch_add(1, Ordering::SeqCst);
        }
        let s = &mut self.sections;
        match event.payload {
            Payload::Custom(c) => s.customs.push(c),
            Payload::Import(v) => s.parts.imports = v,
            Payload::Table(v) => s.parts.tables = v,
            Payload::Global(v) => s.parts.globals = v,
            Payload::Export(v) => s.parts.exports = v,
            Payload::Start(f) => s.parts.start = Some(f),
            Payload::Element(v) => s.parts.elements = v,
            Payload::Data(v) => s.parts.datas = v,
            Payload::CodeStart { count } => self.start_pool(count, event.range.len()),
            Payload::FunctionBody(body) => {
                self.counters
                    .functions_received
                    .fetch_add(1, Ordering::SeqCst);
                if let Some(pool) = &self.pool {
                    pool.submit(body);
                }
            }
            Payload::End if self.pool.is_none() => self.start_pool(0, 0),
            _ => {}
        }
    }

    fn start_pool(&mut self, count: u32, code_size: usize) {
        let env = self
            .validator
            .env()
            .expect("frozen at the code section")
            .clone();
        let bodies = count as usize;
        let workers = match self.mode {
            Mode::Streaming => parallelism().min(bodies),
            Mode::AtOnce if code_size >= AT_ONCE_WORKER_THRESHOLD => {
                (parallelism() - 1).min(bodies)
            }
            Mode::AtOnce => 0,
        };
        self.pool = Some(Pool::new(
            env,
            count,
            workers,
            self.counters.clone(),
            self.config,
        ));
    }

    /// Blocks until every body is compiled, compiling on the calling thread too.
    pub(crate) fn wait(&mut self) {
        if let Some(pool) = &self.pool {
            pool.help();
            pool.wait();
        }
    }

    /// Ready once every body is compiled (or one failed); wakes the task from the worker
    /// that finishes last.
    pub(crate) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match &self.pool {
            Some(pool) => {
                if self.mode == Mode::AtOnce || pool.workers() == 0 {
                    // All bytes are in (or no worker could be started): the polling thread
                    // has nothing else to do.
                    pool.help();
                }
                pool.poll_idle(cx)
            }
            None => Poll::Ready(()),
        }
    }

    /// The compiled module, or the canonical compile error. Call after `finish` and
    /// `wait`/`poll_wait`.
    pub(crate) fn result(mut self) -> Result<Compiled<C::Code>, CompileError> {
        let mut error = self.error.take();
        if error.is_none() {
            if let Some(pool) = self.pool.take() {
                match pool.take_codes() {
                    Ok(codes) => {
                        let env = self.validator.env().expect("frozen at the end").clone();
                        return Ok(Compiled {
                            env,
                            sections: std::mem::take(&mut self.sections),
                            functions: codes,
                        });
                    }
                    Err(e) => error = Some(e),
                }
            }
        }
        self.pool = None; // Stop the workers before the re-run.
        let canonical = canonical_error::<C>(&self.chunks, self.config);
        Err(canonical
            .or(error)
            .unwrap_or_else(|| {
                rill_validator::ValidationError::new(0, "internal error: no result").into()
            })
            .into())
    }
}

/// The error of a module given in `chunks`, found in a fixed order: the first decoding
/// error (including function bodies' encodings), else the first error of module validation
/// or of compiling a body with `C`, in module order. `None` if the module compiles.
///
/// Running bodies through `C` (not just the validator) keeps errors that only the compiler
/// finds (once lowering exists: its own limits) deterministic too.
pub(crate) fn canonical_error<C: FunctionCompiler>(
    chunks: &[Bytes],
    config: ModuleConfig,
) -> Option<rill_validator::Error> {
    let run = decode_chunks(chunks.iter().map(|c| &c[..]), config.features);
    if let Some(e) = run.error {
        return Some(e.into());
    }
    let mut validator = ModuleValidator::with_config(config.validator());
    let mut compiler = None;
    for event in &run.events {
        if let Err(e) = validator.payload(event) {
            return Some(e);
        }
        if let Payload::FunctionBody(body) = &event.payload {
            let env = validator.env().expect("frozen at the code section");
            let compiler = compiler.get_or_insert_with(|| C::for_module(env, config));
            if let Err(e) = compiler.compile(env, body) {
                return Some(e);
            }
        }
    }
    None
}
