#!/usr/bin/env bash
# Installs what the project needs and is missing; fast and silent when all is there.
#
#   scripts/setup.sh [PART...]     PART: rust (default) | bench | editor | all
#
# The core's part: cargo, rustc >= 1.88, rustfmt, clippy, make, a C compiler, and the
# shared corpus beside the repository. The other parts have their own scripts
# (setup-wasm.sh, setup-web.sh, setup-policy.sh), all built on scripts/lib.sh.
SETUP_NAME=setup
source "$(dirname "$0")/lib.sh"

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
    need_command make make
    need_command cc gcc
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

# --- bench: what `make bench-budgets` measures with: GNU time, Node.js ---------------
part_bench() {
    [ -x /usr/bin/time ] || apt_install time
    need_node 18
}

# --- editor: Neovim >= 0.7 for `make test-editor` (tests/lsp_neovim.rs) -------------
part_editor() {
    need_command nvim neovim
    command -v nvim >/dev/null 2>&1 || die "nvim is missing after installing Debian's neovim"
    # `NVIM v0.7.2` on the first line; 0.7 has every LSP API tests/nvim/lsp_e2e.lua uses.
    local first version major minor
    first=$(nvim --version 2>/dev/null | head -n 1 || true)
    version=$(sed -nE 's/^NVIM v([0-9]+)\.([0-9]+).*/\1 \2/p' <<<"$first")
    read -r major minor <<<"${version:-0 0}"
    if [ "$major" -eq 0 ] && [ "$minor" -lt 7 ]; then
        die "Neovim >= 0.7 is needed for the editor test, found '${first:-no version}' ($(command -v nvim)): install a newer neovim or put one first on PATH"
    fi
}

PARTS_ALL=(rust bench editor)

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
