//! `http::Response<B: http_body::Body>` as a streaming source (feature `http`).
#![cfg(feature = "http")]

mod common;

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use common::*;
use futures::executor::block_on;
use http_body::Frame;
use rill::{compile_streaming, Error, Response, ResponseFuture};

/// A body of the given frames.
struct TestBody(VecDeque<Result<Frame<bytes::Bytes>, SourceError>>);

impl http_body::Body for TestBody {
    type Data = bytes::Bytes;
    type Error = SourceError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<bytes::Bytes>, SourceError>>> {
        Poll::Ready(self.0.pop_front())
    }
}

fn wasm_body(bytes: &[u8]) -> TestBody {
    let mut frames: VecDeque<_> = bytes
        .chunks(5)
        .map(|c| Ok(Frame::data(bytes::Bytes::copy_from_slice(c))))
        .collect();
    frames.push_back(Ok(Frame::trailers(http::HeaderMap::new())));
    TestBody(frames)
}

fn module() -> Vec<u8> {
    wat("(module (func (export \"run\")))")
}

fn http_response(content_types: &[&str], status: u16) -> http::Response<TestBody> {
    let mut b = http::Response::builder().status(status);
    for ct in content_types {
        b = b.header(http::header::CONTENT_TYPE, *ct);
    }
    b.body(wasm_body(&module())).unwrap()
}

#[test]
fn an_http_response_compiles() {
    let m = block_on(compile_streaming(Response::from(http_response(
        &["Application/Wasm "],
        200,
    ))))
    .unwrap();
    assert_eq!(m.exports()[0].name, "run");
}

#[test]
fn a_future_of_an_http_response_compiles() {
    let fut = async { Ok::<_, SourceError>(http_response(&["application/wasm"], 201)) };
    block_on(compile_streaming(ResponseFuture::new(fut))).unwrap();
    let fut = async { Err::<http::Response<TestBody>, _>(SourceError("refused")) };
    match block_on(compile_streaming(ResponseFuture::new(fut))) {
        Err(Error::Source(e)) => assert_eq!(e, SourceError("refused")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn http_header_checks() {
    for (cts, status) in [
        (&[][..], 200),
        (&["text/html"][..], 200),
        (&["application/wasm;charset=binary"][..], 200),
        // Two headers combine into "application/wasm, application/wasm": no match.
        (&["application/wasm", "application/wasm"][..], 200),
        (&["application/wasm"][..], 404),
    ] {
        let r = block_on(compile_streaming(Response::from(http_response(
            cts, status,
        ))));
        assert!(
            matches!(r, Err(Error::TypeError(_))),
            "{cts:?} {status}: {r:?}"
        );
    }
}

#[test]
fn an_http_body_error_is_passed_through() {
    let mut body = wasm_body(&module());
    body.0.insert(2, Err(SourceError("reset")));
    let response = http::Response::builder()
        .header("content-type", "application/wasm")
        .body(body)
        .unwrap();
    match block_on(compile_streaming(Response::from(response))) {
        Err(Error::Source(e)) => assert_eq!(e, SourceError("reset")),
        other => panic!("{other:?}"),
    }
}
