//! Instantiation: `Imports`, `Instance`, and the `instantiate*` functions.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use rill_decoder::{TypeRef, ValType};

use crate::error::{Error, LinkError, TypeError};
use crate::func::Func;
use crate::global::Global;
use crate::memory::Memory;
use crate::module::{ExternKind, Module};
use crate::runtime::{trap_error, with_state};
use crate::table::Table;
use crate::tag::Tag;
use crate::values::{crosses, Value};
use crate::StreamingSource;

/// Something an instance exports, or an import is given: a function, memory, table,
/// global or tag. Equal exactly when it is the same entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A memory.
    Memory(Memory),
    /// A table.
    Table(Table),
    /// A global.
    Global(Global),
    /// A tag.
    Tag(Tag),
}

impl Extern {
    /// What kind of entity it is.
    pub fn kind(&self) -> ExternKind {
        match self {
            Extern::Func(_) => ExternKind::Function,
            Extern::Memory(_) => ExternKind::Memory,
            Extern::Table(_) => ExternKind::Table,
            Extern::Global(_) => ExternKind::Global,
            Extern::Tag(_) => ExternKind::Tag,
        }
    }

    /// The function, if it is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The memory, if it is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// The table, if it is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The global, if it is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The tag, if it is one.
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }
}

/// What an import object's field holds: an entity, or (for a global import) a plain value,
/// from which instantiation makes a new immutable global as JS does.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportValue {
    /// An entity.
    Extern(Extern),
    /// A plain value (only a global import accepts it).
    Value(Value),
}

macro_rules! from_extern {
    ($($t:ident),*) => {$(
        impl From<$t> for ImportValue {
            fn from(v: $t) -> Self {
                ImportValue::Extern(Extern::$t(v))
            }
        }
        impl From<$t> for Extern {
            fn from(v: $t) -> Self {
                Extern::$t(v)
            }
        }
    )*};
}
from_extern!(Func, Memory, Table, Global, Tag);

impl From<Extern> for ImportValue {
    fn from(v: Extern) -> Self {
        ImportValue::Extern(v)
    }
}

impl From<Value> for ImportValue {
    fn from(v: Value) -> Self {
        ImportValue::Value(v)
    }
}

/// The import object: module name → field name → [`ImportValue`].
///
/// ```
/// let mut imports = rill::Imports::new();
/// imports.define("imports", "imported_func", rill::Func::wrap(|x: i32| println!("{x}")));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Imports {
    modules: HashMap<String, HashMap<String, ImportValue>>,
}

impl Imports {
    /// An empty import object.
    pub fn new() -> Imports {
        Imports::default()
    }

    /// Sets `module`.`name` to `value`.
    pub fn define(&mut self, module: &str, name: &str, value: impl Into<ImportValue>) -> &mut Self {
        self.module(module).insert(name.to_owned(), value.into());
        self
    }

    /// Every export of `instance`, under the module name `module`.
    pub fn define_instance(&mut self, module: &str, instance: &Instance) -> &mut Self {
        for (name, ext) in instance.exports().iter() {
            self.define(module, name, ext.clone());
        }
        self
    }

    /// The fields of `module`, created empty if it has none yet (an empty module entry is
    /// not the same as a missing one: see [`Instance::new`]).
    pub fn module(&mut self, module: &str) -> &mut HashMap<String, ImportValue> {
        self.modules.entry(module.to_owned()).or_default()
    }

    /// The value of `module`.`name`.
    pub fn get(&self, module: &str, name: &str) -> Option<&ImportValue> {
        self.modules.get(module)?.get(name)
    }
}

/// An instance's exports: an ordered map (module order) from name to entity. An instance
/// makes its exports once, so asking twice gives the same entity.
#[derive(Clone, Debug, Default)]
pub struct Exports(Vec<(String, Extern)>);

