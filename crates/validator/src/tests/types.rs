use rill_decoder::*;

use crate::types::Types;

fn func(params: &[ValType], results: &[ValType]) -> CompositeType {
    CompositeType {
        kind: CompositeTypeKind::Func(FuncType {
            params: params.into(),
            results: results.into(),
        }),
        describes: None,
        descriptor: None,
    }
}

fn strukt(fields: &[(ValType, bool)]) -> CompositeType {
    CompositeType {
        kind: CompositeTypeKind::Struct(
            fields
                .iter()
                .map(|&(v, mutable)| FieldType {
                    storage: StorageType::Val(v),
                    mutable,
                })
                .collect(),
        ),
        describes: None,
        descriptor: None,
    }
}

fn sub(is_final: bool, supertypes: &[u32], composite: CompositeType) -> SubType {
    SubType {
        is_final,
        supertypes: supertypes.into(),
        composite,
    }
}

fn group(types: Vec<SubType>) -> RecGroup {
    RecGroup {
        types,
        explicit: true,
    }
}

fn rref(nullable: bool, idx: u32) -> ValType {
    ValType::Ref(RefType {
        nullable,
        heap: HeapType::Concrete(idx),
    })
}

fn abs(nullable: bool, a: AbsHeapType) -> ValType {
    ValType::Ref(RefType {
        nullable,
        heap: HeapType::Abstract(a),
    })
}

/// `(rec (type (struct (field (ref null 0)))) (type (func (param (ref 1)))))` at `base`.
fn self_referential(base: u32) -> RecGroup {
    group(vec![
        sub(true, &[], strukt(&[(rref(true, base), false)])),
        sub(true, &[], func(&[rref(false, base + 1)], &[])),
    ])
}

#[test]
fn identical_rec_groups_are_equal_types() {
    let mut t = Types::new();
    t.add_rec_group(&self_referential(0), 0).unwrap();
    t.add_rec_group(&self_referential(2), 0).unwrap();
    assert_eq!(t.canon(0), t.canon(2));
    assert_eq!(t.canon(1), t.canon(3));
    assert_ne!(t.canon(0), t.canon(1));
    assert!(t.val_eq(rref(true, 0), rref(true, 2)));
}

#[test]
fn different_positions_or_groupings_are_different_types() {
    let mut t = Types::new();
    let f = || sub(true, &[], func(&[], &[]));
    // (rec (func) (func)): position 0 and 1 differ from each other and from a lone (func).
    t.add_rec_group(&group(vec![f(), f()]), 0).unwrap();
    t.add_rec_group(&group(vec![f()]), 0).unwrap();
    t.add_rec_group(&group(vec![f()]), 0).unwrap();
    assert_ne!(t.canon(0), t.canon(1));
    assert_ne!(t.canon(0), t.canon(2));
    assert_eq!(t.canon(2), t.canon(3));
}

#[test]
fn outer_references_are_canonical() {
    let mut t = Types::new();
    // 0, 1: two identical (struct); 2: func taking (ref 0); 3: func taking (ref 1).
    t.add_rec_group(&group(vec![sub(true, &[], strukt(&[]))]), 0)
        .unwrap();
    t.add_rec_group(&group(vec![sub(true, &[], strukt(&[]))]), 0)
        .unwrap();
    t.add_rec_group(
        &group(vec![sub(true, &[], func(&[rref(false, 0)], &[]))]),
        0,
    )
    .unwrap();
    t.add_rec_group(
        &group(vec![sub(true, &[], func(&[rref(false, 1)], &[]))]),
        0,
    )
    .unwrap();
    assert_eq!(t.canon(0), t.canon(1));
    assert_eq!(t.canon(2), t.canon(3));
}

