/* Prints the file named by its argument: what a loader's file system holds. */
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: print_file FILE\n", stderr);
        return 2;
    }
    FILE *file = fopen(argv[1], "r");
    if (!file) {
        perror(argv[1]);
        return 1;
    }
    char buf[256];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, file)) > 0) {
        fwrite(buf, 1, n, stdout);
    }
    fclose(file);
    return 0;
}
