//! rill-decoder: the WebAssembly 3.0 binary format, decoded as bytes arrive.
//!
//! - [`Decoder`] is a push state machine: feed it chunks of any size with
//!   [`Decoder::push`], call [`Decoder::finish`] at the end, and take [`Event`]s as they
//!   become available: the header, each section as soon as its last byte arrives, the start
//!   of the code section, each function body as soon as its last byte arrives, and the end.
//! - [`BinaryReader`] reads the primitive encodings (spec-exact LEB128, names, types).
//! - [`for_each_operator!`] is the one table of operators; [`OperatorsReader`] is generated
//!   from it and decodes function bodies and constant expressions.
//!
//! No I/O, no async, no allocation per operator, and no allocation in proportion to a length
//! the input declares but has not delivered.
//!
//! ```
//! use rill_decoder::{Decoder, Payload};
//!
//! // (module (func (export "f") (result i32) i32.const 42))
//! let wasm = [
//!     0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
//!     0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section
//!     0x03, 0x02, 0x01, 0x00, // function section
//!     0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x00, // export section
//!     0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b, // code section
//! ];
//! let mut decoder = Decoder::new();
//! let mut bodies = 0;
//! for byte in wasm {
//!     decoder.push(&[byte]).unwrap(); // any split gives the same events
//!     while let Some(event) = decoder.next_event() {
//!         if let Payload::FunctionBody(_) = event.payload {
//!             bodies += 1;
//!         }
//!     }
//! }
//! decoder.finish().unwrap();
//! assert_eq!(bodies, 1);
//! ```

mod bytes;
mod collect;
mod decoder;
mod error;
pub mod limits;
mod operators;
mod reader;
mod sections;
mod types;

pub use bytes::Bytes;
pub use collect::{decode_chunks, DecodeRun};
pub use decoder::{Decoder, Event, Features, Payload};
pub use error::{DecodeError, Result};
pub use operators::*;
pub use reader::BinaryReader;
pub use sections::*;
pub use types::*;
