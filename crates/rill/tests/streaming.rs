//! JS-API.md, "Streaming sources", and the streaming behaviour of issue 5: work done while
//! the bytes arrive, executor independence, cancellation, deterministic errors.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;

use common::*;
use futures::executor::block_on;
use futures::stream;
use rill::{compile_streaming, Body, Error, Module, Response, ResponseFuture};

type Chunks = stream::Iter<std::vec::IntoIter<Result<Vec<u8>, SourceError>>>;

fn body(bytes: &[u8], size: usize) -> Chunks {
    let parts: Vec<_> = bytes.chunks(size.max(1)).map(|c| Ok(c.to_vec())).collect();
    stream::iter(parts)
}

fn response(content_type: Option<&str>, status: u16, bytes: &[u8]) -> Response<Chunks> {
    Response {
        content_type: content_type.map(str::to_owned),
        status,
        body: Body::Stream(body(bytes, 100)),
    }
}

fn small_module() -> Vec<u8> {
    wat("(module (func (export \"f\") (result i32) i32.const 7))")
}

fn type_error<T: std::fmt::Debug, E: std::fmt::Debug>(r: Result<T, Error<E>>) -> String {
    match r {
        Err(Error::TypeError(e)) => e.message().to_owned(),
        other => panic!("expected a TypeError, got {other:?}"),
    }
}

// ---- Sources ------------------------------------------------------------------------

#[test]
fn a_bare_byte_stream_skips_the_header_checks() {
    let m = block_on(compile_streaming(chunks(&small_module(), 3))).unwrap();
    assert_eq!(m.exports()[0].name, "f");
    // Any chunk type that is AsRef<[u8]>, any error type.
    let parts: Vec<Result<&[u8], std::convert::Infallible>> = small_module()
        .chunks(1)
        .map(|c| Ok(c.to_vec().leak() as &[u8]))
        .collect();
    block_on(compile_streaming(stream::iter(parts))).unwrap();
    let bytes = small_module();
    let parts: Vec<Result<rill::Bytes, ()>> = vec![Ok(rill::Bytes::copy_from_slice(&bytes))];
    block_on(compile_streaming(stream::iter(parts))).unwrap();
}

#[test]
fn a_wasm_response_compiles() {
    let m = block_on(compile_streaming(response(
        Some("application/wasm"),
        200,
        &small_module(),
    )))
    .unwrap();
    assert_eq!(m.exports().len(), 1);
    block_on(compile_streaming(Response::wasm(body(&small_module(), 5)))).unwrap();
}

#[test]
fn content_type_is_trimmed_and_case_insensitive() {
    for ct in [
        "application/wasm",
        "APPLICATION/WASM",
        "Application/Wasm",
        " application/wasm",
        "application/wasm\t",
        " \t application/wasm \t ",
    ] {
        block_on(compile_streaming(response(Some(ct), 200, &small_module())))
            .unwrap_or_else(|e| panic!("{ct:?}: {e}"));
    }
}

#[test]
fn a_missing_or_other_content_type_is_a_type_error_and_the_body_is_not_read() {
    for ct in [
        None,
        Some(""),
        Some("text/html"),
        Some("application/wasm; charset=utf-8"),
        Some("application/wasm;"),
        Some("application/octet-stream"),
        Some("application/wasm\n"),
        Some("\u{a0}application/wasm"),
        Some("application/wasm, application/wasm"),
        Some("application/ wasm"),
    ] {
        let stream = Watched::new(vec![Ok::<_, SourceError>(small_module())]);
        let polled = stream.polled.clone();
        let source = Response {
            content_type: ct.map(str::to_owned),
            status: 200,
            body: Body::Stream(stream),
        };
        let msg = type_error(block_on(compile_streaming(source)));
        assert!(msg.contains("application/wasm"), "{ct:?}: {msg}");
        assert!(!polled.load(Ordering::SeqCst), "{ct:?}: the body was read");
    }
}

#[test]
fn a_status_outside_200_to_299_is_a_type_error_and_the_body_is_not_read() {
    for status in [0, 100, 199, 300, 304, 404, 500, 599] {
        let stream = Watched::new(vec![Ok::<_, SourceError>(small_module())]);
        let polled = stream.polled.clone();
        let source = Response {
            content_type: Some("application/wasm".into()),
            status,
            body: Body::Stream(stream),
        };
        let msg = type_error(block_on(compile_streaming(source)));
        assert!(msg.contains(&status.to_string()), "{msg}");
        assert!(!polled.load(Ordering::SeqCst));
    }
    for status in [200, 201, 204, 299] {
        block_on(compile_streaming(response(
            Some("application/wasm"),
            status,
            &small_module(),
        )))
        .unwrap();
    }
}

