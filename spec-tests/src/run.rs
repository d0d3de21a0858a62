//! Running one `.wast` file: parse it, turn each directive into a [`Case`].

use std::path::Path;

use rill_decoder::{Event, Features};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute, Wat};

use crate::decode::{guarded, show_error, ModuleCheck};
use crate::engine::{Engine, Exec, ModuleCase};
use crate::report::{Case, FileRun, Kind, Outcome};

/// Reads and runs the file `rel` (relative to `root`) on a fresh `E`.
pub fn run_file<E: Engine>(root: &Path, rel: &str) -> FileRun {
    let full = root.join(rel);
    let text = match std::fs::read(&full) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => return unparsable(rel, format!("not UTF-8: {e}")),
        },
        Err(e) => return unparsable(rel, format!("cannot read {}: {e}", full.display())),
    };
    if rel.starts_with("legacy/") {
        // wast 263 parses only the flat form of the legacy `try`.
        return run_text::<E>(rel, &crate::legacy::unfold_legacy_try(&text));
    }
    run_text::<E>(rel, &text)
}

/// Runs the script `text` (whose path, for messages, is `path`) on a fresh `E`.
pub fn run_text<E: Engine>(path: &str, text: &str) -> FileRun {
    let describe = |e: wast::Error| {
        let (line, col) = e.span().linecol_in(text);
        format!("{path}:{}:{}: {}", line + 1, col + 1, e.message())
    };
    // names.wast needs confusing Unicode characters (bidi controls) in strings; allowing them
    // everywhere makes no other file parse differently.
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buf) => buf,
        Err(e) => return unparsable(path, describe(e)),
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(wast) => wast,
        Err(e) => return unparsable(path, describe(e)),
    };
    let mut engine = E::default();
    engine.start_file(path);
    let mut runner = Runner {
        engine,
        features: crate::decode::features_for(path),
        lines: LineIndex::new(text),
        cases: Vec::new(),
    };
    for directive in wast.directives {
        runner.directive(directive);
    }
    FileRun {
        path: path.to_string(),
        parse_error: None,
        cases: runner.cases,
    }
}

fn unparsable(path: &str, error: String) -> FileRun {
    FileRun {
        path: path.to_string(),
        parse_error: Some(error),
        cases: Vec::new(),
    }
}

/// Byte offset to 1-based line, in O(log n).
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }
}

/// The kind of case a directive is.
pub fn kind_of(d: &WastDirective<'_>) -> Kind {
    match d {
        WastDirective::Module(_) => Kind::Module,
        WastDirective::ModuleDefinition(_) => Kind::ModuleDefinition,
        WastDirective::ModuleInstance { .. } => Kind::ModuleInstance,
        WastDirective::AssertMalformed { .. } => Kind::AssertMalformed,
        WastDirective::AssertMalformedCustom { .. } => Kind::AssertMalformedCustom,
        WastDirective::AssertInvalid { .. } => Kind::AssertInvalid,
        WastDirective::AssertInvalidCustom { .. } => Kind::AssertInvalidCustom,
        WastDirective::AssertUnlinkable { .. } => Kind::AssertUnlinkable,
        WastDirective::Register { .. } => Kind::Register,
        WastDirective::Invoke(_) => Kind::Invoke,
        WastDirective::AssertReturn { .. } => Kind::AssertReturn,
        WastDirective::AssertTrap { .. } => Kind::AssertTrap,
        WastDirective::AssertExhaustion { .. } => Kind::AssertExhaustion,
        WastDirective::AssertException { .. } => Kind::AssertException,
        WastDirective::AssertSuspension { .. } => Kind::AssertSuspension,
        WastDirective::Thread(_) => Kind::Thread,
        WastDirective::Wait { .. } => Kind::Wait,
    }
}

/// Why a module has no bytes.
enum Unencodable {
    Component,
    Error(String),
}

impl Unencodable {
    /// For a module that should be usable (`module`, `assert_unlinkable`, …): the harness
    /// cannot test it, which is a failure to be listed, not a pass.
    fn positive(self) -> Outcome {
        match self {
            Unencodable::Component => Outcome::NotApplicable("component model".into()),
            Unencodable::Error(e) => {
                Outcome::Fail(format!("the wast crate cannot encode this module: {e}"))
            }
        }
    }

