//! The `fd_*` functions: reading, writing, seeking, statting and closing descriptors.

use std::io::{Read, Seek, SeekFrom, Write};

use cap_fs_ext::{MetadataExt, SystemTimeSpec};
use cap_std::fs::{File, Metadata};
use cap_std::time::SystemTime;
use fs_set_times::SetTimes;

use crate::ctx::WasiCtx;
use crate::errno::Errno;
use crate::mem::{Mem, Result};
use crate::table::Desc;
use crate::types::{self, fdflags, filetype, fstflags, rights, whence};

fn io<T>(r: std::io::Result<T>) -> Result<T> {
    r.map_err(Errno::from)
}

/// The WASI file type of a host file.
pub(crate) fn filetype_of(ft: cap_std::fs::FileType) -> u8 {
    use cap_fs_ext::FileTypeExt;
    if ft.is_dir() {
        filetype::DIRECTORY
    } else if ft.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if ft.is_file() {
        filetype::REGULAR_FILE
    } else if ft.is_char_device() {
        filetype::CHARACTER_DEVICE
    } else if ft.is_block_device() {
        filetype::BLOCK_DEVICE
    } else if ft.is_socket() {
        filetype::SOCKET_STREAM
    } else {
        filetype::UNKNOWN
    }
}

fn nanos(t: std::io::Result<SystemTime>) -> u64 {
    t.ok()
        .and_then(|t| t.into_std().duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(unix)]
fn ctime(m: &Metadata) -> u64 {
    use cap_std::fs::MetadataExt as _;
    let (s, ns) = (m.ctime(), m.ctime_nsec());
    u64::try_from(s)
        .ok()
        .and_then(|s| {
            s.checked_mul(1_000_000_000)?
                .checked_add(u64::try_from(ns).ok()?)
        })
        .unwrap_or(0)
}

#[cfg(not(unix))]
fn ctime(m: &Metadata) -> u64 {
    nanos(m.created())
}

/// Writes a `filestat` for `m` at `ptr`.
pub(crate) fn write_filestat(mem: &mut Mem<'_>, ptr: u32, m: &Metadata) -> Result<()> {
    let mut b = [0u8; types::FILESTAT_SIZE as usize];
    b[0..8].copy_from_slice(&m.dev().to_le_bytes());
    b[8..16].copy_from_slice(&m.ino().to_le_bytes());
    b[16] = filetype_of(m.file_type());
    b[24..32].copy_from_slice(&m.nlink().to_le_bytes());
    b[32..40].copy_from_slice(&m.len().to_le_bytes());
    b[40..48].copy_from_slice(&nanos(m.accessed()).to_le_bytes());
    b[48..56].copy_from_slice(&nanos(m.modified()).to_le_bytes());
    b[56..64].copy_from_slice(&ctime(m).to_le_bytes());
    mem.write(ptr, &b)
}

/// The times `fd_filestat_set_times` / `path_filestat_set_times` ask for: `inval` for a
/// time both given and "now", or an unknown flag.
pub(crate) fn times(
    atim: u64,
    mtim: u64,
    flags: u16,
) -> Result<(Option<SystemTimeSpec>, Option<SystemTimeSpec>)> {
    if flags & !fstflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    let one = |t: u64, set: u16, now: u16| -> Result<Option<SystemTimeSpec>> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(Errno::Inval),
            (false, true) => Ok(Some(SystemTimeSpec::SymbolicNow)),
            (true, false) => {
                let t = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(t);
                Ok(Some(SystemTimeSpec::Absolute(SystemTime::from_std(t))))
            }
            (false, false) => Ok(None),
        }
    };
    Ok((
        one(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        one(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ))
}

/// Reads into the guest's buffers from `src` until one comes back short.
fn read_into(
    mem: &mut Mem<'_>,
    iovs: &[(u32, u32)],
    mut src: impl FnMut(&mut [u8]) -> std::io::Result<usize>,
) -> Result<u32> {
    let mut total = 0u32;
    for &(ptr, len) in iovs {
        let buf = mem.slice_mut(ptr, len)?;
        let n = io(src(buf))?;
        total = total.saturating_add(n as u32);
        if n < buf.len() {
            break;
        }
    }
    Ok(total)
}

/// The guest's buffers, gathered into one (writes are then one call on the host).
fn gather(mem: &Mem<'_>, iovs: &[(u32, u32)]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for &(ptr, len) in iovs {
        out.extend_from_slice(mem.slice(ptr, len)?);
    }
    Ok(out)
}