#[test]
fn the_content_type_is_checked_before_the_status() {
    let msg = type_error(block_on(compile_streaming(response(
        Some("text/html"),
        404,
        &small_module(),
    ))));
    assert!(msg.contains("Content-Type"), "{msg}");
}

#[test]
fn a_consumed_body_is_a_type_error() {
    let source: Response<Chunks> = Response {
        content_type: Some("application/wasm".into()),
        status: 200,
        body: Body::Consumed,
    };
    let msg = type_error(block_on(compile_streaming(source)));
    assert!(msg.contains("consumed"), "{msg}");
}

#[test]
fn a_failed_response_future_gives_that_error_unchanged() {
    let fut = futures::future::ready(Err::<Response<Chunks>, _>(SourceError("connection reset")));
    match block_on(compile_streaming(ResponseFuture::new(fut))) {
        Err(Error::Source(e)) => assert_eq!(e, SourceError("connection reset")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_response_future_is_awaited_then_checked() {
    let fut =
        async { Ok::<_, SourceError>(response(Some("application/wasm"), 200, &small_module())) };
    let m = block_on(compile_streaming(ResponseFuture::new(fut))).unwrap();
    assert_eq!(m.exports()[0].name, "f");
    let fut = async { Ok::<_, SourceError>(response(Some("text/plain"), 200, &small_module())) };
    type_error(block_on(compile_streaming(ResponseFuture::new(fut))));
}

#[test]
fn a_body_error_is_passed_through_unchanged() {
    let bytes = small_module();
    let items = vec![Ok(bytes[..10].to_vec()), Err(SourceError("body broke"))];
    match block_on(compile_streaming(stream::iter(items))) {
        Err(Error::Source(e)) => assert_eq!(e, SourceError("body broke")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_body_error_wins_over_a_compile_error_found_earlier() {
    // The first chunk is already malformed; the error that ends the body still wins.
    let items = vec![
        Ok(b"\0asm\x01\0\0\0\x0e\x00".to_vec()),
        Ok(vec![0; 100]),
        Err(SourceError("late")),
    ];
    match block_on(compile_streaming(stream::iter(items))) {
        Err(Error::Source(e)) => assert_eq!(e, SourceError("late")),
        other => panic!("{other:?}"),
    }
    // Same with an invalid function body that a worker rejects early.
    let mut bytes = wat("(module (func (result i32) i64.const 1))");
    bytes.extend(custom("pad", &[0; 1000]));
    let mut items: Vec<_> = bytes.chunks(16).map(|c| Ok(c.to_vec())).collect();
    items.push(Err(SourceError("late")));
    match block_on(compile_streaming(Response::wasm(stream::iter(items)))) {
        Err(Error::Source(e)) => assert_eq!(e, SourceError("late")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_empty_or_non_wasm_or_invalid_body_is_a_compile_error() {
    for (bytes, text) in [
        (Vec::new(), "unexpected end"),
        (b"<!doctype html><html></html>".to_vec(), "magic header"),
        (
            wat("(module (func (result i32) f32.const 0))"),
            "type mismatch",
        ),
    ] {
        match block_on(compile_streaming(response(
            Some("application/wasm"),
            200,
            &bytes,
        ))) {
            Err(Error::CompileError(e)) => assert!(e.message().contains(text), "{e}"),
            other => panic!("{other:?}"),
        }
    }
    // A body that yields no chunk at all.
    let empty: Vec<Result<Vec<u8>, SourceError>> = Vec::new();
    assert!(matches!(
        block_on(compile_streaming(stream::iter(empty))),
        Err(Error::CompileError(_))
    ));
}

#[test]
fn a_compile_error_is_reported_only_once_the_body_has_ended() {
    let (tx, rx) = channel();
    let mut fut = compile_streaming(rx);
    tx.unbounded_send(Ok(b"\0asm\x01\0\0\0\x0e\x00garbage".to_vec()))
        .unwrap();
    assert!(
        poll_once(&mut fut).is_pending(),
        "settled before the body ended"
    );
    tx.unbounded_send(Ok(vec![1, 2, 3])).unwrap();
    assert!(
        poll_once(&mut fut).is_pending(),
        "settled before the body ended"
    );
    drop(tx); // The body ends.
    match block_on(fut) {
        Err(Error::CompileError(e)) => assert!(e.message().contains("malformed section id")),
        other => panic!("{other:?}"),
    }
}

// ---- Deterministic errors -------------------------------------------------------------

fn error_cases() -> Vec<(&'static str, Vec<u8>)> {
    let mut cases = Vec::new();
    cases.push((
        "invalid body",
        wat("(module (func) (func (result i32) i64.const 1) (func))"),
    ));
    let mut m = wat("(module (func (result i32) i64.const 1) (func))");
    m.extend_from_slice(&[0x0e, 0x00]);
    cases.push(("invalid body, then a malformed section", m));
    let mut m = many_functions(40);
    let n = m.len();
    m.truncate(n - 3);
    cases.push(("truncated in the last body", m));
    let mut m = wat("(module (func (result i32) i64.const 1) (func (result i32) i32.const 1))");
    let n = m.len();
    m[n - 2] = 0xff; // An unknown opcode in the second body.
    cases.push(("invalid body, then a malformed body", m));
    let mut m = many_functions(30);
    m.extend(section(11, &[0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00]));
    m.extend(section(11, &[]));
    cases.push(("two data sections after many bodies", m));
    cases.push((
        "invalid data segment after bodies",
        wat("(module (func) (data (i32.const 0) \"x\"))"),
    ));
    cases
}

#[test]
fn the_streamed_error_equals_the_at_once_error_for_every_chunking() {
    for (what, bytes) in error_cases() {
        let want = Module::new(&bytes).expect_err(what).to_string();
        assert_eq!(
            block_on(rill::compile(&bytes)).unwrap_err().to_string(),
            want
        );
        for size in [1, 2, 3, 5, 7, 16, 64, 1000, bytes.len()] {
            let got = block_on(compile_streaming(chunks(&bytes, size))).unwrap_err();
            assert_eq!(got.to_string(), want, "{what}, chunks of {size}");
        }
        for split in (0..bytes.len()).step_by(bytes.len() / 50 + 1) {
            let items = vec![
                Ok::<_, SourceError>(bytes[..split].to_vec()),
                Ok(bytes[split..].to_vec()),
            ];
            let got = block_on(compile_streaming(stream::iter(items))).unwrap_err();
            assert_eq!(got.to_string(), want, "{what}, split at {split}");
        }
    }
}

// ---- Work while the bytes arrive ------------------------------------------------------

#[test]
fn bodies_delivered_are_validated_before_the_final_chunk_is_sent() {
    let n = 64;
    let mut bytes = many_functions(n);
    let last_body_tail = 2; // The final chunk holds the last 2 bytes of the last body.
    let split = bytes.len() - last_body_tail;
    let tail_section = custom("after", b"more bytes after the code");
    bytes.extend(&tail_section);

    // 1. Pause with the last body incomplete: the other n - 1 are done.
    let (tx, rx) = channel();
    let fut = compile_streaming(rx);
    let progress = fut.progress();
    let task = std::thread::spawn(move || block_on(fut));
    for c in bytes[..split].chunks(997) {
        tx.unbounded_send(Ok(c.to_vec())).unwrap();
    }
    wait_until("every chunk sent is read", || {
        progress.bytes_received() == split as u64
    });
    wait_until("the delivered bodies are done", || {
        progress.functions_done() == n - 1
    });
    assert_eq!(progress.functions_received(), n - 1);
    assert!(!task.is_finished());
    // The sections before the code section were validated as they arrived too.
    assert!(
        progress.sections_validated() >= 5,
        "{}",
        progress.sections_validated()
    );
    tx.unbounded_send(Ok(bytes[split..].to_vec())).unwrap();
    drop(tx);
    let m = task.join().unwrap().unwrap();
    assert_eq!(m.exports().len(), n);
    assert_eq!(progress.functions_done(), n);

    // 2. Pause before a final chunk that holds only a section after the code: every body
    //    is done before it is sent.
    let (tx, rx) = channel();
    let fut = compile_streaming(Response::wasm(rx));
    let progress = fut.progress();
    let task = std::thread::spawn(move || block_on(fut));
    let split = bytes.len() - tail_section.len();
    for c in bytes[..split].chunks(16 * 1024) {
        tx.unbounded_send(Ok(c.to_vec())).unwrap();
    }
    wait_until("every body is done", || progress.functions_done() == n);
    assert!(!task.is_finished());
    tx.unbounded_send(Ok(bytes[split..].to_vec())).unwrap();
    drop(tx);
    let m = task.join().unwrap().unwrap();
    assert_eq!(
        &*m.custom_sections("after")[0],
        b"more bytes after the code"
    );
}

#[test]
fn workers_wake_the_task_no_busy_polling() {
    // The stream is ready at once: one poll reads it all, then the task sleeps until the
    // last worker wakes it.
    let bytes = many_functions(400);
    let (result, polls) = run_counting_polls(compile_streaming(chunks(&bytes, 16 * 1024)));
    result.unwrap();
    assert!(polls <= 3, "{polls} polls");
    let (result, polls) = run_counting_polls(rill::compile(&bytes));
    result.unwrap();
    assert!(polls <= 3, "{polls} polls");
}

// ---- Cancellation ----------------------------------------------------------------------

struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn dropping_the_future_stops_the_workers_and_the_source() {
    let bytes = many_functions(300);
    let (tx, rx) = channel();
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = DropFlag(dropped.clone());
    let source = futures::StreamExt::map(rx, move |item| {
        let _keep = &flag; // The stream owns the flag.
        item
    });
    let mut fut = compile_streaming(source);
    let progress = fut.progress();
    let half = bytes.len() / 2;
    for c in bytes[..half].chunks(4096) {
        tx.unbounded_send(Ok(c.to_vec())).unwrap();
    }
    assert!(poll_once(&mut fut).is_pending());
    assert!(progress.functions_received() > 0);
    assert!(progress.workers_alive() > 0, "workers were started");
    drop(fut);
    assert!(
        dropped.load(Ordering::SeqCst),
        "the source was dropped with the future"
    );
    assert!(
        tx.unbounded_send(Ok(vec![0])).is_err(),
        "the receiver is gone"
    );
    wait_until("the workers have exited", || progress.workers_alive() == 0);
    let done = progress.functions_done();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(
        progress.functions_done(),
        done,
        "work went on after the drop"
    );
}

#[test]
fn workers_exit_after_a_successful_compile_too() {
    let fut = compile_streaming(chunks(&many_functions(50), 1000));
    let progress = fut.progress();
    block_on(fut).unwrap();
    wait_until("the workers have exited", || progress.workers_alive() == 0);
}

#[test]
fn dropping_before_the_first_poll_or_after_a_failure_is_fine() {
    drop(compile_streaming(chunks(&small_module(), 1)));
    let mut fut = compile_streaming(chunks(b"\0asm\x01\0\0\0\x0e", 1));
    assert!(matches!(poll_once(&mut fut), Poll::Ready(Err(_))));
    drop(fut);
}

// ---- Threads -------------------------------------------------------------------------

fn assert_send<T: Send>() {}
fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
fn assert_sync<T: Sync>() {}

#[test]
fn send_and_sync() {
    assert_send::<Module>();
    assert_sync::<Module>();
    assert_send::<Error>();
    assert_sync::<Error>();
    assert_send::<Error<SourceError>>();
    // Usable with `?` into `Box<dyn Error + Send + Sync>`.
    assert_error::<Error>();
    assert_error::<Error<SourceError>>();
    assert_error::<Error<std::io::Error>>();
    assert_send::<rill::Compile>();
    assert_send::<rill::CompileProgress>();
    assert_sync::<rill::CompileProgress>();
    // Streaming futures are Send when their source is.
    assert_send::<rill::CompileStreaming<Chunks>>();
    assert_send::<rill::CompileStreaming<Response<Chunks>>>();
    assert_send::<
        rill::CompileStreaming<
            ResponseFuture<futures::future::Ready<Result<Response<Chunks>, SourceError>>>,
        >,
    >();
    assert_send::<
        rill::CompileStreaming<
            futures::channel::mpsc::UnboundedReceiver<Result<Vec<u8>, SourceError>>,
        >,
    >();
}

/// The instantiating futures borrow the store and the imports, and are Send when the
/// store and the source are: one may run on another thread.
#[test]
fn instantiating_futures_are_send() {
    fn send_value<T: Send>(v: T) -> T {
        v
    }
    let mut store = rill::Store::new(Vec::<i32>::new());
    let mut imports = rill::Imports::new();
    let f = rill::Func::wrap(
        &mut store,
        |mut caller: rill::Caller<'_, Vec<i32>>, x: i32| caller.data_mut().push(x),
    );
    imports.define("m", "f", f);
    let wasm = wat(r#"(module (import "m" "f" (func $f (param i32)))
        (func (export "run") (call $f (i32.const 7))))"#);
    let obj = std::thread::scope(|s| {
        let fut = send_value(rill::instantiate_streaming(
            &mut store,
            Response::wasm(body(&wasm, 3)),
            &imports,
        ));
        s.spawn(|| block_on(fut)).join().unwrap()
    })
    .unwrap();
    let bytes_fut = send_value(rill::instantiate(&mut store, &wasm, &imports));
    let again = block_on(bytes_fut).unwrap();
    for i in [obj.instance, again.instance] {
        let run = i.get_func(&store, "run").unwrap();
        run.call(&mut store, &[]).unwrap();
    }
    assert_eq!(store.data(), &[7, 7]);
}
