#!/usr/bin/env bash
# Installs what the project needs and is missing; fast and silent when all is there.
#
#   scripts/setup.sh [PART...]     PART: rust (default) | all
#
# Each part is a function below: check first, install only what is missing, and say
# what was installed. Later issues add parts here (wasm targets, npm packages, Chromium)
# and list them in PARTS_ALL; the Makefile calls `scripts/setup.sh <part>` per target.
#
# Only the package registries (crates.io, npm, PyPI, Debian) are reachable from these
# machines: nothing here downloads a prebuilt binary or a toolchain of its own.
set -euo pipefail

cd "$(dirname "$0")/.."

# cargo lives in ~/.cargo/bin on these machines; a non-login shell may lack it on PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Debian packages: `apt-get update` at most once per run, and only when something is
# missing. Usage: need_apt COMMAND PACKAGE
APT_UPDATED=0
need_apt() {
    local cmd=$1 pkg=$2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    command -v apt-get >/dev/null 2>&1 || die "$cmd is missing and apt-get is not available: install $pkg"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        $sudo apt-get update -qq </dev/null
        APT_UPDATED=1
    fi
    say "installing $pkg (Debian)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$pkg" </dev/null >/dev/null
}

# --- rust: cargo, rustc, rustfmt, clippy; the shared corpus the tests read ----------
part_rust() {
    command -v cargo >/dev/null 2>&1 \
        || die "cargo not found: this project needs the Rust toolchain (rustup, stable >= 1.88)"
    command -v rustc >/dev/null 2>&1 || die "rustc not found"
    # rust-version in Cargo.toml: 1.88 (annotate-snippets needs it).
    local minor
    minor=$(rustc --version | sed -E 's/^rustc 1\.([0-9]+).*/\1/')
    if [ "${minor:-0}" -lt 88 ] 2>/dev/null; then
        if command -v rustup >/dev/null 2>&1; then
            say "rustc $(rustc --version) is older than 1.88: rustup update stable"
            rustup update stable
        else
            die "rustc $(rustc --version) is older than 1.88 and rustup is not available"
        fi
    fi
    need_apt make make
    need_apt cc gcc
    local have=""
    if command -v rustup >/dev/null 2>&1; then
        have=$(rustup component list --installed 2>/dev/null || true)
    fi
    for comp in rustfmt clippy; do
        local bin=$comp
        [ "$comp" = clippy ] && bin=cargo-clippy
        if ! command -v "$bin" >/dev/null 2>&1 && ! grep -q "^$comp" <<<"$have"; then
            command -v rustup >/dev/null 2>&1 || die "$comp is missing and rustup is not available"
            say "rustup component add $comp"
            rustup component add "$comp"
        fi
    done
    if [ ! -d ../shared/corpus/real ] || [ ! -d ../shared/corpus/psa ]; then
        say "warning: ../shared/corpus is missing; the corpus tests and 'make bench' need it"
    fi
}

# --- later issues: add part_wasm (rustup targets, wasm-bindgen-cli), part_web (npm
# packages from package-lock.json), part_browser (Debian chromium, chromium-driver) ---

PARTS_ALL=(rust)

main() {
    local parts=("$@")
    [ ${#parts[@]} -eq 0 ] && parts=(rust)
    for p in "${parts[@]}"; do
        if [ "$p" = all ]; then
            for q in "${PARTS_ALL[@]}"; do "part_$q"; done
        elif declare -F "part_$p" >/dev/null; then
            "part_$p"
        else
            die "unknown part '$p' (known: ${PARTS_ALL[*]} all)"
        fi
    done
}

main "$@"
