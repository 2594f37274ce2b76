;; A service whose start function never returns, installed as `spinner`:
;; it runs as the first step of the first call after each (re)start, in
;; slices, so the callers are answered (with -1, the call failed) and
;; everybody else goes on running.
(module
  (func $spin (loop $forever (br $forever)))
  (start $spin)
  (func (export "spin") (result i32)
    (i32.const 0)))
