;; The start function traps: the spawn succeeds and the process ends
;; trapped, the log naming the start function.
(module
  (func $boom unreachable)
  (start $boom)
  (func (export "_start")))