    /// For a module that is meant to be rejected (`assert_invalid`, `assert_malformed`, …):
    /// the text itself is what is wrong with it, which a binary engine never sees.
    fn negative(self) -> Outcome {
        match self {
            Unencodable::Component => Outcome::NotApplicable("component model".into()),
            Unencodable::Error(e) => {
                Outcome::NotApplicable(format!("the wast crate cannot encode this module: {e}"))
            }
        }
    }
}

fn wat_bytes(w: &mut Wat<'_>) -> Result<Vec<u8>, Unencodable> {
    match w {
        Wat::Component(_) => Err(Unencodable::Component),
        Wat::Module(_) => w.encode().map_err(|e| Unencodable::Error(e.message())),
    }
}

fn quote_bytes(q: &mut QuoteWat<'_>) -> Result<Vec<u8>, Unencodable> {
    match q {
        QuoteWat::Wat(w) => wat_bytes(w),
        QuoteWat::QuoteComponent(..) => Err(Unencodable::Component),
        QuoteWat::QuoteModule(..) => q.encode().map_err(|e| Unencodable::Error(e.message())),
    }
}

fn wat_name<'a>(w: &Wat<'a>) -> Option<&'a str> {
    match w {
        Wat::Module(m) => m.id.map(|id| id.name()),
        Wat::Component(c) => c.id.map(|id| id.name()),
    }
}

/// The outcome of an `assert_malformed` whose module was decoded to `check`.
pub fn malformed_outcome(check: ModuleCheck, expected: &str) -> Outcome {
    match check {
        ModuleCheck::Malformed(e) if e.message().contains(expected) => Outcome::Pass,
        ModuleCheck::Malformed(e) => Outcome::Fail(format!(
            "expected a decode error containing {expected:?}, got {}",
            show_error(Some(&e))
        )),
        ModuleCheck::Decoded(events) => Outcome::Fail(format!(
            "expected a decode error containing {expected:?}, but the module decoded ({} events)",
            events.len()
        )),
        ModuleCheck::Mismatch(m) | ModuleCheck::Panic(m) => Outcome::Fail(format!(
            "expected a decode error containing {expected:?}; {m}"
        )),
    }
}

/// A module that must decode: its events, or why it did not.
fn decoded(check: ModuleCheck) -> Result<Vec<Event>, String> {
    match check {
        ModuleCheck::Decoded(events) => Ok(events),
        ModuleCheck::Malformed(e) => Err(format!(
            "the module must decode, got {}",
            show_error(Some(&e))
        )),
        ModuleCheck::Mismatch(m) | ModuleCheck::Panic(m) => Err(m),
    }
}

struct Runner<E> {
    engine: E,
    features: Features,
    lines: LineIndex,
    cases: Vec<Case>,
}

impl<E: Engine> Runner<E> {
    fn directive(&mut self, d: WastDirective<'_>) {
        let line = self.lines.line(d.span().offset());
        let kind = kind_of(&d);
        if let WastDirective::Thread(thread) = d {
            let outcome = guarded(|| {
                let shared = thread.shared_module.map(|id| id.name());
                self.engine.thread(thread.name.name(), shared)
            })
            .unwrap_or_else(|m| Outcome::Fail(format!("panicked: {m}")));
            self.cases.push(Case {
                line,
                kind,
                outcome,
            });
            for nested in thread.directives {
                self.directive(nested);
            }
            return;
        }
        let outcome = guarded(|| self.outcome(line, d))
            .unwrap_or_else(|m| Outcome::Fail(format!("panicked: {m}")));
        self.cases.push(Case {
            line,
            kind,
            outcome,
        });
    }

