#!/usr/bin/env bash
# Runs the test suite (unit, property, CLI and server tests; the real-model
# tests use the model scripts/setup.sh built), the Python wheel's tests, its
# column functions in a real PySpark job (installs Java 17 when missing and
# pinned PySpark), the browser test of the web page (installs Debian chromium
# and playwright-core) and the quick evaluation.
set -euo pipefail
cd "$(dirname "$0")/.."
UNSPIN_REQUIRE_MODEL=1 cargo test --release --locked --workspace
scripts/python-wheel.sh
scripts/pyspark-test.sh
scripts/browser-test.sh
target/release/unspin eval --quick
