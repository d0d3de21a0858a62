//! The custom-descriptors proposal is opt-in (`Config::features`): off, each of its
//! constructs is rejected and `br_on_cast` keeps Wasm 3.0's rule; on, the proposal's rules
//! hold.

use rill_decoder::Features;

use crate::{validate_with, Config, Error};

const OFF: Features = Features {
    custom_page_sizes: false,
    custom_descriptors: false,
};
const ON: Features = Features {
    custom_page_sizes: false,
    custom_descriptors: true,
};

fn check(wat: &str, features: Features) -> Result<(), Error> {
    let wasm = wat::parse_str(wat).unwrap_or_else(|e| panic!("{wat}: {e}"));
    validate_with(
        &wasm,
        Config {
            features,
            ..Config::default()
        },
    )
}

/// Rejected without the proposal with `message`, accepted with it.
fn needs_the_proposal(wat: &str, message: &str) {
    let err = check(wat, OFF).expect_err(wat);
    assert!(!err.is_malformed(), "{wat}: {err}");
    assert_eq!(err.message(), message, "{wat}");
    if let Err(e) = check(wat, ON) {
        panic!("{wat}: valid with custom descriptors, but: {e}");
    }
}

#[test]
fn off_by_default() {
    assert_eq!(Config::default().features, OFF);
    let wasm = wat::parse_str("(module (type $t (struct (field (ref null (exact $t))))))").unwrap();
    assert!(crate::validate(&wasm).is_err());
}

#[test]
fn exact_reference_types_need_the_proposal() {
    let exact = "custom descriptors required for exact reference types";
    for wat in [
        // type section: struct field, function parameter, array element
        "(module (type $t (struct (field (ref null (exact $t))))))",
        "(module (type $t (struct)) (type (func (param (ref (exact $t))))))",
        "(module (type $t (array (ref null (exact $t)))))",
        // a global, a table, a local, a block type, ref.null, a typed select, casts
        "(module (type $t (struct)) (global (ref null (exact $t)) (ref.null none)))",
        "(module (type $t (struct)) (table 1 (ref null (exact $t))))",
        "(module (type $t (struct)) (func (local (ref null (exact $t)))))",
        "(module (type $t (struct))
           (func (block (result (ref null (exact $t))) (ref.null none)) (drop)))",
        "(module (type $t (struct)) (func (drop (ref.null (exact $t)))))",
        "(module (type $t (struct))
           (func (drop (select (result (ref null (exact $t)))
             (ref.null none) (ref.null none) (i32.const 0)))))",
        "(module (type $t (struct))
           (func (param anyref) (drop (ref.test (ref null (exact $t)) (local.get 0)))))",
        "(module (type $t (struct))
           (func (param anyref) (drop (ref.cast (ref null (exact $t)) (local.get 0)))))",
        "(module (type $t (struct))
           (func (param anyref) (result anyref)
             (br_on_cast 0 anyref (ref null (exact $t)) (local.get 0))))",
        // an element segment's type
        "(module (type $f (func)) (func $g (type $f))
           (elem (ref null (exact $f)) (ref.func $g)))",
    ] {
        needs_the_proposal(wat, exact);
    }
}

#[test]
fn descriptor_clauses_and_exact_imports_need_the_proposal() {
    needs_the_proposal(
        "(module (rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct))))",
        "custom descriptors required for descriptor and describes clauses",
    );
    needs_the_proposal(
        r#"(module (type $f (func)) (import "m" "f" (func (exact (type $f)))))"#,
        "custom descriptors required for exact function imports",
    );
}

