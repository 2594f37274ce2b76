"""Runs a WASI command the way `wasmtime run` does, through wasmtime's Python
package: the reference runtime of walos's differential tests.

usage: wasmtime_run.py [--env NAME=VALUE]... [--dir HOST[::GUEST]]... FILE [ARGS]...

Exit status: the program's; 134 if it traps (as the wasmtime command).
"""

import sys

import wasmtime


def main(argv):
    env, dirs = [], []
    while argv and argv[0] in ("--env", "--dir"):
        option, value, argv = argv[0], argv[1], argv[2:]
        if option == "--env":
            env.append(value.split("=", 1))
        else:
            host, _, guest = value.partition("::")
            dirs.append((host, guest or host))
    path = argv[0]

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    config = wasmtime.WasiConfig()
    config.argv = argv
    config.env = env
    config.inherit_stdin()
    config.inherit_stdout()
    config.inherit_stderr()
    for host, guest in dirs:
        config.preopen_dir(host, guest)
    store.set_wasi(config)

    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, path))
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code
    except (wasmtime.Trap, wasmtime.WasmtimeError) as trap:
        print(f"Error: {trap}", file=sys.stderr)
        return 134
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
