#!/usr/bin/env bash
# Scores the sentence segmenter on the English "Golden Rules", the public
# sentence-segmentation benchmark that pySBD ships: prints the pass count
# (N/48) and every failing rule with the sentences expected and found.
#
#   scripts/eval-segment.sh [--min N]
#
# The rules are not ours, so they are not in the repository: the pySBD
# source distribution is downloaded from PyPI into target/eval-segment/
# (once; its sha256 is pinned here) and the rules file is read with Python's
# `ast`, never imported. `--min N` exits non-zero when fewer than N rules
# pass. SEGMENT_BIN=path uses that build of examples/segment.rs instead of
# building a release one (the test command passes its debug build).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

PYSBD_VERSION=0.3.3
PYSBD_SHA256=56ab48a28a8470f0042a4cb7c9da8a6dde8621ecf87a86d75f201cbf1837e77f
RULES_PATH="pysbd-$PYSBD_VERSION/benchmarks/english_golden_rules.py"

work="$root/target/eval-segment"
sdist="$work/pysbd-$PYSBD_VERSION.tar.gz"
mkdir -p "$work"
if ! echo "$PYSBD_SHA256  $sdist" | sha256sum --check --status 2>/dev/null; then
  rm -f "$sdist"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps \
    --no-binary :all: "pysbd==$PYSBD_VERSION" -d "$work" >&2
  echo "$PYSBD_SHA256  $sdist" | sha256sum --check --quiet
fi
tar -xzf "$sdist" -C "$work" "$RULES_PATH"

bin="${SEGMENT_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --locked --quiet --example segment --manifest-path "$root/Cargo.toml" >&2
  bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/segment"
fi
python3 "$root/scripts/eval_segment.py" "$work/$RULES_PATH" "$bin" "$@"
