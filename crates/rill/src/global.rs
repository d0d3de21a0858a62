//! `Global` (`WebAssembly.Global`).

use rill_decoder::{GlobalType, ValType};

use crate::error::{Error, TypeError};
use crate::helpers::global_setter;
use crate::runtime::{invoke, with_state};
use crate::values::{is_abstract, Value};

/// What [`Global::new`] takes (the JS `GlobalDescriptor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalDescriptor {
    /// The value type.
    pub value: ValType,
    /// Whether the global can be set.
    pub mutable: bool,
}

/// A global (`WebAssembly.Global`): a handle into the façade's store, `Copy`,
/// `Send + Sync`, equal exactly when it is the same global.
///
/// As in JS, a `v128` global can be created (with its default value) and imported, but
/// neither read nor written through [`Global::get`] and [`Global::set`]
/// ([`Error::TypeError`]). The Rust-only [`Global::get_with_v128`] and
/// [`Global::set_with_v128`] read and write it with all 128 bits.
///
/// ```
/// use rill::{Global, GlobalDescriptor, ValType, Value};
/// let g = Global::new(GlobalDescriptor { value: ValType::I64, mutable: true }, None)?;
/// assert_eq!(g.get()?, Value::I64(0));
/// g.set(Value::I64(-5))?;
/// assert_eq!(g.get()?, Value::I64(-5));
/// # Ok::<(), rill::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) u32);

impl Global {
    /// A new global (`new WebAssembly.Global(descriptor, value)`) holding `value`, or the
    /// type's default (0, null) when `value` is `None`. A value of another type (or any
    /// value for a v128 global): [`Error::TypeError`].
    pub fn new(desc: GlobalDescriptor, value: Option<Value>) -> Result<Global, Error> {
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
        with_state(|st| {
            let a = st.store.global_new(ty, value.to_vm());
            st.globals.insert(a, ty);
            Global(a)
        })
    }

    /// The global's type.
    pub fn ty(&self) -> Result<GlobalDescriptor, Error> {
        with_state(|st| {
            let t = st.globals[&self.0];
            GlobalDescriptor {
                value: t.content,
                mutable: t.mutable,
            }
        })
    }

    /// The value (`global.value`); a v128 global: [`Error::TypeError`].
    pub fn get(&self) -> Result<Value, Error> {
        self.get_checked(false)
    }

    /// The value, like [`Global::get`], except that a `v128` global is read too: a
    /// [`Value::V128`] with all 128 bits. Rust-only (in JS reading it is a `TypeError`).
    pub fn get_with_v128(&self) -> Result<Value, Error> {
        self.get_checked(true)
    }

    fn get_checked(&self, allow_v128: bool) -> Result<Value, Error> {
        with_state(|st| {
            if !allow_v128 && st.globals[&self.0].content == ValType::V128 {
                return Err(TypeError::new("a v128 global cannot be read from the host").into());
            }
            let v = st.store.global_get(self.0);
            crate::values::check_leaving(&[v])?;
            Ok(Value::from_vm(v))
        })?
    }

    /// Sets the value (`global.value = v`). An immutable global, a v128 global, or a value
    /// of another type: [`Error::TypeError`].
    pub fn set(&self, v: Value) -> Result<(), Error> {
        self.set_checked(v, false)
    }

    /// Sets the value like [`Global::set`], except that a mutable `v128` global can be set
    /// too, to a [`Value::V128`] (all 128 bits). Rust-only (in JS setting it is a
    /// `TypeError`).
    pub fn set_with_v128(&self, v: Value) -> Result<(), Error> {
        self.set_checked(v, true)
    }

    fn set_checked(&self, v: Value, allow_v128: bool) -> Result<(), Error> {
        with_state(|st| {
            let ty = st.globals[&self.0];
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
            let set = global_setter(st, self.0, ty.content)?;
            invoke(st, set, &[v.to_vm()])?;
            Ok(())
        })?
    }
}
