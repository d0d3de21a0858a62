//! The `path_*` functions. Every path is resolved by cap-std relative to a directory
//! descriptor and never outside it: absolute paths, `..` past the directory, and symlinks
//! leading out of it fail (`perm`), whatever the host filesystem holds.

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt};
use cap_std::fs::{Dir, OpenOptions};

use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::fd::{filetype_of, times, write_filestat};
use crate::mem::{Mem, Result};
use crate::table::{Desc, DirDesc, FileDesc};
use crate::types::{fdflags, oflags, rights, LOOKUP_SYMLINK_FOLLOW};

fn io<T>(r: std::io::Result<T>) -> Result<T> {
    r.map_err(Errno::from)
}

fn follows(lookupflags: u32) -> Result<bool> {
    if lookupflags & !LOOKUP_SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    Ok(lookupflags & LOOKUP_SYMLINK_FOLLOW != 0)
}

/// What `path_open` was asked for.
pub(crate) struct OpenArgs {
    pub fd: u32,
    pub lookupflags: u32,
    pub path: u32,
    pub path_len: u32,
    pub oflags: u32,
    pub base: u64,
    pub inheriting: u64,
    pub fdflags: u32,
    pub fd_out: u32,
}

pub(crate) fn path_open(ctx: &mut WasiCtx, mem: &mut Mem<'_>, a: OpenArgs) -> Result<()> {
    let path = mem.str(a.path, a.path_len)?;
    let follow = follows(a.lookupflags)?;
    let o = u16::try_from(a.oflags)
        .ok()
        .filter(|o| o & !oflags::ALL == 0)
        .ok_or(Errno::Inval)?;
    let flags = u16::try_from(a.fdflags)
        .ok()
        .filter(|f| f & !fdflags::ALL == 0)
        .ok_or(Errno::Inval)?;
    let dir = ctx.table.dir(a.fd, rights::PATH_OPEN)?;
    let mut needed = 0;
    if o & oflags::CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    if o & oflags::TRUNC != 0 {
        needed |= rights::PATH_FILESTAT_SET_SIZE;
    }
    if dir.rights & needed != needed {
        return Err(Errno::Notcapable);
    }
    // What is opened gets at most what the directory passes on.
    let base = a.base & dir.inheriting;
    let inheriting = a.inheriting & dir.inheriting;
    let root = dir.root;

    let desc = if o & oflags::DIRECTORY != 0 {
        if o & (oflags::CREAT | oflags::TRUNC) != 0 {
            return Err(Errno::Inval);
        }
        // A directory cannot be opened for writing.
        if base & rights::FD_WRITE != 0 {
            return Err(Errno::Isdir);
        }
        let d = if follow {
            dir.dir.open_dir(path)
        } else {
            dir.dir.open_dir_nofollow(path)
        };
        Desc::Dir(DirDesc {
            dir: io(d)?,
            rights: base & rights::DIR,
            inheriting,
            preopen: None,
            root,
        })
    } else {
        let read = base & (rights::FD_READ | rights::FD_READDIR) != 0;
        // Writing rights open the host file for writing (syncing needs no write access).
        let write = base & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE)
            != 0
            || o & (oflags::CREAT | oflags::TRUNC) != 0
            || flags & fdflags::APPEND != 0;
        let mut opts = OpenOptions::new();
        opts.read(read || !write).write(write);
        if o & oflags::CREAT != 0 {
            if o & oflags::EXCL != 0 {
                opts.create_new(true);
            } else {
                opts.create(true);
            }
        }
        opts.truncate(o & oflags::TRUNC != 0);
        opts.follow(if follow {
            FollowSymlinks::Yes
        } else {
            FollowSymlinks::No
        });
        // A directory opened without `oflags::directory` is still a directory.
        opts.maybe_dir(true);
        let file = io(dir.dir.open_with(path, &opts))?;
        let meta = io(file.metadata())?;
        if meta.is_dir() {
            Desc::Dir(DirDesc {
                dir: Dir::from_std_file(file.into_std()),
                rights: base & rights::DIR,
                inheriting,
                preopen: None,
                root,
            })
        } else {
            Desc::File(FileDesc {
                file,
                rights: base & rights::FILE,
                inheriting,
                flags,
                filetype: filetype_of(meta.file_type()),
            })
        }
    };
    let fd = ctx.table.insert(desc);
    mem.write_u32(a.fd_out, fd)
}

pub(crate) fn path_create_directory(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    path: u32,
    len: u32,
) -> Result<()> {
    let dir = ctx.table.dir(fd, rights::PATH_CREATE_DIRECTORY)?;
    io(dir.dir.create_dir(mem.str(path, len)?))
}

pub(crate) fn path_remove_directory(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    path: u32,
    len: u32,
) -> Result<()> {
    let dir = ctx.table.dir(fd, rights::PATH_REMOVE_DIRECTORY)?;
    io(dir.dir.remove_dir(mem.str(path, len)?))
}

