//! Observing a compilation while it runs.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) bytes_received: AtomicU64,
    pub(crate) sections_validated: AtomicUsize,
    pub(crate) functions_received: AtomicUsize,
    pub(crate) functions_done: AtomicUsize,
    pub(crate) workers_alive: AtomicUsize,
}

/// A live view of one compilation's progress, shared with the compilation (get it from
/// [`CompileStreaming::progress`](crate::CompileStreaming::progress) before or while polling).
///
/// Its counters only grow, except [`workers_alive`](CompileProgress::workers_alive), and are
/// updated as the work happens, from whichever thread does it. They exist so that callers
/// (and the tests) can see that sections and function bodies are handled while the bytes are
/// still arriving, and that dropping the future stops the workers.
#[derive(Clone, Debug, Default)]
pub struct CompileProgress(pub(crate) Arc<Counters>);

impl CompileProgress {
    /// Bytes of the module read from the source so far.
    pub fn bytes_received(&self) -> u64 {
        self.0.bytes_received.load(Ordering::SeqCst)
    }

    /// Sections (the header and the end included) decoded and validated so far.
    pub fn sections_validated(&self) -> usize {
        self.0.sections_validated.load(Ordering::SeqCst)
    }

    /// Function bodies whose last byte has arrived and that were handed to the workers.
    pub fn functions_received(&self) -> usize {
        self.0.functions_received.load(Ordering::SeqCst)
    }

    /// Function bodies the workers have finished (validated and lowered; a body that failed
    /// counts too).
    pub fn functions_done(&self) -> usize {
        self.0.functions_done.load(Ordering::SeqCst)
    }

    /// Worker threads of this compilation that are still running. Drops to zero soon
    /// after the compilation ends or its future is dropped.
    pub fn workers_alive(&self) -> usize {
        self.0.workers_alive.load(Ordering::SeqCst)
    }
}
