//! Differential validation: rill's `validate_with` and `wasmparser::Validator`, configured
//! with the same feature set, must agree on accept/reject for every input.
//!
//! The first byte of the input chooses the mode (byte % 4):
//!   0: the rest of the input as module bytes, as is;
//!   1: the rest of the input after a valid module header (`\0asm` version 1);
//!   2: a wasm-smith module from a swarm `Config` (random features and sizes, within the
//!      feature set below; function bodies are sometimes raw, invalid bytes);
//!   3: a wasm-smith module with every shared proposal switched on (bodies sometimes raw).
//! In modes 2 and 3, bit 2 of the first byte (`& 4`) overwrites one to four bytes of the
//! generated module (after its header), for nearly valid modules. In every mode, bit 3
//! (`& 8`) switches the custom-descriptors proposal on, on both sides (rill's
//! `Features::custom_descriptors`, wasmparser's `CUSTOM_DESCRIPTORS`, and wasm-smith's in
//! modes 2 and 3); off, both validate Wasm 3.0's rules.
//!
//! `RILL_FUZZ_MODE=raw` (modes 0, 1) or `RILL_FUZZ_MODE=smith` (modes 2, 3) makes the target
//! reject the other modes' inputs, so one run can focus on one kind of input. The first byte
//! stays authoritative, so a saved input reproduces without the variable.
//! `RILL_FUZZ_REPORT=1` prints disagreements instead of panicking (to triage a corpus).
//!
//! Verdicts are compared, not messages. Disagreements explained by implementation limits
//! (rill's JS-API limits, wasmparser's own limits) are ignored, and so are the known rill
//! bugs listed in fuzz/FINDINGS.md (see `known_rill_bug`); anything else panics with both
//! messages so libFuzzer saves the input.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::{fuzz_target, Corpus};
use std::sync::OnceLock;
use wasmparser::{Validator, WasmFeatures};

/// Exactly what rill validates by default: Wasm 3.0 (GC, function references, tail calls,
/// exceptions, SIMD, relaxed SIMD, memory64, multi-memory, extended-const, threads, bulk
/// memory, reference types, multi-value, saturating float-to-int, sign-ext), plus wide
/// arithmetic and legacy exceptions (try/catch/rethrow/delegate). `WASM3` already carries
/// wasmparser's non-proposal gates (floats, gc types, mutable globals) and the lime
/// sub-features (call_indirect overlong, bulk-memory-opt). With `descriptors`, also the
/// custom-descriptors proposal, which rill validates when `Features::custom_descriptors` is
/// on. Never: component model, custom page sizes, stack switching, shared-everything
/// threads, memory control, compact imports, acquire-release atomics, multibyte array
/// access.
fn features(descriptors: bool) -> WasmFeatures {
    let base =
        WasmFeatures::WASM3 | WasmFeatures::WIDE_ARITHMETIC | WasmFeatures::LEGACY_EXCEPTIONS;
    if descriptors {
        base | WasmFeatures::CUSTOM_DESCRIPTORS
    } else {
        base
    }
}

