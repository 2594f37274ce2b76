/* Copies stdin to stdout as it arrives (not line-buffered), then reports on
 * stderr how many bytes it copied. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char buf[256];
    long total = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        if (write(1, buf, (size_t)n) != n) {
            perror("write");
            return 2;
        }
        total += n;
    }
    if (n < 0) {
        perror("read");
        return 1;
    }
    fprintf(stderr, "copied %ld bytes\n", total);
    return 0;
}
