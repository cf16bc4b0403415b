#!/usr/bin/env bash
# Installs what `make wasm`, `make test-wasm` and `make bench-wasm` need and is missing;
# quick and quiet when everything is there.
#
#   scripts/setup-wasm.sh [PART...]     PART: build (default) | browser | bench | all
#
#   build    rustup targets wasm32-unknown-unknown (the JS API) and wasm32-wasip1 (the
#            package's command); wasm-bindgen-cli at the version of the
#            `wasm-bindgen` crate in Cargo.lock (with wasm-bindgen-test-runner); Node.js
#            and npm; the dev tools of js-tests/ from its package-lock.json (binaryen's
#            wasm-opt, typescript, esbuild, playwright-core) with `npm ci`
#   browser  Debian's chromium and chromium-driver (headless Chromium for the tests)
#   bench    the peer of `make bench-wasm`: Monokle's @monokle/validation, exactly as
#            benches/node/package-lock.json pins it, with `npm ci`
#   all      build and browser
#
# Only the package registries are used (crates.io, npm, Debian): nothing downloads a
# prebuilt binary or a browser build of its own.
SETUP_NAME=setup-wasm
source "$(dirname "$0")/lib.sh"

part_build() {
    command -v cargo >/dev/null 2>&1 || die "cargo not found: this project needs the Rust toolchain"

    need_rust_target wasm32-unknown-unknown wasm32-wasip1

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

    # Node.js and npm (the machines have Node.js 20; Debian's is the fallback), and the
    # dev tools exactly as locked.
    need_node 20 warn
    npm_ci js-tests .bin/wasm-opt
}

part_browser() {
    need_chromium
}

part_bench() {
    need_node 20 warn
    npm_ci benches/node @monokle/validation/package.json yaml/package.json
}

main() {
    local parts=("$@")
    [ ${#parts[@]} -eq 0 ] && parts=(build)
    for p in "${parts[@]}"; do
        case "$p" in
            build) part_build ;;
            browser) part_browser ;;
            bench) part_bench ;;
            all) part_build; part_browser ;;
            *) die "unknown part '$p' (known: build browser bench all)" ;;
        esac
    done
}

main "$@"
