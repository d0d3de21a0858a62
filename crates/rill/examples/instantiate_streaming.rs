//! The seed's example (`WebAssembly.instantiateStreaming(fetch("simple.wasm"), importObject)`),
//! for real: an HTTP/1.1 server on 127.0.0.1 (a free port) serves the module with
//! `Content-Type: application/wasm`, an HTTP client (hyper) fetches it, and
//! `rill::instantiate_streaming` compiles the body as it arrives and instantiates it with an
//! import `imports.imported_func` that prints its argument; `exported_func` calls it with 42.
//!
//! ```text
//! cargo run --release -p rill --example instantiate_streaming --features http
//! ```
//!
//! The JS it mirrors:
//!
//! ```js
//! const importObject = { imports: { imported_func: (arg) => console.log(arg) } };
//! WebAssembly.instantiateStreaming(fetch("simple.wasm"), importObject).then(
//!   (obj) => obj.instance.exports.exported_func(),
//! );
//! ```

use std::convert::Infallible;
use std::error::Error;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::{Empty, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// simple.wasm, in the text format.
const SIMPLE_WAT: &str = r#"
(module
  (func $i (import "imports" "imported_func") (param i32))
  (func (export "exported_func")
    i32.const 42
    call $i))
"#;

fn main() -> Result<(), Box<dyn Error>> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<(), Box<dyn Error>> {
    let wasm = Bytes::from(encode(SIMPLE_WAT)?);

    // The server: one HTTP/1.1 connection, /simple.wasm as application/wasm, 404 otherwise.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    eprintln!(
        "serving simple.wasm ({} bytes) on http://{addr}/",
        wasm.len()
    );
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await?;
        let service = service_fn(move |request: hyper::Request<Incoming>| {
            let wasm = wasm.clone();
            async move {
                let response = if request.uri().path() == "/simple.wasm" {
                    hyper::Response::builder()
                        .header(hyper::header::CONTENT_TYPE, "application/wasm")
                        .body(Full::new(wasm))
                } else {
                    hyper::Response::builder().status(404).body(Full::default())
                };
                Ok::<_, Infallible>(response.expect("a valid response"))
            }
        });
        http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .await
            .map_err(Box::<dyn Error + Send + Sync>::from)
    });

    // The store: where the instance and its functions live (the JS agent, made explicit).
    let mut store = rill::Store::new(());

    // const importObject = { imports: { imported_func: (arg) => console.log(arg) } };
    let mut import_object = rill::Imports::new();
    import_object.define(
        "imports",
        "imported_func",
        rill::Func::wrap(&mut store, |arg: i32| println!("{arg}")),
    );

    // WebAssembly.instantiateStreaming(fetch("simple.wasm"), importObject)
    let response = fetch(addr, "/simple.wasm").await?;
    let obj = rill::instantiate_streaming(
        &mut store,
        rill::ResponseFuture::new(response),
        &import_object,
    )
    .await?;

    // .then((obj) => obj.instance.exports.exported_func());
    let exported_func = obj
        .instance
        .get_func(&store, "exported_func")
        .ok_or("no export exported_func")?;
    exported_func.call(&mut store, &[])?;
    Ok(())
}

/// `fetch("http://{addr}{path}")`: connects, then gives the future of the response (its
/// headers; the body streams in as it is read), as the JS `fetch` promise does.
async fn fetch(
    addr: SocketAddr,
    path: &str,
) -> std::io::Result<impl std::future::Future<Output = hyper::Result<hyper::Response<Incoming>>>> {
    let stream = TcpStream::connect(addr).await?;
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, addr.to_string())
        .body(Empty::<Bytes>::new())
        .expect("a valid request");
    Ok(async move {
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        sender.send_request(request).await
    })
}

/// Encodes a module in the text format (with the `wast` crate).
fn encode(wat: &str) -> Result<Vec<u8>, Box<dyn Error>> {
    let buf = wast::parser::ParseBuffer::new(wat)?;
    let mut module: wast::Wat = wast::parser::parse(&buf)?;
    Ok(module.encode()?)
}
