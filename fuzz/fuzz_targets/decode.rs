//! Feeds arbitrary bytes to the push decoder, split at arbitrary points, and checks that it
//! never panics and that the split input gives exactly the events and error of the whole
//! input. Function bodies are decoded too.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use rill_decoder::{DecodeError, Decoder, Event, Payload};

#[derive(Debug)]
struct Input {
    bytes: Vec<u8>,
    cuts: Vec<usize>,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        // A few split points first, then the module: most of the input is module bytes.
        let n = u.int_in_range(0..=8)?;
        let mut cuts = Vec::with_capacity(n);
        for _ in 0..n {
            cuts.push(usize::from(u.arbitrary::<u16>()?));
        }
        // Start from a valid header most of the time so the fuzzer reaches the sections.
        let mut bytes = Vec::new();
        if u.arbitrary::<bool>()? {
            bytes.extend_from_slice(b"\0asm\x01\0\0\0");
        }
        let rest = u.len();
        bytes.extend_from_slice(u.bytes(rest)?);
        Ok(Input { bytes, cuts })
    }
}

fn decode<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Event>, Option<DecodeError>) {
    let mut decoder = Decoder::new();
    let mut events = Vec::new();
    let mut result = Ok(());
    for chunk in chunks {
        result = decoder.push(chunk);
        while let Some(e) = decoder.next_event() {
            events.push(e);
        }
        if result.is_err() {
            break;
        }
    }
    if result.is_ok() {
        result = decoder.finish();
        while let Some(e) = decoder.next_event() {
            events.push(e);
        }
    }
    if result.is_ok() {
        for e in &events {
            if let Payload::FunctionBody(body) = &e.payload {
                if let Err(err) = body.check_encoding() {
                    result = Err(err);
                    break;
                }
            }
            if let Payload::Custom(c) = &e.payload {
                if c.name == "name" {
                    // Malformed name sections are reported, never a panic.
                    let _ = rill_decoder::NameSection::parse(c);
                }
            }
        }
    }
    (events, result.err())
}

fuzz_target!(|input: Input| {
    let bytes = &input.bytes;
    let whole = decode([bytes.as_slice()]);
    let mut points: Vec<usize> = input.cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    let pieces = decode(points.windows(2).map(|w| &bytes[w[0]..w[1]]));
    assert_eq!(whole, pieces, "split input decoded differently");
});
