//! WASI error numbers (`errno` in the preview 1 witx) and how host I/O errors map to them.

use std::fmt;
use std::io;

macro_rules! errnos {
    ($($name:ident = $n:literal, $text:literal;)*) => {
        /// A WASI preview 1 error number, as a function returns it to the guest.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u16)]
        #[non_exhaustive]
        #[allow(missing_docs)]
        pub enum Errno {
            $($name = $n,)*
        }

        impl Errno {
            /// The error's name in the witx (`"badf"`, `"noent"`, ...).
            pub fn name(self) -> &'static str {
                match self {
                    $(Errno::$name => $text,)*
                }
            }

            /// The errno with this number, if it is one.
            pub fn from_raw(n: u16) -> Option<Errno> {
                match n {
                    $($n => Some(Errno::$name),)*
                    _ => None,
                }
            }
        }
    };
}

errnos! {
    Success = 0, "success";
    TooBig = 1, "2big";
    Acces = 2, "acces";
    Addrinuse = 3, "addrinuse";
    Addrnotavail = 4, "addrnotavail";
    Afnosupport = 5, "afnosupport";
    Again = 6, "again";
    Already = 7, "already";
    Badf = 8, "badf";
    Badmsg = 9, "badmsg";
    Busy = 10, "busy";
    Canceled = 11, "canceled";
    Child = 12, "child";
    Connaborted = 13, "connaborted";
    Connrefused = 14, "connrefused";
    Connreset = 15, "connreset";
    Deadlk = 16, "deadlk";
    Destaddrreq = 17, "destaddrreq";
    Dom = 18, "dom";
    Dquot = 19, "dquot";
    Exist = 20, "exist";
    Fault = 21, "fault";
    Fbig = 22, "fbig";
    Hostunreach = 23, "hostunreach";
    Idrm = 24, "idrm";
    Ilseq = 25, "ilseq";
    Inprogress = 26, "inprogress";
    Intr = 27, "intr";
    Inval = 28, "inval";
    Io = 29, "io";
    Isconn = 30, "isconn";
    Isdir = 31, "isdir";
    Loop = 32, "loop";
    Mfile = 33, "mfile";
    Mlink = 34, "mlink";
    Msgsize = 35, "msgsize";
    Multihop = 36, "multihop";
    Nametoolong = 37, "nametoolong";
    Netdown = 38, "netdown";
    Netreset = 39, "netreset";
    Netunreach = 40, "netunreach";
    Nfile = 41, "nfile";
    Nobufs = 42, "nobufs";
    Nodev = 43, "nodev";
    Noent = 44, "noent";
    Noexec = 45, "noexec";
    Nolck = 46, "nolck";
    Nolink = 47, "nolink";
    Nomem = 48, "nomem";
    Nomsg = 49, "nomsg";
    Noprotoopt = 50, "noprotoopt";
    Nospc = 51, "nospc";
    Nosys = 52, "nosys";
    Notconn = 53, "notconn";
    Notdir = 54, "notdir";
    Notempty = 55, "notempty";
    Notrecoverable = 56, "notrecoverable";
    Notsock = 57, "notsock";
    Notsup = 58, "notsup";
    Notty = 59, "notty";
    Nxio = 60, "nxio";
    Overflow = 61, "overflow";
    Ownerdead = 62, "ownerdead";
    Perm = 63, "perm";
    Pipe = 64, "pipe";
    Proto = 65, "proto";
    Protonosupport = 66, "protonosupport";
    Prototype = 67, "prototype";
    Range = 68, "range";
    Rofs = 69, "rofs";
    Spipe = 70, "spipe";
    Srch = 71, "srch";
    Stale = 72, "stale";
    Timedout = 73, "timedout";
    Txtbsy = 74, "txtbsy";
    Xdev = 75, "xdev";
    Notcapable = 76, "notcapable";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "errno {} ({})", *self as u16, self.name())
    }
}

impl std::error::Error for Errno {}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        if let Some(n) = e.raw_os_error() {
            if let Some(errno) = from_os(n) {
                return errno;
            }
        }
        from_kind(e.kind())
    }
}

