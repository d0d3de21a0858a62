//! The sandbox and the embedding API, function by function: a guest module whose exports
//! call the WASI imports with the arguments the test gives (so the calls come from wasm,
//! with the module's memory), and a host directory tree with a secret outside the preopen.
//!
//! Every escape attempt (`..`, absolute paths, symlinks leading out, renames and links
//! across preopens) must fail with its errno and leave the host untouched.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rill::{Imports, Instance, Memory, Module, Store, Value};
use rill_wasi::types::{fdflags, oflags, rights, LOOKUP_SYMLINK_FOLLOW};
use rill_wasi::{Clocks, Errno, I32Exit, OutputPipe, RandomSource, WasiCtx, WasiCtxBuilder};

/// The functions the guest re-exports, with their parameter types (`i` = i32, `I` = i64).
const SHIMS: &[(&str, &str)] = &[
    ("path_open", "iiiiiIIii"),
    ("path_rename", "iiiiii"),
    ("path_link", "iiiiiii"),
    ("path_symlink", "iiiii"),
    ("path_readlink", "iiiiii"),
    ("path_filestat_get", "iiiii"),
    ("path_create_directory", "iii"),
    ("path_remove_directory", "iii"),
    ("path_unlink_file", "iii"),
    ("fd_read", "iiii"),
    ("fd_write", "iiii"),
    ("fd_close", "i"),
    ("fd_fdstat_get", "ii"),
    ("fd_fdstat_set_rights", "iII"),
    ("fd_prestat_get", "ii"),
    ("fd_prestat_dir_name", "iii"),
    ("fd_seek", "iIii"),
    ("fd_readdir", "iiiIi"),
    ("clock_time_get", "iIi"),
    ("random_get", "ii"),
    ("poll_oneoff", "iiii"),
    ("proc_raise", "i"),
    ("sock_shutdown", "ii"),
    ("args_get", "ii"),
];

fn shim_module() -> Vec<u8> {
    let mut wat = String::from("(module\n");
    for (name, params) in SHIMS {
        let types: Vec<&str> = params
            .chars()
            .map(|c| if c == 'I' { "i64" } else { "i32" })
            .collect();
        wat.push_str(&format!(
            "(import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param {}) (result i32)))\n",
            types.join(" ")
        ));
    }
    wat.push_str(
        "(import \"wasi_snapshot_preview1\" \"proc_exit\" (func $proc_exit (param i32)))\n",
    );
    wat.push_str("(memory (export \"memory\") 1)\n");
    for (name, params) in SHIMS {
        let types: Vec<&str> = params
            .chars()
            .map(|c| if c == 'I' { "i64" } else { "i32" })
            .collect();
        let gets: Vec<String> = (0..params.len())
            .map(|i| format!("local.get {i}"))
            .collect();
        wat.push_str(&format!(
            "(func (export \"{name}\") (param {}) (result i32) {} call ${name})\n",
            types.join(" "),
            gets.join(" ")
        ));
    }
    wat.push_str("(func (export \"exit\") (param i32) local.get 0 call $proc_exit))");
    wat::parse_str(&wat).unwrap()
}

struct State {
    wasi: WasiCtx,
}

/// An instance of the shim module with its WASI context.
struct Guest {
    store: Store<State>,
    instance: Instance,
    memory: Memory,
}

/// Where the test puts strings in guest memory, and where results go.
const A: i32 = 1024;
const B: i32 = 2048;
const OUT: i32 = 512;
const BUF: i32 = 4096;

impl Guest {
    fn new(wasi: WasiCtx) -> Guest {
        let mut store = Store::new(State { wasi });
        let mut imports = Imports::new();
        rill_wasi::add_to_imports(&mut store, &mut imports, |s: &mut State| &mut s.wasi);
        let module = Module::new(shim_module()).unwrap();
        let instance = Instance::new(&mut store, &module, &imports).unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        Guest {
            store,
            instance,
            memory,
        }
    }

    /// Calls a shim; the errno it returns.
    fn call(&mut self, name: &str, args: &[Value]) -> Errno {
        let f = self.instance.get_func(&self.store, name).unwrap();
        match f.call(&mut self.store, args).unwrap()[..] {
            [Value::I32(e)] => Errno::from_raw(e as u16).unwrap(),
            ref other => panic!("{name} returned {other:?}"),
        }
    }

