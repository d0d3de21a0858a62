//! The lowering sink: operand-stack model, register allocation, control flow and the mapping
//! of every operator to instructions.

use std::collections::HashMap;

use rill_decoder::{FuncType, MemArg, Operator, ValType, OPERATORS};
use rill_validator::{Facts, OpInfo, OperatorSink, ValidationError};

use crate::isa::{AtomicSite, Instr, MemOp, MemSite, Slot, TrapCode};
use crate::isa_simd::{SimdOp, SimdSite, SimdXOp};
use crate::{CallSite, CompiledFunc, CopySite, Handler, HandlerKind};

mod atomics;
mod exceptions;

type Res = Result<(), ValidationError>;
type RegImm = fn(Slot, Slot, i32) -> Instr;

/// An operand stack entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opnd {
    /// The current value of a local (not copied: `local.get` emits nothing).
    Local(Slot),
    /// A constant (bits, `i32`/`f32` zero-extended).
    Const(u64),
    /// A value in its own stack slot (`locals + position`).
    Temp,
    /// The `i32.add` of two locals, not computed yet: a load or store fuses it into its
    /// address (`LoadAdd`/`StoreAdd`); anything else computes it when it reads the operand.
    Add(Slot, Slot),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CtrlKind {
    Function,
    Block,
    Loop,
    If,
    Else,
    /// `try_table`: a block with handlers (see `exceptions`).
    TryTable,
    /// A legacy `try` before its first `catch`.
    Try,
    /// A legacy `catch`/`catch_all` arm: the caught exception's reference sits in the
    /// hidden slot at the block's height.
    Catch,
}

#[derive(Debug)]
struct Ctrl {
    kind: CtrlKind,
    /// Opened in unreachable code: everything up to its `end` is skipped.
    dead: bool,
    /// Operand stack height below the params; the label's values live in slots from
    /// `locals + height`.
    height: usize,
    params: usize,
    results: usize,
    /// Instructions whose offset must be patched to the end of this construct.
    fixups: Vec<usize>,
    /// Loop: the head.
    head: usize,
    /// If: the branch to the else arm (or the end).
    else_fixup: Option<usize>,
    /// If: copies of the params hidden below the then-arm's stack (see `if_`); a legacy
    /// catch arm: the exception's reference.
    hidden: usize,
    /// Exception handling state of `try_table`/`try` blocks.
    eh: exceptions::TryState,
    /// Fuel metering: this construct opened a region (see [`crate::fuel`]), the top of
    /// `Lowerer::fuel_regions` until its `end` (or, for an `if`, its `else`).
    fuel_region: bool,
}

/// Numeric operator shapes, from the ISA lists.
enum Num {
    Bin32(fn(Slot, Slot, Slot) -> Instr, fn(Slot, Slot, i32) -> Instr),
    Bin64(fn(Slot, Slot, Slot) -> Instr, fn(Slot, Slot, i32) -> Instr),
    Bin(fn(Slot, Slot, Slot) -> Instr),
    Un(fn(Slot, Slot) -> Instr),
    /// A load, its fused-address form (`d, p, q, offset`), its kind and memory operand.
    Load(
        fn(Slot, Slot, u32) -> Instr,
        fn(Slot, Slot, Slot, u32) -> Instr,
        MemOp,
        MemArg,
    ),
    /// A store, its fused-address form (`p, q, v, offset`), its kind and memory operand.
    Store(
        fn(Slot, Slot, u32) -> Instr,
        fn(Slot, Slot, Slot, u32) -> Instr,
        MemOp,
        MemArg,
    ),
}

macro_rules! define_num {
    (
        binary32 { $($b32:ident $b32i:ident $b32f:ident = $b32o:ident,)* }
        binary64 { $($b64:ident $b64i:ident $b64f:ident = $b64o:ident,)* }
        binary_trap { $($bt:ident $btf:ident = $bto:ident,)* }
        binary_float { $($bf:ident $bff:ident = $bfo:ident,)* }
        unary { $($u:ident $uf:ident = $uo:ident,)* }
        unary_trap { $($ut:ident $utf:ident = $uto:ident,)* }
        load { $($l:ident $la:ident $lf:ident = $($lo:ident)*,)* }
        store { $($s:ident $sa:ident $sf:ident = $($so:ident)*,)* }
        br_cmp32 { $($c32:tt)* }
        br_cmp64 { $($c64:tt)* }
        br_cmp_float { $($cf:tt)* }
        fused_float { $($ff:tt)* }
    ) => {
        /// The numeric shape of `op`, if it is a numeric operator or a plain load/store.
        fn num(op: &Operator<'_>) -> Option<Num> {
            Some(match *op {
                $( Operator::$b32o => Num::Bin32(
                    |d, a, b| Instr::$b32 { d, a, b },
                    |d, a, imm| Instr::$b32i { d, a, imm },
                ), )*
                $( Operator::$b64o => Num::Bin64(
                    |d, a, b| Instr::$b64 { d, a, b },
                    |d, a, imm| Instr::$b64i { d, a, imm },
                ), )*
                $( Operator::$bto => Num::Bin(|d, a, b| Instr::$bt { d, a, b }), )*
                $( Operator::$bfo => Num::Bin(|d, a, b| Instr::$bf { d, a, b }), )*
                $( Operator::$uo => Num::Un(|d, a| Instr::$u { d, a }), )*
                $( Operator::$uto => Num::Un(|d, a| Instr::$ut { d, a }), )*
                $( $( Operator::$lo { memarg } )|* => Num::Load(
                    |d, p, offset| Instr::$l { d, p, offset },
                    |d, p, q, offset| Instr::$la { d, p, q, offset },
                    MemOp::$l,
                    memarg,
                ), )*
                $( $( Operator::$so { memarg } )|* => Num::Store(
                    |p, v, offset| Instr::$s { p, v, offset },
                    |p, q, v, offset| Instr::$sa { p, q, v, offset },
                    MemOp::$s,
                    memarg,
                ), )*
                _ => return None,
            })
        }
    };
}

crate::with_isa!(define_num);

/// SIMD operator shapes, from the SIMD ISA lists (see `isa_simd`).
enum Simd {
    /// One vector or scalar operand (`unary`, `splat`, `test`).
    One(SimdOp),
    /// Two operands (`binary`, `shift`).
    Two(SimdOp),
    /// Three vector operands.
    Three(SimdOp),
    /// A vector and a lane: the scalar result.
    Extract(SimdOp, u8),
    /// A vector, a scalar and a lane.
    Replace(SimdOp, u8),
    /// An address: the loaded vector.
    Load(SimdXOp, MemArg),
    /// An address and a vector: the vector with one lane loaded.
    LoadLane(SimdXOp, MemArg, u8),
    /// An address and a vector stored (all of it, or one lane).
    Store(SimdXOp, MemArg, u8),
}

macro_rules! define_simd {
    (
        unary { $($u:ident $uf:ident,)* }
        binary { $($b:ident $bf:ident,)* }
        ternary { $($t:ident $tf:ident,)* }
        splat { $($sp:ident $spf:ident,)* }
        test { $($te:ident $tef:ident,)* }
        shift { $($sh:ident $shf:ident,)* }
        extract { $($ex:ident $exf:ident,)* }
        replace { $($re:ident $ref_:ident,)* }
        load { $($l:ident $lf:ident,)* }
        load_lane { $($ll:ident $llf:ident,)* }
        store { $($s:ident $sf:ident,)* }
        store_lane { $($sl:ident $slf:ident,)* }
    ) => {
        /// The SIMD shape of `op`, if it is a SIMD operator of the lists (`v128.const` and
        /// `i8x16.shuffle`, with their immediates, are lowered on their own).
        fn simd(op: &Operator<'_>) -> Option<Simd> {
            Some(match *op {
                $( Operator::$u => Simd::One(SimdOp::$u), )*
                $( Operator::$sp => Simd::One(SimdOp::$sp), )*
                $( Operator::$te => Simd::One(SimdOp::$te), )*
                $( Operator::$b => Simd::Two(SimdOp::$b), )*
                $( Operator::$sh => Simd::Two(SimdOp::$sh), )*
                $( Operator::$t => Simd::Three(SimdOp::$t), )*
                $( Operator::$ex { lane } => Simd::Extract(SimdOp::$ex, lane), )*
                $( Operator::$re { lane } => Simd::Replace(SimdOp::$re, lane), )*
                $( Operator::$l { memarg } => Simd::Load(SimdXOp::$l, memarg), )*
                $( Operator::$ll { memarg, lane } => Simd::LoadLane(SimdXOp::$ll, memarg, lane), )*
                $( Operator::$s { memarg } => Simd::Store(SimdXOp::$s, memarg, 0), )*
                $( Operator::$sl { memarg, lane } => Simd::Store(SimdXOp::$sl, memarg, lane), )*
                _ => return None,
            })
        }
    };
}

