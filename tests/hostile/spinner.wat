;; A service whose only function never returns: `spin` loops without a
;; system call. Its callers must be answered (with -1, the call failed)
;; and everybody else must go on running.
(module
  (func (export "spin") (result i32)
    (loop $forever (br $forever))
    (i32.const 0)))
