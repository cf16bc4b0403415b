# SARIF validation (issue 12), included by the Makefile.
#
#   make test-sarif    the release CLI's `--format sarif` output for each entry of INVOCATIONS
#                      in tools/sarif/validate.mjs (examples/, ../shared/corpus/real, the
#                      fuzz regressions), written to target/sarif/*.sarif, each validated
#                      with `Sarif.Multitool validate`: fails on any error, lists warnings
#   make setup-sarif   the validator, npm @microsoft/sarif-multitool-linux (an exact version,
#                      tools/sarif/package-lock.json), into tools/sarif/node_modules when
#                      missing (scripts/setup-sarif.sh)
#
# test-sarif reuses the release binary of `make build` ($(BIN)); no other build of the crate.

SARIF_NODE ?= node
SARIF_OUT ?= target/sarif

.PHONY: setup-sarif test-sarif

setup-sarif:
	@scripts/setup-sarif.sh

test-sarif: build setup-sarif
	$(SARIF_NODE) tools/sarif/validate.mjs --cli $(BIN) --out $(SARIF_OUT)

EXTRA_TEST_TARGETS += test-sarif
