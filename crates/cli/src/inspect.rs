//! `rill inspect`: decodes a module as a stream and prints its sections as they arrive (offset,
//! size, what is in them), then its imports and exports with their types and the names of its
//! custom sections: the data of `Module::imports`, `Module::exports` and
//! `Module::custom_sections`, with types. It only decodes, so it also shows modules that do
//! not validate.

use std::pin::Pin;

use futures_core::Stream;
use rill_decoder::{
    CompositeTypeKind, Decoder, Event, ExternalKind, FuncType, GlobalType, Limits, MemoryType,
    Payload, SubType, TableType, TypeRef,
};
use tokio::runtime::Runtime;

use crate::failure::{Class, Failure};
use crate::run::{ref_type_name, type_name};
use crate::source::{self, Input, Opened};

/// Decodes the module at `input` and prints what is in it.
pub fn inspect(rt: &Runtime, input: &Input) -> Result<(), Failure> {
    let what = input.to_string();
    let mut chunks: Pin<Box<dyn Stream<Item = Result<Vec<u8>, Failure>>>> =
        match source::open(rt, input)? {
            Opened::Bytes(s) => Box::pin(MapErr(s, what.clone())),
            Opened::Http(response) => {
                let response = rt
                    .block_on(response)
                    .map_err(|e| Failure::io(format!("{what}: {e}")))?;
                if !response.status().is_success() {
                    return Err(Failure::new(
                        Class::TypeError,
                        format!(
                            "{what}: the response's status {} is not ok",
                            response.status()
                        ),
                    ));
                }
                let body = rill::HttpBody::new(response.into_body());
                Box::pin(MapErr(body, what.clone()))
            }
        };
    let mut decoder = Decoder::new();
    let mut module = Summary::default();
    loop {
        let next = rt.block_on(std::future::poll_fn(|cx| chunks.as_mut().poll_next(cx)));
        let done = next.is_none();
        let result = match next {
            Some(chunk) => decoder.push(&chunk?),
            None => decoder.finish(),
        };
        while let Some(event) = decoder.next_event() {
            module.event(event);
        }
        if let Err(e) = result {
            return Err(Failure::new(Class::CompileError, format!("{what}: {e}")));
        }
        if done {
            module.print_items();
            return Ok(());
        }
    }
}

/// A byte stream whose errors are I/O failures about `.1`.
struct MapErr<S>(S, String);

impl<S, B, E> Stream for MapErr<S>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    type Item = Result<Vec<u8>, Failure>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        Pin::new(&mut this.0).poll_next(cx).map(|item| {
            item.map(|r| {
                r.map(|b| b.as_ref().to_vec())
                    .map_err(|e| Failure::io(format!("{}: {e}", this.1)))
            })
        })
    }
}

/// What the module declares, collected as its sections arrive.
#[derive(Default)]
struct Summary {
    types: Vec<SubType>,
    /// Type index of every function, imported ones first.
    funcs: Vec<u32>,
    tables: Vec<TableType>,
    memories: Vec<MemoryType>,
    globals: Vec<GlobalType>,
    /// Type index of every tag.
    tags: Vec<u32>,
    imports: Vec<(String, String, TypeRef)>,
    exports: Vec<(String, ExternalKind, u32)>,
    customs: Vec<(String, usize)>,
    bodies: usize,
    body_bytes: usize,
}

