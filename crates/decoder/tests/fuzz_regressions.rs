//! Inputs the `decode` fuzz target found, kept as regression tests: every split must give the
//! events and the error of the whole input.

use rill_decoder::{decode_chunks, DecodeError, Event, Features};

fn decode<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Event>, Option<DecodeError>) {
    let run = decode_chunks(chunks, Features::default());
    (run.events, run.error)
}

/// Every way of cutting `bytes` into up to three pieces decodes like the whole.
fn assert_split_invariant(bytes: &[u8]) {
    let whole = decode([bytes]);
    for i in 0..=bytes.len() {
        for j in i..=bytes.len() {
            let pieces = decode([&bytes[..i], &bytes[i..j], &bytes[j..]]);
            assert_eq!(pieces, whole, "cut at {i} and {j}");
        }
    }
}

#[test]
fn code_count_mismatch_then_oversized_body() {
    // Code section of 94 bytes (only 5 present), 895 bodies for 0 functions, then a body
    // size that runs past the section.
    assert_split_invariant(b"\0asm\x01\0\0\0\x0a\x5e\xff\x06\xff\xf8\x30");
}
