//! What function bodies need to know about their module, frozen when the code section starts.

use std::collections::HashSet;

use rill_decoder::{
    Features, FuncType, GlobalType, HeapType, MemoryType, RefType, TableType, TagType, ValType,
};

use crate::error::ValidationError;
use crate::types::Types;

/// Everything a function body is validated against. Complete (and immutable) from the start
/// of the code section; shared as `Arc<ModuleEnv>`, it is `Send + Sync`, so bodies can be
/// validated on any thread, in any order.
#[derive(Debug, Default, Clone)]
pub struct ModuleEnv {
    /// The proposals beyond Wasm 3.0 the module is validated with (the validator's
    /// [`Config::features`](crate::Config::features)).
    pub features: Features,
    /// All defined types.
    pub types: Types,
    /// The type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub imported_funcs: u32,
    /// Imported functions declared with an exact type (custom descriptors), by function
    /// index; defined functions are always exact.
    pub exact_imports: HashSet<u32>,
    pub tables: Vec<TableType>,
    pub imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub imported_globals: u32,
    /// The function type index of every tag.
    pub tags: Vec<TagType>,
    pub imported_tags: u32,
    /// The reference type of every element segment.
    pub elements: Vec<RefType>,
    /// The data count section's value, if present.
    pub data_count: Option<u32>,
    /// Functions that `ref.func` may name in a body: those referenced outside function
    /// bodies (element segments, exports, global and table initialisers).
    pub declared_funcs: HashSet<u32>,
}

impl ModuleEnv {
    /// The function type of function `idx`.
    pub fn func_type_of(&self, idx: u32) -> Option<&FuncType> {
        self.types.func_type(*self.funcs.get(idx as usize)?)
    }

    /// Whether `ref.func` of function `idx` has the exact type of its definition: defined
    /// functions and exact imports.
    pub fn func_is_exact(&self, idx: u32) -> bool {
        idx >= self.imported_funcs || self.exact_imports.contains(&idx)
    }

    /// The function type a tag carries.
    pub fn tag_type(&self, idx: u32) -> Option<&FuncType> {
        self.types.func_type(self.tags.get(idx as usize)?.func_type)
    }

    /// The address type of memory `idx`.
    pub fn memory_index_type(&self, idx: u32) -> Option<ValType> {
        self.memories.get(idx as usize).map(|m| {
            if m.memory64 {
                ValType::I64
            } else {
                ValType::I32
            }
        })
    }

    /// The index type of table `idx`.
    pub fn table_index_type(&self, idx: u32) -> Option<ValType> {
        self.tables.get(idx as usize).map(|t| {
            if t.table64 {
                ValType::I64
            } else {
                ValType::I32
            }
        })
    }

    /// Checks a value type written in the module: every type index is defined ("unknown
    /// type N"), and an exact reference type needs the custom-descriptors proposal.
    pub fn check_val_type(&self, v: ValType, offset: usize) -> Result<(), ValidationError> {
        if let ValType::Ref(r) = v {
            self.check_heap_type(r.heap, offset)?;
        }
        Ok(())
    }

    /// Checks a heap type written in the module, like [`ModuleEnv::check_val_type`].
    pub fn check_heap_type(&self, h: HeapType, offset: usize) -> Result<(), ValidationError> {
        self.types.check_heap_type(h, offset)?;
        if matches!(h, HeapType::Exact(_)) {
            self.require_custom_descriptors("exact reference types", offset)?;
        }
        Ok(())
    }

    /// "custom descriptors required for `what`" unless the proposal is on.
    pub fn require_custom_descriptors(
        &self,
        what: &str,
        offset: usize,
    ) -> Result<(), ValidationError> {
        if self.features.custom_descriptors {
            Ok(())
        } else {
            Err(ValidationError::new(
                offset,
                format!("custom descriptors required for {what}"),
            ))
        }
    }

    /// Number of defined (not imported) functions.
    pub fn defined_funcs(&self) -> u32 {
        self.funcs.len() as u32 - self.imported_funcs
    }
}
