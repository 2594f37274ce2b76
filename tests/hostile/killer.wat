;; Kills every process from pid 1 up to 64, services and the honest program
;; included, then itself: `proc.kill` has no permission check (any program
;; may end any process, as the shell's `kill` does), so this is what a
;; hostile program can do to the others, and the kernel must hold.
(module
  (import "proc" "kill" (func $kill (param i32) (result i32)))
  (func (export "_start")
    (local $pid i32)
    (local.set $pid (i32.const 1))
    (loop $next
      (drop (call $kill (local.get $pid)))
      (local.set $pid (i32.add (local.get $pid) (i32.const 1)))
      (br_if $next (i32.le_u (local.get $pid) (i32.const 64))))))
