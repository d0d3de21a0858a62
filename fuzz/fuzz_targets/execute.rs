//! Differential execution: wasm-smith modules compiled and run by rill-vm and, where it
//! supports the module, by `wasmi` 2 (with its `simd` feature); both must compute the same.
//!
//! Every module comes from a swarm `Config` (random features and sizes) restricted to what
//! rill executes (Wasm 3.0 scalar, SIMD, relaxed SIMD, multi-memory, memory64, tail calls,
//! bulk memory, reference types, typed function references, exceptions, extended const,
//! wide arithmetic; never threads or the later proposals) and passed through wasm-smith's
//! `ensure_termination`: a fuel global, decremented at every function entry and loop head
//! and by the length of every bulk operation, traps with `unreachable` once spent, so every
//! program ends, and the whole instance does at most [`FUEL`] iterations and calls. rill
//! runs the module compiled with its own fuel metering besides, so that nothing can hang
//! the fuzzer even if a program escaped `ensure_termination`: a store with [`ENGINE_FUEL`]
//! for the instance's start function and as much for each call. Most inputs (the input's
//! first byte, `>> 2`, chooses the slice) make each call in slices of a few to a few
//! thousand units of fuel, suspended when a slice runs out and resumed with the next
//! (`invoke_resumable`): a resumed call must compute what wasmi computes in one go. Running
//! out of engine fuel ends the comparison for the module (the engines' fuel differs). Modules
//! are small (at most [`MAX_FUNCS`] functions of at most [`MAX_INSTRUCTIONS`] instructions,
//! memories of at most 128 KiB that must declare a maximum, tables of at most 1,000
//! elements) so an input runs in about a millisecond.
//!
//! The input's first byte chooses the kind of module (byte % 4):
//!   0: anything rill executes: GC types are on when wasm-smith's typed function references
//!      are (it gates both behind `gc_enabled`), without GC's struct and array instructions;
//!      exceptions and relaxed SIMD sometimes. wasmi compiles only part of these.
//!   1, 2, 3: only what wasmi 2 also executes (no GC types, no exceptions, no relaxed SIMD),
//!      NaNs canonicalized: every such module is compared. Three in four, because wasmi
//!      is built without coverage instrumentation (fuzz/uninstrumented-rustc): only rill's
//!      coverage guides the fuzzer, which by itself drifts towards kind 0 (more of rill to
//!      cover), and comparing is the point.
//!
//! Each side gets the same dummy imports: host functions that return zeros and nulls,
//! zeroed memories, tables of nulls, globals holding zero or null, fresh tags. The module is
//! instantiated, then every exported function is called, in export order, with zero and
//! null arguments; afterwards every exported global and memory is compared.
//!
//! Compared when wasmi compiles the module (its features: no GC, function references,
//! exceptions or relaxed SIMD, so rill's one deterministic choice per relaxed operator is
//! never compared) and NaNs were canonicalized (wasm-smith's `canonicalize_nans`, so NaN
//! bits that the spec lets vary cannot leak through `reinterpret` or a store):
//! - instantiation: both succeed, both trap (by trap kind), or both fail to link;
//! - each call: equal results (floats bit for bit, except that two NaNs are equal; a `v128`
//!   lane by lane as `f32` or as `f64`; references by null or not), or both trap with the
//!   same trap kind (rill's "undefined element" is wasmi's "out of bounds table access").
//!
//! Not a disagreement, but the end of the comparison for the module (the engines' states
//! may differ from then on): either side running out of stack (their limits differ), and
//! rill's `Trap::Unsupported` (an instruction it does not execute yet, GC's). Known
//! disagreements listed in fuzz/FINDINGS.md are skipped too (`Known`, by the module's shape).
//!
//! rill must never panic, never hang (libFuzzer's `-timeout`), and never fail to compile a
//! module wasm-smith generated, except for its implementation limits. A rill panic prints
//! what rill was doing and the module before libFuzzer aborts.
//!
//! `RILL_FUZZ_REPORT=1` prints disagreements instead of panicking (to triage a corpus with
//! `-- -runs=0`); `RILL_FUZZ_SAVE=DIR` writes every compared module that disagrees to DIR
//! (as `<hash>.wasm`), to read with a disassembler; `RILL_FUZZ_LAST=FILE` keeps the input
//! being run in FILE (for a crash libFuzzer cannot catch); `RILL_FUZZ_STATS=1` prints counts
//! of what the inputs did every 1,000 modules.

#![no_main]

use std::cell::RefCell;
use std::fmt;
use std::sync::{Arc, Once, OnceLock};

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::{fuzz_target, Corpus};
use rill_decoder::{ExternalKind, HeapType, TypeRef, ValType};
use rill_vm::{Extern as RExtern, InstantiationError, Trap, Value};
use wasm_smith::{InstructionKind, InstructionKinds};

/// The fuel wasm-smith's `ensure_termination` gives each instance: loop iterations plus
/// calls plus bytes of bulk operations, across all of its exports.
const FUEL: u32 = 1_000;

