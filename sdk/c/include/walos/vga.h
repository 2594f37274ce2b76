/* walos `vga` interface: the screen, as a framebuffer of 32-bit pixels.
 *
 * Pixels are 0x00BBGGRR (red in the low byte); a pixel whose top byte is not
 * 0 is transparent: `vga_put` leaves the screen under it as it was.
 * On a machine without a screen a program importing `vga` does not start:
 * walos names the import and says that the machine has no framebuffer
 * (`walos run --framebuffer FILE.ppm` gives the Linux loader one). */
#ifndef WALOS_VGA_H
#define WALOS_VGA_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A pixel from its red, green and blue components (0-255). */
#define WALOS_RGB(r, g, b) \
    ((uint32_t)(uint8_t)(r) | ((uint32_t)(uint8_t)(g) << 8) | ((uint32_t)(uint8_t)(b) << 16))

/* A transparent pixel (any pixel with a nonzero top byte is). */
#define WALOS_TRANSPARENT 0xFF000000u

/* Stores the screen size in pixels. 0, or WALOS_ENOTSUP without a screen. */
WALOS_IMPORT(vga, info) walos_res vga_info(uint32_t *width, uint32_t *height);

/* Draws the `width` x `height` block of uint32_t pixels at `buf`
 * (`buf_size` bytes, rows top to bottom, no padding) with its top-left
 * corner at (x, y). What falls off the screen is dropped. 0, or
 * WALOS_EINVAL if `buf_size` is less than width * height * 4. */
WALOS_IMPORT(vga, put)
walos_res vga_put(uint32_t x, uint32_t y, const void *buf, uint32_t buf_size, uint32_t width, uint32_t height);

#ifdef __cplusplus
}
#endif

#endif
