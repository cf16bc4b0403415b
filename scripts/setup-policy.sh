#!/usr/bin/env bash
# Installs what the admission policy builds and their tests need, when missing; fast and
# quiet when everything is there. Called by `make policy` / `make test-policy`.
#
#   - rustup targets wasm32-unknown-unknown (waPC and OPA modules) and wasm32-wasip1
#     (the Kubewarden WASI command);
#   - Node.js >= 18 and npm (Debian packages when missing);
#   - the npm packages of policy/package-lock.json (`npm ci`): @wapc/host,
#     @open-policy-agent/opa-wasm (the hosts the tests load the modules in), binaryen
#     (wasm-opt; Debian's binaryen is too old) and yaml.
#
# Only the package registries are used: rustup targets come with the toolchain's
# distribution server configured on the machine, npm packages from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

say() { printf 'setup-policy: %s\n' "$*"; }
die() { printf 'setup-policy: error: %s\n' "$*" >&2; exit 1; }

# --- Rust targets -------------------------------------------------------------------
installed_targets=""
if command -v rustup >/dev/null 2>&1; then
    installed_targets=$(rustup target list --installed 2>/dev/null || true)
fi
for t in wasm32-unknown-unknown wasm32-wasip1; do
    if ! grep -qx "$t" <<<"$installed_targets"; then
        sysroot=$(rustc --print sysroot 2>/dev/null || true)
        if [ -n "$sysroot" ] && [ -d "$sysroot/lib/rustlib/$t" ]; then
            continue
        fi
        command -v rustup >/dev/null 2>&1 || die "Rust target $t is missing and rustup is not available"
        say "rustup target add $t"
        rustup target add "$t"
    fi
done

# --- Node.js and npm ------------------------------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || die "node and npm are missing and apt-get is not available"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing nodejs and npm (Debian)"
    $sudo apt-get update -qq </dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm </dev/null >/dev/null
fi
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || die "Node.js >= 18 is needed (node:wasi, node:test), found $(node --version)"

# --- npm packages (pinned by policy/package-lock.json) --------------------------------
# Reinstall when node_modules is missing or older than the lock file.
stamp=policy/node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ policy/package-lock.json -nt "$stamp" ] \
    || [ ! -x policy/node_modules/.bin/wasm-opt ]; then
    say "npm ci in policy/"
    (cd policy && npm ci --no-audit --no-fund --loglevel=error </dev/null)
fi
