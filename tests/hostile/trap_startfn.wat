;; The start function traps: the spawn is refused, naming the trap.
(module
  (func $boom unreachable)
  (start $boom)
  (func (export "_start")))
