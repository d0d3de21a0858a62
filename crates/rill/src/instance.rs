//! Instantiation: `Imports`, `Instance`, and the `instantiate*` functions.

use std::collections::HashMap;
use std::future::Future;

use rill_decoder::{TypeRef, ValType};

use crate::error::{Error, LinkError, TypeError};
use crate::func::{TypedFunc, WasmTypeList};
use crate::handles::{extern_from_vm, Exports, Extern, Func, Global, Instance, Memory, Table, Tag};
use crate::module::{ExternKind, Module};
use crate::runtime::trap_error;
use crate::store::{foreign, AsContext, AsContextMut};
use crate::values::{crosses, Value};
use crate::StreamingSource;

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

/// The import object: module name → field name → [`ImportValue`]. It holds handles, not
/// entities: the entities stay in their store, and instantiating in another store refuses
/// them ([`Error::TypeError`]).
///
/// ```
/// let mut store = rill::Store::new(());
/// let mut imports = rill::Imports::new();
/// imports.define("imports", "imported_func", rill::Func::wrap(&mut store, |x: i32| println!("{x}")));
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
    pub fn define_instance(
        &mut self,
        store: impl AsContext,
        module: &str,
        instance: &Instance,
    ) -> Result<&mut Self, Error> {
        for (name, ext) in instance.exports(&store)?.iter() {
            self.define(module, name, *ext);
        }
        Ok(self)
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
    /// Instantiates `module` in `store` synchronously (`new WebAssembly.Instance(module,
    /// imports)`).
    ///
    /// The imports are read in module order, as JS-API.md "Reading the imports" says:
    /// - the import object has no entry for an import's module name: [`Error::TypeError`];
    ///   an entity of another store: [`Error::TypeError`];
    /// - the field is missing or of another kind, a plain value given for a mutable or
    ///   v128 global or of another type, or the entity does not match the import's type
    ///   (function signature with subtyping, limits, shared flag, mutability, element type,
    ///   address type, tag type): [`Error::LinkError`] naming the import. Its message
    ///   starts with the official testsuite's words: `unknown import` for a missing field,
    ///   `incompatible import type` for everything else.
    ///
    /// A memory or table the module defines that is too large to make, or that the
    /// store's limits refuse ([`Store::set_limits`](crate::Store::set_limits): its size, or
    /// the number of instances, memories or tables), is an [`Error::RangeError`] naming it
    /// by index and the limit; nothing of the instance is made then. Then an active data or element segment out
    /// of bounds, or a trap in the start function, is an [`Error::RuntimeError`]; an error a
    /// host function raises during the start function is returned unchanged
    /// ([`Error::Host`]).
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &Imports,
    ) -> Result<Instance, Error> {
        let cx = store.as_context_mut();
        let vm = cx.0;
        let id = vm.id();
        let vm_module = &module.0.vm;
        // Read the imports.
        let mut resolved = Vec::with_capacity(vm_module.imports().len());
        for import in vm_module.imports() {
            let (m, n) = (&import.module, &import.name);
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
                    // As JS does: a new immutable global holding the value.
                    let global = vm.global_new(*g, v.to_vm(id)?).ok_or_else(|| {
                        link(format!(
                            "incompatible import type: {v:?} is not a value of the global's \
                             type {:?}",
                            g.content
                        ))
                    })?;
                    resolved.push(rill_vm::Extern::Global(global));
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
                (_, ImportValue::Extern(e)) if e.store() != id => {
                    return Err(foreign(&format!("the {want} imported as {m:?} {n:?}")));
                }
                (_, ImportValue::Extern(e)) => resolved.push(e.to_vm()),
            }
        }
        let instance = vm.instantiate(vm_module, &resolved).map_err(|e| match e {
            rill_vm::InstantiationError::Link(msg) => link_error(module, msg),
            rill_vm::InstantiationError::Trap(t) => trap_error(vm, t),
            rill_vm::InstantiationError::Resource(msg) => crate::RangeError::new(msg).into(),
        })?;
        let exports = Exports {
            names: module.0.export_names.clone(),
            externs: vm
                .exports(instance)
                .iter()
                .map(|e| extern_from_vm(id, *e))
                .collect(),
        };
        let instances = &mut vm.data_mut().rt.instances;
        instances.push(exports);
        Ok(Instance {
            store: id,
            index: instances.len() as u32 - 1,
        })
    }

    /// The exports (`instance.exports`), in module order; the same entities every time.
    pub fn exports(&self, store: impl AsContext) -> Result<Exports, Error> {
        let cx = store.as_context();
        cx.check(self.store, "the instance")?;
        Ok(cx.rt().instances[self.index as usize].clone())
    }

    /// The export `name`, if there is one (`None` also for a store that is not the
    /// instance's).
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let cx = store.as_context();
        cx.check(self.store, "the instance").ok()?;
        cx.rt().instances[self.index as usize].get(name).copied()
    }

    /// The exported function `name`, if there is one.
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    /// The exported function `name` as a [`TypedFunc`]: no such function, or another
    /// signature, is an [`Error::TypeError`].
    pub fn get_typed_func<P: WasmTypeList, R: WasmTypeList>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<P, R>, Error> {
        let f = self
            .get_func(&store, name)
            .ok_or_else(|| TypeError::new(format!("the instance exports no function {name:?}")))?;
        f.typed(&store)
    }

    /// The exported memory `name`, if there is one.
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    /// The exported table `name`, if there is one.
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    /// The exported global `name`, if there is one.
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
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
    store: impl AsContextMut,
    module: &Module,
    imports: &Imports,
) -> std::future::Ready<Result<Instance, Error>> {
    std::future::ready(Instance::new(store, module, imports))
}