pub(crate) fn path_unlink_file(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    path: u32,
    len: u32,
) -> Result<()> {
    let dir = ctx.table.dir(fd, rights::PATH_UNLINK_FILE)?;
    io(dir.dir.remove_file(mem.str(path, len)?))
}

pub(crate) fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    lookupflags: u32,
    path: u32,
    len: u32,
    buf: u32,
) -> Result<()> {
    let dir = ctx.table.dir(fd, rights::PATH_FILESTAT_GET)?;
    let path = mem.str(path, len)?;
    let meta = if follows(lookupflags)? {
        dir.dir.metadata(path)
    } else {
        dir.dir.symlink_metadata(path)
    };
    let meta = io(meta)?;
    write_filestat(mem, buf, &meta)
}

/// `path_filestat_set_times`' arguments after the directory.
pub(crate) struct SetTimesArgs {
    pub lookupflags: u32,
    pub path: u32,
    pub len: u32,
    pub atim: u64,
    pub mtim: u64,
    pub fstflags: u32,
}

pub(crate) fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    a: SetTimesArgs,
) -> Result<()> {
    let dir = ctx.table.dir(fd, rights::PATH_FILESTAT_SET_TIMES)?;
    let path = mem.str(a.path, a.len)?;
    let fst = u16::try_from(a.fstflags).map_err(|_| Errno::Inval)?;
    let (atime, mtime) = times(a.atim, a.mtim, fst)?;
    if follows(a.lookupflags)? {
        io(dir.dir.set_times(path, atime, mtime))
    } else {
        io(dir.dir.set_symlink_times(path, atime, mtime))
    }
}

/// Two directories for an operation on both (a rename or a link): they must lie under one
/// preopen, or the operation is refused as a cross-device one (`xdev`).
fn pair(ctx: &WasiCtx, from: u32, from_right: u64, to: u32, to_right: u64) -> Result<(&Dir, &Dir)> {
    let a = ctx.table.dir(from, from_right)?;
    let b = ctx.table.dir(to, to_right)?;
    if a.root != b.root {
        return Err(Errno::Xdev);
    }
    Ok((&a.dir, &b.dir))
}

pub(crate) fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    old: (u32, u32),
    new_fd: u32,
    new: (u32, u32),
) -> Result<()> {
    let (from, to) = pair(
        ctx,
        fd,
        rights::PATH_RENAME_SOURCE,
        new_fd,
        rights::PATH_RENAME_TARGET,
    )?;
    let (old, new) = (mem.str(old.0, old.1)?, mem.str(new.0, new.1)?);
    io(from.rename(old, to, new))
}

pub(crate) fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    (fd, lookupflags): (u32, u32),
    old: (u32, u32),
    new_fd: u32,
    new: (u32, u32),
) -> Result<()> {
    let (from, to) = pair(
        ctx,
        fd,
        rights::PATH_LINK_SOURCE,
        new_fd,
        rights::PATH_LINK_TARGET,
    )?;
    // A hard link to what a symlink points at would need the link resolved outside the
    // kernel's linkat; like wasmtime, rill does not offer it.
    if follows(lookupflags)? {
        return Err(Errno::Inval);
    }
    let (old, new) = (mem.str(old.0, old.1)?, mem.str(new.0, new.1)?);
    io(from.hard_link(old, to, new))
}

pub(crate) fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    old: (u32, u32),
    fd: u32,
    new: (u32, u32),
) -> Result<()> {
    let dir = ctx.table.dir(fd, rights::PATH_SYMLINK)?;
    let (target, link) = (mem.str(old.0, old.1)?, mem.str(new.0, new.1)?);
    symlink(&dir.dir, target, link)
}

/// cap-std refuses an absolute target (it could only ever point outside the sandbox).
#[cfg(unix)]
fn symlink(dir: &Dir, target: &str, link: &str) -> Result<()> {
    io(dir.symlink(target, link))
}

#[cfg(not(unix))]
fn symlink(dir: &Dir, target: &str, link: &str) -> Result<()> {
    io(dir.symlink_file(target, link))
}

/// `path_readlink`: the link's text, cut to the buffer if it is longer (as `readlink`
/// does).
pub(crate) fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    path: (u32, u32),
    buf: (u32, u32),
    bufused: u32,
) -> Result<()> {
    let dir = ctx.table.dir(fd, rights::PATH_READLINK)?;
    let target = io(dir.dir.read_link_contents(mem.str(path.0, path.1)?))?;
    let target = target
        .into_os_string()
        .into_string()
        .map_err(|_| Errno::Ilseq)?;
    let n = target.len().min(buf.1 as usize);
    mem.write(buf.0, &target.as_bytes()[..n])?;
    mem.write_u32(bufused, n as u32)
}
