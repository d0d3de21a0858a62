//! The push-based streaming decoder (DESIGN.md, "Streaming").

use std::collections::VecDeque;
use std::ops::Range;

use crate::bytes::Bytes;
use crate::sections::*;
use crate::types::*;
use crate::{DecodeError, Result};

/// What the decoder found, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The bytes of the module this event covers: a whole section (id byte to end of payload),
    /// a function body (after its size), the header, or an empty range for `End`.
    pub range: Range<usize>,
    pub payload: Payload,
}

/// The content of an event.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// The 8-byte header was valid.
    Header { version: u32 },
    Custom(CustomSection),
    Type(Vec<RecGroup>),
    Import(Vec<Import>),
    Function(Vec<u32>),
    Table(Vec<Table>),
    Memory(Vec<MemoryType>),
    Tag(Vec<TagType>),
    Global(Vec<Global>),
    Export(Vec<Export>),
    Start(u32),
    Element(Vec<Element>),
    DataCount(u32),
    /// The code section begins; `count` bodies follow, one `FunctionBody` event each.
    CodeStart { count: u32 },
    FunctionBody(FunctionBody),
    Data(Vec<Data>),
    /// `finish` found the module complete.
    End,
}

/// The push decoder. See the crate documentation for an example.
#[derive(Debug, Default)]
pub struct Decoder {
    events: VecDeque<Event>,
}

impl Decoder {
    /// A decoder expecting the module header.
    pub fn new() -> Self {
        Decoder::default()
    }

    /// Feeds the next chunk of the module. Chunks may be split anywhere.
    pub fn push(&mut self, _chunk: &[u8]) -> Result<()> {
        Err(DecodeError::new(0, "decoder not written yet"))
    }

    /// Declares the end of the input.
    pub fn finish(&mut self) -> Result<()> {
        Err(DecodeError::new(0, "decoder not written yet"))
    }

    /// The next event, if one is ready.
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}

#[allow(dead_code)]
fn unused(_: Bytes, _: ValType) {}
