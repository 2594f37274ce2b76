/* walos `proc` interface: starting, waiting for, ending and listing
 * processes. See docs/abi.md, "proc".
 *
 * Unlike the I/O interfaces, a bad pointer here is WALOS_EFAULT, not a
 * trap. */
#ifndef WALOS_PROC_H
#define WALOS_PROC_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t walos_pid;

/* A status word (proc_wait, sys_exec): bits 0..7 the exit code's low 8
 * bits, WALOS_STATUS_TRAPPED or WALOS_STATUS_KILLED (what `walos run`
 * exits with); bits 8..15 how the process ended. */
#define WALOS_STATUS_TRAPPED 134 /* 128 + SIGABRT */
#define WALOS_STATUS_KILLED 137  /* 128 + SIGKILL */

#define WALOS_HOW_EXITED 0  /* proc_exit, or _start returned */
#define WALOS_HOW_TRAPPED 1 /* it trapped */
#define WALOS_HOW_KILLED 2  /* proc_kill, or Ctrl-C on the console */

/* How a status word says the process ended: WALOS_HOW_*. */
#define WALOS_HOW(status) (((status) >> 8) & 0xff)
/* The low 8 bits: the exit code, 134 or 137. */
#define WALOS_CODE(status) ((status) & 0xff)
#define WALOS_EXITED(status) (WALOS_HOW(status) == WALOS_HOW_EXITED)
#define WALOS_TRAPPED(status) (WALOS_HOW(status) == WALOS_HOW_TRAPPED)
#define WALOS_KILLED(status) (WALOS_HOW(status) == WALOS_HOW_KILLED)

#define WALOS_ETOOBIG 1  /* too many or too long arguments */
#define WALOS_ECHILD 12  /* not a child of the caller, or already waited for */
#define WALOS_ENOENT 44  /* no such module in the service store */
#define WALOS_ENOEXEC 45 /* not a valid wasm program, or it cannot be linked */
#define WALOS_EPERM 63   /* not a child of the caller */
#define WALOS_ESRCH 71   /* no such process */

/* Starts the module `name` of the service store as a child, with
 * `name` as argv[0] then `args` (one buffer each, no NUL), and exactly the
 * environment `env` ("NAME=VALUE" each). Its descriptors are the console
 * and the directories the caller was started with. */
WALOS_IMPORT(proc, spawn)
walos_res proc_spawn(const char *name, uint32_t name_len, const walos_ciovec *args, uint32_t args_count,
                     const walos_ciovec *env, uint32_t env_count, walos_pid *pid);

/* proc_spawn with the module's bytes instead of a name in the store;
 * `name` names the process. */
WALOS_IMPORT(proc, spawn_module)
walos_res proc_spawn_module(const char *name, uint32_t name_len, const void *code, uint32_t code_len,
                            const walos_ciovec *args, uint32_t args_count, const walos_ciovec *env,
                            uint32_t env_count, walos_pid *pid);

/* Waits until the child `pid` ends (the caller sleeps meanwhile) and stores
 * its status word (see WALOS_HOW, WALOS_CODE, WALOS_KILLED, ...).
 * WALOS_ECHILD if `pid` is not a child not yet waited for. */
WALOS_IMPORT(proc, wait) walos_res proc_wait(walos_pid pid, uint32_t *status);

/* Ends process `pid` (WALOS_KILLED); WALOS_ESRCH if there is no such
 * process. Killing oneself does not return. */
WALOS_IMPORT(proc, kill) walos_res proc_kill(walos_pid pid);

/* Makes `pid` (a child of the caller, or the caller) the console's
 * foreground process: Ctrl-C typed on the console kills it instead of
 * reaching a reader. 0 clears it. WALOS_EPERM for a process that is not a
 * child, WALOS_ESRCH for none. */
WALOS_IMPORT(proc, set_foreground) walos_res proc_set_foreground(walos_pid pid);

/* What proc_list says of a process. */
enum walos_proc_state {
    WALOS_PROC_RUNNING = 0, /* the caller */
    WALOS_PROC_READY = 1,   /* waiting for its turn */
    WALOS_PROC_BLOCKED = 2, /* sleeping until an event */
    WALOS_PROC_EXITED = 3,  /* ended, its status not collected yet */
};

/* One process: 64 bytes. `name` holds `name_len` bytes, no NUL. */
typedef struct walos_proc_info {
    walos_pid pid;
    walos_pid parent; /* 0: started by the loader */
    uint32_t state;   /* enum walos_proc_state */
    uint32_t name_len;
    uint64_t cpu_ns; /* CPU time used */
    char name[40];
} walos_proc_info;

_Static_assert(sizeof(walos_proc_info) == 64, "walos_proc_info is 64 bytes");

/* Fills `buf` (`buf_size` bytes) with as many records as fit, by pid, and
 * stores the number of processes in `count` (more than fit: call again
 * with a bigger buffer). */
WALOS_IMPORT(proc, list) walos_res proc_list(walos_proc_info *buf, uint32_t buf_size, uint32_t *count);

/* The names of the service store's modules, sorted, each followed by
 * '\n', as many whole names as fit in `len` bytes; `size` gets the size of
 * the whole list (more than `len`: call again with a bigger buffer). */
WALOS_IMPORT(proc, modules) walos_res proc_modules(char *buf, uint32_t len, uint32_t *size);

#ifdef __cplusplus
}
#endif

#endif
