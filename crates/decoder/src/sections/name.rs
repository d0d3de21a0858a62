//! The name section (custom section `name`), read on demand.
//!
//! The decoder hands custom sections on unread, so a malformed name section never makes a
//! module malformed (the spec ignores custom sections); a tool that wants names calls
//! [`NameSection::parse`] and may ignore its error.

use std::collections::BTreeMap;

use super::{read_byte_len, read_string, CustomSection};
use crate::reader::BinaryReader;
use crate::{DecodeError, Result};

/// Names of the indices of one index space, by index.
pub type NameMap = BTreeMap<u32, String>;

/// Name maps of the indices inside items (locals of functions, labels of functions, fields
/// of types), by the index of the item.
pub type IndirectNameMap = BTreeMap<u32, NameMap>;

/// The contents of a name section. Subsections it does not know are skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameSection {
    /// Subsection 0.
    pub module: Option<String>,
    /// Subsection 1.
    pub functions: NameMap,
    /// Subsection 2: function index → local index → name.
    pub locals: IndirectNameMap,
    /// Subsection 3: function index → label index → name.
    pub labels: IndirectNameMap,
    /// Subsection 4.
    pub types: NameMap,
    /// Subsection 5.
    pub tables: NameMap,
    /// Subsection 6.
    pub memories: NameMap,
    /// Subsection 7.
    pub globals: NameMap,
    /// Subsection 8.
    pub elements: NameMap,
    /// Subsection 9.
    pub data: NameMap,
    /// Subsection 10: type index → field index → name.
    pub fields: IndirectNameMap,
    /// Subsection 11.
    pub tags: NameMap,
}

/// Subsection ids.
mod id {
    pub const MODULE: u8 = 0;
    pub const FUNCTIONS: u8 = 1;
    pub const LOCALS: u8 = 2;
    pub const LABELS: u8 = 3;
    pub const TYPES: u8 = 4;
    pub const TABLES: u8 = 5;
    pub const MEMORIES: u8 = 6;
    pub const GLOBALS: u8 = 7;
    pub const ELEMENTS: u8 = 8;
    pub const DATA: u8 = 9;
    pub const FIELDS: u8 = 10;
    pub const TAGS: u8 = 11;
}

impl NameSection {
    /// Reads the name section from a custom section named `name`.
    pub fn parse(custom: &CustomSection) -> Result<NameSection> {
        if custom.name != "name" {
            return Err(DecodeError::new(
                custom.data_offset,
                format!("custom section {:?} is not a name section", custom.name),
            ));
        }
        NameSection::from_bytes(&custom.data, custom.data_offset)
    }

    /// Reads the contents of a name section (the bytes after the section's name), whose first
    /// byte is at module offset `offset`.
    ///
    /// Subsections must come in increasing order of id, each at most once, and each must
    /// be read exactly by its contents; the indices of a name map must increase.
    pub fn from_bytes(data: &[u8], offset: usize) -> Result<NameSection> {
        let mut r = BinaryReader::new(data, offset);
        let mut names = NameSection::default();
        let mut previous: Option<u8> = None;
        while !r.eof() {
            let at = r.offset();
            let id = r.read_u8()?;
            if let Some(previous) = previous {
                if id == previous {
                    return Err(DecodeError::new(
                        at,
                        format!("duplicate name subsection {id}"),
                    ));
                }
                if id < previous {
                    return Err(DecodeError::new(
                        at,
                        format!("name subsection {id} out of order (after {previous})"),
                    ));
                }
            }
            previous = Some(id);
            let size = read_byte_len(&mut r)?;
            let content_offset = r.offset();
            let content = r.read_bytes(size)?;
            let s = &mut BinaryReader::new(content, content_offset);
            match id {
                id::MODULE => names.module = Some(read_string(s)?.to_owned()),
                id::FUNCTIONS => names.functions = read_name_map(s)?,
                id::LOCALS => names.locals = read_indirect_name_map(s)?,
                id::LABELS => names.labels = read_indirect_name_map(s)?,
                id::TYPES => names.types = read_name_map(s)?,
                id::TABLES => names.tables = read_name_map(s)?,
                id::MEMORIES => names.memories = read_name_map(s)?,
                id::GLOBALS => names.globals = read_name_map(s)?,
                id::ELEMENTS => names.elements = read_name_map(s)?,
                id::DATA => names.data = read_name_map(s)?,
                id::FIELDS => names.fields = read_indirect_name_map(s)?,
                id::TAGS => names.tags = read_name_map(s)?,
                _ => continue,
            }
            if !s.eof() {
                return Err(s.error(format!("name subsection {id} size mismatch")));
            }
        }
        Ok(names)
    }

