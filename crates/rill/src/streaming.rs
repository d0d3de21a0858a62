//! Streaming compilation (`WebAssembly.compileStreaming`) and its sources.
//!
//! A source is one of:
//! - a bare byte stream: any [`Stream`] of `Result<B, E>` with `B: AsRef<[u8]>`. No header
//!   checks: the bytes are the module.
//! - a [`Response`]: a content type, a status and a [`Body`]. It is checked as the Web API's
//!   "compile a potential WebAssembly response" says, before the body is touched.
//! - `http::Response<B>` with `B: http_body::Body` (feature `http`): convert it with
//!   `Response::from`, or pass a future of it through [`ResponseFuture`].
//! - a [`ResponseFuture`]: a future yielding anything [`IntoResponse`] (the `fetch()`
//!   promise of the JS examples). Its error is passed through unchanged.
//!
//! The source's error type `E` becomes the `E` of [`Error<E>`]: a failed response future
//! or a body error comes back as [`Error::Source`] holding exactly the value the source
//! produced.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use futures_core::Stream;
use pin_project_lite::pin_project;
use rill_decoder::Bytes;

use crate::compiler::ActiveCompiler;
use crate::error::{Error, TypeError};
use crate::module::Module;
use crate::pipeline::{Mode, Pipeline};
use crate::progress::{CompileProgress, Counters};

mod private {
    pub trait Sealed {}
}

/// Something [`compile_streaming`](crate::compile_streaming) can read a module from: a byte
/// stream, a [`Response`], or a [`ResponseFuture`]:
///
/// - a bare byte stream: any [`Stream`] of `Result<B, E>` with `B: AsRef<[u8]>`; no header
///   checks, the bytes are the module;
/// - a [`Response`]: checked as the Web API says before its body is read;
/// - a [`ResponseFuture`]: a future yielding anything [`IntoResponse`] (a [`Response`], or
///   with feature `http` an `http::Response<B: http_body::Body>`), awaited then checked.
///
/// An `http::Response` itself is used through `Response::from(http_response)` (a blanket
/// implementation for streams rules out implementing this trait for it directly).
///
/// This trait is sealed; its items other than `Error` are implementation details.
pub trait StreamingSource: private::Sealed {
    /// The source's own error, passed through unchanged as [`Error::Source`].
    type Error;
    #[doc(hidden)]
    type Chunk: AsRef<[u8]>;
    #[doc(hidden)]
    type Body: Stream<Item = Result<Self::Chunk, Self::Error>>;
    #[doc(hidden)]
    type Open: Future<Output = Result<Self::Body, Error<Self::Error>>>;
    #[doc(hidden)]
    fn open(self) -> Self::Open;
}

impl<S, B, E> private::Sealed for S
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
}

/// A bare byte stream: the bytes are the module; there are no headers to check.
impl<S, B, E> StreamingSource for S
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    type Error = E;
    type Chunk = B;
    type Body = S;
    type Open = std::future::Ready<Result<S, Error<E>>>;

    fn open(self) -> Self::Open {
        std::future::ready(Ok(self))
    }
}

/// The body of a [`Response`]. A null body (JS `new Response(null)`) is an empty stream:
/// compiling it is a `CompileError`, as in JS.
#[derive(Debug)]
pub enum Body<S> {
    /// The body's byte stream, not yet read.
    Stream(S),
    /// The body was already read by someone else (a "disturbed" body in the Fetch
    /// standard): compiling it is a `TypeError`.
    Consumed,
}

/// A response carrying a module, like a Fetch `Response`: the `Content-Type` header's
/// value, the HTTP status, and the body.
///
/// [`compile_streaming`](crate::compile_streaming) checks, in this order and before reading
/// the body: the content type is `application/wasm` (spaces and tabs around it are
/// trimmed, letters compare case-insensitively, and any parameter such as `;charset=…` is a
/// mismatch), the status is 200–299, and the body was not consumed. Each failure is an
/// [`Error::TypeError`].
#[derive(Debug)]
pub struct Response<S> {
    /// The value of the `Content-Type` header, `None` if there is none.
    pub content_type: Option<String>,
    /// The HTTP status code.
    pub status: u16,
    /// The body.
    pub body: Body<S>,
}

