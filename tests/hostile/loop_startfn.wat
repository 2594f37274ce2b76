;; The start function loops forever: it runs as the process's first call,
;; preempted like `_start`, so the others go on and `-k` kills it.
(module
  (func $spin (loop $forever (br $forever)))
  (start $spin)
  (func (export "_start")))
