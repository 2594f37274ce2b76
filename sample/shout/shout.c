/* Uses the `text` service (srv/text): the kernel loads it when this
 * program is linked and copies the buffers between the two memories. */
#include <stdint.h>
#include <walos/stdout.h>

WALOS_IMPORT(text, upper) int32_t text_upper(const char *src, uint32_t len, char *dst, uint32_t cap);
WALOS_IMPORT(text, count) int32_t text_count(const walos_ciovec *iovs, uint32_t n, int32_t byte);

static const char quiet[] = "hello from a service";

void _start(void) {
    char loud[sizeof(quiet) - 1];
    int32_t n = text_upper(quiet, sizeof(quiet) - 1, loud, sizeof(loud));
    walos_ciovec line[] = {{loud, n < 0 ? 0 : (uint32_t)n}, WALOS_STR("\n")};
    stdout_write(line, 2);
    walos_ciovec parts[] = {WALOS_STR("a service"), WALOS_STR(" sees both parts")};
    char digits[] = {'0' + (char)text_count(parts, 2, 's'), '\n'};
    walos_ciovec result[] = {WALOS_STR("s: "), {digits, 2}};
    stdout_write(result, 2);
}
