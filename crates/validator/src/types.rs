//! The Wasm 3.0 type system: the module's defined types with their rec groups, structural
//! (iso-recursive) canonicalisation, and subtyping on value, reference and heap types.
//!
//! Types are referred to by their module type index everywhere (as the decoder gives them).
//! Each index also has a [`CanonId`]: two indices have the same canonical id exactly when
//! their types are equivalent (same position in structurally identical rec groups whose outer
//! references are themselves equivalent). Type equality is canonical-id equality.
//!
//! The canonical form of a rec group ([`CanonRecGroup`]) is hashable and independent of the
//! module: references inside the group are relative to the group, references to earlier types
//! are replaced by whatever ids the caller's `outer` mapping gives. Within a module the mapping
//! is this module's canonical ids; a process-wide registry can intern the same form with its
//! own global ids (see [`canonical_form`]) to get cross-module equality.

use std::collections::HashMap;
use std::ops::Range;

use rill_decoder::{
    AbsHeapType, CompositeType, CompositeTypeKind, FieldType, FuncType, HeapType, RecGroup,
    RefType, StorageType, SubType, ValType,
};

use crate::error::ValidationError;

/// A canonical type id: equal ids mean equivalent types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CanonId(pub u32);

/// Marks a type index inside a canonical form as relative to its own rec group.
pub const REC_REF: u32 = 1 << 31;

/// A rec group in canonical form: its sub types, where every type index `i` is either
/// `REC_REF | position` (a member of the same group) or an outer id from the caller's mapping.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CanonRecGroup(pub Box<[SubType]>);

/// The canonical form of `group`, whose first type has module index `base`; `outer` maps the
/// module index of an earlier type to an id (a module's [`CanonId`]s, or a registry's ids).
pub fn canonical_form(group: &[SubType], base: u32, outer: impl Fn(u32) -> u32) -> CanonRecGroup {
    let map = |i: u32| {
        if i >= base {
            REC_REF | (i - base)
        } else {
            outer(i)
        }
    };
    CanonRecGroup(group.iter().map(|st| map_sub_type(st, &map)).collect())
}

/// `st` with every type index passed through `f`.
pub fn map_sub_type(st: &SubType, f: &impl Fn(u32) -> u32) -> SubType {
    let vt = |v: &ValType| map_val_type(*v, f);
    let field = |ft: &FieldType| FieldType {
        storage: match ft.storage {
            StorageType::Val(v) => StorageType::Val(map_val_type(v, f)),
            s => s,
        },
        mutable: ft.mutable,
    };
    let kind = match &st.composite.kind {
        CompositeTypeKind::Func(ft) => CompositeTypeKind::Func(FuncType {
            params: ft.params.iter().map(vt).collect(),
            results: ft.results.iter().map(vt).collect(),
        }),
        CompositeTypeKind::Struct(fields) => {
            CompositeTypeKind::Struct(fields.iter().map(field).collect())
        }
        CompositeTypeKind::Array(ft) => CompositeTypeKind::Array(field(ft)),
    };
    SubType {
        is_final: st.is_final,
        supertypes: st.supertypes.iter().map(|&i| f(i)).collect(),
        composite: CompositeType {
            kind,
            describes: st.composite.describes.map(f),
            descriptor: st.composite.descriptor.map(f),
        },
    }
}

fn map_val_type(v: ValType, f: &impl Fn(u32) -> u32) -> ValType {
    match v {
        ValType::Ref(r) => ValType::Ref(RefType {
            nullable: r.nullable,
            heap: match r.heap {
                HeapType::Concrete(i) => HeapType::Concrete(f(i)),
                HeapType::Exact(i) => HeapType::Exact(f(i)),
                h => h,
            },
        }),
        v => v,
    }
}

/// Calls `f` with every type index `st` mentions.
fn for_each_index(st: &SubType, mut f: impl FnMut(u32)) {
    let mut vt = |v: &ValType| {
        if let ValType::Ref(RefType {
            heap: HeapType::Concrete(i) | HeapType::Exact(i),
            ..
        }) = v
        {
            f(*i)
        }
    };
    match &st.composite.kind {
        CompositeTypeKind::Func(ft) => ft.params.iter().chain(ft.results.iter()).for_each(vt),
        CompositeTypeKind::Struct(fields) => fields.iter().for_each(|ft| {
            if let StorageType::Val(v) = &ft.storage {
                vt(v)
            }
        }),
        CompositeTypeKind::Array(ft) => {
            if let StorageType::Val(v) = &ft.storage {
                vt(v)
            }
        }
    }
}

/// The abstract kind of a defined type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Func,
    Struct,
    Array,
}

