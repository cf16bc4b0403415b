# The language server in a real editor, included by the Makefile.
#
#   make test-editor    tests/lsp_neovim.rs: headless Neovim (Debian's neovim, >= 0.7) runs
#                       tests/nvim/lsp_e2e.lua with its built-in LSP client against
#                       `kube-secctx server`: the diagnostics of the nginx example, a quick
#                       fix, fix all, the file written and compared with
#                       tests/nvim/nginx-deployment.fixed.yaml
#   make setup-editor   Neovim from Debian when nvim is missing (scripts/setup.sh editor)
#
# The test is #[ignore]d in plain `cargo test` (Neovim may be missing); here it runs with
# --ignored, on the debug build `cargo test --all-targets` of `make test` already made.

EDITOR_CARGO ?= $(or $(CARGO),cargo)

.PHONY: setup-editor test-editor

setup-editor:
	@scripts/setup.sh editor

test-editor: setup-editor
	$(EDITOR_CARGO) test --test lsp_neovim -- --ignored

EXTRA_TEST_TARGETS += test-editor