/// rill's own fuel, for the start function and for each call: far more than any program
/// `ensure_termination` lets through needs (see `rill_lower::fuel`).
const ENGINE_FUEL: u64 = 10_000_000;

/// A memory's most bytes (both index types): 2 pages. Both engines zero their memories and
/// the comparison reads every exported one, so each page costs page faults on both sides.
const MAX_MEMORY_BYTES: u64 = 2 << 16;

/// Most functions a module defines (wasm-smith stops adding them at random before this).
const MAX_FUNCS: usize = 10;

/// Most instructions in a function body.
const MAX_INSTRUCTIONS: usize = 50;

/// wasmi's call depth limit; the fuel stops recursion long before it.
const WASMI_MAX_RECURSION: usize = 10_000;

// ---------------------------------------------------------------------------------------
// Options and reporting

#[path = "report.rs"]
mod report;
use report::{env_flag, finding, hex};

thread_local! {
    /// What rill is doing (empty: nothing), and the module, for the panic hook.
    static DOING: RefCell<(String, Vec<u8>)> = const { RefCell::new((String::new(), Vec::new())) };
}

/// Runs `f` with `what` as the panic hook's context: a panic in rill then says which step of
/// which module it was.
fn in_rill<T>(what: impl FnOnce() -> String, f: impl FnOnce() -> T) -> T {
    DOING.with(|d| d.borrow_mut().0 = what());
    let t = f();
    DOING.with(|d| d.borrow_mut().0.clear());
    t
}

/// Chains a hook before libfuzzer-sys's (which aborts): a panic inside rill is reported
/// with the step and the module.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            DOING.with(|d| {
                if let Ok(d) = d.try_borrow() {
                    if !d.0.is_empty() {
                        eprintln!(
                            "\n==== rill panicked while {}\n  module ({} bytes): {}\n",
                            d.0,
                            d.1.len(),
                            hex(&d.1)
                        );
                    }
                }
            });
            previous(info)
        }));
    });
}

/// `RILL_FUZZ_STATS=1`: counts of what happened to the inputs, printed every 1,000 modules
/// (how many were compared, how many calls, why not), to tune the generator.
#[derive(Default)]
struct Stats {
    /// How calls ended, by rill's outcome kind.
    outcomes: std::collections::BTreeMap<String, u64>,
    modules: u64,
    compile_limit: u64,
    no_dummy_imports: u64,
    instantiated: u64,
    wasmi_compiled: u64,
    compared_modules: u64,
    rill_calls: u64,
    compared_calls: u64,
    compared_traps: u64,
    unsupported: u64,
    stack: u64,
    /// Disagreements skipped as known (`Known`).
    known: u64,
    /// Calls suspended out of their slice of fuel and resumed.
    resumes: u64,
    /// Compared modules whose code has a wide-arithmetic instruction.
    compared_wide: u64,
}

fn stat(f: impl FnOnce(&mut Stats)) {
    static ON: OnceLock<bool> = OnceLock::new();
    if !*ON.get_or_init(|| env_flag("RILL_FUZZ_STATS")) {
        return;
    }
    static STATS: OnceLock<std::sync::Mutex<Stats>> = OnceLock::new();
    let mut s = STATS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    f(&mut s);
}

/// Whether a function body of the module has a wide-arithmetic instruction (for the stats).
fn has_wide_arithmetic(bytes: &[u8]) -> bool {
    use wasmparser::{Operator as O, Parser, Payload};
    Parser::new(0).parse_all(bytes).any(|p| match p {
        Ok(Payload::CodeSectionEntry(body)) => body.get_operators_reader().is_ok_and(|r| {
            r.into_iter().any(|op| {
                matches!(
                    op,
                    Ok(O::I64Add128 | O::I64Sub128 | O::I64MulWideS | O::I64MulWideU)
                )
            })
        }),
        _ => false,
    })
}

fn print_stats() {
    stat(|s| {
        if s.modules % 1000 == 0 {
            eprintln!(
                "stats: {} modules: {} over rill limits, {} without dummy imports, {} instantiated; \
                 wasmi compiled {}, compared {}; rill calls {}, compared {} ({} traps); \
                 ended by unsupported {}, by stack {}, by known disagreements {}; \
                 resumed out of fuel {}; compared with wide arithmetic {}; rill outcomes {:?}",
                s.modules,
                s.compile_limit,
                s.no_dummy_imports,
                s.instantiated,
                s.wasmi_compiled,
                s.compared_modules,
                s.rill_calls,
                s.compared_calls,
                s.compared_traps,
                s.unsupported,
                s.stack,
                s.known,
                s.resumes,
                s.compared_wide,
                s.outcomes
            );
        }
    });
}

/// Saves a disagreeing module to `RILL_FUZZ_SAVE`, if set.
fn save(bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("RILL_FUZZ_SAVE") {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        let path = std::path::Path::new(&dir).join(format!("{:016x}.wasm", h.finish()));
        let _ = std::fs::write(path, bytes);
    }
}

