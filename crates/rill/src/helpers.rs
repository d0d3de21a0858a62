//! Table and global operations rill-vm's public API lacks, done in wasm.
//!
//! rill-vm exposes no way to read, write, size or grow a table, nor to set a global, from
//! the host. The façade instantiates, once per table or global and in the same store, a
//! tiny module that imports it and exports functions doing `table.get` / `table.set` /
//! `table.size` / `table.grow` or `global.set`. The modules are assembled here by hand (the
//! engine has no text-format dependency).

use std::sync::Arc;

use rill_decoder::{HeapType, RefType, TableType, ValType};

use crate::error::{Error, TypeError};
use crate::runtime::State;

/// A table's helper functions.
#[derive(Clone, Copy)]
pub(crate) struct TableOps {
    pub(crate) size: rill_vm::Func,
    pub(crate) get: rill_vm::Func,
    pub(crate) set: rill_vm::Func,
    pub(crate) grow: rill_vm::Func,
}

fn leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(module: &mut Vec<u8>, id: u8, items: &[Vec<u8>]) {
    let mut payload = Vec::new();
    leb(&mut payload, items.len() as u64);
    for i in items {
        payload.extend_from_slice(i);
    }
    module.push(id);
    leb(module, payload.len() as u64);
    module.extend(payload);
}

fn name(out: &mut Vec<u8>, s: &str) {
    leb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn ref_type(r: RefType) -> Result<Vec<u8>, Error> {
    let HeapType::Abstract(h) = r.heap else {
        return Err(TypeError::new(
            "a reference type with a concrete type index cannot be used outside its module",
        )
        .into());
    };
    let code = match h {
        rill_decoder::AbsHeapType::Func => 0x70,
        rill_decoder::AbsHeapType::NoFunc => 0x73,
        rill_decoder::AbsHeapType::Extern => 0x6f,
        rill_decoder::AbsHeapType::NoExtern => 0x72,
        rill_decoder::AbsHeapType::Any => 0x6e,
        rill_decoder::AbsHeapType::Eq => 0x6d,
        rill_decoder::AbsHeapType::I31 => 0x6c,
        rill_decoder::AbsHeapType::Struct => 0x6b,
        rill_decoder::AbsHeapType::Array => 0x6a,
        rill_decoder::AbsHeapType::None => 0x71,
        rill_decoder::AbsHeapType::Exn => 0x69,
        rill_decoder::AbsHeapType::NoExn => 0x74,
    };
    Ok(if r.nullable {
        vec![code]
    } else {
        vec![0x64, code]
    })
}

fn val_type(t: ValType) -> Result<Vec<u8>, Error> {
    Ok(match t {
        ValType::I32 => vec![0x7f],
        ValType::I64 => vec![0x7e],
        ValType::F32 => vec![0x7d],
        ValType::F64 => vec![0x7c],
        ValType::V128 => vec![0x7b],
        ValType::Ref(r) => return ref_type(r),
    })
}

fn func_type(params: &[&[u8]], results: &[&[u8]]) -> Vec<u8> {
    let mut t = vec![0x60];
    leb(&mut t, params.len() as u64);
    params.iter().for_each(|p| t.extend_from_slice(p));
    leb(&mut t, results.len() as u64);
    results.iter().for_each(|r| t.extend_from_slice(r));
    t
}

fn body(code: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    leb(&mut b, code.len() as u64 + 1);
    b.push(0); // No locals.
    b.extend_from_slice(code);
    b
}

fn export(n: &str, func: u8) -> Vec<u8> {
    let mut e = Vec::new();
    name(&mut e, n);
    e.extend([0x00, func]);
    e
}

/// Builds a module, instantiates it with `import`, and returns the named exports.
fn instantiate(
    st: &mut State,
    types: Vec<Vec<u8>>,
    import: Vec<u8>,
    ext: rill_vm::Extern,
    bodies: &[(&str, &[u8])],
) -> Result<Vec<rill_vm::Func>, Error> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    section(&mut m, 1, &types);
    section(&mut m, 2, &[import]);
    let funcs: Vec<Vec<u8>> = (0..bodies.len() as u8).map(|i| vec![i]).collect();
    section(&mut m, 3, &funcs);
    let exports: Vec<Vec<u8>> = bodies
        .iter()
        .enumerate()
        .map(|(i, (n, _))| export(n, i as u8))
        .collect();
    section(&mut m, 7, &exports);
    let code: Vec<Vec<u8>> = bodies.iter().map(|(_, c)| body(c)).collect();
    section(&mut m, 10, &code);
    let module = rill_vm::Module::new(&m)
        .map_err(|e| TypeError::new(format!("internal helper module: {e}")))?;
    let inst = st
        .store
        .instantiate(&Arc::new(module), &[ext])
        .map_err(|e| TypeError::new(format!("internal helper module: {e}")))?;
    Ok(bodies
        .iter()
        .map(|(n, _)| match st.store.export(inst, n) {
            Some(rill_vm::Extern::Func(f)) => f,
            _ => unreachable!("the helper exports its functions"),
        })
        .collect())
}

/// The helper functions of table `addr` (made on first use).
pub(crate) fn table_ops(st: &mut State, addr: u32, ty: TableType) -> Result<TableOps, Error> {
    if let Some(ops) = st.table_helpers.get(&addr) {
        return Ok(*ops);
    }
    let e = ref_type(ty.element)?;
    let i: &[u8] = if ty.table64 { &[0x7e] } else { &[0x7f] };
    let types = vec![
        func_type(&[], &[i]),      // size
        func_type(&[i], &[&e]),    // get
        func_type(&[i, &e], &[]),  // set
        func_type(&[&e, i], &[i]), // grow
    ];
    let mut import = Vec::new();
    name(&mut import, "");
    name(&mut import, "t");
    import.push(0x01);
    import.extend_from_slice(&e);
    import.extend([if ty.table64 { 0x04 } else { 0x00 }, 0x00]);
    let f = instantiate(
        st,
        types,
        import,
        rill_vm::Extern::Table(addr),
        &[
            ("size", &[0xfc, 0x10, 0x00, 0x0b]),
            ("get", &[0x20, 0x00, 0x25, 0x00, 0x0b]),
            ("set", &[0x20, 0x00, 0x20, 0x01, 0x26, 0x00, 0x0b]),
            ("grow", &[0x20, 0x00, 0x20, 0x01, 0xfc, 0x0f, 0x00, 0x0b]),
        ],
    )?;
    let ops = TableOps {
        size: f[0],
        get: f[1],
        set: f[2],
        grow: f[3],
    };
    st.table_helpers.insert(addr, ops);
    Ok(ops)
}

/// A function setting mutable global `addr` of type `content` (made on first use).
pub(crate) fn global_setter(
    st: &mut State,
    addr: u32,
    content: ValType,
) -> Result<rill_vm::Func, Error> {
    if let Some(f) = st.global_setters.get(&addr) {
        return Ok(*f);
    }
    let t = val_type(content)?;
    let mut import = Vec::new();
    name(&mut import, "");
    name(&mut import, "g");
    import.push(0x03);
    import.extend_from_slice(&t);
    import.push(0x01);
    let f = instantiate(
        st,
        vec![func_type(&[&t], &[])],
        import,
        rill_vm::Extern::Global(addr),
        &[("set", &[0x20, 0x00, 0x24, 0x00, 0x0b])],
    )?[0];
    st.global_setters.insert(addr, f);
    Ok(f)
}
