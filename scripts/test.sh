#!/usr/bin/env bash
# Runs the test suite (unit, property and CLI tests; the real-model tests use
# the model scripts/setup.sh built) and the quick evaluation.
set -euo pipefail
cd "$(dirname "$0")/.."
UNSPIN_REQUIRE_MODEL=1 cargo test --release --locked --workspace
target/release/unspin eval --quick