crate::with_simd_isa!(define_simd);

fn is_v128(t: &ValType) -> bool {
    *t == ValType::V128
}

/// The result types `else` and `end` carry (empty for other operators).
fn arm_results<'v>(info: &OpInfo<'v>) -> &'v [ValType] {
    match info.facts {
        Facts::Else { results, .. } | Facts::End { results, .. } => results,
        _ => &[],
    }
}

/// Whether a `global.get`/`global.set` is of a `v128` global.
fn global_is_v128(info: &OpInfo<'_>) -> bool {
    matches!(info.facts, Facts::Global { ty } if ty.content == ValType::V128)
}

/// The types a branch carries.
fn branch_types<'v>(info: &OpInfo<'v>) -> &'v [ValType] {
    match info.facts {
        Facts::Branch { label, .. } => label.types,
        Facts::BrTable { default } => default.types,
        _ => unreachable!("branch facts"),
    }
}

/// Commutative integer operators (a constant left operand can be swapped to the right).
fn commutative(op: &Operator<'_>) -> bool {
    use Operator::*;
    matches!(
        op,
        I32Add
            | I32Mul
            | I32And
            | I32Or
            | I32Xor
            | I32Eq
            | I32Ne
            | I64Add
            | I64Mul
            | I64And
            | I64Or
            | I64Xor
            | I64Eq
            | I64Ne
    )
}

/// Loop rotation: a `Br` to a conditional branch that exits to the instruction right after
/// the `Br` (a `while` loop: `block loop br_if 1 … br 0 end end`) becomes that branch negated,
/// jumping to the instruction after it. One dispatch less per iteration; the instruction at
/// the `Br`'s position keeps its meaning, so branches to it stay valid.
fn rotate_loops(code: &mut [Instr]) {
    for at in 0..code.len() {
        let Instr::Br { offset } = code[at] else {
            continue;
        };
        let head = at as i64 + i64::from(offset);
        let Some(mut cond) = usize::try_from(head)
            .ok()
            .and_then(|h| code.get(h).copied())
        else {
            continue;
        };
        let Some(&mut exit) = cond.offset_mut() else {
            continue;
        };
        if head + i64::from(exit) != at as i64 + 1 {
            continue;
        }
        let Some(mut rotated) = cond.negated_branch() else {
            continue;
        };
        let Ok(back) = i32::try_from(head + 1 - at as i64) else {
            continue;
        };
        *rotated.offset_mut().expect("a branch") = back;
        code[at] = rotated;
    }
}

/// Return threading: a `Br` to a return instruction becomes that return (a return does not
/// depend on where it is), and a `Copy` into the slot that the `Return1` right after it
/// returns becomes a return of the copy's source (the frame ends there). Two dispatches
/// less on paths such as `if … else (result) … end return`. The instructions keep their
/// positions, so branches to them stay valid; a `BrTable`'s branches stay branches.
fn thread_returns(code: &mut [Instr]) {
    let mut at = 0;
    while at < code.len() {
        match code[at] {
            Instr::BrTable { len, .. } => {
                at += len as usize + 2;
                continue;
            }
            Instr::Br { offset } => {
                let target = at as i64 + i64::from(offset);
                if let Some(&r @ (Instr::Return0 | Instr::Return1 { .. } | Instr::ReturnN { .. })) =
                    usize::try_from(target).ok().and_then(|t| code.get(t))
                {
                    code[at] = r;
                }
            }
            _ => {}
        }
        at += 1;
    }
    for at in 1..code.len() {
        if let (Instr::Copy { d, s }, Instr::Return1 { s: r }) = (code[at - 1], code[at]) {
            if d == r {
                code[at - 1] = Instr::Return1 { s };
            }
        }
    }
}

/// The lowering sink for one function body.
#[derive(Debug)]
pub struct Lowerer {
    offset: usize,
    params: usize,
    results: usize,
    locals: usize,
    code: Vec<Instr>,
    stack: Vec<Opnd>,
    ctrls: Vec<Ctrl>,
    reachable: bool,
    /// Highest slot used + 1.
    max_slots: usize,
    /// The last instruction wrote the top-of-stack temporary and nothing has been bound since:
    /// its destination can be retargeted.
    last: Option<usize>,
    call_sites: Vec<CallSite>,
    mem_sites: Vec<MemSite>,
    atomic_sites: Vec<AtomicSite>,
    copy_sites: Vec<CopySite>,
    /// An `eqz` of the float comparison that produced the top of the stack is deferred to
    /// the next operator (see `negate_compare`).
    pending_eqz: bool,
    /// Hoisted constants (see [`CompiledFunc::consts`]) and their placeholder slots.
    consts: Vec<u64>,
    const_slots: HashMap<u64, Slot>,
    /// Which locals (parameters first) are `v128`s.
    local_v128: Vec<bool>,
    /// The function's result types.
    result_types: Vec<ValType>,
    v128_consts: Vec<u128>,
    simd_sites: Vec<SimdSite>,
    uses_v128: bool,
    too_large: bool,
    /// Exception handlers (see [`CompiledFunc::handlers`]).
    handlers: Vec<Handler>,
    /// The copies of `v128` results to their frame positions: code index, result index
    /// (see `out_v128`).
    result_copies: Vec<(usize, Slot)>,
    /// The parameter types of the module's tags.
    tag_params: Vec<Vec<ValType>>,
    /// Memory 0 is a 32-bit memory: its accesses use the compact forms (whose handlers rely
    /// on 32-bit addresses).
    mem0_32: bool,
    /// Emit fuel metering ([`crate::fuel`]).
    fuel: bool,
    /// The `ConsumeFuel` instructions of the open fuel regions, innermost last: operators
    /// add their cost to the last.
    fuel_regions: Vec<usize>,
}

const MAX_SLOTS: usize = Slot::MAX as usize;

/// Hoisted constant `k` is read from placeholder slot `CONST_BASE + k` while the body is
/// lowered (the number of constants, and so where the operand stack starts, is only known
/// at the end); `into_compiled` renumbers the slots.
const CONST_BASE: usize = 0xFC00;
/// Most constants hoisted per function.
const MAX_CONSTS: usize = MAX_SLOTS - CONST_BASE;

impl Lowerer {
    /// A lowerer for a function of type `ty`; `offset` is where the body starts (for
    /// errors).
    pub fn new(env: &rill_validator::ModuleEnv, ty: &FuncType, offset: usize) -> Self {
        let (params, results) = (ty.params.len(), ty.results.len());
        Lowerer {
            offset,
            params,
            results,
            locals: params,
            code: Vec::new(),
            stack: Vec::new(),
            ctrls: Vec::new(),
            reachable: true,
            max_slots: params,
            last: None,
            call_sites: Vec::new(),
            mem_sites: Vec::new(),
            atomic_sites: Vec::new(),
            copy_sites: Vec::new(),
            pending_eqz: false,
            consts: Vec::new(),
            const_slots: HashMap::new(),
            local_v128: ty.params.iter().map(is_v128).collect(),
            result_types: ty.results.to_vec(),
            v128_consts: Vec::new(),
            simd_sites: Vec::new(),
            uses_v128: ty.params.iter().chain(ty.results.iter()).any(is_v128),
            too_large: false,
            handlers: Vec::new(),
            result_copies: Vec::new(),
            tag_params: (0..env.tags.len() as u32)
                .map(|t| env.tag_type(t).map_or(Vec::new(), |f| f.params.to_vec()))
                .collect(),
            mem0_32: env.memories.first().is_some_and(|m| !m.memory64),
            fuel: false,
            fuel_regions: Vec::new(),
        }
    }

    /// Turns fuel metering on or off ([`crate::fuel`]); before the body is lowered.
    pub fn set_fuel(&mut self, on: bool) {
        self.fuel = on;
    }

