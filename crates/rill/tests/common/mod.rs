//! Helpers shared by the façade tests: building modules, streams and executors.
#![allow(dead_code)]

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use futures::Stream;

/// The error inside `Err(rill::Error::$variant(e))`, or a panic saying what came instead.
#[allow(unused_macros)]
macro_rules! assert_err {
    ($r:expr, $variant:ident) => {
        match $r {
            Err(rill::Error::$variant(e)) => e,
            other => panic!("expected {}, got {other:?}", stringify!($variant)),
        }
    };
}

/// Encodes a module in the text format.
pub fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut module: wast::Wat = wast::parser::parse(&buf).expect("parse");
    module.encode().expect("encode")
}

/// Unsigned LEB128.
pub fn leb(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// A section: id, size, payload.
pub fn section(id: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![id];
    out.extend(leb(payload.len() as u64));
    out.extend_from_slice(payload);
    out
}

/// The module header followed by `sections`.
pub fn module(sections: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for s in sections {
        out.extend_from_slice(s);
    }
    out
}

/// A custom section.
pub fn custom(name: &str, data: &[u8]) -> Vec<u8> {
    let mut payload = leb(name.len() as u64);
    payload.extend_from_slice(name.as_bytes());
    payload.extend_from_slice(data);
    section(0, &payload)
}

/// A valid module of `n` functions, each with a little work to validate, exported as
/// `f0`, `f1`, ...
pub fn many_functions(n: usize) -> Vec<u8> {
    let mut src = String::from("(module (memory 1)\n");
    for i in 0..n {
        src.push_str(&format!(
            "(func (export \"f{i}\") (param i32 i32) (result i32) (local i64 f64)
               (local.set 2 (i64.extend_i32_u (local.get 0)))
               (block (loop
                 (br_if 1 (i32.eqz (local.get 1)))
                 (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
                 (i32.store (local.get 1) (i32.add (i32.load (local.get 1)) (i32.const {i})))
                 (local.set 3 (f64.add (local.get 3) (f64.const 1.5)))
                 (br 0)))
               (i32.add (i32.wrap_i64 (local.get 2)) (i32.trunc_f64_s (local.get 3))))\n"
        ));
    }
    src.push(')');
    wat(&src)
}

/// A stream over chunks of `bytes` of size `size`, never failing.
pub fn chunks(
    bytes: &[u8],
    size: usize,
) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + Unpin + 'static {
    let parts: Vec<_> = bytes.chunks(size.max(1)).map(|c| Ok(c.to_vec())).collect();
    futures::stream::iter(parts)
}

/// A source's own error type, to check that errors pass through unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError(pub &'static str);

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "source error: {}", self.0)
    }
}

impl std::error::Error for SourceError {}

/// A stream that records whether it was ever polled, yielding the given items.
pub struct Watched<T> {
    items: std::collections::VecDeque<T>,
    pub polled: Arc<AtomicBool>,
}

impl<T> Watched<T> {
    pub fn new(items: Vec<T>) -> Self {
        Watched {
            items: items.into(),
            polled: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl<T: Unpin> Stream for Watched<T> {
    type Item = T;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<T>> {
        self.polled.store(true, Ordering::SeqCst);
        Poll::Ready(self.items.pop_front())
    }
}

/// A waker that counts its wakes and unparks the thread that made it.
pub struct CountingWaker {
    pub wakes: AtomicUsize,
    thread: std::thread::Thread,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.thread.unpark();
    }
}

/// A minimal executor: polls `fut` on this thread, parking between polls until woken.
/// Returns the output and the number of polls it took.
pub fn run_counting_polls<F: std::future::Future>(fut: F) -> (F::Output, usize) {
    let waker_state = Arc::new(CountingWaker {
        wakes: AtomicUsize::new(0),
        thread: std::thread::current(),
    });
    let waker = Waker::from(waker_state.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = std::pin::pin!(fut);
    let mut polls = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        polls += 1;
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return (out, polls);
        }
        // Park until woken (a spurious unpark only costs a poll, which the count shows).
        let wakes = waker_state.wakes.load(Ordering::SeqCst);
        while waker_state.wakes.load(Ordering::SeqCst) == wakes {
            assert!(Instant::now() < deadline, "the future was never woken");
            std::thread::park_timeout(Duration::from_millis(100));
        }
    }
}

/// Polls `fut` once with a no-op waker.
pub fn poll_once<F: std::future::Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    let waker = Waker::noop();
    let mut cx = Context::from_waker(waker);
    Pin::new(fut).poll(&mut cx)
}

/// Waits (sleeping, not spinning hot) until `cond` holds, for at most 30 s.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// One item of a test byte stream.
pub type Item = Result<Vec<u8>, SourceError>;

/// A channel-backed byte stream: the test sends chunks (or an error) while the future runs.
pub fn channel() -> (
    futures::channel::mpsc::UnboundedSender<Item>,
    futures::channel::mpsc::UnboundedReceiver<Item>,
) {
    futures::channel::mpsc::unbounded()
}

/// Collected outcome, for comparing.
pub fn shared<T>(v: T) -> Arc<Mutex<T>> {
    Arc::new(Mutex::new(v))
}
