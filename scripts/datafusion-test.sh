#!/usr/bin/env bash
# Builds and tests the DataFusion functions (crates/datafusion) against the
# model scripts/setup.sh built. DataFusion takes 10-25 minutes to build on
# two cores, so the default build and scripts/test.sh leave it out.
set -euo pipefail
cd "$(dirname "$0")/.."
UNSPIN_REQUIRE_MODEL=1 CARGO_TARGET_DIR="$PWD/target/datafusion" \
  cargo test --release --locked --manifest-path crates/datafusion/Cargo.toml