    fn put(&mut self, at: i32, bytes: &[u8]) -> i32 {
        self.memory
            .write(&mut self.store, at as u64, bytes)
            .unwrap();
        bytes.len() as i32
    }

    fn get(&self, at: i32, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.memory.read(&self.store, at as u64, &mut buf).unwrap();
        buf
    }

    fn u32_at(&self, at: i32) -> u32 {
        u32::from_le_bytes(self.get(at, 4).try_into().unwrap())
    }

    fn u64_at(&self, at: i32) -> u64 {
        u64::from_le_bytes(self.get(at, 8).try_into().unwrap())
    }

    /// `path_open(dir, lookup, path, oflags, base, base, fdflags)`: the new fd or the errno.
    fn open(
        &mut self,
        dir: u32,
        lookup: u32,
        path: &str,
        oflags: u16,
        base: u64,
        fdflags: u16,
    ) -> Result<u32, Errno> {
        let len = self.put(A, path.as_bytes());
        let e = self.call(
            "path_open",
            &[
                Value::I32(dir as i32),
                Value::I32(lookup as i32),
                Value::I32(A),
                Value::I32(len),
                Value::I32(i32::from(oflags)),
                Value::I64(base as i64),
                Value::I64(base as i64),
                Value::I32(i32::from(fdflags)),
                Value::I32(OUT),
            ],
        );
        if e == Errno::Success {
            Ok(self.u32_at(OUT))
        } else {
            Err(e)
        }
    }

    fn read_all(&mut self, path: &str) -> Result<Vec<u8>, Errno> {
        let fd = self.open(3, LOOKUP_SYMLINK_FOLLOW, path, 0, rights::FD_READ, 0)?;
        self.put(OUT, &(BUF as u32).to_le_bytes());
        self.put(OUT + 4, &256u32.to_le_bytes());
        let e = self.call("fd_read", &[fd as i32, OUT, 1, OUT + 8].map(Value::I32));
        assert_eq!(e, Errno::Success);
        let n = self.u32_at(OUT + 8) as usize;
        assert_eq!(
            self.call("fd_close", &[Value::I32(fd as i32)]),
            Errno::Success
        );
        Ok(self.get(BUF, n))
    }

    /// Calls a shim taking (fd, path, len) on `path`.
    fn on_path(&mut self, name: &str, fd: u32, path: &str) -> Errno {
        let len = self.put(A, path.as_bytes());
        self.call(name, &[fd as i32, A, len].map(Value::I32))
    }

    /// `path_rename` or `path_link` from (fd, old) to (new_fd, new).
    fn two_paths(&mut self, name: &str, fd: u32, old: &str, new_fd: u32, new: &str) -> Errno {
        let (ol, nl) = (self.put(A, old.as_bytes()), self.put(B, new.as_bytes()));
        let args: Vec<i32> = if name == "path_link" {
            vec![fd as i32, 0, A, ol, new_fd as i32, B, nl]
        } else {
            vec![fd as i32, A, ol, new_fd as i32, B, nl]
        };
        self.call(name, &args.into_iter().map(Value::I32).collect::<Vec<_>>())
    }
}

/// A fresh directory: `sandbox/` (preopened, holding `inside.txt` and `sub/`), `other/`
/// (a second preopen), and `secret.txt` next to them, outside both.
/// A temporary directory tree, removed when dropped.
struct Tree(PathBuf);

