#!/usr/bin/env bash
# What tracing costs a call: Summarize's throughput on the release server
# without traces, and with every call sampled and its spans exported over
# OTLP to a collector on the same machine (examples/otlp_sink.rs, which
# counts and drops them). The two servers alternate twice, so that the
# machine's drift shows as the spread between rounds; the generator is
# examples/load.rs. Then the same servers under callgrind: the instructions
# of a call, which other work on the machine does not change (the
# difference between 700 and 200 calls, so start-up cancels out).
#
#   scripts/load-tracing.sh [TEXT] [SECONDS] [IN_FLIGHT]
#   (default: the wire story, 10 s a run, 2 calls in flight)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/tools.sh"
text="${1:-$root/../shared/data/wire_pair/a.txt}"
seconds="${2:-10}"
in_flight="${3:-2}"
cargo build --release --locked --bin textanalysis --example load --example otlp_sink \
  --manifest-path "$root/Cargo.toml" >&2
target="${CARGO_TARGET_DIR:-$root/target}/release"
work="$(mktemp -d)"

"$target/examples/otlp_sink" >"$work/sink" &
sink=$!
trap 'kill -TERM "${SERVER_PID:-}" "$sink" 2>/dev/null || true; rm -rf "$work"' EXIT
until grep -q '^listening' "$work/sink"; do
  kill -0 "$sink" || { echo "the sink did not start" >&2; exit 1; }
  # Polling the sink's first line; nothing else waits on time.
  sleep 0.05
done
collector="http://$(awk '/^listening/ {print $2}' "$work/sink")"

echo "Text: $(wc -c <"$text") bytes; $in_flight calls in flight; $seconds s a run."
echo
echo "| server | in flight | calls/s | OK/s | p50 ms | p99 ms | refused | refusal p99 ms | refusals |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
for round in 1 2; do
  for traces in off on; do
    flags=(--semantic-model none --max-in-flight "$in_flight")
    [ "$traces" = on ] && flags+=(--otlp-endpoint "$collector")
    start_server "$target/textanalysis" "${flags[@]}"
    "$target/examples/load" --addr "$SERVER_ADDR" --method summarize --text "$text" \
      --concurrency "$in_flight" --seconds "$seconds" | sed "s/^| summarize /| traces $traces, round $round /"
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
  done
done

echo
echo "| server | instructions a call (callgrind) |"
echo "|---|---:|"
for traces in off on; do
  flags=(--semantic-model none --max-in-flight "$in_flight")
  [ "$traces" = on ] && flags+=(--otlp-endpoint "$collector")
  for calls in 200 700; do
    printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=%s %s "$@"\n' \
      "$work/callgrind.$traces.$calls" "$target/textanalysis" >"$work/under-callgrind"
    chmod +x "$work/under-callgrind"
    start_server "$work/under-callgrind" "${flags[@]}"
    "$target/examples/load" --addr "$SERVER_ADDR" --method summarize --text "$text" \
      --concurrency "$in_flight" --requests "$calls" >/dev/null
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
  done
  total() { awk '/^(summary|totals):/ {print $2; exit}' "$work/callgrind.$traces.$1"; }
  echo "| traces $traces | $(( ($(total 700) - $(total 200)) / 500 )) |"
done

kill -TERM "$sink"
wait "$sink" || true
echo
grep '^spans received' "$work/sink"
