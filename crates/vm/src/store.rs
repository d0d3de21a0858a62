//! The store: every function, memory, table, global, segment and instance, addressed by
//! index; and the process of instantiation.

use std::collections::HashMap;
use std::sync::Arc;

use rill_decoder::{FuncType, GlobalType, MemoryType, TableType};
use rill_validator::types::{canonical_form, CanonRecGroup, REC_REF};
use rill_validator::Types;

use crate::module::Module;
use crate::value::{Func, Value};
use crate::Trap;

/// A host function: takes the arguments, returns the results.
pub type HostFn = dyn Fn(&[Value]) -> Result<Vec<Value>, Trap> + Send + Sync;

pub(crate) enum FuncKind {
    Wasm {
        instance: u32,
        code: Arc<crate::exec::Code>,
    },
    Host(Arc<HostFn>),
}

pub(crate) struct FuncEntity {
    /// Store-wide canonical type id.
    pub(crate) type_id: u32,
    pub(crate) ty: Arc<FuncType>,
    pub(crate) kind: FuncKind,
}

/// A linear memory.
#[derive(Debug)]
pub struct MemoryInst {
    pub(crate) data: Vec<u8>,
    pub(crate) ty: MemoryType,
    pub(crate) page_size: u64,
    /// Successful [`MemoryInst::grow`]s so far, by 0 pages included.
    grows: u64,
}

impl MemoryInst {
    pub(crate) fn new(ty: MemoryType) -> Result<MemoryInst, String> {
        let page_size = 1u64 << ty.page_size_log2.unwrap_or(16);
        let bytes = ty
            .limits
            .min
            .checked_mul(page_size)
            .filter(|b| *b <= Self::max_bytes(&ty, page_size))
            .ok_or("memory size exceeds the implementation limit")?;
        Ok(MemoryInst {
            data: vec![0; bytes as usize],
            ty,
            page_size,
            grows: 0,
        })
    }

    fn max_bytes(ty: &MemoryType, page_size: u64) -> u64 {
        let pages: u64 = if ty.memory64 { 262_144 } else { 65_536 };
        (pages * 65_536).min(
            ty.limits
                .max
                .map_or(u64::MAX, |m| m.saturating_mul(page_size)),
        )
    }

    /// Size in pages.
    pub fn pages(&self) -> u64 {
        self.data.len() as u64 / self.page_size
    }

    /// Grows by `delta` pages; the old size in pages, or `None` (no change). Every call
    /// that succeeds, by 0 pages too, counts as a grow ([`MemoryInst::grows`]), whether the
    /// host or wasm's `memory.grow` makes it.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new_bytes = old
            .checked_add(delta)?
            .checked_mul(self.page_size)
            .filter(|b| *b <= Self::max_bytes(&self.ty, self.page_size))?;
        let additional = new_bytes as usize - self.data.len();
        self.data.try_reserve_exact(additional).ok()?;
        self.data.resize(new_bytes as usize, 0);
        self.grows += 1;
        Some(old)
    }

    /// How many times the memory has grown ([`MemoryInst::grow`] succeeded, by 0 pages
    /// included). The JS API detaches a memory's `ArrayBuffer` on every such grow; an
    /// embedder can compare this count to tell whether a view it handed out is stale.
    pub fn grows(&self) -> u64 {
        self.grows
    }

    /// The bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The bytes, writable.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }
}

/// Most elements a table may have (JS-API.md).
pub const MAX_TABLE_ELEMENTS: u64 = 10_000_000;

/// A table of references (encoded as registers: 0 null, `address + 1` otherwise).
#[derive(Debug)]
pub struct TableInst {
    pub(crate) elems: Vec<u64>,
    pub(crate) ty: TableType,
}

impl TableInst {
    /// Grows by `delta` elements set to `init`; the old size, or `None`.
    pub fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        let old = self.elems.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.ty.limits.max.unwrap_or(u64::MAX) || new > MAX_TABLE_ELEMENTS {
            return None;
        }
        self.elems.resize(new as usize, init);
        Some(old)
    }
}

/// A global variable.
#[derive(Debug)]
pub struct GlobalInst {
    /// The value in the register encoding; for a `v128`, its low 64 bits.
    pub(crate) value: u64,
    /// A `v128`'s high 64 bits (0 for other types).
    pub(crate) high: u64,
    pub(crate) ty: GlobalType,
}

impl GlobalInst {
    /// A global of type `ty` holding `bits` (see [`Value::to_bits128`]).
    pub(crate) fn new(ty: GlobalType, bits: u128) -> GlobalInst {
        GlobalInst {
            value: bits as u64,
            high: (bits >> 64) as u64,
            ty,
        }
    }

