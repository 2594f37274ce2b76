;; The start function loops forever: instantiation runs it to its budget
;; (start fuel, or ticks under epoch), then the spawn is refused.
(module
  (func $spin (loop $forever (br $forever)))
  (start $spin)
  (func (export "_start")))