    /// Encodes the name section's contents (without the custom section's id, size and name):
    /// every subsection that has names, in order.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut subsection = |id: u8, content: Vec<u8>| {
            out.push(id);
            write_u32(&mut out, content.len() as u32);
            out.extend_from_slice(&content);
        };
        if let Some(module) = &self.module {
            let mut content = Vec::new();
            write_name(&mut content, module);
            subsection(id::MODULE, content);
        }
        let direct = |map: &NameMap| {
            let mut content = Vec::new();
            write_name_map(&mut content, map);
            content
        };
        let indirect = |map: &IndirectNameMap| {
            let mut content = Vec::new();
            write_u32(&mut content, map.len() as u32);
            for (index, names) in map {
                write_u32(&mut content, *index);
                write_name_map(&mut content, names);
            }
            content
        };
        enum Sub<'a> {
            Direct(&'a NameMap),
            Indirect(&'a IndirectNameMap),
        }
        let all = [
            (id::FUNCTIONS, Sub::Direct(&self.functions)),
            (id::LOCALS, Sub::Indirect(&self.locals)),
            (id::LABELS, Sub::Indirect(&self.labels)),
            (id::TYPES, Sub::Direct(&self.types)),
            (id::TABLES, Sub::Direct(&self.tables)),
            (id::MEMORIES, Sub::Direct(&self.memories)),
            (id::GLOBALS, Sub::Direct(&self.globals)),
            (id::ELEMENTS, Sub::Direct(&self.elements)),
            (id::DATA, Sub::Direct(&self.data)),
            (id::FIELDS, Sub::Indirect(&self.fields)),
            (id::TAGS, Sub::Direct(&self.tags)),
        ];
        for (id, sub) in all {
            match sub {
                Sub::Direct(map) if !map.is_empty() => subsection(id, direct(map)),
                Sub::Indirect(map) if !map.is_empty() => subsection(id, indirect(map)),
                _ => {}
            }
        }
        out
    }
}

/// A name map: a vector of (index, name) with increasing indices.
fn read_name_map(r: &mut BinaryReader<'_>) -> Result<NameMap> {
    let n = r.read_vec_len(u32::MAX, "names")?;
    let mut map = NameMap::new();
    let mut previous = None;
    for _ in 0..n {
        let at = r.offset();
        let index = r.read_var_u32()?;
        check_increasing(at, &mut previous, index)?;
        map.insert(index, read_string(r)?.to_owned());
    }
    Ok(map)
}

/// An indirect name map: a vector of (index, name map) with increasing indices.
fn read_indirect_name_map(r: &mut BinaryReader<'_>) -> Result<IndirectNameMap> {
    let n = r.read_vec_len(u32::MAX, "name maps")?;
    let mut map = IndirectNameMap::new();
    let mut previous = None;
    for _ in 0..n {
        let at = r.offset();
        let index = r.read_var_u32()?;
        check_increasing(at, &mut previous, index)?;
        map.insert(index, read_name_map(r)?);
    }
    Ok(map)
}

fn check_increasing(at: usize, previous: &mut Option<u32>, index: u32) -> Result<()> {
    if let Some(previous) = *previous {
        if index <= previous {
            return Err(DecodeError::new(
                at,
                format!("name map index {index} out of order (after {previous})"),
            ));
        }
    }
    *previous = Some(index);
    Ok(())
}

fn write_u32(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn write_name(out: &mut Vec<u8>, name: &str) {
    write_u32(out, name.len() as u32);
    out.extend_from_slice(name.as_bytes());
}

fn write_name_map(out: &mut Vec<u8>, map: &NameMap) {
    write_u32(out, map.len() as u32);
    for (index, name) in map {
        write_u32(out, *index);
        write_name(out, name);
    }
}
