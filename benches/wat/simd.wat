;; SIMD kernels for benches/benches/simd.rs (hand-written, 128-bit SIMD).
;;
;; Memory: `a` (f32s) at 0, `b` (f32s) at 65536, bytes at 131072 (64 KiB each).
(module
  (memory (export "memory") 4)

  ;; Fills `a` and `b` with `n` floats each (a[i] = (i % 7) / 2, b[i] = (i % 5) - 1) and the
  ;; byte area with 4n bytes (byte i = i * 31 + i / 32, wrapped).
  (func (export "init") (param $n i32)
    (local $i i32)
    (loop $floats
      (f32.store (i32.shl (local.get $i) (i32.const 2))
        (f32.mul (f32.convert_i32_u (i32.rem_u (local.get $i) (i32.const 7))) (f32.const 0.5)))
      (f32.store offset=65536 (i32.shl (local.get $i) (i32.const 2))
        (f32.sub (f32.convert_i32_u (i32.rem_u (local.get $i) (i32.const 5))) (f32.const 1)))
      (br_if $floats
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $bytes
      (i32.store8 offset=131072 (local.get $i)
        (i32.add (i32.mul (local.get $i) (i32.const 31)) (i32.shr_u (local.get $i) (i32.const 5))))
      (br_if $bytes
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                  (i32.shl (local.get $n) (i32.const 2))))))

  ;; The dot product of the first `n` floats of `a` and `b` (`n` a multiple of 8): two
  ;; f32x4 accumulators, then the four lanes added.
  (func (export "dot") (param $n i32) (result f32)
    (local $i i32) (local $end i32) (local $acc0 v128) (local $acc1 v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (loop $l
      (local.set $acc0
        (f32x4.add (local.get $acc0)
          (f32x4.mul (v128.load (local.get $i)) (v128.load offset=65536 (local.get $i)))))
      (local.set $acc1
        (f32x4.add (local.get $acc1)
          (f32x4.mul (v128.load offset=16 (local.get $i)) (v128.load offset=65552 (local.get $i)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 32))) (local.get $end))))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))

  ;; How many of the first `n` bytes of the byte area (`n` a multiple of 16) equal `byte`:
  ;; i8x16.eq masks subtracted into byte counters for up to 255 blocks, then widened
  ;; pairwise into i32x4 totals.
  (func (export "count") (param $n i32) (param $byte i32) (result i32)
    (local $i i32) (local $k i32) (local $needle v128) (local $acc v128) (local $total v128)
    (local.set $needle (i8x16.splat (local.get $byte)))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (v128.const i64x2 0 0))
        (local.set $k (i32.const 255))
        (loop $inner
          (local.set $acc
            (i8x16.sub (local.get $acc)
              (i8x16.eq (v128.load offset=131072 (local.get $i)) (local.get $needle))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $inner
            (i32.and
              (i32.lt_u (local.get $i) (local.get $n))
              (i32.ne (local.tee $k (i32.sub (local.get $k) (i32.const 1))) (i32.const 0)))))
        (local.set $total
          (i32x4.add (local.get $total)
            (i32x4.extadd_pairwise_i16x8_u (i16x8.extadd_pairwise_i8x16_u (local.get $acc)))))
        (br $outer)))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $total)) (i32x4.extract_lane 1 (local.get $total)))
      (i32.add (i32x4.extract_lane 2 (local.get $total)) (i32x4.extract_lane 3 (local.get $total)))))
)
