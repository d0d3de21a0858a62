//! Instantiation: linking imports, evaluating constant expressions, creating the module's
//! entities, initialising tables and memories from active segments, running the start
//! function.

use std::sync::Arc;

use rill_decoder::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, HeapType, Operator, RefType,
    TypeRef, ValType,
};

use crate::entities::{
    Extern, FuncEntity, FuncKind, GlobalInst, Instance, InstanceData, MemoryInst, StoreInner,
    TableInst,
};
use crate::module::Module;
use crate::value::{ref_kind, Func};
use crate::Trap;

/// Why instantiation failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InstantiationError {
    /// An import does not match ("incompatible import type", "unknown import").
    #[error("link error: {0}")]
    Link(String),
    /// A segment was out of bounds or the start function trapped.
    #[error("{0}")]
    Trap(Trap),
    /// A memory or table the module defines is larger than the implementation can make,
    /// or the store's [`ResourceLimiter`](crate::ResourceLimiter) refuses it or the
    /// instance (their number or size): the JS API's `RangeError`. The message names the
    /// memory or table by index, and the limit; nothing of the instance was made.
    #[error("{0}")]
    Resource(String),
}

fn link(msg: impl Into<String>) -> InstantiationError {
    InstantiationError::Link(msg.into())
}

/// Makes the instance; its start function (if any) is for the caller to run.
pub(crate) fn instantiate(
    store: &mut StoreInner,
    module: &Arc<Module>,
    imports: &[Extern],
) -> Result<(Instance, Option<Func>), InstantiationError> {
    let env = &module.env;
    if imports.len() != module.imports.len() {
        return Err(link(format!(
            "unknown import: {} imports expected, {} given",
            module.imports.len(),
            imports.len()
        )));
    }
    let id = store.instances.len() as u32;
    let mut inst = InstanceData {
        id,
        types: store.types.register_module(&env.types, &module.type_plan),
        mem0: u32::MAX,
        ..InstanceData::default()
    };
    // Imports.
    for (import, ext) in module.imports.iter().zip(imports) {
        let what = format!(
            "incompatible import type for {}.{}",
            import.module, import.name
        );
        match (import.ty, *ext) {
            (TypeRef::Func(t) | TypeRef::FuncExact(t), Extern::Func(f)) => {
                let expected = inst.types[t as usize];
                if !store.types.is_sub(store.func_type_id(f.0), expected) {
                    return Err(link(what));
                }
                inst.funcs.push(f.0);
            }
            (TypeRef::Table(t), Extern::Table(a)) => {
                let actual = &store.tables[a as usize];
                let (len, max) = (actual.elems.len() as u64, actual.ty.limits.max);
                if actual.ty.table64 != t.table64
                    || !limits_match(len, max, t.limits.min, t.limits.max)
                    || !ref_type_eq(actual.ty.element, canon_ref(&inst, t.element))
                {
                    return Err(link(what));
                }
                inst.tables.push(a);
            }
            (TypeRef::Memory(m), Extern::Memory(a)) => {
                let actual = &store.memories[a as usize];
                if actual.ty.memory64 != m.memory64
                    || actual.ty.shared != m.shared
                    || actual.ty.page_size_log2.unwrap_or(16) != m.page_size_log2.unwrap_or(16)
                    || !limits_match(
                        actual.pages(),
                        actual.ty.limits.max,
                        m.limits.min,
                        m.limits.max,
                    )
                {
                    return Err(link(what));
                }
                inst.memories.push(a);
            }
            (TypeRef::Global(g), Extern::Global(a)) => {
                let actual = store.globals[a as usize].ty;
                let expected = canon_val(&inst, g.content);
                let ok = actual.mutable == g.mutable
                    && if g.mutable {
                        val_type_eq(actual.content, expected)
                    } else {
                        val_type_sub(store, actual.content, expected)
                    };
                if !ok {
                    return Err(link(what));
                }
                inst.globals.push(a);
            }
            (TypeRef::Tag(t), Extern::Tag(a)) => {
                // Tag types match when they are the same (canonical) type.
                let expected = inst.types[t.func_type as usize];
                if store.tags[a as usize].type_id != expected {
                    return Err(link(what));
                }
                inst.tags.push(a);
            }
            _ => return Err(link(what)),
        }
    }
    // Limits: the instance, and the sizes of the memories and tables it defines, are
    // checked before anything of it is made.
    let table_types: Vec<rill_decoder::TableType> = module.tables.iter().map(|t| t.ty).collect();
    store
        .limits
        .admit_instance(
            [
                store.instances.len(),
                store.memories.len(),
                store.tables.len(),
            ],
            &module.memories,
            inst.memories.len(),
            &table_types,
            inst.tables.len(),
        )
        .map_err(InstantiationError::Resource)?;
    // Until the memories and tables are made, a failure hands back what was admitted.
    let refund = |store: &mut StoreInner, t: Trap| {
        store.limits.refund(&module.memories, &table_types);
        InstantiationError::Trap(t)
    };
    // Functions.
    store.funcs.reserve(module.code.len());
    inst.funcs.reserve(module.code.len());
    for (i, code) in module.code.iter().enumerate() {
        let t = env.funcs[env.imported_funcs as usize + i];
        let ty = module.func_types[i].clone();
        store.funcs.push(FuncEntity {
            type_id: inst.types[t as usize],
            ty,
            kind: FuncKind::Wasm {
                instance: id,
                code: code.clone(),
            },
        });
        inst.funcs.push(store.funcs.len() as u32 - 1);
    }
    // Globals (each initialiser sees the globals before it).
    for g in &module.globals {
        let value = eval_const(store, &inst, &g.init).map_err(|t| refund(store, t))?;
        let ty = rill_decoder::GlobalType {
            content: canon_val(&inst, g.ty.content),
            mutable: g.ty.mutable,
        };
        store.globals.push(GlobalInst::new(ty, value));
        inst.globals.push(store.globals.len() as u32 - 1);
    }
    // Tables and memories (their sizes admitted above).
    let mut inits = Vec::with_capacity(module.tables.len());
    for t in &module.tables {
        inits.push(match &t.init {
            Some(e) => eval_const(store, &inst, e).map_err(|t| refund(store, t))? as u64,
            None => 0,
        });
    }
    for (t, init) in module.tables.iter().zip(inits) {
        let mut ty = t.ty;
        ty.element = canon_ref(&inst, ty.element);
        store.tables.push(TableInst {
            elems: vec![init; t.ty.limits.min as usize],
            ty,
        });
        inst.tables.push(store.tables.len() as u32 - 1);
    }
    for m in &module.memories {
        let mem = MemoryInst::new(*m).map_err(|e| {
            InstantiationError::Resource(format!("memory {}: {e}", inst.memories.len()))
        })?;
        store.memories.push(mem);
        inst.memories.push(store.memories.len() as u32 - 1);
    }
    inst.mem0 = inst.memories.first().copied().unwrap_or(u32::MAX);
    for t in &env.tags[env.imported_tags as usize..] {
        let ty = env.types.func_type(t.func_type).expect("tag type").clone();
        store.tags.push(crate::entities::TagInst {
            type_id: inst.types[t.func_type as usize],
            ty: Arc::new(ty),
        });
        inst.tags.push(store.tags.len() as u32 - 1);
    }
    // Segments.
    for e in &module.elements {
        let items: Vec<u64> = match &e.items {
            ElementItems::Functions(fs) => fs
                .iter()
                .map(|&f| u64::from(inst.funcs[f as usize]) + 1)
                .collect(),
            ElementItems::Expressions(_, exprs) => exprs
                .iter()
                .map(|x| eval_const(store, &inst, x).map(|v| v as u64))
                .collect::<Result<_, _>>()
                .map_err(InstantiationError::Trap)?,
        };
        store.elems.push(items);
        inst.elems.push(store.elems.len() as u32 - 1);
    }
    for d in &module.datas {
        store.datas.push(d.data.clone());
        inst.datas.push(store.datas.len() as u32 - 1);
    }
    // Exports, in module order.
    inst.exports = module
        .exports
        .iter()
        .map(|e| {
            let i = e.index as usize;
            match e.kind {
                ExternalKind::Func => Extern::Func(Func(inst.funcs[i])),
                ExternalKind::Table => Extern::Table(inst.tables[i]),
                ExternalKind::Memory => Extern::Memory(inst.memories[i]),
                ExternalKind::Global => Extern::Global(inst.globals[i]),
                ExternalKind::Tag => Extern::Tag(inst.tags[i]),
            }
        })
        .collect();
    inst.module = Some(module.clone());
    store.instances.push(Arc::new(inst));
    let inst = &store.instances[id as usize];
    let (elems, datas, tables, mems) = (
        inst.elems.clone(),
        inst.datas.clone(),
        inst.tables.clone(),
        inst.memories.clone(),
    );
    // Active and declarative element segments, then data segments, in order.
    for (i, e) in module.elements.iter().enumerate() {
        let seg = elems[i] as usize;
        match &e.kind {
            ElementKind::Active { table, offset } => {
                let off = eval_const(store, &store.instances[id as usize], offset)
                    .map_err(InstantiationError::Trap)? as u64;
                let items = std::mem::take(&mut store.elems[seg]);
                let t = &mut store.tables[tables[*table as usize] as usize];
                let dst = usize::try_from(off).ok();
                match dst.and_then(|d| t.elems.get_mut(d..)?.get_mut(..items.len())) {
                    Some(slice) => slice.copy_from_slice(&items),
                    None => return Err(InstantiationError::Trap(Trap::TableOutOfBounds)),
                }
            }
            ElementKind::Declared => store.elems[seg].clear(),
            ElementKind::Passive => {}
        }
    }
    for (i, d) in module.datas.iter().enumerate() {
        if let DataKind::Active { memory, offset } = &d.kind {
            let off = eval_const(store, &store.instances[id as usize], offset)
                .map_err(InstantiationError::Trap)? as u64;
            let seg = datas[i] as usize;
            let bytes = std::mem::take(&mut store.datas[seg]);
            let m = &mut store.memories[mems[*memory as usize] as usize];
            let dst = usize::try_from(off).ok();
            match dst.and_then(|d| m.data.get_mut(d..)?.get_mut(..bytes.len())) {
                Some(slice) => slice.copy_from_slice(&bytes),
                None => return Err(InstantiationError::Trap(Trap::MemoryOutOfBounds)),
            }
        }
    }
    let start = module
        .start
        .map(|s| Func(store.instances[id as usize].funcs[s as usize]));
    Ok((Instance(id), start))
}

