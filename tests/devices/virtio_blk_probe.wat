;; A driver service `blk` in WAT for the efi-os device test: through the
;; `pci` interface alone it resets a legacy virtio block device (QEMU's
;; virtio-blk-pci with disable-modern=on), reads its capacity, sets up
;; queue 0 in DMA memory, reads sector 0 and waits for the interrupt.
;; `blk:run` prints, space-separated in hex: the number of devices, the
;; ids word, the BAR 0 kind, the capacity in sectors, the queue size,
;; the devices whose interrupt fired, the ISR, the used ring's index, the
;; request's status; then the first 16 bytes of sector 0 as text.
;; Legacy register offsets (virtio 0.9.5, no MSI-X): features 0, guest
;; features 4, queue PFN 8, queue size 12, queue select 14, notify 16,
;; status 18, ISR 19, device config (capacity, u64) 20.
(module
  (import "pci" "count" (func $count (result i32)))
  (import "pci" "info" (func $info (param i32 i32 i32) (result i32)))
  (import "pci" "config_read" (func $cfg (param i32 i32 i32) (result i32)))
  (import "pci" "config_write" (func $cfgw (param i32 i32 i32 i32)))
  (import "pci" "bar_read" (func $bar (param i32 i32 i32 i32) (result i32)))
  (import "pci" "bar_write" (func $barw (param i32 i32 i32 i32 i32)))
  (import "pci" "dma_alloc" (func $alloc (param i32) (result i32)))
  (import "pci" "dma_address" (func $address (param i32) (result i64)))
  (import "pci" "dma_write" (func $dmaw (param i32 i32 i32 i32) (result i32)))
  (import "pci" "dma_read" (func $dmar (param i32 i32 i32 i32) (result i32)))
  (import "pci" "irq_wait" (func $irq_wait (param i32) (result i32)))
  (import "stdout" "putc" (func $putc (param i32) (result i32)))
  (memory (export "memory") 1)

  (func $hex (param $v i32) (local $i i32) (local $d i32)
    (local.set $i (i32.const 28))
    (loop $digit
      (local.set $d (i32.and (i32.shr_u (local.get $v) (local.get $i)) (i32.const 15)))
      (drop (call $putc (i32.add (local.get $d)
        (select (i32.const 87) (i32.const 48) (i32.gt_u (local.get $d) (i32.const 9))))))
      (local.set $i (i32.sub (local.get $i) (i32.const 4)))
      (br_if $digit (i32.ge_s (local.get $i) (i32.const 0))))
    (drop (call $putc (i32.const 32))))

  ;; Legacy registers of BAR 0 of device 0.
  (func $reg (param $offset i32) (param $width i32) (result i32)
    (call $bar (i32.const 0) (i32.const 0) (local.get $offset) (local.get $width)))
  (func $set (param $offset i32) (param $width i32) (param $value i32)
    (call $barw (i32.const 0) (i32.const 0) (local.get $offset) (local.get $width) (local.get $value)))

  ;; Descriptor $n of the ring at memory 8192: address, length, flags, next.
  (func $desc (param $n i32) (param $addr i64) (param $len i32) (param $flags i32) (param $next i32)
    (local $at i32)
    (local.set $at (i32.add (i32.const 8192) (i32.mul (local.get $n) (i32.const 16))))
    (i64.store (local.get $at) (local.get $addr))
    (i32.store offset=8 (local.get $at) (local.get $len))
    (i32.store16 offset=12 (local.get $at) (local.get $flags))
    (i32.store16 offset=14 (local.get $at) (local.get $next)))

  (func (export "blk:run")
    (local $size i32) (local $used i32) (local $ring i32) (local $req i32) (local $raddr i64) (local $i i32)
    (call $hex (call $count))
    (drop (call $info (i32.const 0) (i32.const 1024) (i32.const 160)))
    (call $hex (i32.load (i32.const 1024)))
    (call $hex (i32.load (i32.const 1040)))
    ;; Bus mastering on, so that the device may do DMA.
    (call $cfgw (i32.const 0) (i32.const 4) (i32.const 2)
      (i32.or (call $cfg (i32.const 0) (i32.const 4) (i32.const 2)) (i32.const 4)))
    ;; Reset, then acknowledge and drive it, accepting no feature.
    (call $set (i32.const 18) (i32.const 1) (i32.const 0))
    (call $set (i32.const 18) (i32.const 1) (i32.const 3))
    (drop (call $reg (i32.const 0) (i32.const 4)))
    (call $set (i32.const 4) (i32.const 4) (i32.const 0))
    (call $hex (call $reg (i32.const 20) (i32.const 4)))
    ;; Queue 0: descriptors, then the available ring, then (page-aligned)
    ;; the used ring.
    (call $set (i32.const 14) (i32.const 2) (i32.const 0))
    (local.set $size (call $reg (i32.const 12) (i32.const 2)))
    (call $hex (local.get $size))
    (local.set $used (i32.and (i32.add (i32.add (i32.mul (local.get $size) (i32.const 18)) (i32.const 6))
      (i32.const 4095)) (i32.const -4096)))
    (local.set $ring (call $alloc (i32.add (local.get $used) (i32.add (i32.const 6) (i32.mul (local.get $size) (i32.const 8))))))
    (call $set (i32.const 8) (i32.const 4)
      (i32.wrap_i64 (i64.shr_u (call $address (local.get $ring)) (i64.const 12))))
    (call $set (i32.const 18) (i32.const 1) (i32.const 7))
    ;; A read of sector 0: header (type 0: in, sector 0), 512 bytes of
    ;; data, a status byte, in one buffer at 0, 512 and 1024.
    (local.set $req (call $alloc (i32.const 4096)))
    (local.set $raddr (call $address (local.get $req)))
    (call $desc (i32.const 0) (local.get $raddr) (i32.const 16) (i32.const 1) (i32.const 1))
    (call $desc (i32.const 1) (i64.add (local.get $raddr) (i64.const 512)) (i32.const 512) (i32.const 3) (i32.const 2))
    (call $desc (i32.const 2) (i64.add (local.get $raddr) (i64.const 1024)) (i32.const 1) (i32.const 2) (i32.const 0))
    (i32.store8 (i32.const 4096) (i32.const 0xff))
    (drop (call $dmaw (local.get $req) (i32.const 1024) (i32.const 4096) (i32.const 1)))
    (drop (call $dmaw (local.get $ring) (i32.const 0) (i32.const 8192) (i32.const 48)))
    ;; Available ring: flags 0, index 1, entry 0: descriptor 0.
    (i32.store (i32.const 8256) (i32.const 0x00010000))
    (i32.store16 (i32.const 8260) (i32.const 0))
    (drop (call $dmaw (local.get $ring) (i32.mul (local.get $size) (i32.const 16)) (i32.const 8256) (i32.const 6)))
    (call $set (i32.const 16) (i32.const 2) (i32.const 0))
    (call $hex (call $irq_wait (i32.const 1)))
    (call $hex (call $reg (i32.const 19) (i32.const 1)))
    (drop (call $dmar (local.get $ring) (local.get $used) (i32.const 8300) (i32.const 4)))
    (call $hex (i32.load16_u (i32.const 8302)))
    (drop (call $dmar (local.get $req) (i32.const 1024) (i32.const 8304) (i32.const 1)))
    (call $hex (i32.load8_u (i32.const 8304)))
    (drop (call $dmar (local.get $req) (i32.const 512) (i32.const 8320) (i32.const 16)))
    (loop $byte
      (drop (call $putc (i32.load8_u (i32.add (i32.const 8320) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $byte (i32.lt_u (local.get $i) (i32.const 16))))
    (drop (call $putc (i32.const 10)))))
