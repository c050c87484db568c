#!/usr/bin/env bash
# Sets everything up on a fresh machine: fetches the public data (pinned,
# checksummed), builds unspin and its model, and checks a bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-data.sh
cargo build --release --locked
# build-model writes candidates.unspin last, from the other two: a model
# without it (built before it existed, or by a build that stopped) or older
# than the binary is rebuilt.
if [ ! -f model/lm.unspin ] || [ ! -f model/lexicon.unspin ] || [ ! -f model/candidates.unspin ] \
  || [ target/release/unspin -nt model/candidates.unspin ]; then
  target/release/unspin build-model --data .cache/data --out model
fi
target/release/unspin check data/examples/spun-news.txt
