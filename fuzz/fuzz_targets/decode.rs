//! Feeds arbitrary bytes to the push decoder, split at arbitrary points, and checks that it
//! never panics and that the split input gives exactly the events and error of the whole
//! input. Function bodies are decoded too.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use rill_decoder::{decode_chunks, DecodeError, Event, Features, Payload};

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
    let run = decode_chunks(chunks, Features::default());
    if run.error.is_none() {
        for e in &run.events {
            if let Payload::Custom(c) = &e.payload {
                if c.name == "name" {
                    // Malformed name sections are reported, never a panic.
                    let _ = rill_decoder::NameSection::parse(c);
                }
            }
        }
    }
    (run.events, run.error)
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
