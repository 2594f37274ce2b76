;; The program of the efi-os device test: calls the driver once.
(module
  (import "blk" "run" (func $run))
  (func (export "_start") (call $run)))
