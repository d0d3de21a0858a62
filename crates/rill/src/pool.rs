//! The worker threads of one compilation: function bodies go into a queue as they arrive,
//! and a few threads (sized from `available_parallelism`) compile them.
//!
//! Each compilation has its own pool, so dropping the compilation is all it takes to stop
//! it: [`Pool`]'s `Drop` closes the queue, discards the bodies nobody has started, and
//! wakes every worker. A worker finishes the body in its hands (one function's validation:
//! bounded and short), sees the queue closed and exits; the threads are detached, so
//! dropping a future never blocks the executor. Workers hold only an `Arc` of the pool's
//! shared state, which is freed when the last of them exits: nothing leaks.
//!
//! The task waiting for the pool is woken from the worker that finishes the last pending
//! body or finds the first error, never by polling.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use rill_decoder::FunctionBody;
use rill_validator::{ModuleEnv, ValidationError};

use crate::compiler::FunctionCompiler;
use crate::progress::Counters;

pub(crate) struct Pool<C: FunctionCompiler> {
    shared: Arc<Shared<C>>,
    workers: usize,
}

struct Shared<C: FunctionCompiler> {
    compiler: C,
    env: Arc<ModuleEnv>,
    state: Mutex<State<C::Code>>,
    /// Signalled when a body is queued or the pool closes.
    work: Condvar,
    /// Signalled when nothing is pending any more, or the first error is found.
    idle: Condvar,
    counters: Arc<Counters>,
}

struct State<T> {
    queue: VecDeque<FunctionBody>,
    /// Bodies queued or being compiled.
    pending: usize,
    /// One slot per defined function, filled by whoever compiles it.
    codes: Vec<Option<T>>,
    /// The first error a worker found (in time, not in module order: the pipeline finds
    /// the canonical error itself).
    error: Option<rill_validator::Error>,
    closed: bool,
    waker: Option<Waker>,
}

impl<C: FunctionCompiler> Pool<C> {
    /// A pool for `count` bodies with up to `workers` threads. Spawning fewer (or none, if
    /// the system refuses) is fine: [`Pool::help`] runs whatever is left on the caller.
    pub(crate) fn new(
        env: Arc<ModuleEnv>,
        count: u32,
        workers: usize,
        counters: Arc<Counters>,
        config: crate::config::ModuleConfig,
    ) -> Self {
        let shared = Arc::new(Shared {
            compiler: C::for_module(&env, config),
            env,
            state: Mutex::new(State {
                queue: VecDeque::new(),
                pending: 0,
                codes: std::iter::repeat_with(|| None)
                    .take(count as usize)
                    .collect(),
                error: None,
                closed: false,
                waker: None,
            }),
            work: Condvar::new(),
            idle: Condvar::new(),
            counters,
        });
        let mut spawned = 0;
        for _ in 0..workers {
            shared.counters.workers_alive.fetch_add(1, Ordering::SeqCst);
            let worker = shared.clone();
            let result = std::thread::Builder::new()
                .name("rill-compile".into())
                .spawn(move || work(worker));
            if result.is_err() {
                shared.counters.workers_alive.fetch_sub(1, Ordering::SeqCst);
                break;
            }
            spawned += 1;
        }
        Pool {
            shared,
            workers: spawned,
        }
    }

    /// The number of worker threads running for this pool.
    pub(crate) fn workers(&self) -> usize {
        self.workers
    }

    /// Queues a body. Nothing is queued after an error: the module is invalid anyway.
    pub(crate) fn submit(&self, body: FunctionBody) {
        let mut st = self.shared.lock();
        if st.error.is_some() || st.closed {
            return;
        }
        st.queue.push_back(body);
        st.pending += 1;
        drop(st);
        self.shared.work.notify_one();
    }

    /// Compiles queued bodies on the calling thread until the queue is empty.
    pub(crate) fn help(&self) {
        loop {
            let Some(body) = self.shared.lock().queue.pop_front() else {
                return;
            };
            self.shared.run(body);
        }
    }

