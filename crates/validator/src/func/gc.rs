//! GC operators: structs, arrays, i31, casts, `br_on_cast`, extern/any conversions.

use rill_decoder::{AbsHeapType, FieldType, HeapType, Operator, RefType, StorageType, ValType};

use super::{defaultable, FuncValidator, Key};
use crate::error::{bail, Result};

fn unpacked(f: FieldType) -> ValType {
    match f.storage {
        StorageType::Val(v) => v,
        _ => ValType::I32,
    }
}

fn is_packed(f: FieldType) -> bool {
    !matches!(f.storage, StorageType::Val(_))
}

fn abs(nullable: bool, a: AbsHeapType) -> ValType {
    ValType::Ref(RefType {
        nullable,
        heap: HeapType::Abstract(a),
    })
}

fn concrete(nullable: bool, t: u32) -> ValType {
    ValType::Ref(RefType {
        nullable,
        heap: HeapType::Concrete(t),
    })
}

/// `(ref (exact t))`: what allocations produce (custom descriptors).
fn exact(nullable: bool, t: u32) -> ValType {
    ValType::Ref(RefType {
        nullable,
        heap: HeapType::Exact(t),
    })
}

/// How a heap type is named in messages.
fn heap_name(h: HeapType) -> String {
    match h {
        HeapType::Abstract(a) => format!("{a:?}").to_lowercase(),
        HeapType::Concrete(i) => i.to_string(),
        HeapType::Exact(i) => format!("(exact {i})"),
    }
}

/// A `br_on_cast`-like branch whose source and target types are already checked.
struct CastBranch {
    /// The operator's name, for messages.
    name: &'static str,
    from: RefType,
    to: RefType,
    /// `_fail`: branch when the cast fails.
    fail: bool,
    /// `_desc_eq`: a descriptor of the target type is popped before the reference.
    descriptor: bool,
}

