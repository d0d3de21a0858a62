//! `ModuleConfig`: how a module is compiled (limits, proposals).

use rill_decoder::Features;
use rill_validator::Config;

/// How [`Module::with_config`](crate::Module::with_config) compiles: which limits it enforces and which proposals beyond
/// Wasm 3.0 it accepts. The default is what [`Module::new`](crate::Module::new), [`compile`](crate::compile),
/// [`compile_streaming`](crate::compile_streaming) and [`validate`](crate::validate) use: the
/// JS API's implementation limits, Wasm 3.0 without further proposals.
///
/// ```
/// // (module (table 20000000 funcref)): valid by the core specification, but over the
/// // JS API's limit of 10,000,000 table elements.
/// let wasm = [0, 97, 115, 109, 1, 0, 0, 0, 4, 7, 1, 0x70, 0, 0x80, 0xda, 0xc4, 0x09];
/// assert!(matches!(rill::Module::new(wasm), Err(rill::Error::CompileError(_))));
/// let core = rill::ModuleConfig::new().js_limits(false);
/// assert!(rill::Module::with_config(wasm, core).is_ok());
///
/// // (module (type (struct (field (ref null (exact 0)))))): an exact reference type needs
/// // the custom-descriptors proposal.
/// let wasm = [0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 0x5f, 1, 0x63, 0x62, 0, 0];
/// assert!(matches!(rill::Module::new(wasm), Err(rill::Error::CompileError(_))));
/// let features = rill::Features { custom_descriptors: true, ..rill::Features::default() };
/// let with_descriptors = rill::ModuleConfig::new().features(features);
/// assert!(rill::Module::with_config(wasm, with_descriptors).is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModuleConfig {
    /// Enforce the JS API's implementation limits (JS-API.md, "Implementation limits")
    /// beyond the core specification's, e.g. at most 10,000,000 initial table elements.
    /// On by default; off, a module is compiled by the core specification's limits alone
    /// (what the official testsuite expects: table.wast declares tables of 2^32-1
    /// elements).
    pub js_limits: bool,
    /// Proposals beyond Wasm 3.0 that change what is malformed or invalid, all off by
    /// default: `custom_page_sizes` (memory limits flag bit 3, which Wasm 3.0 calls
    /// malformed) and `custom_descriptors` (exact reference types, descriptor clauses, the
    /// `*_desc` operators, and `br_on_cast` between any two types of one hierarchy, which
    /// Wasm 3.0 calls invalid). See [`Features`].
    pub features: Features,
    /// Compile fuel metering into the code, so that it can run in a store that meters fuel
    /// ([`Store::set_fuel`](crate::Store::set_fuel), which has the schedule). Off by
    /// default: code without it pays nothing for metering. Metered code costs about
    /// one instruction more per loop iteration, call and `if` arm, and runs without limit
    /// in a store that meters no fuel.
    pub fuel: bool,
}

impl Default for ModuleConfig {
    fn default() -> Self {
        ModuleConfig {
            js_limits: true,
            features: Features::default(),
            fuel: false,
        }
    }
}

impl ModuleConfig {
    /// The default: the JS API's limits, no proposal beyond Wasm 3.0.
    pub fn new() -> ModuleConfig {
        ModuleConfig::default()
    }

    /// Sets [`ModuleConfig::js_limits`].
    pub fn js_limits(mut self, on: bool) -> ModuleConfig {
        self.js_limits = on;
        self
    }

    /// Sets [`ModuleConfig::features`].
    pub fn features(mut self, features: Features) -> ModuleConfig {
        self.features = features;
        self
    }

    /// Sets [`ModuleConfig::fuel`].
    pub fn fuel(mut self, on: bool) -> ModuleConfig {
        self.fuel = on;
        self
    }

    pub(crate) fn lowering(self) -> rill_lower::Options {
        rill_lower::Options::default().fuel(self.fuel)
    }

    pub(crate) fn validator(self) -> Config {
        Config {
            js_limits: self.js_limits,
            features: self.features,
        }
    }
}