/// Reports a disagreement, unless the module has the shape of a known one (then the caller
/// just stops comparing it).
fn disagree(bytes: &[u8], what: fmt::Arguments) {
    if known_shapes(bytes).any() {
        stat(|s| s.known += 1);
        return;
    }
    save(bytes);
    finding(format!(
        "rill and wasmi disagree: {what}\n  module ({} bytes): {}",
        bytes.len(),
        hex(bytes)
    ));
}

// ---------------------------------------------------------------------------------------
// Module generation

/// A swarm configuration within what rill executes; `comparable`: within what wasmi 2
/// executes too, NaNs canonicalized.
fn config(u: &mut Unstructured, comparable: bool) -> arbitrary::Result<wasm_smith::Config> {
    let mut c = wasm_smith::Config::arbitrary(u)?;
    // Nothing rill-vm executes (or validates) past Wasm 3.0.
    c.threads_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.acquire_release_atomics_enabled = false;
    // Wide arithmetic: rill and wasmi both execute it (`Config::arbitrary` leaves it off).
    c.wide_arithmetic_enabled = u.arbitrary()?;
    c.custom_page_sizes_enabled = false;
    c.custom_descriptors_enabled = false;
    c.compact_imports_enabled = false;
    c.multibyte_array_access_enabled = false;
    // wasm-smith's typed function references come with `gc_enabled`; rill-vm does not
    // execute struct and array instructions, so leave those out (the other GC instructions,
    // i31 and casts, stay and end the comparison as `Trap::Unsupported` when reached).
    let kinds: Vec<InstructionKind> = [
        InstructionKind::Numeric,
        InstructionKind::NumericInt,
        InstructionKind::Vector,
        InstructionKind::VectorInt,
        InstructionKind::Reference,
        InstructionKind::Parametric,
        InstructionKind::Variable,
        InstructionKind::Table,
        InstructionKind::Memory,
        InstructionKind::MemoryInt,
        InstructionKind::Control,
    ]
    .into_iter()
    .filter(|&k| c.allowed_instructions.contains(k))
    .collect();
    c.allowed_instructions = InstructionKinds::new(&kinds);
    if comparable {
        c.gc_enabled = false;
        c.exceptions_enabled = false;
        c.relaxed_simd_enabled = false;
        c.canonicalize_nans = true;
    } else {
        c.canonicalize_nans = u.ratio(7, 8)?;
    }
    // Invalid bodies cannot get fuel.
    c.allow_invalid_funcs = false;
    c.export_everything = u.ratio(1, 2)?;
    c.min_funcs = 1;
    c.min_exports = 1;
    // Sizes: small modules, so an input runs in about a millisecond. wasm-smith's time grows
    // with the instructions it generates (each one weighs every candidate instruction
    // against the operand stack), and so do both engines' compile times and libFuzzer's
    // per-input feature bookkeeping; the bugs found so far (F5, F6) needed a few
    // instructions each. `Config::arbitrary` draws each maximum from 0..=1000 (0..=100 for
    // memories and tables), so `small` keeps the swarm's spread in 0..=cap instead of piling
    // up at the cap.
    let small = |n: usize, cap: usize| n % (cap + 1);
    c.max_funcs = small(c.max_funcs, MAX_FUNCS).max(1);
    c.max_exports = small(c.max_exports, 20).max(1);
    c.max_instructions = small(c.max_instructions, MAX_INSTRUCTIONS);
    c.max_types = small(c.max_types, 20).max(1);
    c.max_imports = small(c.max_imports, 10);
    c.max_globals = small(c.max_globals, 20);
    c.max_tags = small(c.max_tags, 10);
    c.max_data_segments = small(c.max_data_segments, 10);
    c.max_element_segments = small(c.max_element_segments, 10);
    c.max_elements = small(c.max_elements, 100);
    c.max_memories = small(c.max_memories, 4);
    c.max_tables = small(c.max_tables, 4);
    c.max_memory32_bytes = c.max_memory32_bytes.min(MAX_MEMORY_BYTES);
    c.max_memory64_bytes = c.max_memory64_bytes.min(u128::from(MAX_MEMORY_BYTES));
    c.memory_max_size_required = true;
    c.max_table_elements = c.max_table_elements.min(1_000);
    c.table_max_size_required = true;
    Ok(c)
}

// ---------------------------------------------------------------------------------------
// What a run observes, engine-neutral

/// A value as both engines can report it.
#[derive(Clone, Copy, Debug)]
enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    /// A reference: only whether it is null is comparable.
    Ref {
        null: bool,
    },
}

fn f32_nan(b: u32) -> bool {
    f32::from_bits(b).is_nan()
}

fn f64_nan(b: u64) -> bool {
    f64::from_bits(b).is_nan()
}

