;; Sleeps a minute in one `poll_oneoff` (a clock subscription): the cheap
;; child `bomb spawn` starts again and again (one page of memory each).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; The subscription at 0: clock (tag 0), monotonic (1), 60 s, relative.
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 60000000000))
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