#[test]
fn abstract_hierarchies() {
    use AbsHeapType::*;
    let t = Types::new();
    let yes = [
        (I31, Eq),
        (Struct, Any),
        (None, Array),
        (None, Any),
        (NoFunc, Func),
        (NoExtern, Extern),
        (NoExn, Exn),
        (Eq, Any),
    ];
    for (a, b) in yes {
        assert!(t.val_sub(abs(false, a), abs(true, b)), "{a:?} <: {b:?}");
    }
    let no = [
        (Any, Eq),
        (None, Func),
        (NoFunc, Any),
        (Func, Any),
        (Extern, Any),
        (NoExtern, None),
    ];
    for (a, b) in no {
        assert!(!t.val_sub(abs(false, a), abs(true, b)), "{a:?} !<: {b:?}");
    }
    assert!(!t.val_sub(abs(true, Any), abs(false, Any)));
    assert!(!t.val_sub(ValType::I32, ValType::I64));
}

#[test]
fn concrete_subtyping_and_declared_chains() {
    let mut t = Types::new();
    // 0: (sub (struct (field i32)))   1: (sub 0 (struct (field i32) (field i64)))
    // 2: (sub (func))                 3: (sub final 2 (func))
    t.add_rec_group(
        &group(vec![sub(false, &[], strukt(&[(ValType::I32, false)]))]),
        0,
    )
    .unwrap();
    t.add_rec_group(
        &group(vec![sub(
            false,
            &[0],
            strukt(&[(ValType::I32, false), (ValType::I64, false)]),
        )]),
        0,
    )
    .unwrap();
    t.add_rec_group(&group(vec![sub(false, &[], func(&[], &[]))]), 0)
        .unwrap();
    t.add_rec_group(&group(vec![sub(true, &[2], func(&[], &[]))]), 0)
        .unwrap();
    assert!(t.val_sub(rref(false, 1), rref(true, 0)));
    assert!(!t.val_sub(rref(false, 0), rref(true, 1)));
    assert!(t.val_sub(rref(false, 1), abs(false, AbsHeapType::Eq)));
    assert!(t.val_sub(abs(false, AbsHeapType::None), rref(false, 1)));
    assert!(!t.val_sub(abs(false, AbsHeapType::None), rref(false, 3)));
    assert!(t.val_sub(abs(false, AbsHeapType::NoFunc), rref(false, 3)));
    assert!(t.val_sub(rref(false, 3), abs(false, AbsHeapType::Func)));
    assert!(!t.val_sub(rref(false, 3), abs(false, AbsHeapType::Any)));
    // A final supertype cannot be extended.
    let err = t
        .add_rec_group(&group(vec![sub(true, &[3], func(&[], &[]))]), 7)
        .unwrap_err();
    assert!(err.message().contains("sub type"), "{err}");
    assert_eq!(err.offset(), 7);
}

#[test]
fn invalid_sub_types() {
    let check = |groups: Vec<RecGroup>, msg: &str| {
        let mut t = Types::new();
        let mut result = Ok(());
        for g in &groups {
            result = t.add_rec_group(g, 0);
            if result.is_err() {
                break;
            }
        }
        let err = result.expect_err(msg);
        assert!(err.message().contains(msg), "{err} should contain {msg}");
    };
    // Field type changes: struct (field i32) <- (field i64).
    check(
        vec![
            group(vec![sub(false, &[], strukt(&[(ValType::I32, false)]))]),
            group(vec![sub(false, &[0], strukt(&[(ValType::I64, false)]))]),
        ],
        "sub type",
    );
    // Mutable fields are invariant.
    check(
        vec![
            group(vec![sub(
                false,
                &[],
                strukt(&[(abs(true, AbsHeapType::Any), true)]),
            )]),
            group(vec![sub(
                false,
                &[0],
                strukt(&[(abs(true, AbsHeapType::None), true)]),
            )]),
        ],
        "sub type",
    );
    // Mutability must match.
    check(
        vec![
            group(vec![sub(false, &[], strukt(&[(ValType::I32, true)]))]),
            group(vec![sub(false, &[0], strukt(&[(ValType::I32, false)]))]),
        ],
        "sub type",
    );
    // Function parameters are contravariant.
    check(
        vec![
            group(vec![sub(
                false,
                &[],
                func(&[abs(true, AbsHeapType::Any)], &[]),
            )]),
            group(vec![sub(
                false,
                &[0],
                func(&[abs(true, AbsHeapType::Eq)], &[]),
            )]),
        ],
        "sub type",
    );
    // Kinds must match.
    check(
        vec![
            group(vec![sub(false, &[], strukt(&[]))]),
            group(vec![sub(false, &[0], func(&[], &[]))]),
        ],
        "sub type",
    );
    // A reference past the end of the group is unknown; a forward supertype too.
    check(
        vec![group(vec![sub(true, &[], func(&[rref(true, 1)], &[]))])],
        "unknown type",
    );
    check(
        vec![group(vec![
            sub(false, &[1], func(&[], &[])),
            sub(false, &[], func(&[], &[])),
        ])],
        "unknown type",
    );
}

