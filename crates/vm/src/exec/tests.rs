//! The dispatch itself: every handler runs, many times over, on a small native stack.
//!
//! With tail dispatch a handler whose call to the next one is not compiled into a jump grows
//! the native stack by its frame each time it runs: run a few hundred thousand times on a
//! 256 KiB stack, any such handler overflows it and the test process dies. With loop
//! dispatch (debug builds, Miri) the same code checks every handler's unsafe accesses.

use std::sync::Arc;

use rill_decoder::{FuncType, ValType};
use rill_lower::{
    AtomicOp, AtomicSite, CallSite, CompiledFunc, CopySite, Instr, MemOp, MemSite, SimdOp,
    SimdSite, SimdXOp,
};

use super::{verify, TAIL_DISPATCH};
use crate::{Extern, Module, Store, Value};

/// Iterations of each loop: enough to overflow the stack below if any handler leaks a frame.
const ITERATIONS: i32 = if cfg!(miri) { 3 } else { 200_000 };
const STACK: usize = 256 * 1024;

const MODULE: &str = r#"(module
  (type $leaf_t (func))
  (import "host" "id" (func $id (param i32) (result i32)))
  (memory 1)
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $leaf $leaf)
  (elem $e func $leaf)
  (data $d "abcd")
  (global $g (mut i64) (i64.const 0))
  (func $leaf (type $leaf_t))
  ;; Replaced by the synthetic loop below.
  (func (export "every_handler") (param i32) (result i32) (local.get 0))
  (func $count (export "return_call") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 7))
      (else (return_call $count (i32.sub (local.get 0) (i32.const 1))))))
  (type $count_t (func (param i32) (result i32)))
  (table $ct 1 funcref)
  (elem (table $ct) (i32.const 0) func $count_ind)
  (func $count_ind (export "return_call_indirect") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 8))
      (else (return_call_indirect $ct (type $count_t)
              (i32.sub (local.get 0) (i32.const 1)) (i32.const 0)))))
  (elem declare func $count_ref)
  (func $count_ref (export "return_call_ref") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 9))
      (else (return_call_ref $count_t
              (i32.sub (local.get 0) (i32.const 1)) (ref.func $count_ref)))))
  (func $host_tail (export "return_call_host") (param i32) (result i32)
    (return_call $id (local.get 0)))
)"#;

/// One instruction of each variant the ISA lists generate, reading slots 1 (7) and 2 (3),
/// writing slot 3, with memory accesses at address 0 and branches to the next instruction.
macro_rules! listed_samples {
    (
        binary32 { $($b32:ident $b32i:ident $b32f:ident = $b32o:ident,)* }
        binary64 { $($b64:ident $b64i:ident $b64f:ident = $b64o:ident,)* }
        binary_trap { $($bt:ident $btf:ident = $bto:ident,)* }
        binary_float { $($bf:ident $bff:ident = $bfo:ident,)* }
        unary { $($u:ident $uf:ident = $uo:ident,)* }
        unary_trap { $($ut:ident $utf:ident = $uto:ident,)* }
        load { $($l:ident $la:ident $lf:ident = $($lo:ident)*,)* }
        store { $($s:ident $sa:ident $sf:ident = $($so:ident)*,)* }
        br_cmp32 { $($c32:ident $c32i:ident $c32f:ident = $c32o:ident $c32oi:ident / $c32n:ident $c32ni:ident,)* }
        br_cmp64 { $($c64:ident $c64i:ident $c64f:ident = $c64o:ident $c64oi:ident / $c64n:ident $c64ni:ident,)* }
        br_cmp_float { $($cf:ident $cfn:ident $cff:ident = $cfo:ident,)* }
        fused_float { $($ff:ident $ff1:ident $ff2:ident = $ffo1:ident $ffo2:ident,)* }
    ) => {
        vec![
            $( Instr::$ff { d: 3, a: 1, b: 2, c: 1 }, )*
            $( Instr::$b32 { d: 3, a: 1, b: 2 }, Instr::$b32i { d: 3, a: 1, imm: 3 }, )*
            $( Instr::$b64 { d: 3, a: 1, b: 2 }, Instr::$b64i { d: 3, a: 1, imm: 3 }, )*
            $( Instr::$bt { d: 3, a: 1, b: 2 }, )*
            $( Instr::$bf { d: 3, a: 1, b: 2 }, )*
            $( Instr::$u { d: 3, a: 1 }, )*
            $( Instr::$ut { d: 3, a: 1 }, )*
            $( Instr::$l { d: 3, p: 5, offset: 0 }, )*
            $( Instr::$s { p: 5, v: 1, offset: 0 }, )*
            $( Instr::$la { d: 3, p: 5, q: 5, offset: 0 }, )*
            $( Instr::$sa { p: 5, q: 5, v: 1, offset: 0 }, )*
            $( Instr::$c32 { a: 1, b: 2, offset: 1 }, Instr::$c32i { a: 1, imm: 3, offset: 1 }, )*
            $( Instr::$c64 { a: 1, b: 2, offset: 1 }, Instr::$c64i { a: 1, imm: 3, offset: 1 }, )*
            $( Instr::$cf { a: 1, b: 2, offset: 1 }, Instr::$cfn { a: 1, b: 2, offset: 1 }, )*
        ]
    };
}

