//! [`add_to_imports`]: every `wasi_snapshot_preview1` function as a host function of one
//! store, defined in an [`Imports`].

use rill::{AsContextMut, Caller, Extern, Func, FuncType, HostError, Imports, ValType, Value};

use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::mem::{Mem, Result};
use crate::path::{OpenArgs, SetTimesArgs};
use crate::proc::I32Exit;
use crate::{fd, path, poll, proc, sock};

/// The import module name of WASI preview 1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// A call's arguments (their types were checked by validation against the import's type).
struct Args<'a>(&'a [Value]);

impl Args<'_> {
    fn u32(&self, i: usize) -> u32 {
        match self.0.get(i) {
            Some(Value::I32(v)) => *v as u32,
            Some(Value::I64(v)) => *v as u32,
            _ => 0,
        }
    }

    fn u64(&self, i: usize) -> u64 {
        match self.0.get(i) {
            Some(Value::I64(v)) => *v as u64,
            Some(Value::I32(v)) => u64::from(*v as u32),
            _ => 0,
        }
    }
}

type Handler = fn(&mut WasiCtx, &mut Mem<'_>, &Args<'_>) -> Result<()>;

const I: ValType = ValType::I32;
const L: ValType = ValType::I64;

/// Every function but `proc_exit`: its name, its parameters (each returns an errno) and
/// what it does.
#[rustfmt::skip]
const FUNCTIONS: &[(&str, &[ValType], Handler)] = &[
    ("args_get", &[I, I], |c, m, a| proc::args_get(c, m, a.u32(0), a.u32(1))),
    ("args_sizes_get", &[I, I], |c, m, a| proc::args_sizes_get(c, m, a.u32(0), a.u32(1))),
    ("environ_get", &[I, I], |c, m, a| proc::environ_get(c, m, a.u32(0), a.u32(1))),
    ("environ_sizes_get", &[I, I], |c, m, a| proc::environ_sizes_get(c, m, a.u32(0), a.u32(1))),
    ("clock_res_get", &[I, I], |c, m, a| poll::clock_res_get(c, m, a.u32(0), a.u32(1))),
    ("clock_time_get", &[I, L, I], |c, m, a| poll::clock_time_get(c, m, a.u32(0), a.u64(1), a.u32(2))),
    ("fd_advise", &[I, L, L, I], |c, _, a| fd::fd_advise(c, a.u32(0), a.u32(3))),
    ("fd_allocate", &[I, L, L], |c, _, a| fd::fd_allocate(c, a.u32(0), a.u64(1), a.u64(2))),
    ("fd_close", &[I], |c, _, a| fd::fd_close(c, a.u32(0))),
    ("fd_datasync", &[I], |c, _, a| fd::fd_sync(c, a.u32(0), true)),
    ("fd_fdstat_get", &[I, I], |c, m, a| fd::fd_fdstat_get(c, m, a.u32(0), a.u32(1))),
    ("fd_fdstat_set_flags", &[I, I], |c, _, a| fd::fd_fdstat_set_flags(c, a.u32(0), a.u32(1))),
    ("fd_fdstat_set_rights", &[I, L, L], |c, _, a| fd::fd_fdstat_set_rights(c, a.u32(0), a.u64(1), a.u64(2))),
    ("fd_filestat_get", &[I, I], |c, m, a| fd::fd_filestat_get(c, m, a.u32(0), a.u32(1))),
    ("fd_filestat_set_size", &[I, L], |c, _, a| fd::fd_filestat_set_size(c, a.u32(0), a.u64(1))),
    ("fd_filestat_set_times", &[I, L, L, I], |c, _, a| fd::fd_filestat_set_times(c, a.u32(0), a.u64(1), a.u64(2), a.u32(3))),
    ("fd_pread", &[I, I, I, L, I], |c, m, a| fd::fd_pread(c, m, a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4))),
    ("fd_prestat_get", &[I, I], |c, m, a| fd::fd_prestat_get(c, m, a.u32(0), a.u32(1))),
    ("fd_prestat_dir_name", &[I, I, I], |c, m, a| fd::fd_prestat_dir_name(c, m, a.u32(0), a.u32(1), a.u32(2))),
    ("fd_pwrite", &[I, I, I, L, I], |c, m, a| fd::fd_pwrite(c, m, a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4))),
    ("fd_read", &[I, I, I, I], |c, m, a| fd::fd_read(c, m, a.u32(0), a.u32(1), a.u32(2), a.u32(3))),
    ("fd_readdir", &[I, I, I, L, I], |c, m, a| fd::fd_readdir(c, m, a.u32(0), a.u32(1), a.u32(2), a.u64(3), a.u32(4))),
    ("fd_renumber", &[I, I], |c, _, a| fd::fd_renumber(c, a.u32(0), a.u32(1))),
    ("fd_seek", &[I, L, I, I], |c, m, a| fd::fd_seek(c, m, a.u32(0), a.u64(1) as i64, a.u32(2), a.u32(3))),
    ("fd_sync", &[I], |c, _, a| fd::fd_sync(c, a.u32(0), false)),
    ("fd_tell", &[I, I], |c, m, a| fd::fd_tell(c, m, a.u32(0), a.u32(1))),
    ("fd_write", &[I, I, I, I], |c, m, a| fd::fd_write(c, m, a.u32(0), a.u32(1), a.u32(2), a.u32(3))),
    ("path_create_directory", &[I, I, I], |c, m, a| path::path_create_directory(c, m, a.u32(0), a.u32(1), a.u32(2))),
    ("path_filestat_get", &[I, I, I, I, I], |c, m, a| path::path_filestat_get(c, m, a.u32(0), a.u32(1), a.u32(2), a.u32(3), a.u32(4))),
    ("path_filestat_set_times", &[I, I, I, I, L, L, I], |c, m, a| path::path_filestat_set_times(c, m, a.u32(0), SetTimesArgs {
        lookupflags: a.u32(1), path: a.u32(2), len: a.u32(3), atim: a.u64(4), mtim: a.u64(5), fstflags: a.u32(6),
    })),
    ("path_link", &[I, I, I, I, I, I, I], |c, m, a| path::path_link(c, m, (a.u32(0), a.u32(1)), (a.u32(2), a.u32(3)), a.u32(4), (a.u32(5), a.u32(6)))),
    ("path_open", &[I, I, I, I, I, L, L, I, I], |c, m, a| path::path_open(c, m, OpenArgs {
        fd: a.u32(0), lookupflags: a.u32(1), path: a.u32(2), path_len: a.u32(3), oflags: a.u32(4),
        base: a.u64(5), inheriting: a.u64(6), fdflags: a.u32(7), fd_out: a.u32(8),
    })),
    ("path_readlink", &[I, I, I, I, I, I], |c, m, a| path::path_readlink(c, m, a.u32(0), (a.u32(1), a.u32(2)), (a.u32(3), a.u32(4)), a.u32(5))),
    ("path_remove_directory", &[I, I, I], |c, m, a| path::path_remove_directory(c, m, a.u32(0), a.u32(1), a.u32(2))),
    ("path_rename", &[I, I, I, I, I, I], |c, m, a| path::path_rename(c, m, a.u32(0), (a.u32(1), a.u32(2)), a.u32(3), (a.u32(4), a.u32(5)))),
    ("path_symlink", &[I, I, I, I, I], |c, m, a| path::path_symlink(c, m, (a.u32(0), a.u32(1)), a.u32(2), (a.u32(3), a.u32(4)))),
    ("path_unlink_file", &[I, I, I], |c, m, a| path::path_unlink_file(c, m, a.u32(0), a.u32(1), a.u32(2))),
    ("poll_oneoff", &[I, I, I, I], |c, m, a| poll::poll_oneoff(c, m, a.u32(0), a.u32(1), a.u32(2), a.u32(3))),
    ("proc_raise", &[I], |_, _, a| proc::proc_raise(a.u32(0))),
    ("sched_yield", &[], |_, _, _| poll::sched_yield()),
    ("random_get", &[I, I], |c, m, a| poll::random_get(c, m, a.u32(0), a.u32(1))),
    ("sock_accept", &[I, I, I], |c, _, a| sock::not_a_socket(c, a.u32(0))),
    ("sock_recv", &[I, I, I, I, I, I], |c, _, a| sock::not_a_socket(c, a.u32(0))),
    ("sock_send", &[I, I, I, I, I], |c, _, a| sock::not_a_socket(c, a.u32(0))),
    ("sock_shutdown", &[I, I], |c, _, a| sock::not_a_socket(c, a.u32(0))),
];

