;; Exception handling (the exnref proposal of wasmtime 50): `throw` several
;; frames down, caught by `try_table` with `catch`, `catch_ref` then
;; `throw_ref` (a rethrow across frames), `catch_all`; cleanups on the way
;; (as C++ destructors run) print as they go. The wasmi engine refuses the
;; module, naming the proposal.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (tag $error (param i32))
  (tag $other)

  ;; Prints `len` bytes at `ptr`.
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; Prints a label (at `ptr`, `len` bytes), a space, `n` in decimal, a newline.
  (func $say (param $ptr i32) (param $len i32) (param $n i32)
    (local $at i32)
    (call $print (local.get $ptr) (local.get $len))
    (local.set $at (i32.const 200))
    (i32.store8 (local.get $at) (i32.const 10))
    (if (i32.lt_s (local.get $n) (i32.const 0))
      (then (call $print (i32.const 190) (i32.const 1)) (local.set $n (i32.sub (i32.const 0) (local.get $n)))))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (local.get $n)))
    (call $print (local.get $at) (i32.sub (i32.const 201) (local.get $at))))

  (data (i32.const 100) "caught ")        ;; 7
  (data (i32.const 110) "cleanup ")       ;; 8
  (data (i32.const 120) "rethrown ")      ;; 9
  (data (i32.const 130) "catch_all ")     ;; 10
  (data (i32.const 142) "not thrown ")    ;; 11
  (data (i32.const 190) "-")

  ;; Throws $error(code) when depth reaches 0, recursing down otherwise.
  (func $dive (param $depth i32) (param $code i32)
    (if (i32.eqz (local.get $depth))
      (then (throw $error (local.get $code))))
    (call $dive (i32.sub (local.get $depth) (i32.const 1)) (local.get $code)))

  ;; A frame with a cleanup: catches everything by reference, prints
  ;; "cleanup <depth>" and rethrows the same exception.
  (func $guarded (param $depth i32) (param $code i32)
    (block $unwind (result exnref)
      (try_table (catch_all_ref $unwind)
        (call $dive (local.get $depth) (local.get $code)))
      (return))
    (call $say (i32.const 110) (i32.const 8) (local.get $depth))
    (throw_ref))

  (func $catch_code (param $depth i32) (param $code i32) (result i32)
    (block $caught (result i32)
      (try_table (catch $error $caught)
        (call $guarded (local.get $depth) (local.get $code)))
      (i32.const -1)))

  (func (export "_start")
    (local $exn exnref)
    ;; Thrown ten frames down, through a cleanup.
    (call $say (i32.const 100) (i32.const 7) (call $catch_code (i32.const 10) (i32.const 42)))
    (call $say (i32.const 100) (i32.const 7) (call $catch_code (i32.const 0) (i32.const -7)))
    ;; Nothing thrown: the block's value.
    (call $say (i32.const 142) (i32.const 11)
      (block $caught (result i32)
        (try_table (catch $error $caught) (nop))
        (i32.const 5)))
    ;; catch_ref, then throw_ref from another function caught again.
    (call $say (i32.const 120) (i32.const 9)
      (block $outer (result i32)
        (try_table (catch $error $outer)
          (local.set $exn
            (block $inner (result i32 exnref)
              (try_table (catch_ref $error $inner) (call $dive (i32.const 3) (i32.const 99)))
              (unreachable)))
          (drop)
          (throw_ref (local.get $exn)))
        (i32.const -1)))
    ;; catch_all for a tag without values.
    (call $say (i32.const 130) (i32.const 10)
      (block $any
        (try_table (catch_all $any) (throw $other))
        (unreachable))
      (i32.const 1))))
