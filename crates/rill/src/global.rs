//! `Global` (`WebAssembly.Global`).

use rill_decoder::{GlobalType, ValType};

use crate::error::{Error, TypeError};
use crate::handles::Global;
use crate::store::{AsContext, AsContextMut};
use crate::values::{check_leaving, is_abstract, Value};

/// What [`Global::new`] takes (the JS `GlobalDescriptor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalDescriptor {
    /// The value type.
    pub value: ValType,
    /// Whether the global can be set.
    pub mutable: bool,
}

impl Global {
    /// A new global (`new WebAssembly.Global(descriptor, value)`) holding `value`, or the
    /// type's default (0, null) when `value` is `None`. A value of another type (or any
    /// value for a v128 global): [`Error::TypeError`].
    pub fn new(
        mut store: impl AsContextMut,
        desc: GlobalDescriptor,
        value: Option<Value>,
    ) -> Result<Global, Error> {
        if !is_abstract(desc.value) {
            return Err(TypeError::new(
                "a global's type cannot name a concrete type index outside a module",
            )
            .into());
        }
        let value = match value {
            None => Value::default_of(desc.value),
            Some(_) if desc.value == ValType::V128 => {
                return Err(TypeError::new("a v128 global cannot be given a value").into())
            }
            Some(v) if v.matches(desc.value) => v,
            Some(v) => {
                return Err(TypeError::new(format!(
                    "{v:?} is not a value of the global's type {:?}",
                    desc.value
                ))
                .into())
            }
        };
        let ty = GlobalType {
            content: desc.value,
            mutable: desc.mutable,
        };
        let cx = store.as_context_mut();
        let id = cx.0.id();
        let index =
            cx.0.global_new(ty, value.to_vm(id)?)
                .ok_or_else(|| TypeError::new(format!("{value:?} is not a value of the global")))?;
        Ok(Global { store: id, index })
    }

    /// The global's type.
    pub fn ty(&self, store: impl AsContext) -> Result<GlobalDescriptor, Error> {
        let cx = store.as_context();
        let t = cx.check(self.store, "the global")?.global_type(self.index);
        Ok(GlobalDescriptor {
            value: t.content,
            mutable: t.mutable,
        })
    }

    /// The value (`global.value`). A v128 global: [`Error::TypeError`].
    pub fn get(&self, store: impl AsContext) -> Result<Value, Error> {
        self.get_checked(store, false)
    }

    /// The value, like [`Global::get`], except that a `v128` global gives its value as a
    /// [`Value::V128`] (all 128 bits). Rust-only (in JS reading it is a `TypeError`).
    pub fn get_with_v128(&self, store: impl AsContext) -> Result<Value, Error> {
        self.get_checked(store, true)
    }

    fn get_checked(&self, store: impl AsContext, allow_v128: bool) -> Result<Value, Error> {
        let cx = store.as_context();
        let vm = cx.check(self.store, "the global")?;
        if !allow_v128 && vm.global_type(self.index).content == ValType::V128 {
            return Err(TypeError::new("a v128 global cannot be read from the host").into());
        }
        let v = vm.global_get(self.index);
        check_leaving(&[v])?;
        Ok(Value::from_vm(v, self.store))
    }

    /// Sets the value (`global.value = v`). An immutable global, a v128 global, or a value
    /// of another type: [`Error::TypeError`].
    pub fn set(&self, store: impl AsContextMut, v: Value) -> Result<(), Error> {
        self.set_checked(store, v, false)
    }

    /// Sets the value like [`Global::set`], except that a mutable `v128` global can be set
    /// too, to a [`Value::V128`] (all 128 bits). Rust-only (in JS setting it is a
    /// `TypeError`).
    pub fn set_with_v128(&self, store: impl AsContextMut, v: Value) -> Result<(), Error> {
        self.set_checked(store, v, true)
    }

    fn set_checked(
        &self,
        mut store: impl AsContextMut,
        v: Value,
        allow_v128: bool,
    ) -> Result<(), Error> {
        let mut cx = store.as_context_mut();
        let vm = cx.check(self.store, "the global")?;
        let ty = vm.global_type(self.index);
        if !ty.mutable {
            return Err(TypeError::new("the global is immutable").into());
        }
        if !allow_v128 && ty.content == ValType::V128 {
            return Err(TypeError::new("a v128 global cannot be set from the host").into());
        }
        if !v.matches(ty.content) {
            return Err(TypeError::new(format!(
                "{v:?} is not a value of the global's type {:?}",
                ty.content
            ))
            .into());
        }
        vm.global_set(self.index, v.to_vm(self.store)?)
            .map_err(|e| TypeError::new(format!("{v:?}: {e}")).into())
    }
}