fn limits_match(len: u64, max: Option<u64>, min: u64, want_max: Option<u64>) -> bool {
    len >= min
        && match want_max {
            None => true,
            Some(w) => max.is_some_and(|m| m <= w),
        }
}

/// A module's value type in store terms: concrete type indices replaced by store type ids.
pub(crate) fn canon_val(inst: &InstanceData, v: ValType) -> ValType {
    match v {
        ValType::Ref(r) => ValType::Ref(canon_ref(inst, r)),
        v => v,
    }
}

pub(crate) fn canon_ref(inst: &InstanceData, r: RefType) -> RefType {
    RefType {
        nullable: r.nullable,
        heap: match r.heap {
            HeapType::Concrete(i) => HeapType::Concrete(inst.types[i as usize]),
            HeapType::Exact(i) => HeapType::Exact(inst.types[i as usize]),
            h => h,
        },
    }
}

/// Subtyping of heap types in store terms.
fn heap_sub(store: &StoreInner, a: HeapType, b: HeapType) -> bool {
    use rill_decoder::AbsHeapType as A;
    match (a, b) {
        _ if a == b => true,
        (HeapType::Concrete(x) | HeapType::Exact(x), HeapType::Concrete(y)) => {
            store.types.is_sub(x, y)
        }
        (HeapType::Concrete(_) | HeapType::Exact(_), HeapType::Abstract(t)) => {
            ref_kind(a) == crate::value::RefKind::Func && matches!(t, A::Func)
        }
        (HeapType::Abstract(A::NoFunc), HeapType::Concrete(_) | HeapType::Exact(_)) => true,
        (HeapType::Abstract(x), HeapType::Abstract(y)) => rill_validator::types::abs_sub(x, y),
        _ => false,
    }
}