/// A loop running every non-terminating instruction once per iteration. Slots: 0 the
/// counter, 1 = 7, 2 = 3, 3 scratch, 4 a reference to `$leaf`, 5 = 0, 6.. call frames.
fn every_handler_loop() -> CompiledFunc {
    let leaf = 1; // function index: the import is 0
    let mut code = vec![
        Instr::Const32 { d: 1, value: 7 },
        Instr::Const32 { d: 2, value: 3 },
        Instr::Const32 { d: 5, value: 0 },
        Instr::RefFunc { d: 4, func: leaf },
    ];
    let start = code.len();
    code.extend(rill_lower::with_isa!(listed_samples));
    code.extend([
        Instr::Br { offset: 1 },
        Instr::BrIfZ { c: 1, offset: 1 },
        Instr::BrIfNz { c: 1, offset: 1 },
        Instr::BrOnNull { r: 4, offset: 1 },
        Instr::BrOnNonNull { r: 4, offset: 1 },
        Instr::BrTable { index: 5, len: 1 },
        Instr::Br { offset: 2 },
        Instr::Br { offset: 1 },
        Instr::Copy { d: 3, s: 1 },
        Instr::Const32 { d: 3, value: 1 },
        Instr::Const64 { d: 3, lo: 1, hi: 2 },
        Instr::Select {
            d: 3,
            c: 1,
            a: 1,
            b: 2,
        },
        Instr::GlobalGet { d: 3, global: 0 },
        Instr::GlobalSet { s: 1, global: 0 },
        // Two results: slots 6 and 7, free until the calls below use them.
        Instr::I64Add128 {
            d: 6,
            a_lo: 1,
            a_hi: 2,
            b_lo: 1,
            b_hi: 2,
        },
        Instr::I64Sub128 {
            d: 6,
            a_lo: 1,
            a_hi: 2,
            b_lo: 1,
            b_hi: 2,
        },
        Instr::I64MulWideS { d: 6, a: 1, b: 2 },
        Instr::I64MulWideU { d: 6, a: 1, b: 2 },
        Instr::Atomic {
            d: 3,
            p: 5,
            v: 1,
            site: 0,
        },
        Instr::AtomicFence,
        Instr::RefFunc { d: 3, func: leaf },
        Instr::RefIsNull { d: 3, a: 4 },
        Instr::RefAsNonNull { a: 4 },
        Instr::Call {
            base: 6,
            func: leaf,
        },
        Instr::Const32 { d: 6, value: 5 },
        Instr::Call { base: 6, func: 0 },
        Instr::CallIndirect {
            base: 6,
            index: 5,
            site: 0,
        },
        Instr::CallRef { base: 6, r: 4 },
        Instr::LoadAt {
            d: 3,
            p: 5,
            site: 0,
        },
        Instr::StoreAt {
            p: 5,
            v: 1,
            site: 1,
        },
        Instr::MemorySize { d: 3, memory: 0 },
        Instr::MemoryGrow {
            d: 3,
            delta: 5,
            memory: 0,
        },
        Instr::MemoryFill {
            dst: 5,
            val: 1,
            n: 5,
            memory: 0,
        },
        Instr::MemoryCopy {
            dst: 5,
            src: 5,
            n: 5,
            site: 0,
        },
        Instr::MemoryInit {
            dst: 5,
            src: 5,
            n: 5,
            site: 1,
        },
        Instr::DataDrop { segment: 0 },
        Instr::TableGet {
            d: 3,
            i: 5,
            table: 0,
        },
        Instr::TableSet {
            i: 5,
            v: 4,
            table: 0,
        },
        Instr::TableSize { d: 3, table: 0 },
        Instr::TableGrow {
            d: 3,
            init: 4,
            n: 5,
            table: 0,
        },
        Instr::TableFill {
            i: 5,
            v: 4,
            n: 5,
            table: 0,
        },
        Instr::TableCopy {
            dst: 5,
            src: 5,
            n: 5,
            site: 2,
        },
        Instr::TableInit {
            dst: 5,
            src: 5,
            n: 5,
            site: 3,
        },
        Instr::ElemDrop { segment: 1 },
        Instr::Simd {
            op: SimdOp::V128Zero,
            d: 7,
            a: 0,
            b: 0,
            c: 0,
        },
        Instr::Simd {
            op: SimdOp::I32x4Add,
            d: 7,
            a: 7,
            b: 7,
            c: 0,
        },
        Instr::SimdX {
            op: SimdXOp::V128Load,
            v: 7,
            s: 5,
            x: 0,
        },
        Instr::SimdX {
            op: SimdXOp::V128Store,
            v: 7,
            s: 5,
            x: 0,
        },
        Instr::I32SubImm { d: 0, a: 0, imm: 1 },
    ]);
    let back = start as i32 - code.len() as i32;
    code.push(Instr::BrI32NeImm {
        a: 0,
        imm: 0,
        offset: back,
    });
    code.push(Instr::Return1 { s: 3 });
    CompiledFunc {
        code: code.into_boxed_slice(),
        params: 1,
        results: 1,
        locals: 1,
        frame_size: 8,
        consts: Box::new([]),
        v128_consts: Box::new([]),
        simd_sites: Box::new([SimdSite {
            memory: 0,
            offset: 0,
            lane: 0,
        }]),
        uses_v128: true,
        metered: false,
        handlers: Box::new([]),
        call_sites: Box::new([CallSite {
            type_index: 0,
            table: 0,
        }]),
        mem_sites: Box::new([
            MemSite {
                memory: 0,
                offset: 0,
                op: MemOp::I32Load,
            },
            MemSite {
                memory: 0,
                offset: 0,
                op: MemOp::I32Store,
            },
        ]),
        copy_sites: Box::new([
            CopySite { a: 0, b: 0 },
            CopySite { a: 0, b: 0 },
            CopySite { a: 0, b: 0 },
            CopySite { a: 1, b: 0 },
        ]),
        atomic_sites: Box::new([AtomicSite {
            memory: 0,
            offset: 0,
            op: AtomicOp::Add,
            bytes: 4,
        }]),
    }
}

