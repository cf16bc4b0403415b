# The web checker (issue 4), included by the Makefile.
#
#   make web         web/dist/: the static page, built with esbuild from web/src/, CodeMirror 6
#                    and the npm package `make wasm` builds in pkg/ (+ examples/*.yaml)
#   make serve       serves web/dist on http://127.0.0.1:$(WEB_PORT)/ (Ctrl-C stops)
#   make test-web    the end-to-end test: headless Chromium (playwright-core) on the page
#                    served on 127.0.0.1; screenshots in target/web-test/
#   make bench-web   how long a re-check of a 2,000-line manifest takes in the page
#   make demo-web    builds the page and prints how to open it
#   make setup-web   npm ci in web/, Debian's chromium when missing (scripts/setup-web.sh)

WEB_PORT ?= 8088
WEB_NODE ?= node

.PHONY: web serve test-web bench-web demo-web setup-web

setup-web:
	@scripts/setup-web.sh

web: wasm setup-web
	cd web && $(WEB_NODE) build.mjs

serve: web
	cd web && $(WEB_NODE) serve.mjs --port $(WEB_PORT)

test-web: web
	cd web && $(WEB_NODE) --test --test-reporter=spec test/unit.test.mjs test/serve.test.mjs test/e2e.test.mjs

bench-web: web
	cd web && $(WEB_NODE) bench/recheck.mjs

demo-web: web
	@cd web && $(WEB_NODE) demo.mjs --port $(WEB_PORT)

EXTRA_TEST_TARGETS += test-web
EXTRA_BENCH_TARGETS += bench-web
EXTRA_DEMO_TARGETS += demo-web
