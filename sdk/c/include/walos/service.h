/* Writing a walos service in C: exports, the `w` section, the allocator.
 *
 * A service is a module without `_start` whose exported functions other
 * modules import as `(SERVICE, FUNC)`. Buffers cross memories only as the
 * service's `w` custom section describes (docs/services.md); the kernel
 * copies them into a block the service hands out from `walos_alloc`.
 */
#ifndef WALOS_SERVICE_H
#define WALOS_SERVICE_H

#include <stdint.h>

/* Exports the function that follows as `name`. */
#define WALOS_EXPORT(name) __attribute__((export_name(#name)))

/* The `w` section, written as assembler directives (clang puts a section
 * named `.custom_section.w` into the module as the custom section `w`;
 * C data cannot go there). `vec(signdesc)`:
 *
 *     WALOS_W(WALOS_W_COUNT(1)
 *             WALOS_W_NAME(4, "text") WALOS_W_NAME(5, "upper")
 *             WALOS_W_COUNT(2) WALOS_W_BYTES_IN WALOS_W_LEN)
 */
#define WALOS_W(entries) __asm__(".section .custom_section.w,\"\",@\n" entries ".text\n")
/* A count: of entries, or of the parameters of one entry. */
#define WALOS_W_COUNT(n) ".int8 " #n "\n"
/* A name of `len` bytes. */
#define WALOS_W_NAME(len, name) ".int8 " #len "\n.ascii \"" name "\"\n"

/* Kinds of parameters, one byte each. */
#define WALOS_W_LEN ".int8 -5\n"         /* length or count of the previous buffer */
#define WALOS_W_I64 ".int8 -2\n"         /* a flat i64 */
#define WALOS_W_I32 ".int8 -1\n"         /* a flat i32 */
#define WALOS_W_BYTES_IN ".int8 2\n"     /* byte array copied in */
#define WALOS_W_IOVECS_IN ".int8 4\n"    /* const iovec array copied in */
#define WALOS_W_IOVECS_OUT ".int8 5\n"   /* mutable iovec array copied back */
#define WALOS_W_BYTES_OUT ".int8 6\n"    /* byte array copied back */
#define WALOS_W_BYTES_INOUT ".int8 7\n"  /* byte array copied in and back */

#endif