/// All types a module defines, with their rec groups and canonical ids.
#[derive(Debug, Default, Clone)]
pub struct Types {
    types: Vec<SubType>,
    canon: Vec<CanonId>,
    /// The module index range of each rec group, in order.
    groups: Vec<Range<u32>>,
    interned: HashMap<CanonRecGroup, CanonId>,
    next_canon: u32,
}

impl Types {
    /// No types.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of defined types.
    pub fn len(&self) -> u32 {
        self.types.len() as u32
    }

    /// True when no types are defined.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
    }

    /// The sub type at module index `idx`.
    pub fn get(&self, idx: u32) -> Option<&SubType> {
        self.types.get(idx as usize)
    }

    /// The canonical id of module index `idx` (which must exist).
    pub fn canon(&self, idx: u32) -> CanonId {
        self.canon[idx as usize]
    }

    /// The rec groups as module index ranges, in definition order.
    pub fn rec_groups(&self) -> &[Range<u32>] {
        &self.groups
    }

    /// The kind of type `idx` (which must exist).
    pub fn kind(&self, idx: u32) -> Kind {
        match self.types[idx as usize].composite.kind {
            CompositeTypeKind::Func(_) => Kind::Func,
            CompositeTypeKind::Struct(_) => Kind::Struct,
            CompositeTypeKind::Array(_) => Kind::Array,
        }
    }

    /// The function type at `idx`, if `idx` is one.
    pub fn func_type(&self, idx: u32) -> Option<&FuncType> {
        match &self.get(idx)?.composite.kind {
            CompositeTypeKind::Func(f) => Some(f),
            _ => None,
        }
    }

    /// The fields of the struct type at `idx`, if `idx` is one.
    pub fn struct_type(&self, idx: u32) -> Option<&[FieldType]> {
        match &self.get(idx)?.composite.kind {
            CompositeTypeKind::Struct(f) => Some(f),
            _ => None,
        }
    }

    /// The element of the array type at `idx`, if `idx` is one.
    pub fn array_type(&self, idx: u32) -> Option<FieldType> {
        match &self.get(idx)?.composite.kind {
            CompositeTypeKind::Array(f) => Some(*f),
            _ => None,
        }
    }

    /// Adds and validates a rec group (`offset` is where errors are reported).
    pub fn add_rec_group(
        &mut self,
        group: &RecGroup,
        offset: usize,
    ) -> Result<(), ValidationError> {
        let base = self.len();
        let end = base as u64 + group.types.len() as u64;
        if end > u64::from(rill_decoder::limits::MAX_TYPES) {
            return Err(ValidationError::new(offset, "too many types"));
        }
        let end = end as u32;
        check_descriptors(&group.types, base, offset)?;
        // Every reference must be to this group or an earlier type.
        for st in &group.types {
            check_desc_struct(st, offset)?;
            let mut bad = None;
            for_each_index(st, |i| {
                if i >= end && bad.is_none() {
                    bad = Some(i)
                }
            });
            if let Some(i) = bad {
                return Err(ValidationError::new(offset, format!("unknown type {i}")));
            }
        }
        // Canonicalise: an identical earlier group gives the same ids.
        let form = canonical_form(&group.types, base, |i| self.canon[i as usize].0);
        let first = match self.interned.get(&form) {
            Some(&id) => id,
            None => {
                let id = CanonId(self.next_canon);
                self.next_canon += group.types.len() as u32;
                self.interned.insert(form, id);
                id
            }
        };
        for (k, st) in group.types.iter().enumerate() {
            self.types.push(st.clone());
            self.canon.push(CanonId(first.0 + k as u32));
        }
        self.groups.push(base..end);
        // Declared supertypes: earlier (checked for the whole group first, so that walking
        // a supertype chain always ends), not final, structurally matching, with matching
        // descriptor clauses.
        for (k, st) in group.types.iter().enumerate() {
            let idx = base + k as u32;
            if st.supertypes.len() > 1 {
                return Err(ValidationError::new(
                    offset,
                    format!("sub type {idx} has multiple supertypes"),
                ));
            }
            if let Some(&sup) = st.supertypes.first() {
                if sup >= idx {
                    return Err(ValidationError::new(
                        offset,
                        format!("unknown type {sup}: sub type {idx} has a forward supertype"),
                    ));
                }
            }
        }
        for (k, st) in group.types.iter().enumerate() {
            let idx = base + k as u32;
            if let Some(&sup) = st.supertypes.first() {
                let sup_ty = &self.types[sup as usize];
                let mismatch = || {
                    ValidationError::new(
                        offset,
                        format!("sub type {idx} does not match super type {sup}"),
                    )
                };
                if sup_ty.is_final {
                    return Err(mismatch());
                }
                let (a, b) = (&st.composite, &sup_ty.composite);
                match (a.describes, b.describes) {
                    (Some(x), Some(y)) if !self.concrete_sub(x, y) => {
                        return Err(ValidationError::new(
                            offset,
                            format!("described type {x} does not match {y}"),
                        ))
                    }
                    (Some(_), None) | (None, Some(_)) => return Err(mismatch()),
                    _ => {}
                }
                match (a.descriptor, b.descriptor) {
                    (Some(x), Some(y)) if !self.concrete_sub(x, y) => {
                        return Err(ValidationError::new(
                            offset,
                            format!("descriptor type {x} does not match {y}"),
                        ))
                    }
                    (None, Some(_)) => return Err(mismatch()),
                    _ => {}
                }
                if !self.composite_sub(&a.kind, &b.kind) {
                    return Err(mismatch());
                }
            }
        }
        Ok(())
    }

    /// The descriptor type of type `idx` (which must exist), if it has one.
    pub fn descriptor(&self, idx: u32) -> Option<u32> {
        self.types[idx as usize].composite.descriptor
    }

    fn composite_sub(&self, a: &CompositeTypeKind, b: &CompositeTypeKind) -> bool {
        match (a, b) {
            (CompositeTypeKind::Func(a), CompositeTypeKind::Func(b)) => self.func_sub(a, b),
            (CompositeTypeKind::Struct(a), CompositeTypeKind::Struct(b)) => {
                a.len() >= b.len() && a.iter().zip(b.iter()).all(|(x, y)| self.field_sub(x, y))
            }
            (CompositeTypeKind::Array(a), CompositeTypeKind::Array(b)) => self.field_sub(a, b),
            _ => false,
        }
    }

    /// Function subtyping: contravariant parameters, covariant results.
    pub fn func_sub(&self, a: &FuncType, b: &FuncType) -> bool {
        a.params.len() == b.params.len()
            && a.results.len() == b.results.len()
            && a.params
                .iter()
                .zip(b.params.iter())
                .all(|(x, y)| self.val_sub(*y, *x))
            && a.results
                .iter()
                .zip(b.results.iter())
                .all(|(x, y)| self.val_sub(*x, *y))
    }

    fn field_sub(&self, a: &FieldType, b: &FieldType) -> bool {
        if a.mutable != b.mutable {
            return false;
        }
        let sub = |x: StorageType, y: StorageType| match (x, y) {
            (StorageType::I8, StorageType::I8) | (StorageType::I16, StorageType::I16) => true,
            (StorageType::Val(x), StorageType::Val(y)) => self.val_sub(x, y),
            _ => false,
        };
        sub(a.storage, b.storage) && (!a.mutable || sub(b.storage, a.storage))
    }

    /// Whether value type `a` matches (is a subtype of) `b`.
    pub fn val_sub(&self, a: ValType, b: ValType) -> bool {
        match (a, b) {
            (ValType::Ref(a), ValType::Ref(b)) => self.ref_sub(a, b),
            _ => a == b,
        }
    }

    /// Whether value types `a` and `b` are equal (canonically).
    pub fn val_eq(&self, a: ValType, b: ValType) -> bool {
        self.val_sub(a, b) && self.val_sub(b, a)
    }

    /// Whether reference type `a` matches `b`.
    pub fn ref_sub(&self, a: RefType, b: RefType) -> bool {
        (!a.nullable || b.nullable) && self.heap_sub(a.heap, b.heap)
    }

    /// Whether heap type `a` matches `b`.
    pub fn heap_sub(&self, a: HeapType, b: HeapType) -> bool {
        use HeapType::*;
        match (a, b) {
            (Abstract(x), Abstract(y)) => abs_sub(x, y),
            (Abstract(x), Concrete(j) | Exact(j)) => x == bottom_of(self.kind(j)),
            (Concrete(i) | Exact(i), Abstract(y)) => abs_sub(abstract_of(self.kind(i)), y),
            (Concrete(i) | Exact(i), Concrete(j)) => self.concrete_sub(i, j),
            (Exact(i), Exact(j)) => self.canon(i) == self.canon(j),
            (Concrete(_), Exact(_)) => false,
        }
    }

    /// Whether defined type `a` is `b` or declares it (transitively) as a supertype.
    pub fn concrete_sub(&self, a: u32, b: u32) -> bool {
        let target = self.canon(b);
        let mut x = a;
        loop {
            if self.canon(x) == target {
                return true;
            }
            match self.types[x as usize].supertypes.first() {
                Some(&s) => x = s,
                None => return false,
            }
        }
    }

    /// The top of the hierarchy `h` belongs to (`any`, `func`, `extern` or `exn`).
    pub fn top(&self, h: HeapType) -> AbsHeapType {
        use AbsHeapType::*;
        match h {
            HeapType::Abstract(a) => match a {
                Func | NoFunc => Func,
                Extern | NoExtern => Extern,
                Exn | NoExn => Exn,
                Any | Eq | I31 | Struct | Array | None => Any,
            },
            HeapType::Concrete(i) | HeapType::Exact(i) => match self.kind(i) {
                Kind::Func => Func,
                Kind::Struct | Kind::Array => Any,
            },
        }
    }

    /// The bottom of the hierarchy `h` belongs to.
    pub fn bottom(&self, h: HeapType) -> AbsHeapType {
        match self.top(h) {
            AbsHeapType::Func => AbsHeapType::NoFunc,
            AbsHeapType::Extern => AbsHeapType::NoExtern,
            AbsHeapType::Exn => AbsHeapType::NoExn,
            _ => AbsHeapType::None,
        }
    }

    /// Checks that every type index in `v` is defined: "unknown type" otherwise. (Only the
    /// indices: [`ModuleEnv::check_val_type`](crate::ModuleEnv::check_val_type) checks the
    /// proposals a type needs too.)
    pub fn check_val_type(&self, v: ValType, offset: usize) -> Result<(), ValidationError> {
        if let ValType::Ref(r) = v {
            self.check_heap_type(r.heap, offset)?;
        }
        Ok(())
    }

    /// Checks that a heap type's index is defined (see [`Types::check_val_type`]).
    pub fn check_heap_type(&self, h: HeapType, offset: usize) -> Result<(), ValidationError> {
        match h {
            HeapType::Concrete(i) | HeapType::Exact(i) if i >= self.len() => {
                Err(ValidationError::new(offset, format!("unknown type {i}")))
            }
            _ => Ok(()),
        }
    }
}

