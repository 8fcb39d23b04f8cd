#!/usr/bin/env bash
# Instructions per call of each stage of the analysis core on the wire
# story (../shared/data/wire_pair/a.txt, and b.txt as Compare's second
# text), counted by callgrind over 20 calls after one warm-up call
# (examples/instructions.rs). Counts repeat exactly from run to run, busy
# machine or not; times do not.
#
#   scripts/instructions.sh [STAGE...]
#
# Besides the stages of examples/instructions.rs, `classify-NAME` counts
# classification with the built-in model per text of
# ../shared/data/NAME_train.jsonl (ag_news, 20news, bbc_news) in steady
# state: the first 1,000 texts, after a pass over the whole file. Not run
# by default (a minute each).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
a="$root/../shared/data/wire_pair/a.txt"
b="$root/../shared/data/wire_pair/b.txt"
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(segment detect analyze classify summarize-lead summarize compare)
cargo build --release --locked --example instructions --manifest-path "$root/Cargo.toml" >&2
bin="${CARGO_TARGET_DIR:-$root/target}/release/examples/instructions"
calls=20
echo "| stage | instructions per call |"
echo "|---|---:|"
for stage in "${stages[@]}"; do
  args=("$stage" "$a")
  [ "$stage" = compare ] && args+=("$b")
  n="$calls"
  case "$stage" in
    classify-*) n=1000; args=(classify-texts "$root/../shared/data/${stage#classify-}_train.jsonl") ;;
  esac
  total="$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no \
    --toggle-collect='*counted*' "$bin" "${args[@]}" "$n" 2>&1 |
    awk '/Collected/ {print $4}')"
  printf '| %s | %s |\n' "$stage" "$(( total / n ))"
done
