//! The interpreter: one loop over the current function's instructions, with the hot state
//! (instruction index, frame base, current function and instance) in locals and the call
//! stack in a heap vector, never on the Rust stack.

use rill_lower::{CompiledFunc, Instr, MemOp, MemSite, TrapCode};

use crate::exec_simd;
use crate::ops;
use crate::store::{FuncKind, InstanceData, Store, MAX_CALL_DEPTH, MAX_REGISTERS};
use crate::value::Value;
use crate::Trap;

/// A suspended caller.
struct Frame<'s> {
    cf: &'s CompiledFunc,
    inst: &'s InstanceData,
    /// The instruction to resume at, in `cf.code`.
    ip: *const Instr,
    fp: usize,
}

/// Checks and establishes what the interpreter's unchecked accesses rely on, for a function
/// the lowering produced (every function the interpreter runs goes through this, in
/// [`Module`](crate::Module)'s constructor):
///
/// - every slot an instruction reads or writes in its own frame is below `frame_size`
///   (raised if needed), and `frame_size` covers the results;
/// - the code is not empty and its last instruction never falls through (a `Trap` is
///   appended otherwise), so the instruction after a non-branching one exists;
/// - every branch target is inside the code, and a `BrTable` is followed by its `len + 1`
///   branches.
///
/// A violation of the last point is a lowering bug: it panics rather than run unsound code.
pub(crate) fn verify(mut cf: CompiledFunc) -> CompiledFunc {
    if !cf.code.last().is_some_and(Instr::is_terminator) {
        let mut code = std::mem::take(&mut cf.code).into_vec();
        code.push(Instr::Trap {
            code: TrapCode::Unreachable,
        });
        cf.code = code.into_boxed_slice();
    }
    let bound = cf
        .code
        .iter()
        .map(Instr::slot_bound)
        .chain([usize::from(cf.frame_size), usize::from(cf.results)])
        .max()
        .unwrap_or(0);
    cf.frame_size = u16::try_from(bound).expect("lowering: frame slots fit u16");
    assert!(cf.locals <= cf.frame_size && cf.params <= cf.locals);
    let len = cf.code.len();
    for (at, instr) in cf.code.iter().enumerate() {
        let mut i = *instr;
        if let Some(&mut off) = i.offset_mut() {
            let target = at as i64 + i64::from(off);
            assert!(
                (0..len as i64).contains(&target),
                "lowering: branch target out of code"
            );
        }
        if let Instr::BrTable { len: n, .. } = *instr {
            let last = at as u64 + u64::from(n) + 1;
            assert!(last < len as u64, "lowering: br_table without its branches");
        }
    }
    cf
}

/// Calls function `f` (store address) with `args`.
pub(crate) fn invoke(store: &mut Store, f: u32, args: &[Value]) -> Result<Vec<Value>, Trap> {
    let func = &store.funcs[f as usize];
    let ty = func.ty.clone();
    if let FuncKind::Host(h) = &func.kind {
        return h.clone()(args);
    }
    let mut regs = std::mem::take(&mut store.regs);
    regs.clear();
    regs.extend(args.iter().map(|v| v.to_raw()));
    // `v128` arguments go to the vector slots (`store.vregs`, see `exec_simd`).
    for (i, v) in args.iter().enumerate() {
        if let Value::V128(_) = v {
            exec_simd::write_value(&mut regs, &mut store.vregs, i, *v)?;
        }
    }
    let result = run(store, &mut regs, f);
    let out = result.map(|()| {
        ty.results
            .iter()
            .enumerate()
            .map(|(i, t)| exec_simd::read_value(&regs, &store.vregs, i, *t))
            .collect()
    });
    store.regs = regs;
    out
}

/// Makes room for a frame of `cf` at `fp` and zeroes its declared locals.
#[inline(always)]
fn enter(regs: &mut Vec<u64>, fp: usize, cf: &CompiledFunc) -> Result<(), Trap> {
    let need = fp + cf.frame_size as usize;
    if need > regs.len() {
        if need > MAX_REGISTERS {
            return Err(Trap::StackExhausted);
        }
        regs.resize((need * 2).clamp(1024, MAX_REGISTERS), 0);
    }
    regs[fp + cf.params as usize..fp + cf.locals as usize].fill(0);
    Ok(())
}

