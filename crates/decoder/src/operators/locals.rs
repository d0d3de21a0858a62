//! The local declarations at the start of a function body.

use crate::limits::MAX_FUNCTION_LOCALS;
use crate::reader::BinaryReader;
use crate::types::ValType;
use crate::{DecodeError, OperatorsReader, Result};

/// Reads the local declarations of a function body: a vector of `(count, type)` groups.
/// The total count is bounded by [`MAX_FUNCTION_LOCALS`] ("too many locals"), checked as each
/// group is read, so a caller that allocates per local never allocates past the limit.
/// Afterwards, [`into_operators`](Self::into_operators) continues with the body's code.
///
/// Also an iterator over `Result<(count, type)>`.
#[derive(Clone, Debug)]
pub struct LocalsReader<'a> {
    reader: BinaryReader<'a>,
    groups: u32,
    left: u32,
    total: u32,
    has_data_count: bool,
}

impl<'a> LocalsReader<'a> {
    /// Starts reading the body in `reader` (positioned at the locals vector).
    /// `has_data_count` is passed on to [`OperatorsReader::new_function_body`].
    pub fn new(mut reader: BinaryReader<'a>, has_data_count: bool) -> Result<Self> {
        let groups = reader.read_var_u32()?;
        Ok(LocalsReader {
            reader,
            groups,
            left: groups,
            total: 0,
            has_data_count,
        })
    }

    /// The number of `(count, type)` groups declared.
    pub fn group_count(&self) -> u32 {
        self.groups
    }

    /// The number of locals declared by the groups read so far.
    pub fn total(&self) -> u32 {
        self.total
    }

    /// The module offset of the next byte.
    pub fn offset(&self) -> usize {
        self.reader.offset()
    }

    /// Reads the next group; `None` after the last.
    pub fn read(&mut self) -> Option<Result<(u32, ValType)>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let group = self.read_group();
        if group.is_err() {
            self.left = 0;
        }
        Some(group)
    }

    fn read_group(&mut self) -> Result<(u32, ValType)> {
        let at = self.reader.offset();
        let count = self.reader.read_var_u32()?;
        let ty = self.reader.read_val_type()?;
        match self.total.checked_add(count) {
            Some(total) if total <= MAX_FUNCTION_LOCALS => {
                self.total = total;
                Ok((count, ty))
            }
            _ => Err(DecodeError::new(
                at,
                format!("too many locals: more than the limit of {MAX_FUNCTION_LOCALS} declared"),
            )),
        }
    }

    /// Reads any groups not yet read, and returns the reader of the body's operators.
    pub fn into_operators(mut self) -> Result<OperatorsReader<'a>> {
        while let Some(group) = self.read() {
            group?;
        }
        Ok(OperatorsReader::new_function_body(
            self.reader,
            self.has_data_count,
        ))
    }
}

impl Iterator for LocalsReader<'_> {
    type Item = Result<(u32, ValType)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left as usize))
    }
}
