# Admission policy builds (issue 5), included by the Makefile.
#
#   make policy         the four modules and their metadata in dist/policy/
#   make test-policy    clippy on the wasm targets, then the Node tests: every module
#                       loaded in a host written by others (@wapc/host, node:wasi,
#                       @open-policy-agent/opa-wasm) on the AdmissionReview fixtures and
#                       the PSA corpus (v1.37); the mutating policy (setting `mutate`) on
#                       policy/fixtures/mutate/ in the waPC and WASI builds
#   make bench-policy   validate latency per request (typical Deployment) in @wapc/host
#                       and in the OPA SDK
#   make demo-policy    a violating Deployment through the waPC and Gatekeeper builds, and
#                       the nginx example mutated by the waPC build
#   make setup-policy   rustup targets and npm packages, when missing
#
# Each module: cargo (own target dir under target/policy/, so the wasm builds never
# contend with or invalidate the native ones) -> wasm-opt (npm binaryen) ->
# policy/tools/finish.mjs (OPA ABI globals; Kubewarden metadata written to
# dist/policy/*.metadata.yml and into the io.kubewarden.metadata custom section).

CARGO ?= cargo
NODE ?= node

POLICY_DIST := dist/policy
POLICY_TARGET := $(CURDIR)/target/policy
WASM_OPT := policy/node_modules/.bin/wasm-opt
WASM_OPT_FLAGS := -O3 --strip-debug --strip-producers
POLICY_CARGO_FLAGS := --release --no-default-features
# The OPA SDKs create the memory (5 pages) and the module imports it: a 128 KiB stack
# and the static data must fit in those 5 pages; the heap grows above them.
OPA_LINK_ARGS := -C link-arg=--import-memory -C link-arg=-zstack-size=131072 \
	-C link-arg=--initial-memory=327680

RAW_WAPC := $(POLICY_TARGET)/kubewarden/wasm32-unknown-unknown/release/kube_secctx.wasm
RAW_WASI := $(POLICY_TARGET)/kubewarden/wasm32-wasip1/release/kube-secctx-policy.wasm
RAW_GATEKEEPER := $(POLICY_TARGET)/opa-gatekeeper/wasm32-unknown-unknown/release/kube_secctx.wasm
RAW_OPA := $(POLICY_TARGET)/opa-response/wasm32-unknown-unknown/release/kube_secctx.wasm

POLICY_BUILDS := kubewarden kubewarden-wasi gatekeeper opa
POLICY_WASM := $(POLICY_BUILDS:%=$(POLICY_DIST)/kube-secctx.%.wasm)
MODE_kubewarden := kubewarden-wapc
MODE_kubewarden-wasi := wasi
MODE_gatekeeper := gatekeeper
MODE_opa := opa

.PHONY: policy test-policy bench-policy demo-policy setup-policy clippy-policy policy-force
policy-force:

setup-policy:
	@scripts/setup-policy.sh

policy: $(POLICY_WASM)
	@ls -l $(POLICY_DIST)

# Cargo decides what to rebuild; when it rebuilt nothing the file keeps its mtime and
# wasm-opt is skipped.
$(RAW_WAPC): policy-force | setup-policy
	CARGO_TARGET_DIR=$(POLICY_TARGET)/kubewarden $(CARGO) build $(POLICY_CARGO_FLAGS) \
		--features kubewarden --lib --target wasm32-unknown-unknown

$(RAW_WASI): policy-force | setup-policy
	CARGO_TARGET_DIR=$(POLICY_TARGET)/kubewarden $(CARGO) build $(POLICY_CARGO_FLAGS) \
		--features kubewarden --bin kube-secctx-policy --target wasm32-wasip1

$(RAW_GATEKEEPER): policy-force | setup-policy
	CARGO_TARGET_DIR=$(POLICY_TARGET)/opa-gatekeeper $(CARGO) rustc $(POLICY_CARGO_FLAGS) \
		--features opa --lib --crate-type cdylib --target wasm32-unknown-unknown \
		-- $(OPA_LINK_ARGS)

$(RAW_OPA): policy-force | setup-policy
	CARGO_TARGET_DIR=$(POLICY_TARGET)/opa-response $(CARGO) rustc $(POLICY_CARGO_FLAGS) \
		--features opa-response-default --lib --crate-type cdylib --target wasm32-unknown-unknown \
		-- $(OPA_LINK_ARGS)

$(POLICY_TARGET)/opt/kube-secctx.kubewarden.wasm: $(RAW_WAPC)
$(POLICY_TARGET)/opt/kube-secctx.kubewarden-wasi.wasm: $(RAW_WASI)
$(POLICY_TARGET)/opt/kube-secctx.gatekeeper.wasm: $(RAW_GATEKEEPER)
$(POLICY_TARGET)/opt/kube-secctx.opa.wasm: $(RAW_OPA)
$(POLICY_TARGET)/opt/%.wasm: | setup-policy
	@mkdir -p $(@D)
	$(WASM_OPT) $(WASM_OPT_FLAGS) $(firstword $^) -o $@

$(POLICY_DIST)/kube-secctx.%.wasm: $(POLICY_TARGET)/opt/kube-secctx.%.wasm \
		policy/metadata.yml policy/tools/finish.mjs Cargo.toml
	$(NODE) policy/tools/finish.mjs --in $< --out $@ --metadata policy/metadata.yml \
		--metadata-out $(POLICY_DIST)/kube-secctx.$*.metadata.yml --mode $(MODE_$*) \
		$(if $(filter gatekeeper opa,$*),--opa-abi)

# Clippy for the policy features on their wasm targets (the native `cargo clippy
# --all-targets` of `make test` does not compile them).
clippy-policy: | setup-policy
	CARGO_TARGET_DIR=$(POLICY_TARGET)/clippy $(CARGO) clippy --no-default-features \
		--features kubewarden --lib --target wasm32-unknown-unknown -- -D warnings
	CARGO_TARGET_DIR=$(POLICY_TARGET)/clippy $(CARGO) clippy --no-default-features \
		--features kubewarden --bin kube-secctx-policy --target wasm32-wasip1 -- -D warnings
	CARGO_TARGET_DIR=$(POLICY_TARGET)/clippy $(CARGO) clippy --no-default-features \
		--features opa-response-default --lib --target wasm32-unknown-unknown -- -D warnings

# One test file at a time: each instantiates many wasm modules, and Node 20 (whose WASI
# and wasm memory reservations are large) aborted once with three files in parallel on
# a loaded 2-core machine.
test-policy: clippy-policy policy
	cd policy && $(NODE) --test --test-concurrency=1 test/

bench-policy: policy
	cd policy && $(NODE) bench.mjs

demo-policy: policy
	@cd policy && $(NODE) demo.mjs

# Wired into the top-level targets (see the Makefile).
EXTRA_TEST_TARGETS += test-policy
EXTRA_BENCH_TARGETS += bench-policy
EXTRA_DEMO_TARGETS += demo-policy
