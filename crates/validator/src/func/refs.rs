//! Tables and reference operators (reference types, typed function references).

use rill_decoder::{AbsHeapType, HeapType, Operator, RefType, ValType};

use super::{FuncValidator, Key, Ty};
use crate::error::{bail, Result};

impl FuncValidator<'_> {
    fn table(&self, t: u32, offset: usize) -> Result<(ValType, ValType)> {
        match self.env.tables.get(t as usize) {
            Some(tt) => Ok((
                if tt.table64 {
                    ValType::I64
                } else {
                    ValType::I32
                },
                ValType::Ref(tt.element),
            )),
            None => bail!(offset, "unknown table {t}"),
        }
    }

    pub(super) fn elem_segment(&self, e: u32, offset: usize) -> Result<RefType> {
        match self.env.elements.get(e as usize) {
            Some(&t) => Ok(t),
            None => bail!(offset, "unknown elem segment {e}"),
        }
    }

    pub(super) fn refs(&mut self, op: &Operator<'_>, offset: usize) -> Result<Key> {
        use ValType::I32;
        let key = match *op {
            Operator::TableGet { table_index } => {
                let (i, e) = self.table(table_index, offset)?;
                self.pop(i, offset)?;
                self.push(e);
                Key::Table(table_index)
            }
            Operator::TableSet { table_index } => {
                let (i, e) = self.table(table_index, offset)?;
                self.pop_all(&[i, e], offset)?;
                Key::Table(table_index)
            }
            Operator::TableSize { table_index } => {
                let (i, _) = self.table(table_index, offset)?;
                self.push(i);
                Key::Table(table_index)
            }
            Operator::TableGrow { table_index } => {
                let (i, e) = self.table(table_index, offset)?;
                self.pop_all(&[e, i], offset)?;
                self.push(i);
                Key::Table(table_index)
            }
            Operator::TableFill { table_index } => {
                let (i, e) = self.table(table_index, offset)?;
                self.pop_all(&[i, e, i], offset)?;
                Key::Table(table_index)
            }
            Operator::TableCopy {
                dst_table,
                src_table,
            } => {
                let (di, de) = self.table(dst_table, offset)?;
                let (si, se) = self.table(src_table, offset)?;
                if !self.env.types.val_sub(se, de) {
                    bail!(
                        offset,
                        "type mismatch: table.copy between incompatible tables"
                    );
                }
                let n = if di == I32 || si == I32 {
                    I32
                } else {
                    ValType::I64
                };
                self.pop_all(&[di, si, n], offset)?;
                Key::Table(dst_table)
            }
            Operator::TableInit {
                elem_index,
                table_index,
            } => {
                let (i, e) = self.table(table_index, offset)?;
                let s = self.elem_segment(elem_index, offset)?;
                if !self.env.types.val_sub(ValType::Ref(s), e) {
                    bail!(
                        offset,
                        "type mismatch: element segment does not match the table"
                    );
                }
                self.pop_all(&[i, I32, I32], offset)?;
                Key::Table(table_index)
            }
            Operator::ElemDrop { elem_index } => {
                self.elem_segment(elem_index, offset)?;
                Key::None
            }
            Operator::RefNull { heap_type } => {
                self.env.check_heap_type(heap_type, offset)?;
                self.push(ValType::Ref(RefType {
                    nullable: true,
                    heap: heap_type,
                }));
                Key::None
            }
            Operator::RefIsNull => {
                let r = self.pop_ref(offset)?;
                self.push(I32);
                Key::Ref(r)
            }
            Operator::RefAsNonNull => {
                let r = self.pop_ref(offset)?;
                match r {
                    Some(r) => self.push(ValType::Ref(RefType {
                        nullable: false,
                        heap: r.heap,
                    })),
                    None => self.push_ty(Ty::ref_bot(false)),
                }
                Key::Ref(r)
            }
            Operator::RefFunc { function_index } => {
                let Some(&t) = self.env.funcs.get(function_index as usize) else {
                    bail!(offset, "unknown function {function_index}");
                };
                if self.konst.is_none() && !self.env.declared_funcs.contains(&function_index) {
                    bail!(offset, "undeclared function reference");
                }
                // Custom descriptors: a function's reference has its exact type, unless it
                // is an import of an inexact type.
                let heap = if self.env.func_is_exact(function_index) {
                    HeapType::Exact(t)
                } else {
                    HeapType::Concrete(t)
                };
                self.push(ValType::Ref(RefType {
                    nullable: false,
                    heap,
                }));
                Key::None
            }
            Operator::RefEq => {
                let eq = ValType::Ref(RefType {
                    nullable: true,
                    heap: HeapType::Abstract(AbsHeapType::Eq),
                });
                self.pop_all(&[eq, eq], offset)?;
                self.push(I32);
                Key::None
            }
            _ => unreachable!("dispatch routes only table and reference operators here"),
        };
        Ok(key)
    }
}
