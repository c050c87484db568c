#!/usr/bin/env bash
# Source-matching scale benchmark: generates DOCS documents (a word-bigram
# walk over the Brown corpus, 150-300 words each), indexes them with
# `unspin index`, and times `unspin match` on spun copies of indexed and of
# unindexed documents. Prints build time, index size, and match latency
# (median, p99). Not part of the tests: a million documents take a while.
#
#   scripts/bench-match.sh [DOCS] [QUERIES]     (defaults: 1000000, 500)
#
# Needs the model (scripts/setup.sh) and the Brown corpus in .cache/data.
# The index goes to a temporary directory (BENCH_DIR to choose), removed after.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
docs="${1:-1000000}"
queries="${2:-500}"
cd "$root"
cargo build --release --locked --quiet
work="${BENCH_DIR:-$(mktemp -d)}"
trap 'rm -rf "$work/index"' EXIT
target/release/unspin index bench --docs "$docs" --queries "$queries" --index "$work/index" --data .cache/data
