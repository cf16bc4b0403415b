#!/usr/bin/env bash
# Installs what `make wasm`, `make test-wasm` and `make bench-wasm` need and is missing;
# quick and quiet when everything is there.
#
#   scripts/setup-wasm.sh [PART...]     PART: build (default) | browser | all
#
#   build    rustup target wasm32-unknown-unknown; wasm-bindgen-cli at the version of the
#            `wasm-bindgen` crate in Cargo.lock (with wasm-bindgen-test-runner); Node.js
#            and npm; the dev tools of js-tests/ from its package-lock.json (binaryen's
#            wasm-opt, typescript, esbuild, playwright-core) with `npm ci`
#   browser  Debian's chromium and chromium-driver (headless Chromium for the tests)
#   all      both
#
# Only the package registries are used (crates.io, npm, Debian): nothing downloads a
# prebuilt binary or a browser build of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

say() { printf 'setup-wasm: %s\n' "$*"; }
die() { printf 'setup-wasm: error: %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() { # PACKAGE...
    command -v apt-get >/dev/null 2>&1 || die "apt-get is not available: install $*"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        $sudo apt-get update -qq </dev/null
        APT_UPDATED=1
    fi
    say "installing $* (Debian)"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" </dev/null >/dev/null
}

part_build() {
    command -v cargo >/dev/null 2>&1 || die "cargo not found: this project needs the Rust toolchain"

    # The wasm target of the toolchain in use.
    if ! rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null | xargs -r test -d; then
        command -v rustup >/dev/null 2>&1 || die "the wasm32-unknown-unknown target is missing and rustup is not available"
        say "rustup target add wasm32-unknown-unknown"
        rustup target add wasm32-unknown-unknown
    fi

    # wasm-bindgen-cli: the same version as the `=`-pinned crate (Cargo.lock has it).
    local want have=""
    want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
    [ -n "$want" ] || die "cannot find the wasm-bindgen version in Cargo.lock"
    if command -v wasm-bindgen >/dev/null 2>&1; then
        have=$(wasm-bindgen --version | awk '{ print $2 }')
    fi
    if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
        say "cargo install wasm-bindgen-cli --version $want (${have:-not installed}; takes about 6 minutes)"
        # --locked fails for this crate; --no-default-features leaves out what the
        # browser test runner does not need here.
        cargo install wasm-bindgen-cli --version "$want" --no-default-features --force
    fi

    # Node.js and npm (the machines have Node.js 20; Debian's is the fallback).
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    local major
    major=$(node -p 'process.versions.node.split(".")[0]')
    [ "$major" -ge 20 ] || say "warning: Node.js $(node --version) is older than 20, which playwright-core needs"

    # The dev tools, exactly as locked; again only when the lock file changed.
    local stamp=js-tests/node_modules/.kube-secctx-lock
    local lock
    lock=$(sha256sum js-tests/package-lock.json | awk '{ print $1 }')
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock" ] || [ ! -x js-tests/node_modules/.bin/wasm-opt ]; then
        say "npm ci (js-tests/package-lock.json)"
        (cd js-tests && npm ci --no-audit --no-fund --loglevel=error)
        echo "$lock" >"$stamp"
    fi
}

part_browser() {
    local missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
}

main() {
    local parts=("$@")
    [ ${#parts[@]} -eq 0 ] && parts=(build)
    for p in "${parts[@]}"; do
        case "$p" in
            build) part_build ;;
            browser) part_browser ;;
            all) part_build; part_browser ;;
            *) die "unknown part '$p' (known: build browser all)" ;;
        esac
    done
}

main "$@"
