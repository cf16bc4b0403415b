#!/usr/bin/env bash
# Downloads the pinned `kubernetes` client wheels (tools/k8s-api/wheels.txt) into
# target/k8s-api/wheels when missing, and checks each file's SHA-256 (make setup-schema).
# Idempotent: silent and fast when all are there. From PyPI only, with pip; python3 and,
# when its pip is missing, a virtual environment in target/k8s-api/venv (Debian's
# python3-venv).
#
# The wheels are the source of the field table src/schema/table.rs; tests/schema_table.rs
# regenerates the table from them offline and compares (make test-schema).
SETUP_NAME=setup-k8s-api
source "$(dirname "$0")/lib.sh"

LIST=tools/k8s-api/wheels.txt
DIR=target/k8s-api/wheels
VENV=target/k8s-api/venv

need_command python3 python3
mkdir -p "$DIR"

missing=()
while read -r file sum; do
    case "$file" in ''|'#'*) continue ;; esac
    if [ -f "$DIR/$file" ] && [ "$(sha256sum "$DIR/$file" | cut -d' ' -f1)" = "$sum" ]; then
        continue
    fi
    missing+=("$file $sum")
done < "$LIST"
[ ${#missing[@]} -eq 0 ] && exit 0

pip=(python3 -m pip)
if ! python3 -m pip --version >/dev/null 2>&1; then
    if [ ! -x "$VENV/bin/pip" ]; then
        if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
            apt_install python3-venv
        fi
        rm -rf "$VENV"
        python3 -m venv "$VENV" || die "python3 -m venv $VENV failed"
    fi
    pip=("$VENV/bin/pip")
fi

for entry in "${missing[@]}"; do
    file=${entry%% *}
    sum=${entry##* }
    # kubernetes-37.0.3-py2.py3-none-any.whl -> 37.0.3
    version=$(sed -E 's/^kubernetes-([0-9.]+)-.*$/\1/' <<<"$file")
    say "kubernetes==$version (PyPI) into $DIR"
    req=$(mktemp)
    printf 'kubernetes==%s --hash=sha256:%s\n' "$version" "$sum" > "$req"
    "${pip[@]}" download --quiet --disable-pip-version-check --no-deps --only-binary :all: \
        --require-hashes -r "$req" -d "$DIR" \
        || { rm -f "$req"; die "pip could not download kubernetes==$version with the pinned hash"; }
    rm -f "$req"
    [ "$(sha256sum "$DIR/$file" 2>/dev/null | cut -d' ' -f1)" = "$sum" ] \
        || die "$DIR/$file is missing or its SHA-256 is not $sum"
done
