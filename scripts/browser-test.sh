#!/usr/bin/env bash
# Drives the web page in headless Chromium: installs Debian's chromium and
# the pinned npm playwright-core when missing, builds unspin, and runs
# tests/browser/page.test.mjs against `unspin serve` with the real model
# (scripts/setup.sh builds it). Writes a screenshot to target/browser/page.png.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
fi
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
cargo build --release --locked
export UNSPIN_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/release/unspin"
export UNSPIN_MODEL="${UNSPIN_MODEL:-$PWD/model}"
export SCREENSHOT="${SCREENSHOT:-$PWD/target/browser/page.png}"
cd tests/browser && node --test page.test.mjs