/// A host error number as a WASI one (unix: the C library's numbers).
#[cfg(unix)]
fn from_os(n: i32) -> Option<Errno> {
    use Errno::*;
    Some(match n {
        libc::EPERM => Perm,
        libc::ENOENT => Noent,
        libc::ESRCH => Srch,
        libc::EINTR => Intr,
        libc::EIO => Io,
        libc::ENXIO => Nxio,
        libc::E2BIG => TooBig,
        libc::ENOEXEC => Noexec,
        libc::EBADF => Badf,
        libc::ECHILD => Child,
        libc::EAGAIN => Again,
        libc::ENOMEM => Nomem,
        libc::EACCES => Acces,
        libc::EFAULT => Fault,
        libc::EBUSY => Busy,
        libc::EEXIST => Exist,
        libc::EXDEV => Xdev,
        libc::ENODEV => Nodev,
        libc::ENOTDIR => Notdir,
        libc::EISDIR => Isdir,
        libc::EINVAL => Inval,
        libc::ENFILE => Nfile,
        libc::EMFILE => Mfile,
        libc::ENOTTY => Notty,
        libc::ETXTBSY => Txtbsy,
        libc::EFBIG => Fbig,
        libc::ENOSPC => Nospc,
        libc::ESPIPE => Spipe,
        libc::EROFS => Rofs,
        libc::EMLINK => Mlink,
        libc::EPIPE => Pipe,
        libc::EDOM => Dom,
        libc::ERANGE => Range,
        libc::EDEADLK => Deadlk,
        libc::ENAMETOOLONG => Nametoolong,
        libc::ENOLCK => Nolck,
        libc::ENOSYS => Nosys,
        libc::ENOTEMPTY => Notempty,
        libc::ELOOP => Loop,
        libc::EOVERFLOW => Overflow,
        libc::EILSEQ => Ilseq,
        libc::ENOTSOCK => Notsock,
        libc::ENOTSUP => Notsup,
        libc::ECONNRESET => Connreset,
        libc::ECONNREFUSED => Connrefused,
        libc::ETIMEDOUT => Timedout,
        libc::ENOBUFS => Nobufs,
        libc::EDQUOT => Dquot,
        libc::ESTALE => Stale,
        libc::ENOTCONN => Notconn,
        _ => return None,
    })
}

#[cfg(not(unix))]
fn from_os(_: i32) -> Option<Errno> {
    None
}

/// An error without a host number (cap-std's own refusals, e.g. a path that leads
/// outside the sandbox, which is a `PermissionDenied` without an OS error: `perm`).
fn from_kind(kind: io::ErrorKind) -> Errno {
    use io::ErrorKind as K;
    match kind {
        K::NotFound => Errno::Noent,
        K::PermissionDenied => Errno::Perm,
        K::AlreadyExists => Errno::Exist,
        K::InvalidInput => Errno::Inval,
        K::InvalidData => Errno::Ilseq,
        K::Interrupted => Errno::Intr,
        K::WouldBlock => Errno::Again,
        K::BrokenPipe => Errno::Pipe,
        K::TimedOut => Errno::Timedout,
        K::Unsupported => Errno::Notsup,
        K::OutOfMemory => Errno::Nomem,
        K::UnexpectedEof => Errno::Io,
        K::NotADirectory => Errno::Notdir,
        K::IsADirectory => Errno::Isdir,
        K::DirectoryNotEmpty => Errno::Notempty,
        K::ReadOnlyFilesystem => Errno::Rofs,
        K::CrossesDevices => Errno::Xdev,
        K::InvalidFilename => Errno::Inval,
        _ => Errno::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for n in 0..=76u16 {
            let e = Errno::from_raw(n).unwrap();
            assert_eq!(e as u16, n);
        }
        assert_eq!(Errno::from_raw(77), None);
        assert_eq!(Errno::Notcapable.name(), "notcapable");
    }

    #[test]
    fn host_errors() {
        let e = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(Errno::from(e), Errno::Noent);
        #[cfg(unix)]
        assert_eq!(
            Errno::from(io::Error::from_raw_os_error(libc::ELOOP)),
            Errno::Loop
        );
        // cap-std's "a path led outside of the filesystem".
        let escape = io::Error::new(io::ErrorKind::PermissionDenied, "outside");
        assert_eq!(Errno::from(escape), Errno::Perm);
    }
}
