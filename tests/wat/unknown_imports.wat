;; Imports nothing provides (a host helper, a WASI function that does not
;; exist), called after a line is printed: refused by default, a trap with
;; --trap-unknown-imports, zeros with --default-values-unknown-imports
;; (exit status 3).
(module
  (import "env" "helper" (func $helper (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_teleport" (func $teleport (result i64)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "before the unknown imports\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 27))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit
      (i32.add (i32.const 3) (i32.add (call $helper (i32.const 5)) (i32.wrap_i64 (call $teleport)))))))