fn mem_op_load(op: MemOp) -> fn(&[u8], u64, u64) -> Option<u64> {
    match op {
        MemOp::I32Load | MemOp::I64Load32U => ops::load_u32,
        MemOp::I64Load => ops::load_u64,
        MemOp::I32Load8S => ops::load_i32_8s,
        MemOp::I32Load8U | MemOp::I64Load8U => ops::load_8u,
        MemOp::I32Load16S => ops::load_i32_16s,
        MemOp::I32Load16U | MemOp::I64Load16U => ops::load_16u,
        MemOp::I64Load8S => ops::load_i64_8s,
        MemOp::I64Load16S => ops::load_i64_16s,
        MemOp::I64Load32S => ops::load_i64_32s,
        _ => unreachable!("a store"),
    }
}

fn mem_op_store(op: MemOp) -> fn(&mut [u8], u64, u64, u64) -> Option<()> {
    match op {
        MemOp::I32Store | MemOp::I64Store32 => ops::store_32,
        MemOp::I64Store => ops::store_64,
        MemOp::I32Store8 | MemOp::I64Store8 => ops::store_8,
        MemOp::I32Store16 | MemOp::I64Store16 => ops::store_16,
        _ => unreachable!("a load"),
    }
}

/// `-1` in the address type of a memory or table (all ones for 64-bit).
fn minus_one(is64: bool) -> u64 {
    if is64 {
        u64::MAX
    } else {
        u64::from(u32::MAX)
    }
}

/// Generates the `match` over every instruction: the numeric, load, store and
/// compare-and-branch groups from the ISA lists, then the hand-written arms.
macro_rules! dispatch {
    (
        ($instr:expr) { $($custom:tt)* }
        binary32 { $($b32:ident $b32i:ident $b32f:ident = $b32o:ident,)* }
        binary64 { $($b64:ident $b64i:ident $b64f:ident = $b64o:ident,)* }
        binary_trap { $($bt:ident $btf:ident = $bto:ident,)* }
        binary_float { $($bf:ident $bff:ident = $bfo:ident,)* }
        unary { $($u:ident $uf:ident = $uo:ident,)* }
        unary_trap { $($ut:ident $utf:ident = $uto:ident,)* }
        load { $($l:ident $lf:ident = $($lo:ident)*,)* }
        store { $($s:ident $sf:ident = $($so:ident)*,)* }
        br_cmp32 { $($c32:ident $c32i:ident $c32f:ident = $c32o:ident $c32oi:ident / $c32n:ident $c32ni:ident,)* }
        br_cmp64 { $($c64:ident $c64i:ident $c64f:ident = $c64o:ident $c64oi:ident / $c64n:ident $c64ni:ident,)* }
    ) => {
        match $instr {
            $(
                Instr::$b32 { d, a, b } => set!(d, ops::$b32f(get!(a), get!(b))),
                Instr::$b32i { d, a, imm } => set!(d, ops::$b32f(get!(a), u64::from(imm as u32))),
            )*
            $(
                Instr::$b64 { d, a, b } => set!(d, ops::$b64f(get!(a), get!(b))),
                Instr::$b64i { d, a, imm } => set!(d, ops::$b64f(get!(a), imm as i64 as u64)),
            )*
            $( Instr::$bt { d, a, b } => set!(d, ops::$btf(get!(a), get!(b))?), )*
            $( Instr::$bf { d, a, b } => set!(d, ops::$bff(get!(a), get!(b))), )*
            $( Instr::$u { d, a } => set!(d, ops::$uf(get!(a))), )*
            $( Instr::$ut { d, a } => set!(d, ops::$utf(get!(a))?), )*
            $( Instr::$l { d, p, offset } => {
                match ops::$lf(mem!(), get!(p), u64::from(offset)) {
                    Some(v) => set!(d, v),
                    None => return Err(Trap::MemoryOutOfBounds),
                }
            } )*
            $( Instr::$s { p, v, offset } => {
                if ops::$sf(mem!(), get!(p), u64::from(offset), get!(v)).is_none() {
                    return Err(Trap::MemoryOutOfBounds);
                }
            } )*
            $(
                Instr::$c32 { a, b, offset } => {
                    if ops::$c32f(get!(a), get!(b)) != 0 { jump!(offset) }
                }
                Instr::$c32i { a, imm, offset } => {
                    if ops::$c32f(get!(a), u64::from(imm as u32)) != 0 { jump!(offset) }
                }
            )*
            $(
                Instr::$c64 { a, b, offset } => {
                    if ops::$c64f(get!(a), get!(b)) != 0 { jump!(offset) }
                }
                Instr::$c64i { a, imm, offset } => {
                    if ops::$c64f(get!(a), imm as i64 as u64) != 0 { jump!(offset) }
                }
            )*
            $($custom)*
        }
    };
}

