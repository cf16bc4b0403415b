# The Kubernetes API field table of `unknown-field`, included by the Makefile.
#
#   make test-schema    tests/schema_table.rs: src/schema/table.rs is regenerated offline
#                       by tools/k8s-api/generate.py from the pinned `kubernetes` client
#                       wheels and compared byte for byte
#   make setup-schema   the wheels pinned in tools/k8s-api/wheels.txt, from PyPI into
#                       target/k8s-api/wheels, SHA-256 checked (scripts/setup-k8s-api.sh)
#   make schema         regenerate src/schema/table.rs (after changing wheels.txt)
#
# The test is #[ignore]d in plain `cargo test` (the wheels may be missing); here it runs
# with --ignored.

SCHEMA_CARGO ?= $(or $(CARGO),cargo)

.PHONY: setup-schema test-schema schema

setup-schema:
	@scripts/setup-k8s-api.sh

test-schema: setup-schema
	$(SCHEMA_CARGO) test --test schema_table -- --ignored

schema: setup-schema
	python3 tools/k8s-api/generate.py tools/k8s-api/wheels.txt target/k8s-api/wheels > src/schema/table.rs.new
	mv src/schema/table.rs.new src/schema/table.rs

EXTRA_TEST_TARGETS += test-schema
