/* walos native interfaces: shared types, result codes and import macros.
 *
 * Programs import walos interfaces as plain wasm functions: the module name
 * is the interface (`stdout`, `stdio`, `sys`), the field name the function.
 * Pointers are offsets in the program's own memory; the kernel checks every
 * one, and a bad pointer traps the program (never the kernel).
 */
#ifndef WALOS_TYPES_H
#define WALOS_TYPES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declares `ret fn args` as the function `name` of interface `iface`. */
#define WALOS_IMPORT(iface, name) __attribute__((import_module(#iface), import_name(#name)))

/* A read-only buffer: `{ptr: u32, len: u32}` in the wasm32 ABI. */
typedef struct walos_ciovec {
    const void *base;
    uint32_t len;
} walos_ciovec;

/* Builds a walos_ciovec from a string literal (without its NUL). */
#define WALOS_STR(literal) ((walos_ciovec){(literal), sizeof(literal) - 1})

/* Result of most calls: 0 on success, else a WASI errno number. */
typedef int32_t walos_res;

#define WALOS_SUCCESS 0  /* no error */
#define WALOS_EFAIL 1    /* unspecified failure */
#define WALOS_EBADF 8    /* the stream is closed or not open for this */
#define WALOS_EFAULT 21  /* bad address */
#define WALOS_EINVAL 28  /* invalid argument */
#define WALOS_EIO 29     /* I/O error */
#define WALOS_ENOSYS 52  /* function not implemented */
#define WALOS_ENOTSUP 58 /* not supported */
#define WALOS_EPIPE 64   /* the reader went away */
#define WALOS_ERANGE 68  /* result too large */

#ifdef __cplusplus
}
#endif

#endif