/// Runs function `entry` (a wasm function) with its arguments in `regs[0..]` (`v128`s in
/// `store.vregs[0..]`, see `exec_simd`); its results end up in `regs[0..]` (and
/// `store.vregs[0..]`).
fn run(store: &mut Store, regs: &mut Vec<u64>, entry: u32) -> Result<(), Trap> {
    let Store {
        funcs,
        memories,
        tables,
        globals,
        elems,
        datas,
        instances,
        types,
        vregs,
        ..
    } = store;
    let funcs = &*funcs;
    let instances = &*instances;
    let types = &*types;
    let FuncKind::Wasm { instance, code } = &funcs[entry as usize].kind else {
        unreachable!("invoke calls host functions directly")
    };
    let mut cf: &CompiledFunc = code;
    let mut inst: &InstanceData = &instances[*instance as usize];
    // The next instruction, in `cf.code`.
    let mut ip: *const Instr = cf.code.as_ptr();
    let mut fp: usize = 0;
    let mut frames: Vec<Frame<'_>> = Vec::new();
    enter(regs, fp, cf)?;
    let mut mem0 = inst.mem0 as usize;
    loop {
        {
            // The fast path: instructions that cannot change the register file, the memories
            // or the current function. Its state (frame, memory 0) is derived once here and
            // stays in registers; everything else breaks out to the slow path below, which
            // comes back here (re-deriving the state) when done.
            let frame: &mut [u64] = &mut regs[fp..];
            let mem: &mut [u8] = match memories.get_mut(mem0) {
                Some(m) => &mut m.data[..],
                None => &mut [],
            };
            // SAFETY (both): `frame` is `regs[fp..]` with `regs.len() >= fp + cf.frame_size`
            // (`enter` made room when the frame was entered; `regs` never shrinks during a
            // run), and every slot an instruction of `cf` names is below `cf.frame_size`
            // (`verify`).
            macro_rules! get {
                ($s:expr) => {
                    unsafe { *frame.get_unchecked($s as usize) }
                };
            }
            macro_rules! set {
                ($s:expr, $v:expr) => {{
                    let v = $v;
                    unsafe { *frame.get_unchecked_mut($s as usize) = v };
                }};
            }
            macro_rules! mem {
                () => {
                    mem
                };
            }
            macro_rules! jump {
                ($off:expr) => {{
                    // SAFETY: `ip - 1` is the branch; its target is inside `cf.code` (`verify`).
                    ip = unsafe { ip.offset($off as isize - 1) };
                    continue;
                }};
            }
            loop {
                // SAFETY: `ip` points into `cf.code`: it starts at an entry, branches stay
                // inside (`verify`), and the instruction after a non-branching one exists
                // because the last one never falls through (`verify`). `cf.code` outlives
                // the loop (borrowed from `funcs`).
                let instr = unsafe { &*ip };
                ip = unsafe { ip.add(1) };
                rill_lower::with_isa!(dispatch (*instr) {
                Instr::Br { offset } => jump!(offset),
                Instr::BrIfZ { c, offset } => {
                    if get!(c) == 0 {
                        jump!(offset)
                    }
                }
                Instr::BrIfNz { c, offset } => {
                    if get!(c) != 0 {
                        jump!(offset)
                    }
                }
                Instr::BrTable { index, len } => {
                    let i = (get!(index) as u32).min(len);
                    // SAFETY: the `len + 1` branches after the `BrTable` are in `cf.code` (`verify`).
                    ip = unsafe { ip.add(i as usize) };
                }
                Instr::Copy { d, s } => set!(d, get!(s)),
                Instr::Const32 { d, value } => set!(d, u64::from(value)),
                Instr::Const64 { d, lo, hi } => set!(d, u64::from(hi) << 32 | u64::from(lo)),
                Instr::Select { d, c, a, b } => {
                    set!(d, if get!(c) != 0 { get!(a) } else { get!(b) })
                }
                Instr::GlobalGet { d, global } => {
                    set!(d, globals[inst.globals[global as usize] as usize].value)
                }
                Instr::GlobalSet { s, global } => {
                    globals[inst.globals[global as usize] as usize].value = get!(s)
                }
                Instr::RefFunc { d, func } => set!(d, u64::from(inst.funcs[func as usize]) + 1),
                Instr::RefIsNull { d, a } => set!(d, u64::from(get!(a) == 0)),
                Instr::RefAsNonNull { a } => {
                    if get!(a) == 0 {
                        return Err(Trap::NullReference);
                    }
                }
                Instr::BrOnNull { r, offset } => {
                    if get!(r) == 0 {
                        jump!(offset)
                    }
                }
                Instr::BrOnNonNull { r, offset } => {
                    if get!(r) != 0 {
                        jump!(offset)
                    }
                }
                        _ => break,
                    });
            }
        }

        // The slow path: `ip - 1` is an instruction the fast path does not handle. Slots are
        // accessed with bounds checks here.
        // SAFETY: the fast path broke out right after advancing `ip` past it.
        let instr = unsafe { *ip.sub(1) };
        macro_rules! get {
            ($s:expr) => {
                regs[fp + $s as usize]
            };
        }
        macro_rules! set {
            ($s:expr, $v:expr) => {{
                let v = $v;
                regs[fp + $s as usize] = v;
            }};
        }
        // The fast path re-derives its state when it resumes.
        macro_rules! refresh {
            () => {};
        }
        // Returns from the current frame (results already in place).
        macro_rules! ret {
            () => {{
                match frames.pop() {
                    None => return Ok(()),
                    Some(f) => {
                        cf = f.cf;
                        inst = f.inst;
                        ip = f.ip;
                        fp = f.fp;
                        mem0 = inst.mem0 as usize;
                        refresh!();
                    }
                }
                continue;
            }};
        }
        // Calls store function `$f` with arguments at `base` (tail: replacing this frame).
        macro_rules! call {
            ($f:expr, $base:expr, $tail:expr) => {{
                let callee = &funcs[$f as usize];
                let base = fp + $base as usize;
                match &callee.kind {
                    FuncKind::Wasm { instance, code: c } => {
                        if $tail {
                            let n = c.params as usize;
                            regs.copy_within(base..base + n, fp);
                            if c.uses_v128 {
                                exec_simd::tail_args(vregs, fp, base, n)?;
                            }
                        } else {
                            if frames.len() >= MAX_CALL_DEPTH {
                                return Err(Trap::StackExhausted);
                            }
                            frames.push(Frame { cf, inst, ip, fp });
                            fp = base;
                        }
                        cf = c;
                        inst = &instances[*instance as usize];
                        mem0 = inst.mem0 as usize;
                        ip = cf.code.as_ptr();
                        enter(regs, fp, cf)?;
                        refresh!();
                        continue;
                    }
                    FuncKind::Host(h) => {
                        let ty = &callee.ty;
                        let args: Vec<Value> = ty
                            .params
                            .iter()
                            .enumerate()
                            .map(|(i, t)| exec_simd::read_value(regs, vregs, base + i, *t))
                            .collect();
                        let results = h(&args)?;
                        let out = if $tail { fp } else { base };
                        for (i, v) in results.iter().enumerate() {
                            exec_simd::write_value(regs, vregs, out + i, *v)?;
                        }
                        refresh!();
                        if $tail {
                            ret!();
                        }
                    }
                }
            }};
        }
        // The function at `index` of the call site's table, checked against its type.
        macro_rules! indirect {
            ($index:expr, $site:expr) => {{
                let site = cf.call_sites[$site as usize];
                let table = &tables[inst.tables[site.table as usize] as usize];
                let i = get!($index);
                let r = match usize::try_from(i).ok().and_then(|i| table.elems.get(i)) {
                    Some(&r) => r,
                    None => return Err(Trap::UndefinedElement),
                };
                if r == 0 {
                    return Err(Trap::UninitializedElement(i));
                }
                let f = (r - 1) as u32;
                let expected = inst.types[site.type_index as usize];
                let actual = funcs[f as usize].type_id;
                if actual != expected && !types.is_sub(actual, expected) {
                    return Err(Trap::IndirectCallTypeMismatch);
                }
                f
            }};
        }

        match instr {
            Instr::Trap {
                code: TrapCode::Unreachable,
            } => return Err(Trap::Unreachable),
            Instr::Unsupported { op } => {
                let name = rill_decoder::OPERATORS
                    .get(op as usize)
                    .map_or("?", |o| o.name);
                return Err(Trap::Unsupported(format!("the {name} instruction")));
            }
            Instr::Return0 => ret!(),
            Instr::Return1 { s } => {
                regs[fp] = get!(s);
                ret!()
            }
            Instr::ReturnN { s, n } => {
                let from = s as usize;
                regs.copy_within(fp + from..fp + from + n as usize, fp);
                ret!()
            }
            Instr::Call { base, func } => call!(inst.funcs[func as usize], base, false),
            Instr::ReturnCall { base, func } => call!(inst.funcs[func as usize], base, true),
            Instr::CallIndirect { base, index, site } => {
                let f = indirect!(index, site);
                call!(f, base, false)
            }
            Instr::ReturnCallIndirect { base, index, site } => {
                let f = indirect!(index, site);
                call!(f, base, true)
            }
            Instr::CallRef { base, r } => {
                let r = get!(r);
                if r == 0 {
                    return Err(Trap::NullFunctionReference);
                }
                call!(r - 1, base, false)
            }
            Instr::ReturnCallRef { base, r } => {
                let r = get!(r);
                if r == 0 {
                    return Err(Trap::NullFunctionReference);
                }
                call!(r - 1, base, true)
            }
            Instr::LoadAt { d, p, site } => {
                let MemSite { memory, offset, op } = cf.mem_sites[site as usize];
                let m = &memories[inst.memories[memory as usize] as usize].data;
                set!(
                    d,
                    mem_op_load(op)(m, get!(p), offset).ok_or(Trap::MemoryOutOfBounds)?
                );
                refresh!();
            }
            Instr::StoreAt { p, v, site } => {
                let MemSite { memory, offset, op } = cf.mem_sites[site as usize];
                let m = &mut memories[inst.memories[memory as usize] as usize].data;
                mem_op_store(op)(m, get!(p), offset, get!(v)).ok_or(Trap::MemoryOutOfBounds)?;
                refresh!();
            }
            Instr::MemorySize { d, memory } => {
                let m = &memories[inst.memories[memory as usize] as usize];
                set!(d, m.pages());
                refresh!();
            }
            Instr::MemoryGrow { d, delta, memory } => {
                let m = &mut memories[inst.memories[memory as usize] as usize];
                let is64 = m.ty.memory64;
                let r = m.grow(get!(delta)).unwrap_or(minus_one(is64));
                set!(d, r);
                refresh!();
            }
            Instr::MemoryFill {
                dst,
                val,
                n,
                memory,
            } => {
                let m = &mut memories[inst.memories[memory as usize] as usize].data;
                let (d, v, n) = (get!(dst), get!(val) as u8, get!(n));
                match range_mut(m, d, n) {
                    Some(s) => s.fill(v),
                    None => return Err(Trap::MemoryOutOfBounds),
                }
                refresh!();
            }
            Instr::MemoryCopy { dst, src, n, site } => {
                let s = cf.copy_sites[site as usize];
                let (d, sr, n) = (get!(dst), get!(src), get!(n));
                let (ma, mb) = (inst.memories[s.a as usize], inst.memories[s.b as usize]);
                if ma == mb {
                    let m = &mut memories[ma as usize].data;
                    if range_mut(m, sr, n).is_none() || range_mut(m, d, n).is_none() {
                        return Err(Trap::MemoryOutOfBounds);
                    }
                    m.copy_within(sr as usize..(sr + n) as usize, d as usize);
                } else {
                    let bytes = match range_mut(&mut memories[mb as usize].data, sr, n) {
                        Some(b) => b.to_vec(),
                        None => return Err(Trap::MemoryOutOfBounds),
                    };
                    match range_mut(&mut memories[ma as usize].data, d, n) {
                        Some(t) => t.copy_from_slice(&bytes),
                        None => return Err(Trap::MemoryOutOfBounds),
                    }
                }
                refresh!();
            }
            Instr::MemoryInit { dst, src, n, site } => {
                let s = cf.copy_sites[site as usize];
                let seg = &datas[inst.datas[s.a as usize] as usize];
                let m = &mut memories[inst.memories[s.b as usize] as usize].data;
                let (d, sr, n) = (get!(dst), get!(src), get!(n));
                let from = seg.get(sr as usize..).and_then(|x| x.get(..n as usize));
                match (from, range_mut(m, d, n)) {
                    (Some(f), Some(t)) if sr <= u64::from(u32::MAX) => t.copy_from_slice(f),
                    _ => return Err(Trap::MemoryOutOfBounds),
                }
                refresh!();
            }
            Instr::DataDrop { segment } => {
                datas[inst.datas[segment as usize] as usize] = rill_decoder::Bytes::default();
            }
            Instr::TableGet { d, i, table } => {
                let t = &tables[inst.tables[table as usize] as usize];
                match usize::try_from(get!(i)).ok().and_then(|i| t.elems.get(i)) {
                    Some(&r) => set!(d, r),
                    None => return Err(Trap::TableOutOfBounds),
                }
            }
            Instr::TableSet { i, v, table } => {
                let t = &mut tables[inst.tables[table as usize] as usize];
                let v = get!(v);
                match usize::try_from(get!(i))
                    .ok()
                    .and_then(|i| t.elems.get_mut(i))
                {
                    Some(r) => *r = v,
                    None => return Err(Trap::TableOutOfBounds),
                }
            }
            Instr::TableSize { d, table } => {
                set!(
                    d,
                    tables[inst.tables[table as usize] as usize].elems.len() as u64
                )
            }
            Instr::TableGrow { d, init, n, table } => {
                let t = &mut tables[inst.tables[table as usize] as usize];
                let is64 = t.ty.table64;
                let r = t.grow(get!(n), get!(init)).unwrap_or(minus_one(is64));
                set!(d, r)
            }
            Instr::TableFill { i, v, n, table } => {
                let t = &mut tables[inst.tables[table as usize] as usize];
                let (i, v, n) = (get!(i), get!(v), get!(n));
                match range_mut(&mut t.elems, i, n) {
                    Some(s) => s.fill(v),
                    None => return Err(Trap::TableOutOfBounds),
                }
            }
            Instr::TableCopy { dst, src, n, site } => {
                let s = cf.copy_sites[site as usize];
                let (d, sr, n) = (get!(dst), get!(src), get!(n));
                let (ta, tb) = (inst.tables[s.a as usize], inst.tables[s.b as usize]);
                let items = match range_mut(&mut tables[tb as usize].elems, sr, n) {
                    Some(x) => x.to_vec(),
                    None => return Err(Trap::TableOutOfBounds),
                };
                match range_mut(&mut tables[ta as usize].elems, d, n) {
                    Some(t) => t.copy_from_slice(&items),
                    None => return Err(Trap::TableOutOfBounds),
                }
            }
            Instr::TableInit { dst, src, n, site } => {
                let s = cf.copy_sites[site as usize];
                let seg = &elems[inst.elems[s.a as usize] as usize];
                let t = &mut tables[inst.tables[s.b as usize] as usize];
                let (d, sr, n) = (get!(dst), get!(src), get!(n));
                let from = seg.get(sr as usize..).and_then(|x| x.get(..n as usize));
                match (from, range_mut(&mut t.elems, d, n)) {
                    (Some(f), Some(to)) => to.copy_from_slice(f),
                    _ => return Err(Trap::TableOutOfBounds),
                }
            }
            Instr::ElemDrop { segment } => {
                elems[inst.elems[segment as usize] as usize] = Vec::new();
            }
            Instr::Simd { .. } | Instr::SimdX { .. } => {
                exec_simd::exec(instr, fp, regs, vregs, cf, inst, memories, globals)?;
            }
            _ => unreachable!("the fast path handles {instr:?}"),
        }
    }
}

/// `s[start..start + n]` if it is in bounds.
fn range_mut<T>(s: &mut [T], start: u64, n: u64) -> Option<&mut [T]> {
    let start = usize::try_from(start).ok()?;
    let n = usize::try_from(n).ok()?;
    s.get_mut(start..)?.get_mut(..n)
}