/// Compiles and instantiates a module (JS: `WebAssembly.instantiate(bytes, imports)`). The
/// bytes are copied at the call; the imports are read only after compiling. The future
/// depends on no executor and is `Send` when the store is.
pub fn instantiate<'a, S: AsContextMut + 'a>(
    store: S,
    bytes: impl AsRef<[u8]>,
    imports: &'a Imports,
) -> impl Future<Output = Result<Instantiated, Error>> + 'a {
    let compile = crate::compile(bytes);
    async move {
        let module = compile.await?;
        let instance = Instance::new(store, &module, imports)?;
        Ok(Instantiated { module, instance })
    }
}

/// Compiles a module from a streaming source and instantiates it in `store`
/// (`WebAssembly.instantiateStreaming(source, imports)`):
/// [`compile_streaming`](crate::compile_streaming) with all its checks, then
/// [`Instance::new`] with the imports, read after compiling. The future depends on no
/// executor and is `Send` when the source and the store are. In a store that meters fuel
/// ([`Store::set_fuel`](crate::Store::set_fuel)), the module is compiled with fuel
/// metering.
///
/// ```
/// use futures::executor::block_on;
/// use futures::stream;
///
/// // (module (func $i (import "imports" "imported_func") (param i32))
/// //         (func (export "exported_func") i32.const 42 call $i))
/// let wasm: Vec<u8> = vec![
///     0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 2, 96, 1, 127, 0, 96, 0, 0, 2, 25, 1, 7, 105,
///     109, 112, 111, 114, 116, 115, 13, 105, 109, 112, 111, 114, 116, 101, 100, 95, 102,
///     117, 110, 99, 0, 0, 3, 2, 1, 1, 7, 17, 1, 13, 101, 120, 112, 111, 114, 116, 101, 100,
///     95, 102, 117, 110, 99, 0, 1, 10, 8, 1, 6, 0, 65, 42, 16, 0, 11,
/// ];
/// // The store's data: what the import saw.
/// let mut store = rill::Store::new(Vec::<i32>::new());
/// let mut imports = rill::Imports::new();
/// let imported = rill::Func::wrap(&mut store, |mut caller: rill::Caller<'_, Vec<i32>>, x: i32| {
///     caller.data_mut().push(x)
/// });
/// imports.define("imports", "imported_func", imported);
/// let response = rill::Response::wasm(stream::iter(wasm.chunks(5).map(Ok::<_, std::io::Error>)));
/// let obj = block_on(rill::instantiate_streaming(&mut store, response, &imports))?;
/// let exported = obj.instance.get_func(&store, "exported_func").unwrap();
/// exported.call(&mut store, &[]).map_err(rill::Error::widen)?;
/// assert_eq!(store.data(), &[42]);
/// # Ok::<(), rill::Error<std::io::Error>>(())
/// ```
pub fn instantiate_streaming<'a, S: AsContextMut + 'a, Src: StreamingSource + 'a>(
    store: S,
    source: Src,
    imports: &'a Imports,
) -> impl Future<Output = Result<Instantiated, Error<Src::Error>>> + 'a {
    // A store that meters fuel runs metered code only: compile it so.
    let metering = store.as_context().0.get_fuel().is_some();
    let config = crate::ModuleConfig::new().fuel(metering);
    let compile = crate::compile_streaming_with_config(source, config);
    async move {
        let module = compile.await?;
        let instance = Instance::new(store, &module, imports).map_err(Error::widen)?;
        Ok(Instantiated { module, instance })
    }
}