impl Exports {
    /// The export named `name`.
    pub fn get(&self, name: &str) -> Option<&Extern> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, e)| e)
    }

    /// The exports in module order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Extern)> {
        self.0.iter().map(|(n, e)| (n.as_str(), e))
    }

    /// The names in module order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    /// How many exports there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An instance of a module (`WebAssembly.Instance`). Cheap to clone (clones are the same
/// instance), `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Instance(Arc<Exports>);

impl PartialEq for Instance {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Instance {}

/// What [`instantiate`] and [`instantiate_streaming`] give: the module and its instance
/// (the JS `WebAssemblyInstantiatedSource`).
#[derive(Clone, Debug)]
pub struct Instantiated {
    /// The compiled module.
    pub module: Module,
    /// Its instance.
    pub instance: Instance,
}

fn kind_of(ty: &TypeRef) -> ExternKind {
    match ty {
        TypeRef::Func(_) | TypeRef::FuncExact(_) => ExternKind::Function,
        TypeRef::Table(_) => ExternKind::Table,
        TypeRef::Memory(_) => ExternKind::Memory,
        TypeRef::Global(_) => ExternKind::Global,
        TypeRef::Tag(_) => ExternKind::Tag,
    }
}

impl Instance {
    /// Instantiates `module` synchronously (`new WebAssembly.Instance(module, imports)`).
    ///
    /// The imports are read in module order, as JS-API.md "Reading the imports" says:
    /// - the module has imports and `imports` is `None`, or the import object has no entry
    ///   for an import's module name: [`Error::TypeError`];
    /// - the field is missing or of another kind, a plain value given for a mutable or
    ///   v128 global or of another type, or the entity does not match the import's type
    ///   (function signature with subtyping, limits, shared flag, mutability, element type,
    ///   address type): [`Error::LinkError`] naming the import. Its message starts with
    ///   the official testsuite's words: `unknown import` for a missing field,
    ///   `incompatible import type` for everything else. A tag import is a `LinkError`
    ///   too, for which [`LinkError::is_unsupported`] is true: rill-vm cannot link tags
    ///   yet.
    ///
    /// Then an active data or element segment out of bounds, or a trap in the start
    /// function, is an [`Error::RuntimeError`]; an error a host function raises during the
    /// start function is returned unchanged ([`Error::Host`]).
    pub fn new(module: &Module, imports: Option<&Imports>) -> Result<Instance, Error> {
        let inner = &module.0;
        let vm_module = &inner.vm;
        // Read the imports.
        let mut plain_globals = Vec::new();
        let mut tags = Vec::new();
        let mut resolved = Vec::with_capacity(vm_module.imports().len());
        for import in vm_module.imports() {
            let (m, n) = (&import.module, &import.name);
            let Some(imports) = imports else {
                return Err(TypeError::new(format!(
                    "the module imports {m:?} {n:?} but no import object was given"
                ))
                .into());
            };
            let Some(fields) = imports.modules.get(m.as_str()) else {
                return Err(TypeError::new(format!(
                    "the import object has no module {m:?} (imported by {m:?} {n:?})"
                ))
                .into());
            };
            let link =
                |msg: String| -> Error { LinkError::new(m.as_str(), n.as_str(), msg).into() };
            let want = kind_of(&import.ty);
            let Some(value) = fields.get(n.as_str()) else {
                return Err(link(format!(
                    "unknown import: the import object has no {want} of that name"
                )));
            };
            match (&import.ty, value) {
                (TypeRef::Global(g), ImportValue::Value(v)) => {
                    if g.mutable {
                        return Err(link(
                            "incompatible import type: a plain value cannot be imported as a \
                             mutable global"
                                .into(),
                        ));
                    }
                    if g.content == ValType::V128
                        || !crosses(&g.content)
                        || matches!(v, Value::V128(_))
                    {
                        return Err(link(
                            "incompatible import type: a v128 global cannot be imported as a \
                             plain value"
                                .into(),
                        ));
                    }
                    if !v.matches(g.content) {
                        return Err(link(format!(
                            "incompatible import type: {v:?} is not a value of the global's \
                             type {:?}",
                            g.content
                        )));
                    }
                    plain_globals.push((resolved.len(), *g, *v));
                    resolved.push(None);
                }
                (_, ImportValue::Value(_)) => {
                    return Err(link(format!(
                        "incompatible import type: expected a {want}, got a plain value"
                    )));
                }
                (_, ImportValue::Extern(e)) if e.kind() != want => {
                    return Err(link(format!(
                        "incompatible import type: expected a {want}, got a {}",
                        e.kind()
                    )));
                }
                (_, ImportValue::Extern(Extern::Tag(t))) => {
                    tags.push((resolved.len(), t.clone()));
                    resolved.push(None);
                }
                (_, ImportValue::Extern(e)) => resolved.push(Some(match e {
                    Extern::Func(f) => rill_vm::Extern::Func(f.0),
                    Extern::Memory(x) => rill_vm::Extern::Memory(x.0),
                    Extern::Table(x) => rill_vm::Extern::Table(x.0),
                    Extern::Global(x) => rill_vm::Extern::Global(x.0),
                    Extern::Tag(_) => unreachable!("handled above"),
                })),
            }
        }
        let exports = with_state(|st| -> Result<Exports, Error> {
            for (i, ty, v) in plain_globals {
                let a = st.store.global_new(ty, v.to_vm());
                st.globals.insert(a, ty);
                resolved[i] = Some(rill_vm::Extern::Global(a));
            }
            for (i, t) in tags {
                resolved[i] = Some(rill_vm::Extern::Tag(t.address(st)));
            }
            let externs: Vec<rill_vm::Extern> = resolved.into_iter().flatten().collect();
            let instance = crate::runtime::run(
                st,
                |st| st.store.instantiate(vm_module, &externs),
                |st, e| match e {
                    rill_vm::InstantiationError::Link(msg) => link_error(module, msg),
                    rill_vm::InstantiationError::Trap(t) => trap_error(st, t),
                },
            )?;
            let env = vm_module.env();
            let mut out = Vec::with_capacity(vm_module.exports().len());
            for e in vm_module.exports() {
                let i = e.index;
                let ext = match st.store.export(instance, &e.name) {
                    Some(rill_vm::Extern::Func(f)) => Extern::Func(Func(f)),
                    Some(rill_vm::Extern::Memory(a)) => {
                        st.memories.entry(a).or_insert(env.memories[i as usize]);
                        Extern::Memory(Memory(a))
                    }
                    Some(rill_vm::Extern::Table(a)) => {
                        st.tables.entry(a).or_insert(env.tables[i as usize]);
                        Extern::Table(Table(a))
                    }
                    Some(rill_vm::Extern::Global(a)) => {
                        st.globals.entry(a).or_insert(env.globals[i as usize]);
                        Extern::Global(Global(a))
                    }
                    Some(rill_vm::Extern::Tag(a)) => Extern::Tag(Tag::at(st, a)),
                    None => unreachable!("every export of the module is in the instance"),
                };
                out.push((e.name.clone(), ext));
            }
            Ok(Exports(out))
        })??;
        Ok(Instance(Arc::new(exports)))
    }

