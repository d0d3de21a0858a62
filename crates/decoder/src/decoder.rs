//! The push-based streaming decoder (DESIGN.md, "Streaming").
//!
//! States: header (8 bytes) → section id → section size (LEB128, checked against the module
//! size limit before anything is buffered) → section payload → section id … The code section
//! is read incrementally: function count → per function: body size → body bytes, each body
//! emitted the moment its last byte arrives. Finishing is legal only between sections.
//!
//! Every split of the input gives the same events and the same error: LEB128 values split
//! across chunks are completed in a small scratch buffer, and no decision depends on where a
//! chunk ends.

use std::collections::VecDeque;
use std::ops::Range;

use crate::bytes::Bytes;
use crate::limits;
use crate::reader::{BinaryReader, UNEXPECTED_END};
use crate::sections::*;
use crate::types::*;
use crate::{DecodeError, Result};

/// What the decoder found, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The bytes of the module this event covers: the header, a whole section (id byte to end
    /// of payload), a function body (after its size), or an empty range for `End`.
    pub range: Range<usize>,
    pub payload: Payload,
}

/// The content of an event.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// The 8-byte header was valid.
    Header {
        version: u32,
    },
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
    /// The code section begins; `count` bodies follow, one `FunctionBody` event each. The
    /// event's range is the whole code section.
    CodeStart {
        count: u32,
    },
    FunctionBody(FunctionBody),
    Data(Vec<Data>),
    /// `finish` found the module complete.
    End,
}

const MAGIC: [u8; 4] = *b"\0asm";

/// How far past its end a section that ran out of payload is read on (see
/// `State::SectionOverrun`). The result depends only on these bytes, never on chunking.
const READ_ON_WINDOW: usize = 64 * 1024;
const VERSION: u32 = 1;

/// Where the decoder is in the module.
#[derive(Debug)]
enum State {
    /// Collecting the 8-byte header in `scratch`.
    Header,
    /// Between sections.
    SectionId,
    /// Reading the size of the section whose id byte is at `start`.
    SectionSize { id: u8, start: usize },
    /// Collecting a (non-code) section payload.
    SectionPayload {
        id: u8,
        start: usize,
        payload_start: usize,
        size: usize,
        buf: Vec<u8>,
    },
    /// A section reader ran out of payload. Like the reference interpreter, the decoder then
    /// reads the section on into the bytes that follow, which it collects in `buf` (after
    /// the payload) up to `READ_ON_WINDOW` bytes or the end of the module, and reports the
    /// error that reading gives.
    SectionOverrun {
        id: u8,
        payload_start: usize,
        size: usize,
        buf: Vec<u8>,
    },
    /// Reading the code section's function count.
    CodeCount(CodeSection),
    /// Reading the size of the next body.
    BodySize(CodeSection),
    /// Collecting a function body.
    Body {
        code: CodeSection,
        start: usize,
        size: usize,
        buf: Vec<u8>,
    },
    /// `finish` succeeded.
    Done,
    /// An error was reported; every later call reports it again.
    Failed(DecodeError),
}

/// Progress through the code section.
#[derive(Debug, Clone, Copy)]
struct CodeSection {
    /// Module offset of the section id byte.
    start: usize,
    /// Module offset just past the section.
    end: usize,
    count: u32,
    next_index: u32,
}

/// Proposals beyond Wasm 3.0 that change what is malformed or invalid; all off by default,
/// which is Wasm 3.0. The decoder and the validator (`rill_validator::Config::features`)
/// read the same flags.
///
/// ```
/// use rill_decoder::Features;
/// let both = Features { custom_page_sizes: true, custom_descriptors: true };
/// assert_eq!(both, Features::ALL);
/// assert_eq!(Features::default(), Features { custom_page_sizes: false, custom_descriptors: false });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    /// Custom page sizes: memory limits flag bit 3 announces a log2 page size. Wasm 3.0
    /// reads that flag as "malformed limits flags". (Decoding.)
    pub custom_page_sizes: bool,
    /// Custom descriptors: exact reference types `(ref (exact $t))`, `describes` and
    /// `descriptor` clauses, exact function imports, the `*_desc` operators, and
    /// `br_on_cast(_fail)` between any two types of one hierarchy (Wasm 3.0 requires the
    /// target to be a subtype of the source). (Validation: the decoder reads the
    /// proposal's encodings either way, and the validator rejects them while this is off,
    /// as wasmparser does.)
    pub custom_descriptors: bool,
}