fn run_on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

fn setup() -> (Store, crate::Instance) {
    let mut module = Module::new(&wat::parse_str(MODULE).unwrap()).unwrap();
    // Defined function 1 is "every_handler".
    module.code[1] = Arc::new(verify(every_handler_loop()));
    let module = Arc::new(module);
    let mut store = Store::new();
    let id = store.func_new(
        FuncType {
            params: Box::new([ValType::I32]),
            results: Box::new([ValType::I32]),
        },
        |_, args, results| {
            results.copy_from_slice(args);
            Ok(())
        },
    );
    let inst = store.instantiate(&module, &[Extern::Func(id)]).unwrap();
    (store, inst)
}

fn call(store: &mut Store, inst: crate::Instance, name: &str, n: i32) -> Vec<Value> {
    let Some(Extern::Func(f)) = store.export(inst, name) else {
        panic!("no export {name}")
    };
    store.invoke(f, &[Value::I32(n)]).unwrap()
}

#[test]
fn dispatch_does_not_grow_the_stack() {
    // Which dispatch this build uses, for the record in the test output.
    println!("tail dispatch: {TAIL_DISPATCH}");
    // Compiling takes more stack than running, in debug builds.
    let (mut store, inst) = setup();
    run_on_small_stack(move || {
        // The last instruction before the counter update writes slot 3: `elem.drop` does
        // not, so slot 3 holds `table.grow`'s result: the table's size, 2.
        assert_eq!(
            call(&mut store, inst, "every_handler", ITERATIONS),
            vec![Value::I32(2)]
        );
    });
}

