#!/usr/bin/env bash
# Installs what `make test-ci` needs and is missing (make setup-ci). Idempotent: silent
# and fast when all is there.
#
#   - git (Debian), for the scratch repositories of tests/ci/
#   - python3 with venv (Debian's python3 and python3-venv), when missing
#   - pre-commit from PyPI, an exact version (PRE_COMMIT_VERSION), into a virtual
#     environment in target/ci/venv (`make clean` removes it); tests/ci/precommit.rs runs
#     target/ci/venv/bin/pre-commit (make passes it as KUBE_SECCTX_PRE_COMMIT)
SETUP_NAME=setup-ci
source "$(dirname "$0")/lib.sh"

PRE_COMMIT_VERSION=4.7.0
VENV=target/ci/venv

need_command git git
need_command python3 python3
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
fi
have=$("$VENV/bin/pre-commit" --version 2>/dev/null || true)
if [ "$have" != "pre-commit $PRE_COMMIT_VERSION" ]; then
    say "pre-commit $PRE_COMMIT_VERSION (PyPI) into $VENV"
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION" \
        || die "pip could not install pre-commit==$PRE_COMMIT_VERSION from $("$VENV/bin/pip" config get global.index-url 2>/dev/null || echo PyPI)"
fi
"$VENV/bin/pre-commit" --version >/dev/null || die "$VENV/bin/pre-commit does not run"