    /// Blocks until nothing is pending or an error was found.
    pub(crate) fn wait(&self) {
        let mut st = self.shared.lock();
        while st.pending > 0 && st.error.is_none() {
            st = self
                .shared
                .idle
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Ready when nothing is pending or an error was found; otherwise the task is woken
    /// when that happens.
    pub(crate) fn poll_idle(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = self.shared.lock();
        if st.pending == 0 || st.error.is_some() {
            return Poll::Ready(());
        }
        match &mut st.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Whether a body failed to compile.
    pub(crate) fn failed(&self) -> bool {
        self.shared.lock().error.is_some()
    }

    /// Every function's code, in function order, or the error a worker found. Call once
    /// the pool is idle.
    pub(crate) fn take_codes(&self) -> Result<Vec<C::Code>, rill_validator::Error> {
        let mut st = self.shared.lock();
        if let Some(e) = &st.error {
            return Err(e.clone());
        }
        assert_eq!(st.pending, 0, "the pool is idle");
        Ok(st
            .codes
            .drain(..)
            .map(|c| c.expect("every body was compiled"))
            .collect())
    }
}

impl<C: FunctionCompiler> Drop for Pool<C> {
    fn drop(&mut self) {
        let mut st = self.shared.lock();
        st.closed = true;
        let discarded = st.queue.len();
        st.queue.clear();
        st.pending -= discarded;
        st.waker = None;
        drop(st);
        self.shared.work.notify_all();
        self.shared.idle.notify_all();
    }
}

impl<C: FunctionCompiler> Shared<C> {
    fn lock(&self) -> MutexGuard<'_, State<C::Code>> {
        // Compilers run outside the lock and under `catch_unwind`: the lock is never held
        // by a panicking thread, but a poisoned one would still hold consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Compiles one body and records the result.
    fn run(&self, body: FunctionBody) {
        let index = body.index as usize;
        let result = catch_unwind(AssertUnwindSafe(|| self.compiler.compile(&self.env, &body)))
            .unwrap_or_else(|_| {
                Err(ValidationError::new(
                    body.offset,
                    "internal error: compiling this function panicked",
                )
                .into())
            });
        let mut st = self.lock();
        st.pending -= 1;
        let mut notify = st.pending == 0;
        match result {
            Ok(code) => {
                if let Some(slot) = st.codes.get_mut(index) {
                    *slot = Some(code);
                }
            }
            Err(e) => {
                if st.error.is_none() {
                    st.error = Some(e);
                    let discarded = st.queue.len();
                    st.queue.clear();
                    st.pending -= discarded;
                    notify = true;
                }
            }
        }
        self.counters.functions_done.fetch_add(1, Ordering::SeqCst);
        let waker = if notify { st.waker.take() } else { None };
        drop(st);
        if notify {
            self.idle.notify_all();
        }
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// A worker thread: compiles queued bodies until the pool closes. It counts itself out of
/// `workers_alive` only after it has let go of the pool's shared state.
fn work<C: FunctionCompiler>(shared: Arc<Shared<C>>) {
    struct Alive(Arc<Counters>);
    impl Drop for Alive {
        fn drop(&mut self) {
            self.0.workers_alive.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let _alive = Alive(shared.counters.clone());
    work_loop(shared);
}

fn work_loop<C: FunctionCompiler>(shared: Arc<Shared<C>>) {
    loop {
        let body = {
            let mut st = shared.lock();
            loop {
                if st.closed {
                    return;
                }
                if let Some(body) = st.queue.pop_front() {
                    break body;
                }
                st = shared.work.wait(st).unwrap_or_else(PoisonError::into_inner);
            }
        };
        shared.run(body);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use rill_decoder::Bytes;

    use super::*;

    /// Takes 5 ms per body; body 13 panics.
    struct Slow;

    impl FunctionCompiler for Slow {
        type Code = u32;
        fn for_module(_: &Arc<ModuleEnv>, _: crate::config::ModuleConfig) -> Self {
            Slow
        }
        fn compile(
            &self,
            _: &ModuleEnv,
            body: &FunctionBody,
        ) -> Result<u32, rill_validator::Error> {
            std::thread::sleep(Duration::from_millis(5));
            assert!(body.index != 13, "compiler bug");
            Ok(body.index * 2)
        }
    }

    fn body(index: u32) -> FunctionBody {
        FunctionBody {
            index,
            offset: 100 + index as usize,
            bytes: Bytes::copy_from_slice(&[0, 0x0b]),
            has_data_count: false,
        }
    }

    fn wait_until(mut cond: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !cond() {
            assert!(Instant::now() < deadline, "timed out");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn compiles_every_body_into_its_slot() {
        let counters = Arc::new(Counters::default());
        let pool = Pool::<Slow>::new(Arc::default(), 10, 2, counters.clone(), Default::default());
        (0..10).for_each(|i| pool.submit(body(i)));
        pool.help();
        pool.wait();
        assert_eq!(
            pool.take_codes().unwrap(),
            (0..10).map(|i| i * 2).collect::<Vec<_>>()
        );
        drop(pool);
        wait_until(|| counters.workers_alive.load(Ordering::SeqCst) == 0);
    }

    #[test]
    fn dropping_stops_taking_new_work() {
        let counters = Arc::new(Counters::default());
        let pool = Pool::<Slow>::new(Arc::default(), 200, 2, counters.clone(), Default::default());
        assert_eq!(pool.workers(), 2);
        (0..200).for_each(|i| pool.submit(body(i)));
        std::thread::sleep(Duration::from_millis(12));
        drop(pool);
        wait_until(|| counters.workers_alive.load(Ordering::SeqCst) == 0);
        let done = counters.functions_done.load(Ordering::SeqCst);
        // Each worker finishes at most the body in its hands after the drop.
        assert!(done < 50, "{done} of 200 bodies compiled after the drop");
    }

    #[test]
    fn a_panicking_compiler_is_an_error_not_a_hang() {
        let counters = Arc::new(Counters::default());
        let pool = Pool::<Slow>::new(Arc::default(), 20, 1, counters, Default::default());
        (0..20).for_each(|i| pool.submit(body(i)));
        pool.wait();
        let e = pool.take_codes().unwrap_err();
        assert_eq!(e.offset(), 113);
        assert!(e.message().contains("panicked"));
    }

    #[test]
    fn the_waiting_task_is_woken_when_the_last_body_is_done() {
        use std::task::Wake;
        struct Flag(std::sync::atomic::AtomicBool);
        impl Wake for Flag {
            fn wake(self: Arc<Self>) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let flag = Arc::new(Flag(Default::default()));
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        let pool = Pool::<Slow>::new(Arc::default(), 4, 2, Arc::default(), Default::default());
        (0..4).for_each(|i| pool.submit(body(i)));
        assert!(pool.poll_idle(&mut cx).is_pending());
        wait_until(|| flag.0.load(Ordering::SeqCst));
        assert!(pool.poll_idle(&mut cx).is_ready());
    }
}
