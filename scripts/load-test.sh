#!/usr/bin/env bash
# Load test of `unspin serve` on loopback (not part of the test suite; takes
# a few minutes). Starts the server with the real model, then:
#   1. throughput and latency for a 5 kB document at 1, 8 and 64 concurrent
#      clients (each run bounded: LOAD_REQUESTS requests or LOAD_SECONDS s);
#   2. a soak of SOAK_REQUESTS (100k) mixed requests (5 kB and short
#      documents, malformed JSON, bodies over the 64 kB limit) sampling the server's
#      memory every 10k requests, to show it stays flat.
# Writes the JSON results to target/load-test/ and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${UNSPIN_MODEL:-$PWD/model}"
LOAD_REQUESTS="${LOAD_REQUESTS:-3000}"
LOAD_SECONDS="${LOAD_SECONDS:-40}"
SOAK_REQUESTS="${SOAK_REQUESTS:-100000}"
SOAK_SECONDS="${SOAK_SECONDS:-1500}"
OUT=target/load-test
mkdir -p "$OUT"

cargo build --release --locked
cargo build --release --locked -p unspin-server --example load
TARGET="${CARGO_TARGET_DIR:-target}"
UNSPIN="$TARGET/release/unspin"
LOAD="$TARGET/release/examples/load"

# A 5 kB document: the example paragraphs, spun and clean, repeated.
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
spun = open("data/examples/spun-news.txt").read().strip()
clean = open("data/examples/clean-news.txt").read().strip()
doc = ""
while len(doc.encode()) < 5000:
    doc += spun + "\n\n" + clean + "\n\n"
doc = doc.encode()[:5120].decode("utf-8", "ignore")
json.dump({"text": doc}, open(f"{out}/doc-5k.json", "w"))
json.dump({"text": "The head administrator told columnists that the understanding was a significant advance."}, open(f"{out}/doc-short.json", "w"))
open(f"{out}/malformed.json", "w").write('{"text": "unterminated')
json.dump({"text": "x" * 100000}, open(f"{out}/oversized.json", "w"))
PY

"$UNSPIN" serve --addr 127.0.0.1:0 --model "$MODEL" --max-body 64K 2> "$OUT/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$OUT/server.log" && break
  sleep 0.1
done
ADDR=$(sed -n 's/.*listening on http:\/\///p' "$OUT/server.log" | head -1)
[ -n "$ADDR" ] || { cat "$OUT/server.log"; exit 1; }
echo "server $ADDR (pid $SERVER), model $MODEL, $(nproc) CPUs"

"$LOAD" --addr "$ADDR" --body "$OUT/doc-5k.json" --concurrency 4 --requests 200 --duration 20 > /dev/null  # warm-up
for c in 1 8 64; do
  "$LOAD" --addr "$ADDR" --body "$OUT/doc-5k.json" --concurrency "$c" --requests "$LOAD_REQUESTS" --duration "$LOAD_SECONDS" | tee "$OUT/check-5k-c$c.json"
done
"$LOAD" --addr "$ADDR" --pid "$SERVER" --sample-every 10000 --concurrency 8 --requests "$SOAK_REQUESTS" --duration "$SOAK_SECONDS" \
  --body "$OUT/doc-5k.json" --body "$OUT/doc-short.json" --body "$OUT/doc-short.json" --body "$OUT/doc-short.json" \
  --body "$OUT/doc-short.json" --body "$OUT/malformed.json" --body "$OUT/doc-short.json" --body "$OUT/oversized.json" \
  | tee "$OUT/soak.json"
curl -sf "http://$ADDR/metrics" > "$OUT/metrics.txt" 2>/dev/null || true

python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
print("\n| clients | requests | req/s | p50 ms | p99 ms | statuses |")
print("|---|---|---|---|---|---|")
for c in (1, 8, 64):
    r = json.load(open(f"{out}/check-5k-c{c}.json"))
    print(f"| {c} | {r['requests']} | {r['requests_per_second']} | {r['latency_ms']['p50']} | {r['latency_ms']['p99']} | {r['statuses']} |")
s = json.load(open(f"{out}/soak.json"))
print(f"\nsoak: {s['requests']} requests in {s['seconds']} s ({s['requests_per_second']} req/s), statuses {s['statuses']}")
print("| requests | RSS MiB | anon MiB | file-backed MiB |")
print("|---|---|---|---|")
for m in s["memory"]:
    print(f"| {m['requests']} | {m['rss_kib']/1024:.1f} | {m['anon_kib']/1024:.1f} | {m['file_kib']/1024:.1f} |")
PY
