#!/usr/bin/env python3
"""Generates src/func/dispatch.rs: the function validator's one `match` over every operator.

- Operators without immediates that only pop and push fixed value types (numeric, SIMD, wide
  arithmetic) get their signature inline, derived from the text name.
- Operators with a `memarg` (loads, stores, atomics) get their access inline: natural
  alignment, operands and results, derived from the text name.
- Every other operator is routed to the family that checks it (`FAMILY` below).

The input is the decoder's one operator table (`for_each_operator!` in
crates/decoder/src/operators.rs), so no list is written by hand, and the match has no
catch-all: an operator added to the table and not routed here fails this script, and an
operator added without rerunning it fails to compile. Rerun after the table changes:
    cd crates/validator && python3 tools/gen_dispatch.py ../decoder/src/operators.rs
"""
import re, sys
from collections import OrderedDict

src = open(sys.argv[1]).read()
entries = re.findall(r'@(\w+) (\w+)( \{[^}]*\})? = (0x[0-9A-Fa-f]+), (0x[0-9A-Fa-f]+) => \w+ "([^"]+)"', src)
SCALARS = {"i32", "i64", "f32", "f64"}
LANE = {"i8x16": "I32", "i16x8": "I32", "i32x4": "I32", "i64x2": "I64", "f32x4": "F32", "f64x2": "F64"}
T = lambda t: t.upper()
CONV = re.compile(r'^(trunc_sat|trunc|wrap|extend|convert|demote|promote|reinterpret)_(i32|i64|f32|f64)(_[su])?$')

