"""Runs a WASI command the way `wasmtime run` does, through wasmtime's Python
package: the reference runtime of walos's differential tests.

usage: wasmtime_run.py [--env NAME=VALUE]... [--dir HOST[::GUEST]]...
                       [--invoke FUNCTION] [--trap-unknown-imports]
                       [--default-values-unknown-imports] FILE [ARGS]...

`--invoke` does what the wasmtime 50 command does (src/commands/run.rs):
`_initialize` first if exported, then FUNCTION with ARGS parsed by its
parameter types, then its results printed one a line as Rust writes them.

Exit status: the program's; 134 if it traps (as the wasmtime command).
"""

import decimal
import struct
import sys

import wasmtime

WITH_VALUE = ("--env", "--dir", "--invoke")
FLAGS = ("--trap-unknown-imports", "--default-values-unknown-imports")


def parse_arg(ty, text):
    """A command-line word as a value of `ty`, as the wasmtime command reads it."""
    if ty in (wasmtime.ValType.i32(), wasmtime.ValType.i64()):
        bits = 32 if ty == wasmtime.ValType.i32() else 64
        hex_digits = text[2:] if text[:2] in ("0x", "0X") else None
        value = int(hex_digits, 16) if hex_digits is not None else int(text, 10)
        if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
            raise ValueError(f"{text} is out of range")
        return value
    return float(text)


def rust_float(value, single):
    """`value` as Rust's `Display` writes an f32 (`single`) or f64: the
    shortest digits that read back, never an exponent."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    digits = repr(value)
    if single:
        bits = struct.pack("<f", value)
        digits = next(d for d in (f"{value:.{p}g}" for p in range(1, 10)) if struct.pack("<f", float(d)) == bits)
    text = format(decimal.Decimal(digits), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def invoke(store, instance, name, args):
    """Calls export `name` with `args` and prints its results."""
    func = instance.exports(store)[name]
    ty = func.type(store)
    values = [parse_arg(t, a) for t, a in zip(ty.params, args)]
    if len(values) < len(ty.params):
        raise wasmtime.WasmtimeError(f"not enough arguments for `{name}`")
    results = func(store, *values)
    if len(ty.results) == 1:
        results = [results]
    for t, value in zip(ty.results, results or []):
        if t == wasmtime.ValType.f32():
            print(rust_float(value, True))
        elif t == wasmtime.ValType.f64():
            print(rust_float(value, False))
        else:
            print(value)
    sys.stdout.flush()


def main(argv):
    env, dirs, function, flags = [], [], None, set()
    while argv and (argv[0] in WITH_VALUE or argv[0] in FLAGS):
        if argv[0] in FLAGS:
            flags.add(argv[0])
            argv = argv[1:]
            continue
        option, value, argv = argv[0], argv[1], argv[2:]
        if option == "--env":
            env.append(value.split("=", 1))
        elif option == "--invoke":
            function = value
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

    module = wasmtime.Module.from_file(engine, path)
    if "--trap-unknown-imports" in flags:
        linker.define_unknown_imports_as_traps(module)
    if "--default-values-unknown-imports" in flags:
        linker.define_unknown_imports_as_default_values(store, module)
    instance = linker.instantiate(store, module)
    exports = instance.exports(store)
    try:
        if "_initialize" in exports:
            exports["_initialize"](store)
        if function is not None:
            invoke(store, instance, function, argv[1:])
        else:
            exports["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code
    except (wasmtime.Trap, wasmtime.WasmtimeError) as trap:
        print(f"Error: {trap}", file=sys.stderr)
        return 134
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