/// Equal, with any two NaNs equal; a `v128` lane by lane, its lanes read as `f32`s or as
/// `f64`s (either reading may make them equal).
fn same(a: Val, b: Val) -> bool {
    match (a, b) {
        (Val::I32(x), Val::I32(y)) => x == y,
        (Val::I64(x), Val::I64(y)) => x == y,
        (Val::F32(x), Val::F32(y)) => x == y || (f32_nan(x) && f32_nan(y)),
        (Val::F64(x), Val::F64(y)) => x == y || (f64_nan(x) && f64_nan(y)),
        (Val::V128(x), Val::V128(y)) => (0..2).all(|h| {
            let (x, y) = ((x >> (64 * h)) as u64, (y >> (64 * h)) as u64);
            let f64_ok = x == y || (f64_nan(x) && f64_nan(y));
            let f32_ok = (0..2).all(|l| {
                let (x, y) = ((x >> (32 * l)) as u32, (y >> (32 * l)) as u32);
                x == y || (f32_nan(x) && f32_nan(y))
            });
            f64_ok || f32_ok
        }),
        (Val::Ref { null: x }, Val::Ref { null: y }) => x == y,
        _ => false,
    }
}

/// A trap's kind, with the two engines' names for the same trap mapped together.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TrapKind {
    Unreachable,
    DivideByZero,
    IntegerOverflow,
    InvalidConversion,
    MemoryOutOfBounds,
    /// "out of bounds table access", "undefined element" (wasmi says the former for both).
    TableOutOfBounds,
    /// `call_indirect` of a null entry.
    UninitializedElement,
    IndirectCallTypeMismatch,
    NullReference,
    /// Not a disagreement: the engines' limits differ.
    StackExhausted,
    /// rill's engine fuel ran out (see [`ENGINE_FUEL`]): ends the comparison.
    OutOfFuel,
    UncaughtException,
    /// Any other error (a host error, wasmi's resource limits): compared by kind only.
    Other(String),
}

#[derive(Debug)]
enum Outcome {
    Values(Vec<Val>),
    Trap(TrapKind),
    /// rill: an instruction it does not execute yet.
    Unsupported(String),
}

impl Outcome {
    fn ends_comparison(&self) -> bool {
        matches!(
            self,
            Outcome::Unsupported(_)
                | Outcome::Trap(TrapKind::StackExhausted)
                | Outcome::Trap(TrapKind::OutOfFuel)
        )
    }
}