#[test]
fn function_subtyping() {
    let mut t = Types::new();
    t.add_rec_group(
        &group(vec![sub(
            false,
            &[],
            func(
                &[abs(true, AbsHeapType::Eq)],
                &[abs(true, AbsHeapType::Any)],
            ),
        )]),
        0,
    )
    .unwrap();
    t.add_rec_group(
        &group(vec![sub(
            false,
            &[0],
            func(
                &[abs(true, AbsHeapType::Any)],
                &[abs(false, AbsHeapType::I31)],
            ),
        )]),
        0,
    )
    .unwrap();
    assert!(t.concrete_sub(1, 0));
    assert!(!t.concrete_sub(0, 1));
}

/// A struct type with descriptor clauses.
fn desc_struct(describes: Option<u32>, descriptor: Option<u32>) -> CompositeType {
    CompositeType {
        describes,
        descriptor,
        ..strukt(&[])
    }
}

fn add_err(t: &mut Types, g: RecGroup) -> String {
    t.add_rec_group(&g, 0).unwrap_err().to_string()
}

#[test]
fn descriptor_clauses_pair_up_within_the_rec_group() {
    let mut t = Types::new();
    // (rec (type $a (descriptor $b) (struct)) (type $b (describes $a) (struct)))
    t.add_rec_group(
        &group(vec![
            sub(true, &[], desc_struct(None, Some(1))),
            sub(true, &[], desc_struct(Some(0), None)),
        ]),
        0,
    )
    .unwrap();
    assert_eq!(t.descriptor(0), Some(1));
    assert_eq!(t.descriptor(1), None);
    // The same group again is the same types; without the clauses it is not.
    t.add_rec_group(
        &group(vec![
            sub(true, &[], desc_struct(None, Some(3))),
            sub(true, &[], desc_struct(Some(2), None)),
        ]),
        0,
    )
    .unwrap();
    t.add_rec_group(
        &group(vec![
            sub(true, &[], strukt(&[])),
            sub(true, &[], strukt(&[])),
        ]),
        0,
    )
    .unwrap();
    assert_eq!(t.canon(0), t.canon(2));
    assert_eq!(t.canon(1), t.canon(3));
    assert_ne!(t.canon(0), t.canon(4));
    assert_ne!(t.canon(1), t.canon(5));

    let mut t = Types::new();
    let outside = group(vec![sub(true, &[], desc_struct(None, Some(1)))]);
    assert!(add_err(&mut t, outside).contains("descriptor type is outside rec group"));
    let not_back = group(vec![
        sub(true, &[], desc_struct(None, Some(1))),
        sub(true, &[], strukt(&[])),
    ]);
    assert!(add_err(&mut t, not_back).contains("type is not described by its descriptor"));
    let forward = group(vec![
        sub(true, &[], desc_struct(Some(1), None)),
        sub(true, &[], desc_struct(None, Some(0))),
    ]);
    assert!(add_err(&mut t, forward).contains("forward use of described type"));
    let func_desc = group(vec![
        sub(
            true,
            &[],
            CompositeType {
                descriptor: Some(1),
                ..func(&[], &[])
            },
        ),
        sub(true, &[], desc_struct(Some(0), None)),
    ]);
    assert!(add_err(&mut t, func_desc).contains("descriptor type must be a struct"));
}