/// The descriptor clauses of a rec group (whose first type has module index `base`) pair up:
/// `(descriptor $d)` names a type of the same group that says `(describes $t)` back, and
/// `(describes $t)` names an earlier type of the group that says `(descriptor $d)`.
fn check_descriptors(group: &[SubType], base: u32, offset: usize) -> Result<(), ValidationError> {
    let member = |i: u32| {
        i.checked_sub(base)
            .and_then(|k| group.get(k as usize))
            .map(|st| &st.composite)
    };
    for (k, st) in group.iter().enumerate() {
        let idx = base + k as u32;
        if let Some(x) = st.composite.describes {
            let Some(described) = member(x) else {
                return Err(ValidationError::new(
                    offset,
                    "described type is outside rec group",
                ));
            };
            if described.descriptor != Some(idx) {
                return Err(ValidationError::new(
                    offset,
                    "described type is not described by descriptor",
                ));
            }
            if x >= idx {
                return Err(ValidationError::new(
                    offset,
                    "forward use of described type",
                ));
            }
        }
        if let Some(x) = st.composite.descriptor {
            let Some(descriptor) = member(x) else {
                return Err(ValidationError::new(
                    offset,
                    "descriptor type is outside rec group",
                ));
            };
            if descriptor.describes != Some(idx) {
                return Err(ValidationError::new(
                    offset,
                    "type is not described by its descriptor",
                ));
            }
        }
    }
    Ok(())
}