    /// All 128 bits (a scalar zero-extended).
    #[inline]
    pub(crate) fn get_v128(&self) -> u128 {
        u128::from(self.high) << 64 | u128::from(self.value)
    }

    #[inline]
    pub(crate) fn set_v128(&mut self, v: u128) {
        self.value = v as u64;
        self.high = (v >> 64) as u64;
    }
}

/// An exception tag.
pub(crate) struct TagInst {
    /// Store-wide canonical type id of its function type.
    pub(crate) type_id: u32,
    pub(crate) ty: Arc<FuncType>,
}

/// An exception: a tag and a payload, thrown by wasm (`throw`) or by a host function
/// ([`Trap::Throw`]). Kept in the store for as long as the store lives (an `exnref`
/// refers to it by address), so only thrown exceptions that are caught with a reference,
/// rethrown by a legacy `rethrow`, or not caught at all take room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    pub(crate) tag: Option<u32>,
    pub(crate) payload: Box<[Value]>,
    pub(crate) token: Option<u64>,
}

impl Exception {
    /// The tag's store address (`None`: a host function threw it with a tag the store
    /// does not know).
    pub fn tag(&self) -> Option<u32> {
        self.tag
    }

    /// The payload.
    pub fn payload(&self) -> &[Value] {
        &self.payload
    }

    /// The mark a host function gave the exception when it threw it
    /// ([`HostException::token`](crate::HostException::token)); `None` if wasm threw it.
    pub fn host_token(&self) -> Option<u64> {
        self.token
    }
}

/// What an import is satisfied with, and what an export is: store addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

/// One instance's view of the store: its index spaces mapped to store addresses.
#[derive(Debug, Default)]
pub(crate) struct InstanceData {
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<u32>,
    pub(crate) memories: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    pub(crate) tags: Vec<u32>,
    pub(crate) elems: Vec<u32>,
    pub(crate) datas: Vec<u32>,
    /// Store type id of each module type index.
    pub(crate) types: Vec<u32>,
    pub(crate) exports: HashMap<String, Extern>,
    /// Store address of memory 0, or `u32::MAX`.
    pub(crate) mem0: u32,
}

/// An instance: a handle into its store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

/// Canonical types across modules (iso-recursive equivalence) with declared supertypes.
#[derive(Default)]
pub(crate) struct TypeRegistry {
    groups: HashMap<CanonRecGroup, u32>,
    /// Declared (first) supertype of each id.
    supers: Vec<Option<u32>>,
    funcs: Vec<Option<Arc<FuncType>>>,
}

impl TypeRegistry {
    /// Store type ids for every type of a module.
    pub(crate) fn register(&mut self, types: &Types) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::with_capacity(types.len() as usize);
        for range in types.rec_groups() {
            let group: Vec<_> = range
                .clone()
                .map(|i| types.get(i).expect("type").clone())
                .collect();
            let form = canonical_form(&group, range.start, |i| ids[i as usize]);
            let base = match self.groups.get(&form) {
                Some(&b) => b,
                None => {
                    let b = self.supers.len() as u32;
                    for st in form.0.iter() {
                        let sup = st.supertypes.first().map(|&s| {
                            if s & REC_REF != 0 {
                                b + (s & !REC_REF)
                            } else {
                                s
                            }
                        });
                        self.supers.push(sup);
                        self.funcs.push(match &st.composite.kind {
                            rill_decoder::CompositeTypeKind::Func(f) => Some(Arc::new(f.clone())),
                            _ => None,
                        });
                    }
                    self.groups.insert(form, b);
                    b
                }
            };
            ids.extend((0..range.len() as u32).map(|k| base + k));
        }
        ids
    }

    /// An id for a host function type (a group of one, final).
    pub(crate) fn func_type_id(&mut self, ty: &FuncType) -> u32 {
        let mut t = Types::new();
        let group = rill_decoder::RecGroup {
            types: vec![rill_decoder::SubType {
                is_final: true,
                supertypes: Box::new([]),
                composite: rill_decoder::CompositeType {
                    kind: rill_decoder::CompositeTypeKind::Func(ty.clone()),
                    describes: None,
                    descriptor: None,
                },
            }],
            explicit: false,
        };
        t.add_rec_group(&group, 0).expect("a plain function type");
        self.register(&t)[0]
    }

    /// Whether type `a` is `b` or declares it as a (transitive) supertype.
    pub(crate) fn is_sub(&self, mut a: u32, b: u32) -> bool {
        loop {
            if a == b {
                return true;
            }
            match self.supers.get(a as usize).copied().flatten() {
                Some(s) => a = s,
                None => return false,
            }
        }
    }
}

/// Most frames on the call stack.
pub const MAX_CALL_DEPTH: usize = 100_000;
/// Most registers (64-bit slots) all frames together may use.
pub const MAX_REGISTERS: usize = 4 << 20;