impl Features {
    /// Every supported proposal switched on.
    pub const ALL: Features = Features {
        custom_page_sizes: true,
        custom_descriptors: true,
    };
}

/// The push decoder. See the crate documentation for an example.
#[derive(Debug)]
pub struct Decoder {
    state: State,
    /// Module offset of the next byte to be pushed.
    offset: usize,
    /// Partial header or LEB128 bytes split across chunks.
    scratch: Vec<u8>,
    events: VecDeque<Event>,
    /// Order index of the last non-custom section (see `section_order`).
    last_order: u8,
    function_count: Option<u32>,
    data_count: Option<u32>,
    code_seen: bool,
    features: Features,
    /// An error the reference interpreter reports only at the end of the module (function
    /// and code counts differ): later framing errors win over it. Events stop meanwhile.
    deferred: Option<DecodeError>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder expecting the module header.
    pub fn new() -> Self {
        Decoder {
            state: State::Header,
            offset: 0,
            scratch: Vec::with_capacity(8),
            events: VecDeque::new(),
            last_order: 0,
            function_count: None,
            data_count: None,
            code_seen: false,
            features: Features::default(),
            deferred: None,
        }
    }

    /// A decoder that also accepts the given proposals' encodings.
    pub fn with_features(features: Features) -> Self {
        Decoder {
            features,
            ..Decoder::new()
        }
    }

