#!/usr/bin/env bash
# Installs the SARIF validator when it is missing (make setup-sarif; `make test-sarif` runs
# it). Idempotent: silent and fast when all is there.
#
#   - node and npm: Debian's nodejs and npm, when `node` is missing
#   - tools/sarif/node_modules: `npm ci` from tools/sarif/package-lock.json, when missing or
#     when the lock file changed: @microsoft/sarif-multitool-linux, an exact version, from the
#     npm registry. It holds Sarif.Multitool, a self-contained .NET single-file executable for
#     Linux x86-64 (~96 MB; no .NET runtime needed). Its only other need is ICU, which .NET
#     loads for culture data; validate.mjs runs it with DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
#     instead (validation needs no culture data, and Debian names the ICU package by version:
#     libicu72, libicu76, ...), so nothing is installed from Debian for it.
#   - then runs `Sarif.Multitool --version`, so that a tool that cannot start fails here,
#     with its own message.
SETUP_NAME=setup-sarif
source "$(dirname "$0")/lib.sh"

SARIF_DIR=tools/sarif
PACKAGE=@microsoft/sarif-multitool-linux
MULTITOOL=$SARIF_DIR/node_modules/$PACKAGE/Sarif.Multitool

case "$(uname -s)/$(uname -m)" in
    Linux/x86_64 | Linux/amd64) ;;
    *) die "$PACKAGE runs on Linux x86-64 only, not on $(uname -s)/$(uname -m): 'make test-sarif' cannot run here" ;;
esac

need_node 18
version=$(node -p "require('./$SARIF_DIR/package.json').devDependencies['$PACKAGE']")
npm_ci "$SARIF_DIR" "$PACKAGE/Sarif.Multitool"
[ -f "$MULTITOOL" ] || die "$MULTITOOL is missing after 'npm ci' in $SARIF_DIR/ ($PACKAGE@$version)"
# The package's postinstall makes it executable; npm skips that with --ignore-scripts.
[ -x "$MULTITOOL" ] || chmod u+x "$MULTITOOL"
if ! out=$(DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "$MULTITOOL" --version 2>&1 </dev/null); then
    die "$MULTITOOL ($PACKAGE@$version) does not run on this machine: $out"
fi
