# CI packaging (issue 14), included by the Makefile.
#
#   make test-ci     tests/ci/: the GitHub Action (action.yml) run locally as the runner
#                    runs a composite action (bash, GITHUB_* files, inputs as expressions):
#                    annotations, job summary, SARIF file, outputs; and the pre-commit hook
#                    (.pre-commit-hooks.yaml) through `pre-commit try-repo` on a scratch
#                    repository with a clean and a failing manifest
#   make setup-ci    git, python3-venv (Debian) and pre-commit (PyPI, an exact version) in
#                    target/ci/venv, when missing (scripts/setup-ci.sh)
#
# Both install the CLI with `cargo install`, as GitHub's runner and pre-commit do, with
# CARGO_TARGET_DIR on this repository's target/: they reuse the release build of
# `make build` (the tests assert that cargo compiled nothing). The tests are #[ignore]d in
# plain `cargo test`; here they run with --ignored.

CI_CARGO ?= $(or $(CARGO),cargo)

.PHONY: setup-ci test-ci

setup-ci:
	@scripts/setup-ci.sh

test-ci: build setup-ci
	KUBE_SECCTX_PRE_COMMIT=$(CURDIR)/target/ci/venv/bin/pre-commit \
		$(CI_CARGO) test --test ci -- --ignored --nocapture --test-threads=1

EXTRA_TEST_TARGETS += test-ci
