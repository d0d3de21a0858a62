//! `BinaryReader`: a cursor over borrowed bytes that reads the primitive encodings of the
//! binary format (bytes, spec-exact LEB128 integers, floats, names, vectors).

use crate::{DecodeError, Result};

/// Message for input that ends in the middle of an item. Contains the testsuite's
/// "unexpected end" as well as its longer "unexpected end of section or function".
pub(crate) const UNEXPECTED_END: &str = "unexpected end of section or function";

/// A cursor over `data`; offsets it reports are `base + position`, so errors point into the
/// whole module even when `data` is one section or one function body.
#[derive(Clone, Debug)]
pub struct BinaryReader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> BinaryReader<'a> {
    /// A reader over `data`, whose first byte is at module offset `base`.
    pub fn new(data: &'a [u8], base: usize) -> Self {
        BinaryReader { data, pos: 0, base }
    }

    /// The module offset of the next byte to be read.
    #[inline]
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// The position relative to the start of `data`.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// True when every byte has been read.
    #[inline]
    pub fn eof(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// Bytes not yet read.
    #[inline]
    pub fn bytes_remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The unread bytes, without consuming them.
    pub fn remaining_slice(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    /// An error at the current offset.
    #[cold]
    pub fn error(&self, message: impl Into<std::borrow::Cow<'static, str>>) -> DecodeError {
        DecodeError::new(self.offset(), message)
    }

    #[cold]
    fn eof_error(&self) -> DecodeError {
        DecodeError::new(self.base + self.data.len(), UNEXPECTED_END)
    }

    /// Reads one byte.
    #[inline]
    pub fn read_u8(&mut self) -> Result<u8> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.eof_error()),
        }
    }

    /// Looks at the next byte without consuming it.
    #[inline]
    pub fn peek_u8(&self) -> Result<u8> {
        self.data
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.eof_error())
    }

    /// Reads `n` bytes.
    #[inline]
    pub fn read_bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.bytes_remaining() {
            return Err(self.eof_error());
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.read_bytes(n).map(|_| ())
    }

    /// Reads a little-endian fixed-width `u32` (the module version, f32 bits).
    pub fn read_u32_le(&mut self) -> Result<u32> {
        let b = self.read_bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Reads a little-endian fixed-width `u64` (f64 bits).
    pub fn read_u64_le(&mut self) -> Result<u64> {
        let b = self.read_bytes(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// Reads the bits of an `f32` constant.
    pub fn read_f32_bits(&mut self) -> Result<u32> {
        self.read_u32_le()
    }

    /// Reads the bits of an `f64` constant.
    pub fn read_f64_bits(&mut self) -> Result<u64> {
        self.read_u64_le()
    }

    /// Reads 16 raw bytes (a `v128` constant or a shuffle mask).
    pub fn read_v128(&mut self) -> Result<[u8; 16]> {
        let b = self.read_bytes(16)?;
        let mut a = [0u8; 16];
        a.copy_from_slice(b);
        Ok(a)
    }

    /// Reads an unsigned LEB128 of at most `bits` bits, exactly as the spec requires: at most
    /// `ceil(bits / 7)` bytes, and the unused bits of the last byte zero.
    #[inline]
    fn read_unsigned(&mut self, bits: u32) -> Result<u64> {
        // Fast path: one byte.
        if let Some(&b) = self.data.get(self.pos) {
            if b & 0x80 == 0 {
                self.pos += 1;
                return Ok(u64::from(b));
            }
        }
        self.read_unsigned_slow(bits)
    }

    fn read_unsigned_slow(&mut self, bits: u32) -> Result<u64> {
        let mut result = 0u64;
        let mut shift = 0u32;
        loop {
            let remaining = bits as i32 - shift as i32;
            if remaining <= 0 {
                return Err(self.error("integer representation too long"));
            }
            let at = self.offset();
            let b = self.read_u8()?;
            if remaining < 7 && u32::from(b & 0x7f) >= (1u32 << remaining) {
                return Err(DecodeError::new(at, "integer too large"));
            }
            result |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// Reads a signed LEB128 of at most `bits` bits: at most `ceil(bits / 7)` bytes, and the
    /// unused bits of the last byte copies of the sign bit.
    #[inline]
    fn read_signed(&mut self, bits: u32) -> Result<i64> {
        if let Some(&b) = self.data.get(self.pos) {
            if b & 0x80 == 0 {
                self.pos += 1;
                // Sign-extend the 7-bit value.
                return Ok(i64::from((b << 1) as i8 >> 1));
            }
        }
        self.read_signed_slow(bits)
    }

    fn read_signed_slow(&mut self, bits: u32) -> Result<i64> {
        let mut result = 0i64;
        let mut shift = 0u32;
        loop {
            let remaining = bits as i32 - shift as i32;
            if remaining <= 0 {
                return Err(self.error("integer representation too long"));
            }
            let at = self.offset();
            let b = self.read_u8()?;
            if remaining < 7 {
                let mask = ((-1i32 << (remaining - 1)) & 0x7f) as u8;
                let used = b & mask;
                if used != 0 && used != mask {
                    return Err(DecodeError::new(at, "integer too large"));
                }
            }
            result |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 {
                    // Sign-extend from the last byte's top value bit.
                    let unused = 64 - shift;
                    result = (result << unused) >> unused;
                }
                return Ok(result);
            }
        }
    }

    /// Reads a `u32` in LEB128 (at most 5 bytes).
    #[inline]
    pub fn read_var_u32(&mut self) -> Result<u32> {
        self.read_unsigned(32).map(|v| v as u32)
    }

    /// Reads a `u64` in LEB128 (at most 10 bytes).
    #[inline]
    pub fn read_var_u64(&mut self) -> Result<u64> {
        self.read_unsigned(64)
    }

    /// Reads an `i32` in signed LEB128 (at most 5 bytes).
    #[inline]
    pub fn read_var_i32(&mut self) -> Result<i32> {
        self.read_signed(32).map(|v| v as i32)
    }

    /// Reads an `i64` in signed LEB128 (at most 10 bytes).
    #[inline]
    pub fn read_var_i64(&mut self) -> Result<i64> {
        self.read_signed(64)
    }

    /// Reads a 33-bit signed LEB128 (block types: a type index or a negative type code).
    #[inline]
    pub fn read_var_s33(&mut self) -> Result<i64> {
        self.read_signed(33)
    }

    /// Reads a `u32` vector length or count and checks it against `limit`; `what` names the
    /// thing counted in the error ("types", "locals", ...).
    pub fn read_size(&mut self, limit: u32, what: &str) -> Result<u32> {
        let at = self.offset();
        let n = self.read_var_u32()?;
        if n > limit {
            return Err(DecodeError::new(
                at,
                format!("too many {what}: {n} exceeds the limit of {limit}"),
            ));
        }
        Ok(n)
    }

    /// Reads a name: a length-prefixed UTF-8 string.
    pub fn read_name(&mut self) -> Result<&'a str> {
        let len = self.read_var_u32()? as usize;
        if len > self.bytes_remaining() {
            return Err(self.error("unexpected end: length out of bounds"));
        }
        let at = self.offset();
        let bytes = self.read_bytes(len)?;
        std::str::from_utf8(bytes).map_err(|_| DecodeError::new(at, "malformed UTF-8 encoding"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn u32_of(bytes: &[u8]) -> Result<u32> {
        BinaryReader::new(bytes, 0).read_var_u32()
    }
    fn i32_of(bytes: &[u8]) -> Result<i32> {
        BinaryReader::new(bytes, 0).read_var_i32()
    }
    fn u64_of(bytes: &[u8]) -> Result<u64> {
        BinaryReader::new(bytes, 0).read_var_u64()
    }
    fn i64_of(bytes: &[u8]) -> Result<i64> {
        BinaryReader::new(bytes, 0).read_var_i64()
    }
    fn msg<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.unwrap_err().message().to_string()
    }

    proptest! {
        #[test]
        fn u32_matches_leb128_crate(v: u32) {
            let mut buf = Vec::new();
            leb128::write::unsigned(&mut buf, u64::from(v)).unwrap();
            let mut r = BinaryReader::new(&buf, 0);
            prop_assert_eq!(r.read_var_u32().unwrap(), v);
            prop_assert!(r.eof());
        }

        #[test]
        fn u64_matches_leb128_crate(v: u64) {
            let mut buf = Vec::new();
            leb128::write::unsigned(&mut buf, v).unwrap();
            let mut r = BinaryReader::new(&buf, 0);
            prop_assert_eq!(r.read_var_u64().unwrap(), v);
            prop_assert!(r.eof());
        }

        #[test]
        fn i32_matches_leb128_crate(v: i32) {
            let mut buf = Vec::new();
            leb128::write::signed(&mut buf, i64::from(v)).unwrap();
            let mut r = BinaryReader::new(&buf, 0);
            prop_assert_eq!(r.read_var_i32().unwrap(), v);
            prop_assert!(r.eof());
        }

        #[test]
        fn i64_matches_leb128_crate(v: i64) {
            let mut buf = Vec::new();
            leb128::write::signed(&mut buf, v).unwrap();
            let mut r = BinaryReader::new(&buf, 0);
            prop_assert_eq!(r.read_var_i64().unwrap(), v);
            prop_assert!(r.eof());
        }

        #[test]
        fn s33_matches_leb128_crate(v in -(1i64 << 32)..(1i64 << 32)) {
            let mut buf = Vec::new();
            leb128::write::signed(&mut buf, v).unwrap();
            let mut r = BinaryReader::new(&buf, 0);
            prop_assert_eq!(r.read_var_s33().unwrap(), v);
            prop_assert!(r.eof());
        }

        /// Padding a value with redundant bytes is fine while it fits the byte limit.
        #[test]
        fn padded_u32_up_to_five_bytes(v in 0u32..(1 << 7), pad in 0usize..4) {
            let mut buf = vec![v as u8 | 0x80];
            buf.extend(std::iter::repeat_n(0x80, pad));
            buf.push(0x00);
            prop_assert_eq!(u32_of(&buf).unwrap(), v);
        }

        /// Truncated encodings are "unexpected end", never a panic.
        #[test]
        fn truncated_is_unexpected_end(v: u64) {
            let mut buf = Vec::new();
            leb128::write::unsigned(&mut buf, v | (1 << 63)).unwrap();
            buf.pop();
            prop_assert!(msg(u64_of(&buf)).contains("unexpected end"));
        }
    }

    #[test]
    fn overlong_encodings_are_rejected() {
        // Six bytes for a u32, eleven for a u64.
        assert_eq!(
            msg(u32_of(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00])),
            "integer representation too long"
        );
        assert_eq!(
            msg(i32_of(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])),
            "integer representation too long"
        );
        assert_eq!(msg(u64_of(&[0x80; 11])), "integer representation too long");
        let mut long = vec![0x80u8; 10];
        long.push(0x00);
        assert_eq!(msg(u64_of(&long)), "integer representation too long");
        assert_eq!(msg(i64_of(&long)), "integer representation too long");
    }

    #[test]
    fn unused_bits_must_be_zero_or_sign() {
        // u32: the fifth byte may only use its low four bits.
        assert_eq!(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f]).unwrap(), u32::MAX);
        assert_eq!(
            msg(u32_of(&[0xff, 0xff, 0xff, 0xff, 0x1f])),
            "integer too large"
        );
        assert_eq!(
            msg(u32_of(&[0x80, 0x80, 0x80, 0x80, 0x70])),
            "integer too large"
        );
        // i32: bits 4..6 of the fifth byte copy bit 3.
        assert_eq!(i32_of(&[0x80, 0x80, 0x80, 0x80, 0x78]).unwrap(), i32::MIN);
        assert_eq!(i32_of(&[0xff, 0xff, 0xff, 0xff, 0x07]).unwrap(), i32::MAX);
        assert_eq!(
            msg(i32_of(&[0xff, 0xff, 0xff, 0xff, 0x0f])),
            "integer too large"
        );
        assert_eq!(
            msg(i32_of(&[0x80, 0x80, 0x80, 0x80, 0x70])),
            "integer too large"
        );
        // u64: the tenth byte may only use bit 0.
        let mut max = vec![0xffu8; 9];
        max.push(0x01);
        assert_eq!(u64_of(&max).unwrap(), u64::MAX);
        *max.last_mut().unwrap() = 0x02;
        assert_eq!(msg(u64_of(&max)), "integer too large");
        // i64: the tenth byte is 0x00 or 0x7f.
        let mut neg = vec![0x80u8; 9];
        neg.push(0x7f);
        assert_eq!(i64_of(&neg).unwrap(), i64::MIN);
        *neg.last_mut().unwrap() = 0x01;
        assert_eq!(msg(i64_of(&neg)), "integer too large");
        // s33: the fifth byte's bits 5 and 6 copy bit 4.
        let mut r = BinaryReader::new(&[0x80, 0x80, 0x80, 0x80, 0x70], 0);
        assert_eq!(r.read_var_s33().unwrap(), -(1i64 << 32));
        let mut r = BinaryReader::new(&[0x80, 0x80, 0x80, 0x80, 0x20], 0);
        assert_eq!(r.read_var_s33().unwrap_err().message(), "integer too large");
    }

    #[test]
    fn errors_report_module_offsets() {
        let mut r = BinaryReader::new(&[0x80, 0x80, 0x80, 0x80, 0x10], 100);
        assert_eq!(r.read_var_u32().unwrap_err().offset(), 104);
        let mut r = BinaryReader::new(&[0x02, 0xff, 0xfe], 7);
        let e = r.read_name().unwrap_err();
        assert_eq!((e.offset(), e.message()), (8, "malformed UTF-8 encoding"));
    }
}
