//! `Module`: a compiled module, and its descriptors.

use std::fmt;
use std::sync::Arc;

use rill_decoder::{Bytes, CustomSection, ExternalKind, TypeRef};

use crate::compiler::{ActiveCompiler, Code};
use crate::config::ModuleConfig;
use crate::error::{CompileError, Error};
use crate::pipeline::{Mode, Pipeline};
use crate::progress::Counters;

pub(crate) struct ModuleInner {
    /// The interpreter's module, assembled from what the compile produced: the validated
    /// sections and every function lowered (and verified) on the compile's workers.
    /// Instantiating it decodes, validates and lowers nothing again.
    pub(crate) vm: Arc<rill_vm::Module>,
    pub(crate) customs: Vec<CustomSection>,
    /// The export names in order, shared by every instance's [`Exports`](crate::Exports).
    pub(crate) export_names: Arc<[String]>,
}

/// A compiled WebAssembly module (`WebAssembly.Module`): decoded, validated, every function
/// body compiled. Instantiate it as often as you like.
///
/// `Module` is `Send + Sync` and cheap to clone: clones share one immutable compiled module
/// behind an `Arc`, like a JS `Module` posted to a worker.
#[derive(Clone)]
pub struct Module(pub(crate) Arc<ModuleInner>);

impl Module {
    /// Compiles a module synchronously (`new WebAssembly.Module(bytes)`).
    ///
    /// Fails with [`Error::CompileError`] if the bytes are malformed, invalid or over one of
    /// the implementation limits (JS-API.md). The message is the same as that of
    /// [`compile`](crate::compile) and [`compile_streaming`](crate::compile_streaming) for
    /// the same bytes. Large code sections are compiled on several threads; the call returns
    /// when all are done.
    pub fn new(bytes: impl AsRef<[u8]>) -> Result<Module, Error> {
        Module::with_config(bytes, ModuleConfig::default())
    }

    /// Compiles a module synchronously like [`Module::new`], with the limits and proposals
    /// of `config` (see [`ModuleConfig`]). Its instances are built with the same
    /// configuration.
    pub fn with_config(bytes: impl AsRef<[u8]>, config: ModuleConfig) -> Result<Module, Error> {
        let mut pipeline = Pipeline::<ActiveCompiler>::with_config(
            Mode::AtOnce,
            Arc::new(Counters::default()),
            config,
        );
        pipeline.push(Bytes::copy_from_slice(bytes.as_ref()));
        pipeline.finish();
        pipeline.wait();
        Ok(Module::from_compiled(pipeline.result()?)?)
    }

    /// The module a successful compile produced. Fails only if the compiled parts do not
    /// add up, which would be a bug in the pipeline (see [`rill_vm::Module::from_parts`]).
    pub(crate) fn from_compiled(
        c: crate::pipeline::Compiled<Code>,
    ) -> Result<Module, CompileError> {
        let vm = rill_vm::Module::from_parts(c.env, c.sections.parts, c.functions)?;
        Ok(Module(Arc::new(ModuleInner {
            export_names: vm.exports().iter().map(|e| e.name.clone()).collect(),
            vm: Arc::new(vm),
            customs: c.sections.customs,
        })))
    }

    /// Whether the module was compiled with fuel metering ([`ModuleConfig::fuel`]), as a
    /// store that meters fuel requires.
    pub fn is_metered(&self) -> bool {
        self.0.vm.metered()
    }

    /// The module's exports in module order (`WebAssembly.Module.exports`).
    pub fn exports(&self) -> Vec<ExportDescriptor> {
        self.0
            .vm
            .exports()
            .iter()
            .map(|e| ExportDescriptor {
                name: e.name.clone(),
                kind: e.kind.into(),
            })
            .collect()
    }

    /// The module's imports in module order (`WebAssembly.Module.imports`).
    pub fn imports(&self) -> Vec<ImportDescriptor> {
        self.0
            .vm
            .imports()
            .iter()
            .map(|i| ImportDescriptor {
                module: i.module.clone(),
                name: i.name.clone(),
                kind: ExternKind::of_import(&i.ty),
            })
            .collect()
    }

    /// The payloads (the bytes after the name) of every custom section named exactly
    /// `name`, in module order (`WebAssembly.Module.customSections`). The bytes are shared
    /// with the module, not copied.
    pub fn custom_sections(&self, name: &str) -> Vec<Bytes> {
        self.0
            .customs
            .iter()
            .filter(|c| c.name == name)
            .map(|c| c.data.clone())
            .collect()
    }
}

impl fmt::Debug for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Module")
            .field("imports", &self.0.vm.imports().len())
            .field("exports", &self.0.vm.exports().len())
            .field("functions", &self.0.vm.functions().len())
            .finish_non_exhaustive()
    }
}

/// The kind of an import or export (the JS `ImportExportKind`). Displays as the JS string:
/// `function`, `table`, `memory`, `global`, `tag`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternKind {
    /// A function.
    Function,
    /// A table.
    Table,
    /// A linear memory.
    Memory,
    /// A global.
    Global,
    /// An exception tag.
    Tag,
}

impl ExternKind {
    fn of_import(ty: &TypeRef) -> ExternKind {
        match ty {
            TypeRef::Func(_) | TypeRef::FuncExact(_) => ExternKind::Function,
            TypeRef::Table(_) => ExternKind::Table,
            TypeRef::Memory(_) => ExternKind::Memory,
            TypeRef::Global(_) => ExternKind::Global,
            TypeRef::Tag(_) => ExternKind::Tag,
        }
    }

    /// The JS name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ExternKind::Function => "function",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        }
    }
}

impl From<ExternalKind> for ExternKind {
    fn from(k: ExternalKind) -> Self {
        match k {
            ExternalKind::Func => ExternKind::Function,
            ExternalKind::Table => ExternKind::Table,
            ExternalKind::Memory => ExternKind::Memory,
            ExternalKind::Global => ExternKind::Global,
            ExternalKind::Tag => ExternKind::Tag,
        }
    }
}

impl fmt::Display for ExternKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One export of a module: `{ name, kind }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExportDescriptor {
    /// The export's name.
    pub name: String,
    /// What it exports.
    pub kind: ExternKind,
}

/// One import of a module: `{ module, name, kind }`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImportDescriptor {
    /// The module name of the import.
    pub module: String,
    /// The field name of the import.
    pub name: String,
    /// What it imports.
    pub kind: ExternKind,
}
