//! WASI preview 1 (`wasi_snapshot_preview1`) for rill, built on rill's public API alone.
//!
//! A [`WasiCtx`] holds what the guest sees of the host: its arguments, its environment,
//! its standard streams, the directories preopened for it, its clocks and its source of
//! randomness. Build one with [`WasiCtxBuilder`], keep it in the store's data, and define
//! the 46 functions in an [`rill::Imports`] with [`add_to_imports`]:
//!
//! ```no_run
//! use rill::{Imports, Instance, Module, Store};
//! use rill_wasi::{I32Exit, WasiCtx, WasiCtxBuilder};
//!
//! struct State {
//!     wasi: WasiCtx,
//! }
//!
//! let module = Module::new(std::fs::read("prog.wasm")?)?;
//! let wasi = WasiCtxBuilder::new()
//!     .args(["prog.wasm", "input.txt"])
//!     .env("LANG", "C")
//!     .inherit_stdio()
//!     .preopened_dir("./data", "/data")?
//!     .build();
//! let mut store = Store::new(State { wasi });
//! let mut imports = Imports::new();
//! rill_wasi::add_to_imports(&mut store, &mut imports, |s: &mut State| &mut s.wasi);
//! let instance = Instance::new(&mut store, &module, &imports)?;
//! let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
//! let status = match start.call(&mut store, ()) {
//!     Ok(()) => 0,
//!     Err(e) => I32Exit::from_error(&e).ok_or(e)?,
//! };
//! std::process::exit(status);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The filesystem sandbox
//! Every path the guest names is resolved by [cap-std](https://docs.rs/cap-std) relative to
//! an open directory, and never leaves it: absolute paths, `..` past the directory, and
//! symlinks (anywhere in the path) leading out of it are refused with `perm`. cap-std was
//! made for exactly this (it is the sandbox of wasmtime's WASI), resolves paths with
//! `openat2(RESOLVE_BENEATH)` where Linux has it and component by component elsewhere, and
//! is kept up by the Bytecode Alliance; its companions cap-fs-ext (no-follow opens,
//! timestamps of paths, dev/ino) and fs-set-times (timestamps of open files) fill in what
//! WASI needs beyond `std`. Writing a resolver by hand would re-open the bugs cap-std has
//! already fixed (races with symlink swaps, `..` through symlinks, trailing slashes).
//!
//! On top of cap-std:
//! - **Rights.** Each descriptor carries preview 1's base and inheriting rights; an
//!   operation without its right is `notcapable`. A preopen gets every directory right, and
//!   what `path_open` opens gets the rights asked for, cut to what its directory may pass
//!   on. `fd_fdstat_set_rights` only drops rights. Directories never get `fd_read`,
//!   `fd_write`, `fd_seek` or `fd_filestat_set_size`.
//! - **Open flags.** `creat`, `excl`, `trunc` and `directory` become the host open's; `creat`
//!   needs `path_create_file` and `trunc` needs `path_filestat_set_size` on the directory.
//!   Without `lookupflags::symlink_follow` the last component is not followed (a symlink is
//!   `loop` or `notdir`).
//! - **Renames and links** between two directories are allowed only when both lie under
//!   the same preopen; across preopens they are `xdev`, as between two filesystems.
//!
//! # What is not supported
//! - `proc_raise`: `nosys` (no signals).
//! - `sock_accept`, `sock_recv`, `sock_send`, `sock_shutdown`: no sockets are ever given to
//!   the guest, so an open descriptor is `notsock`, a closed one `badf`.
//! - The CPU-time clocks (`process_cputime_id`, `thread_cputime_id`) are the host
//!   process's and thread's (rill's own work, compiling included, counts too).
//! - `fdflags` other than `append` are recorded and reported but change nothing
//!   (`nonblock`: regular files never block; the `sync` family: use `fd_sync`).
//! - `poll_oneoff` reports descriptors ready at once (see its notes in the source); it
//!   sleeps only when nothing but clocks is polled.
//!
//! # Guest memory
//! The functions use the memory the calling instance exports as `memory`. A pointer or
//! length outside it is the errno `fault`, as in wasmtime; no guest input traps or panics.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod ctx;
mod errno;
mod fd;
mod link;
mod mem;
mod path;
mod poll;
mod proc;
mod sock;
mod table;
pub mod types;

pub use ctx::{Clocks, HostClocks, HostRandom, OutputPipe, RandomSource, WasiCtx, WasiCtxBuilder};
pub use errno::Errno;
pub use link::{add_to_imports, function_names, MODULE};
pub use proc::I32Exit;

/// Whether `module` imports anything from `wasi_snapshot_preview1` (a WASI program).
pub fn imports_wasi(module: &rill::Module) -> bool {
    module.imports().iter().any(|i| i.module == MODULE)
}
