#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ (make fuzz; make test runs them briefly).
#
#   scripts/fuzz.sh [SECONDS]     each target for SECONDS (default 60), seeded with the
#                                 project's manifests and fixtures
#   scripts/fuzz.sh --smoke       each target for a fixed number of runs with a fixed
#                                 random seed: repeatable, as `make test` runs it
#
# cargo-fuzz needs a nightly toolchain. When none is installed this says so and exits 0
# (nothing is downloaded: a toolchain comes with the machine, not from this script);
# cargo-fuzz itself is installed from crates.io when missing. Crashes are written to
# fuzz/artifacts/<target>/ and make the script fail; turn each into a regression test.
SETUP_NAME=fuzz
source "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --smoke ]; then
    budget=(-runs=3000 -seed=1)
    what="3000 runs, seed 1"
else
    budget=(-max_total_time="${1:-60}")
    what="${1:-60}s"
fi
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    say "no nightly toolchain: the fuzz targets are skipped (rustup toolchain list shows none)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    say "cargo install cargo-fuzz --locked (a few minutes, once)"
    cargo install cargo-fuzz --locked
fi

# Seeds: the examples, the inputs the fuzzers crashed on, the rule fixtures, the admission
# fixtures (JSON, also for `check` and `json`) and the smaller real manifests, copied so
# that the corpus directories libFuzzer grows stay out of the tree. The smoke run starts
# from the seeds alone each time (a corpus grown by earlier runs would make it a
# different run); a longer run keeps growing target/fuzz-corpus.
if [ "${1:-}" = --smoke ]; then
    work=target/fuzz-corpus-smoke
    rm -rf "$work"
else
    work=target/fuzz-corpus
fi
mkdir -p "$work/check" "$work/admission" "$work/json" "$work/fix" "$work/block"
cp examples/*.yaml tests/fuzz-regressions/* "$work/check/"
find tests/fixtures -name '*.yaml' -exec sh -c 'cp "$1" "'"$work/check"'/$(echo "$1" | tr / _)"' _ {} \;
find ../shared/corpus/real -maxdepth 1 -name '*.y*ml' -size -64k -exec cp {} "$work/check/" \; 2>/dev/null || true
cp policy/fixtures/*.json "$work/admission/"
cp policy/fixtures/*.json "$work/json/"
cp policy/fixtures/*.json "$work/check/"
# The fix target starts from the same manifests, and the PSA fixtures that fail; the
# block reader's from the YAML ones.
cp "$work"/check/*.y*ml "$work/fix/"
cp "$work"/check/*.y*ml "$work/block/"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in check admission json block fix; do
    say "cargo +nightly fuzz run $target ($what)"
    status=0
    (cd fuzz && cargo +nightly fuzz run "$target" "../$work/$target" -- \
        "${budget[@]}" -max_len=16384 -timeout=10 -rss_limit_mb=4096 \
        -print_final_stats=1) >"$log" 2>&1 || status=$?
    grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|Done)' "$log" || true
    # (`ls a b` fails when any one is missing: find says whether at least one is there.)
    found=$(find fuzz/artifacts/"$target" -maxdepth 1 -type f \( -name 'crash-*' \
        -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) 2>/dev/null)
    if [ -n "$found" ]; then
        grep -E -A12 '^(==[0-9]+== ERROR|thread .* panicked)' "$log" | head -n 40 >&2 || true
        echo "$found" | while read -r f; do
            say "$f (base64, to turn into a file of tests/fuzz-regressions/):"
            base64 -w 0 "$f" | head -c 24000 >&2; echo >&2
        done
        die "$target: a crash, OOM, timeout or leak was found: see fuzz/artifacts/$target/ (turn it into a file of tests/fuzz-regressions/)"
    fi
    # Anything else that failed (a target that does not build, a cargo-fuzz error).
    if [ "$status" -ne 0 ]; then
        tail -n 30 "$log" >&2
        die "$target: cargo fuzz run failed (exit $status)"
    fi
done
