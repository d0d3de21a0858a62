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

// ---------------------------------------------------------------------------------------
// The same over real HTTP/1.1 on 127.0.0.1: a server written over tokio's TcpListener (so
// it can pause, cut the connection, or hold the body back) and hyper's client, as in
// examples/instantiate_streaming.rs. Every test is bounded in time.

mod real {
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use bytes::Bytes;
    use http_body_util::Empty;
    use hyper::body::Incoming;
    use hyper_util::rt::TokioIo;
    use rill::{instantiate_streaming, Error, Func, Imports, Instantiated, ResponseFuture, Store};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::task::JoinHandle;

    use super::common::wat;

    const LIMIT: Duration = Duration::from_secs(20);

    fn simple_wasm() -> Vec<u8> {
        wat(r#"(module
              (func $i (import "imports" "imported_func") (param i32))
              (func (export "exported_func") i32.const 42 call $i))"#)
    }

    /// What the server does after the headers.
    #[derive(Clone, Copy)]
    enum Then {
        /// Sends the body in chunks of this size, pausing before each, then closes.
        Send { chunk: usize, pause: Duration },
        /// Sends the first `n` bytes of the body, then cuts the connection.
        Cut { n: usize },
        /// Sends the body only if the client has not closed the connection within the
        /// time limit (it never should).
        HoldBack,
    }

