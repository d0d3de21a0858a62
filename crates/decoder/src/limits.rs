//! Implementation limits (../shared/JS-API.md, "Implementation limits"). A module over any of
//! them is malformed for rill: the decoder rejects it before buffering anything for it.

/// Module size in bytes.
pub const MAX_MODULE_SIZE: usize = 1 << 30;
/// Types in the type section (counting every sub type of every rec group).
pub const MAX_TYPES: u32 = 1_000_000;
/// Functions (imported and defined).
pub const MAX_FUNCTIONS: u32 = 1_000_000;
/// Imports.
pub const MAX_IMPORTS: u32 = 1_000_000;
/// Exports.
pub const MAX_EXPORTS: u32 = 1_000_000;
/// Globals.
pub const MAX_GLOBALS: u32 = 1_000_000;
/// Data segments.
pub const MAX_DATA_SEGMENTS: u32 = 100_000;
/// Element segments (same bound as tables' elements use; not in JS-API.md, chosen like V8).
pub const MAX_ELEMENT_SEGMENTS: u32 = 10_000_000;
/// Tables.
pub const MAX_TABLES: u32 = 100_000;
/// Memories.
pub const MAX_MEMORIES: u32 = 100;
/// Tags (not in JS-API.md; chosen like V8).
pub const MAX_TAGS: u32 = 1_000_000;
/// Initial or maximum table size.
pub const MAX_TABLE_SIZE: u64 = 10_000_000;
/// Function body size in bytes.
pub const MAX_FUNCTION_SIZE: u32 = 7_654_321;
/// Locals per function (declared locals, not counting parameters).
pub const MAX_FUNCTION_LOCALS: u32 = 50_000;
/// Parameters of a function type (results use the same bound).
pub const MAX_FUNCTION_PARAMS: u32 = 1_000;
/// Results of a function type.
pub const MAX_FUNCTION_RESULTS: u32 = 1_000;
/// Struct fields (V8's limit).
pub const MAX_STRUCT_FIELDS: u32 = 10_000;
/// Declared supertypes of one sub type, as far as decoding goes. Validation allows at most
/// one; the decoder only bounds what it allocates.
pub const MAX_SUPERTYPES: u32 = 1_000;
/// Targets of one `br_table` (V8's limit).
pub const MAX_BR_TABLE_TARGETS: u32 = 65_520;
/// Items of one element segment (same as the table size limit).
pub const MAX_ELEMENT_ITEMS: u32 = 10_000_000;