fn file_mut(ctx: &mut WasiCtx, fd: u32, needed: u64) -> Result<&mut File> {
    let desc = ctx.table.get_mut(fd)?;
    desc.check(needed)?;
    match desc {
        Desc::File(f) => Ok(&mut f.file),
        Desc::Dir(_) => Err(Errno::Isdir),
        _ => Err(Errno::Spipe),
    }
}

pub(crate) fn fd_read(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    nread: u32,
) -> Result<()> {
    let iovs = mem.iovecs(iovs, n)?;
    let desc = ctx.table.get_mut(fd)?;
    desc.check(rights::FD_READ)?;
    let total = match desc {
        Desc::Stdin(input) => read_into(mem, &iovs, |b| input.read(b))?,
        Desc::File(f) => read_into(mem, &iovs, |b| f.file.read(b))?,
        Desc::Dir(_) => return Err(Errno::Isdir),
        Desc::Stdout(_) | Desc::Stderr(_) => return Err(Errno::Badf),
    };
    mem.write_u32(nread, total)
}

pub(crate) fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    offset: u64,
    nread: u32,
) -> Result<()> {
    let iovs = mem.iovecs(iovs, n)?;
    let file = file_mut(ctx, fd, rights::FD_READ | rights::FD_SEEK)?;
    let total = at_offset(file, offset, |file| read_into(mem, &iovs, |b| file.read(b)))?;
    mem.write_u32(nread, total)
}

/// Runs `f` with the file positioned at `offset`, then puts the position back (`pread`
/// and `pwrite` leave the descriptor's offset alone).
fn at_offset<T>(file: &mut File, offset: u64, f: impl FnOnce(&mut File) -> Result<T>) -> Result<T> {
    if i64::try_from(offset).is_err() {
        return Err(Errno::Inval);
    }
    let pos = io(file.stream_position())?;
    io(file.seek(SeekFrom::Start(offset)))?;
    let out = f(file);
    io(file.seek(SeekFrom::Start(pos)))?;
    out
}

pub(crate) fn fd_write(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    nwritten: u32,
) -> Result<()> {
    let iovs = mem.iovecs(iovs, n)?;
    let bytes = gather(mem, &iovs)?;
    let desc = ctx.table.get_mut(fd)?;
    desc.check(rights::FD_WRITE)?;
    match desc {
        Desc::Stdout(out) => io(out.write(false, &bytes))?,
        Desc::Stderr(out) => io(out.write(true, &bytes))?,
        Desc::File(f) => {
            if f.flags & fdflags::APPEND != 0 {
                io(f.file.seek(SeekFrom::End(0)))?;
            }
            io(f.file.write_all(&bytes))?;
        }
        Desc::Dir(_) => return Err(Errno::Isdir),
        Desc::Stdin(_) => return Err(Errno::Badf),
    }
    mem.write_u32(nwritten, bytes.len() as u32)
}

pub(crate) fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    iovs: u32,
    n: u32,
    offset: u64,
    nwritten: u32,
) -> Result<()> {
    let iovs = mem.iovecs(iovs, n)?;
    let bytes = gather(mem, &iovs)?;
    let file = file_mut(ctx, fd, rights::FD_WRITE | rights::FD_SEEK)?;
    at_offset(file, offset, |file| io(file.write_all(&bytes)))?;
    mem.write_u32(nwritten, bytes.len() as u32)
}

pub(crate) fn fd_seek(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    offset: i64,
    how: u32,
    newoffset: u32,
) -> Result<()> {
    // Only asking where the offset is needs just `fd_tell`.
    let needed = if offset == 0 && how == u32::from(whence::CUR) {
        rights::FD_TELL
    } else {
        rights::FD_SEEK
    };
    let file = file_mut(ctx, fd, needed)?;
    let pos = match u8::try_from(how).map_err(|_| Errno::Inval)? {
        whence::SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        whence::CUR => SeekFrom::Current(offset),
        whence::END => SeekFrom::End(offset),
        _ => return Err(Errno::Inval),
    };
    let at = io(file.seek(pos))?;
    mem.write_u64(newoffset, at)
}

pub(crate) fn fd_tell(ctx: &mut WasiCtx, mem: &mut Mem<'_>, fd: u32, offset: u32) -> Result<()> {
    let file = file_mut(ctx, fd, rights::FD_TELL)?;
    let at = io(file.stream_position())?;
    mem.write_u64(offset, at)
}

pub(crate) fn fd_close(ctx: &mut WasiCtx, fd: u32) -> Result<()> {
    ctx.table.remove(fd).map(drop)
}

