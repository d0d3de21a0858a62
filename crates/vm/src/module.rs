//! A compiled module: its sections as the decoder gave them, and every function body
//! validated, lowered and verified.

use std::sync::Arc;

use rill_decoder::{
    Data, Decoder, Element, Event, Export, FunctionBody, Global, Import, MemoryType, Payload, Table,
};
use rill_lower::{lower_function_with, CompiledFunc};
use rill_validator::{Config, ModuleEnv, ModuleValidator, ValidationError};

use crate::exec::Code;

/// Why a module failed to compile: malformed or invalid.
pub type CompileError = rill_validator::Error;

/// A function lowered by [`rill_lower`] that passed the interpreter's verification (the
/// checks its unchecked register accesses rely on), ready to run. The only way to make one
/// is [`VerifiedFunc::new`].
///
/// Verification is per function and needs no module, so it can run wherever the function
/// was lowered (a compile worker thread, say); [`Module::from_parts`] then only assembles.
/// Cloning shares the code.
///
/// ```
/// use rill_decoder::{decode_chunks, Features, Payload};
/// use rill_validator::ModuleValidator;
///
/// let wasm = wat::parse_str(r#"(module (func (export "answer") (result i32) i32.const 42))"#)?;
/// let run = decode_chunks([&wasm[..]], Features::default());
/// let mut validator = ModuleValidator::new();
/// let mut functions = Vec::new();
/// for event in &run.events {
///     validator.payload(event)?;
///     if let Payload::FunctionBody(body) = &event.payload {
///         let env = validator.env().unwrap();
///         let lowered = rill_lower::lower_function(env, body)?;
///         functions.push(rill_vm::VerifiedFunc::new(lowered, body));
///     }
/// }
/// assert_eq!(functions.len(), 1);
/// assert_eq!(functions[0].code().results, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct VerifiedFunc {
    code: Arc<Code>,
    /// Size of the body it was lowered from, in the binary.
    body_bytes: usize,
}

impl VerifiedFunc {
    /// Verifies `code`, lowered from `body` (whose size is kept for
    /// [`Module::code_sizes`]).
    ///
    /// # Panics
    /// If `code` breaks an invariant the lowering guarantees (a branch out of the code, a
    /// `br_table` without its branches, inconsistent frame counts): that is a bug in
    /// `rill_lower`, and running such code would be unsound.
    pub fn new(code: CompiledFunc, body: &FunctionBody) -> VerifiedFunc {
        VerifiedFunc {
            code: Arc::new(crate::exec::verify(code)),
            body_bytes: body.bytes.len(),
        }
    }

    /// The verified function's frame layout and side tables (its `code` field is empty:
    /// the instructions are paired with their handlers, see [`Module::functions`]).
    pub fn code(&self) -> &CompiledFunc {
        &self.code.func
    }
}

/// What a module's sections declare besides what its [`ModuleEnv`] records (types,
/// function types, memories, tags, ...), as the decoder gave them: with the
/// [`ModuleEnv`] and the functions, everything [`Module::from_parts`] needs.
#[derive(Clone, Debug, Default)]
pub struct ModuleParts {
    /// The import section, in order.
    pub imports: Vec<Import>,
    /// The export section, in order.
    pub exports: Vec<Export>,
    /// The defined tables (with their initialisers).
    pub tables: Vec<Table>,
    /// The defined globals (with their initialisers).
    pub globals: Vec<Global>,
    /// The element segments.
    pub elements: Vec<Element>,
    /// The data segments.
    pub datas: Vec<Data>,
    /// The start function.
    pub start: Option<u32>,
}

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
    /// Each export's position in `exports`, by name (an instance keeps its exports by
    /// position, so instantiating copies no names).
    pub(crate) export_index: std::collections::HashMap<String, u32>,
    /// The function type of each defined function, shared by every instance's functions.
    pub(crate) func_types: Vec<Arc<rill_decoder::FuncType>>,
    /// The types registered in an empty store, for instantiating in a fresh one.
    pub(crate) type_plan: crate::entities::TypePlan,
}

