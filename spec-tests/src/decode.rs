//! Decoding a module with rill's push decoder: whole, one byte at a time, and split at
//! pseudo-random points.
//!
//! "Decoding" a module means [`rill_decoder::decode_chunks`]: push its bytes, `finish`, take
//! every event, and check every function body's encoding as its event arrives; the first error
//! ends the run, at the same place however the input is split.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rill_decoder::{decode_chunks, DecodeError, DecodeRun, Event, Features};

/// The proposals that change what Wasm 3.0 calls malformed or invalid are switched on only
/// for their own folder of the testsuite: custom page sizes (memory flag 0x08 is malformed in
/// Wasm 3.0) and custom descriptors (exact types, descriptor clauses and `*_desc` operators
/// are invalid in Wasm 3.0, and `br_on_cast` needs a subtype there, which the proposal
/// relaxes).
pub fn features_for(path: &str) -> Features {
    Features {
        custom_page_sizes: path.starts_with("proposals/custom-page-sizes/"),
        custom_descriptors: path.starts_with("proposals/custom-descriptors/"),
    }
}

/// Decodes `bytes`, pushing them in chunks of `chunk_size` bytes (the last may be shorter).
pub fn decode_in_chunks(bytes: &[u8], chunk_size: usize, features: Features) -> DecodeRun {
    decode_chunks(bytes.chunks(chunk_size.max(1)), features)
}

/// What decoding a module found, once the whole and the byte-at-a-time runs were compared.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleCheck {
    /// Both runs decoded the module and produced the same events.
    Decoded(Vec<Event>),
    /// Both runs failed with the same error (after the same events).
    Malformed(DecodeError),
    /// The runs differ; the text describes the first difference.
    Mismatch(String),
    /// The decoder panicked.
    Panic(String),
}

/// Decodes `bytes` whole and one byte at a time and compares the two runs.
pub fn check_module(bytes: &[u8], features: Features) -> ModuleCheck {
    let whole = match guarded(|| decode_in_chunks(bytes, bytes.len(), features)) {
        Ok(run) => run,
        Err(msg) => return ModuleCheck::Panic(format!("decoder panicked (whole module): {msg}")),
    };
    let split = match guarded(|| decode_in_chunks(bytes, 1, features)) {
        Ok(run) => run,
        Err(msg) => return ModuleCheck::Panic(format!("decoder panicked (byte at a time): {msg}")),
    };
    let cuts = random_cuts(bytes);
    let random = match guarded(|| decode_chunks(split_at(bytes, &cuts), features)) {
        Ok(run) => run,
        Err(msg) => {
            return ModuleCheck::Panic(format!("decoder panicked (split at {cuts:?}): {msg}"))
        }
    };
    if random != whole {
        return ModuleCheck::Mismatch(format!(
            "whole and split decoding differ (split at {cuts:?}): whole: {:?}, split: {:?}",
            whole.error, random.error
        ));
    }
    compare_runs(whole, split)
}

/// Up to eight split points, pseudo-random but fixed for a given module (seeded by its
/// bytes), so a failure reproduces.
fn random_cuts(bytes: &[u8]) -> Vec<usize> {
    // FNV-1a of the module, then xorshift64.
    let mut state = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let n = (next() % 9) as usize;
    let mut cuts: Vec<usize> = (0..n)
        .map(|_| (next() % (bytes.len() as u64 + 1)) as usize)
        .collect();
    cuts.sort_unstable();
    cuts
}

/// `bytes` cut at the sorted positions `cuts`.
fn split_at<'a>(bytes: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut start = 0;
    for &cut in cuts {
        pieces.push(&bytes[start..cut]);
        start = cut;
    }
    pieces.push(&bytes[start..]);
    pieces
}

/// Compares a whole run with a split run.
pub fn compare_runs(whole: DecodeRun, split: DecodeRun) -> ModuleCheck {
    if let Some(diff) = first_difference(&whole, &split) {
        return ModuleCheck::Mismatch(diff);
    }
    match whole.error {
        None => ModuleCheck::Decoded(whole.events),
        Some(e) => ModuleCheck::Malformed(e),
    }
}

