# The front door of the original walos, kept: every target is a thin wrapper
# around the build tool (`cargo xtask help`), so cargo alone can do it all.

ENTRY ?= sample/hello
LOADER ?= elf
LOG ?= warn
ENGINE ?= wasmi
ARGS ?=
# VGA=1: the UEFI loaders show the screen in a window.
VGA ?=

# Every target first checks the system packages it needs, and installs the
# missing ones (xtask/prerequisites.sh: apt-get as root, sudo -n otherwise,
# or the command to run): before anything is compiled, the build tool
# included. `cargo xtask` runs the same check.
PREREQUISITES = sh xtask/prerequisites.sh
# `run` compiles C to wasm for a sample, not for a wasm file on elf; the
# UEFI loaders boot in QEMU.
RUN_NEEDS = $(if $(filter efi-%,$(LOADER)),wasm qemu,$(if $(filter %.wasm %.wat,$(ENTRY)),,wasm))

.PHONY: all run package test lint bench fuzz clean

all:
	$(PREREQUISITES) wasm
	cargo xtask build

run:
	$(PREREQUISITES) $(RUN_NEEDS)
	cargo xtask run --entry $(ENTRY) --loader $(LOADER) --log $(LOG) --engine $(ENGINE) $(if $(VGA),--vga) -- $(ARGS)

# target/walos.iso and target/walos.img; LOADER=efi-app|efi-os picks the loader.
package:
	$(PREREQUISITES) wasm image
	cargo xtask package --entry $(ENTRY) $(if $(filter efi-%,$(LOADER)),--loader $(LOADER))

test:
	$(PREREQUISITES) test
	cargo xtask test

lint:
	$(PREREQUISITES)
	cargo xtask lint

bench:
	$(PREREQUISITES) wasm
	cargo xtask bench

# Every fuzz target of fuzz/ for SECONDS each (`make test` runs each 20 s).
SECONDS ?= 60
fuzz:
	$(PREREQUISITES)
	cargo xtask fuzz --seconds $(SECONDS)

clean:
	cargo clean