fn outcomes_agree(r: &Outcome, w: &Outcome) -> bool {
    match (r, w) {
        (Outcome::Values(a), Outcome::Values(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| same(x, y))
        }
        (Outcome::Trap(a), Outcome::Trap(b)) => match (a, b) {
            (TrapKind::Other(_), TrapKind::Other(_)) => true,
            _ => a == b,
        },
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// rill

fn rill_val(v: &Value) -> Val {
    match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
        Value::V128(x) => Val::V128(x),
        Value::FuncRef(f) => Val::Ref { null: f.is_none() },
        Value::ExternRef(e) | Value::ExnRef(e) => Val::Ref { null: e.is_none() },
        Value::NullRef => Val::Ref { null: true },
    }
}

fn rill_trap(t: &Trap) -> Outcome {
    Outcome::Trap(match t {
        Trap::Unsupported(what) => return Outcome::Unsupported(what.to_string()),
        Trap::Unreachable => TrapKind::Unreachable,
        Trap::IntegerDivideByZero => TrapKind::DivideByZero,
        Trap::IntegerOverflow => TrapKind::IntegerOverflow,
        Trap::InvalidConversion => TrapKind::InvalidConversion,
        Trap::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        Trap::TableOutOfBounds | Trap::UndefinedElement => TrapKind::TableOutOfBounds,
        Trap::UninitializedElement(_) => TrapKind::UninitializedElement,
        Trap::IndirectCallTypeMismatch => TrapKind::IndirectCallTypeMismatch,
        Trap::NullFunctionReference | Trap::NullReference | Trap::NullExceptionReference => {
            TrapKind::NullReference
        }
        Trap::StackExhausted => TrapKind::StackExhausted,
        Trap::OutOfFuel => TrapKind::OutOfFuel,
        // Nothing interrupts the fuzzer's stores or gives them a deadline; the swarm has
        // no threads, hence no atomics.
        Trap::Interrupted
        | Trap::DeadlineExceeded
        | Trap::UnalignedAtomic
        | Trap::ExpectedSharedMemory => TrapKind::Other(t.to_string()),
        Trap::Exception(_) | Trap::Throw(_) => TrapKind::UncaughtException,
        Trap::Host(m) => TrapKind::Other(m.message().to_string()),
        // rill_vm resumes a host function's panic rather than return it; the dummy host
        // functions never panic anyway.
        Trap::HostPanic(_) => TrapKind::Other("a host function panicked".into()),
    })
}

/// Whether a value type has a default value (zero or null) to pass or return.
fn defaultable(t: ValType) -> bool {
    match t {
        ValType::Ref(r) => r.nullable,
        _ => true,
    }
}

/// Whether the type mentions a concrete type index (the store API takes store type ids for
/// those, which a dummy import cannot know).
fn concrete(t: ValType) -> bool {
    matches!(
        t,
        ValType::Ref(r) if matches!(r.heap, HeapType::Concrete(_) | HeapType::Exact(_))
    )
}

/// rill's dummy imports, or `None` if some import cannot be satisfied by a dummy (a host
/// function of a type that is not final and alone in its rec group, a non-nullable or
/// concrete reference).
fn rill_imports(store: &mut rill_vm::Store, module: &rill_vm::Module) -> Option<Vec<RExtern>> {
    let types = &module.env().types;
    let plain = |t: u32| -> Option<rill_decoder::FuncType> {
        let sub = types.get(t)?;
        let alone = types
            .rec_groups()
            .iter()
            .any(|g| g.start == t && g.end == t + 1);
        let f = types.func_type(t)?;
        let ok = alone
            && sub.is_final
            && sub.supertypes.is_empty()
            && !f
                .params
                .iter()
                .chain(f.results.iter())
                .any(|&v| concrete(v));
        ok.then(|| f.clone())
    };
    let mut out = Vec::new();
    for import in module.imports() {
        out.push(match import.ty {
            TypeRef::Func(t) => {
                let f = plain(t)?;
                if !f.results.iter().all(|&r| defaultable(r)) {
                    return None;
                }
                // The results come pre-filled with their types' defaults.
                RExtern::Func(store.func_new(f, |_, _, _| Ok(())))
            }
            TypeRef::FuncExact(_) => return None,
            TypeRef::Table(t) => {
                let v = ValType::Ref(t.element);
                if concrete(v) || !defaultable(v) {
                    return None;
                }
                RExtern::Table(store.table_new(t, Value::default_of(v))?)
            }
            TypeRef::Memory(m) => RExtern::Memory(store.memory_new(m).ok()?),
            TypeRef::Global(g) => {
                if concrete(g.content) || !defaultable(g.content) {
                    return None;
                }
                RExtern::Global(store.global_new(g, Value::default_of(g.content))?)
            }
            TypeRef::Tag(t) => {
                let f = plain(t.func_type)?;
                RExtern::Tag(store.tag_new(&f.params))
            }
        });
    }
    Some(out)
}

/// What an instantiation gave.
#[derive(Debug)]
#[allow(dead_code)] // The messages are for the reports (`Debug`).
enum Inst {
    Ok,
    Trap(TrapKind),
    Link(String),
    Unsupported(String),
    /// A memory or table over the implementation's limits (rill's and wasmi's differ).
    Limit(String),
}

fn rill_inst_outcome(r: &Result<rill_vm::Instance, InstantiationError>) -> Inst {
    match r {
        Ok(_) => Inst::Ok,
        Err(InstantiationError::Link(m)) => Inst::Link(m.clone()),
        Err(InstantiationError::Resource(m)) => Inst::Limit(m.clone()),
        Err(InstantiationError::Trap(t)) => match rill_trap(t) {
            Outcome::Unsupported(m) => Inst::Unsupported(m),
            Outcome::Trap(k) => Inst::Trap(k),
            Outcome::Values(_) => unreachable!(),
        },
    }
}

// ---------------------------------------------------------------------------------------
// wasmi

fn wasmi_engine() -> &'static wasmi::Engine {
    static ENGINE: OnceLock<wasmi::Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut c = wasmi::Config::default();
        c.wasm_multi_value(true)
            .wasm_multi_memory(true)
            .wasm_bulk_memory(true)
            .wasm_reference_types(true)
            .wasm_tail_call(true)
            .wasm_extended_const(true)
            .wasm_memory64(true)
            .wasm_simd(true)
            .wasm_saturating_float_to_int(true)
            .wasm_sign_extension(true)
            .wasm_mutable_global(true)
            // rill makes one deterministic choice per relaxed operator; wasmi may make
            // others. Modules with relaxed SIMD are not compared: wasmi rejects them.
            .wasm_relaxed_simd(false)
            .wasm_wide_arithmetic(true)
            .wasm_custom_page_sizes(false)
            .set_max_recursion_depth(WASMI_MAX_RECURSION)
            .compilation_mode(wasmi::CompilationMode::Eager);
        wasmi::Engine::new(&c)
    })
}

fn wasmi_val(v: &wasmi::Val) -> Val {
    match v {
        wasmi::Val::I32(x) => Val::I32(*x),
        wasmi::Val::I64(x) => Val::I64(*x),
        wasmi::Val::F32(x) => Val::F32(x.to_bits()),
        wasmi::Val::F64(x) => Val::F64(x.to_bits()),
        wasmi::Val::V128(x) => Val::V128(x.as_u128()),
        wasmi::Val::FuncRef(f) => Val::Ref { null: f.is_null() },
        wasmi::Val::ExternRef(e) => Val::Ref { null: e.is_null() },
    }
}

