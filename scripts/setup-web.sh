#!/usr/bin/env bash
# Installs what the web checker needs and is missing (make setup-web; `make web`,
# `make test-web` and `make bench-web` run it). Idempotent: silent and fast when all is there.
#
#   - node and npm: Debian's nodejs and npm, when `node` is missing (web/ wants node >= 20)
#   - web/node_modules: `npm ci` from web/package-lock.json (CodeMirror 6, esbuild,
#     playwright-core, axe-core; exact versions), when missing or when the lock file changed
#   - Chromium for the end-to-end test and the bench: Debian's chromium and
#     chromium-driver, when missing (playwright-core drives it with executablePath;
#     `npx playwright install` is not used: it downloads a browser build)
SETUP_NAME=setup-web
source "$(dirname "$0")/lib.sh"

need_node 20 warn
npm_ci web esbuild/package.json playwright-core/package.json axe-core/axe.min.js
need_chromium
