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
SETUP_NAME=setup-policy
source "$(dirname "$0")/lib.sh"

need_rust_target wasm32-unknown-unknown wasm32-wasip1
need_node 18
npm_ci policy .bin/wasm-opt