impl Module {
    /// Decodes, validates and lowers a whole module.
    pub fn new(bytes: &[u8]) -> Result<Module, CompileError> {
        Self::new_with(bytes, rill_lower::Options::default())
    }

    /// [`Module::new`], lowering with `options` (e.g. fuel metering:
    /// [`rill_lower::Options::fuel`]).
    pub fn new_with(bytes: &[u8], options: rill_lower::Options) -> Result<Module, CompileError> {
        let mut decoder = Decoder::new();
        decoder.push(bytes)?;
        decoder.finish()?;
        let mut events = Vec::new();
        while let Some(e) = decoder.next_event() {
            events.push(e);
        }
        Self::from_events_with(&events, Config::default(), options)
    }

    /// Validates and lowers a module from the decoder's events.
    pub fn from_events<'a>(
        events: impl IntoIterator<Item = &'a Event>,
        config: Config,
    ) -> Result<Module, CompileError> {
        Self::from_events_with(events, config, rill_lower::Options::default())
    }

    /// [`Module::from_events`], lowering with `options`.
    pub fn from_events_with<'a>(
        events: impl IntoIterator<Item = &'a Event>,
        config: Config,
        options: rill_lower::Options,
    ) -> Result<Module, CompileError> {
        let mut v = ModuleValidator::with_config(config);
        let mut parts = ModuleParts::default();
        let mut functions = Vec::new();
        for event in events {
            v.payload(event)?;
            match &event.payload {
                Payload::Import(i) => parts.imports.extend(i.iter().cloned()),
                Payload::Export(e) => parts.exports.extend(e.iter().cloned()),
                Payload::Table(t) => parts.tables.extend(t.iter().cloned()),
                Payload::Global(g) => parts.globals.extend(g.iter().cloned()),
                Payload::Element(e) => parts.elements.extend(e.iter().cloned()),
                Payload::Data(d) => parts.datas.extend(d.iter().cloned()),
                Payload::Start(s) => parts.start = Some(*s),
                Payload::FunctionBody(body) => {
                    let env = v.env().expect("frozen at the code section");
                    functions.push(VerifiedFunc::new(
                        lower_function_with(env, body, options)?,
                        body,
                    ));
                }
                _ => {}
            }
        }
        let Some(env) = v.env() else {
            return Err(ValidationError::new(0, "module ended early").into());
        };
        Self::from_parts(env.clone(), parts, functions)
    }

    /// Assembles a module that was validated and lowered elsewhere: its environment (from
    /// the [`ModuleValidator`] that validated it), its sections, and its defined functions
    /// in order, each lowered and verified ([`VerifiedFunc`]). Nothing is decoded,
    /// validated or lowered again.
    ///
    /// The caller vouches that `env` and `parts` come from validating one module and that
    /// `functions` are its bodies, lowered against `env`. What can be checked cheaply is:
    /// a module whose parts do not add up (the number of functions, tables, globals, imports
    /// or element segments, or a function's parameter or result count, differs from what
    /// `env` says) is an error naming the first mismatch.
    ///
    /// ```
    /// use rill_decoder::{decode_chunks, Features, Payload};
    /// use rill_validator::ModuleValidator;
    ///
    /// let wasm = wat::parse_str(r#"(module (func (export "answer") (result i32) i32.const 42))"#)?;
    /// let run = decode_chunks([&wasm[..]], Features::default());
    /// let mut validator = ModuleValidator::new();
    /// let mut parts = rill_vm::ModuleParts::default();
    /// let mut functions = Vec::new();
    /// for event in &run.events {
    ///     validator.payload(event)?;
    ///     match &event.payload {
    ///         Payload::Export(e) => parts.exports = e.clone(),
    ///         Payload::FunctionBody(body) => {
    ///             let lowered = rill_lower::lower_function(validator.env().unwrap(), body)?;
    ///             functions.push(rill_vm::VerifiedFunc::new(lowered, body));
    ///         }
    ///         _ => {}
    ///     }
    /// }
    /// let env = validator.env().unwrap().clone();
    /// let module = std::sync::Arc::new(rill_vm::Module::from_parts(env, parts, functions)?);
    ///
    /// let mut store = rill_vm::Store::new();
    /// let instance = store.instantiate(&module, &[]).unwrap();
    /// let Some(rill_vm::Extern::Func(answer)) = store.export(instance, "answer") else {
    ///     panic!("no export answer")
    /// };
    /// assert_eq!(store.invoke(answer, &[]), Ok(vec![rill_vm::Value::I32(42)]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_parts(
        env: Arc<ModuleEnv>,
        parts: ModuleParts,
        functions: Vec<VerifiedFunc>,
    ) -> Result<Module, CompileError> {
        check_parts(&env, &parts, &functions)?;
        let ModuleParts {
            imports,
            exports,
            tables,
            globals,
            elements,
            datas,
            start,
        } = parts;
        let code_bytes = functions.iter().map(|f| f.body_bytes).sum();
        let export_index = (0..)
            .zip(&exports)
            .map(|(k, e)| (e.name.clone(), k))
            .collect();
        let func_types = (env.imported_funcs as usize..env.funcs.len())
            .map(|f| {
                let t = env.funcs[f];
                Arc::new(env.types.func_type(t).expect("function type").clone())
            })
            .collect();
        Ok(Module {
            type_plan: crate::entities::TypePlan::new(&env.types),
            export_index,
            func_types,
            memories: env.memories[env.imported_memories as usize..].to_vec(),
            env,
            imports,
            exports,
            tables,
            globals,
            elements,
            datas,
            start,
            code: functions.into_iter().map(|f| f.code).collect(),
            code_bytes,
        })
    }

    /// Whether every function of the module was lowered with fuel metering
    /// ([`rill_lower::Options::fuel`]), as a store that meters fuel requires
    /// ([`Store::set_fuel`](crate::Store::set_fuel)). True for a module without functions.
    pub fn metered(&self) -> bool {
        self.code.iter().all(|c| c.func.metered)
    }

    /// The module's environment: its types and the types of its functions, tables,
    /// memories, globals and tags, imported ones first.
    pub fn env(&self) -> &Arc<ModuleEnv> {
        &self.env
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

/// [`Module::from_parts`]'s consistency checks.
fn check_parts(
    env: &ModuleEnv,
    parts: &ModuleParts,
    functions: &[VerifiedFunc],
) -> Result<(), CompileError> {
    let mismatch = |what: String| -> CompileError {
        ValidationError::new(
            0,
            format!("module parts do not match their environment: {what}"),
        )
        .into()
    };
    let count = |what: &str, given: usize, env_says: usize| {
        if given == env_says {
            Ok(())
        } else {
            Err(mismatch(format!(
                "{given} {what} given, the environment has {env_says}"
            )))
        }
    };
    let imported = env.imported_funcs
        + env.imported_tables
        + env.imported_memories
        + env.imported_globals
        + env.imported_tags;
    count("imports", parts.imports.len(), imported as usize)?;
    count(
        "defined functions",
        functions.len(),
        env.defined_funcs() as usize,
    )?;
    count(
        "defined tables",
        parts.tables.len(),
        env.tables.len() - env.imported_tables as usize,
    )?;
    count(
        "defined globals",
        parts.globals.len(),
        env.globals.len() - env.imported_globals as usize,
    )?;
    count("element segments", parts.elements.len(), env.elements.len())?;
    if let Some(n) = env.data_count {
        count("data segments", parts.datas.len(), n as usize)?;
    }
    for (i, f) in functions.iter().enumerate() {
        let index = env.imported_funcs + i as u32;
        let ty = env
            .func_type_of(index)
            .ok_or_else(|| mismatch(format!("function {index} has no function type")))?;
        let code = &f.code.func;
        if usize::from(code.params) != ty.params.len()
            || usize::from(code.results) != ty.results.len()
        {
            return Err(mismatch(format!(
                "function {index} has {} parameters and {} results, its type {} and {}",
                code.params,
                code.results,
                ty.params.len(),
                ty.results.len()
            )));
        }
    }
    Ok(())
}