fn wasmi_trap(e: &wasmi::Error) -> TrapKind {
    use wasmi::TrapCode as C;
    match e.as_trap_code() {
        Some(C::UnreachableCodeReached) => TrapKind::Unreachable,
        Some(C::MemoryOutOfBounds) => TrapKind::MemoryOutOfBounds,
        Some(C::TableOutOfBounds) => TrapKind::TableOutOfBounds,
        Some(C::IndirectCallToNull) => TrapKind::UninitializedElement,
        Some(C::IntegerDivisionByZero) => TrapKind::DivideByZero,
        Some(C::IntegerOverflow) => TrapKind::IntegerOverflow,
        Some(C::BadConversionToInteger) => TrapKind::InvalidConversion,
        Some(C::StackOverflow) => TrapKind::StackExhausted,
        Some(C::BadSignature) => TrapKind::IndirectCallTypeMismatch,
        _ => {
            let msg = e.to_string();
            // wasmi reports running out of its value stack this way.
            if msg.contains("stack") && (msg.contains("overflow") || msg.contains("exhaust")) {
                TrapKind::StackExhausted
            } else {
                TrapKind::Other(msg)
            }
        }
    }
}

fn wasmi_imports(
    store: &mut wasmi::Store<()>,
    module: &wasmi::Module,
) -> Option<Vec<wasmi::Extern>> {
    let mut out = Vec::new();
    for import in module.imports() {
        out.push(match import.ty() {
            wasmi::ExternType::Func(f) => {
                let results: Vec<wasmi::ValType> = f.results().to_vec();
                wasmi::Extern::Func(wasmi::Func::new(
                    &mut *store,
                    f.clone(),
                    move |_, _, out| {
                        for (slot, &ty) in out.iter_mut().zip(&results) {
                            *slot = wasmi::Val::default_for_ty(ty);
                        }
                        Ok(())
                    },
                ))
            }
            wasmi::ExternType::Global(g) => wasmi::Extern::Global(wasmi::Global::new(
                &mut *store,
                wasmi::Val::default_for_ty(g.content()),
                g.mutability(),
            )),
            wasmi::ExternType::Memory(m) => {
                wasmi::Extern::Memory(wasmi::Memory::new(&mut *store, *m).ok()?)
            }
            wasmi::ExternType::Table(t) => wasmi::Extern::Table(
                wasmi::Table::new(&mut *store, *t, wasmi::Ref::null(t.element())).ok()?,
            ),
        });
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------
// Known disagreements (fuzz/FINDINGS.md)

/// Known disagreements, recorded in fuzz/FINDINGS.md, as shapes of modules: a module of such
/// a shape stops being compared at its first disagreement, which is not reported, so the
/// fuzzer can look further. Each entry names its finding; remove it when the bug is fixed.
#[derive(Clone, Copy, Debug, Default)]
struct Known {
    /// F5 (a wasmi bug): a `select` whose condition is an `i32.eqz`, `i32.eq` or `i32.ne`
    /// (wasmi 2.0.0 fuses `i32.eqz (local.get x)` into the `select` and then reads a stale
    /// condition).
    select_of_eqz: bool,
}

impl Known {
    fn any(&self) -> bool {
        self.select_of_eqz
    }
}

fn known_shapes(bytes: &[u8]) -> Known {
    use wasmparser::{Operator, Parser, Payload};
    let mut known = Known::default();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::CodeSectionEntry(code)) => {
                let Ok(mut ops) = code.get_operators_reader() else {
                    continue;
                };
                let mut compare = false;
                while !ops.eof() {
                    let Ok(op) = ops.read() else {
                        break;
                    };
                    match op {
                        Operator::Select | Operator::TypedSelect { .. } if compare => {
                            known.select_of_eqz = true;
                        }
                        Operator::Nop => {}
                        Operator::I32Eqz | Operator::I32Eq | Operator::I32Ne => compare = true,
                        _ => compare = false,
                    }
                }
            }
            _ => {}
        }
    }
    known
}

// ---------------------------------------------------------------------------------------
// The run

/// Calls `f` with `args` in slices of `slice` fuel (resumed after each), or at once; out of
/// fuel when the call has used [`ENGINE_FUEL`] in all.
fn rill_call(
    store: &mut rill_vm::Store,
    f: rill_vm::Func,
    args: &[Value],
    slice: Option<u64>,
) -> Result<Vec<Value>, Trap> {
    let Some(slice) = slice else {
        store.set_fuel(ENGINE_FUEL).expect("metered");
        return store.invoke(f, args);
    };
    let mut used = 0;
    store.set_fuel(slice).expect("metered");
    let mut call = store.invoke_resumable(f, args)?;
    loop {
        match call {
            rill_vm::Resumable::Finished(results) => return Ok(results),
            rill_vm::Resumable::OutOfFuel(suspended) => {
                used += slice - store.get_fuel().expect("metered");
                if used >= ENGINE_FUEL {
                    return Err(Trap::OutOfFuel);
                }
                stat(|s| s.resumes += 1);
                store
                    .set_fuel(slice.max(suspended.required_fuel()))
                    .expect("metered");
                call = suspended.resume(store)?;
            }
        }
    }
}

