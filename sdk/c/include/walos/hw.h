/* walos `hw` interface: the keyboard, as a driver service provides it
 * (`srv/ps2kbd` on efi-os), and `x86`, for the driver services the loader
 * declares (anything else importing it is refused at link time). */
#ifndef WALOS_HW_H
#define WALOS_HW_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Key codes of `hw_key_read` beyond Unicode (see docs/abi.md). */
#define WALOS_KEY_SPECIAL 0x110000
#define WALOS_KEY_UP (WALOS_KEY_SPECIAL + 1)
#define WALOS_KEY_DOWN (WALOS_KEY_SPECIAL + 2)
#define WALOS_KEY_RIGHT (WALOS_KEY_SPECIAL + 3)
#define WALOS_KEY_LEFT (WALOS_KEY_SPECIAL + 4)
#define WALOS_KEY_HOME (WALOS_KEY_SPECIAL + 5)
#define WALOS_KEY_END (WALOS_KEY_SPECIAL + 6)
#define WALOS_KEY_DELETE (WALOS_KEY_SPECIAL + 7)
/* A raw byte 0x80-0xff from a serial line is WALOS_KEY_BYTE + byte. */
#define WALOS_KEY_BYTE (WALOS_KEY_SPECIAL + 0x100)

/* The next key, waiting for it: a Unicode scalar value or a code above;
 * negative if the driver failed. */
WALOS_IMPORT(hw, key_read) int32_t hw_key_read(void);

/* Port input and output (driver services only). */
WALOS_IMPORT(x86, io_read8) uint32_t x86_io_read8(uint32_t port);
WALOS_IMPORT(x86, io_read16) uint32_t x86_io_read16(uint32_t port);
WALOS_IMPORT(x86, io_read32) uint32_t x86_io_read32(uint32_t port);
WALOS_IMPORT(x86, io_write8) void x86_io_write8(uint32_t port, uint32_t value);
WALOS_IMPORT(x86, io_write16) void x86_io_write16(uint32_t port, uint32_t value);
WALOS_IMPORT(x86, io_write32) void x86_io_write32(uint32_t port, uint32_t value);

/* Parks the driver until one of the interrupt `lines` (bit n: IRQ n) fired
 * since it last took them; returns (and takes) the lines that fired. */
WALOS_IMPORT(x86, irq_wait) uint32_t x86_irq_wait(uint32_t lines);

#ifdef __cplusplus
}
#endif

#endif
