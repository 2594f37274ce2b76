/* Listing directories: every entry once with its type, `.` and `..`,
 * rewinddir, seekdir/telldir (cookies), and many entries. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the sorted names of `path` with their types; returns the count. */
static int list(const char *path) {
    DIR *dir = opendir(path);
    CHECK(dir != NULL);
    if (!dir) return 0;
    char *names[300];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && n < 300) {
        char line[300];
        const char *type = e->d_type == DT_DIR ? "dir" : e->d_type == DT_REG ? "file" : e->d_type == DT_LNK ? "link" : "?";
        snprintf(line, sizeof line, "%s %s", e->d_name, type);
        names[n++] = strdup(line);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, compare);
    for (int i = 0; i < n; i++) {
        if (n < 20) printf("  %s\n", names[i]);
        free(names[i]);
    }
    return n;
}

int main(void) {
    start();
    OK(mkdir("sub", 0755));
    int fd = open("file", O_WRONLY | O_CREAT, 0644);
    OK(fd);
    OK(close(fd));
    OK(symlink("file", "link"));
    puts("/sandbox:");
    CHECK(list(".") == 5);
    puts("sub:");
    CHECK(list("sub") == 2);

    /* Many entries, long names: more than one buffer of wasi-libc's. */
    char name[128];
    for (int i = 0; i < 150; i++) {
        snprintf(name, sizeof name, "sub/entry-with-a-rather-long-name-to-fill-the-buffer-%03d", i);
        int f = open(name, O_WRONLY | O_CREAT, 0644);
        OK(f);
        close(f);
    }
    CHECK(list("sub") == 152);

    /* telldir/seekdir come back to the same entry. */
    DIR *dir = opendir("sub");
    CHECK(dir != NULL);
    for (int i = 0; i < 70; i++) readdir(dir);
    long at = telldir(dir);
    struct dirent *e = readdir(dir);
    char there[256];
    strcpy(there, e ? e->d_name : "");
    for (int i = 0; i < 20; i++) readdir(dir);
    seekdir(dir, at);
    e = readdir(dir);
    CHECK(e != NULL && strcmp(e->d_name, there) == 0);
    rewinddir(dir);
    int again = 0;
    while (readdir(dir)) again++;
    CHECK(again == 152);
    closedir(dir);

    CHECK(opendir("file") == NULL && errno == ENOTDIR);
    CHECK(opendir("nothing") == NULL && errno == ENOENT);
    return done("fs_readdir");
}
