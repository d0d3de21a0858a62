//! The entities a store owns (functions, memories, tables, globals, tags, exceptions,
//! segments, instances), addressed by index, and [`StoreInner`], the part of a store the
//! interpreter works on (everything but the host functions and the user data, which depend
//! on the store's type parameter: see `store.rs`).

use std::collections::HashMap;
use std::sync::Arc;

use rill_decoder::{FuncType, GlobalType, HeapType, MemoryType, RefType, TableType, ValType};
use rill_validator::types::{canonical_form, CanonRecGroup, REC_REF};
use rill_validator::Types;

use crate::value::{Func, Value};

pub(crate) enum FuncKind {
    Wasm {
        instance: u32,
        code: Arc<crate::exec::Code>,
    },
    /// A host function: its index into the owning store's host functions
    /// (`Store::hosts`), and, if wasm may call it through raw slots (see
    /// [`raw_callable`]), the function that does.
    Host {
        index: u32,
        raw: Option<crate::store::RawEntry>,
    },
}

/// How many values (the larger of the parameters and results) a host call through raw
/// slots passes at most.
pub(crate) const RAW_SLOTS: usize = 8;

/// Whether calls from wasm may pass a host function of type `ty` its values as raw slots
/// (`u64`s in the register encoding, no [`Value`] made): numbers only, so that any bits
/// the function writes back are a value of the result type, and few enough to fit
/// [`RAW_SLOTS`].
pub(crate) fn raw_callable(ty: &FuncType) -> bool {
    let number =
        |t: &ValType| matches!(t, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64);
    ty.params.len().max(ty.results.len()) <= RAW_SLOTS
        && ty.params.iter().all(number)
        && ty.results.iter().all(number)
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
        let (bytes, _) = Self::initial_bytes(&ty)?;
        Ok(MemoryInst {
            data: vec![0; bytes as usize],
            ty,
            page_size: 1u64 << ty.page_size_log2.unwrap_or(16),
            grows: 0,
        })
    }

    /// The initial size in bytes of a memory of type `ty` and the maximum its type
    /// declares in bytes, or why the implementation cannot make it.
    pub(crate) fn initial_bytes(ty: &MemoryType) -> Result<(u64, Option<u64>), String> {
        let page_size = 1u64 << ty.page_size_log2.unwrap_or(16);
        let bytes = ty
            .limits
            .min
            .checked_mul(page_size)
            .filter(|b| *b <= Self::max_bytes(ty, page_size))
            .ok_or("memory size exceeds the implementation limit")?;
        let max = ty.limits.max.map(|m| m.saturating_mul(page_size));
        Ok((bytes, max))
    }

    fn max_bytes(ty: &MemoryType, page_size: u64) -> u64 {
        let pages: u64 = if ty.memory64 { 262_144 } else { 65_536 };
        (pages * 65_536).min(
            ty.limits
                .max
                .map_or(u64::MAX, |m| m.saturating_mul(page_size)),
        )
    }

    /// The memory's type (as declared or created: its minimum is the initial size).
    pub fn ty(&self) -> MemoryType {
        self.ty
    }

    /// Size in pages.
    pub fn pages(&self) -> u64 {
        self.data.len() as u64 / self.page_size
    }

    /// Grows by `delta` pages; the old size in pages, or `None` (no change). Every call
    /// that succeeds, by 0 pages too, counts as a grow ([`MemoryInst::grows`]), whether the
    /// host or wasm's `memory.grow` makes it.
    ///
    /// Asks no [`ResourceLimiter`](crate::ResourceLimiter): the store's limiter is
    /// consulted by [`Store::memory_grow`](crate::Store::memory_grow) and by wasm's
    /// `memory.grow`.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        self.grow_limited(delta, None)
    }

    /// [`MemoryInst::grow`], growth by more than 0 pages allowed by `limiter` first.
    pub(crate) fn grow_limited(
        &mut self,
        delta: u64,
        mut limiter: Option<&mut (dyn crate::ResourceLimiter + Send + Sync + 'static)>,
    ) -> Option<u64> {
        let old = self.pages();
        let new_bytes = old
            .checked_add(delta)?
            .checked_mul(self.page_size)
            .filter(|b| *b <= Self::max_bytes(&self.ty, self.page_size))?;
        let current = self.data.len() as u64;
        if let Some(l) = limiter.as_deref_mut().filter(|_| delta > 0) {
            let max = self.ty.limits.max.map(|m| m.saturating_mul(self.page_size));
            if !l.memory_growing(current, new_bytes, max) {
                return None;
            }
        }
        let additional = new_bytes as usize - self.data.len();
        if self.data.try_reserve_exact(additional).is_err() {
            if let Some(l) = limiter.filter(|_| delta > 0) {
                l.memory_grow_failed(current, new_bytes);
            }
            return None;
        }
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
    /// The table's type (its minimum is the initial size; reference types in store terms).
    pub fn ty(&self) -> TableType {
        self.ty
    }

    /// How many elements it has.
    pub fn len(&self) -> u64 {
        self.elems.len() as u64
    }

    /// Whether it has no elements.
    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// Grows by `delta` elements set to `init`; the old size, or `None`. Asks no
    /// [`ResourceLimiter`](crate::ResourceLimiter) (see [`MemoryInst::grow`]).
    pub fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        self.grow_limited(delta, init, None)
    }

    /// [`TableInst::grow`], growth by more than 0 elements allowed by `limiter` first.
    pub(crate) fn grow_limited(
        &mut self,
        delta: u64,
        init: u64,
        limiter: Option<&mut (dyn crate::ResourceLimiter + Send + Sync + 'static)>,
    ) -> Option<u64> {
        let old = self.elems.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.ty.limits.max.unwrap_or(u64::MAX) || new > MAX_TABLE_ELEMENTS {
            return None;
        }
        if let Some(l) = limiter.filter(|_| delta > 0) {
            if !l.table_growing(old, new, self.ty.limits.max) {
                return None;
            }
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
/// ([`Trap::Throw`](crate::Trap::Throw)). Kept in the store for as long as the store lives (an `exnref`
/// refers to it by address), so only thrown exceptions that are caught with a reference,
/// rethrown by a legacy `rethrow`, or not caught at all take room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    pub(crate) tag: Option<u32>,
    pub(crate) payload: Box<[Value]>,
    pub(crate) origin: Option<crate::HostData>,
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
    /// ([`HostException::origin`](crate::HostException::origin)); `None` if wasm threw it.
    pub fn host_origin(&self) -> Option<&crate::HostData> {
        self.origin.as_ref()
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

/// One instance's view of the store: its index spaces mapped to store addresses. Never
/// changes once instantiation has made it; kept behind an `Arc` so that the interpreter's
/// suspended frames can point at it while a host function adds instances to the store.
#[derive(Debug, Default)]
pub(crate) struct InstanceData {
    /// Its own address.
    pub(crate) id: u32,
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<u32>,
    pub(crate) memories: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    pub(crate) tags: Vec<u32>,
    pub(crate) elems: Vec<u32>,
    pub(crate) datas: Vec<u32>,
    /// Store type id of each module type index.
    pub(crate) types: Vec<u32>,
    /// The exports, in the module's order (names: `module.export_index`).
    pub(crate) exports: Box<[Extern]>,
    /// The module it is an instance of (`None` only while it is being made).
    pub(crate) module: Option<Arc<crate::Module>>,
    /// Store address of memory 0, or `u32::MAX`.
    pub(crate) mem0: u32,
}

/// An instance: a handle into its store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) u32);

/// Canonical types across modules (iso-recursive equivalence) with declared supertypes.
#[derive(Clone, Default)]
pub(crate) struct TypeRegistry {
    groups: HashMap<CanonRecGroup, u32>,
    /// Declared (first) supertype of each id.
    supers: Vec<Option<u32>>,
    /// A module's types registered in an empty registry ([`TypePlan`]), taken over by this
    /// one while it was empty: its `groups` are copied only when another registration
    /// needs them, so a store that instantiates one module hashes no types.
    adopted: Option<Arc<TypeRegistry>>,
}

/// A module's types registered in an empty registry, made when the module is compiled.
#[derive(Debug)]
pub(crate) struct TypePlan {
    registry: Arc<TypeRegistry>,
    /// The store type id of each of the module's types in it.
    ids: Vec<u32>,
}

impl TypePlan {
    pub(crate) fn new(types: &Types) -> TypePlan {
        let mut registry = TypeRegistry::default();
        let ids = registry.register(types);
        TypePlan {
            registry: Arc::new(registry),
            ids,
        }
    }
}

impl std::fmt::Debug for TypeRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypeRegistry")
            .field("types", &self.supers.len())
            .finish_non_exhaustive()
    }
}

impl TypeRegistry {
    /// Store type ids for every type of a module: `plan`'s, taken over whole when this
    /// registry is empty.
    pub(crate) fn register_module(&mut self, types: &Types, plan: &TypePlan) -> Vec<u32> {
        if self.supers.is_empty() {
            self.supers = plan.registry.supers.clone();
            self.adopted = Some(plan.registry.clone());
            return plan.ids.clone();
        }
        self.register(types)
    }

    /// Store type ids for every type of a module.
    pub(crate) fn register(&mut self, types: &Types) -> Vec<u32> {
        if let Some(adopted) = self.adopted.take() {
            self.groups = adopted.groups.clone();
        }
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

/// Most frames on the call stack (all nested calls together: wasm→host→wasm…) by default
/// ([`Store::set_max_call_depth`](crate::Store::set_max_call_depth) changes it).
pub const MAX_CALL_DEPTH: usize = 100_000;
/// Most registers (64-bit value slots) all frames together may use by default (32 MiB;
/// [`Store::set_max_stack_slots`](crate::Store::set_max_stack_slots) changes it).
pub const MAX_REGISTERS: usize = 4 << 20;
/// Most calls running one inside the other (wasm → host → wasm …). Each level takes a
/// few KiB of native stack (host function, interpreter entry); a nested call that finds
/// less than [`NATIVE_STACK_RED_ZONE`] left on the thread's stack continues on a new
/// stack segment, so this limit, not the thread's stack size, is what bounds re-entrancy.
pub const MAX_NESTED_CALLS: u32 = 10_000;
/// Native stack a nested call wants left below it before it enters the interpreter; with
/// less, it switches to a new segment of [`NATIVE_STACK_SEGMENT`] bytes.
pub const NATIVE_STACK_RED_ZONE: usize = 128 << 10;
/// Size of a native stack segment nested calls grow into.
pub const NATIVE_STACK_SEGMENT: usize = 1 << 20;
/// Where the thread's stack bounds are unknown (and under Miri), nested calls cannot grow
/// the stack: they may take this many bytes of native stack counted from where the
/// outermost call entered, then trap with
/// [`Trap::StackExhausted`](crate::Trap::StackExhausted).
pub const NATIVE_STACK_BUDGET: usize = 1 << 20;

/// A store's identity: unique in the process, never reused, so a handle from one store is
/// recognised as foreign in another (also one made after the first was dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StoreId(std::num::NonZeroU64);

impl StoreId {
    fn fresh() -> StoreId {
        // The one process-wide variable of the engine: a counter that only hands out ids.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        StoreId(std::num::NonZeroU64::new(n).expect("2^64 stores"))
    }

    /// The id as a number (distinct stores, distinct numbers).
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

/// The interpreter's call stack, kept between calls and shared by nested calls (a host
/// function calling back into wasm runs its frames above its caller's).
#[derive(Default)]
pub(crate) struct Stack {
    /// The register file.
    pub(crate) regs: Vec<u64>,
    /// The vector register file (`v128` slots, see `exec_simd`).
    pub(crate) vregs: Vec<crate::simd::V>,
    /// First register a nested call may use (0 when no call is running).
    pub(crate) base: usize,
    /// Frames of the calls suspended in host functions.
    pub(crate) depth: usize,
    /// How many calls are running, one inside the other.
    pub(crate) nesting: u32,
    /// Address of a local of the outermost running call (the native stack's origin).
    pub(crate) origin: usize,
}

/// Everything a store owns except its host functions and user data.
pub(crate) struct StoreInner {
    pub(crate) id: StoreId,
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) memories: Vec<MemoryInst>,
    pub(crate) tables: Vec<TableInst>,
    pub(crate) globals: Vec<GlobalInst>,
    pub(crate) elems: Vec<Vec<u64>>,
    pub(crate) datas: Vec<rill_decoder::Bytes>,
    pub(crate) instances: Vec<Arc<InstanceData>>,
    pub(crate) tags: Vec<TagInst>,
    pub(crate) exceptions: Vec<Exception>,
    pub(crate) types: TypeRegistry,
    pub(crate) stack: Stack,
    /// Set by an [`InterruptHandle`](crate::InterruptHandle) to stop running code.
    pub(crate) interrupt: Arc<std::sync::atomic::AtomicBool>,
    /// When running code stops with [`Trap::DeadlineExceeded`](crate::Trap).
    pub(crate) deadline: Option<std::time::Instant>,
    /// Most frames on the call stack ([`MAX_CALL_DEPTH`] unless configured).
    pub(crate) max_call_depth: usize,
    /// Most registers all frames together may use ([`MAX_REGISTERS`] unless configured).
    pub(crate) max_registers: usize,
    /// The resource limiter (see `limits.rs`).
    pub(crate) limits: crate::limits::Limits,
    /// Fuel left, when the store meters fuel (`Store::set_fuel`).
    pub(crate) fuel: Option<u64>,
    /// The store holds code lowered without fuel metering: it cannot meter fuel.
    pub(crate) unmetered: bool,
}

impl StoreInner {
    pub(crate) fn new() -> StoreInner {
        StoreInner {
            id: StoreId::fresh(),
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            instances: Vec::new(),
            tags: Vec::new(),
            exceptions: Vec::new(),
            types: TypeRegistry::default(),
            stack: Stack::default(),
            interrupt: Arc::default(),
            deadline: None,
            max_call_depth: MAX_CALL_DEPTH,
            max_registers: MAX_REGISTERS,
            limits: crate::limits::Limits::default(),
            fuel: None,
            unmetered: false,
        }
    }

    /// The store type id of a function (equal ids: equal types).
    pub(crate) fn func_type_id(&self, f: u32) -> u32 {
        self.funcs[f as usize].type_id
    }

    /// Whether `v` is a value of type `ty` in this store: of its kind, and a reference to
    /// an entity the store has, of a concrete type's subtype where `ty` names one.
    pub(crate) fn fits(&self, v: Value, ty: ValType) -> bool {
        value_fits(&self.funcs, &self.types, self.exceptions.len(), v, ty)
    }
}

/// [`StoreInner::fits`] on the parts of a store it needs (its functions, types, and the
/// number of exceptions).
pub(crate) fn value_fits(
    funcs: &[FuncEntity],
    types: &TypeRegistry,
    exceptions: usize,
    v: Value,
    ty: ValType,
) -> bool {
    if !v.matches(ty) {
        return false;
    }
    match v {
        Value::FuncRef(Some(f)) => {
            let Some(func) = funcs.get(f.0 as usize) else {
                return false;
            };
            match ty {
                ValType::Ref(RefType {
                    heap: HeapType::Concrete(t),
                    ..
                }) => types.is_sub(func.type_id, t),
                ValType::Ref(RefType {
                    heap: HeapType::Exact(t),
                    ..
                }) => func.type_id == t,
                _ => true,
            }
        }
        Value::ExnRef(Some(e)) => (e as usize) < exceptions,
        _ => true,
    }
}
