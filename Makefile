# The front door of the original walos, kept: every target is a thin wrapper
# around the build tool (`cargo xtask help`), so cargo alone can do it all.

ENTRY ?= sample/hello
LOADER ?= elf
LOG ?= warn
ARGS ?=

.PHONY: all run test lint clean

all:
	cargo xtask build

run:
	cargo xtask run --entry $(ENTRY) --loader $(LOADER) --log $(LOG) -- $(ARGS)

test:
	cargo xtask test

lint:
	cargo xtask lint

clean:
	cargo clean