#[test]
fn subtypes_keep_their_supertypes_descriptors() {
    // (rec (type $a (sub (descriptor $b) (struct))) (type $b (sub (describes $a) (struct)))
    //      (type $c (sub $a (descriptor $d) (struct))) (type $d (sub $b (describes $c) (struct))))
    let good = group(vec![
        sub(false, &[], desc_struct(None, Some(1))),
        sub(false, &[], desc_struct(Some(0), None)),
        sub(false, &[0], desc_struct(None, Some(3))),
        sub(false, &[1], desc_struct(Some(2), None)),
    ]);
    Types::new().add_rec_group(&good, 0).unwrap();
    // $c's descriptor $d is not a subtype of $b.
    let bad = group(vec![
        sub(false, &[], desc_struct(None, Some(1))),
        sub(false, &[], desc_struct(Some(0), None)),
        sub(false, &[0], desc_struct(None, Some(3))),
        sub(false, &[], desc_struct(Some(2), None)),
    ]);
    assert!(add_err(&mut Types::new(), bad).contains("does not match"));
    // A subtype without a descriptor of a supertype with one.
    let dropped = group(vec![
        sub(false, &[], desc_struct(None, Some(1))),
        sub(false, &[], desc_struct(Some(0), None)),
        sub(false, &[0], strukt(&[])),
    ]);
    assert!(add_err(&mut Types::new(), dropped).contains("sub type 2 does not match super type 0"));
}

#[test]
fn exact_heap_types_match_only_themselves() {
    let mut t = Types::new();
    t.add_rec_group(&group(vec![sub(false, &[], strukt(&[]))]), 0)
        .unwrap();
    t.add_rec_group(&group(vec![sub(false, &[0], strukt(&[]))]), 0)
        .unwrap();
    let (c, e) = (HeapType::Concrete, HeapType::Exact);
    assert!(t.heap_sub(e(0), c(0)));
    assert!(!t.heap_sub(c(0), e(0)));
    assert!(t.heap_sub(e(1), c(0)));
    assert!(!t.heap_sub(e(1), e(0)));
    assert!(t.heap_sub(e(1), e(1)));
    assert!(t.heap_sub(HeapType::Abstract(AbsHeapType::None), e(0)));
    assert!(t.heap_sub(e(0), HeapType::Abstract(AbsHeapType::Struct)));
    assert!(!t.heap_sub(HeapType::Abstract(AbsHeapType::NoFunc), e(0)));
}

/// Fuzz finding F2 (fuzz/FINDINGS.md): a forward supertype inside a rec group made the
/// structural check walk a supertype chain that was not checked yet (a panic for an unknown
/// index, an endless loop for a cycle). Both are "unknown type" now.
#[test]
fn forward_supertypes_in_a_rec_group_are_rejected_not_followed() {
    let module = |sup: u8| {
        let mut m = b"\0asm\x01\0\0\0\x01\x1a\x02\x50\x00\x60\x00\x01\x64\x00".to_vec();
        m.extend_from_slice(b"\x4e\x02\x50\x01\x00\x60\x00\x01\x64\x02");
        m.extend_from_slice(&[0x50, 0x01, sup, 0x60, 0x00, 0x01, 0x64, 0x02]);
        m
    };
    for sup in [0x63, 0x02] {
        let err = crate::validate(&module(sup)).unwrap_err();
        assert!(err.message().contains("unknown type"), "{err}");
    }
}
