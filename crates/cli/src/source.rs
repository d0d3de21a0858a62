//! Where a module comes from: a file (binary or `.wat` text), standard input, or an
//! `http://` URL, and how its bytes are streamed into the façade.
//!
//! Files and standard input are read in chunks as the façade asks for them (a stream over a
//! reader), never read whole first; a `.wat` file is converted with the `wat` crate and then
//! streamed from memory. A URL is fetched with a real HTTP/1.1 client (hyper), and the
//! response future goes to the façade as a [`rill::ResponseFuture`], so the façade checks the
//! content type and status before it reads the body.

use std::fmt;
use std::future::Future;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body_util::Empty;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::runtime::Runtime;

use crate::failure::{Class, Failure};

/// How many bytes are read from a file or standard input at a time.
const CHUNK: usize = 64 * 1024;

/// A module's location, as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// `-`.
    Stdin,
    /// An `http://` (or, to be refused clearly, another scheme's) URL.
    Url(String),
    /// A file path.
    Path(PathBuf),
}

impl Input {
    pub fn parse(s: &str) -> Input {
        if s == "-" {
            Input::Stdin
        } else if s.starts_with("http://") || s.starts_with("https://") {
            Input::Url(s.to_owned())
        } else {
            Input::Path(PathBuf::from(s))
        }
    }

    /// Whether the path names a module in the text format.
    fn is_text(path: &Path) -> bool {
        matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wat" | "wast")
        )
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("<stdin>"),
            Input::Url(u) => f.write_str(u),
            Input::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

/// A reader as a stream of chunks. Each poll reads one chunk (blocking: files and pipes are
/// read on the thread that drives the compilation, while function bodies are compiled on the
/// façade's worker threads).
pub struct ReadStream {
    reader: Option<Box<dyn Read + Send>>,
}

impl ReadStream {
    pub fn new(reader: impl Read + Send + 'static) -> Self {
        ReadStream {
            reader: Some(Box::new(reader)),
        }
    }
}

impl Stream for ReadStream {
    type Item = io::Result<Vec<u8>>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(reader) = self.reader.as_mut() else {
            return Poll::Ready(None);
        };
        let mut buf = vec![0u8; CHUNK];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => {
                    self.reader = None;
                    return Poll::Ready(None);
                }
                Ok(n) => {
                    buf.truncate(n);
                    return Poll::Ready(Some(Ok(buf)));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.reader = None;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}

/// The future of an HTTP response (headers; the body streams in as it is read).
pub type ResponseFuture =
    Pin<Box<dyn Future<Output = hyper::Result<hyper::Response<Incoming>>> + Send>>;

/// A module's bytes, ready to be streamed.
pub enum Opened {
    /// A file, standard input, or a converted `.wat` file.
    Bytes(ReadStream),
    /// An HTTP request on its way.
    Http(ResponseFuture),
}

/// Opens a module: the file is opened (or the `.wat` file converted), or the HTTP connection
/// made and the request sent.
pub fn open(rt: &Runtime, input: &Input) -> Result<Opened, Failure> {
    match input {
        Input::Stdin => Ok(Opened::Bytes(ReadStream::new(io::stdin()))),
        Input::Path(path) if Input::is_text(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
            let wasm = wat::parse_str(&text).map_err(|mut e| {
                e.set_path(path);
                Failure::new(Class::CompileError, e.to_string())
            })?;
            Ok(Opened::Bytes(ReadStream::new(io::Cursor::new(wasm))))
        }
        Input::Path(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
            Ok(Opened::Bytes(ReadStream::new(file)))
        }
        Input::Url(url) => rt.block_on(fetch(url)).map(Opened::Http),
    }
}

/// `fetch(url)`: connects, sends `GET`, and gives the future of the response.
async fn fetch(url: &str) -> Result<ResponseFuture, Failure> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| Failure::io(format!("{url}: not a valid URL: {e}")))?;
    if uri.scheme_str() != Some("http") {
        return Err(Failure::io(format!(
            "{url}: only http:// URLs are supported"
        )));
    }
    let host = uri
        .host()
        .ok_or_else(|| Failure::io(format!("{url}: the URL has no host")))?
        .to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let authority = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .unwrap_or_else(|| host.clone());
    // `[::1]` in a URL is `::1` to connect to.
    let connect_host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let stream = tokio::net::TcpStream::connect((connect_host.as_str(), port))
        .await
        .map_err(|e| Failure::io(format!("{url}: cannot connect to {authority}: {e}")))?;
    let request = hyper::Request::get(path)
        .header(hyper::header::HOST, authority)
        .header(hyper::header::ACCEPT, "application/wasm")
        .body(Empty::<Bytes>::new())
        .map_err(|e| Failure::io(format!("{url}: {e}")))?;
    Ok(Box::pin(async move {
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        sender.send_request(request).await
    }))
}

/// Compiles a module, streaming its bytes into `rill::compile_streaming` as they are read.
pub fn compile(rt: &Runtime, input: &Input) -> Result<rill::Module, Failure> {
    compile_with(rt, input, rill::ModuleConfig::default())
}

/// [`compile`] by `config`.
pub fn compile_with(
    rt: &Runtime,
    input: &Input,
    config: rill::ModuleConfig,
) -> Result<rill::Module, Failure> {
    let what = input.to_string();
    match open(rt, input)? {
        Opened::Bytes(stream) => rt
            .block_on(rill::compile_streaming_with_config(stream, config))
            .map_err(|e| Failure::from_rill(e, &what)),
        Opened::Http(response) => rt
            .block_on(rill::compile_streaming_with_config(
                rill::ResponseFuture::new(response),
                config,
            ))
            .map_err(|e| Failure::from_rill(e, &what)),
    }
}

/// The runtime the HTTP client runs on; files and standard input use it too (the façade's
/// futures need no particular executor). One thread: one request at a time.
pub fn runtime() -> Result<Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(|e| Failure::io(format!("cannot start the I/O runtime: {e}")))
}
