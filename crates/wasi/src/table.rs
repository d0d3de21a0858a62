//! The guest's file descriptor table: standard streams, open files, open directories.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use cap_std::fs::{Dir, File};

use crate::ctx::{Input, Output};
use crate::errno::Errno;
use crate::mem::Result;
use crate::types::{filetype, rights};

/// One open descriptor.
pub(crate) enum Desc {
    Stdin(Input),
    Stdout(Output),
    Stderr(Output),
    File(FileDesc),
    Dir(DirDesc),
}

/// An open regular file (or another non-directory the sandbox let through).
pub(crate) struct FileDesc {
    pub file: File,
    pub rights: u64,
    pub inheriting: u64,
    /// `fdflags`: `append` is done here (each write seeks to the end first), so it can be
    /// switched on and off by `fd_fdstat_set_flags`; the others are recorded.
    pub flags: u16,
    pub filetype: u8,
}

/// An open directory: a cap-std [`Dir`], through which alone paths are resolved.
pub(crate) struct DirDesc {
    pub dir: Dir,
    pub rights: u64,
    pub inheriting: u64,
    /// The guest name, if this is a preopen (`fd_prestat_get`).
    pub preopen: Option<String>,
    /// Which preopen this directory lies under: renames and links between two
    /// directories are allowed only within one preopen.
    pub root: usize,
}

impl DirDesc {
    pub(crate) fn preopen(dir: Dir, name: String, root: usize) -> DirDesc {
        DirDesc {
            dir,
            rights: rights::DIR,
            inheriting: rights::DIR_INHERITING,
            preopen: Some(name),
            root,
        }
    }
}

impl Desc {
    /// The rights: base and inheriting.
    pub(crate) fn rights(&self) -> (u64, u64) {
        match self {
            Desc::Stdin(_) | Desc::Stdout(_) | Desc::Stderr(_) => (rights::STDIO, 0),
            Desc::File(f) => (f.rights, f.inheriting),
            Desc::Dir(d) => (d.rights, d.inheriting),
        }
    }

    /// Checks that the descriptor has every right in `needed` (`notcapable` otherwise).
    pub(crate) fn check(&self, needed: u64) -> Result<()> {
        if self.rights().0 & needed == needed {
            Ok(())
        } else {
            Err(Errno::Notcapable)
        }
    }

    pub(crate) fn filetype(&self) -> u8 {
        let tty = match self {
            Desc::Stdin(Input::Inherit) => std::io::stdin().is_terminal(),
            Desc::Stdout(Output::Inherit) => std::io::stdout().is_terminal(),
            Desc::Stderr(Output::Inherit) => std::io::stderr().is_terminal(),
            Desc::File(f) => return f.filetype,
            Desc::Dir(_) => return filetype::DIRECTORY,
            _ => false,
        };
        if tty {
            filetype::CHARACTER_DEVICE
        } else {
            filetype::UNKNOWN
        }
    }
}

/// Descriptors by number. A new descriptor takes the lowest free number, as POSIX does.
#[derive(Default)]
pub(crate) struct Table {
    fds: BTreeMap<u32, Desc>,
}

impl Table {
    pub(crate) fn insert(&mut self, desc: Desc) -> u32 {
        let mut fd = 0;
        for &used in self.fds.keys() {
            if used != fd {
                break;
            }
            fd += 1;
        }
        self.fds.insert(fd, desc);
        fd
    }

    pub(crate) fn get(&self, fd: u32) -> Result<&Desc> {
        self.fds.get(&fd).ok_or(Errno::Badf)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut Desc> {
        self.fds.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// The directory `fd` (`badf` if none is open there, `notdir` if it is not one),
    /// checked for `needed` rights.
    pub(crate) fn dir(&self, fd: u32, needed: u64) -> Result<&DirDesc> {
        match self.get(fd)? {
            Desc::Dir(d) => {
                if d.rights & needed != needed {
                    return Err(Errno::Notcapable);
                }
                Ok(d)
            }
            _ => Err(Errno::Notdir),
        }
    }

    pub(crate) fn remove(&mut self, fd: u32) -> Result<Desc> {
        self.fds.remove(&fd).ok_or(Errno::Badf)
    }

    /// Moves `from` onto `to` (both must be open), closing what `to` was.
    pub(crate) fn renumber(&mut self, from: u32, to: u32) -> Result<()> {
        if !self.fds.contains_key(&from) || !self.fds.contains_key(&to) {
            return Err(Errno::Badf);
        }
        if from != to {
            let desc = self.remove(from)?;
            self.fds.insert(to, desc);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowest_free_number_and_renumber() {
        let mut t = Table::default();
        for expected in 0..3 {
            assert_eq!(t.insert(Desc::Stdin(Input::Null)), expected);
        }
        t.remove(1).unwrap();
        assert_eq!(t.insert(Desc::Stdout(Output::Null)), 1);
        assert!(matches!(t.get(1), Ok(Desc::Stdout(_))));
        assert_eq!(t.renumber(1, 7), Err(Errno::Badf));
        t.renumber(1, 2).unwrap();
        assert!(matches!(t.get(2), Ok(Desc::Stdout(_))));
        assert_eq!(t.get(1).err(), Some(Errno::Badf));
        assert_eq!(t.remove(1).err(), Some(Errno::Badf));
    }
}
