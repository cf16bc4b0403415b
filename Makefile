# kube-secctx — the two commands a newcomer runs:
#
#   make demo    install what is missing, build, check the manifests in examples/
#   make test    install what is missing, run every check and test (CI runs this)
#
# Also: make build, make bench (every speed and size figure, each beside its peer),
# make setup, make clean; and the parts' own targets in mk/*.mk: make wasm (the npm
# package), make web / make serve (the web checker), make policy (the admission policies).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# cargo lives in ~/.cargo/bin on these machines; a non-login shell may lack it on PATH.
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)
# Plain, stable output from the tools in logs (CI has no terminal anyway).
export CARGO_TERM_PROGRESS_WHEN := never

CARGO ?= cargo
BIN := target/release/kube-secctx
EXAMPLES := examples
BENCH_TARGET := $(CURDIR)/target/bench

# `make fuzz` runs each fuzz target this long; `make test` runs each for a fixed number
# of runs with a fixed seed (repeatable), as a smoke test.
FUZZ_SECONDS ?= 60

.PHONY: help setup build demo test bench bench-gen bench-budgets fuzz clean

# Each part beyond the core (wasm/npm, web page, admission policies) keeps its targets in
# mk/<part>.mk and adds them to EXTRA_TEST_TARGETS, EXTRA_BENCH_TARGETS and
# EXTRA_DEMO_TARGETS, which `make test`, `make bench` and `make demo` run after the core's.
EXTRA_TEST_TARGETS :=
EXTRA_BENCH_TARGETS :=
EXTRA_DEMO_TARGETS :=
-include $(wildcard mk/*.mk)

help:
	@echo "make demo    build and check the manifests in $(EXAMPLES)/ (the main job)"
	@echo "make test    fmt, clippy, every test and the doc tests (what CI runs)"
	@echo "make bench   speed and size figures, each beside its peer"
	@echo "make build   release build of the kube-secctx binary ($(BIN))"
	@echo "make fuzz    the fuzz targets, FUZZ_SECONDS each (nightly)"
	@echo "make setup   install what is missing (scripts/setup.sh)"

setup:
	@scripts/setup.sh rust

build: setup
	$(CARGO) build --release --bin kube-secctx

# The main job: what a user sees. --exit-zero because findings are the point here.
demo: build
	@echo
	@echo "================================================================================"
	@echo " kube-secctx check $(EXAMPLES)/"
	@echo " default profile: Pod Security Standards 'restricted' + hardening rules"
	@echo "================================================================================"
	@echo
	@$(BIN) check --exit-zero $(EXAMPLES)/
	@echo
	@echo "================================================================================"
	@echo " kube-secctx check --level baseline $(EXAMPLES)/nginx-deployment.yaml"
	@echo " PSS 'baseline' alone: the nginx Deployment from the Kubernetes docs passes"
	@echo "================================================================================"
	@echo
	@$(BIN) check --exit-zero --level baseline $(EXAMPLES)/nginx-deployment.yaml
	@echo
	@echo "================================================================================"
	@echo " kube-secctx check --level baseline $(EXAMPLES)/privileged-daemonset.yaml"
	@echo " what Pod Security Admission would reject in a 'baseline' namespace"
	@echo "================================================================================"
	@echo
	@$(BIN) check --exit-zero --level baseline $(EXAMPLES)/privileged-daemonset.yaml
	@echo
	@echo "================================================================================"
	@echo " kube-secctx check $(EXAMPLES)/restricted-deployment.yaml"
	@echo " passes PSS restricted and every hardening rule: exit code 0"
	@echo "================================================================================"
	@echo
	@$(BIN) check $(EXAMPLES)/restricted-deployment.yaml && echo "(exit code $$?)"
	@echo
	@echo "================================================================================"
	@echo " kube-secctx check --diff $(EXAMPLES)/nginx-deployment.yaml"
	@echo " what --fix would change: the safe fixes, comments and layout kept (nothing written)"
	@echo "================================================================================"
	@echo
	@$(BIN) check --diff --exit-zero $(EXAMPLES)/nginx-deployment.yaml
	@echo
	@echo "Next: '$(BIN) check --fix [--unsafe-fixes] PATH', '$(BIN) check --format json|sarif PATH',"
	@echo "      '$(BIN) rules', '$(BIN) explain RULE'."
	@for t in $(EXTRA_DEMO_TARGETS); do $(MAKE) --no-print-directory $$t; done

# In order, stopping at the first failure. `cargo test --all-targets` runs the unit and
# integration tests (PSA conformance, rules, positions, real corpus, examples) and runs
# the bench once as a smoke test; cargo prints a `test result:` line per test binary.
test: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) test --all-targets
	$(CARGO) test --doc
	@scripts/fuzz.sh --smoke
	@for t in $(EXTRA_TEST_TARGETS); do $(MAKE) --no-print-directory $$t; done
	@echo "make test: fmt, clippy, tests, doc tests and fuzz smoke runs passed"

# The bench builds in its own target dir, which leaves the release binary of `make demo`
# untouched. Later parts (mk/*.mk) add their benches to EXTRA_BENCH_TARGETS.
# benches/check/: the native engine beside its peers, in process and as whole processes
# of the kube-secctx cargo builds beside it (target/bench/release/), peak memory by GNU
# time (scripts/setup.sh bench), on bench-large.yaml and the generated workloads below.
bench: setup bench-gen
	@test -f ../shared/corpus/real/bench-large.yaml \
		|| { echo "bench: ../shared/corpus/real/bench-large.yaml is missing" >&2; exit 1; }
	@scripts/setup.sh bench
	CARGO_TARGET_DIR="$(BENCH_TARGET)" $(CARGO) bench --bench check
	CARGO_TARGET_DIR="$(BENCH_TARGET)" $(CARGO) bench --bench lsp
	@$(MAKE) --no-print-directory bench-budgets
	@for t in $(EXTRA_BENCH_TARGETS); do $(MAKE) --no-print-directory $$t; done

# The generated workloads (benches/common/workloads.rs) the benches read from disk:
# 1,000 and 10,000 in one file each, and the 10,000 over 40 files; written again only
# when the generator changes.
BENCH_GEN := $(BENCH_TARGET)/gen
GEN_WORKLOADS := CARGO_TARGET_DIR="$(BENCH_TARGET)" $(CARGO) run --release --quiet \
	--example gen-workloads --

bench-gen: $(BENCH_GEN)/w1000.yaml $(BENCH_GEN)/w10000.yaml $(BENCH_GEN)/w10000-40.stamp

$(BENCH_GEN)/w%.yaml: benches/common/workloads.rs tools/gen-workloads/main.rs
	$(GEN_WORKLOADS) $* $@

$(BENCH_GEN)/w10000-40.stamp: benches/common/workloads.rs tools/gen-workloads/main.rs
	$(GEN_WORKLOADS) 10000 $(BENCH_GEN)/w10000-40 40
	@touch $@

# Time and peak memory of each class of hostile input at 1x, 4x and 16x its size
# (benches/budgets.mjs), with the release CLI and the native Kubewarden policy command.
bench-budgets: build
	@scripts/setup.sh bench
	$(CARGO) build --release --features kubewarden --bin kube-secctx-policy
	node benches/budgets.mjs --cli $(BIN) --policy target/release/kube-secctx-policy

# The cargo-fuzz targets of fuzz/ (nightly; skipped with a message when there is none),
# each for FUZZ_SECONDS.
fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	$(CARGO) clean