/// Only struct types describe or are described.
fn check_desc_struct(st: &SubType, offset: usize) -> Result<(), ValidationError> {
    let c = &st.composite;
    if matches!(c.kind, CompositeTypeKind::Struct(_)) {
        return Ok(());
    }
    if c.descriptor.is_some() {
        return Err(ValidationError::new(
            offset,
            "descriptor type must be a struct",
        ));
    }
    if c.describes.is_some() {
        return Err(ValidationError::new(
            offset,
            "described type must be a struct",
        ));
    }
    Ok(())
}

/// Subtyping among abstract heap types.
pub fn abs_sub(x: AbsHeapType, y: AbsHeapType) -> bool {
    use AbsHeapType::*;
    x == y
        || matches!(
            (x, y),
            (Eq | I31 | Struct | Array | None, Any)
                | (I31 | Struct | Array | None, Eq)
                | (None, I31 | Struct | Array)
                | (NoFunc, Func)
                | (NoExtern, Extern)
                | (NoExn, Exn)
        )
}

fn abstract_of(k: Kind) -> AbsHeapType {
    match k {
        Kind::Func => AbsHeapType::Func,
        Kind::Struct => AbsHeapType::Struct,
        Kind::Array => AbsHeapType::Array,
    }
}

fn bottom_of(k: Kind) -> AbsHeapType {
    match k {
        Kind::Func => AbsHeapType::NoFunc,
        Kind::Struct | Kind::Array => AbsHeapType::None,
    }
}
