# The front door of the original walos, kept: every target is a thin wrapper
# around the build tool (`cargo xtask help`), so cargo alone can do it all.

ENTRY ?= sample/hello
LOADER ?= elf
LOG ?= warn
ENGINE ?= wasmi
ARGS ?=
# VGA=1: the UEFI loaders show the screen in a window.
VGA ?=

.PHONY: all run package test lint bench clean

all:
	cargo xtask build

run:
	cargo xtask run --entry $(ENTRY) --loader $(LOADER) --log $(LOG) --engine $(ENGINE) $(if $(VGA),--vga) -- $(ARGS)

# target/walos.iso and target/walos.img; LOADER=efi-app|efi-os picks the loader.
package:
	cargo xtask package --entry $(ENTRY) $(if $(filter efi-%,$(LOADER)),--loader $(LOADER))

test:
	cargo xtask test

lint:
	cargo xtask lint

bench:
	cargo xtask bench

clean:
	cargo clean