/// rill's configuration for the same feature set as [`features`].
fn rill_config(descriptors: bool) -> rill_validator::Config {
    rill_validator::Config {
        features: rill_decoder::Features {
            custom_descriptors: descriptors,
            ..rill_decoder::Features::default()
        },
        ..rill_validator::Config::default()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Focus {
    All,
    Raw,
    Smith,
}

fn focus() -> Focus {
    static FOCUS: OnceLock<Focus> = OnceLock::new();
    *FOCUS.get_or_init(|| match std::env::var("RILL_FUZZ_MODE").as_deref() {
        Ok("raw") => Focus::Raw,
        Ok("smith") => Focus::Smith,
        Ok("") | Err(_) => Focus::All,
        Ok(other) => panic!("RILL_FUZZ_MODE must be raw or smith, not {other:?}"),
    })
}

#[path = "report.rs"]
mod report;
use report::{finding, hex};

/// Switches off everything rill does not implement (and custom descriptors unless
/// `descriptors`) and keeps wasm-smith under rill's JS-API limits (Config::arbitrary already
/// stays far below them: at most 100 memories, 100 tables, 1,000,000 table elements, 1000
/// of everything else).
fn restrict(config: &mut wasm_smith::Config, descriptors: bool) {
    config.custom_page_sizes_enabled = false;
    config.custom_descriptors_enabled = descriptors;
    config.shared_everything_threads_enabled = false;
    config.compact_imports_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.max_memories = config.max_memories.min(100);
    config.max_table_elements = config.max_table_elements.min(10_000_000);
}

/// Up to four (position, byte) overwrites for a wasm-smith module, when `mutate`.
fn edits(u: &mut Unstructured, mutate: bool) -> arbitrary::Result<Vec<(u16, u8)>> {
    if !mutate {
        return Ok(Vec::new());
    }
    let n = u.int_in_range(1..=4)?;
    (0..n)
        .map(|_| Ok((u.arbitrary()?, u.arbitrary()?)))
        .collect()
}

fn smith(u: &mut Unstructured, swarm: bool, descriptors: bool) -> arbitrary::Result<Vec<u8>> {
    let mut config = if swarm {
        let mut c = wasm_smith::Config::arbitrary(u)?;
        // Config::arbitrary leaves these proposals off; choose them here.
        c.wide_arithmetic_enabled = u.arbitrary()?;
        c.generate_custom_sections = u.arbitrary()?;
        c
    } else {
        wasm_smith::Config {
            gc_enabled: true,
            exceptions_enabled: true,
            simd_enabled: true,
            relaxed_simd_enabled: true,
            memory64_enabled: true,
            threads_enabled: true,
            tail_call_enabled: true,
            extended_const_enabled: true,
            bulk_memory_enabled: true,
            reference_types_enabled: true,
            multi_value_enabled: true,
            saturating_float_to_int_enabled: true,
            sign_extension_ops_enabled: true,
            wide_arithmetic_enabled: true,
            max_memories: 4,
            max_tables: 4,
            max_type_size: 1000,
            ..wasm_smith::Config::default()
        }
    };
    // Raw bytes as function bodies now and then: invalid bodies of valid modules.
    config.allow_invalid_funcs = u.ratio(1, 4)?;
    restrict(&mut config, descriptors);
    let module = wasm_smith::Module::new(config, u)?;
    Ok(module.to_bytes())
}

/// Messages of rill's implementation limits (JS-API.md, crates/decoder/src/limits.rs):
/// "too many …: N exceeds the limit of L", "too many functions/types/locals", "table size N
/// exceeds the implementation limit …", "… exceeds the module size limit …", "function body
/// of N bytes exceeds the limit …". (Not a bare "limit": "malformed limits flags" is no
/// implementation limit.)
fn rill_limit(msg: &str) -> bool {
    msg.starts_with("too many ")
        || msg.contains("exceeds the limit")
        || msg.contains("exceeds the implementation limit")
        || msg.contains("exceeds the module size limit")
}

/// Messages of wasmparser's own implementation limits (wasmparser/src/limits.rs), some of
/// which rill does not share (FINDINGS.md, "Limit differences"): names over 100,000 bytes,
/// over 100,000 element segments, subtyping depth over 63, and the counts it reads with
/// `read_size` ("X size is out of bounds": struct fields, catches, …). Not "select types size
/// is out of bounds": more than one select type is invalid anyway.
fn wasmparser_limit(msg: &str) -> bool {
    msg.contains("count exceeds limit of")
        || (msg.contains(" size is out of bounds") && !msg.starts_with("select types"))
        || msg.starts_with("string size out of bounds")
        || msg.starts_with("number of elements is out of bounds")
        || msg.starts_with("sub type hierarchy too deep")
        || msg.contains("effective type size exceeds the limit")
        || msg.starts_with("too many locals")
}

/// Known disagreements, recorded in fuzz/FINDINGS.md (rill bugs, divergences, or wasmparser
/// bugs): disagreements of exactly these shapes are not reported again so the fuzzer can look
/// for others. Each entry names its finding.
fn known_rill_bug(rill: &Result<(), rill_validator::Error>, wp: &Result<(), String>) -> bool {
    match (rill, wp) {
        // F4: wasmparser 0.263 requires the supertype of a type with a descriptor to have one
        // too; the proposal's own tests (descriptors.wast: "If a subtype has a descriptor, its
        // supertype does not need to have a descriptor") say otherwise. wasmparser is wrong.
        (Ok(()), Err(w)) => {
            w.starts_with("sub type with descriptor must have super type with descriptor")
        }
        _ => false,
    }
}

fn check(bytes: &[u8], mode: u8, descriptors: bool) {
    let wp = Validator::new_with_features(features(descriptors))
        .validate_all(bytes)
        .map(|_| ())
        .map_err(|e| format!("{} (at offset {:#x})", e.message(), e.offset()));
    let rill = rill_validator::validate_with(bytes, rill_config(descriptors));
    let disagree = match (&rill, &wp) {
        (Ok(()), Ok(())) | (Err(_), Err(_)) => false,
        (Err(r), Ok(())) => !rill_limit(r.message()),
        (Ok(()), Err(w)) => !wasmparser_limit(w),
    };
    if disagree && !known_rill_bug(&rill, &wp) {
        let r = match &rill {
            Ok(()) => "accepts".to_string(),
            Err(e) if e.is_malformed() => format!("rejects as malformed: {e}"),
            Err(e) => format!("rejects as invalid: {e}"),
        };
        let w = match &wp {
            Ok(()) => "accepts".to_string(),
            Err(e) => format!("rejects: {e}"),
        };
        finding(format!(
            "verdicts differ (mode {mode}, custom descriptors {}, {} bytes)\n  rill:       {r}\n  wasmparser: {w}\n  module: {}",
            if descriptors { "on" } else { "off" },
            bytes.len(),
            hex(bytes)
        ));
    }
}

fuzz_target!(|data: &[u8]| -> Corpus {
    let Some((&first, rest)) = data.split_first() else {
        return Corpus::Reject;
    };
    let mode = first % 4;
    let descriptors = first & 8 != 0;
    match (focus(), mode) {
        (Focus::Raw, 2 | 3) | (Focus::Smith, 0 | 1) => return Corpus::Reject,
        _ => {}
    }
    match mode {
        0 => check(rest, mode, descriptors),
        1 => {
            let mut bytes = b"\0asm\x01\0\0\0".to_vec();
            bytes.extend_from_slice(rest);
            check(&bytes, mode, descriptors);
        }
        _ => {
            let mut u = Unstructured::new(rest);
            let Ok(edits) = edits(&mut u, first & 4 != 0) else {
                return Corpus::Reject;
            };
            let Ok(mut bytes) = smith(&mut u, mode == 2, descriptors) else {
                return Corpus::Reject;
            };
            // Overwrite a few bytes after the header: nearly valid modules, where validators
            // differ most.
            if bytes.len() > 8 {
                for (at, byte) in edits {
                    let i = 8 + usize::from(at) % (bytes.len() - 8);
                    bytes[i] = byte;
                }
            }
            check(&bytes, mode, descriptors);
        }
    }
    Corpus::Keep
});
