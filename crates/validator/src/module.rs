//! Module-level validation, fed with the decoder's events in arrival order.

use std::collections::HashSet;
use std::sync::Arc;

use rill_decoder::{
    limits, CompositeTypeKind, ConstExpr, DataKind, ElementItems, ElementKind, Event, ExternalKind,
    Features, GlobalType, HeapType, MemoryType, Payload, RecGroup, RefType, StorageType, TableType,
    TagType, TypeRef, ValType,
};

use crate::env::ModuleEnv;
use crate::error::{bail, Result, ValidationError};
use crate::func::validate_const_expr;

/// Options of the validator.
///
/// ```
/// use rill_decoder::Features;
/// use rill_validator::{validate_with, Config};
///
/// // (module (type (struct (field (ref null (exact 0)))))): an exact reference type, from
/// // the custom-descriptors proposal.
/// let wasm = [0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 0x5f, 1, 0x63, 0x62, 0, 0];
/// let err = validate_with(&wasm, Config::default()).unwrap_err();
/// assert_eq!(err.message(), "custom descriptors required for exact reference types");
/// let features = Features { custom_descriptors: true, ..Features::default() };
/// assert!(validate_with(&wasm, Config { features, ..Config::default() }).is_ok());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Enforce the JS API's implementation limits beyond the core ones (JS-API.md): an
    /// initial table size over 10,000,000 is rejected. On by default.
    pub js_limits: bool,
    /// The proposals beyond Wasm 3.0 to accept (none by default). The decoder that feeds the
    /// validator must have the same ([`rill_decoder::Decoder::with_features`]).
    pub features: Features,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            js_limits: true,
            features: Features::default(),
        }
    }
}

/// Validates a module section by section: feed it every event of the decoder, in order,
/// with [`ModuleValidator::payload`]. When the code section starts (or the module ends
/// without one), [`ModuleValidator::env`] gives the frozen [`ModuleEnv`] that
/// [`validate_function`](crate::validate_function) needs for each `FunctionBody`.
#[derive(Debug)]
pub struct ModuleValidator {
    config: Config,
    /// Being built until the code section; shared afterwards.
    env: Arc<ModuleEnv>,
    frozen: bool,
    function_types_seen: bool,
    export_names: HashSet<String>,
}

impl Default for ModuleValidator {
    fn default() -> Self {
        ModuleValidator::new()
    }
}

impl ModuleValidator {
    /// A validator expecting the first event of a module.
    pub fn new() -> Self {
        Self::with_config(Config::default())
    }

    /// A validator with the given options.
    pub fn with_config(config: Config) -> Self {
        ModuleValidator {
            config,
            env: Arc::new(ModuleEnv {
                features: config.features,
                ..ModuleEnv::default()
            }),
            frozen: false,
            function_types_seen: false,
            export_names: HashSet::new(),
        }
    }

    /// The module environment, once it is complete: from the start of the code section
    /// (or the end of a module without one).
    pub fn env(&self) -> Option<&Arc<ModuleEnv>> {
        self.frozen.then_some(&self.env)
    }

    fn env_mut(&mut self) -> &mut ModuleEnv {
        Arc::get_mut(&mut self.env).expect("module environment is shared only once frozen")
    }