fn run(bytes: &[u8], compare_nans: bool, slice: Option<u64>) {
    stat(|s| s.modules += 1);
    DOING.with(|d| d.borrow_mut().1 = bytes.to_vec());
    let module = in_rill(
        || "compiling (rill_vm::Module::new_with, fuel metering)".into(),
        || rill_vm::Module::new_with(bytes, rill_vm::LowerOptions::default().fuel(true)),
    );
    let module = match module {
        Ok(m) => Arc::new(m),
        Err(e) => {
            let msg = e.to_string();
            // rill's implementation limits.
            if msg.contains("function too large")
                || msg.contains("too many ")
                || msg.contains("exceeds the limit")
                || msg.contains("exceeds the implementation limit")
            {
                stat(|s| s.compile_limit += 1);
                return;
            }
            panic!(
                "rill rejects a module wasm-smith generated: {msg}\n  module ({} bytes): {}",
                bytes.len(),
                hex(bytes)
            );
        }
    };
    let mut rstore = rill_vm::Store::new();
    rstore.set_fuel(ENGINE_FUEL).expect("nothing unmetered yet");
    let Some(rimports) = rill_imports(&mut rstore, &module) else {
        stat(|s| s.no_dummy_imports += 1);
        return;
    };
    let rinst = in_rill(
        || "instantiating".into(),
        || rstore.instantiate(&module, &rimports),
    );
    let rinst_outcome = rill_inst_outcome(&rinst);
    if rinst.is_ok() {
        stat(|s| s.instantiated += 1);
    }

    // wasmi, when it compiles the module and NaNs cannot differ.
    let mut wasmi_side = None;
    if compare_nans {
        if let Ok(wmodule) = wasmi::Module::new(wasmi_engine(), bytes) {
            stat(|s| s.wasmi_compiled += 1);
            let mut wstore = wasmi::Store::new(wasmi_engine(), ());
            if let Some(wimports) = wasmi_imports(&mut wstore, &wmodule) {
                let winst = wasmi::Instance::new(&mut wstore, &wmodule, &wimports);
                wasmi_side = Some((wstore, winst));
            }
        }
    }

    // Instantiation.
    let compare = match &mut wasmi_side {
        None => false,
        Some((_, winst)) => {
            let w = match winst {
                Ok(_) => Inst::Ok,
                Err(e) => match e.as_trap_code() {
                    Some(_) => Inst::Trap(wasmi_trap(e)),
                    // wasmi reports an active segment out of bounds (a trap in the spec)
                    // as an instantiation error with the trap's words.
                    None => {
                        let msg = e.to_string();
                        if msg.starts_with("out of bounds table access") {
                            Inst::Trap(TrapKind::TableOutOfBounds)
                        } else if msg.starts_with("out of bounds memory access") {
                            Inst::Trap(TrapKind::MemoryOutOfBounds)
                        } else {
                            Inst::Link(msg)
                        }
                    }
                },
            };
            match (&rinst_outcome, &w) {
                (Inst::Unsupported(_) | Inst::Limit(_), _)
                | (Inst::Trap(TrapKind::StackExhausted | TrapKind::OutOfFuel), _)
                | (_, Inst::Trap(TrapKind::StackExhausted)) => false,
                (Inst::Ok, Inst::Ok) => true,
                (Inst::Link(_), Inst::Link(_)) => false,
                (Inst::Trap(a), Inst::Trap(b)) if a == b => false,
                (r, w) => {
                    disagree(
                        bytes,
                        format_args!("instantiation\n  rill:  {r:?}\n  wasmi: {w:?}"),
                    );
                    false
                }
            }
        }
    };
    let Ok(rinst) = rinst else {
        return;
    };
    if compare {
        stat(|s| {
            s.compared_modules += 1;
            s.compared_wide += u64::from(has_wide_arithmetic(bytes));
        });
    }

    let mut compare = compare;
    for export in module.exports() {
        if export.kind != ExternalKind::Func {
            continue;
        }
        let Some(RExtern::Func(f)) = rstore.export(rinst, &export.name) else {
            panic!("rill: export {:?} is not the function it was", export.name);
        };
        let ty = rstore.func_type(f).clone();
        if !ty.params.iter().all(|&p| defaultable(p)) {
            continue;
        }
        let args: Vec<Value> = ty.params.iter().map(|&p| Value::default_of(p)).collect();
        let r = in_rill(
            || format!("calling export {:?}", export.name),
            || rill_call(&mut rstore, f, &args, slice),
        );
        let r = match &r {
            Ok(vs) => {
                if vs.len() != ty.results.len() {
                    panic!(
                        "rill: export {:?} returned {} values for {} results\n  module: {}",
                        export.name,
                        vs.len(),
                        ty.results.len(),
                        hex(bytes)
                    );
                }
                Outcome::Values(vs.iter().map(rill_val).collect())
            }
            Err(t) => rill_trap(t),
        };
        stat(|s| {
            s.rill_calls += 1;
            let kind = match &r {
                Outcome::Values(_) => "values".to_string(),
                Outcome::Trap(k) => format!("{k:?}"),
                Outcome::Unsupported(m) => m.clone(),
            };
            *s.outcomes.entry(kind).or_default() += 1;
            match r {
                Outcome::Unsupported(_) => s.unsupported += 1,
                Outcome::Trap(TrapKind::StackExhausted) => s.stack += 1,
                _ => {}
            }
        });
        if !compare {
            // rill alone: every export still runs (it must not panic, whatever state an
            // unsupported instruction or a trap left).
            continue;
        }
        let (wstore, winst) = wasmi_side.as_mut().expect("compared");
        let winst = winst.as_ref().expect("instantiated");
        let Some(wf) = winst.get_func(&*wstore, &export.name) else {
            disagree(
                bytes,
                format_args!("export {:?}: wasmi has no such function", export.name),
            );
            return;
        };
        let wty = wf.ty(&*wstore);
        let wargs: Vec<wasmi::Val> = wty
            .params()
            .iter()
            .map(|&t| wasmi::Val::default_for_ty(t))
            .collect();
        let mut wres: Vec<wasmi::Val> = wty
            .results()
            .iter()
            .map(|&t| wasmi::Val::default_for_ty(t))
            .collect();
        let w = match wf.call(&mut *wstore, &wargs, &mut wres) {
            Ok(()) => Outcome::Values(wres.iter().map(wasmi_val).collect()),
            Err(e) => Outcome::Trap(wasmi_trap(&e)),
        };
        if r.ends_comparison() || w.ends_comparison() {
            compare = false;
            continue;
        }
        stat(|s| {
            s.compared_calls += 1;
            s.compared_traps += u64::from(matches!(r, Outcome::Trap(_)));
        });
        if !outcomes_agree(&r, &w) {
            disagree(
                bytes,
                format_args!(
                    "calling export {:?} ({:?} -> {:?})\n  rill:  {r:?}\n  wasmi: {w:?}",
                    export.name, ty.params, ty.results
                ),
            );
            return;
        }
    }
    if !compare {
        return;
    }

    // The state the calls left: exported globals and memories.
    let (wstore, winst) = wasmi_side.as_mut().expect("compared");
    let winst = winst.as_ref().expect("instantiated");
    for export in module.exports() {
        match (rstore.export(rinst, &export.name), export.kind) {
            (Some(RExtern::Global(g)), ExternalKind::Global) => {
                let r = rill_val(&rstore.global_get(g));
                let Some(wg) = winst.get_global(&*wstore, &export.name) else {
                    continue;
                };
                let w = wasmi_val(&wg.get(&*wstore));
                if !same(r, w) {
                    disagree(
                        bytes,
                        format_args!(
                            "global {:?} after the calls\n  rill:  {r:?}\n  wasmi: {w:?}",
                            export.name
                        ),
                    );
                    return;
                }
            }
            (Some(RExtern::Memory(m)), ExternalKind::Memory) => {
                let r = rstore.memory(m).data();
                let Some(wm) = winst.get_memory(&*wstore, &export.name) else {
                    continue;
                };
                let w = wm.data(&*wstore);
                if r != w {
                    let at = r.iter().zip(w).position(|(a, b)| a != b);
                    disagree(
                        bytes,
                        format_args!(
                            "memory {:?} after the calls: rill {} bytes, wasmi {} bytes, first difference at {at:?}",
                            export.name,
                            r.len(),
                            w.len()
                        ),
                    );
                    return;
                }
            }
            _ => {}
        }
    }
}