#[test]
fn descriptor_operators_need_the_proposal() {
    let wat = "(module
      (rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct)))
      (func (result anyref) (struct.new_desc $a (struct.new $b)))
      (func (result anyref) (struct.new_default_desc $a (struct.new $b)))
      (func (param (ref $a)) (result anyref) (ref.get_desc $a (local.get 0)))
      (func (param anyref (ref null $b)) (result anyref)
        (ref.cast_desc_eq (ref null $a) (local.get 0) (local.get 1)))
      (func (param anyref (ref null $b)) (result anyref)
        (br_on_cast_desc_eq 0 anyref (ref null $a) (local.get 0) (local.get 1)))
      (func (param anyref (ref null $b)) (result anyref)
        (br_on_cast_desc_eq_fail 0 anyref (ref null $a) (local.get 0) (local.get 1))))";
    check(wat, ON).unwrap();
    // Without the proposal, each operator is rejected by name, before its types are looked
    // at (these types have no descriptor, which the proposal would reject otherwise).
    for (body, name) in [
        (
            "(drop (struct.new_desc $t (ref.null none)))",
            "struct.new_desc",
        ),
        (
            "(drop (struct.new_default_desc $t (ref.null none)))",
            "struct.new_default_desc",
        ),
        ("(drop (ref.get_desc $t (ref.null none)))", "ref.get_desc"),
        (
            "(drop (ref.cast_desc_eq (ref null $t) (ref.null none) (ref.null none)))",
            "ref.cast_desc_eq",
        ),
        (
            "(drop (block (result anyref)
               (br_on_cast_desc_eq 0 anyref (ref null $t) (ref.null none) (ref.null none))))",
            "br_on_cast_desc_eq",
        ),
        (
            "(drop (block (result anyref)
               (br_on_cast_desc_eq_fail 0 anyref (ref null $t) (ref.null none) (ref.null none))))",
            "br_on_cast_desc_eq_fail",
        ),
    ] {
        let wat = format!("(module (type $t (struct)) (func {body}))");
        let err = check(&wat, OFF).expect_err(&wat);
        assert_eq!(
            err.message(),
            format!("custom descriptors required for {name}"),
            "{wat}"
        );
        let err = check(&wat, ON).expect_err(&wat);
        assert!(err.message().contains("descriptor"), "{wat}: {err}");
    }
}

/// Wasm 3.0: the target of `br_on_cast(_fail)` must be a subtype of its source. The
/// proposal: both need only be in one hierarchy.
#[test]
fn br_on_cast_needs_a_subtype_by_default_and_one_hierarchy_with_the_proposal() {
    for op in ["br_on_cast", "br_on_cast_fail"] {
        // (ref null $t) is not a subtype of (ref any): nullability differs.
        let nullable_target = format!(
            "(module (type $t (struct))
               (func (param (ref any)) (result (ref null $t))
                 (block (result (ref any)) ({op} 1 (ref any) (ref null $t) (local.get 0)))
                 (unreachable)))"
        );
        // arrayref is not a subtype of structref.
        let sibling =
            format!("(module (func (result anyref) ({op} 0 structref arrayref (unreachable))))");
        for wat in [&nullable_target, &sibling] {
            if op == "br_on_cast_fail" && wat == &nullable_target {
                continue; // the fail branch would carry (ref any) to a (ref null $t) label
            }
            let err = check(wat, OFF).expect_err(wat);
            assert_eq!(
                err.message(),
                "type mismatch: cast target is not a subtype of its source",
                "{wat}"
            );
            check(wat, ON).unwrap_or_else(|e| panic!("{wat}: {e}"));
        }
        // Different hierarchies stay invalid either way.
        let across = format!(
            "(module (func (param anyref) (result funcref)
               ({op} 0 anyref funcref (local.get 0)) (unreachable)))"
        );
        for features in [OFF, ON] {
            let err = check(&across, features).expect_err(&across);
            assert!(
                err.message().starts_with("type mismatch"),
                "{across}: {err}"
            );
        }
    }
    // A cast to a subtype is valid either way.
    let down = "(module (type $t (struct))
      (func (param anyref) (result anyref) (br_on_cast 0 anyref (ref null $t) (local.get 0))))";
    for features in [OFF, ON] {
        check(down, features).unwrap_or_else(|e| panic!("{down}: {e}"));
    }
}