    /// Validates one decoder event. Function bodies are not validated here: for each
    /// `FunctionBody`, call [`validate_function`](crate::validate_function) with
    /// [`ModuleValidator::env`] (on any thread).
    pub fn payload(&mut self, event: &Event) -> Result<()> {
        let at = event.range.start;
        match &event.payload {
            Payload::Header { .. } | Payload::Custom(_) | Payload::FunctionBody(_) => {}
            Payload::Type(groups) => {
                let env = self.env_mut();
                for g in groups {
                    if !env.features.custom_descriptors {
                        check_no_custom_descriptors(env, g, at)?;
                    }
                    env.types.add_rec_group(g, at)?;
                }
            }
            Payload::Import(imports) => {
                for import in imports {
                    self.import(&import.ty, at)?;
                }
            }
            Payload::Function(types) => {
                self.function_types_seen = true;
                let env = self.env_mut();
                if env.funcs.len() as u64 + types.len() as u64 > u64::from(limits::MAX_FUNCTIONS) {
                    bail!(at, "too many functions");
                }
                for &t in types {
                    check_func_type_index(env, t, at)?;
                    env.funcs.push(t);
                }
            }
            Payload::Table(tables) => {
                for table in tables {
                    self.table_type(&table.ty, at)?;
                    match &table.init {
                        Some(init) => {
                            let ty = ValType::Ref(table.ty.element);
                            self.const_expr(init, ty)?;
                        }
                        None if !table.ty.element.nullable => {
                            bail!(
                                at,
                                "type mismatch: a non-nullable table needs an initialiser"
                            )
                        }
                        None => {}
                    }
                    self.env_mut().tables.push(table.ty);
                }
            }
            Payload::Memory(memories) => {
                for m in memories {
                    check_memory_type(m, at)?;
                    self.env_mut().memories.push(*m);
                }
            }
            Payload::Tag(tags) => {
                for t in tags {
                    check_tag_type(&self.env, t, at)?;
                    self.env_mut().tags.push(*t);
                }
            }
            Payload::Global(globals) => {
                for g in globals {
                    check_global_type(&self.env, &g.ty, at)?;
                    self.const_expr(&g.init, g.ty.content)?;
                    self.env_mut().globals.push(g.ty);
                }
            }
            Payload::Export(exports) => {
                for e in exports {
                    self.export(&e.name, e.kind, e.index, at)?;
                }
            }
            Payload::Start(f) => {
                let Some(ty) = self.env.func_type_of(*f) else {
                    bail!(at, "unknown function {f}");
                };
                if !ty.params.is_empty() || !ty.results.is_empty() {
                    bail!(at, "start function must have type [] -> []");
                }
            }
            Payload::Element(elements) => {
                for e in elements {
                    self.element(e)?;
                }
            }
            Payload::DataCount(n) => self.env_mut().data_count = Some(*n),
            Payload::CodeStart { count } => {
                if *count != self.env.defined_funcs() {
                    bail!(at, "function and code section have inconsistent lengths");
                }
                self.frozen = true;
            }
            Payload::Data(segments) => {
                if let Some(n) = self.env.data_count {
                    if n as usize != segments.len() {
                        bail!(at, "data count and data section have inconsistent lengths");
                    }
                }
                for d in segments {
                    if let DataKind::Active { memory, offset } = &d.kind {
                        let Some(ty) = self.env.memory_index_type(*memory) else {
                            bail!(d.offset, "unknown memory {memory}");
                        };
                        self.const_expr(offset, ty)?;
                    }
                }
            }
            Payload::End => {
                if self.env.defined_funcs() != 0 && !self.frozen {
                    bail!(at, "function and code section have inconsistent lengths");
                }
                self.frozen = true;
            }
        }
        Ok(())
    }

    /// Validates a constant expression of type `ty`; the functions it references become
    /// declared.
    fn const_expr(&mut self, expr: &ConstExpr, ty: ValType) -> Result<()> {
        let global_limit = self.env.globals.len() as u32;
        let funcs = validate_const_expr(&self.env, expr, ty, global_limit)?;
        if !funcs.is_empty() {
            if self.frozen {
                // Only data offsets come after the code section; they are numbers.
                bail!(expr.offset, "type mismatch");
            }
            self.env_mut().declared_funcs.extend(funcs);
        }
        Ok(())
    }

