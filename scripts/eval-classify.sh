#!/usr/bin/env bash
# Accuracy of textanalysis's classifier beside scikit-learn's LinearSVC on
# 20 Newsgroups, AG News and BBC News, same split (see eval_classify.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/tools.sh"
if [ ! -x "$root/.tools/venv/bin/python" ] || ! "$root/.tools/venv/bin/python" -c "import sklearn" 2>/dev/null; then
  "$root/.tools/venv/bin/pip" install --quiet --disable-pip-version-check "scikit-learn==1.7.2"
fi
cargo build --release --locked --bin textanalysis --manifest-path "$root/Cargo.toml" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/.tools/venv/bin/python" "$root/scripts/eval_classify.py" "$root/target/release/textanalysis" "$root/../shared/data" "$work"