impl<S> Response<S> {
    /// A `200 OK` response with content type `application/wasm` and the given body stream.
    pub fn wasm(body: S) -> Self {
        Response {
            content_type: Some("application/wasm".to_owned()),
            status: 200,
            body: Body::Stream(body),
        }
    }

    /// Checks the headers as the Web API does, and gives the body stream.
    fn check<E>(self) -> Result<S, Error<E>> {
        let ct = self.content_type.as_deref();
        if !ct.is_some_and(is_wasm_content_type) {
            let what = match ct {
                None => "no Content-Type".to_owned(),
                Some(ct) => format!("Content-Type {ct:?}"),
            };
            return Err(TypeError::new(format!(
                "the response has {what}; expected \"application/wasm\""
            ))
            .into());
        }
        if !(200..=299).contains(&self.status) {
            return Err(TypeError::new(format!(
                "the response's status {} is not ok (200-299)",
                self.status
            ))
            .into());
        }
        match self.body {
            Body::Stream(s) => Ok(s),
            Body::Consumed => {
                Err(TypeError::new("the response's body was already consumed").into())
            }
        }
    }
}

/// Whether a `Content-Type` value is `application/wasm` as the Web API reads it: HTTP tab
/// or space bytes trimmed from both ends, then an ASCII case-insensitive match. Parameters
/// are not stripped, so `application/wasm; charset=utf-8` does not match.
fn is_wasm_content_type(value: &str) -> bool {
    value
        .trim_matches([' ', '\t'])
        .eq_ignore_ascii_case("application/wasm")
}

impl<S> private::Sealed for Response<S> {}

/// A response: its headers are checked before its body is read.
impl<S, B, E> StreamingSource for Response<S>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    type Error = E;
    type Chunk = B;
    type Body = S;
    type Open = std::future::Ready<Result<S, Error<E>>>;

    fn open(self) -> Self::Open {
        std::future::ready(self.check())
    }
}

/// Something a [`ResponseFuture`] may yield: a [`Response`], or (feature `http`) an
/// `http::Response` whose body is an `http_body::Body`.
pub trait IntoResponse {
    /// The error of the body stream (and of the future yielding the response).
    type Error;
    /// A chunk of the body.
    type Chunk: AsRef<[u8]>;
    /// The body stream.
    type Body: Stream<Item = Result<Self::Chunk, Self::Error>>;
    /// Converts into a [`Response`].
    fn into_response(self) -> Response<Self::Body>;
}

impl<S, B, E> IntoResponse for Response<S>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    type Error = E;
    type Chunk = B;
    type Body = S;

    fn into_response(self) -> Response<S> {
        self
    }
}

pin_project! {
    /// A future yielding a response (the `fetch()` promise of the JS examples), as a
    /// streaming source. If the future fails, compiling fails with its error, unchanged; if
    /// it yields a response, that response is checked and read like a [`Response`].
    ///
    /// The future's error type must be the body's error type (use `map_err` on either to
    /// make them agree).
    #[must_use = "a source does nothing until compiled"]
    pub struct ResponseFuture<F> {
        #[pin]
        future: F,
    }
}

impl<F> ResponseFuture<F> {
    /// Wraps a future that yields a response.
    pub fn new(future: F) -> Self {
        ResponseFuture { future }
    }
}

impl<F, R> Future for ResponseFuture<F>
where
    F: Future<Output = Result<R, R::Error>>,
    R: IntoResponse,
{
    type Output = Result<R::Body, Error<R::Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(match ready!(self.project().future.poll(cx)) {
            Ok(response) => response.into_response().check(),
            Err(e) => Err(Error::Source(e)),
        })
    }
}

impl<F> private::Sealed for ResponseFuture<F> {}

/// A future of a response: awaited, then checked and read like a [`Response`].
impl<F, R> StreamingSource for ResponseFuture<F>
where
    F: Future<Output = Result<R, R::Error>>,
    R: IntoResponse,
{
    type Error = R::Error;
    type Chunk = R::Chunk;
    type Body = R::Body;
    type Open = Self;

    fn open(self) -> Self {
        self
    }
}

