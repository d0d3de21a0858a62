//! Where the stages plug in.
//!
//! The harness ([`crate::run`]) owns everything that does not depend on how far the engine
//! has come: finding and parsing the scripts, encoding modules with the `wast` crate, decoding
//! every module whole and byte by byte, matching `assert_malformed` messages, the expected
//! failures, and the counts. Everything after decoding is asked of an [`Engine`], one method
//! per directive. Each method returns an [`Outcome`]; the defaults say what the decoding stage
//! can say: a module that decoded has passed everything this stage checks ([`Outcome::Pass`]),
//! every assertion about validation, linking or execution is [`Outcome::NotRun`].
//!
//! A later stage implements the methods it can answer (compilation: `module`,
//! `module_definition`, `assert_malformed`, `assert_invalid`; instantiation: `assert_unlinkable`,
//! `module_instance`, `register`, `assert_trap` with a module; execution: `invoke`,
//! `assert_return`, `assert_trap`, `assert_exhaustion`, `assert_exception`) and changes
//! [`StageEngine`] to its engine. The harness, the test and the summary stay as they are.
//!
//! Methods that take a module are called only after the harness decoded it with identical
//! results whole and byte by byte; a module that could not be encoded or decoded is reported
//! to [`Engine::module_unavailable`] instead, so the engine can make later references to it
//! fail rather than run against a stale module.

use rill_decoder::{Event, Features};
use wast::{WastInvoke, WastRet};

use crate::decode::ModuleCheck;
pub use crate::report::Outcome;

/// The engine the test and the summary run: the most complete stage there is.
pub type StageEngine = crate::execute::Execute;

/// A module the harness has encoded and decoded.
#[derive(Clone, Copy, Debug)]
pub struct ModuleCase<'a> {
    /// 1-based line of the directive that holds the module.
    pub line: usize,
    /// The module's `$id`, if it has one (without the `$`).
    pub name: Option<&'a str>,
    /// The binary module.
    pub bytes: &'a [u8],
    /// What the decoder produced for it (whole-module run; the split run was identical).
    pub events: &'a [Event],
}

/// What an `assert_return`, `assert_trap`, `assert_exception` or `assert_suspension` runs.
#[derive(Clone, Copy, Debug)]
pub enum Exec<'a, 'b> {
    /// Call an export of the named (or the latest) instance.
    Invoke(&'b WastInvoke<'a>),
    /// Read an exported global of the named (or the latest) instance.
    Get {
        module: Option<&'a str>,
        global: &'a str,
    },
    /// Instantiate this module (traps of start functions and initialisers).
    Module(ModuleCase<'b>),
}

/// One stage of the engine, as seen by the harness. One value is made per `.wast` file
/// (`Default`), so state such as the current instance and registered names lives here.
pub trait Engine: Default {
    /// Called once, before the first directive, with the file's path relative to the
    /// testsuite (a stage may treat files of out-of-scope proposals differently).
    fn start_file(&mut self, path: &str) {
        let _ = path;
    }

    /// Decodes a module whole and one byte at a time. Stages keep this default; the harness's
    /// own tests override it with a fake decoder.
    fn decode(&mut self, bytes: &[u8], features: Features) -> ModuleCheck {
        crate::decode::check_module(bytes, features)
    }

    /// `(module …)`: validate, compile, instantiate; it becomes the current instance.
    fn module(&mut self, module: &ModuleCase<'_>) -> Outcome {
        let _ = module;
        Outcome::Pass
    }

    /// `(module definition …)`: validate and compile, do not instantiate.
    fn module_definition(&mut self, module: &ModuleCase<'_>) -> Outcome {
        let _ = module;
        Outcome::Pass
    }

    /// A module of the script could not be encoded or decoded (already reported as a failure).
    fn module_unavailable(&mut self, name: Option<&str>) {
        let _ = name;
    }

    /// `(module instance $i $m)`.
    fn module_instance(&mut self, instance: Option<&str>, module: Option<&str>) -> Outcome {
        let _ = (instance, module);
        Outcome::NotRun
    }

    /// `(assert_malformed (module binary …) "message")`: called only once the harness's
    /// decoding check passed (decoding whole and split fails with `message`), with the
    /// module's bytes; compiling them must fail with `message` too.
    fn assert_malformed(&mut self, bytes: &[u8], message: &str) -> Outcome {
        let _ = (bytes, message);
        Outcome::Pass
    }

    /// `(assert_invalid (module …) "message")`: validation must fail with `message`.
    fn assert_invalid(&mut self, module: &ModuleCase<'_>, message: &str) -> Outcome {
        let _ = (module, message);
        Outcome::NotRun
    }

    /// `(assert_invalid_custom …)`: a custom section is invalid; the module itself is fine.
    fn assert_invalid_custom(&mut self, module: &ModuleCase<'_>, message: &str) -> Outcome {
        let _ = (module, message);
        Outcome::NotRun
    }

    /// `(assert_malformed_custom …)` with a binary module: a custom section is malformed; the
    /// module itself decodes.
    fn assert_malformed_custom(&mut self, module: &ModuleCase<'_>, message: &str) -> Outcome {
        let _ = (module, message);
        Outcome::NotRun
    }

    /// `(assert_unlinkable (module …) "message")`: instantiation must fail to link.
    fn assert_unlinkable(&mut self, module: &ModuleCase<'_>, message: &str) -> Outcome {
        let _ = (module, message);
        Outcome::NotRun
    }

    /// `(register "name" $instance?)`.
    fn register(&mut self, name: &str, instance: Option<&str>) -> Outcome {
        let _ = (name, instance);
        Outcome::NotRun
    }

    /// `(invoke …)` on its own: must not trap.
    fn invoke(&mut self, call: &WastInvoke<'_>) -> Outcome {
        let _ = call;
        Outcome::NotRun
    }

    /// `(assert_return exec results…)`.
    fn assert_return(&mut self, exec: &Exec<'_, '_>, results: &[WastRet<'_>]) -> Outcome {
        let _ = (exec, results);
        Outcome::NotRun
    }

    /// `(assert_trap exec "message")`; with a module: instantiation traps.
    fn assert_trap(&mut self, exec: &Exec<'_, '_>, message: &str) -> Outcome {
        let _ = (exec, message);
        Outcome::NotRun
    }

    /// `(assert_exhaustion (invoke …) "message")`.
    fn assert_exhaustion(&mut self, call: &WastInvoke<'_>, message: &str) -> Outcome {
        let _ = (call, message);
        Outcome::NotRun
    }

    /// `(assert_exception exec)`.
    fn assert_exception(&mut self, exec: &Exec<'_, '_>) -> Outcome {
        let _ = exec;
        Outcome::NotRun
    }

    /// `(assert_suspension exec "message")` (stack switching).
    fn assert_suspension(&mut self, exec: &Exec<'_, '_>, message: &str) -> Outcome {
        let _ = (exec, message);
        Outcome::NotRun
    }

    /// `(thread $name (shared (module $m))? directives…)`: called before the harness runs the
    /// thread's directives (in order, on this engine).
    fn thread(&mut self, name: &str, shared_module: Option<&str>) -> Outcome {
        let _ = (name, shared_module);
        Outcome::NotRun
    }

    /// `(wait $thread)`.
    fn wait(&mut self, thread: &str) -> Outcome {
        let _ = thread;
        Outcome::NotRun
    }
}

/// The decoding stage: everything after decoding is not run yet.
#[derive(Debug, Default)]
pub struct DecodeOnly;

impl Engine for DecodeOnly {}