fn ref_type_eq(actual: RefType, expected: RefType) -> bool {
    actual == expected
}

fn val_type_eq(a: ValType, b: ValType) -> bool {
    a == b
}

fn val_type_sub(store: &StoreInner, a: ValType, b: ValType) -> bool {
    match (a, b) {
        (ValType::Ref(x), ValType::Ref(y)) => {
            (y.nullable || !x.nullable) && heap_sub(store, x.heap, y.heap)
        }
        _ => a == b,
    }
}

/// Evaluates a constant expression to its bits (a register value zero-extended, or a
/// `v128`).
pub(crate) fn eval_const(
    store: &StoreInner,
    inst: &InstanceData,
    expr: &ConstExpr,
) -> Result<u128, Trap> {
    let mut stack: Vec<u128> = Vec::new();
    let mut ops = expr.operators();
    loop {
        let op = ops
            .read()
            .map_err(|e| Trap::unsupported(format!("constant expression: {e}")))?;
        let v: u128 = match op {
            Operator::End => break,
            Operator::I32Const { value } => u128::from(value as u32),
            Operator::I64Const { value } => u128::from(value as u64),
            Operator::F32Const { value } => u128::from(value.bits()),
            Operator::F64Const { value } => u128::from(value.bits()),
            Operator::V128Const { value } => value.to_u128(),
            Operator::RefNull { .. } => 0,
            Operator::RefFunc { function_index } => {
                u128::from(inst.funcs[function_index as usize]) + 1
            }
            Operator::GlobalGet { global_index } => {
                store.globals[inst.globals[global_index as usize] as usize].get_v128()
            }
            Operator::I32Add | Operator::I32Sub | Operator::I32Mul => {
                let b = stack.pop().unwrap_or(0) as u32;
                let a = stack.pop().unwrap_or(0) as u32;
                u128::from(match op {
                    Operator::I32Add => a.wrapping_add(b),
                    Operator::I32Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            Operator::I64Add | Operator::I64Sub | Operator::I64Mul => {
                let b = stack.pop().unwrap_or(0) as u64;
                let a = stack.pop().unwrap_or(0) as u64;
                u128::from(match op {
                    Operator::I64Add => a.wrapping_add(b),
                    Operator::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                })
            }
            other => {
                return Err(Trap::unsupported(format!(
                    "constant expression operator {}",
                    other.name()
                )))
            }
        };
        stack.push(v);
    }
    Ok(stack.pop().unwrap_or(0))
}
