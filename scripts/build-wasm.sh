#!/usr/bin/env bash
# Builds pkg/, the npm package kube-secctx, ready for `npm pack` (run by `make wasm`).
#
#   1. cargo build --release --target wasm32-unknown-unknown --features js      (the API)
#      cargo build --release --target wasm32-wasip1 --features cli --bin kube-secctx
#        (the native command line itself, for `npx kube-secctx`: pkg/cli/kube-secctx.wasm,
#        run by bin/kube-secctx.cjs with node:wasi)
#   2. wasm-bindgen (the CLI of the same version as the `=`-pinned dependency):
#        web target    -> pkg/web/   the "browser" and "import" conditions
#        nodejs target -> pkg/node/  the "node" conditions (import and require)
#   3. wasm-opt -Oz (from the npm package binaryen, js-tests/node_modules) on each module
#   4. pkg-template/ (package.json, index.d.ts, entry points, bin, README, LICENSE) with
#      the crate's version filled in.
#
# Needs what scripts/setup-wasm.sh installs. The wasm builds use their own target dir
# (target/wasm) so they never wait on, or overwrite, other builds of the crate.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

CARGO=${CARGO:-cargo}
TARGET_DIR=${WASM_TARGET_DIR:-target/wasm}
OUT=${WASM_PKG_DIR:-pkg}
WASM_OPT=js-tests/node_modules/.bin/wasm-opt
RELEASE="$TARGET_DIR/wasm32-unknown-unknown/release"

say() { printf 'wasm: %s\n' "$*"; }
die() { printf 'wasm: error: %s\n' "$*" >&2; exit 1; }

[ -x "$WASM_OPT" ] || die "$WASM_OPT is missing: run scripts/setup-wasm.sh (make setup-wasm)"
command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen is missing: run scripts/setup-wasm.sh"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || die "cannot read the crate version from Cargo.toml"

# panic=abort: wasm32-unknown-unknown cannot unwind on stable Rust anyway; said here so
# the build does not depend on the release profile's setting. Nothing in the API panics.
#
# Inlining (issue 16, measured in Node.js 20 on this project's 2-core machine, A/B runs
# interleaved, medians; README "Budgets"): the API module keeps opt-level 3's own
# threshold (225). Against `-C llvm-args=-inline-threshold=75` (what it had before) a
# check() is 9-13% faster (1,000 generated workloads and bench-large.yaml), the module
# +60 KB raw / +21 KB gzip, and the cold start (require + first check of the nginx
# example) about 9 ms longer in a quiet run (17.5 -> 26.7 ms, median of 31 fresh
# processes; 13 ms on a loaded machine): V8 compiles each function when it is first
# called, and code inlined into a caller is compiled even where it never runs.
# Thresholds between trade the two evenly (150: 8-10% faster, about 11 ms of the 13);
# 500 adds 2-3% for another 20 KB gzip. The command's
# module (wasm32-wasip1, `npx kube-secctx`: one check per process, where the start
# counts more) keeps 75. A different allocator (talc 5.1 instead of dlmalloc) was not
# faster; see README "Budgets".
#
# WebAssembly SIMD (`+simd128`) for the API module (issue 16, after the block reader):
# the `memchr` crate's SIMD paths find the line ends, the document markers and the line
# index's breaks; a check() is 12-18% faster (Node.js 20, three alternations each on
# bench-large.yaml and 1,000 generated workloads) and the module 1.5 KB gzip smaller.
# It needs a runtime with WebAssembly SIMD (Node.js >= 16.4, so every Node.js the
# package supports; Chrome and Edge >= 91, Firefox >= 89, Safari >= 16.4). Before the
# block reader the scanner of saphyr-parser was most of a check and SIMD changed
# nothing. RUSTFLAGS only reach this target dir's builds, and each target has its own
# directory there, so the two settings never rebuild each other's dependencies.
API_RUSTFLAGS="-C target-feature=+simd128"
CLI_RUSTFLAGS="-C llvm-args=-inline-threshold=75"
build() { # FEATURES OUTPUT
    say "cargo build --release --target wasm32-unknown-unknown --no-default-features --features $1"
    CARGO_TARGET_DIR="$TARGET_DIR" CARGO_PROFILE_RELEASE_PANIC=abort \
        RUSTFLAGS="${RUSTFLAGS:-}${RUSTFLAGS:+${API_RUSTFLAGS:+ }}$API_RUSTFLAGS" \
        "$CARGO" build --release --target wasm32-unknown-unknown --lib \
        --no-default-features --features "$1"
    cp "$RELEASE/kube_secctx.wasm" "$2"
}
build js "$TARGET_DIR/kube_secctx_api.wasm"
say "cargo build --release --target wasm32-wasip1 --no-default-features --features cli --bin kube-secctx"
CARGO_TARGET_DIR="$TARGET_DIR" CARGO_PROFILE_RELEASE_PANIC=abort \
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$CLI_RUSTFLAGS" \
    "$CARGO" build --release --target wasm32-wasip1 --bin kube-secctx \
    --no-default-features --features cli
