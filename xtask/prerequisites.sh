#!/bin/sh
# The system packages walos's build needs, by purpose: checked before
# anything is compiled, and installed when missing. The Makefile runs this
# first (cargo may not even link without it), the build tool (`cargo xtask`)
# and .ci/run run it too: this is the one list.
#
#   sh xtask/prerequisites.sh [PURPOSE]...
#
# Purposes (each also checks Rust's: rustup, cargo, and the C linker that
# links host binaries):
#   wasm       the C-to-wasm toolchain: every build of the wasm programs
#   qemu       QEMU and the OVMF firmware: the UEFI loaders (LOADER=efi-*)
#   image      xorriso for the ISO of `make package` (mtools to look inside)
#   reference  python3 with venv: the reference runtime of `make test`
#   test       all of the above, and make
#
# On Debian and Ubuntu (dpkg and apt-get), missing packages are installed
# with apt-get when root, with `sudo -n apt-get` otherwise; where neither
# can, the one command to run is printed and the status is 1. Elsewhere the
# commands the packages give are checked and the missing ones named.
#
# Only shell built-ins and the commands it checks or installs with are run,
# so that the tests can stand in for them through PATH.

me=prerequisites

# The Debian packages of a purpose.
packages() {
    case $1 in
        rust) echo gcc libc6-dev ;;
        wasm) echo clang lld wasi-libc libclang-rt-dev-wasm32 ;;
        qemu) echo qemu-system-x86 ovmf ;;
        image) echo xorriso mtools ;;
        reference) echo python3 python3-venv ;;
        make) echo make ;;
    esac
}

# The commands a purpose needs, where there is no dpkg to ask.
commands() {
    case $1 in
        rust) echo cc ;;
        wasm) echo clang wasm-ld ;;
        qemu) echo qemu-system-x86_64 ;;
        image) echo xorriso ;;
        reference) echo python3 ;;
        make) echo make ;;
    esac
}

has() {
    command -v "$1" >/dev/null 2>&1
}

purposes=rust
for purpose in "$@"; do
    case $purpose in
        wasm | qemu | image | reference) purposes="$purposes $purpose" ;;
        test) purposes="rust wasm qemu image reference make" ;;
        *)
            echo "$me: unknown purpose \`$purpose\` (they are: wasm qemu image reference test)" >&2
            exit 2
            ;;
    esac
done

# The packages among the arguments that dpkg does not have installed.
missing_packages() {
    installed=" $(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "$@" 2>/dev/null |
        while read -r status name; do
            if [ "$status" = installed ]; then printf '%s ' "$name"; fi
        done)"
    for package in "$@"; do
        case $installed in
            *" $package "*) ;;
            *) printf '%s ' "$package" ;;
        esac
    done
}

# Runs a command, shown first; its output goes to stderr with the rest of
# ours, so stdout stays the program's.
show_and_run() {
    echo "\$ $*" >&2
    "$@" >&2
}

# Installs the packages given with apt-get, or says how and exits.
install() {
    if [ "$(id -u 2>/dev/null)" = 0 ]; then
        as_root=
    elif has sudo && sudo -n true 2>/dev/null; then
        as_root="sudo -n"
    else
        echo "$me: missing packages: $*" >&2
        if has sudo; then
            echo "$me: not root, and sudo asks for a password: install them with" >&2
            echo "    sudo apt-get install $*" >&2
        else
            echo "$me: not root, and no sudo: install them as root with" >&2
            echo "    apt-get install $*" >&2
        fi
        exit 1
    fi
    echo "$me: installing the missing packages: $*" >&2
    # A fresh machine may have no package lists yet.
    if ! show_and_run $as_root apt-get update -q ||
        ! show_and_run $as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends "$@"; then
        echo "$me: apt-get could not install: $*" >&2
        exit 1
    fi
    still=$(missing_packages "$@")
    if [ -n "$still" ]; then
        # shellcheck disable=SC2086
        echo "$me: still missing after apt-get:" $still >&2
        exit 1
    fi
}

if has dpkg-query && has apt-get; then
    wanted=
    for purpose in $purposes; do wanted="$wanted $(packages "$purpose")"; done
    # Word splitting on purpose: package names have no spaces.
    # shellcheck disable=SC2086
    missing=$(missing_packages $wanted)
    # shellcheck disable=SC2086
    if [ -n "$missing" ]; then install $missing; fi
else
    missing=
    debian=
    for purpose in $purposes; do
        lacking=
        for command in $(commands "$purpose"); do
            has "$command" || lacking="$lacking $command"
        done
        if [ -n "$lacking" ]; then
            missing="$missing$lacking"
            debian="$debian $(packages "$purpose")"
        fi
    done
    if [ -n "$missing" ]; then
        echo "$me: missing commands:$missing" >&2
        echo "$me: no apt-get here: install them with the system's package manager" >&2
        echo "$me: (Debian's packages for them:$debian)" >&2
        exit 1
    fi
fi

no_rust=
for tool in rustup cargo; do has $tool || no_rust="$no_rust $tool"; done
if [ -n "$no_rust" ]; then
    echo "$me: not on PATH:$no_rust: install Rust with rustup (https://rustup.rs), then open a new shell;" >&2
    echo "$me: rust-toolchain.toml pins the toolchain and its targets, which the check installs" >&2
    exit 1
fi

# The toolchain and targets pinned in rust-toolchain.toml. rustup (1.28 on)
# no longer installs a pinned toolchain on first use, so a fresh machine
# would stop at cargo's first call: install it here, once.
here=${0%/*}
[ "$here" = "$0" ] && here=.
wanted_targets=
while IFS= read -r line; do
    case $line in
        targets*=*)
            line=${line#*[}
            line=${line%]*}
            for word in $line; do
                word=${word%,}
                word=${word#\"}
                wanted_targets="$wanted_targets ${word%\"}"
            done
            ;;
    esac
done < "$here/../rust-toolchain.toml"
sysroot=$(cd "$here/.." && rustc --print sysroot 2>/dev/null)
lacking=
if [ -z "$sysroot" ]; then
    lacking=" toolchain"
else
    for target in $wanted_targets; do
        [ -d "$sysroot/lib/rustlib/$target" ] || lacking="$lacking $target"
    done
fi
if [ -n "$lacking" ]; then
    echo "$me: rust-toolchain.toml's$lacking not installed: installing" >&2
    if ! (cd "$here/.." && show_and_run rustup toolchain install --no-self-update); then
        echo "$me: rustup could not install the pinned toolchain: run \`rustup toolchain install\` in $here/.." >&2
        exit 1
    fi
fi