def sig(name):
    shape, _, op = name.partition(".")
    if shape in SCALARS:
        t = T(shape)
        if op in ("add128", "sub128"):
            return (["I64"] * 4, ["I64"] * 2)
        if op in ("mul_wide_s", "mul_wide_u"):
            return (["I64"] * 2, ["I64"] * 2)
        m = CONV.match(op)
        if m:
            return ([T(m.group(2))], [t])
        if op in ("clz", "ctz", "popcnt", "abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt",
                  "extend8_s", "extend16_s", "extend32_s"):
            return ([t], [t])
        if op == "eqz":
            return ([t], ["I32"])
        if op in ("eq", "ne", "lt", "gt", "le", "ge", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"):
            return ([t, t], ["I32"])
        if op in ("add", "sub", "mul", "div", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor",
                  "shl", "shr_s", "shr_u", "rotl", "rotr", "min", "max", "copysign"):
            return ([t, t], [t])
        raise SystemExit(f"unknown scalar operator {name}")
    if shape in LANE or shape == "v128":
        if op == "splat":
            return ([LANE[shape]], ["V128"])
        if op in ("any_true", "all_true", "bitmask"):
            return (["V128"], ["I32"])
        if op in ("shl", "shr_s", "shr_u"):
            return (["V128", "I32"], ["V128"])
        if op in ("bitselect", "relaxed_laneselect", "relaxed_madd", "relaxed_nmadd",
                  "relaxed_dot_i8x16_i7x16_add_s"):
            return (["V128"] * 3, ["V128"])
        unary = ("not", "abs", "neg", "popcnt", "sqrt", "ceil", "floor", "trunc", "nearest")
        if op in unary or op.startswith(("extend_", "extadd_pairwise", "convert", "trunc_sat",
                                         "demote", "promote", "relaxed_trunc")):
            return (["V128"], ["V128"])
        return (["V128"] * 2, ["V128"])
    raise SystemExit(f"unknown shape {name}")


# Families of the operators that are neither fixed-signature nor memory accesses, by text name.
# Each family is a method `FuncValidator::<family>(&mut self, op, offset) -> Result<Key>`.
FAMILY = {}
for names, family in [
    ("i32.const i64.const f32.const f64.const v128.const i8x16.shuffle", "numeric"),
    ("local.get local.set local.tee global.get global.set", "variables"),
    ("unreachable nop block loop if else try catch throw rethrow throw_ref end br br_if br_table "
     "return call call_indirect return_call return_call_indirect call_ref return_call_ref "
     "delegate catch_all drop select try_table br_on_null br_on_non_null", "control"),
    ("memory.size memory.grow memory.init data.drop memory.copy memory.fill atomic.fence",
     "memory"),
    ("table.get table.set table.init elem.drop table.copy table.grow table.size table.fill "
     "ref.null ref.is_null ref.func ref.eq ref.as_non_null", "refs"),
    ("struct.new struct.new_default struct.get struct.get_s struct.get_u struct.set array.new "
     "array.new_default array.new_fixed array.new_data array.new_elem array.get array.get_s "
     "array.get_u array.set array.len array.fill array.copy array.init_data array.init_elem "
     "ref.test ref.cast br_on_cast br_on_cast_fail any.convert_extern extern.convert_any "
     "ref.i31 i31.get_s i31.get_u "
     # Custom descriptors.
     "struct.new_desc struct.new_default_desc ref.get_desc ref.cast_desc_eq br_on_cast_desc_eq "
     "br_on_cast_desc_eq_fail", "gc"),
]:
    for n in names.split():
        FAMILY[n] = family

def family(name):
    if name in FAMILY:
        return FAMILY[name]
    if re.match(r'^(i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.(extract|replace)_lane(_[su])?$', name):
        return "numeric"
    raise SystemExit(f"no family for operator {name}: add it to FAMILY")

PROPOSALS = {"mvp", "sign_extension", "saturating_float_to_int", "simd", "relaxed_simd", "wide_arithmetic"}
fixed = OrderedDict()      # (params, results) -> [variant]
arms = []                  # (kind, variant, imm, name)
for proposal, variant, imm, prefix, code, name in entries:
    shape = name.partition(".")[0]
    if (proposal in PROPOSALS and not imm
            and (shape in SCALARS or shape in LANE or shape == "v128")):
        p, r = sig(name)
        fixed.setdefault((tuple(p), tuple(r)), []).append(variant)
    elif imm and "memarg" in imm:
        arms.append(("access", variant, imm, name))
    else:
        arms.append((family(name), variant, imm, name))

# Memory accesses: every operator with a `memarg` immediate.
SIZE = {"I32": 2, "I64": 3, "F32": 2, "F64": 3, "V128": 4}
def access(name):
    shape, _, op = name.partition(".")
    if shape == "memory":
        return {"atomic.notify": (2, ["I32"], ["I32"]), "atomic.wait32": (2, ["I32", "I64"], ["I32"]),
                "atomic.wait64": (3, ["I64", "I64"], ["I32"])}[op], True
    t = T(shape)
    atomic = op.startswith("atomic.")
    if atomic:
        op = op[len("atomic."):]
    m = re.match(r'^(load|store)(\d+)?(x\d+_[su]|_splat|_zero|_lane|_[su])?$', op)
    if m:
        kind, bits, suffix = m.group(1), m.group(2), m.group(3) or ""
        if suffix.startswith("x"):
            size = 3  # 8x8, 16x4, 32x2: 64 bits
        elif bits:
            size = {8: 0, 16: 1, 32: 2, 64: 3}[int(bits)]
        else:
            size = SIZE[t]
        if suffix == "_lane":
            return (size, ["V128"], ["V128"] if kind == "load" else []), atomic
        return ((size, [], [t]) if kind == "load" else (size, [t], [])), atomic
    m = re.match(r'^rmw(\d+)?\.(\w+?)(_u)?$', op)
    if m:
        size = {8: 0, 16: 1, 32: 2, 64: 3}[int(m.group(1))] if m.group(1) else SIZE[t]
        if m.group(2) == "cmpxchg":
            return (size, [t, t], [t]), atomic
        return (size, [t], [t]), atomic
    raise SystemExit(f"unknown memory operator {name}")

tys = lambda ts: ", ".join(f"Ty::{t}" for t in ts)
out = ["// @generated by tools/gen_dispatch.py from `for_each_operator!`; do not edit.",
       "//! The function validator's dispatch: one exhaustive `match` over every operator.",
       "//!",
       "//! Fixed-signature operators (numeric, SIMD, wide arithmetic) and memory accesses are",
       "//! checked inline; every other operator goes to the family that checks it. There is no",
       "//! catch-all arm: an operator added to the table fails to compile here until it is routed.",
       "",
       "use rill_decoder::Operator;",
       "",
       "use super::memory::Access;",
       "use super::ty::Ty;",
       "use super::{FuncValidator, Key};",
       "use crate::error::Result;",
       "",
       "impl FuncValidator<'_> {",
       "    /// Checks one operator and says what to tell the sink.",
       "    #[rustfmt::skip]",
       "    #[inline(always)]",
       "    pub(super) fn step(&mut self, op: &Operator<'_>, offset: usize) -> Result<Key> {",
       "        match *op {"]
for (p, r), variants in fixed.items():
    pats = " | ".join(f"Operator::{v}" for v in variants)
    if len(r) == 1 and len(p) in (1, 2, 3):
        call = f"self.op{len(p)}({tys(p)}, Ty::{r[0]}, offset)"
    else:
        call = f"self.op_n(&[{tys(p)}], &[{tys(r)}], offset)"
    out.append(f"            {pats}")
    out.append(f"                => {call},")
n_access = 0
for kind, variant, imm, name in arms:
    if kind == "access":
        (size, p, r), atomic = access(name)
        lane = "lane" in imm
        binds = "memarg, lane" if lane else "memarg"
        out.append(f"            Operator::{variant} {{ {binds} }} => self.memory_access(Access {{ memarg, natural: {size}, "
                   f"params: &[{tys(p)}], results: &[{tys(r)}], atomic: {'true' if atomic else 'false'}, "
                   f"lane: {'Some(lane)' if lane else 'None'} }}, offset),")
        n_access += 1
# One arm per operator (not one per family): each family method is inlined into each arm,
# where the compiler folds its own `match` down to that operator's case.
by_family = OrderedDict()
for kind, variant, imm, name in arms:
    if kind != "access":
        pat = f"Operator::{variant} {{ .. }}" if imm else f"Operator::{variant}"
        by_family.setdefault(kind, []).append(pat)
        out.append(f"            {pat} => self.{kind}(op, offset),")
out += ["        }", "    }", "}", ""]
open("src/func/dispatch.rs", "w").write("\n".join(out))
print(sum(len(v) for v in fixed.values()), "fixed-signature operators in", len(fixed), "signatures;",
      n_access, "memory accesses;", ", ".join(f"{len(v)} {k}" for k, v in by_family.items()))
