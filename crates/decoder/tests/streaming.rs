//! The push decoder gives the same events and the same error however the input is split.
//! Modules come from ../shared/bench (real programs); corrupted copies check the errors.

use proptest::prelude::*;
use rill_decoder::{decode_chunks, Bytes, DecodeError, Decoder, Event, Features, Payload};
use std::path::PathBuf;

/// Decodes `chunks` in order: every event and the first error (events before it included).
/// Function bodies are decoded too, so their errors count.
fn decode<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Event>, Option<DecodeError>) {
    let run = decode_chunks(chunks, Features::default());
    (run.events, run.error)
}

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench")
}

/// Every .wasm under ../shared/bench. Missing files are a failure, not a skip.
fn bench_modules() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["micro", "coremark", "rust-benchmarks", "startup"] {
        let dir = bench_dir().join(dir);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("benchmark modules not found at {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path.display().to_string(), bytes));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 20, "expected the ../shared/bench modules");
    out
}

/// Splits `bytes` at the sorted `cuts` (positions modulo the length).
fn split<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

#[test]
fn bench_modules_decode_whole_and_byte_by_byte() {
    for (name, bytes) in bench_modules() {
        let (whole, err) = decode([bytes.as_slice()]);
        assert_eq!(err, None, "{name}");
        assert!(matches!(
            whole.first().unwrap().payload,
            Payload::Header { .. }
        ));
        assert!(matches!(whole.last().unwrap().payload, Payload::End));
        let bodies = whole
            .iter()
            .filter(|e| matches!(e.payload, Payload::FunctionBody(_)))
            .count();
        assert!(bodies > 0, "{name} has function bodies");
        // One byte at a time is the slowest path; the large startup modules are covered by
        // the random splits below.
        if bytes.len() < 200_000 {
            let (bytewise, err) = decode(bytes.chunks(1));
            assert_eq!(err, None, "{name}");
            assert!(bytewise == whole, "{name}: byte-at-a-time events differ");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_splits_give_identical_events(
        cuts in prop::collection::vec(any::<usize>(), 0..64),
    ) {
        for (name, bytes) in bench_modules() {
            let whole = decode([bytes.as_slice()]);
            let pieces = decode(split(&bytes, &cuts));
            prop_assert!(pieces == whole, "{}: split decoding differs", name);
        }
    }

    /// Truncated and corrupted modules give the same error however they are split.
    #[test]
    fn corrupted_modules_give_identical_errors(
        which in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        truncate in any::<bool>(),
        cuts in prop::collection::vec(any::<usize>(), 0..16),
    ) {
        let modules = bench_modules();
        let (name, mut bytes) = modules[which.index(modules.len())].clone();
        let at = at.index(bytes.len());
        if truncate {
            bytes.truncate(at);
        } else {
            bytes[at] = byte;
        }
        let whole = decode([bytes.as_slice()]);
        let pieces = decode(split(&bytes, &cuts));
        prop_assert!(pieces == whole, "{}: split decoding differs", name);
        if truncate && at > 0 {
            prop_assert!(whole.1.is_some(), "{}: truncation at {} not detected", name, at);
        }
    }
}

#[test]
fn header_errors() {
    let msg = |bytes: &[u8]| decode([bytes]).1.map(|e| e.message().to_string());
    assert_eq!(msg(b"").as_deref(), Some("unexpected end"));
    assert_eq!(msg(b"\0as").as_deref(), Some("unexpected end"));
    assert_eq!(msg(b"\0asm\x01\0\0").as_deref(), Some("unexpected end"));
    assert_eq!(
        msg(b"asm\0\x01\0\0\0").as_deref(),
        Some("magic header not detected")
    );
    assert_eq!(
        msg(b"\0asm\x02\0\0\0").as_deref(),
        Some("unknown binary version")
    );
    assert_eq!(msg(b"\0asm\x01\0\0\0"), None);
}

#[test]
fn section_framing_errors() {
    let msg = |bytes: &[u8]| {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(bytes);
        decode([m.as_slice()]).1.map(|e| e.message().to_string())
    };
    assert_eq!(msg(b"\x0e\x00").as_deref(), Some("malformed section id"));
    // Sections out of order, or twice.
    assert_eq!(
        msg(b"\x03\x01\x00\x01\x01\x00").as_deref(),
        Some("unexpected content after last section")
    );
    assert_eq!(
        msg(b"\x01\x01\x00\x01\x01\x00").as_deref(),
        Some("unexpected content after last section")
    );
    // Custom sections may go anywhere.
    assert_eq!(msg(b"\x01\x01\x00\x00\x02\x01a\x03\x01\x00"), None);
    // A function section without a code section.
    assert_eq!(
        msg(b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00").as_deref(),
        Some("function and code section have inconsistent lengths")
    );
    // A code section with more bytes than its bodies.
    assert_eq!(
        msg(b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x05\x01\x02\x00\x0b\x00").as_deref(),
        Some("section size mismatch")
    );
    // A data count without a data section.
    assert_eq!(
        msg(b"\x0c\x01\x01").as_deref(),
        Some("data count and data section have inconsistent lengths")
    );
}

#[test]
fn huge_declared_lengths_are_rejected_before_buffering() {
    // A section claiming 4 GiB - 1: rejected at its size, nothing buffered.
    let mut decoder = Decoder::new();
    let err = decoder
        .push(b"\0asm\x01\0\0\0\x01\xff\xff\xff\xff\x0f")
        .unwrap_err();
    assert!(err.message().contains("length out of bounds"), "{err}");
    // A function body over the body size limit.
    let mut decoder = Decoder::new();
    let module = b"\0asm\x01\0\0\0\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x0a\x8a\x80\x80\x08\x01\x80\x80\x80\x04";
    let err = decoder.push(module).unwrap_err();
    assert!(err.message().contains("exceeds the limit"), "{err}");
}

#[test]
fn errors_repeat_after_failure_and_finish_is_between_sections_only() {
    let mut decoder = Decoder::new();
    let err = decoder.push(b"\0asm\x02\0\0\0").unwrap_err();
    assert_eq!(decoder.push(b"\x00").unwrap_err(), err);
    assert_eq!(decoder.finish().unwrap_err(), err);

    let mut decoder = Decoder::new();
    decoder.push(b"\0asm\x01\0\0\0\x01\x04\x01\x60").unwrap();
    assert!(decoder
        .finish()
        .unwrap_err()
        .message()
        .contains("unexpected end"));
}

/// `push_bytes` (slices of the caller's shared chunks, no copies) gives the events of `push`.
#[test]
fn push_bytes_matches_push() {
    for (name, bytes) in bench_modules() {
        for chunk_size in [bytes.len(), 4096, 7] {
            let mut decoder = Decoder::new();
            let mut events = Vec::new();
            for chunk in bytes.chunks(chunk_size) {
                decoder.push_bytes(&Bytes::copy_from_slice(chunk)).unwrap();
                events.extend(std::iter::from_fn(|| decoder.next_event()));
            }
            decoder.finish().unwrap();
            events.extend(std::iter::from_fn(|| decoder.next_event()));
            let (expected, err) = decode([bytes.as_slice()]);
            assert_eq!(err, None);
            assert!(events == expected, "{name} in chunks of {chunk_size}");
        }
    }
}