    /// The exports (`instance.exports`), in module order; the same entities every time.
    pub fn exports(&self) -> &Exports {
        &self.0
    }

    /// The exported function `name`, if there is one.
    pub fn get_func(&self, name: &str) -> Option<Func> {
        self.0.get(name).cloned()?.into_func()
    }

    /// The exported memory `name`, if there is one.
    pub fn get_memory(&self, name: &str) -> Option<Memory> {
        self.0.get(name).cloned()?.into_memory()
    }

    /// The exported table `name`, if there is one.
    pub fn get_table(&self, name: &str) -> Option<Table> {
        self.0.get(name).cloned()?.into_table()
    }

    /// The exported global `name`, if there is one.
    pub fn get_global(&self, name: &str) -> Option<Global> {
        self.0.get(name).cloned()?.into_global()
    }
}

/// rill-vm's link error as a `LinkError` naming the import it is about (rill-vm reports
/// it as text: "incompatible import type for module.name").
fn link_error(module: &Module, msg: String) -> Error {
    for i in module.0.vm.imports() {
        if msg.ends_with(&format!("for {}.{}", i.module, i.name)) {
            return LinkError::new(
                i.module.as_str(),
                i.name.as_str(),
                "incompatible import type",
            )
            .into();
        }
    }
    LinkError::new("", "", msg).into()
}

/// Instantiates a compiled module (JS: `WebAssembly.instantiate(moduleObject, imports)`).
/// The imports are read at the call (the instance is made then); the future is ready.
pub fn instantiate_module(
    module: &Module,
    imports: Option<&Imports>,
) -> std::future::Ready<Result<Instance, Error>> {
    std::future::ready(Instance::new(module, imports))
}

/// Compiles and instantiates a module (JS: `WebAssembly.instantiate(bytes, imports)`). The
/// bytes are copied at the call; the imports are read only after compiling. The future
/// depends on no executor and is `Send`.
pub fn instantiate(
    bytes: impl AsRef<[u8]>,
    imports: Option<Imports>,
) -> impl Future<Output = Result<Instantiated, Error>> + Send {
    let compile = crate::compile(bytes);
    async move {
        let module = compile.await?;
        let instance = Instance::new(&module, imports.as_ref())?;
        Ok(Instantiated { module, instance })
    }
}

/// Compiles a module from a streaming source and instantiates it
/// (`WebAssembly.instantiateStreaming(source, imports)`):
/// [`compile_streaming`](crate::compile_streaming) with all its checks, then
/// [`Instance::new`] with the imports, read after compiling. The future depends on no executor and is `Send` when the source
/// is.
///
/// ```
/// use futures::executor::block_on;
/// use futures::stream;
/// use std::sync::atomic::{AtomicI32, Ordering};
/// use std::sync::Arc;
///
/// // (module (func $i (import "imports" "imported_func") (param i32))
/// //         (func (export "exported_func") i32.const 42 call $i))
/// let wasm: Vec<u8> = vec![
///     0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 2, 96, 1, 127, 0, 96, 0, 0, 2, 25, 1, 7, 105,
///     109, 112, 111, 114, 116, 115, 13, 105, 109, 112, 111, 114, 116, 101, 100, 95, 102,
///     117, 110, 99, 0, 0, 3, 2, 1, 1, 7, 17, 1, 13, 101, 120, 112, 111, 114, 116, 101, 100,
///     95, 102, 117, 110, 99, 0, 1, 10, 8, 1, 6, 0, 65, 42, 16, 0, 11,
/// ];
/// let seen = Arc::new(AtomicI32::new(0));
/// let s = seen.clone();
/// let mut imports = rill::Imports::new();
/// imports.define("imports", "imported_func", rill::Func::wrap(move |x: i32| s.store(x, Ordering::SeqCst)));
/// let response = rill::Response::wasm(stream::iter(wasm.chunks(5).map(Ok::<_, std::io::Error>)));
/// let obj = block_on(rill::instantiate_streaming(response, Some(imports)))?;
/// obj.instance.get_func("exported_func").unwrap().call(&[]).map_err(rill::Error::widen)?;
/// assert_eq!(seen.load(Ordering::SeqCst), 42);
/// # Ok::<(), rill::Error<std::io::Error>>(())
/// ```
pub fn instantiate_streaming<Src: StreamingSource>(
    source: Src,
    imports: Option<Imports>,
) -> impl Future<Output = Result<Instantiated, Error<Src::Error>>> {
    let compile = crate::compile_streaming(source);
    async move {
        let module = compile.await?;
        let instance = Instance::new(&module, imports.as_ref()).map_err(Error::widen)?;
        Ok(Instantiated { module, instance })
    }
}