impl Summary {
    fn event(&mut self, event: Event) {
        let r = &event.range;
        let size = r.end - r.start;
        let line = |name: &str, what: String| {
            out!("{:#010x} {name:<10} {size:>9} bytes  {what}", r.start);
        };
        match event.payload {
            Payload::Header { version } => out!("header: version {version}"),
            Payload::Custom(c) => {
                line("custom", format!("\"{}\"", c.name.escape_debug()));
                self.customs.push((c.name, c.data.len()));
            }
            Payload::Type(groups) => {
                let n: usize = groups.iter().map(|g| g.types.len()).sum();
                line("type", format!("{n} types in {} rec groups", groups.len()));
                self.types.extend(groups.into_iter().flat_map(|g| g.types));
            }
            Payload::Import(v) => {
                line("import", format!("{} imports", v.len()));
                for i in v {
                    match i.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => self.funcs.push(t),
                        TypeRef::Table(t) => self.tables.push(t),
                        TypeRef::Memory(m) => self.memories.push(m),
                        TypeRef::Global(g) => self.globals.push(g),
                        TypeRef::Tag(t) => self.tags.push(t.func_type),
                    }
                    self.imports.push((i.module, i.name, i.ty));
                }
            }
            Payload::Function(v) => {
                line("function", format!("{} functions", v.len()));
                self.funcs.extend(v);
            }
            Payload::Table(v) => {
                line("table", format!("{} tables", v.len()));
                self.tables.extend(v.iter().map(|t| t.ty));
            }
            Payload::Memory(v) => {
                line("memory", format!("{} memories", v.len()));
                self.memories.extend(v);
            }
            Payload::Tag(v) => {
                line("tag", format!("{} tags", v.len()));
                self.tags.extend(v.iter().map(|t| t.func_type));
            }
            Payload::Global(v) => {
                line("global", format!("{} globals", v.len()));
                self.globals.extend(v.iter().map(|g| g.ty));
            }
            Payload::Export(v) => {
                line("export", format!("{} exports", v.len()));
                self.exports
                    .extend(v.into_iter().map(|e| (e.name, e.kind, e.index)));
            }
            Payload::Start(f) => line("start", format!("function {f}")),
            Payload::Element(v) => line("element", format!("{} segments", v.len())),
            Payload::DataCount(n) => line("datacount", format!("{n} data segments")),
            Payload::CodeStart { count } => line("code", format!("{count} function bodies")),
            Payload::Data(v) => line("data", format!("{} segments", v.len())),
            Payload::FunctionBody(body) => {
                self.bodies += 1;
                self.body_bytes += body.bytes.len();
            }
            Payload::End => {
                if self.bodies > 0 {
                    out!(
                        "  {} function bodies, {} bytes",
                        self.bodies,
                        self.body_bytes
                    );
                }
                out!("end: {} bytes", r.start);
            }
        }
    }

    /// Imports, exports and custom sections, in module order.
    fn print_items(&self) {
        out!("imports: {}", self.imports.len());
        for (module, name, ty) in &self.imports {
            let desc = match ty {
                TypeRef::Func(t) | TypeRef::FuncExact(t) => self.func_desc(*t),
                TypeRef::Table(t) => table_desc(t),
                TypeRef::Memory(m) => memory_desc(m),
                TypeRef::Global(g) => global_desc(g),
                TypeRef::Tag(t) => self.tag_desc(t.func_type),
            };
            out!("  {module:?} {name:?}: {desc}");
        }
        out!("exports: {}", self.exports.len());
        for (name, kind, index) in &self.exports {
            let i = *index as usize;
            let desc = match kind {
                ExternalKind::Func => self
                    .funcs
                    .get(i)
                    .map(|t| self.func_desc(*t))
                    .unwrap_or_else(|| format!("function {i} (unknown)")),
                ExternalKind::Table => self
                    .tables
                    .get(i)
                    .map(table_desc)
                    .unwrap_or_else(|| format!("table {i} (unknown)")),
                ExternalKind::Memory => self
                    .memories
                    .get(i)
                    .map(memory_desc)
                    .unwrap_or_else(|| format!("memory {i} (unknown)")),
                ExternalKind::Global => self
                    .globals
                    .get(i)
                    .map(global_desc)
                    .unwrap_or_else(|| format!("global {i} (unknown)")),
                ExternalKind::Tag => self
                    .tags
                    .get(i)
                    .map(|t| self.tag_desc(*t))
                    .unwrap_or_else(|| format!("tag {i} (unknown)")),
            };
            out!("  {name:?}: {desc}");
        }
        out!("custom sections: {}", self.customs.len());
        for (name, len) in &self.customs {
            out!("  {:?}: {len} bytes", name);
        }
    }

    fn func_type(&self, t: u32) -> Option<&FuncType> {
        match &self.types.get(t as usize)?.composite.kind {
            CompositeTypeKind::Func(f) => Some(f),
            _ => None,
        }
    }

    fn func_desc(&self, t: u32) -> String {
        match self.func_type(t) {
            Some(f) => format!("function{}", signature(f)),
            None => format!("function (type {t})"),
        }
    }

    fn tag_desc(&self, t: u32) -> String {
        match self.func_type(t) {
            Some(f) => format!("tag{}", signature(f)),
            None => format!("tag (type {t})"),
        }
    }
}

/// ` (param i32 i32) (result i32)`, each clause only when it has types.
fn signature(f: &FuncType) -> String {
    let mut s = String::new();
    for (word, types) in [("param", &f.params), ("result", &f.results)] {
        if !types.is_empty() {
            let names: Vec<String> = types.iter().map(|t| type_name(*t)).collect();
            s.push_str(&format!(" ({word} {})", names.join(" ")));
        }
    }
    s
}

fn limits(l: &Limits) -> String {
    match l.max {
        Some(max) => format!("{} {max}", l.min),
        None => l.min.to_string(),
    }
}

fn table_desc(t: &TableType) -> String {
    let addr = if t.table64 { "i64 " } else { "" };
    let shared = if t.shared { " shared" } else { "" };
    format!(
        "table {addr}{}{shared} {}",
        limits(&t.limits),
        ref_type_name(t.element)
    )
}

fn memory_desc(m: &MemoryType) -> String {
    let addr = if m.memory64 { "i64 " } else { "" };
    let shared = if m.shared { " shared" } else { "" };
    let page = match m.page_size_log2 {
        Some(p) => format!(" (pagesize {})", 1u64 << p),
        None => String::new(),
    };
    format!("memory {addr}{}{shared}{page}", limits(&m.limits))
}

fn global_desc(g: &GlobalType) -> String {
    if g.mutable {
        format!("global (mut {})", type_name(g.content))
    } else {
        format!("global {}", type_name(g.content))
    }
}
