//! JS-API.md, "Module descriptors": exports, imports, custom sections.

mod common;

use common::*;
use rill::{ExportDescriptor, ExternKind, ImportDescriptor, Module};

#[test]
fn exports_in_module_order_with_kinds() {
    let m = Module::new(wat(r#"
        (module
          (type $t (func (param i32)))
          (tag $e (type $t))
          (global $g (mut i32) (i32.const 0))
          (memory $m 1)
          (table $tb 1 funcref)
          (func $f)
          (export "z-func" (func $f))
          (export "a-table" (table $tb))
          (export "m-memory" (memory $m))
          (export "b-global" (global $g))
          (export "y-tag" (tag $e))
          (export "func-again" (func $f)))
    "#))
    .unwrap();
    let want = [
        ("z-func", ExternKind::Function),
        ("a-table", ExternKind::Table),
        ("m-memory", ExternKind::Memory),
        ("b-global", ExternKind::Global),
        ("y-tag", ExternKind::Tag),
        ("func-again", ExternKind::Function),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(name, kind)| ExportDescriptor {
            name: name.to_string(),
            kind: *kind,
        })
        .collect();
    assert_eq!(m.exports(), want);
}

#[test]
fn imports_in_module_order_with_kinds() {
    let m = Module::new(wat(r#"
        (module
          (type $t (func (param i32)))
          (import "env" "g" (global i32))
          (import "env" "f" (func))
          (import "js" "mem" (memory 1))
          (import "js" "tbl" (table 2 externref))
          (import "" "" (tag (type $t)))
          (import "env" "f2" (func (param i64))))
    "#))
    .unwrap();
    let want = [
        ("env", "g", ExternKind::Global),
        ("env", "f", ExternKind::Function),
        ("js", "mem", ExternKind::Memory),
        ("js", "tbl", ExternKind::Table),
        ("", "", ExternKind::Tag),
        ("env", "f2", ExternKind::Function),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|(module, name, kind)| ImportDescriptor {
            module: module.to_string(),
            name: name.to_string(),
            kind: *kind,
        })
        .collect();
    assert_eq!(m.imports(), want);
}

#[test]
fn no_imports_or_exports() {
    let m = Module::new(module(&[])).unwrap();
    assert!(m.imports().is_empty());
    assert!(m.exports().is_empty());
}

#[test]
fn kinds_display_as_the_js_strings() {
    let names: Vec<String> = [
        ExternKind::Function,
        ExternKind::Table,
        ExternKind::Memory,
        ExternKind::Global,
        ExternKind::Tag,
    ]
    .iter()
    .map(|k| k.to_string())
    .collect();
    assert_eq!(names, ["function", "table", "memory", "global", "tag"]);
}

#[test]
fn custom_sections_by_exact_name_in_module_order() {
    let type_section = section(1, &[0x01, 0x60, 0x00, 0x00]);
    let bytes = module(&[
        custom("meta", b"first"),
        type_section,
        custom("Meta", b"other case"),
        custom("meta", b""),
        custom("meta ", b"trailing space"),
        custom("name", &[0x00, 0x00]), // an (empty-ish) name section is just custom too
        custom("meta", b"\x00third\xff"),
    ]);
    let m = Module::new(&bytes).unwrap();
    let got: Vec<Vec<u8>> = m
        .custom_sections("meta")
        .iter()
        .map(|b| b.to_vec())
        .collect();
    assert_eq!(
        got,
        [b"first".to_vec(), b"".to_vec(), b"\x00third\xff".to_vec()]
    );
    assert_eq!(m.custom_sections("Meta").len(), 1);
    assert_eq!(m.custom_sections("meta ").len(), 1);
    assert!(m.custom_sections("absent").is_empty());
    assert!(m.custom_sections("").is_empty());
}

#[test]
fn custom_sections_after_the_code_section() {
    let mut bytes = wat("(module (func))");
    bytes.extend(custom("late", b"x"));
    let m = Module::new(&bytes).unwrap();
    assert_eq!(&*m.custom_sections("late")[0], b"x");
}