    fn import(&mut self, ty: &TypeRef, at: usize) -> Result<()> {
        match ty {
            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                if matches!(ty, TypeRef::FuncExact(_)) {
                    self.env
                        .require_custom_descriptors("exact function imports", at)?;
                }
                let env = self.env_mut();
                check_func_type_index(env, *t, at)?;
                if matches!(ty, TypeRef::FuncExact(_)) {
                    env.exact_imports.insert(env.imported_funcs);
                }
                env.funcs.push(*t);
                env.imported_funcs += 1;
            }
            TypeRef::Table(t) => {
                self.table_type(t, at)?;
                let env = self.env_mut();
                env.tables.push(*t);
                env.imported_tables += 1;
            }
            TypeRef::Memory(m) => {
                check_memory_type(m, at)?;
                let env = self.env_mut();
                env.memories.push(*m);
                env.imported_memories += 1;
            }
            TypeRef::Global(g) => {
                check_global_type(&self.env, g, at)?;
                let env = self.env_mut();
                env.globals.push(*g);
                env.imported_globals += 1;
            }
            TypeRef::Tag(t) => {
                check_tag_type(&self.env, t, at)?;
                let env = self.env_mut();
                env.tags.push(*t);
                env.imported_tags += 1;
            }
        }
        Ok(())
    }

    fn table_type(&self, t: &TableType, at: usize) -> Result<()> {
        self.env.check_val_type(ValType::Ref(t.element), at)?;
        let bound = if t.table64 {
            u64::MAX
        } else {
            u64::from(u32::MAX)
        };
        check_limits(t.limits.min, t.limits.max, bound, "table size", at)?;
        // JS-API.md: an initial or maximum size above the limit is a CompileError. The spec
        // itself (and so the testsuite, run without JS limits) allows up to 2^32-1.
        let largest = t.limits.max.unwrap_or(t.limits.min).max(t.limits.min);
        if self.config.js_limits && largest > limits::MAX_TABLE_SIZE {
            bail!(
                at,
                "table size {} exceeds the implementation limit of {} elements",
                largest,
                limits::MAX_TABLE_SIZE
            );
        }
        if t.shared {
            bail!(at, "shared tables are not supported");
        }
        Ok(())
    }

    fn export(&mut self, name: &str, kind: ExternalKind, index: u32, at: usize) -> Result<()> {
        let env = &self.env;
        let (len, what) = match kind {
            ExternalKind::Func => (env.funcs.len(), "function"),
            ExternalKind::Table => (env.tables.len(), "table"),
            ExternalKind::Memory => (env.memories.len(), "memory"),
            ExternalKind::Global => (env.globals.len(), "global"),
            ExternalKind::Tag => (env.tags.len(), "tag"),
        };
        if index as usize >= len {
            bail!(at, "unknown {what} {index}");
        }
        if !self.export_names.insert(name.to_owned()) {
            bail!(at, "duplicate export name {name:?}");
        }
        if kind == ExternalKind::Func {
            self.env_mut().declared_funcs.insert(index);
        }
        Ok(())
    }

    fn element(&mut self, e: &rill_decoder::Element) -> Result<()> {
        let at = e.offset;
        let ty = match &e.items {
            ElementItems::Functions(funcs) => {
                for &f in funcs {
                    if f as usize >= self.env.funcs.len() {
                        bail!(at, "unknown function {f}");
                    }
                }
                self.env_mut().declared_funcs.extend(funcs.iter().copied());
                // Wasm 3.0: function indices give non-null `(ref func)` elements.
                RefType {
                    nullable: false,
                    heap: rill_decoder::HeapType::Abstract(rill_decoder::AbsHeapType::Func),
                }
            }
            ElementItems::Expressions(ty, exprs) => {
                self.env.check_val_type(ValType::Ref(*ty), at)?;
                for x in exprs {
                    self.const_expr(x, ValType::Ref(*ty))?;
                }
                *ty
            }
        };
        if let ElementKind::Active { table, offset } = &e.kind {
            let Some(t) = self.env.tables.get(*table as usize).copied() else {
                bail!(at, "unknown table {table}");
            };
            let index_ty = if t.table64 {
                ValType::I64
            } else {
                ValType::I32
            };
            self.const_expr(offset, index_ty)?;
            if !self.env.types.ref_sub(ty, t.element) {
                bail!(
                    at,
                    "type mismatch: element segment does not match the table's type"
                );
            }
        }
        self.env_mut().elements.push(ty);
        Ok(())
    }
}

