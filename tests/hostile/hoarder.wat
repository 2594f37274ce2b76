;; A service taking iovecs (its `w` entry: `take(iovs, n)`, iovecs in)
;; whose `walos_alloc` sleeps 200 ms, then gives no block: each call fails
;; (and the service restarts), and while one sleeps the calls behind it
;; wait in its queue, each with the kernel's copy of its buffers
;; (`tests/hostile/hoarders.c`).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "walos_alloc") (param i32) (result i32)
    ;; The subscription at 0: clock (tag 0), monotonic (1), 200 ms, relative.
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 200000000))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
    (i32.const 0))
  (func (export "take") (param i32 i32) (result i32)
    (i32.const 0))
  (@custom "w" "\01\07hoarder\04take\02\04\fb"))