    /// Fuel metering: starts a region here (a `ConsumeFuel` whose amount the region's
    /// operators fill in), for the innermost control frame, which ends it.
    fn open_fuel_region(&mut self) {
        if !self.fuel {
            return;
        }
        let at = self.emit(Instr::ConsumeFuel { amount: 0 });
        self.fuel_regions.push(at);
        if let Some(c) = self.ctrls.last_mut() {
            c.fuel_region = true;
        }
    }

    /// Fuel metering: ends the region the control frame `c` opened, if it did.
    fn close_fuel_region(&mut self, opened: bool) {
        if opened {
            self.fuel_regions.pop();
        }
    }

    /// Fuel metering: adds `cost` to the current region's charge.
    fn charge_fuel(&mut self, cost: u32) {
        if let Some(&at) = self.fuel_regions.last() {
            if let Instr::ConsumeFuel { amount } = &mut self.code[at] {
                *amount = amount.saturating_add(cost);
            }
        }
    }

    /// The lowered function.
    pub fn into_compiled(mut self) -> CompiledFunc {
        thread_returns(&mut self.code);
        rotate_loops(&mut self.code);
        let k = self.consts.len();
        if k > 0 {
            // Constants go right after the locals, the operand stack after them.
            let locals = self.locals;
            let renumber = |s: Slot| {
                let s = usize::from(s);
                (if s >= CONST_BASE {
                    locals + (s - CONST_BASE)
                } else if s >= locals {
                    s + k
                } else {
                    s
                }) as Slot
            };
            for i in &mut self.code {
                i.map_slots(renumber);
            }
            for &(at, i) in &self.result_copies {
                if let Instr::Simd { d, .. } = &mut self.code[at] {
                    *d = i;
                }
            }
            for h in &mut self.handlers {
                if let HandlerKind::Catch { values, exn, .. } = &mut h.kind {
                    *values = renumber(*values);
                    *exn = exn.map(renumber);
                }
            }
        }
        CompiledFunc {
            code: self.code.into_boxed_slice(),
            params: self.params as u16,
            results: self.results as u16,
            locals: self.locals as u16,
            frame_size: (self.max_slots + k).max(self.results) as u16,
            consts: self.consts.into_boxed_slice(),
            call_sites: self.call_sites.into_boxed_slice(),
            mem_sites: self.mem_sites.into_boxed_slice(),
            atomic_sites: self.atomic_sites.into_boxed_slice(),
            copy_sites: self.copy_sites.into_boxed_slice(),
            v128_consts: self.v128_consts.into_boxed_slice(),
            simd_sites: self.simd_sites.into_boxed_slice(),
            uses_v128: self.uses_v128,
            handlers: self.handlers.into_boxed_slice(),
            metered: self.fuel,
        }
    }

    // ----- slots and emission -----

    /// The slot of stack position `pos`.
    fn home(&mut self, pos: usize) -> Slot {
        let s = self.locals + pos;
        if s >= self.max_slots {
            self.max_slots = s + 1;
            self.check_size();
        }
        s as Slot
    }

    /// Registers must fit a [`Slot`], and stay below the constants' placeholders.
    fn check_size(&mut self) {
        let limit = if self.consts.is_empty() {
            MAX_SLOTS
        } else {
            CONST_BASE - self.consts.len()
        };
        if self.max_slots > limit {
            self.too_large = true;
        }
    }

    /// A slot holding constant `v` for the whole function, if it is worth hoisting (inside
    /// a loop) and there is room.
    fn hoisted(&mut self, v: u64) -> Option<Slot> {
        if let Some(&s) = self.const_slots.get(&v) {
            return Some(s);
        }
        let in_loop = self.ctrls.iter().any(|c| c.kind == CtrlKind::Loop);
        if !in_loop
            || self.consts.len() >= MAX_CONSTS
            || self.max_slots + self.consts.len() + 1 > CONST_BASE
        {
            return None;
        }
        let s = (CONST_BASE + self.consts.len()) as Slot;
        self.consts.push(v);
        self.const_slots.insert(v, s);
        Some(s)
    }

    fn emit(&mut self, i: Instr) -> usize {
        self.last = None;
        self.code.push(i);
        self.code.len() - 1
    }

    /// Emits an instruction writing the new top-of-stack temporary.
    fn emit_result(&mut self, i: Instr) {
        let at = self.emit(i);
        self.stack.push(Opnd::Temp);
        self.last = Some(at);
    }

    /// The two results of a wide-arithmetic instruction: stack positions `pos` and
    /// `pos + 1`, temporaries in consecutive slots (never retargeted: the instruction
    /// names only the first). Pushes them; the first slot.
    fn wide_results(&mut self, pos: usize) -> Slot {
        let d = self.home(pos);
        self.home(pos + 1);
        self.stack.push(Opnd::Temp);
        self.stack.push(Opnd::Temp);
        d
    }

    /// Emits `d = s`, of a `v128` (vector slots) or of anything else (scalar slots).
    fn copy(&mut self, d: Slot, s: Slot, v128: bool) {
        if v128 {
            self.emit_simd(SimdOp::CopyV128, d, s, 0, 0);
        } else {
            self.emit(Instr::Copy { d, s });
        }
    }

    /// Emits a `Simd` instruction.
    fn emit_simd(&mut self, op: SimdOp, d: Slot, a: Slot, b: Slot, c: Slot) -> usize {
        self.uses_v128 = true;
        self.emit(Instr::Simd { op, d, a, b, c })
    }

    /// Whether local `x` is a `v128`.
    fn local_is_v128(&self, x: Slot) -> bool {
        self.local_v128[usize::from(x)]
    }

    fn pc(&self) -> usize {
        self.code.len()
    }

    /// A jump target starts here: no instruction may be retargeted across it.
    fn bind(&mut self) -> usize {
        self.last = None;
        self.code.len()
    }

    fn patch(&mut self, at: usize, target: usize) {
        let off = target as i64 - at as i64;
        *self.code[at].offset_mut().expect("a branch") = off as i32;
    }

    fn const_instr(d: Slot, v: u64) -> Instr {
        if v <= u64::from(u32::MAX) {
            Instr::Const32 { d, value: v as u32 }
        } else {
            Instr::Const64 {
                d,
                lo: v as u32,
                hi: (v >> 32) as u32,
            }
        }
    }

    /// Pops the top operand; returns it with its stack position.
    fn pop(&mut self) -> (Opnd, usize) {
        let o = self.stack.pop().expect("validated: operand present");
        (o, self.stack.len())
    }

    /// A slot holding operand `o` (at stack position `pos`): constants are materialised in
    /// the position's own slot.
    fn read(&mut self, o: Opnd, pos: usize) -> Slot {
        match o {
            Opnd::Local(s) => s,
            Opnd::Temp => self.home(pos),
            Opnd::Add(a, b) => {
                let d = self.home(pos);
                self.emit(Instr::I32Add { d, a, b });
                d
            }
            Opnd::Const(v) => {
                if let Some(s) = self.hoisted(v) {
                    return s;
                }
                let d = self.home(pos);
                self.emit(Self::const_instr(d, v));
                d
            }
        }
    }

    fn pop_slot(&mut self) -> Slot {
        let (o, pos) = self.pop();
        self.read(o, pos)
    }

    /// Puts the value at stack position `pos` into its own slot.
    fn materialize(&mut self, pos: usize) {
        let d = self.home(pos);
        match self.stack[pos] {
            Opnd::Temp => return,
            Opnd::Local(s) => {
                let v = self.local_is_v128(s);
                self.copy(d, s, v);
            }
            Opnd::Const(v) => {
                self.emit(Self::const_instr(d, v));
            }
            Opnd::Add(a, b) => {
                self.emit(Instr::I32Add { d, a, b });
            }
        }
        self.stack[pos] = Opnd::Temp;
    }

    /// Materialises the top `n` values.
    fn materialize_top(&mut self, n: usize) {
        let len = self.stack.len();
        for pos in len - n..len {
            self.materialize(pos);
        }
    }

    /// Copies every lazy reference to a local into its own slot (before control flow).
    fn materialize_locals(&mut self) {
        for pos in 0..self.stack.len() {
            if matches!(self.stack[pos], Opnd::Local(_) | Opnd::Add(..)) {
                self.materialize(pos);
            }
        }
    }

    /// Copies the lazy references to local `x` into their own slots (before `x` is written).
    fn preserve(&mut self, x: Slot) {
        for pos in 0..self.stack.len() {
            let reads_x = match self.stack[pos] {
                Opnd::Local(s) => s == x,
                Opnd::Add(a, b) => a == x || b == x,
                _ => false,
            };
            if reads_x {
                self.materialize(pos);
            }
        }
    }