    /// Serves one request; resolves to the number of body bytes written.
    async fn serve(
        status: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        then: Then,
    ) -> (SocketAddr, JoinHandle<usize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\n", body.len());
        if let Some(ct) = content_type {
            head += &format!("content-type: {ct}\r\n");
        }
        head += "\r\n";
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            s.set_nodelay(true).unwrap();
            // Read the request head.
            let mut request = Vec::new();
            let mut buf = [0; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).await.unwrap();
                assert!(n > 0, "the client closed before sending its request");
                request.extend_from_slice(&buf[..n]);
            }
            assert!(request.starts_with(b"GET /simple.wasm HTTP/1.1\r\n"));
            s.write_all(head.as_bytes()).await.unwrap();
            s.flush().await.unwrap();
            let mut written = 0;
            match then {
                Then::Send { chunk, pause } => {
                    for c in body.chunks(chunk) {
                        tokio::time::sleep(pause).await;
                        s.write_all(c).await.unwrap();
                        s.flush().await.unwrap();
                        written += c.len();
                    }
                }
                Then::Cut { n } => {
                    s.write_all(&body[..n]).await.unwrap();
                    s.flush().await.unwrap();
                    written = n;
                    // Dropping the stream closes the connection mid-body.
                }
                Then::HoldBack => {
                    // Wait for the client to close (read gives 0 or an error).
                    let closed = tokio::time::timeout(LIMIT, s.read(&mut buf)).await;
                    if !matches!(closed, Ok(Ok(0) | Err(_))) {
                        s.write_all(&body).await.unwrap();
                        written = body.len();
                    }
                }
            }
            written
        });
        (addr, server)
    }

    /// `fetch`: the future of the response, with hyper's client.
    async fn fetch(
        addr: SocketAddr,
    ) -> impl std::future::Future<Output = hyper::Result<hyper::Response<Incoming>>> {
        let stream = TcpStream::connect(addr).await.unwrap();
        let request = hyper::Request::get("/simple.wasm")
            .header(hyper::header::HOST, addr.to_string())
            .body(Empty::<Bytes>::new())
            .unwrap();
        async move {
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            sender.send_request(request).await
        }
    }

    fn imports(store: &mut Store, seen: &Arc<AtomicI32>) -> Imports {
        let seen = seen.clone();
        let mut imports = Imports::new();
        imports.define(
            "imports",
            "imported_func",
            Func::wrap(store, move |arg: i32| seen.store(arg, Ordering::SeqCst)),
        );
        imports
    }

    async fn run(
        store: &mut Store,
        status: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        then: Then,
        seen: &Arc<AtomicI32>,
    ) -> (Result<Instantiated, Error<hyper::Error>>, usize) {
        let (addr, server) = serve(status, content_type, body, then).await;
        let source = ResponseFuture::new(fetch(addr).await);
        let imports = imports(store, seen);
        let result = tokio::time::timeout(LIMIT, instantiate_streaming(store, source, &imports))
            .await
            .expect("instantiate_streaming finished in time");
        // Dropping the result closes the client's side of the connection.
        let written = tokio::time::timeout(LIMIT, server).await.unwrap().unwrap();
        (result, written)
    }

    #[tokio::test]
    async fn the_seeds_example_in_small_chunks_with_pauses() {
        let seen = Arc::new(AtomicI32::new(0));
        let wasm = simple_wasm();
        let then = Then::Send {
            chunk: 7,
            pause: Duration::from_millis(15),
        };
        let mut store = Store::new(());
        let (result, written) = run(
            &mut store,
            "200 OK",
            Some("application/wasm"),
            wasm.clone(),
            then,
            &seen,
        )
        .await;
        let obj = result.unwrap();
        assert_eq!(written, wasm.len());
        obj.instance
            .get_func(&store, "exported_func")
            .unwrap()
            .call(&mut store, &[])
            .unwrap();
        assert_eq!(seen.load(Ordering::SeqCst), 42);
    }

    #[tokio::test]
    async fn a_wrong_content_type_is_a_type_error_and_the_body_is_not_read() {
        for ct in [
            Some("text/html"),
            None,
            Some("application/wasm; charset=binary"),
        ] {
            let seen = Arc::new(AtomicI32::new(0));
            let mut store = Store::new(());
            let (result, written) = run(
                &mut store,
                "200 OK",
                ct,
                simple_wasm(),
                Then::HoldBack,
                &seen,
            )
            .await;
            assert!(
                matches!(result, Err(Error::TypeError(_))),
                "{ct:?}: {result:?}"
            );
            // The client decided without the body: the server never got to send it.
            assert_eq!(written, 0, "{ct:?}");
        }
    }

    #[tokio::test]
    async fn a_404_is_a_type_error() {
        let seen = Arc::new(AtomicI32::new(0));
        let (result, _) = run(
            &mut Store::new(()),
            "404 Not Found",
            Some("application/wasm"),
            simple_wasm(),
            Then::HoldBack,
            &seen,
        )
        .await;
        match result {
            Err(Error::TypeError(e)) => assert!(e.message().contains("404"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_connection_cut_mid_body_gives_the_bodys_error() {
        let seen = Arc::new(AtomicI32::new(0));
        let wasm = simple_wasm();
        let n = wasm.len() / 2;
        let (result, _) = run(
            &mut Store::new(()),
            "200 OK",
            Some("application/wasm"),
            wasm,
            Then::Cut { n },
            &seen,
        )
        .await;
        match result {
            // hyper's own error, unchanged: the body ended early.
            Err(Error::Source(e)) => {
                let io = std::error::Error::source(&e)
                    .and_then(|s| s.downcast_ref::<std::io::Error>())
                    .unwrap_or_else(|| panic!("{e:?}"));
                assert_eq!(io.kind(), std::io::ErrorKind::UnexpectedEof, "{e:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_truncated_module_is_a_compile_error() {
        let seen = Arc::new(AtomicI32::new(0));
        let mut wasm = simple_wasm();
        wasm.truncate(wasm.len() - 3);
        let then = Then::Send {
            chunk: 16,
            pause: Duration::from_millis(5),
        };
        let (result, _) = run(
            &mut Store::new(()),
            "200 OK",
            Some("application/wasm"),
            wasm.clone(),
            then,
            &seen,
        )
        .await;
        match result {
            Err(Error::CompileError(e)) => {
                // The same message as compiling the same bytes at once.
                let at_once = rill::Module::new(&wasm).unwrap_err();
                assert_eq!(Some(&e), at_once.as_compile_error(), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
}
