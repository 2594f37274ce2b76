;; Tail calls: `return_call` a million deep (a stack overflow without
;; them), mutual recursion through `return_call_indirect`, printed with
;; WASI.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (type $step (func (param i64 i64) (result i64)))
  (table 2 funcref)
  (elem (i32.const 0) $even $odd)

  (func $print_u64 (param $n i64)
    (local $at i32)
    (local.set $at (i32.const 100))
    (i32.store8 (local.get $at) (i32.const 10))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.wrap_i64 (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (i32.sub (i32.const 101) (local.get $at)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; The sum 1 + ... + n, accumulated in tail position.
  (func $sum (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $sum (i64.sub (local.get $n) (i64.const 1)) (i64.add (local.get $acc) (local.get $n))))))

  ;; even(n): 1 if n is even, through the table.
  (func $even (type $step)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (return_call_indirect (type $step) (i64.sub (local.get 0) (i64.const 1)) (local.get 1) (i32.const 1)))))
  (func $odd (type $step)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (return_call_indirect (type $step) (i64.sub (local.get 0) (i64.const 1)) (local.get 1) (i32.const 0)))))

  (func (export "_start")
    (call $print_u64 (call $sum (i64.const 1000000) (i64.const 0)))
    (call $print_u64 (call $even (i64.const 1000001) (i64.const 0)))
    (call $print_u64 (call $even (i64.const 2000000) (i64.const 0)))))
