/* walos `stdout` interface: the program's output (descriptor 1). */
#ifndef WALOS_STDOUT_H
#define WALOS_STDOUT_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes `count` buffers, in order. */
WALOS_IMPORT(stdout, write) walos_res stdout_write(const walos_ciovec *iovs, uint32_t count);

/* Writes one byte. */
WALOS_IMPORT(stdout, putc) walos_res stdout_putc(int32_t c);

#ifdef __cplusplus
}
#endif

#endif
