/* O_APPEND: every write goes to the end, whatever the position; setting
 * and clearing it with fcntl. */
#include <fcntl.h>
#include <sys/stat.h>

#include "check.h"

int main(void) {
    start();
    char buf[32];
    int fd = open("log", O_WRONLY | O_CREAT | O_APPEND, 0644);
    OK(fd);
    CHECK(write(fd, "one\n", 4) == 4);
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CHECK(write(fd, "two\n", 4) == 4);
    CHECK(lseek(fd, 0, SEEK_CUR) == 8);
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0);
    OK(close(fd));

    /* Another descriptor writing at its own position... */
    int plain = open("log", O_WRONLY);
    OK(plain);
    CHECK(write(plain, "ONE", 3) == 3);
    /* ...then switched to append. */
    OK(fcntl(plain, F_SETFL, O_APPEND));
    CHECK((fcntl(plain, F_GETFL) & O_APPEND) != 0);
    CHECK(write(plain, "three\n", 6) == 6);
    OK(fcntl(plain, F_SETFL, 0));
    CHECK((fcntl(plain, F_GETFL) & O_APPEND) == 0);
    CHECK(lseek(plain, 0, SEEK_SET) == 0);
    CHECK(write(plain, "o", 1) == 1);
    OK(close(plain));

    int fd2 = open("log", O_RDONLY);
    OK(fd2);
    CHECK(read(fd2, buf, sizeof buf) == 14 && memcmp(buf, "oNE\ntwo\nthree\n", 14) == 0);
    OK(close(fd2));

    /* fopen's "a" mode is O_APPEND too. */
    FILE *f = fopen("log", "a");
    CHECK(f != NULL);
    fputs("four\n", f);
    fclose(f);
    struct stat st;
    OK(stat("log", &st));
    CHECK(st.st_size == 19);
    return done("fs_append");
}