/// `RILL_FUZZ_LAST=FILE`: each input is written to FILE before it runs, so an input that
/// kills the process before libFuzzer can save it (a native stack overflow) is kept.
fn keep_last(data: &[u8]) {
    static LAST: OnceLock<Option<std::ffi::OsString>> = OnceLock::new();
    if let Some(path) = LAST.get_or_init(|| std::env::var_os("RILL_FUZZ_LAST")) {
        let _ = std::fs::write(path, data);
    }
}

fuzz_target!(|data: &[u8]| -> Corpus {
    install_panic_hook();
    keep_last(data);
    let Some((&first, rest)) = data.split_first() else {
        return Corpus::Reject;
    };
    let comparable = first % 4 != 0;
    let mut u = Unstructured::new(rest);
    let Ok(config) = config(&mut u, comparable) else {
        return Corpus::Reject;
    };
    let canonical = config.canonicalize_nans;
    let Ok(mut module) = wasm_smith::Module::new(config, &mut u) else {
        return Corpus::Reject;
    };
    if module.ensure_termination(FUEL).is_err() {
        return Corpus::Reject;
    }
    // Slices of k² fuel (1 to 3,969), or none for one input in 64.
    let slice = match u64::from(first >> 2) {
        0 => None,
        k => Some(k * k),
    };
    run(&module.to_bytes(), canonical, slice);
    print_stats();
    Corpus::Keep
});
