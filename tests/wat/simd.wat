;; SIMD and relaxed SIMD: a dot product of 1024 i32s four lanes at a time,
;; a byte shuffle, float lanes, and a relaxed swizzle with in-range
;; indices (deterministic); printed with WASI.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "SIMD works\n")

  (func $print_i64 (param $n i64)
    (local $at i32)
    (local.set $at (i32.const 40))
    (i32.store8 (local.get $at) (i32.const 10))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.wrap_i64 (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (i32.sub (i32.const 41) (local.get $at)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (local $i i32) (local $acc v128)
    ;; a[i] = i at 1024.., b[i] = 3 at 8192..
    (loop $fill
      (i32.store (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
      (i32.store (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 2))) (i32.const 3))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 1024))))
    (local.set $i (i32.const 0))
    (loop $dot
      (local.set $acc (i32x4.add (local.get $acc)
        (i32x4.mul (v128.load (i32.add (i32.const 1024) (local.get $i)))
                   (v128.load (i32.add (i32.const 8192) (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br_if $dot (i32.lt_u (local.get $i) (i32.const 4096))))
    ;; 3 * (0 + ... + 1023) = 1571328
    (call $print_i64 (i64.extend_i32_u (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
    ;; Lanes reversed by a shuffle: the low byte becomes 15.
    (call $print_i64 (i64.extend_i32_u (i8x16.extract_lane_u 0
      (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0
        (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15) (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))))
    ;; sqrt(2.25) * 4 = 6
    (call $print_i64 (i64.trunc_f64_s (f64x2.extract_lane 1
      (f64x2.mul (f64x2.sqrt (v128.const f64x2 1 2.25)) (v128.const f64x2 4 4)))))
    ;; relaxed swizzle with indices below 16 is a plain swizzle: 7
    (call $print_i64 (i64.extend_i32_u (i8x16.extract_lane_u 2
      (i8x16.relaxed_swizzle (v128.const i8x16 0 0 0 0 0 0 0 7 0 0 0 0 0 0 0 0)
                             (v128.const i8x16 0 0 7 0 0 0 0 0 0 0 0 0 0 0 0 0)))))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 11))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