    /// The module offset of the next byte `push` expects (the number of bytes consumed).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The next event, if one is ready.
    pub fn next_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Feeds the next chunk of the module. Chunks may be split anywhere; events become
    /// available through [`Decoder::next_event`]. After an error, every later call returns it
    /// again.
    pub fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.push_from(chunk, None)
    }

    /// Like [`Decoder::push`], for a chunk the caller already holds as shared [`Bytes`]:
    /// sections and function bodies that lie wholly inside it are handed on as slices of it,
    /// without a copy. Events and errors are the same as with `push`.
    pub fn push_bytes(&mut self, chunk: &Bytes) -> Result<()> {
        self.push_from(chunk, Some(chunk))
    }

    fn push_from(&mut self, chunk: &[u8], shared: Option<&Bytes>) -> Result<()> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        let mut input = chunk;
        while !input.is_empty() {
            // `input` is always a suffix of `chunk`.
            let take = |input: &[u8], n: usize| match shared {
                Some(b) => {
                    let start = b.len() - input.len();
                    b.slice(start..start + n)
                }
                None => Bytes::copy_from_slice(&input[..n]),
            };
            if let Err(e) = self.step(&mut input, &take) {
                self.state = State::Failed(e.clone());
                return Err(e);
            }
        }
        Ok(())
    }

    /// Declares the end of the input: legal only between sections. Emits `End`.
    pub fn finish(&mut self) -> Result<()> {
        let result = self.finish_inner();
        match &result {
            Ok(()) => {
                self.state = State::Done;
                self.emit(Event {
                    range: self.offset..self.offset,
                    payload: Payload::End,
                });
            }
            Err(e) => self.state = State::Failed(e.clone()),
        }
        result
    }

    fn finish_inner(&mut self) -> Result<()> {
        let end = self.offset;
        if let (Some(e), State::SectionId) = (&self.deferred, &self.state) {
            return Err(e.clone());
        }
        match &self.state {
            State::Failed(e) => Err(e.clone()),
            State::Done => Err(DecodeError::new(end, "decoder already finished")),
            State::Header | State::SectionSize { .. } => {
                Err(DecodeError::new(end, "unexpected end"))
            }
            State::SectionPayload { start, .. } => Err(DecodeError::new(
                start + 1,
                "unexpected end: section length out of bounds",
            )),
            State::SectionOverrun {
                id,
                payload_start,
                size,
                buf,
            } => Err(read_on_error(
                *id,
                buf,
                *size,
                *payload_start,
                &self.features,
            )),
            State::CodeCount(_) | State::BodySize(_) | State::Body { .. } => {
                Err(DecodeError::new(end, UNEXPECTED_END))
            }
            State::SectionId => {
                let functions = self.function_count.unwrap_or(0);
                if functions != 0 && !self.code_seen {
                    return Err(DecodeError::new(
                        end,
                        "function and code section have inconsistent lengths",
                    ));
                }
                if let Some(n) = self.data_count {
                    if n != 0 && self.last_order < section_order(section_id::DATA) {
                        return Err(DecodeError::new(
                            end,
                            "data count and data section have inconsistent lengths",
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    /// Consumes some of `input` and advances the state machine by at most one state.
    /// `take(input, n)` gives the first `n` bytes of `input` as `Bytes` (a copy, or a slice of
    /// the shared chunk).
    fn step(&mut self, input: &mut &[u8], take: &dyn Fn(&[u8], usize) -> Bytes) -> Result<()> {
        match std::mem::replace(&mut self.state, State::SectionId) {
            State::Header => {
                let need = 8 - self.scratch.len();
                let n = need.min(input.len());
                self.scratch.extend_from_slice(&input[..n]);
                self.consume(input, n);
                if self.scratch.len() >= 4 && self.scratch[..4] != MAGIC {
                    return Err(DecodeError::new(0, "magic header not detected"));
                }
                if self.scratch.len() < 8 {
                    self.state = State::Header;
                    return Ok(());
                }
                let version = u32::from_le_bytes([
                    self.scratch[4],
                    self.scratch[5],
                    self.scratch[6],
                    self.scratch[7],
                ]);
                if version != VERSION {
                    return Err(DecodeError::new(4, "unknown binary version"));
                }
                self.scratch.clear();
                self.emit(Event {
                    range: 0..8,
                    payload: Payload::Header { version },
                });
                self.state = State::SectionId;
            }
            State::SectionId => {
                let start = self.offset;
                let id = input[0];
                self.consume(input, 1);
                if id > section_id::TAG {
                    return Err(DecodeError::new(start, "malformed section id"));
                }
                if id != section_id::CUSTOM {
                    let order = section_order(id);
                    if order <= self.last_order {
                        return Err(DecodeError::new(
                            start,
                            "unexpected content after last section",
                        ));
                    }
                    self.last_order = order;
                }
                self.state = State::SectionSize { id, start };
            }
            State::SectionSize { id, start } => {
                let size_at = self.offset - self.scratch.len(); // the value may have begun in an earlier chunk
                let Some(size) = self.read_leb_u32(input, None)? else {
                    self.state = State::SectionSize { id, start };
                    return Ok(());
                };
                let size = size as usize;
                let payload_start = self.offset;
                if payload_start + size > limits::MAX_MODULE_SIZE {
                    return Err(DecodeError::new(
                        size_at,
                        format!(
                            "length out of bounds: a section of {size} bytes exceeds the module size limit of {} bytes",
                            limits::MAX_MODULE_SIZE
                        ),
                    ));
                }
                if id == section_id::CODE {
                    self.code_seen = true;
                    self.state = State::CodeCount(CodeSection {
                        start,
                        end: payload_start + size,
                        count: 0,
                        next_index: 0,
                    });
                } else {
                    self.state = State::SectionPayload {
                        id,
                        start,
                        payload_start,
                        size,
                        buf: Vec::new(),
                    };
                }
            }
            State::SectionPayload {
                id,
                start,
                payload_start,
                size,
                mut buf,
            } => {
                let payload = if buf.is_empty() && input.len() >= size {
                    // The whole payload is in this chunk: one copy, straight into shared bytes.
                    let payload = take(input, size);
                    self.consume(input, size);
                    payload
                } else {
                    let n = (size - buf.len()).min(input.len());
                    buf.extend_from_slice(&input[..n]);
                    self.consume(input, n);
                    if buf.len() < size {
                        self.state = State::SectionPayload {
                            id,
                            start,
                            payload_start,
                            size,
                            buf,
                        };
                        return Ok(());
                    }
                    Bytes::from(buf)
                };
                self.section_complete(id, start, payload_start, payload)?;
            }
            State::SectionOverrun {
                id,
                payload_start,
                size,
                mut buf,
            } => {
                let n = (size + READ_ON_WINDOW - buf.len()).min(input.len());
                buf.extend_from_slice(&input[..n]);
                self.consume(input, n);
                if buf.len() == size + READ_ON_WINDOW {
                    return Err(read_on_error(id, &buf, size, payload_start, &self.features));
                }
                self.state = State::SectionOverrun {
                    id,
                    payload_start,
                    size,
                    buf,
                };
            }
            State::CodeCount(mut code) => {
                let Some(count) = self.read_leb_u32(input, Some(code.end))? else {
                    self.state = State::CodeCount(code);
                    return Ok(());
                };
                if count != self.function_count.unwrap_or(0) {
                    // Reported at the end, unless the framing fails first (e.g. a second
                    // code section is "unexpected content after last section").
                    self.deferred.get_or_insert(DecodeError::new(
                        code.start,
                        "function and code section have inconsistent lengths",
                    ));
                }
                code.count = count;
                self.emit(Event {
                    range: code.start..code.end,
                    payload: Payload::CodeStart { count },
                });
                self.next_body_or_end(code)?;
            }
            State::BodySize(code) => {
                let size_at = self.offset - self.scratch.len(); // the value may have begun in an earlier chunk
                let Some(size) = self.read_leb_u32(input, Some(code.end))? else {
                    self.state = State::BodySize(code);
                    return Ok(());
                };
                if size > limits::MAX_FUNCTION_SIZE {
                    return Err(DecodeError::new(
                        size_at,
                        format!(
                            "function body of {size} bytes exceeds the limit of {} bytes",
                            limits::MAX_FUNCTION_SIZE
                        ),
                    ));
                }
                let size = size as usize;
                if size == 0 {
                    return Err(DecodeError::new(
                        size_at,
                        "unexpected end of section or function: empty function body",
                    ));
                }
                if self.offset + size > code.end {
                    return Err(DecodeError::new(size_at, "section size mismatch"));
                }
                self.state = State::Body {
                    code,
                    start: self.offset,
                    size,
                    buf: Vec::new(),
                };
            }
            State::Body {
                mut code,
                start,
                size,
                mut buf,
            } => {
                let bytes = if buf.is_empty() && input.len() >= size {
                    let bytes = take(input, size);
                    self.consume(input, size);
                    bytes
                } else {
                    let n = (size - buf.len()).min(input.len());
                    buf.extend_from_slice(&input[..n]);
                    self.consume(input, n);
                    if buf.len() < size {
                        self.state = State::Body {
                            code,
                            start,
                            size,
                            buf,
                        };
                        return Ok(());
                    }
                    Bytes::from(buf)
                };
                self.emit(Event {
                    range: start..start + size,
                    payload: Payload::FunctionBody(FunctionBody {
                        index: code.next_index,
                        offset: start,
                        bytes,
                        has_data_count: self.data_count.is_some(),
                    }),
                });
                code.next_index += 1;
                self.next_body_or_end(code)?;
            }
            State::Done => {
                return Err(DecodeError::new(self.offset, "bytes pushed after finish"));
            }
            State::Failed(e) => return Err(e),
        }
        Ok(())
    }

    /// Queues an event, unless a deferred error already dooms the module.
    fn emit(&mut self, event: Event) {
        if self.deferred.is_none() {
            self.events.push_back(event);
        }
    }

    fn consume(&mut self, input: &mut &[u8], n: usize) {
        *input = &input[n..];
        self.offset += n;
    }

    /// After the code count or a body: read another body, or check the section ends here.
    fn next_body_or_end(&mut self, code: CodeSection) -> Result<()> {
        if code.next_index < code.count {
            self.state = State::BodySize(code);
        } else if self.offset != code.end {
            return Err(DecodeError::new(self.offset, "section size mismatch"));
        } else {
            self.state = State::SectionId;
        }
        Ok(())
    }

    /// Parses a complete non-code section and queues its event.
    fn section_complete(
        &mut self,
        id: u8,
        start: usize,
        payload_start: usize,
        payload: Bytes,
    ) -> Result<()> {
        let end = payload_start + payload.len();
        let parsed = if id == section_id::CUSTOM {
            parse_custom_section(&payload, payload_start).map(Payload::Custom)
        } else {
            parse_section(id, &payload, payload_start, &self.features)
        };
        let payload = match parsed {
            Ok(p) => p,
            Err(e) if e.offset() == end && e.message() == UNEXPECTED_END => {
                // Which error this is depends on the bytes after the section.
                self.state = State::SectionOverrun {
                    id,
                    payload_start,
                    size: payload.len(),
                    buf: payload.to_vec(),
                };
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        match &payload {
            Payload::Function(types) => self.function_count = Some(types.len() as u32),
            Payload::DataCount(n) => self.data_count = Some(*n),
            Payload::Data(segments) => {
                if let Some(n) = self.data_count {
                    if segments.len() != n as usize {
                        return Err(DecodeError::new(
                            start,
                            "data count and data section have inconsistent lengths",
                        ));
                    }
                }
            }
            _ => {}
        }
        self.emit(Event {
            range: start..end,
            payload,
        });
        self.state = State::SectionId;
        Ok(())
    }

    /// Reads a LEB128 `u32` that may be split across chunks. Returns `None` when `input` ran
    /// out before the value was complete. `limit` is the module offset the value must not
    /// reach past (the end of the code section).
    fn read_leb_u32(&mut self, input: &mut &[u8], limit: Option<usize>) -> Result<Option<u32>> {
        let start = self.offset - self.scratch.len();
        loop {
            let complete = self.scratch.last().is_some_and(|b| b & 0x80 == 0);
            if complete || self.scratch.len() == 5 {
                break;
            }
            if limit == Some(self.offset) {
                // The value runs past the end of its section.
                self.scratch.clear();
                return Err(DecodeError::new(self.offset, UNEXPECTED_END));
            }
            let Some(&b) = input.first() else {
                return Ok(None);
            };
            self.scratch.push(b);
            self.consume(input, 1);
        }
        let result = BinaryReader::new(&self.scratch, start).read_var_u32();
        self.scratch.clear();
        result.map(Some)
    }
}

/// The error of a section that ran out of payload, read on into `data` (its payload and the
/// bytes after it). Running out of `data` too is an unexpected end if `data` reaches the end
/// of the module, and a size mismatch if only the read-on window ended.
fn read_on_error(
    id: u8,
    data: &[u8],
    size: usize,
    payload_start: usize,
    features: &Features,
) -> DecodeError {
    let data = Bytes::copy_from_slice(data);
    let result = if id == section_id::CUSTOM {
        parse_custom_section_from(&data, size, payload_start).map(|_| ())
    } else {
        parse_section_from(id, &data, size, payload_start, features).map(|_| ())
    };
    match result {
        Err(e) if data.len() == size + READ_ON_WINDOW && e.message() == UNEXPECTED_END => {
            DecodeError::new(payload_start + size, "section size mismatch")
        }
        Err(e) => e,
        // Reading on found the items' end past the section's end.
        Ok(()) => DecodeError::new(payload_start + size, "section size mismatch"),
    }
}

/// The position of a non-custom section in the required order (Wasm 3.0: tags between
/// memories and globals, data count before code).
fn section_order(id: u8) -> u8 {
    match id {
        section_id::TYPE => 1,
        section_id::IMPORT => 2,
        section_id::FUNCTION => 3,
        section_id::TABLE => 4,
        section_id::MEMORY => 5,
        section_id::TAG => 6,
        section_id::GLOBAL => 7,
        section_id::EXPORT => 8,
        section_id::START => 9,
        section_id::ELEMENT => 10,
        section_id::DATA_COUNT => 11,
        section_id::CODE => 12,
        section_id::DATA => 13,
        _ => 0,
    }
}
