//! A compiled module: its sections as the decoder gave them, and every function body
//! validated and lowered.

use std::sync::Arc;

use rill_decoder::{
    Data, Decoder, Element, Event, Export, Global, Import, MemoryType, Payload, Table,
};
use rill_lower::lower_function;

use crate::exec::Code;
use rill_validator::{Config, ModuleEnv, ModuleValidator};

/// Why a module failed to compile: malformed or invalid.
pub type CompileError = rill_validator::Error;

/// A validated module with its functions lowered to bytecode. Shared between instances.
#[derive(Debug)]
pub struct Module {
    pub(crate) env: Arc<ModuleEnv>,
    pub(crate) imports: Vec<Import>,
    pub(crate) exports: Vec<Export>,
    pub(crate) tables: Vec<Table>,
    pub(crate) memories: Vec<MemoryType>,
    pub(crate) globals: Vec<Global>,
    pub(crate) elements: Vec<Element>,
    pub(crate) datas: Vec<Data>,
    pub(crate) start: Option<u32>,
    /// The defined functions, in order.
    pub(crate) code: Vec<Arc<Code>>,
    code_bytes: usize,
}

impl Module {
    /// Decodes, validates and lowers a whole module.
    pub fn new(bytes: &[u8]) -> Result<Module, CompileError> {
        let mut decoder = Decoder::new();
        decoder.push(bytes)?;
        decoder.finish()?;
        let mut events = Vec::new();
        while let Some(e) = decoder.next_event() {
            events.push(e);
        }
        Self::from_events(&events, Config::default())
    }

    /// Validates and lowers a module from the decoder's events.
    pub fn from_events<'a>(
        events: impl IntoIterator<Item = &'a Event>,
        config: Config,
    ) -> Result<Module, CompileError> {
        let mut v = ModuleValidator::with_config(config);
        let mut m = Module {
            env: Arc::new(ModuleEnv::default()),
            imports: Vec::new(),
            exports: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            elements: Vec::new(),
            datas: Vec::new(),
            start: None,
            code: Vec::new(),
            code_bytes: 0,
        };
        for event in events {
            v.payload(event)?;
            match &event.payload {
                Payload::Import(i) => m.imports.extend(i.iter().cloned()),
                Payload::Export(e) => m.exports.extend(e.iter().cloned()),
                Payload::Table(t) => m.tables.extend(t.iter().cloned()),
                Payload::Memory(t) => m.memories.extend(t.iter().copied()),
                Payload::Global(g) => m.globals.extend(g.iter().cloned()),
                Payload::Element(e) => m.elements.extend(e.iter().cloned()),
                Payload::Data(d) => m.datas.extend(d.iter().cloned()),
                Payload::Start(s) => m.start = Some(*s),
                Payload::FunctionBody(body) => {
                    let env = v.env().expect("frozen at the code section");
                    m.code
                        .push(Arc::new(crate::exec::verify(lower_function(env, body)?)));
                    m.code_bytes += body.bytes.len();
                }
                _ => {}
            }
        }
        match v.env() {
            Some(env) => m.env = env.clone(),
            None => {
                return Err(rill_validator::ValidationError::new(0, "module ended early").into())
            }
        }
        Ok(m)
    }

    /// The imports, in order.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// The exports, in order.
    pub fn exports(&self) -> &[Export] {
        &self.exports
    }

    /// The lowered functions (defined ones, in order): each one's frame layout and side
    /// tables (its `code` field is empty), and its instructions.
    pub fn functions(
        &self,
    ) -> impl ExactSizeIterator<
        Item = (
            &rill_lower::CompiledFunc,
            impl Iterator<Item = &rill_lower::Instr>,
        ),
    > {
        self.code
            .iter()
            .map(|c| (&c.func, c.ops.iter().map(|op| &op.instr)))
    }

    /// Total size of the function bodies in the binary, and of their loaded bytecode
    /// (instructions with their handlers, and side tables).
    pub fn code_sizes(&self) -> (usize, usize) {
        let lowered = self.code.iter().map(|f| f.size_bytes()).sum();
        (self.code_bytes, lowered)
    }
}