fn check_func_type_index(env: &ModuleEnv, t: u32, at: usize) -> Result<(), ValidationError> {
    if env.types.func_type(t).is_none() {
        let what = if t < env.types.len() {
            "type mismatch: not a function type"
        } else {
            ""
        };
        if what.is_empty() {
            return Err(ValidationError::new(at, format!("unknown type {t}")));
        }
        return Err(ValidationError::new(at, what));
    }
    Ok(())
}

fn check_limits(
    min: u64,
    max: Option<u64>,
    bound: u64,
    what: &'static str,
    at: usize,
) -> Result<(), ValidationError> {
    if min > bound || max.is_some_and(|m| m > bound) {
        return Err(ValidationError::new(
            at,
            format!("{what} must be at most {bound}"),
        ));
    }
    if max.is_some_and(|m| m < min) {
        return Err(ValidationError::new(
            at,
            "size minimum must not be greater than maximum",
        ));
    }
    Ok(())
}

fn check_memory_type(m: &MemoryType, at: usize) -> Result<(), ValidationError> {
    let log2 = m.page_size_log2.unwrap_or(16);
    if log2 != 0 && log2 != 16 {
        return Err(ValidationError::new(at, "invalid custom page size"));
    }
    // The whole memory must be addressable: 2^32 bytes (i32) or 2^64 - 1 bytes (i64).
    let (max_pages, text) = match (m.memory64, log2) {
        (false, 16) => (1 << 16, "memory size must be at most 65536 pages (4GiB)"),
        (false, _) => (
            u64::from(u32::MAX),
            "memory size must be at most 2^32-1 pages",
        ),
        (true, 16) => (1 << 48, "memory size must be at most 2^48 pages (256TiB)"),
        (true, _) => (u64::MAX, "memory size must be at most 2^64-1 pages"),
    };
    if m.limits.min > max_pages || m.limits.max.is_some_and(|x| x > max_pages) {
        return Err(ValidationError::new(at, text));
    }
    if m.limits.max.is_some_and(|x| x < m.limits.min) {
        return Err(ValidationError::new(
            at,
            "size minimum must not be greater than maximum",
        ));
    }
    if m.shared && m.limits.max.is_none() {
        return Err(ValidationError::new(at, "shared memory must have maximum"));
    }
    Ok(())
}

fn check_global_type(env: &ModuleEnv, g: &GlobalType, at: usize) -> Result<(), ValidationError> {
    env.check_val_type(g.content, at)
}

/// Without the custom-descriptors proposal, a rec group may have neither `describes` /
/// `descriptor` clauses nor exact reference types.
fn check_no_custom_descriptors(
    env: &ModuleEnv,
    group: &RecGroup,
    at: usize,
) -> Result<(), ValidationError> {
    for st in &group.types {
        let c = &st.composite;
        if c.describes.is_some() || c.descriptor.is_some() {
            env.require_custom_descriptors("descriptor and describes clauses", at)?;
        }
        let field = |f: &rill_decoder::FieldType| match f.storage {
            StorageType::Val(v) => Some(v),
            _ => None,
        };
        let vals: Vec<ValType> = match &c.kind {
            CompositeTypeKind::Func(f) => {
                f.params.iter().chain(f.results.iter()).copied().collect()
            }
            CompositeTypeKind::Struct(fields) => fields.iter().filter_map(field).collect(),
            CompositeTypeKind::Array(f) => field(f).into_iter().collect(),
        };
        for v in vals {
            if let ValType::Ref(RefType {
                heap: HeapType::Exact(_),
                ..
            }) = v
            {
                env.require_custom_descriptors("exact reference types", at)?;
            }
        }
    }
    Ok(())
}

fn check_tag_type(env: &ModuleEnv, t: &TagType, at: usize) -> Result<(), ValidationError> {
    let Some(ft) = env.types.func_type(t.func_type) else {
        return Err(ValidationError::new(
            at,
            format!("unknown type {}", t.func_type),
        ));
    };
    if !ft.results.is_empty() {
        return Err(ValidationError::new(at, "non-empty tag result type"));
    }
    Ok(())
}
