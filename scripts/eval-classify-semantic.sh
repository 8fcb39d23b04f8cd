#!/usr/bin/env bash
# Accuracy of models trained with semantic features (lexical+semantic,
# semantic) beside the lexical model and scikit-learn's LinearSVC, on
# eval-classify.sh's splits (see eval_classify_semantic.py).
#
# Usage: scripts/eval-classify-semantic.sh [--scales 1,2,4] [DATA_SET...]
# DATA_SET: ag_news (the default), 20news, bbc_news. Embeddings are cached in
# target/embedding-cache (or $EMBEDDING_CACHE_DIR) between runs: the first
# run of 20news embeds 11,314 long texts, some 40 minutes of a core.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/tools.sh"
if [ ! -x "$root/.tools/venv/bin/python" ] || ! "$root/.tools/venv/bin/python" -c "import sklearn" 2>/dev/null; then
  "$root/.tools/venv/bin/pip" install --quiet --disable-pip-version-check "scikit-learn==1.7.2"
fi
target="${CARGO_TARGET_DIR:-$root/target}"
encoder="${TEXTANALYSIS_SEMANTIC_MODEL:-$root/models/encoder/all-MiniLM-L6-v2}"
[ -d "$encoder" ] || "$root/scripts/fetch-encoder.sh"
cargo build --release --locked --bin textanalysis --manifest-path "$root/Cargo.toml" >&2
cache="${EMBEDDING_CACHE_DIR:-$target/embedding-cache}"
mkdir -p "$cache"
scales=()
if [ "${1:-}" = "--scales" ]; then
  scales=(--scales "$2")
  shift 2
fi
[ $# -gt 0 ] || set -- ag_news
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/.tools/venv/bin/python" "$root/scripts/eval_classify_semantic.py" "$target/release/textanalysis" \
  "$root/../shared/data" "$work" "$encoder" "$cache" "${scales[@]}" "$@"
