//! Decoding throughput: every section and every operator of the startup modules, with the
//! rill push decoder and with wasmparser, side by side in one run.
//!
//! Both sides do the same work: read every item of every section (rill builds its owned
//! section items; wasmparser iterates its lazy readers to the end), and read the locals and
//! every operator of every function body.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rill_decoder::{Bytes, Decoder, Payload};
use std::hint::black_box;

fn rill_decode(bytes: &Bytes) -> usize {
    // Like wasmparser's reader, rill reads the caller's buffer in place (`push_bytes`: no copy).
    let mut decoder = Decoder::new();
    decoder.push_bytes(bytes).unwrap();
    decoder.finish().unwrap();
    let mut items = 0;
    while let Some(event) = decoder.next_event() {
        if let Payload::FunctionBody(body) = &event.payload {
            // Like the wasmparser side: every local declaration, every operator materialised.
            let mut locals = body.locals().unwrap();
            for l in &mut locals {
                black_box(l.unwrap());
                items += 1;
            }
            let mut ops = locals.into_operators().unwrap();
            while !ops.is_finished() {
                black_box(ops.read().unwrap());
                items += 1;
            }
            ops.finish().unwrap();
        } else {
            items += 1;
        }
    }
    items
}

fn wasmparser_decode(bytes: &[u8]) -> usize {
    use wasmparser::{Parser, Payload as P};
    let mut items = 0;
    fn all<T>(reader: impl IntoIterator<Item = wasmparser::Result<T>>) -> usize {
        reader.into_iter().map(|x| x.map(|_| 1).unwrap()).sum()
    }
    fn ops(mut r: wasmparser::OperatorsReader<'_>) -> usize {
        let mut n = 0;
        while !r.eof() {
            black_box(r.read().unwrap());
            n += 1;
        }
        n
    }
    for payload in Parser::new(0).parse_all(bytes) {
        items += match payload.unwrap() {
            P::TypeSection(r) => all(r),
            P::ImportSection(r) => all(r),
            P::FunctionSection(r) => all(r),
            P::TableSection(r) => all(r),
            P::MemorySection(r) => all(r),
            P::TagSection(r) => all(r),
            P::GlobalSection(r) => r
                .into_iter()
                .map(|g| ops(g.unwrap().init_expr.get_operators_reader()))
                .sum(),
            P::ExportSection(r) => all(r),
            P::ElementSection(r) => {
                let mut n = 0;
                for e in r {
                    let e = e.unwrap();
                    if let wasmparser::ElementKind::Active { offset_expr, .. } = e.kind {
                        n += ops(offset_expr.get_operators_reader());
                    }
                    n += match e.items {
                        wasmparser::ElementItems::Functions(f) => all(f),
                        wasmparser::ElementItems::Expressions(_, x) => x
                            .into_iter()
                            .map(|c| ops(c.unwrap().get_operators_reader()))
                            .sum(),
                    };
                }
                n
            }
            P::DataSection(r) => {
                let mut n = 0;
                for d in r {
                    let d = d.unwrap();
                    if let wasmparser::DataKind::Active { offset_expr, .. } = d.kind {
                        n += ops(offset_expr.get_operators_reader());
                    }
                    n += 1;
                }
                n
            }
            P::CodeSectionEntry(body) => {
                let locals = all(body.get_locals_reader().unwrap());
                locals + ops(body.get_operators_reader().unwrap())
            }
            _ => 1,
        };
    }
    items
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    for (name, bytes) in rill_benches::modules("startup") {
        let shared = Bytes::from(bytes.clone());
        // Both must accept the module before we time them.
        assert!(rill_decode(&shared) > 0 && wasmparser_decode(&bytes) > 0);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("{name}/rill"), |b| {
            b.iter(|| rill_decode(black_box(&shared)))
        });
        group.bench_function(format!("{name}/wasmparser"), |b| {
            b.iter(|| wasmparser_decode(black_box(&bytes)))
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
