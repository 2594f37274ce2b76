;; `_start` loops forever without a system call: only a kill ends it, and
;; its slices must not starve anybody.
(module
  (func (export "_start")
    (loop $forever (br $forever))))
