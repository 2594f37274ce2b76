/* Lists the modules of the service store with proc.modules: the whole list,
 * then what a 9-byte buffer holds (whole names only); exits with the size
 * of the whole list. */
#include <stdio.h>
#include <walos/proc.h>

int main(void) {
    static char buf[4096];
    uint32_t size = 0;
    if (proc_modules(buf, sizeof buf, &size) != 0 || size > sizeof buf) return 1;
    fwrite(buf, 1, size, stdout);
    char small[9] = {0};
    if (proc_modules(small, sizeof small, &size) != 0) return 2;
    printf("[%s]\n", small);
    return (int)size;
}