impl std::ops::Deref for Tree {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tree() -> Tree {
    static N: AtomicUsize = AtomicUsize::new(0);
    let root = std::env::temp_dir().join(format!(
        "rill-wasi-sandbox-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("sandbox/sub")).unwrap();
    std::fs::create_dir_all(root.join("other")).unwrap();
    std::fs::write(root.join("secret.txt"), "secret").unwrap();
    std::fs::write(root.join("sandbox/inside.txt"), "inside").unwrap();
    std::fs::write(root.join("other/there.txt"), "there").unwrap();
    Tree(root)
}

fn sandboxed(root: &Path) -> Guest {
    let wasi = WasiCtxBuilder::new()
        .preopened_dir(root.join("sandbox"), "/sandbox")
        .unwrap()
        .preopened_dir(root.join("other"), "/other")
        .unwrap()
        .build();
    Guest::new(wasi)
}

#[test]
fn dot_dot_and_absolute_paths_cannot_leave_the_preopen() {
    let root = tree();
    let mut g = sandboxed(&root);
    assert_eq!(g.read_all("inside.txt").unwrap(), b"inside");
    assert_eq!(g.read_all("sub/../inside.txt").unwrap(), b"inside");
    for path in [
        "../secret.txt",
        "sub/../../secret.txt",
        "./sub/../../secret.txt",
        "..",
        root.join("secret.txt").to_str().unwrap(),
        "/etc/passwd",
    ] {
        let e = g.read_all(path).unwrap_err();
        assert_eq!(e, Errno::Perm, "{path}");
    }
    // Creating, statting or removing outside fails the same way, and changes nothing.
    assert_eq!(
        g.on_path("path_create_directory", 3, "../made"),
        Errno::Perm
    );
    assert_eq!(
        g.on_path("path_unlink_file", 3, "../secret.txt"),
        Errno::Perm
    );
    let len = g.put(A, b"../secret.txt");
    let e = g.call("path_filestat_get", &[3, 0, A, len, BUF].map(Value::I32));
    assert_eq!(e, Errno::Perm);
    assert!(!root.join("made").exists());
    assert_eq!(std::fs::read(root.join("secret.txt")).unwrap(), b"secret");
}

#[cfg(unix)]
#[test]
fn symlinks_leading_outside_are_not_followed_out() {
    let root = tree();
    let sandbox = root.join("sandbox");
    std::os::unix::fs::symlink("../secret.txt", sandbox.join("up")).unwrap();
    std::os::unix::fs::symlink(root.join("secret.txt"), sandbox.join("abs")).unwrap();
    std::os::unix::fs::symlink("..", sandbox.join("sub/parent")).unwrap();
    std::os::unix::fs::symlink("inside.txt", sandbox.join("ok")).unwrap();
    let mut g = sandboxed(&root);
    assert_eq!(g.read_all("ok").unwrap(), b"inside");
    // `sub/parent` is the sandbox itself: following it stays inside.
    assert_eq!(g.read_all("sub/parent/inside.txt").unwrap(), b"inside");
    for path in ["up", "abs", "sub/parent/../secret.txt", "sub/parent/up"] {
        assert_eq!(g.read_all(path).unwrap_err(), Errno::Perm, "{path}");
    }
    // Without symlink_follow the link itself is refused as the last component.
    let e = g.open(3, 0, "ok", 0, rights::FD_READ, 0).unwrap_err();
    assert_eq!(e, Errno::Loop);
    // The guest may read what a link says, but not make one with an absolute target.
    let (pl, bl) = (g.put(A, b"up"), 64);
    let e = g.call("path_readlink", &[3, A, pl, BUF, bl, OUT].map(Value::I32));
    assert_eq!(e, Errno::Success);
    assert_eq!(g.get(BUF, g.u32_at(OUT) as usize), b"../secret.txt");
    let target = root.join("secret.txt");
    let (tl, ll) = (
        g.put(A, target.to_str().unwrap().as_bytes()),
        g.put(B, b"mine"),
    );
    let e = g.call("path_symlink", &[A, tl, 3, B, ll].map(Value::I32));
    assert_eq!(e, Errno::Perm);
    assert!(std::fs::symlink_metadata(sandbox.join("mine")).is_err());
    // A relative one that climbs out can be made, but leads nowhere.
    let (tl, ll) = (g.put(A, b"../secret.txt"), g.put(B, b"climb"));
    assert_eq!(
        g.call("path_symlink", &[A, tl, 3, B, ll].map(Value::I32)),
        Errno::Success
    );
    assert_eq!(g.read_all("climb").unwrap_err(), Errno::Perm);
}

#[test]
fn renames_and_links_across_preopens_are_xdev() {
    let root = tree();
    let mut g = sandboxed(&root);
    assert_eq!(
        g.two_paths("path_rename", 3, "inside.txt", 4, "moved.txt"),
        Errno::Xdev
    );
    assert_eq!(
        g.two_paths("path_link", 3, "inside.txt", 4, "linked.txt"),
        Errno::Xdev
    );
    // Escaping by name within one preopen is refused too.
    assert_eq!(
        g.two_paths("path_rename", 3, "inside.txt", 3, "../moved.txt"),
        Errno::Perm
    );
    assert_eq!(
        g.two_paths("path_link", 3, "../secret.txt", 3, "stolen.txt"),
        Errno::Perm
    );
    assert!(root.join("sandbox/inside.txt").exists());
    assert!(!root.join("other/moved.txt").exists() && !root.join("other/linked.txt").exists());
    assert!(!root.join("moved.txt").exists() && !root.join("sandbox/stolen.txt").exists());
    // Within one preopen, through two descriptors, it works.
    let sub = g
        .open(3, 0, "sub", oflags::DIRECTORY, rights::DIR, 0)
        .unwrap();
    assert_eq!(
        g.two_paths("path_rename", 3, "inside.txt", sub, "moved.txt"),
        Errno::Success
    );
    assert!(root.join("sandbox/sub/moved.txt").exists());
}

#[test]
fn rights_and_open_flags_are_honoured() {
    let root = tree();
    let mut g = sandboxed(&root);
    // Read-only: writing is notcapable.
    let fd = g.open(3, 0, "inside.txt", 0, rights::FD_READ, 0).unwrap();
    g.put(OUT, &(BUF as u32).to_le_bytes());
    g.put(OUT + 4, &4u32.to_le_bytes());
    let e = g.call("fd_write", &[fd as i32, OUT, 1, OUT + 8].map(Value::I32));
    assert_eq!(e, Errno::Notcapable);
    // Rights can be dropped, never added back.
    let set = |g: &mut Guest, fd: u32, base: u64| {
        g.call(
            "fd_fdstat_set_rights",
            &[
                Value::I32(fd as i32),
                Value::I64(base as i64),
                Value::I64(0),
            ],
        )
    };
    assert_eq!(set(&mut g, fd, 0), Errno::Success);
    assert_eq!(set(&mut g, fd, rights::FD_READ), Errno::Notcapable);
    // A directory without path_create_file cannot create; without path_open cannot open.
    let sub = g
        .open(3, 0, "sub", oflags::DIRECTORY, rights::DIR, 0)
        .unwrap();
    assert_eq!(
        set(&mut g, sub, rights::PATH_OPEN | rights::FD_FDSTAT_SET_FLAGS),
        Errno::Success
    );
    let e = g.open(sub, 0, "new.txt", oflags::CREAT, rights::FD_WRITE, 0);
    assert_eq!(e, Err(Errno::Notcapable));
    assert!(!root.join("sandbox/sub/new.txt").exists());
    assert_eq!(set(&mut g, sub, 0), Errno::Success);
    assert_eq!(g.open(sub, 0, ".", 0, 0, 0), Err(Errno::Notcapable));
    // oflags: directory on a file, excl on an existing file, trunc empties.
    let e = g.open(3, 0, "inside.txt", oflags::DIRECTORY, 0, 0);
    assert_eq!(e, Err(Errno::Notdir));
    let e = g.open(3, 0, "inside.txt", oflags::CREAT | oflags::EXCL, 0, 0);
    assert_eq!(e, Err(Errno::Exist));
    assert_eq!(
        g.open(3, 0, "sub", oflags::DIRECTORY, rights::FD_WRITE, 0),
        Err(Errno::Isdir)
    );
    assert_eq!(g.open(3, 0, "inside.txt", 0x10, 0, 0), Err(Errno::Inval));
    let fd = g
        .open(
            3,
            0,
            "inside.txt",
            oflags::TRUNC,
            rights::FD_WRITE,
            fdflags::APPEND,
        )
        .unwrap();
    assert_eq!(std::fs::read(root.join("sandbox/inside.txt")).unwrap(), b"");
    // fdstat reports the file, its rights (cut to a file's) and the append flag.
    assert_eq!(
        g.call("fd_fdstat_get", &[fd as i32, OUT].map(Value::I32)),
        Errno::Success
    );
    assert_eq!(g.get(OUT, 1)[0], rill_wasi::types::filetype::REGULAR_FILE);
    assert_eq!(
        u16::from_le_bytes(g.get(OUT + 2, 2).try_into().unwrap()),
        fdflags::APPEND
    );
    assert_eq!(g.u64_at(OUT + 8), rights::FD_WRITE);
}

#[test]
fn bad_pointers_are_fault_and_bad_descriptors_badf() {
    let root = tree();
    let mut g = sandboxed(&root);
    let far = 65536 - 2;
    assert_eq!(
        g.call("fd_prestat_get", &[3, far].map(Value::I32)),
        Errno::Fault
    );
    assert_eq!(
        g.call("fd_prestat_get", &[3, -1].map(Value::I32)),
        Errno::Fault
    );
    assert_eq!(
        g.call("fd_write", &[1, far, 1, OUT].map(Value::I32)),
        Errno::Fault
    );
    assert_eq!(
        g.call("fd_write", &[1, 0, 1 << 30, OUT].map(Value::I32)),
        Errno::Fault
    );
    assert_eq!(
        g.call("random_get", &[far, 16].map(Value::I32)),
        Errno::Fault
    );
    assert_eq!(g.call("fd_close", &[Value::I32(99)]), Errno::Badf);
    assert_eq!(
        g.call("fd_prestat_get", &[99, OUT].map(Value::I32)),
        Errno::Badf
    );
    // Invalid UTF-8 in a path.
    g.put(A, &[0xff, 0xfe]);
    let e = g.call(
        "path_open",
        &[
            Value::I32(3),
            Value::I32(0),
            Value::I32(A),
            Value::I32(2),
            Value::I32(0),
            Value::I64(0),
            Value::I64(0),
            Value::I32(0),
            Value::I32(OUT),
        ],
    );
    assert_eq!(e, Errno::Ilseq);
    // What cannot be supported says so.
    assert_eq!(g.call("proc_raise", &[Value::I32(9)]), Errno::Nosys);
    assert_eq!(
        g.call("sock_shutdown", &[1, 0].map(Value::I32)),
        Errno::Notsock
    );
    assert_eq!(
        g.call("sock_shutdown", &[42, 0].map(Value::I32)),
        Errno::Badf
    );
}

#[test]
fn preopens_are_listed_in_order_with_their_guest_names() {
    let root = tree();
    let mut g = sandboxed(&root);
    for (fd, name) in [(3, "/sandbox"), (4, "/other")] {
        assert_eq!(
            g.call("fd_prestat_get", &[fd, OUT].map(Value::I32)),
            Errno::Success
        );
        assert_eq!(g.get(OUT, 1)[0], 0);
        assert_eq!(g.u32_at(OUT + 4) as usize, name.len());
        let e = g.call(
            "fd_prestat_dir_name",
            &[fd, BUF, name.len() as i32].map(Value::I32),
        );
        assert_eq!(e, Errno::Success);
        assert_eq!(g.get(BUF, name.len()), name.as_bytes());
        let short = g.call("fd_prestat_dir_name", &[fd, BUF, 1].map(Value::I32));
        assert_eq!(short, Errno::Nametoolong);
    }
    assert_eq!(
        g.call("fd_prestat_get", &[5, OUT].map(Value::I32)),
        Errno::Badf
    );
    assert_eq!(
        g.call("fd_prestat_get", &[1, OUT].map(Value::I32)),
        Errno::Badf
    );
}

struct FixedClock;

impl Clocks for FixedClock {
    fn realtime(&self) -> u64 {
        1_700_000_000_000_000_000
    }
    fn monotonic(&self) -> u64 {
        42
    }
    fn sleep(&self, _ns: u64) {}
}

struct Counting(u8);

impl RandomSource for Counting {
    fn fill(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        for b in buf {
            *b = self.0;
            self.0 = self.0.wrapping_add(1);
        }
        Ok(())
    }
}

#[test]
fn clocks_random_stdio_and_exit_come_from_the_builder() {
    let (stdout, stderr) = (OutputPipe::new(), OutputPipe::new());
    let wasi = WasiCtxBuilder::new()
        .args(["prog", "x"])
        .clocks(FixedClock)
        .random(Counting(7))
        .stdin_bytes(b"typed".to_vec())
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .build();
    let mut g = Guest::new(wasi);
    let clock = |g: &mut Guest, id: i32| {
        let e = g.call(
            "clock_time_get",
            &[Value::I32(id), Value::I64(0), Value::I32(OUT)],
        );
        (e, g.u64_at(OUT))
    };
    assert_eq!(
        clock(&mut g, 0),
        (Errno::Success, 1_700_000_000_000_000_000)
    );
    assert_eq!(clock(&mut g, 1), (Errno::Success, 42));
    assert_eq!(clock(&mut g, 9).0, Errno::Inval);
    assert_eq!(
        g.call("random_get", &[BUF, 4].map(Value::I32)),
        Errno::Success
    );
    assert_eq!(g.get(BUF, 4), [7, 8, 9, 10]);
    // Standard input from bytes, then its end.
    for (want, len) in [(&b"typ"[..], 3), (b"ed", 2), (b"", 0)] {
        g.put(OUT, &(BUF as u32).to_le_bytes());
        g.put(OUT + 4, &3u32.to_le_bytes());
        assert_eq!(
            g.call("fd_read", &[0, OUT, 1, OUT + 8].map(Value::I32)),
            Errno::Success
        );
        assert_eq!(g.u32_at(OUT + 8), len);
        assert_eq!(g.get(BUF, len as usize), want);
    }
    // Output to the two pipes.
    for (fd, text) in [(1, &b"out"[..]), (2, b"err!")] {
        g.put(BUF, text);
        g.put(OUT, &(BUF as u32).to_le_bytes());
        g.put(OUT + 4, &(text.len() as u32).to_le_bytes());
        assert_eq!(
            g.call("fd_write", &[fd, OUT, 1, OUT + 8].map(Value::I32)),
            Errno::Success
        );
        assert_eq!(g.u32_at(OUT + 8) as usize, text.len());
    }
    assert_eq!(stdout.contents(), b"out");
    assert_eq!(stderr.contents(), b"err!");
    // A clock subscription with the fixed clock: due at once (it never really sleeps).
    let mut sub = [0u8; 48];
    sub[0..8].copy_from_slice(&77u64.to_le_bytes());
    sub[16..20].copy_from_slice(&1u32.to_le_bytes());
    sub[24..32].copy_from_slice(&1_000_000_000u64.to_le_bytes());
    g.put(A, &sub);
    assert_eq!(
        g.call("poll_oneoff", &[A, BUF, 1, OUT].map(Value::I32)),
        Errno::Success
    );
    assert_eq!(g.u32_at(OUT), 1);
    assert_eq!(g.u64_at(BUF), 77);
    assert_eq!(
        g.call("poll_oneoff", &[A, BUF, 0, OUT].map(Value::I32)),
        Errno::Inval
    );

    // proc_exit ends the call with I32Exit.
    let exit = g.instance.get_func(&g.store, "exit").unwrap();
    let err = exit.call(&mut g.store, &[Value::I32(3)]).unwrap_err();
    assert_eq!(I32Exit::from_error(&err), Some(3));
    assert!(err.to_string().contains("status 3"), "{err}");
}

#[test]
fn readdir_lists_dot_dotdot_and_entries_across_calls() {
    let root = tree();
    let mut g = sandboxed(&root);
    let fd = g
        .open(3, 0, ".", oflags::DIRECTORY, rights::FD_READDIR, 0)
        .unwrap();
    // Read with a buffer that holds one entry at a time, following the cookies.
    let (mut cookie, mut names) = (0u64, Vec::new());
    loop {
        let e = g.call(
            "fd_readdir",
            &[
                Value::I32(fd as i32),
                Value::I32(BUF),
                Value::I32(24 + 10),
                Value::I64(cookie as i64),
                Value::I32(OUT),
            ],
        );
        assert_eq!(e, Errno::Success);
        let used = g.u32_at(OUT) as usize;
        if used == 0 {
            break;
        }
        let next = g.u64_at(BUF);
        let len = g.u32_at(BUF + 16) as usize;
        names.push(String::from_utf8(g.get(BUF + 24, len)).unwrap());
        cookie = next;
    }
    assert_eq!(names, [".", "..", "inside.txt", "sub"]);
}