/// Everything instances share.
#[derive(Default)]
pub struct Store {
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) memories: Vec<MemoryInst>,
    pub(crate) tables: Vec<TableInst>,
    pub(crate) globals: Vec<GlobalInst>,
    pub(crate) elems: Vec<Vec<u64>>,
    pub(crate) datas: Vec<rill_decoder::Bytes>,
    pub(crate) instances: Vec<InstanceData>,
    pub(crate) tags: Vec<TagInst>,
    pub(crate) exceptions: Vec<Exception>,
    pub(crate) types: TypeRegistry,
    /// The register file, kept between calls.
    pub(crate) regs: Vec<u64>,
    /// The vector register file (`v128` slots, see `exec_simd`), kept between calls.
    pub(crate) vregs: Vec<crate::simd::V>,
}

impl Store {
    /// An empty store.
    pub fn new() -> Store {
        Store::default()
    }

    /// A host function of type `ty`.
    pub fn func_new(
        &mut self,
        ty: FuncType,
        f: impl Fn(&[Value]) -> Result<Vec<Value>, Trap> + Send + Sync + 'static,
    ) -> Func {
        let type_id = self.types.func_type_id(&ty);
        self.funcs.push(FuncEntity {
            type_id,
            ty: Arc::new(ty),
            kind: FuncKind::Host(Arc::new(f)),
        });
        Func(self.funcs.len() as u32 - 1)
    }

    /// The type of a function.
    pub fn func_type(&self, f: Func) -> &FuncType {
        &self.funcs[f.0 as usize].ty
    }

    /// A new memory.
    pub fn memory_new(&mut self, ty: MemoryType) -> Result<u32, String> {
        self.memories.push(MemoryInst::new(ty)?);
        Ok(self.memories.len() as u32 - 1)
    }

    /// A memory by address.
    pub fn memory(&self, m: u32) -> &MemoryInst {
        &self.memories[m as usize]
    }

    /// A memory by address, writable.
    pub fn memory_mut(&mut self, m: u32) -> &mut MemoryInst {
        &mut self.memories[m as usize]
    }

    /// A new table with every element `init`.
    pub fn table_new(&mut self, ty: TableType, init: Value) -> u32 {
        self.tables.push(TableInst {
            elems: vec![init.to_raw(); ty.limits.min as usize],
            ty,
        });
        self.tables.len() as u32 - 1
    }

    /// A new global.
    pub fn global_new(&mut self, ty: GlobalType, value: Value) -> u32 {
        self.globals.push(GlobalInst::new(ty, value.to_bits128()));
        self.globals.len() as u32 - 1
    }

    /// A global's value.
    pub fn global_get(&self, g: u32) -> Value {
        let g = &self.globals[g as usize];
        Value::from_bits128(g.get_v128(), g.ty.content)
    }

    /// A new tag whose exceptions carry values of `params`.
    pub fn tag_new(&mut self, params: &[rill_decoder::ValType]) -> u32 {
        let ty = FuncType {
            params: params.into(),
            results: Box::new([]),
        };
        let type_id = self.types.func_type_id(&ty);
        self.tags.push(TagInst {
            type_id,
            ty: Arc::new(ty),
        });
        self.tags.len() as u32 - 1
    }

    /// The parameter types of a tag.
    pub fn tag_params(&self, t: u32) -> &[rill_decoder::ValType] {
        &self.tags[t as usize].ty.params
    }

    /// How many exceptions the store keeps (their addresses are `0..count`).
    pub fn exception_count(&self) -> u32 {
        self.exceptions.len() as u32
    }

    /// An exception by address (from [`Trap::Exception`] or a [`Value::ExnRef`]).
    pub fn exception(&self, e: u32) -> &Exception {
        &self.exceptions[e as usize]
    }

    /// An export of an instance.
    pub fn export(&self, instance: Instance, name: &str) -> Option<Extern> {
        self.instances[instance.0 as usize]
            .exports
            .get(name)
            .copied()
    }

    /// The store type id of a function (equal ids: equal types).
    pub(crate) fn func_type_id(&self, f: u32) -> u32 {
        self.funcs[f as usize].type_id
    }

    /// Instantiates `module` with `imports` (one extern per import, in order).
    pub fn instantiate(
        &mut self,
        module: &Arc<Module>,
        imports: &[Extern],
    ) -> Result<Instance, crate::InstantiationError> {
        crate::instance::instantiate(self, module, imports)
    }

    /// Calls a function.
    pub fn invoke(&mut self, f: Func, args: &[Value]) -> Result<Vec<Value>, Trap> {
        crate::exec::invoke(self, f.0, args)
    }
}
