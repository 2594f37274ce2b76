/* walos `stdio` interface: output (descriptor 1) and input (descriptor 0). */
#ifndef WALOS_STDIO_H
#define WALOS_STDIO_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes `count` buffers, in order. */
WALOS_IMPORT(stdio, write) walos_res stdio_write(const walos_ciovec *iovs, uint32_t count);

/* Writes one byte. */
WALOS_IMPORT(stdio, putc) walos_res stdio_putc(int32_t c);

/* Reads one byte of input, waiting for it: 0-255, or -1 at end of input.
 * The process sleeps while it waits; others keep running. */
WALOS_IMPORT(stdio, getc) int32_t stdio_getc(void);

#ifdef __cplusplus
}
#endif

#endif