    /// Decodes a module that must decode, then hands it to `then`.
    fn with_module(
        &mut self,
        line: usize,
        name: Option<&str>,
        bytes: Vec<u8>,
        fail_prefix: &str,
        then: impl FnOnce(&mut E, &ModuleCase<'_>) -> Outcome,
    ) -> Result<Outcome, String> {
        let events = decoded(self.engine.decode(&bytes, self.features))
            .map_err(|m| format!("{fail_prefix}{m}"))?;
        let case = ModuleCase {
            line,
            name,
            bytes: &bytes,
            events: &events,
        };
        Ok(then(&mut self.engine, &case))
    }

    /// `module` and `module definition`: the module must encode and decode; if it does not,
    /// the engine hears of it.
    fn defined_module(
        &mut self,
        line: usize,
        mut q: QuoteWat<'_>,
        then: impl FnOnce(&mut E, &ModuleCase<'_>) -> Outcome,
    ) -> Outcome {
        let name = q.name().map(|id| id.name());
        let outcome = match quote_bytes(&mut q) {
            Err(u) => Err(u.positive()),
            Ok(bytes) => self
                .with_module(line, name, bytes, "", then)
                .map_err(Outcome::Fail),
        };
        outcome.unwrap_or_else(|o| {
            self.engine.module_unavailable(name);
            o
        })
    }

    /// A module inside an assertion about validation or custom sections: it is well-formed,
    /// so it must decode; if the `wast` crate cannot encode it, the text is what the test is
    /// about and the case does not apply.
    fn well_formed_module(
        &mut self,
        line: usize,
        mut q: QuoteWat<'_>,
        then: impl FnOnce(&mut E, &ModuleCase<'_>) -> Outcome,
    ) -> Outcome {
        let name = q.name().map(|id| id.name());
        match quote_bytes(&mut q) {
            Err(u) => u.negative(),
            Ok(bytes) => self
                .with_module(line, name, bytes, "", then)
                .unwrap_or_else(Outcome::Fail),
        }
    }

    fn exec(
        &mut self,
        line: usize,
        exec: WastExecute<'_>,
        then: impl FnOnce(&mut E, &Exec<'_, '_>) -> Outcome,
    ) -> Outcome {
        match exec {
            WastExecute::Invoke(call) => then(&mut self.engine, &Exec::Invoke(&call)),
            WastExecute::Get { module, global, .. } => {
                let module = module.map(|id| id.name());
                then(&mut self.engine, &Exec::Get { module, global })
            }
            WastExecute::Wat(mut w) => {
                let name = wat_name(&w);
                match wat_bytes(&mut w) {
                    Err(u) => u.positive(),
                    Ok(bytes) => self
                        .with_module(line, name, bytes, "", |engine, m| {
                            then(engine, &Exec::Module(*m))
                        })
                        .unwrap_or_else(Outcome::Fail),
                }
            }
        }
    }

    fn outcome(&mut self, line: usize, d: WastDirective<'_>) -> Outcome {
        match d {
            WastDirective::Module(q) => self.defined_module(line, q, |e, m| e.module(m)),
            WastDirective::ModuleDefinition(q) => {
                self.defined_module(line, q, |e, m| e.module_definition(m))
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => self
                .engine
                .module_instance(instance.map(|i| i.name()), module.map(|m| m.name())),
            WastDirective::AssertMalformed {
                module, message, ..
            } => match module {
                QuoteWat::QuoteModule(..) => {
                    Outcome::NotApplicable("text-format module (module quote)".into())
                }
                QuoteWat::QuoteComponent(..) => Outcome::NotApplicable("component model".into()),
                QuoteWat::Wat(mut w) => match wat_bytes(&mut w) {
                    Err(u) => u.negative(),
                    Ok(bytes) => {
                        match malformed_outcome(self.engine.decode(&bytes, self.features), message)
                        {
                            Outcome::Pass => self.engine.assert_malformed(&bytes, message),
                            failed => failed,
                        }
                    }
                },
            },
            WastDirective::AssertMalformedCustom {
                module, message, ..
            } => match module {
                QuoteWat::QuoteModule(..) => {
                    Outcome::NotApplicable("text-format module (module quote)".into())
                }
                q => self.well_formed_module(line, q, |e, m| e.assert_malformed_custom(m, message)),
            },
            WastDirective::AssertInvalid {
                module, message, ..
            } => self.well_formed_module(line, module, |e, m| e.assert_invalid(m, message)),
            WastDirective::AssertInvalidCustom {
                module, message, ..
            } => self.well_formed_module(line, module, |e, m| e.assert_invalid_custom(m, message)),
            WastDirective::AssertUnlinkable {
                mut module,
                message,
                ..
            } => {
                let name = wat_name(&module);
                match wat_bytes(&mut module) {
                    Err(u) => u.positive(),
                    Ok(bytes) => self
                        .with_module(line, name, bytes, "", |e, m| {
                            e.assert_unlinkable(m, message)
                        })
                        .unwrap_or_else(Outcome::Fail),
                }
            }
            WastDirective::Register { name, module, .. } => {
                self.engine.register(name, module.map(|m| m.name()))
            }
            WastDirective::Invoke(call) => self.engine.invoke(&call),
            WastDirective::AssertReturn { exec, results, .. } => {
                self.exec(line, exec, |e, x| e.assert_return(x, &results))
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                self.exec(line, exec, |e, x| e.assert_trap(x, message))
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                self.engine.assert_exhaustion(&call, message)
            }
            WastDirective::AssertException { exec, .. } => {
                self.exec(line, exec, |e, x| e.assert_exception(x))
            }
            WastDirective::AssertSuspension { exec, message, .. } => {
                self.exec(line, exec, |e, x| e.assert_suspension(x, message))
            }
            WastDirective::Wait { thread, .. } => self.engine.wait(thread.name()),
            WastDirective::Thread(_) => unreachable!("threads are handled in `directive`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rill_decoder::{DecodeError, Payload};
    use wast::{WastInvoke, WastRet};

    /// A fake decoder: a module decodes iff it starts with the 8-byte header; engine calls are
    /// recorded.
    #[derive(Default)]
    struct Fake {
        calls: Vec<String>,
    }

    impl Engine for Fake {
        fn decode(&mut self, bytes: &[u8], _features: Features) -> ModuleCheck {
            if bytes.starts_with(b"\0asm\x01\0\0\0") {
                ModuleCheck::Decoded(vec![Event {
                    range: 0..8,
                    payload: Payload::Header { version: 1 },
                }])
            } else if bytes.len() < 4 {
                ModuleCheck::Malformed(DecodeError::new(bytes.len(), "unexpected end"))
            } else {
                ModuleCheck::Malformed(DecodeError::new(0, "magic header not detected"))
            }
        }
        fn module(&mut self, m: &ModuleCase<'_>) -> Outcome {
            self.calls
                .push(format!("module {:?} {} {}", m.name, m.line, m.events.len()));
            Outcome::Pass
        }
        fn module_unavailable(&mut self, name: Option<&str>) {
            self.calls.push(format!("unavailable {name:?}"));
        }
        fn assert_invalid(&mut self, m: &ModuleCase<'_>, message: &str) -> Outcome {
            self.calls.push(format!("invalid {} {message}", m.line));
            Outcome::NotRun
        }
        fn invoke(&mut self, call: &WastInvoke<'_>) -> Outcome {
            self.calls.push(format!("invoke {}", call.name));
            Outcome::Fail("trapped".into())
        }
        fn assert_return(&mut self, exec: &Exec<'_, '_>, results: &[WastRet<'_>]) -> Outcome {
            let what = match exec {
                Exec::Invoke(i) => i.name.to_string(),
                Exec::Get { global, .. } => format!("get {global}"),
                Exec::Module(m) => format!("module {}", m.line),
            };
            self.calls
                .push(format!("return {what} {} results", results.len()));
            Outcome::NotRun
        }
    }

    const SCRIPT: &str = r#"(module $m (func (export "f") (result i32) i32.const 1))
(assert_malformed (module binary "\00asm") "unexpected end")
(assert_malformed (module binary "") "unexpected end")
(assert_malformed (module quote "(func") "unexpected token")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module quote "(func (call $undefined))") "unknown function")
(assert_return (invoke "f") (i32.const 1))
(assert_return (get $m "g") (i32.const 1))
(invoke "f")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(register "m" $m)
(module binary "\00asm\02\00\00\00")
(assert_invalid (module binary "\00asm") "type mismatch")
  (assert_unlinkable
    (module (import "x" "y" (func)))
    "unknown import")
(module quote "(func)")
"#;

    #[test]
    fn dispatches_every_directive_with_its_line_and_kind() {
        let run = run_text::<Fake>("t.wast", SCRIPT);
        assert_eq!(run.parse_error, None);
        let got: Vec<(usize, Kind, Outcome)> = run
            .cases
            .iter()
            .map(|c| (c.line, c.kind, c.outcome.clone()))
            .collect();
        let na_text = Outcome::NotApplicable("text-format module (module quote)".into());
        let fail = |s: &str| Outcome::Fail(s.to_string());
        let expected = vec![
            (1, Kind::Module, Outcome::Pass),
            (
                2,
                Kind::AssertMalformed,
                fail("expected a decode error containing \"unexpected end\", got \"magic header not detected\" at offset 0x0"),
            ),
            (3, Kind::AssertMalformed, Outcome::Pass),
            (4, Kind::AssertMalformed, na_text),
            (5, Kind::AssertInvalid, Outcome::NotRun),
            (6, Kind::AssertInvalid, Outcome::NotApplicable("the wast crate cannot encode this module: unknown func: failed to find name `$undefined`".into())),
            (7, Kind::AssertReturn, Outcome::NotRun),
            (8, Kind::AssertReturn, Outcome::NotRun),
            (9, Kind::Invoke, fail("trapped")),
            (10, Kind::AssertTrap, Outcome::NotRun),
            (11, Kind::Register, Outcome::NotRun),
            (
                12,
                Kind::Module,
                fail("the module must decode, got \"magic header not detected\" at offset 0x0"),
            ),
            (
                13,
                Kind::AssertInvalid,
                fail("the module must decode, got \"magic header not detected\" at offset 0x0"),
            ),
            (14, Kind::AssertUnlinkable, Outcome::NotRun),
            (17, Kind::Module, Outcome::Pass),
        ];
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(g, e);
        }
    }

    #[test]
    fn engine_sees_modules_and_unavailable_ones() {
        let mut runner = Runner {
            engine: Fake::default(),
            features: Features::default(),
            lines: LineIndex::new(SCRIPT),
            cases: vec![],
        };
        let mut lexer = Lexer::new(SCRIPT);
        lexer.allow_confusing_unicode(true);
        let buf = ParseBuffer::new_with_lexer(lexer).unwrap();
        let wast = parser::parse::<Wast>(&buf).unwrap();
        for d in wast.directives {
            runner.directive(d);
        }
        assert_eq!(
            runner.engine.calls,
            vec![
                "module Some(\"m\") 1 1",
                "invalid 5 type mismatch",
                "return f 1 results",
                "return get g 1 results",
                "invoke f",
                "unavailable None",
                "module None 17 1",
            ]
        );
    }

    #[test]
    fn unparsable_text_is_reported_with_a_location() {
        let run = run_text::<Fake>("dir/bad.wast", "(module)\n(assert_bogus)\n");
        let err = run.parse_error.unwrap();
        assert!(err.contains("dir/bad.wast:2:"), "{err}");
        assert!(run.cases.is_empty());
    }

    #[test]
    fn folded_try_is_rejected_by_wast_263() {
        // The reason legacy/ files are listed as expected failures.
        let text = "(module (func (try (do) (catch_all))))";
        assert!(run_text::<Fake>("legacy/x.wast", text)
            .parse_error
            .is_some());
    }

    #[test]
    fn confusing_unicode_is_allowed() {
        let text = "(module (func (export \"\u{202e}abc\")))";
        let strict = ParseBuffer::new(text).and_then(|buf| parser::parse::<Wast>(&buf).map(drop));
        assert!(strict.is_err(), "the lexer's default rejects U+202E");
        let run = run_text::<Fake>("names.wast", text);
        assert_eq!(run.parse_error, None);
        assert_eq!(run.cases[0].outcome, Outcome::Pass);
    }

    #[test]
    fn lines() {
        let idx = LineIndex::new("ab\ncd\n\ne");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 1);
        assert_eq!(idx.line(3), 2);
        assert_eq!(idx.line(6), 3);
        assert_eq!(idx.line(7), 4);
    }

    #[test]
    fn malformed_outcomes() {
        let e = DecodeError::new(5, "integer too large: x");
        assert_eq!(
            malformed_outcome(ModuleCheck::Malformed(e.clone()), "integer too large"),
            Outcome::Pass
        );
        let Outcome::Fail(m) = malformed_outcome(ModuleCheck::Malformed(e), "unexpected end")
        else {
            panic!()
        };
        assert!(m.contains("\"integer too large: x\" at offset 0x5"), "{m}");
        let Outcome::Fail(m) = malformed_outcome(ModuleCheck::Decoded(vec![]), "unexpected end")
        else {
            panic!()
        };
        assert!(m.contains("but the module decoded"), "{m}");
        let Outcome::Fail(m) = malformed_outcome(ModuleCheck::Mismatch("differ".into()), "x")
        else {
            panic!()
        };
        assert!(m.ends_with("differ"), "{m}");
    }
}
