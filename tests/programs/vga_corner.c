/* The C header of `vga`: reads the screen size, draws a 2x2 block over the
 * bottom-right corner (clipped to its top-left pixel, red), then asks for a
 * block larger than its buffer (EINVAL). */
#include <stdio.h>
#include <walos/vga.h>

int main(void) {
    uint32_t width = 0, height = 0;
    walos_res info = vga_info(&width, &height);
    printf("info: %d, %ux%u\n", info, width, height);
    const uint32_t block[4] = {WALOS_RGB(255, 0, 0), WALOS_TRANSPARENT, WALOS_RGB(0, 255, 0), WALOS_RGB(0, 0, 255)};
    printf("corner: %d\n", vga_put(width - 1, height - 1, block, sizeof(block), 2, 2));
    printf("too small: %d\n", vga_put(0, 0, block, sizeof(block), 3, 2) == WALOS_EINVAL);
    return 0;
}
