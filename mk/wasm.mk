# The engine in wasm32: the npm package kube-secctx (issue 3). Included by the Makefile.
#
#   make wasm         build pkg/, ready for `npm pack` (scripts/build-wasm.sh)
#   make test-wasm    clippy for wasm32; wasm-bindgen-test in Node.js and in headless
#                     Chromium; node:test on the packed tarball (ESM and require, CLI
#                     parity, corpus agreement, d.ts, bundler smoke test in Chromium)
#   make bench-wasm   print the budgets: .wasm size (gzip -9), cold start in Node.js,
#                     throughput in Node.js beside the native figure (bench-large and
#                     generated workloads), whole node processes, and the npm package
#                     beside Monokle's @monokle/validation in the same process
#   make setup-wasm   install what is missing (scripts/setup-wasm.sh)
#
# Everything runs from a clean clone: the set-up installs the wasm target, wasm-bindgen-cli
# (same version as the crate), the npm dev tools of js-tests/ and Debian's Chromium.

WASM_CARGO ?= $(or $(CARGO),cargo)
# Its own target dir: never waits on, nor overwrites, the other builds of the crate.
WASM_TARGET_DIR ?= target/wasm
WASM_PKG ?= pkg
WASM_NATIVE_BIN ?= target/debug/kube-secctx
WASM_WEBDRIVER_JSON ?= $(CURDIR)/tests/wasm/webdriver.json
# `cargo test` for wasm32 runs the test binaries with wasm-bindgen-test-runner.
WASM_TEST_ENV := CARGO_TARGET_DIR=$(WASM_TARGET_DIR) \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
WASM_TEST_ARGS := --target wasm32-unknown-unknown --no-default-features --features js --test wasm

.PHONY: setup-wasm wasm test-wasm test-wasm-rust test-wasm-node bench-wasm demo-wasm

setup-wasm:
	@bash scripts/setup-wasm.sh all

wasm:
	@bash scripts/setup-wasm.sh build
	WASM_TARGET_DIR=$(WASM_TARGET_DIR) WASM_PKG_DIR=$(WASM_PKG) CARGO=$(WASM_CARGO) bash scripts/build-wasm.sh

test-wasm: test-wasm-rust test-wasm-node
	@echo "make test-wasm: clippy (wasm32), wasm-bindgen-test (Node.js, Chromium), node:test passed"

# clippy for the wasm32 builds, then the same wasm-bindgen-test suite (tests/wasm.rs) in
# Node.js and in headless Chromium (chromedriver; root needs --no-sandbox: see
# tests/wasm/webdriver.json).
test-wasm-rust:
	@bash scripts/setup-wasm.sh all
	CARGO_TARGET_DIR=$(WASM_TARGET_DIR) $(WASM_CARGO) clippy --lib --target wasm32-unknown-unknown \
		--no-default-features --features js -- -D warnings
	CARGO_TARGET_DIR=$(WASM_TARGET_DIR) $(WASM_CARGO) clippy --lib --bin kube-secctx \
		--target wasm32-wasip1 --no-default-features --features cli -- -D warnings
	CARGO_TARGET_DIR=$(WASM_TARGET_DIR) $(WASM_CARGO) clippy $(WASM_TEST_ARGS) -- -D warnings
	$(WASM_TEST_ENV) $(WASM_CARGO) test $(WASM_TEST_ARGS)
	$(WASM_TEST_ENV) WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
		WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(WASM_WEBDRIVER_JSON) \
		$(WASM_CARGO) test $(WASM_TEST_ARGS)

# node:test suites of js-tests/ on pkg/ packed with `npm pack` and installed into a
# temporary project (removed afterwards); the native CLI is the reference.
test-wasm-node: wasm
	@bash scripts/setup-wasm.sh browser
	$(WASM_CARGO) build --bin kube-secctx
	@project=$$(node js-tests/setup-project.mjs $(WASM_PKG)); \
	trap 'rm -rf "$$project"' EXIT; \
	echo "node --test js-tests/*.test.mjs (package installed in $$project)"; \
	KUBE_SECCTX_PROJECT="$$project" KUBE_SECCTX_NATIVE="$(CURDIR)/$(WASM_NATIVE_BIN)" \
		node --test --test-concurrency=1 js-tests/*.test.mjs

# Budgets and ratios, printed (not timed tests): the native figures come from
# benches/node/native.rs, built like `make bench` builds benches, on the same files as the
# Node ones: bench-large.yaml and the generated workloads (1,000 and 10,000, written by the
# gen-workloads example into target/bench/gen/ when missing); the peer, Monokle, from
# benches/node/ (scripts/setup-wasm.sh bench).
WASM_BENCH_GEN := $(CURDIR)/target/bench/gen
WASM_BENCH_FILES := $(abspath ../shared/corpus/real/bench-large.yaml) \
	$(WASM_BENCH_GEN)/w1000.yaml $(WASM_BENCH_GEN)/w10000.yaml
bench-wasm: wasm
	@test -f ../shared/corpus/real/bench-large.yaml \
		|| { echo "bench-wasm: ../shared/corpus/real/bench-large.yaml is missing" >&2; exit 1; }
	@bash scripts/setup-wasm.sh bench
	@for n in 1000 10000; do test -f $(WASM_BENCH_GEN)/w$$n.yaml \
		|| CARGO_TARGET_DIR="$(CURDIR)/target/bench" $(WASM_CARGO) run --quiet --release \
			--example gen-workloads -- $$n $(WASM_BENCH_GEN)/w$$n.yaml || exit 1; done
	CARGO_PROFILE_RELEASE_PANIC=unwind CARGO_TARGET_DIR="$(CURDIR)/target/bench" \
		$(WASM_CARGO) bench --bench native-throughput -- $(WASM_BENCH_FILES) \
		> $(WASM_TARGET_DIR)/native-throughput.json
	node benches/node/bench.mjs --pkg $(WASM_PKG) --native $(WASM_TARGET_DIR)/native-throughput.json \
		--files "$(strip $(WASM_BENCH_FILES))"

# What a user without Rust sees: the package's command on the examples, and the JS API's
# UTF-16 positions.
demo-wasm: wasm
	@echo
	@echo " npx kube-secctx check --level baseline examples/privileged-daemonset.yaml   (the wasm module)"
	@echo
	@node $(WASM_PKG)/bin/kube-secctx.cjs check --exit-zero --level baseline examples/privileged-daemonset.yaml
	@echo
	@node scripts/wasm-demo.cjs $(WASM_PKG)

EXTRA_TEST_TARGETS += test-wasm
EXTRA_BENCH_TARGETS += bench-wasm
EXTRA_DEMO_TARGETS += demo-wasm