/// The names of the functions [`add_to_imports`] defines: all 46 of preview 1.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS
        .iter()
        .map(|f| f.0)
        .chain(std::iter::once("proc_exit"))
}

/// Defines every `wasi_snapshot_preview1` function in `imports`, as host functions of
/// `store`. `get` finds the [`WasiCtx`] in the store's data.
///
/// The functions read and write the memory the calling instance exports as `memory`
/// (a module without one gets `fault` for every pointer). A bad pointer or length is
/// `fault`; nothing a guest passes makes them trap or panic. `proc_exit(n)` ends the
/// call into wasm with [`rill::Error::Host`] holding [`I32Exit`]`(n)`.
///
/// ```
/// use rill::{Imports, Instance, Module, Store};
/// use rill_wasi::{I32Exit, OutputPipe, WasiCtx, WasiCtxBuilder};
///
/// struct State {
///     wasi: WasiCtx,
/// }
///
/// // A program that writes "hi\n" to standard output and exits with status 7.
/// let wasm = wat::parse_str(r#"(module
///     (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
///     (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
///     (memory (export "memory") 1)
///     (data (i32.const 16) "hi\n")
///     (func (export "_start")
///         (i32.store (i32.const 0) (i32.const 16))
///         (i32.store (i32.const 4) (i32.const 3))
///         (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
///         (call $exit (i32.const 7))))"#)?;
///
/// let stdout = OutputPipe::new();
/// let wasi = WasiCtxBuilder::new().arg("prog").stdout(stdout.clone()).build();
/// let mut store = Store::new(State { wasi });
/// let mut imports = Imports::new();
/// rill_wasi::add_to_imports(&mut store, &mut imports, |s: &mut State| &mut s.wasi);
/// let instance = Instance::new(&mut store, &Module::new(&wasm)?, &imports)?;
/// let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
/// let err = start.call(&mut store, ()).unwrap_err();
/// assert_eq!(I32Exit::from_error(&err), Some(7));
/// assert_eq!(stdout.contents(), b"hi\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn add_to_imports<T: 'static>(
    mut store: impl AsContextMut<Data = T>,
    imports: &mut Imports,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) {
    for &(name, params, handler) in FUNCTIONS {
        let ty = FuncType {
            params: params.into(),
            results: [I].into(),
        };
        let f = Func::new(
            &mut store,
            ty,
            move |mut caller: Caller<'_, T>, args, results| {
                let memory = caller.get_export("memory").and_then(Extern::into_memory);
                let outcome = match memory {
                    Some(memory) => {
                        let (bytes, data) = memory.data_and_store_mut(&mut caller)?;
                        handler(get(data), &mut Mem(bytes), &Args(args))
                    }
                    None => handler(get(caller.data_mut()), &mut Mem(&mut []), &Args(args)),
                };
                let errno = match outcome {
                    Ok(()) => Errno::Success,
                    Err(e) => e,
                };
                results[0] = Value::I32(i32::from(errno as u16));
                Ok(())
            },
        );
        imports.define(MODULE, name, f);
    }
    let ty = FuncType {
        params: [I].into(),
        results: [].into(),
    };
    let exit = Func::new(&mut store, ty, |_caller: Caller<'_, T>, args, _results| {
        Err(HostError::new(I32Exit(Args(args).u32(0) as i32)))
    });
    imports.define(MODULE, "proc_exit", exit);
}
