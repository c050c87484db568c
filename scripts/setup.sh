#!/usr/bin/env bash
# Sets everything up on a fresh machine: fetches the public data (pinned,
# checksummed), builds unspin and its model, and checks a bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-data.sh
cargo build --release --locked
if [ ! -f model/lm.unspin ] || [ ! -f model/lexicon.unspin ] || [ target/release/unspin -nt model/lexicon.unspin ]; then
  target/release/unspin build-model --data .cache/data --out model
fi
target/release/unspin check --threshold 0.5 data/examples/spun-news.txt