pin_project! {
    #[project = StageProj]
    enum Stage<O, B> {
        /// Waiting for the response and checking its headers.
        Opening { #[pin] open: O },
        /// Reading the body.
        Reading { #[pin] body: B },
        /// The body has ended; waiting for the last function bodies.
        Finishing,
        /// The result was returned.
        Done,
    }
}

pin_project! {
    /// The future of [`compile_streaming`](crate::compile_streaming): resolves to the
    /// compiled [`Module`] once the body has ended and every function is compiled.
    ///
    /// It depends on no executor: it reads the source when polled, decodes and validates
    /// each section as it completes, and hands each function body to a worker thread of
    /// its own small pool (sized from `std::thread::available_parallelism()`) as soon as
    /// the body's last byte arrives. Workers wake the task when the last body is done.
    /// It is `Send` when the source is.
    ///
    /// Dropping it cancels the compilation: the source is dropped, queued bodies are
    /// discarded, and the workers exit after the body they are working on (they are
    /// detached, so dropping never blocks).
    #[must_use = "futures do nothing unless polled"]
    pub struct CompileStreaming<Src: StreamingSource> {
        #[pin]
        stage: Stage<Src::Open, Src::Body>,
        pipeline: Option<Pipeline<ActiveCompiler>>,
        progress: CompileProgress,
    }
}

impl<Src: StreamingSource> std::fmt::Debug for CompileStreaming<Src> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompileStreaming")
            .field("progress", &self.progress)
            .finish_non_exhaustive()
    }
}

impl<Src: StreamingSource> CompileStreaming<Src> {
    pub(crate) fn new(source: Src, mode: Mode, config: crate::ModuleConfig) -> Self {
        let counters = Arc::new(Counters::default());
        CompileStreaming {
            stage: Stage::Opening {
                open: source.open(),
            },
            pipeline: Some(Pipeline::with_config(mode, counters.clone(), config)),
            progress: CompileProgress(counters),
        }
    }

    /// A live view of this compilation's progress: bytes received, sections validated,
    /// function bodies received and compiled, worker threads alive.
    pub fn progress(&self) -> CompileProgress {
        self.progress.clone()
    }
}

impl<Src: StreamingSource> Future for CompileStreaming<Src> {
    type Output = Result<Module, Error<Src::Error>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            let step = match this.stage.as_mut().project() {
                StageProj::Opening { open } => match ready!(open.poll(cx)) {
                    Ok(body) => {
                        this.stage.set(Stage::Reading { body });
                        continue;
                    }
                    Err(e) => Err(e),
                },
                StageProj::Reading { mut body } => {
                    let pipeline = this.pipeline.as_mut().expect("reading");
                    loop {
                        match ready!(body.as_mut().poll_next(cx)) {
                            Some(Ok(chunk)) => {
                                pipeline.push(Bytes::copy_from_slice(chunk.as_ref()));
                            }
                            // A body error wins over any compile error.
                            Some(Err(e)) => break Err(Error::Source(e)),
                            None => {
                                pipeline.finish();
                                break Ok(());
                            }
                        }
                    }
                }
                StageProj::Finishing => {
                    let pipeline = this.pipeline.as_mut().expect("finishing");
                    ready!(pipeline.poll_wait(cx));
                    let pipeline = this.pipeline.take().expect("finishing");
                    this.stage.set(Stage::Done);
                    let result = pipeline.result();
                    return Poll::Ready(
                        result
                            .and_then(Module::from_compiled)
                            .map_err(Error::CompileError),
                    );
                }
                StageProj::Done => panic!("CompileStreaming polled after it completed"),
            };
            match step {
                Ok(()) => this.stage.set(Stage::Finishing),
                Err(e) => {
                    this.stage.set(Stage::Done);
                    *this.pipeline = None; // Stops the workers.
                    return Poll::Ready(Err(e));
                }
            }
        }
    }
}

/// A byte stream of one chunk, for [`compile`](crate::compile).
pub(crate) struct OneChunk(Option<Bytes>);

impl Stream for OneChunk {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Ok))
    }
}

/// The future of [`compile`](crate::compile): resolves to the compiled [`Module`]. The
/// bytes were copied when `compile` was called.
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Compile(CompileStreaming<OneChunk>);

impl Compile {
    pub(crate) fn new(bytes: &[u8]) -> Self {
        Compile(CompileStreaming::new(
            OneChunk(Some(Bytes::copy_from_slice(bytes))),
            Mode::AtOnce,
            crate::ModuleConfig::default(),
        ))
    }
}

impl Future for Compile {
    type Output = Result<Module, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}