pub(crate) fn fd_renumber(ctx: &mut WasiCtx, from: u32, to: u32) -> Result<()> {
    ctx.table.renumber(from, to)
}

pub(crate) fn fd_advise(ctx: &mut WasiCtx, fd: u32, advice: u32) -> Result<()> {
    let desc = ctx.table.get(fd)?;
    desc.check(rights::FD_ADVISE)?;
    if advice > u32::from(types::ADVICE_MAX) {
        return Err(Errno::Inval);
    }
    // Advice is only a hint; rill takes none.
    Ok(())
}

pub(crate) fn fd_allocate(ctx: &mut WasiCtx, fd: u32, offset: u64, len: u64) -> Result<()> {
    let file = file_mut(ctx, fd, rights::FD_ALLOCATE)?;
    let end = offset.checked_add(len).ok_or(Errno::Inval)?;
    if i64::try_from(end).is_err() {
        return Err(Errno::Fbig);
    }
    if io(file.metadata())?.len() < end {
        io(file.set_len(end))?;
    }
    Ok(())
}

pub(crate) fn fd_sync(ctx: &mut WasiCtx, fd: u32, data_only: bool) -> Result<()> {
    let desc = ctx.table.get(fd)?;
    desc.check(if data_only {
        rights::FD_DATASYNC
    } else {
        rights::FD_SYNC
    })?;
    match desc {
        Desc::File(f) if data_only => io(f.file.sync_data()),
        Desc::File(f) => io(f.file.sync_all()),
        _ => Ok(()),
    }
}

pub(crate) fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut Mem<'_>, fd: u32, buf: u32) -> Result<()> {
    let desc = ctx.table.get(fd)?;
    let (base, inheriting) = desc.rights();
    let flags = match desc {
        Desc::File(f) => f.flags,
        _ => 0,
    };
    let mut b = [0u8; types::FDSTAT_SIZE as usize];
    b[0] = desc.filetype();
    b[2..4].copy_from_slice(&flags.to_le_bytes());
    b[8..16].copy_from_slice(&base.to_le_bytes());
    b[16..24].copy_from_slice(&inheriting.to_le_bytes());
    mem.write(buf, &b)
}

pub(crate) fn fd_fdstat_set_flags(ctx: &mut WasiCtx, fd: u32, flags: u32) -> Result<()> {
    let desc = ctx.table.get_mut(fd)?;
    desc.check(rights::FD_FDSTAT_SET_FLAGS)?;
    let flags = u16::try_from(flags).map_err(|_| Errno::Inval)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::Inval);
    }
    match desc {
        Desc::File(f) => {
            f.flags = flags;
            Ok(())
        }
        // Standard streams and directories keep no flags.
        _ if flags == 0 => Ok(()),
        _ => Err(Errno::Notsup),
    }
}

pub(crate) fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    fd: u32,
    base: u64,
    inheriting: u64,
) -> Result<()> {
    let desc = ctx.table.get_mut(fd)?;
    let (old_base, old_inheriting) = desc.rights();
    // Rights can only be dropped.
    if base & !old_base != 0 || inheriting & !old_inheriting != 0 {
        return Err(Errno::Notcapable);
    }
    match desc {
        Desc::File(f) => (f.rights, f.inheriting) = (base, inheriting),
        Desc::Dir(d) => (d.rights, d.inheriting) = (base, inheriting),
        // The standard streams' rights are fixed; asking to keep them is fine.
        _ if (base, inheriting) == (old_base, old_inheriting) => {}
        _ => return Err(Errno::Notsup),
    }
    Ok(())
}

pub(crate) fn fd_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    buf: u32,
) -> Result<()> {
    let desc = ctx.table.get(fd)?;
    desc.check(rights::FD_FILESTAT_GET)?;
    let meta = match desc {
        Desc::File(f) => io(f.file.metadata())?,
        Desc::Dir(d) => io(d.dir.dir_metadata())?,
        _ => {
            // A stream: only its type is known.
            let mut b = [0u8; types::FILESTAT_SIZE as usize];
            b[16] = desc.filetype();
            return mem.write(buf, &b);
        }
    };
    write_filestat(mem, buf, &meta)
}

pub(crate) fn fd_filestat_set_size(ctx: &mut WasiCtx, fd: u32, size: u64) -> Result<()> {
    let file = file_mut(ctx, fd, rights::FD_FILESTAT_SET_SIZE)?;
    if i64::try_from(size).is_err() {
        return Err(Errno::Fbig);
    }
    io(file.set_len(size))
}

