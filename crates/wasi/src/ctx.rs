//! The WASI context ([`WasiCtx`]) and its builder ([`WasiCtxBuilder`]): arguments,
//! environment, standard streams, preopened directories, clocks and randomness.

use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

use crate::table::{Desc, DirDesc, Table};

/// A buffer that captures what the guest writes to standard output or error. Clones
/// share the buffer: keep one, give one to the builder, and read it after the run.
///
/// ```
/// let out = rill_wasi::OutputPipe::new();
/// let ctx = rill_wasi::WasiCtxBuilder::new().stdout(out.clone()).build();
/// # drop(ctx);
/// assert!(out.contents().is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct OutputPipe(Arc<Mutex<Vec<u8>>>);

impl OutputPipe {
    /// An empty buffer.
    pub fn new() -> OutputPipe {
        OutputPipe::default()
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        // A panic elsewhere while holding the lock leaves plain bytes behind: still usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn append(&self, bytes: &[u8]) {
        self.lock().extend_from_slice(bytes);
    }
}

/// Where the guest's standard output or error goes.
#[derive(Clone, Debug, Default)]
pub(crate) enum Output {
    /// Discarded.
    #[default]
    Null,
    /// The host process's own stream.
    Inherit,
    /// Captured in a buffer.
    Pipe(OutputPipe),
}

impl Output {
    pub(crate) fn write(&self, stderr: bool, bytes: &[u8]) -> io::Result<()> {
        match self {
            Output::Null => Ok(()),
            Output::Pipe(p) => {
                p.append(bytes);
                Ok(())
            }
            Output::Inherit if stderr => io::stderr().lock().write_all(bytes),
            Output::Inherit => {
                let mut out = io::stdout().lock();
                out.write_all(bytes)?;
                out.flush()
            }
        }
    }
}

/// Where the guest's standard input comes from.
#[derive(Debug, Default)]
pub(crate) enum Input {
    /// Always at its end.
    #[default]
    Null,
    /// The host process's own standard input.
    Inherit,
    /// These bytes, then the end.
    Bytes { data: Vec<u8>, pos: usize },
}

impl Input {
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use io::Read;
        match self {
            Input::Null => Ok(0),
            Input::Inherit => io::stdin().lock().read(buf),
            Input::Bytes { data, pos } => {
                let rest = &data[(*pos).min(data.len())..];
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                *pos += n;
                Ok(n)
            }
        }
    }

    /// How many bytes a read would return at once, if known.
    pub(crate) fn available(&self) -> u64 {
        match self {
            Input::Null | Input::Inherit => 0,
            Input::Bytes { data, pos } => data.len().saturating_sub(*pos) as u64,
        }
    }
}

/// The clocks a guest reads, in nanoseconds. Give a fixed one to
/// [`WasiCtxBuilder::clocks`] to make a guest's view of time reproducible.
pub trait Clocks: Send {
    /// Wall-clock time since the Unix epoch.
    fn realtime(&self) -> u64;
    /// Time since some fixed point; never goes backwards.
    fn monotonic(&self) -> u64;
    /// CPU time the process has used (by default, the monotonic clock).
    fn process_cputime(&self) -> u64 {
        self.monotonic()
    }
    /// CPU time the calling thread has used (by default, the monotonic clock).
    fn thread_cputime(&self) -> u64 {
        self.monotonic()
    }
    /// The resolution of the clocks.
    fn resolution(&self) -> u64 {
        1
    }
    /// Waits `ns` nanoseconds of monotonic time (`poll_oneoff` on a clock).
    fn sleep(&self, ns: u64) {
        std::thread::sleep(Duration::from_nanos(ns));
    }
}

/// The host's clocks.
#[derive(Debug)]
pub struct HostClocks {
    start: Instant,
}

impl Default for HostClocks {
    fn default() -> Self {
        HostClocks {
            start: Instant::now(),
        }
    }
}

impl Clocks for HostClocks {
    fn realtime(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }

    fn monotonic(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// The host process's CPU time (unix; elsewhere the monotonic clock).
    fn process_cputime(&self) -> u64 {
        #[cfg(unix)]
        return cputime(rustix::time::ClockId::ProcessCPUTime);
        #[cfg(not(unix))]
        self.monotonic()
    }

    /// The host thread's CPU time (unix; elsewhere the monotonic clock).
    fn thread_cputime(&self) -> u64 {
        #[cfg(unix)]
        return cputime(rustix::time::ClockId::ThreadCPUTime);
        #[cfg(not(unix))]
        self.monotonic()
    }
}

#[cfg(unix)]
fn cputime(id: rustix::time::ClockId) -> u64 {
    let t = rustix::time::clock_gettime(id);
    u64::try_from(t.tv_sec)
        .ok()
        .and_then(|s| {
            s.checked_mul(1_000_000_000)?
                .checked_add(u64::try_from(t.tv_nsec).ok()?)
        })
        .unwrap_or(0)
}

/// Where `random_get` takes its bytes from. Give a seeded one to
/// [`WasiCtxBuilder::random`] to make a guest reproducible.
pub trait RandomSource: Send {
    /// Fills `buf`.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<()>;
}

/// The host's cryptographically secure source (the `getrandom` crate).
#[derive(Debug, Default)]
pub struct HostRandom;

impl RandomSource for HostRandom {
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<()> {
        getrandom::fill(buf).map_err(io::Error::other)
    }
}

/// Everything a WASI guest can see of the host: keep it in the store's data and hand it
/// to [`add_to_imports`](crate::add_to_imports).
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) table: Table,
    pub(crate) clocks: Box<dyn Clocks>,
    pub(crate) random: Box<dyn RandomSource>,
}

impl std::fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args)
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl WasiCtx {
    /// A builder.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }
}

