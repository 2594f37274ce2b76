/* `ipc N`: N calls of the `text` service (srv/text), each a round trip
 * into another module's memory with a 64-byte buffer each way: the kernel
 * copies `in` into the service and its 64 bytes of `out` back. Exits 1 if
 * a reply is wrong. */
#include <stdint.h>
#include <stdlib.h>
#include <walos/types.h>

#define SIZE 64

WALOS_IMPORT(text, upper) int32_t text_upper(const char *src, uint32_t len, char *dst, uint32_t cap);

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1;
    char in[SIZE], out[SIZE];
    for (int i = 0; i < SIZE; i++) {
        in[i] = 'a' + i % 26;
    }
    for (long i = 0; i < n; i++) {
        if (text_upper(in, SIZE, out, SIZE) != SIZE || out[SIZE - 1] != 'A' + (SIZE - 1) % 26) {
            return 1;
        }
    }
    return 0;
}