/// Describes the first difference between a whole and a byte-at-a-time run, if any.
pub fn first_difference(whole: &DecodeRun, split: &DecodeRun) -> Option<String> {
    let common = whole.events.len().min(split.events.len());
    if let Some(i) = (0..common).find(|&i| whole.events[i] != split.events[i]) {
        return Some(format!(
            "whole and byte-at-a-time decoding differ at event #{i}: whole: {}; byte at a time: {}",
            show_event(&whole.events[i]),
            show_event(&split.events[i])
        ));
    }
    if whole.events.len() != split.events.len() {
        let (longer, name) = if whole.events.len() > split.events.len() {
            (&whole.events, "whole")
        } else {
            (&split.events, "byte-at-a-time")
        };
        return Some(format!(
            "whole decoding gave {} events, byte at a time {}; first extra event ({name}): {}; errors: whole: {}; byte at a time: {}",
            whole.events.len(),
            split.events.len(),
            show_event(&longer[common]),
            show_error(whole.error.as_ref()),
            show_error(split.error.as_ref()),
        ));
    }
    if whole.error != split.error {
        return Some(format!(
            "whole and byte-at-a-time decoding end differently after the same {} events: whole: {}; byte at a time: {}",
            whole.events.len(),
            show_error(whole.error.as_ref()),
            show_error(split.error.as_ref()),
        ));
    }
    None
}

/// `message (at offset 0x…)`, or `ok`.
pub fn show_error(e: Option<&DecodeError>) -> String {
    match e {
        None => "ok".to_string(),
        Some(e) => format!("{:?} at offset {:#x}", e.message(), e.offset()),
    }
}

/// An event, shortened for messages.
pub fn show_event(e: &Event) -> String {
    const MAX: usize = 300;
    let mut s = format!("{:?}", e);
    if s.len() > MAX {
        let mut cut = MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// Runs `f`, turning a panic into its message.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        if let Some(s) = payload.downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "(non-string panic payload)".to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rill_decoder::Payload;

    fn ev(start: usize, payload: Payload) -> Event {
        Event {
            range: start..start + 1,
            payload,
        }
    }

    fn run(events: Vec<Event>, error: Option<DecodeError>) -> DecodeRun {
        DecodeRun { events, error }
    }

    #[test]
    fn equal_runs_decode() {
        let a = run(vec![ev(0, Payload::Header { version: 1 })], None);
        assert_eq!(
            compare_runs(a.clone(), a.clone()),
            ModuleCheck::Decoded(a.events)
        );
    }

    #[test]
    fn equal_errors_are_malformed() {
        let e = DecodeError::new(8, "unexpected end");
        let a = run(vec![ev(0, Payload::Header { version: 1 })], Some(e.clone()));
        assert_eq!(compare_runs(a.clone(), a), ModuleCheck::Malformed(e));
    }

    #[test]
    fn first_differing_event_is_named() {
        let a = run(
            vec![
                ev(0, Payload::Header { version: 1 }),
                ev(8, Payload::Start(0)),
            ],
            None,
        );
        let b = run(
            vec![
                ev(0, Payload::Header { version: 1 }),
                ev(8, Payload::Start(1)),
            ],
            None,
        );
        let ModuleCheck::Mismatch(m) = compare_runs(a, b) else {
            panic!()
        };
        assert!(m.contains("event #1"), "{m}");
        assert!(m.contains("Start(0)") && m.contains("Start(1)"), "{m}");
    }

    #[test]
    fn extra_event_and_different_errors_are_named() {
        let a = run(vec![ev(0, Payload::Header { version: 1 })], None);
        let b = run(vec![], Some(DecodeError::new(3, "unexpected end")));
        let ModuleCheck::Mismatch(m) = compare_runs(a.clone(), b) else {
            panic!()
        };
        assert!(m.contains("1 events, byte at a time 0"), "{m}");
        assert!(m.contains("Header"), "{m}");
        assert!(m.contains("\"unexpected end\" at offset 0x3"), "{m}");

        let c = run(a.events.clone(), Some(DecodeError::new(9, "x")));
        let ModuleCheck::Mismatch(m) = compare_runs(a, c) else {
            panic!()
        };
        assert!(m.contains("end differently"), "{m}");
    }

    #[test]
    fn long_events_are_shortened() {
        let e = ev(0, Payload::Function(vec![0; 1000]));
        let s = show_event(&e);
        assert!(s.chars().count() <= 301, "{}", s.len());
        assert!(s.ends_with('…'));
    }

    #[test]
    fn panics_are_caught() {
        assert_eq!(guarded(|| 1), Ok(1));
        let r: Result<(), String> = guarded(|| panic!("boom {}", 1));
        assert_eq!(r, Err("boom 1".to_string()));
    }

    #[test]
    fn stub_or_real_decoder_runs_the_same_way_whole_and_split() {
        // Whatever the decoder in this branch does, the harness sees the same outcome from
        // whole and byte-at-a-time runs of a small module (or reports a mismatch).
        let wasm = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
        match check_module(&wasm, Features::default()) {
            ModuleCheck::Decoded(_) | ModuleCheck::Malformed(_) => {}
            other => panic!("{other:?}"),
        }
    }
}