cp "$TARGET_DIR/wasm32-wasip1/release/kube-secctx.wasm" "$TARGET_DIR/kube_secctx_cli.wasm"

# Nothing to do when pkg/ was assembled from exactly these inputs (make test builds it for
# several parts: the wasm tests, the web page).
stamp=$( (cat "$TARGET_DIR/kube_secctx_api.wasm" "$TARGET_DIR/kube_secctx_cli.wasm" "$0" \
    "$WASM_OPT"; find pkg-template -type f | LC_ALL=C sort | xargs cat; \
    wasm-bindgen --version; echo "$version") | sha256sum | awk '{ print $1 }')
if [ -f "$OUT/.build-stamp" ] && [ "$(cat "$OUT/.build-stamp")" = "$stamp" ]; then
    say "$OUT/ is up to date"
    exit 0
fi

# Assembled beside, then moved into place: a reader of pkg/ never sees half a package.
FINAL=$OUT
OUT="$FINAL.tmp.$$"
rm -rf "$OUT"
mkdir -p "$OUT"
trap 'rm -rf "$OUT"' EXIT
# --experimental-reset-state-function: the entry points re-instantiate the module if a
# call ever traps (none can; see src/js/mod.rs), instead of leaving a poisoned instance.
bindgen() { # TARGET DIR NAME INPUT [FLAGS]
    say "wasm-bindgen --target $1 --out-dir $OUT/$2 --out-name $3"
    wasm-bindgen --target "$1" --out-dir "$OUT/$2" --out-name "$3" --no-typescript \
        "${@:5}" "$4"
}
bindgen web web kube_secctx "$TARGET_DIR/kube_secctx_api.wasm" --experimental-reset-state-function
bindgen nodejs node kube_secctx "$TARGET_DIR/kube_secctx_api.wasm" --experimental-reset-state-function
# Explicit module kinds whatever package.json says: .mjs for ES modules, .cjs for CommonJS.
mv "$OUT/web/kube_secctx.js" "$OUT/web/kube_secctx.mjs"
mv "$OUT/node/kube_secctx.js" "$OUT/node/kube_secctx.cjs"
mkdir -p "$OUT/cli"
cp "$TARGET_DIR/kube_secctx_cli.wasm" "$OUT/cli/kube-secctx.wasm"

optimize() { # FILE
    say "wasm-opt -Oz $1"
    "$WASM_OPT" -Oz --one-caller-inline-max-function-size 0 --strip-debug --strip-producers \
        --strip-target-features "$1" -o "$1.opt"
    mv "$1.opt" "$1"
}
# The web and nodejs targets get the same module: optimize it once when they do.
if cmp -s "$OUT/web/kube_secctx_bg.wasm" "$OUT/node/kube_secctx_bg.wasm"; then
    optimize "$OUT/web/kube_secctx_bg.wasm"
    cp "$OUT/web/kube_secctx_bg.wasm" "$OUT/node/kube_secctx_bg.wasm"
else
    optimize "$OUT/web/kube_secctx_bg.wasm"
    optimize "$OUT/node/kube_secctx_bg.wasm"
fi
optimize "$OUT/cli/kube-secctx.wasm"

say "assembling $OUT/ from pkg-template/ (version $version)"
cp -R pkg-template/. "$OUT/"
# One source of the JS/wasm boundary for both entries: an ES module and a CommonJS one.
rm "$OUT/boundary.js"
{ cat pkg-template/boundary.js; echo; echo 'export { boundary, plainOptions, plainText, unpack };'; } >"$OUT/web/boundary.mjs"
{ echo "'use strict';"; cat pkg-template/boundary.js; echo; echo 'module.exports = { boundary, plainOptions, plainText, unpack };'; } >"$OUT/node/boundary.cjs"
for f in package.json web/index.mjs node/index.cjs; do
    sed -i "s/@VERSION@/$version/g" "$OUT/$f"
done
chmod +x "$OUT/bin/kube-secctx.cjs"
if grep -rl '@VERSION@' "$OUT" >/dev/null; then
    die "a @VERSION@ placeholder is left in $OUT"
fi

size=$(stat -c %s "$OUT/web/kube_secctx_bg.wasm")
gz=$(gzip -9 -c "$OUT/web/kube_secctx_bg.wasm" | wc -c)
echo "$stamp" >"$OUT/.build-stamp"
rm -rf "$FINAL.old.$$"
[ ! -e "$FINAL" ] || mv "$FINAL" "$FINAL.old.$$"
mv "$OUT" "$FINAL"
rm -rf "$FINAL.old.$$"
say "built $FINAL/ (kube-secctx $version): web/kube_secctx_bg.wasm $size bytes, $gz bytes gzip -9"