    /// Writes the popped value `v` (at position `pos`) into local `x`.
    fn set_local(&mut self, x: Slot, v: Opnd, pos: usize) {
        let retarget = v == Opnd::Temp && self.last.is_some_and(|l| l + 1 == self.code.len());
        if retarget {
            let mut instr = self.code.pop().expect("the last instruction");
            self.preserve(x);
            *instr.dst_mut().expect("retargetable") = x;
            self.emit(instr);
            return;
        }
        self.preserve(x);
        let v128 = self.local_is_v128(x);
        match v {
            Opnd::Temp => {
                let s = self.home(pos);
                self.copy(x, s, v128);
            }
            Opnd::Local(s) if s != x => {
                self.copy(x, s, v128);
            }
            Opnd::Local(_) => {}
            Opnd::Const(c) => {
                self.emit(Self::const_instr(x, c));
            }
            Opnd::Add(a, b) => {
                self.emit(Instr::I32Add { d: x, a, b });
            }
        }
    }

    fn set_unreachable(&mut self) {
        self.reachable = false;
        let ctrl = self.ctrls.last().expect("inside a frame");
        let keep = ctrl.height + ctrl.hidden;
        self.stack.truncate(keep);
        self.last = None;
    }

    // ----- branches -----

    /// Copies the top `n` values, of types `types`, to the slots from `base` (in ascending
    /// order: each source is at or above its destination). Returns whether anything was
    /// copied.
    fn emit_copies(&mut self, n: usize, base: usize, types: &[ValType]) -> bool {
        debug_assert_eq!(types.len(), n);
        let len = self.stack.len();
        let mut any = false;
        if n > 0 && base + n > self.max_slots {
            self.max_slots = base + n;
            self.check_size();
        }
        for i in 0..n {
            let pos = len - n + i;
            let d = (base + i) as Slot;
            let v128 = types.get(i).is_some_and(is_v128);
            match self.stack[pos] {
                Opnd::Temp => {
                    let s = self.home(pos);
                    if s != d {
                        self.copy(d, s, v128);
                        any = true;
                    }
                }
                Opnd::Local(s) => {
                    self.copy(d, s, v128);
                    any = true;
                }
                Opnd::Const(v) => {
                    self.emit(Self::const_instr(d, v));
                    any = true;
                }
                Opnd::Add(a, b) => {
                    self.emit(Instr::I32Add { d, a, b });
                    any = true;
                }
            }
        }
        any
    }

    /// Whether branching with the top `n` values to slots from `base` needs copies.
    fn needs_copies(&self, n: usize, base: usize) -> bool {
        let len = self.stack.len();
        (0..n).any(|i| {
            let pos = len - n + i;
            self.stack[pos] != Opnd::Temp || self.locals + pos != base + i
        })
    }

    fn label(&self, depth: u32) -> (usize, usize, bool) {
        let idx = self.ctrls.len() - 1 - depth as usize;
        let c = &self.ctrls[idx];
        let arity = if c.kind == CtrlKind::Loop {
            c.params
        } else {
            c.results
        };
        (idx, arity, c.kind == CtrlKind::Function)
    }

    /// Emits `instr` (a branch with offset 0) towards the label of frame `idx`.
    fn branch_to(&mut self, idx: usize, instr: Instr) {
        let at = self.emit(instr);
        let c = &mut self.ctrls[idx];
        if c.kind == CtrlKind::Loop {
            let head = c.head;
            self.patch(at, head);
        } else {
            c.fixups.push(at);
        }
    }

    /// An unconditional branch to `depth` with its values, of types `types`, on top of the
    /// stack.
    fn br(&mut self, depth: u32, types: &[ValType]) {
        let (idx, n, is_fn) = self.label(depth);
        if is_fn {
            self.ret();
            return;
        }
        let base = self.locals + self.ctrls[idx].height;
        self.emit_copies(n, base, types);
        self.branch_to(idx, Instr::Br { offset: 0 });
    }

    /// Emits the return of the top `results` values. The stack model is left unchanged
    /// (this may be a conditional return): values that are not already consecutive
    /// temporaries are copied to scratch slots above the stack.
    ///
    /// The scalar return instructions copy scalar slots only: a `v128` result is first
    /// copied to its vector slot `i` of the frame (where the caller finds it), in ascending
    /// order (each source is at or above its destination). Slot `i` is a frame position,
    /// not a stack slot: `out_v128` keeps it out of `into_compiled`'s renumbering.
    fn ret(&mut self) {
        let types = std::mem::take(&mut self.result_types);
        let n = self.results;
        let len = self.stack.len();
        match n {
            0 => {
                self.emit(Instr::Return0);
            }
            1 => {
                let s = match self.stack[len - 1] {
                    Opnd::Local(s) => s,
                    Opnd::Temp => self.home(len - 1),
                    Opnd::Add(a, b) => {
                        let d = self.home(len - 1);
                        self.emit(Instr::I32Add { d, a, b });
                        d
                    }
                    Opnd::Const(v) => {
                        let d = self.home(len);
                        self.emit(Self::const_instr(d, v));
                        d
                    }
                };
                if is_v128(&types[0]) {
                    self.out_v128(0, s);
                    self.emit(Instr::Return0);
                } else {
                    self.emit(Instr::Return1 { s });
                }
            }
            n => {
                let first = len - n;
                let s = if self.stack[first..].iter().all(|o| *o == Opnd::Temp) {
                    self.home(first)
                } else {
                    self.home(len + n - 1);
                    self.emit_copies(n, self.locals + len, &types);
                    self.home(len)
                };
                for (i, t) in types.iter().enumerate() {
                    if is_v128(t) {
                        self.out_v128(i, s + i as Slot);
                    }
                }
                self.emit(Instr::ReturnN { s, n: n as u16 });
            }
        }
        self.result_types = types;
    }

    /// Copies `v128` result `i` from slot `s` to the frame's vector slot `i`. Unless the
    /// source is that very slot and not renumbered (a parameter or local), the copy is
    /// made and recorded so `into_compiled` can restore its destination: hoisted constants
    /// move every slot from `locals` up, and the source may move while `i` must not.
    fn out_v128(&mut self, i: usize, s: Slot) {
        if usize::from(s) == i && i < self.locals {
            return;
        }
        let at = self.emit_simd(SimdOp::CopyV128, i as Slot, s, 0, 0);
        self.result_copies.push((at, i as Slot));
    }

    /// The branch instruction for a condition popped from the stack: taken when the
    /// condition is true (`negate`: false). Fuses a comparison that just produced it.
    fn cond_branch(&mut self, negate: bool) -> Instr {
        // A deferred `eqz` flips the condition.
        let negate = negate != std::mem::take(&mut self.pending_eqz);
        let fusable = self.last.is_some_and(|l| l + 1 == self.code.len());
        let (o, pos) = self.pop();
        if fusable && o == Opnd::Temp {
            if let Some(br) = self.code[self.code.len() - 1].fused_branch(negate) {
                self.code.pop();
                self.last = None;
                return br;
            }
        }
        let c = self.read(o, pos);
        if negate {
            Instr::BrIfZ { c, offset: 0 }
        } else {
            Instr::BrIfNz { c, offset: 0 }
        }
    }

    fn br_if(&mut self, depth: u32, types: &[ValType]) {
        let (idx, n, is_fn) = self.label(depth);
        // The condition is on top; the label's values below it.
        let cond = self.stack.pop().expect("condition");
        let base = self.locals + self.ctrls[idx].height;
        let direct = !is_fn && !self.needs_copies(n, base);
        self.stack.push(cond);
        if direct {
            let br = self.cond_branch(false);
            self.branch_to(idx, br);
            return;
        }
        // Skip over the copies (or return) when the condition is false.
        let skip = self.cond_branch(true);
        let skip_at = self.emit(skip);
        if is_fn {
            self.ret();
        } else {
            self.emit_copies(n, base, types);
            self.branch_to(idx, Instr::Br { offset: 0 });
        }
        let here = self.bind();
        self.patch(skip_at, here);
    }

    // ----- control constructs -----

    fn push_ctrl(&mut self, kind: CtrlKind, params: usize, results: usize) {
        let height = self.stack.len() - params;
        self.ctrls.push(Ctrl {
            kind,
            dead: false,
            height,
            params,
            results,
            fixups: Vec::new(),
            head: 0,
            else_fixup: None,
            hidden: 0,
            eh: Default::default(),
            fuel_region: false,
        });
    }

