/* Checksums: table-driven CRC-32 and FNV-1a over a 16 KiB buffer. Byte
 * loads, shifts, table lookups. */
#include "bench.h"

#define LENGTH 16384

static uint8_t data[LENGTH];
static uint32_t table[256];

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        table[i] = c;
    }
}

static uint32_t workload(uint32_t seed) {
    if (!table[1]) {
        make_table();
    }
    uint32_t state = seed * 2654435761u + 5;
    for (int i = 0; i < LENGTH; i += 4) {
        uint32_t r = next_random(&state);
        data[i] = (uint8_t)r;
        data[i + 1] = (uint8_t)(r >> 8);
        data[i + 2] = (uint8_t)(r >> 16);
        data[i + 3] = (uint8_t)(r >> 24);
    }
    uint32_t crc = 0xFFFFFFFFu;
    uint32_t fnv = 2166136261u;
    for (int i = 0; i < LENGTH; i++) {
        crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
        fnv = (fnv ^ data[i]) * 16777619u;
    }
    return ~crc ^ fnv;
}
