/* walos `pci` interface: the PCI devices granted to a driver service
 * (`--driver NAME=pci:VVVV:DDDD` on the kernel command line), their
 * registers, DMA buffers and interrupt lines (docs/abi.md, "`pci`").
 * Anything but a declared driver importing it is refused at link time.
 * Devices are numbered from 0 in bus order; a device, BAR, offset or
 * width out of range traps, naming what was wrong. */
#ifndef WALOS_PCI_H
#define WALOS_PCI_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What `pci_info` writes. */
#define WALOS_PCI_INFO_BYTES 160
#define WALOS_PCI_NO_IRQ 0xff
#define WALOS_PCI_BAR_NONE 0
#define WALOS_PCI_BAR_IO 1
#define WALOS_PCI_BAR_MEM32 2
#define WALOS_PCI_BAR_MEM64 3

typedef struct {
    uint32_t kind; /* WALOS_PCI_BAR_* */
    uint32_t reserved;
    uint64_t base; /* first port or physical address */
    uint64_t size; /* bytes (ports) */
} walos_pci_bar;

typedef struct {
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if;
    uint8_t irq; /* WALOS_PCI_NO_IRQ: none */
    uint8_t bus, slot, function;
    uint8_t reserved[5];
    walos_pci_bar bars[6];
} walos_pci_info;
_Static_assert(sizeof(walos_pci_info) == WALOS_PCI_INFO_BYTES, "the record pci_info writes");

/* How many devices are granted to the caller. */
WALOS_IMPORT(pci, count) uint32_t pci_count(void);
/* Describes device `n` at `out`: 0, EINVAL (not granted), E2BIG (`len`
 * short of WALOS_PCI_INFO_BYTES) or EFAULT. */
WALOS_IMPORT(pci, info) uint32_t pci_info(uint32_t n, walos_pci_info *out, uint32_t len);

/* Configuration space, `width` 1, 2 or 4 bytes at an aligned `offset`;
 * drivers write the command and status registers (0x04-0x07) and 0x40
 * onwards only. */
WALOS_IMPORT(pci, config_read) uint32_t pci_config_read(uint32_t n, uint32_t offset, uint32_t width);
WALOS_IMPORT(pci, config_write) void pci_config_write(uint32_t n, uint32_t offset, uint32_t width, uint32_t value);

/* A register of BAR `bar` of device `n` (ports or device memory). */
WALOS_IMPORT(pci, bar_read) uint32_t pci_bar_read(uint32_t n, uint32_t bar, uint32_t offset, uint32_t width);
WALOS_IMPORT(pci, bar_write)
void pci_bar_write(uint32_t n, uint32_t bar, uint32_t offset, uint32_t width, uint32_t value);

/* A zeroed, page-aligned, physically contiguous buffer of at least
 * `bytes` (1 to 16 MiB): its handle, or -EINVAL / -ENOMEM. */
WALOS_IMPORT(pci, dma_alloc) int32_t pci_dma_alloc(uint32_t bytes);
/* The address devices see the buffer at. */
WALOS_IMPORT(pci, dma_address) uint64_t pci_dma_address(uint32_t handle);
/* Copies between the buffer at `offset` and the caller's memory: 0, EBADF
 * (no such buffer), EINVAL (past its end) or EFAULT. */
WALOS_IMPORT(pci, dma_write) uint32_t pci_dma_write(uint32_t handle, uint32_t offset, const void *src, uint32_t len);
WALOS_IMPORT(pci, dma_read) uint32_t pci_dma_read(uint32_t handle, uint32_t offset, void *dst, uint32_t len);
/* Gives the buffer back (EBADF if none): stop the device using it first. */
WALOS_IMPORT(pci, dma_free) uint32_t pci_dma_free(uint32_t handle);

/* Parks the driver until the interrupt of one of `devices` (bit n: device
 * n) fired since it last looked; returns the devices whose did. Answer
 * the devices before waiting again: their lines stay masked until then. */
WALOS_IMPORT(pci, irq_wait) uint32_t pci_irq_wait(uint32_t devices);

#ifdef __cplusplus
}
#endif

#endif
