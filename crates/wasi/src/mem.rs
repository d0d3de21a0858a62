//! Guest memory access: every pointer the guest passes is checked against the memory's
//! length, and a pointer or length that does not fit is `fault` (as wasmtime's WASI does;
//! nothing traps and nothing panics).

use crate::errno::Errno;

/// The guest's linear memory, borrowed for one WASI call.
pub struct Mem<'a>(pub &'a mut [u8]);

/// What a WASI function returns: nothing (success), or an errno for the guest.
pub type Result<T> = std::result::Result<T, Errno>;

impl Mem<'_> {
    /// `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> Result<&[u8]> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        self.0.get(start..end).ok_or(Errno::Fault)
    }

    /// `len` writable bytes at `ptr`.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8]> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        self.0.get_mut(start..end).ok_or(Errno::Fault)
    }

    fn array<const N: usize>(&self, ptr: u32) -> Result<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.slice(ptr, N as u32)?);
        Ok(out)
    }

    /// A little-endian `u8` at `ptr`.
    pub fn read_u8(&self, ptr: u32) -> Result<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }

    /// A little-endian `u16` at `ptr`.
    pub fn read_u16(&self, ptr: u32) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    /// A little-endian `u32` at `ptr`.
    pub fn read_u32(&self, ptr: u32) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    /// A little-endian `u64` at `ptr`.
    pub fn read_u64(&self, ptr: u32) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    /// Copies `bytes` to `ptr`.
    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> Result<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }

    /// Writes a `u8` at `ptr`.
    pub fn write_u8(&mut self, ptr: u32, v: u8) -> Result<()> {
        self.write(ptr, &[v])
    }

    /// Writes a little-endian `u32` at `ptr`.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> Result<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Writes a little-endian `u64` at `ptr`.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> Result<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// An `iovec` / `ciovec` array: `count` (pointer, length) pairs at `ptr`, each
    /// checked to lie inside the memory.
    pub fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>> {
        // Each entry is 8 bytes; checking the whole array first bounds the allocation.
        self.slice(ptr, count.checked_mul(8).ok_or(Errno::Fault)?)?;
        (0..count)
            .map(|i| {
                let at = ptr + i * 8;
                let (buf, len) = (self.read_u32(at)?, self.read_u32(at + 4)?);
                self.slice(buf, len)?;
                Ok((buf, len))
            })
            .collect()
    }

    /// A path or other string argument: `len` bytes at `ptr`, which must be UTF-8
    /// (`ilseq` otherwise) without a NUL byte (`inval`: the host would cut the path there).
    pub fn str(&self, ptr: u32, len: u32) -> Result<&str> {
        let bytes = self.slice(ptr, len)?;
        let s = std::str::from_utf8(bytes).map_err(|_| Errno::Ilseq)?;
        if s.contains('\0') {
            return Err(Errno::Inval);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_fault() {
        let mut bytes = [0u8; 16];
        let mut m = Mem(&mut bytes);
        assert_eq!(m.read_u32(12), Ok(0));
        assert_eq!(m.read_u32(13), Err(Errno::Fault));
        assert_eq!(m.read_u64(u32::MAX), Err(Errno::Fault));
        assert_eq!(m.write_u32(u32::MAX - 1, 1), Err(Errno::Fault));
        assert_eq!(m.slice(16, 0).map(<[u8]>::len), Ok(0));
        assert_eq!(m.slice(17, 0).map(<[u8]>::len), Err(Errno::Fault));
        // An iovec array longer than the memory, or one pointing outside it.
        assert_eq!(m.iovecs(0, u32::MAX), Err(Errno::Fault));
        m.write_u32(0, 12).unwrap();
        m.write_u32(4, 8).unwrap();
        assert_eq!(m.iovecs(0, 1), Err(Errno::Fault));
        m.write_u32(4, 4).unwrap();
        assert_eq!(m.iovecs(0, 1), Ok(vec![(12, 4)]));
    }

    #[test]
    fn strings() {
        let mut bytes = *b"ab\0c\xff";
        let m = Mem(&mut bytes);
        assert_eq!(m.str(0, 2), Ok("ab"));
        assert_eq!(m.str(0, 3), Err(Errno::Inval));
        assert_eq!(m.str(4, 1), Err(Errno::Ilseq));
    }
}
