/* The `text` service: upper-casing and counting bytes in the caller's
 * buffers, which the kernel copies in and out as the `w` section says. */
#include <stdint.h>
#include <walos/service.h>
#include <walos/types.h>

/* One call at a time, so one block serves every call. */
static uint8_t arena[16384];

WALOS_EXPORT(walos_alloc) void *walos_alloc(uint32_t size) {
    return size <= sizeof(arena) ? arena : 0;
}

static uint8_t upper_byte(uint8_t c) {
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Copies `src` upper-cased into `dst`; the number of bytes copied. */
WALOS_EXPORT(upper) int32_t upper(const uint8_t *src, uint32_t len, uint8_t *dst, uint32_t cap) {
    uint32_t n = len < cap ? len : cap;
    for (uint32_t i = 0; i < n; i++) {
        dst[i] = upper_byte(src[i]);
    }
    return (int32_t)n;
}

/* How many bytes equal to `byte` the buffers hold together. */
WALOS_EXPORT(count) int32_t count(const walos_ciovec *iovs, uint32_t n, int32_t byte) {
    int32_t found = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = iovs[i].base;
        for (uint32_t j = 0; j < iovs[i].len; j++) {
            found += p[j] == (uint8_t)byte;
        }
    }
    return found;
}

/* `text.upper` and `text.count`. */
WALOS_W(WALOS_W_COUNT(2)
        WALOS_W_NAME(4, "text") WALOS_W_NAME(5, "upper")
        WALOS_W_COUNT(4) WALOS_W_BYTES_IN WALOS_W_LEN WALOS_W_BYTES_OUT WALOS_W_LEN
        WALOS_W_NAME(4, "text") WALOS_W_NAME(5, "count")
        WALOS_W_COUNT(3) WALOS_W_IOVECS_IN WALOS_W_LEN WALOS_W_I32);
