/* walos `sys` interface: the kernel log and the scheduler. */
#ifndef WALOS_SYS_H
#define WALOS_SYS_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Log levels, most severe first (syslog order). */
enum walos_log_level {
    WALOS_LOG_EMERG = 0,
    WALOS_LOG_ALERT = 1,
    WALOS_LOG_CRIT = 2,
    WALOS_LOG_ERR = 3,
    WALOS_LOG_WARN = 4,
    WALOS_LOG_NOTICE = 5,
    WALOS_LOG_INFO = 6,
    WALOS_LOG_DEBUG = 7,
};

/* Logs the buffers, joined, as one line prefixed with the process name;
 * shown if the kernel's log level (`walos run --log`) lets `level` through. */
WALOS_IMPORT(sys, log) void sys_log(uint32_t level, const walos_ciovec *iovs, uint32_t count);

/* Gives the CPU to the other processes. */
WALOS_IMPORT(sys, yield) void sys_yield(void);

/* Runs the wasm module `code` as a child process called `name` (with the
 * caller's environment) and returns its status when it ends: its exit
 * code's low 8 bits, 134 if it trapped, 137 if it was killed; a negative
 * errno if it could not start (-WALOS_EFAULT, -45 not a valid program). */
WALOS_IMPORT(sys, exec)
int32_t sys_exec(const char *name, uint32_t name_len, const void *code, uint32_t code_len);

/* Copies the newest kernel log lines that fit in `buf` (`len` bytes),
 * oldest first, each ending with '\n', and stores their size in `size`.
 * The kernel keeps about 64 KiB of lines at level info or more severe,
 * whatever the console shows. WALOS_EFAULT for a bad pointer. */
WALOS_IMPORT(sys, dmesg) walos_res sys_dmesg(char *buf, uint32_t len, uint32_t *size);

/* The console shows log lines up to `level` from now on; WALOS_EINVAL
 * above WALOS_LOG_DEBUG. */
WALOS_IMPORT(sys, set_log_level) walos_res sys_set_log_level(uint32_t level);
/* Does nothing: the cost of a syscall by itself. */
WALOS_IMPORT(sys, nop) void sys_nop(void);

/* Logs a NUL-terminated string. */
static inline void walos_log(enum walos_log_level level, const char *message) {
    walos_ciovec iov = {message, (uint32_t)__builtin_strlen(message)};
    sys_log((uint32_t)level, &iov, 1);
}

#ifdef __cplusplus
}
#endif

#endif
