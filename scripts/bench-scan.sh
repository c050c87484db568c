#!/usr/bin/env bash
# Throughput of `unspin scan` (a benchmark, not part of the test suite).
#
#  1. Writes a corpus of >= 1 GB on disk from the Brown corpus, in every
#     input format (plain and gzipped JSONL, Common Crawl style WARC with HTML
#     and WET records, one-document text files): crates/batch/examples/gen_corpus.rs.
#  2. Times reading, decompressing, parsing, HTML main-text extraction, the
#     ordered pipeline and the JSONL writer over all of it, on 1 and 2 worker
#     threads (crates/batch/examples/bench_read.rs): everything but the checker.
#  3. Times `unspin scan` with the real model over the whole corpus (or, with
#     SAMPLE_MB set, over a sample of that many MB of the JSONL), on 1 and 2
#     threads, and checks that both wrote the same output.
#
# Usage: scripts/bench-scan.sh [WORKDIR]   (default /tmp/unspin-bench; needs ~3 GB)
#        SAMPLE_MB=50 CORPUS_MB=1024 scripts/bench-scan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/unspin-bench}
sample_mb=${SAMPLE_MB:-}
corpus_mb=${CORPUS_MB:-1024}
cargo build --release --locked
cargo build --release --locked -p unspin-batch --examples
bin=${CARGO_TARGET_DIR:-target}/release
if [ ! -f "$work/corpus/.done-$corpus_mb" ]; then
  rm -rf "$work/corpus"
  "$bin/examples/gen-corpus" --brown .cache/data/brown --out "$work/corpus" --mb "$corpus_mb"
  touch "$work/corpus/.done-$corpus_mb"
fi
echo "corpus: $(du -sh --exclude=.done-* "$work/corpus" | cut -f1) on disk"
for t in 1 2; do
  echo "== read/parse/write, $t worker thread(s), whole corpus"
  "$bin/examples/bench-read" --threads "$t" --out "$work/read.jsonl" "$work/corpus" | tail -1
done
scan_input="$work/corpus"
if [ -n "$sample_mb" ]; then
  # The sample: whole lines from the start of the plain JSONL.
  python3 - "$work/corpus/jsonl/part-000.jsonl" "$work/sample.jsonl" "$sample_mb" <<'PY'
import sys
src, dst, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
limit, n = mb * 1_000_000, 0
with open(src, "rb") as f, open(dst, "wb") as o:
    for line in f:
        if n + len(line) > limit:
            break
        o.write(line)
        n += len(line)
PY
  scan_input="$work/sample.jsonl"
fi
for t in 1 2; do
  echo "== unspin scan with the real model, $t worker thread(s), $scan_input"
  rm -f "$work/scan-$t.jsonl" "$work/scan-$t.jsonl.checkpoint"
  "$bin/unspin" scan "$scan_input" --threads "$t" --out "$work/scan-$t.jsonl" 2>&1 | tail -3
done
cmp "$work/scan-1.jsonl" "$work/scan-2.jsonl" && echo "1 and 2 threads wrote identical output"