    fn push_dead(&mut self, kind: CtrlKind) {
        self.ctrls.push(Ctrl {
            kind,
            dead: true,
            height: self.stack.len(),
            params: 0,
            results: 0,
            fixups: Vec::new(),
            head: 0,
            else_fixup: None,
            hidden: 0,
            eh: Default::default(),
            fuel_region: false,
        });
    }

    fn block(&mut self, kind: CtrlKind, params: usize, results: usize) {
        self.materialize_locals();
        self.materialize_top(params);
        self.push_ctrl(kind, params, results);
        if kind == CtrlKind::Loop {
            let head = self.bind();
            self.ctrls.last_mut().expect("pushed").head = head;
            // Each iteration pays for the loop's body again.
            self.open_fuel_region();
        }
    }

    /// `if`: the then-arm must not overwrite the params the else-arm needs, so with params
    /// they are copied above themselves: the then-arm works on the copies, the else-arm (or
    /// the implicit one, whose results are the params) finds the originals in the block's
    /// slots.
    fn if_(&mut self, params: &[ValType], results: usize) {
        let (param_types, params) = (params, params.len());
        let br = self.cond_branch(true);
        self.materialize_locals();
        self.materialize_top(params);
        let height = self.stack.len() - params;
        let at = self.emit(br);
        for (i, t) in param_types.iter().enumerate() {
            let s = self.home(height + i);
            let d = self.home(height + params + i);
            self.copy(d, s, is_v128(t));
            self.stack.push(Opnd::Temp);
        }
        self.ctrls.push(Ctrl {
            kind: CtrlKind::If,
            dead: false,
            height,
            params,
            results,
            fixups: Vec::new(),
            head: 0,
            else_fixup: Some(at),
            hidden: params,
            eh: Default::default(),
            fuel_region: false,
        });
        self.open_fuel_region();
    }

    /// Puts the frame's results (of types `types`) into its slots at the end of an arm.
    fn results_home(&mut self, types: &[ValType]) {
        let c = self.ctrls.last().expect("frame");
        let (n, base) = (c.results, self.locals + c.height);
        self.emit_copies(n, base, types);
    }

    /// `else`; `results`: the `if`'s result types.
    fn else_(&mut self, results: &[ValType]) {
        let c = self.ctrls.last().expect("if frame");
        if c.dead {
            return;
        }
        if self.reachable {
            self.results_home(results);
            let at = self.emit(Instr::Br { offset: 0 });
            self.ctrls.last_mut().expect("frame").fixups.push(at);
        }
        let here = self.bind();
        let then_region = self.ctrls.last().expect("frame").fuel_region;
        self.close_fuel_region(then_region);
        self.open_fuel_region();
        let c = self.ctrls.last_mut().expect("frame");
        let else_at = c.else_fixup.take().expect("if has its branch");
        c.kind = CtrlKind::Else;
        c.hidden = 0;
        let keep = c.height + c.params;
        self.patch(else_at, here);
        self.stack.truncate(keep);
        for pos in keep - self.ctrls.last().expect("frame").params..keep {
            self.stack[pos] = Opnd::Temp;
        }
        self.reachable = true;
    }

    /// `end`; `results`: the frame's result types.
    fn end(&mut self, results: &[ValType]) {
        let c = self.ctrls.last().expect("frame");
        if c.dead {
            self.ctrls.pop();
            return;
        }
        if c.kind == CtrlKind::Function {
            if self.reachable {
                self.ret();
            }
            let c = self.ctrls.pop().expect("frame");
            self.close_fuel_region(c.fuel_region);
            return;
        }
        // A catch arm's results sit above the exception's hidden slot: always moved home.
        let joins = !c.fixups.is_empty() || c.else_fixup.is_some() || c.kind == CtrlKind::Catch;
        let fallthrough = self.reachable;
        self.close_try();
        if fallthrough && joins {
            self.results_home(results);
        }
        let c = self.ctrls.pop().expect("frame");
        self.close_fuel_region(c.fuel_region);
        let (h, n) = (c.height, c.results);
        if joins {
            let here = self.bind();
            for at in c.fixups {
                self.patch(at, here);
            }
            if let Some(at) = c.else_fixup {
                self.patch(at, here);
            }
            self.stack.truncate(h);
            self.stack.extend(std::iter::repeat_n(Opnd::Temp, n));
            self.reachable = true;
        } else if fallthrough {
            // One way in (a block or loop no branch targets): the results stay wherever
            // they are. (An `if` always joins: its else path or the implicit one.)
            debug_assert_eq!(c.hidden, 0);
        } else {
            self.stack.truncate(h);
            self.stack.extend(std::iter::repeat_n(Opnd::Temp, n));
            self.reachable = false;
        }
    }

    /// `br_table`; `types`: the default label's types (every target's values have them: a
    /// `v128` is a subtype of nothing else).
    fn br_table(&mut self, targets: &rill_decoder::BrTable<'_>, types: &[ValType]) {
        let index = self.pop_slot();
        let depths: Vec<u32> = targets
            .targets()
            .chain(std::iter::once(targets.default()))
            .collect();
        self.emit(Instr::BrTable {
            index,
            len: targets.len(),
        });
        let mut stubs = Vec::new();
        for &depth in &depths {
            let (idx, n, is_fn) = self.label(depth);
            let base = self.locals + self.ctrls[idx].height;
            if is_fn || self.needs_copies(n, base) {
                let at = self.emit(Instr::Br { offset: 0 });
                stubs.push((at, depth));
            } else {
                self.branch_to(idx, Instr::Br { offset: 0 });
            }
        }
        for (at, depth) in stubs {
            let here = self.pc();
            self.patch(at, here);
            self.br(depth, types);
        }
    }

    // ----- calls -----

    /// Places the top `n` values in consecutive slots; returns the first.
    fn args(&mut self, n: usize) -> Slot {
        self.materialize_top(n);
        let first = self.stack.len() - n;
        self.stack.truncate(first);
        self.home(first)
    }

    fn call_results(&mut self, base: Slot, results: usize) {
        let first = self.stack.len();
        debug_assert_eq!(self.locals + first, base as usize);
        for i in 0..results {
            self.home(first + i);
            self.stack.push(Opnd::Temp);
        }
    }

    // ----- memory -----

    /// Whether an access with `memarg` has a compact form: memory 0, 32-bit, an offset that
    /// fits `u32`.
    fn compact(&self, memarg: &MemArg) -> bool {
        memarg.memory == 0 && self.mem0_32 && memarg.offset <= u64::from(u32::MAX)
    }