impl FuncValidator<'_> {
    /// The shared typing of `br_on_cast(_fail)` and `br_on_cast_desc_eq(_fail)`: the label
    /// must take what the branch carries, and what falls through stays on the stack.
    fn cast_branch(&mut self, cast: CastBranch, relative_depth: u32, offset: usize) -> Result<Key> {
        let CastBranch {
            name,
            from,
            to,
            fail,
            descriptor,
        } = cast;
        let diff = RefType {
            nullable: from.nullable && !to.nullable,
            heap: from.heap,
        };
        let (taken, stays) = if fail { (diff, to) } else { (to, diff) };
        let mut label = self.label_types_at(relative_depth, offset)?;
        let Some(last) = label.pop() else {
            bail!(
                offset,
                "type mismatch: {name} needs a label with a reference"
            );
        };
        if !self.env.types.val_sub(ValType::Ref(taken), last) {
            bail!(offset, "type mismatch: {name} label does not match");
        }
        if descriptor {
            let desc = self.desc_cast_ref(to.heap, offset)?;
            self.pop(ValType::Ref(desc), offset)?;
        }
        let r = self.pop_ref_as(ValType::Ref(from), offset)?;
        self.pop_all(&label, offset)?;
        self.push_all(&label);
        self.push(ValType::Ref(stays));
        Ok(Key::Label(relative_depth, r))
    }

    /// The custom-descriptors rule for branching casts: source and target need only share
    /// a hierarchy.
    fn same_hierarchy(&self, rt1: RefType, rt2: RefType, offset: usize) -> Result<()> {
        let types = &self.env.types;
        if types.top(rt1.heap) != types.top(rt2.heap) {
            bail!(
                offset,
                "type mismatch on cast: type {} has a different top type than type {}",
                heap_name(rt1.heap),
                heap_name(rt2.heap)
            );
        }
        Ok(())
    }

    fn struct_fields(&self, t: u32, offset: usize) -> Result<Vec<FieldType>> {
        match self.env.types.struct_type(t) {
            Some(f) => Ok(f.to_vec()),
            None if t < self.env.types.len() => {
                bail!(offset, "type mismatch: type {t} is not a struct")
            }
            None => bail!(offset, "unknown type {t}"),
        }
    }

    fn array_elem(&self, t: u32, offset: usize) -> Result<FieldType> {
        match self.env.types.array_type(t) {
            Some(f) => Ok(f),
            None if t < self.env.types.len() => {
                bail!(offset, "type mismatch: type {t} is not an array")
            }
            None => bail!(offset, "unknown type {t}"),
        }
    }

    fn field(&self, t: u32, i: u32, offset: usize) -> Result<FieldType> {
        let fields = self.struct_fields(t, offset)?;
        match fields.get(i as usize) {
            Some(&f) => Ok(f),
            None => bail!(offset, "unknown field {i}"),
        }
    }

    /// Pops a reference for a cast source: any type in `target`'s hierarchy.
    fn pop_in_hierarchy(&mut self, target: HeapType, offset: usize) -> Result<Option<RefType>> {
        let top = self.env.types.top(target);
        self.pop_ref_as(abs(true, top), offset)
    }

    fn pop_ref_as(&mut self, expected: ValType, offset: usize) -> Result<Option<RefType>> {
        Ok(self.pop(expected, offset)?.as_ref())
    }

    /// The descriptor operand of a `*_desc_eq` cast to `target`: a nullable reference to
    /// the target's descriptor type, exact when the target is.
    fn desc_cast_ref(&self, target: HeapType, offset: usize) -> Result<RefType> {
        let desc = match target {
            HeapType::Concrete(x) | HeapType::Exact(x) => self.env.types.descriptor(x),
            HeapType::Abstract(_) => None,
        };
        let Some(d) = desc else {
            bail!(
                offset,
                "type {} does not have a descriptor",
                heap_name(target)
            );
        };
        let heap = match target {
            HeapType::Exact(_) => HeapType::Exact(d),
            _ => HeapType::Concrete(d),
        };
        Ok(RefType {
            nullable: true,
            heap,
        })
    }

    /// `struct.new`, `struct.new_default` and their `_desc` forms.
    fn struct_new(
        &mut self,
        type_index: u32,
        default: bool,
        desc: bool,
        offset: usize,
    ) -> Result<Key> {
        let fields = self.struct_fields(type_index, offset)?;
        if default && !fields.iter().all(|f| defaultable(unpacked(*f))) {
            bail!(offset, "type mismatch: struct type is not defaultable");
        }
        let descriptor = self.env.types.descriptor(type_index);
        match (descriptor, desc) {
            (Some(_), false) => {
                bail!(
                    offset,
                    "type with descriptor requires descriptor allocation"
                )
            }
            (None, true) => bail!(
                offset,
                "type without descriptor requires non-descriptor allocation"
            ),
            _ => {}
        }
        if let Some(d) = descriptor {
            self.pop(exact(true, d), offset)?;
        }
        if !default {
            let ts: Vec<ValType> = fields.iter().map(|f| unpacked(*f)).collect();
            self.pop_all(&ts, offset)?;
        }
        self.push(exact(false, type_index));
        Ok(Key::None)
    }

    pub(super) fn gc(&mut self, op: &Operator<'_>, offset: usize) -> Result<Key> {
        use ValType::*;
        let key = match *op {
            Operator::StructNew { type_index } => {
                self.struct_new(type_index, false, false, offset)?
            }
            Operator::StructNewDefault { type_index } => {
                self.struct_new(type_index, true, false, offset)?
            }
            Operator::StructNewDesc { type_index } => {
                self.env
                    .require_custom_descriptors("struct.new_desc", offset)?;
                self.struct_new(type_index, false, true, offset)?
            }
            Operator::StructNewDefaultDesc { type_index } => {
                self.env
                    .require_custom_descriptors("struct.new_default_desc", offset)?;
                self.struct_new(type_index, true, true, offset)?
            }
            Operator::RefGetDesc { type_index } => {
                self.env
                    .require_custom_descriptors("ref.get_desc", offset)?;
                if type_index >= self.env.types.len() {
                    bail!(offset, "unknown type {type_index}");
                }
                let Some(d) = self.env.types.descriptor(type_index) else {
                    bail!(offset, "type without descriptor {type_index}");
                };
                let t = self.pop(concrete(true, type_index), offset)?;
                // The descriptor is exact when the operand is exactly `type_index` (or
                // unknown, or null).
                let r = t.as_ref();
                let is_exact =
                    r.is_none_or(|r| self.env.types.heap_sub(r.heap, HeapType::Exact(type_index)));
                self.push(if is_exact {
                    exact(false, d)
                } else {
                    concrete(false, d)
                });
                Key::Ref(r)
            }
            Operator::RefCastDescEqNonNull { heap_type }
            | Operator::RefCastDescEqNullable { heap_type } => {
                self.env
                    .require_custom_descriptors("ref.cast_desc_eq", offset)?;
                self.env.check_heap_type(heap_type, offset)?;
                let desc = self.desc_cast_ref(heap_type, offset)?;
                self.pop(Ref(desc), offset)?;
                let r = self.pop_in_hierarchy(heap_type, offset)?;
                self.push(Ref(RefType {
                    nullable: matches!(op, Operator::RefCastDescEqNullable { .. }),
                    heap: heap_type,
                }));
                Key::Ref(r)
            }
            Operator::BrOnCastDescEq {
                flags,
                relative_depth,
                from_heap_type,
                to_heap_type,
            }
            | Operator::BrOnCastDescEqFail {
                flags,
                relative_depth,
                from_heap_type,
                to_heap_type,
            } => {
                let fail = matches!(op, Operator::BrOnCastDescEqFail { .. });
                let name = if fail {
                    "br_on_cast_desc_eq_fail"
                } else {
                    "br_on_cast_desc_eq"
                };
                self.env.require_custom_descriptors(name, offset)?;
                self.env.check_heap_type(from_heap_type, offset)?;
                self.env.check_heap_type(to_heap_type, offset)?;
                let rt1 = flags.from_type(from_heap_type);
                let rt2 = flags.to_type(to_heap_type);
                self.same_hierarchy(rt1, rt2, offset)?;
                let cast = CastBranch {
                    name: "br_on_cast_desc_eq",
                    from: rt1,
                    to: rt2,
                    fail,
                    descriptor: true,
                };
                self.cast_branch(cast, relative_depth, offset)?
            }
            Operator::StructGet {
                type_index,
                field_index,
            }
            | Operator::StructGetS {
                type_index,
                field_index,
            }
            | Operator::StructGetU {
                type_index,
                field_index,
            } => {
                let f = self.field(type_index, field_index, offset)?;
                let signed = !matches!(op, Operator::StructGet { .. });
                if is_packed(f) != signed {
                    bail!(offset, "type mismatch: packed fields need struct.get_s/u");
                }
                let r = self.pop_ref_as(concrete(true, type_index), offset)?;
                self.push(unpacked(f));
                Key::Ref(r)
            }
            Operator::StructSet {
                type_index,
                field_index,
            } => {
                let f = self.field(type_index, field_index, offset)?;
                if !f.mutable {
                    bail!(offset, "immutable field {field_index}");
                }
                self.pop(unpacked(f), offset)?;
                let r = self.pop_ref_as(concrete(true, type_index), offset)?;
                Key::Ref(r)
            }
            Operator::ArrayNew { type_index } => {
                let e = self.array_elem(type_index, offset)?;
                self.pop_all(&[unpacked(e), I32], offset)?;
                self.push(exact(false, type_index));
                Key::None
            }
            Operator::ArrayNewDefault { type_index } => {
                let e = self.array_elem(type_index, offset)?;
                if !defaultable(unpacked(e)) {
                    bail!(offset, "type mismatch: array type is not defaultable");
                }
                self.pop(I32, offset)?;
                self.push(exact(false, type_index));
                Key::None
            }
            Operator::ArrayNewFixed { type_index, size } => {
                let e = self.array_elem(type_index, offset)?;
                for _ in 0..size {
                    self.pop(unpacked(e), offset)?;
                }
                self.push(exact(false, type_index));
                Key::None
            }
            Operator::ArrayNewData {
                type_index,
                data_index,
            } => {
                let e = self.array_elem(type_index, offset)?;
                if matches!(unpacked(e), Ref(_)) {
                    bail!(offset, "array type is not numeric or vector");
                }
                self.data_segment_exists(data_index, offset)?;
                self.pop_all(&[I32, I32], offset)?;
                self.push(exact(false, type_index));
                Key::None
            }
            Operator::ArrayNewElem {
                type_index,
                elem_index,
            } => {
                let e = self.array_elem(type_index, offset)?;
                let s = self.elem_segment(elem_index, offset)?;
                if !self.env.types.val_sub(Ref(s), unpacked(e)) {
                    bail!(
                        offset,
                        "type mismatch: element segment does not match the array"
                    );
                }
                self.pop_all(&[I32, I32], offset)?;
                self.push(exact(false, type_index));
                Key::None
            }
            Operator::ArrayGet { type_index }
            | Operator::ArrayGetS { type_index }
            | Operator::ArrayGetU { type_index } => {
                let e = self.array_elem(type_index, offset)?;
                let signed = !matches!(op, Operator::ArrayGet { .. });
                if is_packed(e) != signed {
                    bail!(offset, "type mismatch: packed arrays need array.get_s/u");
                }
                self.pop(I32, offset)?;
                let r = self.pop_ref_as(concrete(true, type_index), offset)?;
                self.push(unpacked(e));
                Key::Ref(r)
            }
            Operator::ArraySet { type_index } => {
                let e = self.mutable_array(type_index, offset)?;
                self.pop_all(&[concrete(true, type_index), I32, unpacked(e)], offset)?;
                Key::None
            }
            Operator::ArrayLen => {
                self.pop(abs(true, AbsHeapType::Array), offset)?;
                self.push(I32);
                Key::None
            }
            Operator::ArrayFill { type_index } => {
                let e = self.mutable_array(type_index, offset)?;
                self.pop_all(&[concrete(true, type_index), I32, unpacked(e), I32], offset)?;
                Key::None
            }
            Operator::ArrayCopy {
                dst_type_index,
                src_type_index,
            } => {
                let d = self.mutable_array(dst_type_index, offset)?;
                let s = self.array_elem(src_type_index, offset)?;
                let ok = match (s.storage, d.storage) {
                    (StorageType::Val(a), StorageType::Val(b)) => self.env.types.val_sub(a, b),
                    (a, b) => a == b,
                };
                if !ok {
                    bail!(offset, "array types do not match");
                }
                self.pop_all(
                    &[
                        concrete(true, dst_type_index),
                        I32,
                        concrete(true, src_type_index),
                        I32,
                        I32,
                    ],
                    offset,
                )?;
                Key::None
            }
            Operator::ArrayInitData {
                type_index,
                data_index,
            } => {
                let e = self.mutable_array(type_index, offset)?;
                if matches!(unpacked(e), Ref(_)) {
                    bail!(offset, "type mismatch: array type is not numeric or vector");
                }
                self.data_segment_exists(data_index, offset)?;
                self.pop_all(&[concrete(true, type_index), I32, I32, I32], offset)?;
                Key::None
            }
            Operator::ArrayInitElem {
                type_index,
                elem_index,
            } => {
                let e = self.mutable_array(type_index, offset)?;
                let s = self.elem_segment(elem_index, offset)?;
                if !self.env.types.val_sub(Ref(s), unpacked(e)) {
                    bail!(
                        offset,
                        "type mismatch: element segment does not match the array"
                    );
                }
                self.pop_all(&[concrete(true, type_index), I32, I32, I32], offset)?;
                Key::None
            }
            Operator::RefTestNonNull { heap_type } | Operator::RefTestNullable { heap_type } => {
                self.env.check_heap_type(heap_type, offset)?;
                let r = self.pop_in_hierarchy(heap_type, offset)?;
                self.push(I32);
                Key::Ref(r)
            }
            Operator::RefCastNonNull { heap_type } | Operator::RefCastNullable { heap_type } => {
                self.env.check_heap_type(heap_type, offset)?;
                let r = self.pop_in_hierarchy(heap_type, offset)?;
                self.push(Ref(RefType {
                    nullable: matches!(op, Operator::RefCastNullable { .. }),
                    heap: heap_type,
                }));
                Key::Ref(r)
            }
            Operator::BrOnCast {
                flags,
                relative_depth,
                from_heap_type,
                to_heap_type,
            }
            | Operator::BrOnCastFail {
                flags,
                relative_depth,
                from_heap_type,
                to_heap_type,
            } => {
                let fail = matches!(op, Operator::BrOnCastFail { .. });
                self.env.check_heap_type(from_heap_type, offset)?;
                self.env.check_heap_type(to_heap_type, offset)?;
                let rt1 = flags.from_type(from_heap_type);
                let rt2 = flags.to_type(to_heap_type);
                if self.env.features.custom_descriptors {
                    // The proposal relaxes Wasm 3.0's rt2 <: rt1 to one hierarchy.
                    self.same_hierarchy(rt1, rt2, offset)?;
                } else if !self.env.types.ref_sub(rt2, rt1) {
                    bail!(
                        offset,
                        "type mismatch: cast target is not a subtype of its source"
                    );
                }
                let cast = CastBranch {
                    name: "br_on_cast",
                    from: rt1,
                    to: rt2,
                    fail,
                    descriptor: false,
                };
                self.cast_branch(cast, relative_depth, offset)?
            }
            Operator::AnyConvertExtern | Operator::ExternConvertAny => {
                let (from, to) = if matches!(op, Operator::AnyConvertExtern) {
                    (AbsHeapType::Extern, AbsHeapType::Any)
                } else {
                    (AbsHeapType::Any, AbsHeapType::Extern)
                };
                let t = self.pop(abs(true, from), offset)?;
                let nullable = !t.is_ref() || t.is_nullable();
                self.push(abs(nullable, to));
                Key::Ref(t.as_ref())
            }
            Operator::RefI31 => {
                self.pop(I32, offset)?;
                self.push(abs(false, AbsHeapType::I31));
                Key::None
            }
            Operator::I31GetS | Operator::I31GetU => {
                let r = self.pop_ref_as(abs(true, AbsHeapType::I31), offset)?;
                self.push(I32);
                Key::Ref(r)
            }
            _ => unreachable!("dispatch routes only GC operators here"),
        };
        Ok(key)
    }

    fn mutable_array(&self, t: u32, offset: usize) -> Result<FieldType> {
        let e = self.array_elem(t, offset)?;
        if !e.mutable {
            bail!(offset, "immutable array");
        }
        Ok(e)
    }
}
