# The front door of the original walos, kept: every target is a thin wrapper
# around the build tool (`cargo xtask help`), so cargo alone can do it all.

ENTRY ?= sample/hello
LOADER ?= elf
LOG ?= warn
ENGINE ?= wasmi
ARGS ?=

.PHONY: all run test lint bench clean

all:
	cargo xtask build

run:
	cargo xtask run --entry $(ENTRY) --loader $(LOADER) --log $(LOG) --engine $(ENGINE) -- $(ARGS)

test:
	cargo xtask test

lint:
	cargo xtask lint

bench:
	cargo xtask bench

clean:
	cargo clean