/// Builds a [`WasiCtx`]. By default a guest gets no arguments, no environment, an empty
/// standard input, discarded output, no directories, the host's clocks and the host's
/// random source.
///
/// ```no_run
/// use rill_wasi::{OutputPipe, WasiCtxBuilder};
/// let stdout = OutputPipe::new();
/// let ctx = WasiCtxBuilder::new()
///     .args(["prog.wasm", "--verbose"])
///     .env("HOME", "/")
///     .stdin_bytes(b"input".to_vec())
///     .stdout(stdout.clone())
///     .inherit_stderr()
///     .preopened_dir("/srv/data", "/data")?
///     .build();
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Input,
    stdout: Output,
    stderr: Output,
    dirs: Vec<(Dir, String)>,
    clocks: Box<dyn Clocks>,
    random: Box<dyn RandomSource>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder::new()
    }
}

impl WasiCtxBuilder {
    /// A builder with the defaults above.
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Input::Null,
            stdout: Output::Null,
            stderr: Output::Null,
            dirs: Vec::new(),
            clocks: Box::new(HostClocks::default()),
            random: Box::new(HostRandom),
        }
    }

    /// Appends one argument. The first is `argv[0]`, by convention the program's name.
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<S: Into<String>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets one environment variable (a later value for the same key replaces it).
    pub fn env(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let (key, value) = (key.into(), value.into());
        match self.env.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.env.push((key, value)),
        }
        self
    }

    /// Sets environment variables.
    pub fn envs<K: Into<String>, V: Into<String>>(
        &mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> &mut Self {
        for (k, v) in vars {
            self.env(k, v);
        }
        self
    }

    /// Standard input reads these bytes, then its end.
    pub fn stdin_bytes(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Self {
        self.stdin = Input::Bytes {
            data: bytes.into(),
            pos: 0,
        };
        self
    }

    /// Standard input is the host process's.
    pub fn inherit_stdin(&mut self) -> &mut Self {
        self.stdin = Input::Inherit;
        self
    }

    /// Standard output goes into `pipe`.
    pub fn stdout(&mut self, pipe: OutputPipe) -> &mut Self {
        self.stdout = Output::Pipe(pipe);
        self
    }

    /// Standard error goes into `pipe`.
    pub fn stderr(&mut self, pipe: OutputPipe) -> &mut Self {
        self.stderr = Output::Pipe(pipe);
        self
    }

    /// Standard output is the host process's.
    pub fn inherit_stdout(&mut self) -> &mut Self {
        self.stdout = Output::Inherit;
        self
    }

    /// Standard error is the host process's.
    pub fn inherit_stderr(&mut self) -> &mut Self {
        self.stderr = Output::Inherit;
        self
    }

    /// Standard input, output and error are the host process's.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    /// Gives the guest the host directory `host` under the name `guest` (e.g. `"/"`,
    /// `"."` or `"/data"`). Preopens get descriptors 3, 4, … in the order they are added.
    /// Fails if `host` cannot be opened as a directory.
    pub fn preopened_dir(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl Into<String>,
    ) -> io::Result<&mut Self> {
        let dir = Dir::open_ambient_dir(host, ambient_authority())?;
        Ok(self.preopened_cap_dir(dir, guest))
    }

    /// Gives the guest an already opened [`Dir`] under the name `guest`.
    pub fn preopened_cap_dir(&mut self, dir: Dir, guest: impl Into<String>) -> &mut Self {
        self.dirs.push((dir, guest.into()));
        self
    }

    /// The clocks the guest reads (the host's by default).
    pub fn clocks(&mut self, clocks: impl Clocks + 'static) -> &mut Self {
        self.clocks = Box::new(clocks);
        self
    }

    /// The source of `random_get` (the host's by default).
    pub fn random(&mut self, random: impl RandomSource + 'static) -> &mut Self {
        self.random = Box::new(random);
        self
    }

    /// The context. The builder is left with the defaults, ready for another.
    pub fn build(&mut self) -> WasiCtx {
        let b = std::mem::take(self);
        let mut table = Table::default();
        table.insert(Desc::Stdin(b.stdin));
        table.insert(Desc::Stdout(b.stdout));
        table.insert(Desc::Stderr(b.stderr));
        for (id, (dir, name)) in b.dirs.into_iter().enumerate() {
            table.insert(Desc::Dir(DirDesc::preopen(dir, name, id)));
        }
        WasiCtx {
            args: b.args,
            env: b.env,
            table,
            clocks: b.clocks,
            random: b.random,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_can_move_to_another_thread() {
        fn send<T: Send>(_: &T) {}
        let ctx = WasiCtxBuilder::new().build();
        send(&ctx);
    }

    #[test]
    fn builder_keeps_the_last_value_of_a_variable_and_resets() {
        let mut b = WasiCtxBuilder::new();
        b.env("A", "1").env("B", "2").env("A", "3").arg("prog");
        let ctx = b.build();
        assert_eq!(
            ctx.env,
            [("A".into(), "3".into()), ("B".into(), "2".into())]
        );
        assert_eq!(ctx.args, ["prog"]);
        let again = b.build();
        assert!(again.env.is_empty() && again.args.is_empty());
    }

    #[test]
    fn stdin_bytes_are_read_once() {
        let mut input = Input::Bytes {
            data: b"abc".to_vec(),
            pos: 0,
        };
        let mut buf = [0u8; 2];
        assert_eq!(input.read(&mut buf).unwrap(), 2);
        assert_eq!(input.available(), 1);
        assert_eq!(input.read(&mut buf).unwrap(), 1);
        assert_eq!(&buf[..1], b"c");
        assert_eq!(input.read(&mut buf).unwrap(), 0);
    }
}