#[test]
fn tail_calls_do_not_grow_the_stack() {
    let (mut store, inst) = setup();
    run_on_small_stack(move || {
        for (name, result) in [
            ("return_call", 7),
            ("return_call_indirect", 8),
            ("return_call_ref", 9),
        ] {
            assert_eq!(
                call(&mut store, inst, name, ITERATIONS),
                vec![Value::I32(result)],
                "{name}"
            );
        }
        assert_eq!(
            call(&mut store, inst, "return_call_host", 42),
            vec![Value::I32(42)]
        );
    });
}

/// Throwing and catching in a loop: from a callee, with a reference rethrown, with the
/// legacy instructions, and from a host function.
const EXCEPTIONS: &str = r#"(module
  (import "host" "tag" (tag $h (param i32)))
  (import "host" "throw" (func $host_throw (param i32)))
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "exceptions") (param $n i32) (result i32)
    (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc)
        (block $c (result i32)
          (try_table (catch $e $c) (call $thrower (i32.const 1)))
          (i32.const 100))))
      (block $all
        (try_table (catch_all $all)
          (block $r (result i32 exnref)
            (try_table (catch_ref $e $r) (throw $e (i32.const 2)))
            (unreachable))
          (throw_ref)))
      try
        try
          (throw $e (i32.const 3))
        catch $e
          drop
          rethrow 0
        end
      catch_all
      end
      (local.set $acc (i32.add (local.get $acc)
        (block $hc (result i32)
          (try_table (catch $h $hc) (call $host_throw (i32.const 4)))
          (i32.const 100))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
)"#;

#[test]
fn exceptions_do_not_grow_the_stack() {
    let module = Arc::new(Module::new(&wat::parse_str(EXCEPTIONS).unwrap()).unwrap());
    let mut store = Store::new();
    let tag = store.tag_new(&[ValType::I32]);
    let throw = store.func_new(
        FuncType {
            params: Box::new([ValType::I32]),
            results: Box::new([]),
        },
        move |_, args, _| {
            Err(crate::Trap::Throw(Box::new(crate::HostException {
                tag: Some(tag),
                payload: args.to_vec(),
                origin: None,
            })))
        },
    );
    let inst = store
        .instantiate(&module, &[Extern::Tag(tag), Extern::Func(throw)])
        .unwrap();
    run_on_small_stack(move || {
        assert_eq!(
            call(&mut store, inst, "exceptions", ITERATIONS),
            vec![Value::I32(5 * ITERATIONS)]
        );
    });
}
