#!/usr/bin/env bash
# Builds the `unspin` Python wheel (crates/python) with maturin (PyPI, pinned
# and checksum-verified) into target/wheels/, installs it into a virtual
# environment (.cache/python-venv) and runs its tests against the model that
# scripts/setup.sh built. Needs python3 with venv and pip.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/python-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --require-hashes -r crates/python/requirements-build.txt
# maturin builds with the workspace's own target directory for the extension.
CARGO_TARGET_DIR="$PWD/target/python" "$venv/bin/maturin" build -q --release --locked \
  --manifest-path crates/python/Cargo.toml --interpreter "$venv/bin/python" --out target/wheels
"$venv/bin/pip" install -q --force-reinstall --no-deps target/wheels/unspin-0.1.0-*.whl
UNSPIN_MODEL="${UNSPIN_MODEL:-$PWD/model}" "$venv/bin/python" -m unittest discover -s crates/python/tests -v