pub(crate) fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> Result<()> {
    let desc = ctx.table.get(fd)?;
    desc.check(rights::FD_FILESTAT_SET_TIMES)?;
    let (a, m) = times(atim, mtim, u16::try_from(flags).map_err(|_| Errno::Inval)?)?;
    let (a, m) = (a.map(to_fs_set_times), m.map(to_fs_set_times));
    match desc {
        Desc::File(f) => io(f.file.set_times(a, m)),
        Desc::Dir(d) => io(d.dir.set_times(a, m)),
        _ => Err(Errno::Badf),
    }
}

/// cap-std's time spec as fs-set-times takes it (for open descriptors).
fn to_fs_set_times(t: SystemTimeSpec) -> fs_set_times::SystemTimeSpec {
    match t {
        SystemTimeSpec::SymbolicNow => fs_set_times::SystemTimeSpec::SymbolicNow,
        SystemTimeSpec::Absolute(t) => fs_set_times::SystemTimeSpec::Absolute(t.into_std()),
    }
}

pub(crate) fn fd_prestat_get(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    buf: u32,
) -> Result<()> {
    let name = prestat_name(ctx, fd)?;
    let len = u32::try_from(name.len()).map_err(|_| Errno::Overflow)?;
    let mut b = [0u8; 8];
    b[0] = types::PREOPENTYPE_DIR;
    b[4..8].copy_from_slice(&len.to_le_bytes());
    mem.write(buf, &b)
}

fn prestat_name(ctx: &WasiCtx, fd: u32) -> Result<&str> {
    match ctx.table.get(fd)? {
        Desc::Dir(d) => d.preopen.as_deref().ok_or(Errno::Badf),
        _ => Err(Errno::Badf),
    }
}

pub(crate) fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    path: u32,
    len: u32,
) -> Result<()> {
    let name = prestat_name(ctx, fd)?;
    if (len as usize) < name.len() {
        return Err(Errno::Nametoolong);
    }
    mem.write(path, name.as_bytes())
}

/// `fd_readdir`: `.` and `..` first, then the entries sorted by name, so that a cookie
/// (the index of the next entry) means the same from one call to the next.
pub(crate) fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut Mem<'_>,
    fd: u32,
    buf: u32,
    len: u32,
    cookie: u64,
    bufused: u32,
) -> Result<()> {
    let dir = match ctx.table.get(fd)? {
        Desc::Dir(d) => d,
        d => {
            d.check(rights::FD_READDIR)?;
            return Err(Errno::Notdir);
        }
    };
    if dir.rights & rights::FD_READDIR == 0 {
        return Err(Errno::Notcapable);
    }
    let mut entries: Vec<(String, u64, u8)> = Vec::new();
    let this = io(dir.dir.dir_metadata())?;
    entries.push((".".into(), this.ino(), filetype::DIRECTORY));
    let parent = dir.dir.metadata("..").map_or(0, |m| m.ino());
    entries.push(("..".into(), parent, filetype::DIRECTORY));
    let mut rest = Vec::new();
    for entry in io(dir.dir.entries())? {
        let entry = io(entry)?;
        // A name that is not UTF-8 cannot be named by the guest's paths either.
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let ft = entry.file_type().map_or(filetype::UNKNOWN, filetype_of);
        rest.push((name, entry_ino(&entry), ft));
    }
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    entries.extend(rest);

    let out = mem.slice_mut(buf, len)?;
    let mut used = 0usize;
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, (name, ino, ft)) in entries.iter().enumerate().skip(start) {
        let mut bytes = Vec::with_capacity(types::DIRENT_SIZE + name.len());
        bytes.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        bytes.extend_from_slice(&ino.to_le_bytes());
        bytes.extend_from_slice(&(name.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&[*ft, 0, 0, 0]);
        bytes.extend_from_slice(name.as_bytes());
        let n = bytes.len().min(out.len() - used);
        out[used..used + n].copy_from_slice(&bytes[..n]);
        used += n;
        if used == out.len() {
            break;
        }
    }
    mem.write_u32(bufused, used as u32)
}

#[cfg(unix)]
fn entry_ino(entry: &cap_std::fs::DirEntry) -> u64 {
    use std::os::unix::fs::DirEntryExt;
    entry.ino()
}

#[cfg(not(unix))]
fn entry_ino(entry: &cap_std::fs::DirEntry) -> u64 {
    entry.metadata().map_or(0, |m| m.ino())
}
