#!/usr/bin/env bash
# Benchmarks the sentence encoder against the Python sentence-transformers
# package running the same model on the same machine: the same STS-B dev
# sentences (3,000), the same order and thread count (batches: its default
# 32 sentences; ours by tokens). Both
# sides print the STS-B Pearson of their cosines (they must agree: the same
# model) and the time per sentence, batched and one at a time. Then the
# service's Embed call under load (examples/load.rs, the wire story alone and
# with its sentences, THREADS calls in flight), and lexical Summarize's
# throughput with and without the encoder loaded.
#
# A benchmark, not a test: the test command does not run it. It installs
# sentence-transformers and torch (about 6 GB with torch's CUDA libraries,
# which PyPI's torch wheel requires even on a CPU) into a throwaway virtual
# environment in target/bench-encoder-venv, once.
#
#   scripts/bench-encoder.sh [THREADS]    (default 2)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
threads="${1:-2}"
data="$root/../shared/data"
model="${TEXTANALYSIS_SEMANTIC_MODEL:-$root/models/encoder/all-MiniLM-L6-v2}"
venv="${BENCH_ENCODER_VENV:-$root/target/bench-encoder-venv}"
SENTENCE_TRANSFORMERS_VERSION=6.3.0
TORCH_VERSION=2.15.0
source "$root/scripts/tools.sh"
export PATH="$TOOLS_BIN:$PATH"

"$root/scripts/fetch-encoder.sh" "$model"
if ! "$venv/bin/python" -c "import sentence_transformers, torch" 2>/dev/null; then
  echo "bench-encoder: installing sentence-transformers==$SENTENCE_TRANSFORMERS_VERSION torch==$TORCH_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  timeout 1800 "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "sentence-transformers==$SENTENCE_TRANSFORMERS_VERSION" "torch==$TORCH_VERSION"
fi

cargo build --release --locked --bin textanalysis --example eval_encoder --example load \
  --manifest-path "$root/Cargo.toml" >&2
target="${CARGO_TARGET_DIR:-$root/target}/release"

echo "== textanalysis (candle), $threads threads"
RAYON_NUM_THREADS="$threads" "$target/examples/eval_encoder" "$data" "$model"
echo
echo "== sentence-transformers (PyTorch), $threads threads"
"$venv/bin/python" "$root/scripts/bench_encoder.py" "$data" "$model" "$threads"
echo

text="$data/wire_pair/a.txt"
start_server "$target/textanalysis" --semantic-model "$model" \
  --max-in-flight "$threads" --encoder-threads "$threads"
trap 'kill -TERM "$SERVER_PID" 2>/dev/null || true' EXIT
echo "== Embed through the service: $(wc -c <"$text") bytes, $threads in flight"
echo "| method | in flight | calls/s | OK/s | p50 ms | p99 ms | refused | refusal p99 ms | refusals |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
for method in embed embed-sentences; do
  "$target/examples/load" --addr "$SERVER_ADDR" --method "$method" --text "$text" --concurrency "$threads" --seconds 10
done
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true

# A lexical call must not pay for the encoder being loaded: the same
# Summarize load against a server without it and with it, alternated twice
# so that the machine's drift shows as the spread between rounds.
echo
echo "== lexical Summarize, $threads in flight, without and with the encoder loaded (two rounds each)"
echo "| server | in flight | calls/s | OK/s | p50 ms | p99 ms | refused | refusal p99 ms | refusals |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
for round in 1 2; do
  for mode in none "$model"; do
    start_server "$target/textanalysis" --semantic-model "$mode" \
      --max-in-flight "$threads" --encoder-threads "$threads"
    label="$([ "$mode" = none ] && echo "lexical mode" || echo "encoder loaded"), round $round"
    "$target/examples/load" --addr "$SERVER_ADDR" --method summarize --text "$text" \
      --concurrency "$threads" --seconds 10 | sed "s/^| summarize /| $label /"
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
  done
done