    /// For the address operand `o` (at stack position `pos`) of a compact access: the two
    /// slots of the `i32.add` computing it, if it is a lazy one or the last instruction
    /// (which is then removed).
    fn fused_address(&mut self, o: Opnd, pos: usize) -> Option<(Slot, Slot)> {
        match o {
            Opnd::Add(a, b) => Some((a, b)),
            Opnd::Temp if self.last.is_some_and(|l| l + 1 == self.code.len()) => {
                let home = self.home(pos);
                match self.code.last() {
                    Some(&Instr::I32Add { d, a, b }) if d == home => {
                        self.code.pop();
                        self.last = None;
                        Some((a, b))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn mem_site(&mut self, op: MemOp, memarg: MemArg) -> u32 {
        self.mem_sites.push(MemSite {
            memory: memarg.memory,
            offset: memarg.offset,
            op,
        });
        (self.mem_sites.len() - 1) as u32
    }

    fn copy_site(&mut self, a: u32, b: u32) -> u32 {
        self.copy_sites.push(CopySite { a, b });
        (self.copy_sites.len() - 1) as u32
    }

    /// Pops three operands (the last on top) into slots.
    fn pop3(&mut self) -> (Slot, Slot, Slot) {
        let (c, pc) = self.pop();
        let (b, pb) = self.pop();
        let (a, pa) = self.pop();
        (self.read(a, pa), self.read(b, pb), self.read(c, pc))
    }

    fn binary(
        &mut self,
        op: &Operator<'_>,
        rr: fn(Slot, Slot, Slot) -> Instr,
        imm: Option<(RegImm, bool)>,
    ) {
        let mut b = self.pop();
        let mut a = self.pop();
        let pos = a.1;
        let d = self.home(pos);
        if let (Operator::I32Add, Opnd::Local(x), Opnd::Local(y)) = (op, a.0, b.0) {
            if self.mem0_32 {
                self.stack.push(Opnd::Add(x, y));
                return;
            }
        }
        if let Some((ri, is32)) = imm {
            if matches!(a.0, Opnd::Const(_)) && !matches!(b.0, Opnd::Const(_)) && commutative(op) {
                std::mem::swap(&mut a, &mut b);
            }
            if let Opnd::Const(c) = b.0 {
                let fits = is32 || (c as i64) == i64::from(c as i32);
                if fits {
                    let sa = self.read(a.0, a.1);
                    self.emit_result(ri(d, sa, c as i32));
                    return;
                }
            }
        }
        let fusable = self.last.is_some_and(|l| l + 1 == self.code.len());
        let before = self.code.len();
        let sa = self.read(a.0, a.1);
        let sb = self.read(b.0, b.1);
        let instr = rr(d, sa, sb);
        // The last instruction computed one of the operands (a temporary, dead after this)
        // and the reads emitted nothing (which could overwrite its operands): fuse the two.
        if fusable && self.code.len() == before {
            if let Some(fused) = Instr::fuse_binary(&self.code[before - 1], &instr) {
                self.code.pop();
                self.emit_result(fused);
                return;
            }
        }
        self.emit_result(instr);
    }

    /// For `eqz` right after a comparison that produced the top of the stack: negates an
    /// integer comparison instead, and defers it after a float comparison (which has no
    /// opposite comparison when NaN is involved), so that a branch on it can still fuse.
    fn negate_compare(&mut self) -> bool {
        let fusable = self.last.is_some_and(|l| l + 1 == self.code.len());
        if !fusable || self.pending_eqz || self.stack.last() != Some(&Opnd::Temp) {
            return false;
        }
        let at = self.code.len() - 1;
        if let Some(negated) = self.code[at].negated_compare() {
            self.code[at] = negated;
            return true;
        }
        if self.code[at].is_float_compare() {
            self.pending_eqz = true;
            return true;
        }
        false
    }

    /// Emits a deferred `eqz` (the next operator is not a branch it fuses with).
    fn flush_eqz(&mut self) {
        self.pending_eqz = false;
        let (_, pos) = self.pop();
        let a = self.home(pos);
        self.emit_result(Instr::I32Eqz { d: a, a });
    }

    // ----- SIMD -----

    /// The index of `v` in the function's `v128` constants.
    fn v128_const(&mut self, v: u128) -> u32 {
        self.v128_consts.push(v);
        (self.v128_consts.len() - 1) as u32
    }

    fn simd_site(&mut self, memarg: MemArg, lane: u8) -> u32 {
        self.simd_sites.push(SimdSite {
            memory: memarg.memory,
            offset: memarg.offset,
            lane,
        });
        (self.simd_sites.len() - 1) as u32
    }

    fn simd_op(&mut self, simd: Simd) {
        self.uses_v128 = true;
        let x = |op, v, s, x| Instr::SimdX { op, v, s, x };
        match simd {
            Simd::One(op) => {
                let (o, pos) = self.pop();
                let a = self.read(o, pos);
                let d = self.home(pos);
                self.emit_result(Instr::Simd {
                    op,
                    d,
                    a,
                    b: 0,
                    c: 0,
                });
            }
            Simd::Extract(op, lane) => {
                let (o, pos) = self.pop();
                let a = self.read(o, pos);
                let d = self.home(pos);
                let c = Slot::from(lane);
                self.emit_result(Instr::Simd { op, d, a, b: 0, c });
            }
            Simd::Two(op) | Simd::Replace(op, _) => {
                let (bo, bp) = self.pop();
                let (ao, ap) = self.pop();
                let a = self.read(ao, ap);
                let b = self.read(bo, bp);
                let d = self.home(ap);
                let c = match simd {
                    Simd::Replace(_, lane) => Slot::from(lane),
                    _ => 0,
                };
                self.emit_result(Instr::Simd { op, d, a, b, c });
            }
            Simd::Three(op) => {
                let (a, b, c) = self.pop3();
                let d = self.home(self.stack.len());
                self.emit_result(Instr::Simd { op, d, a, b, c });
            }
            Simd::Load(op, memarg) => {
                let (o, pos) = self.pop();
                let s = self.read(o, pos);
                let v = self.home(pos);
                let site = self.simd_site(memarg, 0);
                self.emit_result(x(op, v, s, site));
            }
            Simd::LoadLane(op, memarg, lane) => {
                // In place: the vector operand is copied to the result's vector slot (the
                // address stays in the scalar slot of the same number).
                let (vo, vp) = self.pop();
                let (so, sp) = self.pop();
                let s = self.read(so, sp);
                let src = self.read(vo, vp);
                let v = self.home(sp);
                self.copy(v, src, true);
                let site = self.simd_site(memarg, lane);
                // Not retargetable (it reads its destination): a plain temporary.
                self.emit(x(op, v, s, site));
                self.stack.push(Opnd::Temp);
            }
            Simd::Store(op, memarg, lane) => {
                let (vo, vp) = self.pop();
                let (so, sp) = self.pop();
                let s = self.read(so, sp);
                let v = self.read(vo, vp);
                let site = self.simd_site(memarg, lane);
                self.emit(x(op, v, s, site));
            }
        }
    }

    fn unsupported(&mut self, op: &Operator<'_>) {
        let name = op.name();
        let variant = op.info().variant;
        let idx = OPERATORS
            .iter()
            .position(|o| o.variant == variant && o.name == name)
            .unwrap_or(0);
        self.emit(Instr::Unsupported { op: idx as u16 });
        self.set_unreachable();
    }

    fn translate(&mut self, op: &Operator<'_>, info: &OpInfo<'_>) {
        if let Some(num) = num(op) {
            match num {
                Num::Bin32(rr, ri) => self.binary(op, rr, Some((ri, true))),
                Num::Bin64(rr, ri) => self.binary(op, rr, Some((ri, false))),
                Num::Bin(rr) => self.binary(op, rr, None),
                Num::Un(f) => {
                    if matches!(op, Operator::I32Eqz | Operator::I64Eqz) && self.negate_compare() {
                        return;
                    }
                    let (a, pos) = self.pop();
                    let sa = self.read(a, pos);
                    let d = self.home(pos);
                    self.emit_result(f(d, sa));
                }
                Num::Load(f, fa, kind, memarg) => {
                    let (a, pos) = self.pop();
                    if self.compact(&memarg) {
                        if let Some((p, q)) = self.fused_address(a, pos) {
                            let d = self.home(pos);
                            self.emit_result(fa(d, p, q, memarg.offset as u32));
                            return;
                        }
                    }
                    let p = self.read(a, pos);
                    let d = self.home(pos);
                    if self.compact(&memarg) {
                        self.emit_result(f(d, p, memarg.offset as u32));
                    } else {
                        let site = self.mem_site(kind, memarg);
                        self.emit_result(Instr::LoadAt { d, p, site });
                    }
                }
                Num::Store(f, fa, kind, memarg) => {
                    let (vo, vpos) = self.pop();
                    let (po, ppos) = self.pop();
                    // The value first: if that emits anything (into the slot after the
                    // address's, which the address's `i32.add` may read), the add is no
                    // longer the last instruction and stays.
                    let v = self.read(vo, vpos);
                    if self.compact(&memarg) {
                        if let Some((p, q)) = self.fused_address(po, ppos) {
                            self.emit(fa(p, q, v, memarg.offset as u32));
                            return;
                        }
                    }
                    let p = self.read(po, ppos);
                    if self.compact(&memarg) {
                        self.emit(f(p, v, memarg.offset as u32));
                    } else {
                        let site = self.mem_site(kind, memarg);
                        self.emit(Instr::StoreAt { p, v, site });
                    }
                }
            }
            return;
        }
        if let Some(simd) = simd(op) {
            self.simd_op(simd);
            return;
        }
        use Operator as O;
        match *op {
            O::Nop => {}
            O::Unreachable => {
                self.emit(Instr::Trap {
                    code: TrapCode::Unreachable,
                });
                self.set_unreachable();
            }
            O::Block { .. } | O::Loop { .. } | O::If { .. } => {
                let Facts::Block { params, results } = info.facts else {
                    unreachable!("block facts")
                };
                let (p, r) = (params.len(), results.len());
                match op {
                    O::Block { .. } => self.block(CtrlKind::Block, p, r),
                    O::Loop { .. } => self.block(CtrlKind::Loop, p, r),
                    _ => self.if_(params, r),
                }
            }
            O::Else => self.else_(arm_results(info)),
            O::End => self.end(arm_results(info)),
            O::Br { relative_depth } => {
                self.br(relative_depth, branch_types(info));
                self.set_unreachable();
            }
            O::BrIf { relative_depth } => self.br_if(relative_depth, branch_types(info)),
            O::BrTable { targets } => {
                self.br_table(&targets, branch_types(info));
                self.set_unreachable();
            }
            O::Return => {
                self.ret();
                self.set_unreachable();
            }
            O::Call { function_index } => {
                let Facts::Call { ty, .. } = info.facts else {
                    unreachable!("call facts")
                };
                let base = self.args(ty.params.len());
                self.emit(Instr::Call {
                    base,
                    func: function_index,
                });
                self.call_results(base, ty.results.len());
            }
            O::ReturnCall { function_index } => {
                let Facts::Call { ty, .. } = info.facts else {
                    unreachable!("call facts")
                };
                let base = self.args(ty.params.len());
                self.emit(Instr::ReturnCall {
                    base,
                    func: function_index,
                });
                self.set_unreachable();
            }
            O::CallIndirect {
                type_index,
                table_index,
            }
            | O::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                let Facts::Call { ty, .. } = info.facts else {
                    unreachable!("call facts")
                };
                let index = self.pop_slot();
                let base = self.args(ty.params.len());
                self.call_sites.push(CallSite {
                    type_index,
                    table: table_index,
                });
                let site = (self.call_sites.len() - 1) as u32;
                if matches!(op, O::CallIndirect { .. }) {
                    self.emit(Instr::CallIndirect { base, index, site });
                    self.call_results(base, ty.results.len());
                } else {
                    self.emit(Instr::ReturnCallIndirect { base, index, site });
                    self.set_unreachable();
                }
            }
            O::CallRef { .. } | O::ReturnCallRef { .. } => {
                let Facts::Call { ty, .. } = info.facts else {
                    unreachable!("call facts")
                };
                let r = self.pop_slot();
                let base = self.args(ty.params.len());
                if matches!(op, O::CallRef { .. }) {
                    self.emit(Instr::CallRef { base, r });
                    self.call_results(base, ty.results.len());
                } else {
                    self.emit(Instr::ReturnCallRef { base, r });
                    self.set_unreachable();
                }
            }
            O::AtomicFence { .. } => {
                self.emit(Instr::AtomicFence);
            }
            _ if atomics::atomic_of(op).is_some() => {
                let (kind, bytes, memarg) = atomics::atomic_of(op).expect("an atomic");
                self.atomic(kind, bytes, memarg);
            }
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let (c, d, a, b) = {
                    let (co, cp) = self.pop();
                    let (bo, bp) = self.pop();
                    let (ao, ap) = self.pop();
                    let a = self.read(ao, ap);
                    let b = self.read(bo, bp);
                    let c = self.read(co, cp);
                    (c, self.home(ap), a, b)
                };
                let v128 = matches!(
                    info.facts,
                    Facts::Select {
                        ty: Some(ValType::V128)
                    }
                );
                if v128 {
                    self.uses_v128 = true;
                    self.emit_result(Instr::Simd {
                        op: SimdOp::SelectV128,
                        d,
                        a,
                        b,
                        c,
                    });
                } else {
                    self.emit_result(Instr::Select { d, c, a, b });
                }
            }
            O::I64Add128 | O::I64Sub128 => {
                let (bho, bhp) = self.pop();
                let (blo, blp) = self.pop();
                let (aho, ahp) = self.pop();
                let (alo, alp) = self.pop();
                let a_lo = self.read(alo, alp);
                let a_hi = self.read(aho, ahp);
                let b_lo = self.read(blo, blp);
                let b_hi = self.read(bho, bhp);
                let d = self.wide_results(alp);
                self.emit(if matches!(op, O::I64Add128) {
                    Instr::I64Add128 {
                        d,
                        a_lo,
                        a_hi,
                        b_lo,
                        b_hi,
                    }
                } else {
                    Instr::I64Sub128 {
                        d,
                        a_lo,
                        a_hi,
                        b_lo,
                        b_hi,
                    }
                });
            }
            O::I64MulWideS | O::I64MulWideU => {
                let (bo, bp) = self.pop();
                let (ao, ap) = self.pop();
                let a = self.read(ao, ap);
                let b = self.read(bo, bp);
                let d = self.wide_results(ap);
                self.emit(if matches!(op, O::I64MulWideS) {
                    Instr::I64MulWideS { d, a, b }
                } else {
                    Instr::I64MulWideU { d, a, b }
                });
            }
            O::LocalGet { local_index } => self.stack.push(Opnd::Local(local_index as Slot)),
            O::LocalSet { local_index } => {
                let (v, pos) = self.pop();
                self.set_local(local_index as Slot, v, pos);
            }
            O::LocalTee { local_index } => {
                let (v, pos) = self.pop();
                let x = local_index as Slot;
                self.set_local(x, v, pos);
                self.stack.push(Opnd::Local(x));
            }
            O::GlobalGet { global_index } => {
                let d = self.home(self.stack.len());
                if global_is_v128(info) {
                    self.uses_v128 = true;
                    self.emit_result(Instr::SimdX {
                        op: SimdXOp::GlobalGetV128,
                        v: d,
                        s: 0,
                        x: global_index,
                    });
                } else {
                    self.emit_result(Instr::GlobalGet {
                        d,
                        global: global_index,
                    });
                }
            }
            O::GlobalSet { global_index } => {
                let s = self.pop_slot();
                if global_is_v128(info) {
                    self.uses_v128 = true;
                    self.emit(Instr::SimdX {
                        op: SimdXOp::GlobalSetV128,
                        v: s,
                        s: 0,
                        x: global_index,
                    });
                } else {
                    self.emit(Instr::GlobalSet {
                        s,
                        global: global_index,
                    });
                }
            }
            O::V128Const { value } => {
                let d = self.home(self.stack.len());
                let x = self.v128_const(value.to_u128());
                self.uses_v128 = true;
                self.emit_result(Instr::SimdX {
                    op: SimdXOp::V128Const,
                    v: d,
                    s: 0,
                    x,
                });
            }
            O::I8x16Shuffle { lanes } => {
                let (bo, bp) = self.pop();
                let (ao, ap) = self.pop();
                let a = self.read(ao, ap);
                let b = self.read(bo, bp);
                let d = self.home(ap);
                let x = self.v128_const(u128::from_le_bytes(lanes));
                let shuffle = match Slot::try_from(x) {
                    Ok(c) => Instr::Simd {
                        op: SimdOp::I8x16Shuffle,
                        d,
                        a,
                        b,
                        c,
                    },
                    Err(_) => {
                        // Beyond a 16-bit index: the lanes go through a vector slot above
                        // the operands.
                        let c = self.home(ap + 2);
                        self.emit(Instr::SimdX {
                            op: SimdXOp::V128Const,
                            v: c,
                            s: 0,
                            x,
                        });
                        Instr::Simd {
                            op: SimdOp::I8x16ShuffleReg,
                            d,
                            a,
                            b,
                            c,
                        }
                    }
                };
                self.uses_v128 = true;
                self.emit_result(shuffle);
            }
            O::I32Const { value } => self.stack.push(Opnd::Const(u64::from(value as u32))),
            O::I64Const { value } => self.stack.push(Opnd::Const(value as u64)),
            O::F32Const { value } => self.stack.push(Opnd::Const(u64::from(value.bits()))),
            O::F64Const { value } => self.stack.push(Opnd::Const(value.bits())),
            // Reinterpretations keep the bits.
            O::I32ReinterpretF32
            | O::F32ReinterpretI32
            | O::I64ReinterpretF64
            | O::F64ReinterpretI64 => {}
            O::MemorySize { memory_index } => {
                let d = self.home(self.stack.len());
                self.emit_result(Instr::MemorySize {
                    d,
                    memory: memory_index,
                });
            }
            O::MemoryGrow { memory_index } => {
                let (o, pos) = self.pop();
                let delta = self.read(o, pos);
                let d = self.home(pos);
                self.emit_result(Instr::MemoryGrow {
                    d,
                    delta,
                    memory: memory_index,
                });
            }
            O::MemoryFill { memory_index } => {
                let (dst, val, n) = self.pop3();
                self.emit(Instr::MemoryFill {
                    dst,
                    val,
                    n,
                    memory: memory_index,
                });
            }
            O::MemoryCopy {
                dst_memory,
                src_memory,
            } => {
                let (dst, src, n) = self.pop3();
                let site = self.copy_site(dst_memory, src_memory);
                self.emit(Instr::MemoryCopy { dst, src, n, site });
            }
            O::MemoryInit {
                data_index,
                memory_index,
            } => {
                let (dst, src, n) = self.pop3();
                let site = self.copy_site(data_index, memory_index);
                self.emit(Instr::MemoryInit { dst, src, n, site });
            }
            O::DataDrop { data_index } => {
                self.emit(Instr::DataDrop {
                    segment: data_index,
                });
            }
            O::TableGet { table_index } => {
                let (o, pos) = self.pop();
                let i = self.read(o, pos);
                let d = self.home(pos);
                self.emit_result(Instr::TableGet {
                    d,
                    i,
                    table: table_index,
                });
            }
            O::TableSet { table_index } => {
                let (vo, vp) = self.pop();
                let (io, ip) = self.pop();
                let i = self.read(io, ip);
                let v = self.read(vo, vp);
                self.emit(Instr::TableSet {
                    i,
                    v,
                    table: table_index,
                });
            }
            O::TableSize { table_index } => {
                let d = self.home(self.stack.len());
                self.emit_result(Instr::TableSize {
                    d,
                    table: table_index,
                });
            }
            O::TableGrow { table_index } => {
                let (no, np) = self.pop();
                let (io, ip) = self.pop();
                let init = self.read(io, ip);
                let n = self.read(no, np);
                let d = self.home(ip);
                self.emit_result(Instr::TableGrow {
                    d,
                    init,
                    n,
                    table: table_index,
                });
            }
            O::TableFill { table_index } => {
                let (i, v, n) = self.pop3();
                self.emit(Instr::TableFill {
                    i,
                    v,
                    n,
                    table: table_index,
                });
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst, src, n) = self.pop3();
                let site = self.copy_site(dst_table, src_table);
                self.emit(Instr::TableCopy { dst, src, n, site });
            }
            O::TableInit {
                elem_index,
                table_index,
            } => {
                let (dst, src, n) = self.pop3();
                let site = self.copy_site(elem_index, table_index);
                self.emit(Instr::TableInit { dst, src, n, site });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop {
                    segment: elem_index,
                });
            }
            O::RefNull { .. } => self.stack.push(Opnd::Const(0)),
            O::RefFunc { function_index } => {
                let d = self.home(self.stack.len());
                self.emit_result(Instr::RefFunc {
                    d,
                    func: function_index,
                });
            }
            O::RefIsNull => {
                let (o, pos) = self.pop();
                let a = self.read(o, pos);
                let d = self.home(pos);
                self.emit_result(Instr::RefIsNull { d, a });
            }
            O::RefAsNonNull => {
                let (o, pos) = self.pop();
                let a = self.read(o, pos);
                self.emit(Instr::RefAsNonNull { a });
                self.stack
                    .push(if o == Opnd::Temp || matches!(o, Opnd::Const(_)) {
                        Opnd::Temp
                    } else {
                        o
                    });
            }
            O::BrOnNull { relative_depth } => {
                let (o, pos) = self.pop();
                let r = self.read(o, pos);
                let keep = if matches!(o, Opnd::Local(_)) {
                    o
                } else {
                    Opnd::Temp
                };
                let (idx, n, is_fn) = self.label(relative_depth);
                let base = self.locals + self.ctrls[idx].height;
                if !is_fn && !self.needs_copies(n, base) {
                    self.branch_to(idx, Instr::BrOnNull { r, offset: 0 });
                } else {
                    let skip = self.emit(Instr::BrOnNonNull { r, offset: 0 });
                    if is_fn {
                        self.ret();
                    } else {
                        self.emit_copies(n, base, branch_types(info));
                        self.branch_to(idx, Instr::Br { offset: 0 });
                    }
                    let here = self.bind();
                    self.patch(skip, here);
                }
                self.stack.push(keep);
            }
            O::BrOnNonNull { relative_depth } => {
                let (o, pos) = self.pop();
                let r = self.read(o, pos);
                let keep = if matches!(o, Opnd::Local(_)) {
                    o
                } else {
                    Opnd::Temp
                };
                self.stack.push(keep);
                let (idx, n, is_fn) = self.label(relative_depth);
                let base = self.locals + self.ctrls[idx].height;
                if !is_fn && !self.needs_copies(n, base) {
                    self.branch_to(idx, Instr::BrOnNonNull { r, offset: 0 });
                } else {
                    let skip = self.emit(Instr::BrOnNull { r, offset: 0 });
                    if is_fn {
                        self.ret();
                    } else {
                        self.emit_copies(n, base, branch_types(info));
                        self.branch_to(idx, Instr::Br { offset: 0 });
                    }
                    let here = self.bind();
                    self.patch(skip, here);
                }
                self.stack.pop();
            }
            O::TryTable { catches, .. } => {
                let Facts::Block { params, results } = info.facts else {
                    unreachable!("block facts")
                };
                self.try_table(params.len(), results.len(), catches);
            }
            O::Try { .. } => {
                let Facts::Block { params, results } = info.facts else {
                    unreachable!("block facts")
                };
                self.block(CtrlKind::Try, params.len(), results.len());
                self.ctrls.last_mut().expect("pushed").eh.start = self.pc();
            }
            O::Catch { tag_index } => self.catch(Some(tag_index), arm_results(info)),
            O::CatchAll => self.catch(None, arm_results(info)),
            O::Delegate { relative_depth } => self.delegate(relative_depth, arm_results(info)),
            O::Throw { tag_index } => self.throw(tag_index),
            O::ThrowRef => {
                let r = self.pop_slot();
                self.emit(Instr::ThrowRef { r });
                self.set_unreachable();
            }
            O::Rethrow { relative_depth } => self.rethrow(relative_depth),
            _ => self.unsupported(op),
        }
    }
}

impl OperatorSink for Lowerer {
    fn locals(&mut self, locals: &[rill_decoder::ValType]) -> Res {
        self.locals = locals.len();
        self.max_slots = self.locals;
        if self.locals > MAX_SLOTS {
            self.too_large = true;
        }
        self.local_v128 = locals.iter().map(is_v128).collect();
        // Declared locals start at zero: the interpreter zeroes their scalar slots, a
        // `v128` local's vector slot is zeroed here.
        for (i, t) in locals.iter().enumerate().skip(self.params) {
            if is_v128(t) && i <= MAX_SLOTS {
                self.emit_simd(SimdOp::V128Zero, i as Slot, 0, 0, 0);
            }
        }
        self.ctrls.push(Ctrl {
            kind: CtrlKind::Function,
            dead: false,
            height: 0,
            params: 0,
            results: self.results,
            fixups: Vec::new(),
            head: 0,
            else_fixup: None,
            hidden: 0,
            eh: Default::default(),
            fuel_region: false,
        });
        self.open_fuel_region();
        Ok(())
    }

    fn operator(&mut self, op: &Operator<'_>, info: &OpInfo<'_>) -> Res {
        if !self.reachable || self.ctrls.last().is_some_and(|c| c.dead) {
            // Only block structure matters in unreachable code.
            match op {
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::TryTable { .. }
                | Operator::Try { .. } => self.push_dead(CtrlKind::Block),
                Operator::Else => self.else_(arm_results(info)),
                Operator::Catch { tag_index } => self.catch(Some(*tag_index), arm_results(info)),
                Operator::CatchAll => self.catch(None, arm_results(info)),
                Operator::Delegate { relative_depth } => {
                    self.delegate(*relative_depth, arm_results(info))
                }
                Operator::End => self.end(arm_results(info)),
                _ => {}
            }
            return Ok(());
        }
        if self.pending_eqz && !matches!(op, Operator::If { .. } | Operator::BrIf { .. }) {
            self.flush_eqz();
        }
        if self.fuel {
            self.charge_fuel(crate::fuel::operator_cost(op));
        }
        self.translate(op, info);
        if self.too_large {
            return Err(ValidationError::new(
                self.offset,
                "function too large: it needs more registers than the interpreter's 16-bit slot numbers address",
            ));
        }
        Ok(())
    }
}
