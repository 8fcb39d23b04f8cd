#!/usr/bin/env bash
# Load figures of the release server on this machine, with the generator
# (examples/load.rs) on the same machine: throughput and p50/p99 latency of
# Summarize, Classify, Compare and an empty health check at 1, 16 and 64
# concurrent calls; the same under 10x overload (a server limited to one
# analysis in flight and no queue, driven by 20 callers, with a health check
# measured meanwhile); and the server's resident memory idle, at its peak
# under load, and after each of two runs of 100,000 mixed requests (flat
# when it does not grow between the two); and two callers, one flooding
# (32 concurrent Summarize calls) and one steady (one call at a time),
# named by the l5d-client-id header, on a server with one analysis in
# flight and four queued: first with every call anonymous (one shared
# queue), then with --caller-header l5d-client-id (a fair share each; the
# steady caller measured alone first).
#
#   scripts/load.sh [TEXT] [SECONDS]   (default: the wire story, 5 s a cell)
#
# LOAD_SECTIONS picks the parts (default "matrix overload callers");
# binaries are built in $CARGO_TARGET_DIR when it is set.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/tools.sh"
text="${1:-$root/../shared/data/wire_pair/a.txt}"
seconds="${2:-5}"
sections="${LOAD_SECTIONS:-matrix overload callers}"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release --locked --bin textanalysis --example load --manifest-path "$root/Cargo.toml" >&2
bin="$target/release/textanalysis"
load="$target/release/examples/load"
rss() { awk '/^VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$1/status"; }
peak() { awk '/^VmHWM/ {print $2 / 1024 " MiB"}' "/proc/$1/status"; }

header() {
  echo "| method | in flight | calls/s | OK/s | p50 ms | p99 ms | refused | refusal p99 ms | refusals |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
}

trap 'kill -TERM "${SERVER_PID:-}" 2>/dev/null || true' EXIT
if [[ " $sections " == *" matrix "* ]]; then
  start_server "$bin"
  echo "Text: $(wc -c <"$text") bytes. Server RSS idle: $(rss "$SERVER_PID")."
  echo
  header
  for method in health summarize classify compare; do
    for n in 1 16 64; do
      "$load" --addr "$SERVER_ADDR" --method "$method" --text "$text" --concurrency "$n" --seconds "$seconds"
    done
  done
  echo
  echo "Server RSS after the matrix: $(rss "$SERVER_PID"), peak $(peak "$SERVER_PID")."
  # 100,000 mixed requests (Summarize, Classify, Compare and health in turn),
  # twice, with memory after each.
  echo
  header
  for run in 1 2; do
    "$load" --addr "$SERVER_ADDR" --method mixed --text "$text" --concurrency 16 --requests 100000
    echo "Server RSS after mixed run $run (100,000 requests): $(rss "$SERVER_PID"), peak $(peak "$SERVER_PID")."
  done
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
fi
if [[ " $sections " == *" overload "* ]]; then
  echo
  echo "Overload: one analysis in flight, no queue, 20 callers, health checked meanwhile."
  echo
  start_server "$bin" --max-in-flight 1 --max-queued 0
  header
  "$load" --addr "$SERVER_ADDR" --method health --concurrency 1 --seconds "$seconds" &
  health=$!
  "$load" --addr "$SERVER_ADDR" --method summarize --text "$text" --concurrency 20 --seconds "$seconds"
  wait "$health"
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
fi
if [[ " $sections " == *" callers "* ]]; then
  echo
  echo "Two callers: 32 flooding and 1 steady, one analysis in flight, four queued."
  for trust in none l5d-client-id; do
    echo
    if [ "$trust" = none ]; then
      echo "Every call anonymous (no --caller-header): one shared queue."
      start_server "$bin" --max-in-flight 1 --max-queued 4
    else
      echo "With --caller-header l5d-client-id: a fair share each."
      start_server "$bin" --max-in-flight 1 --max-queued 4 --caller-header l5d-client-id
    fi
    echo
    header
    if [ "$trust" != none ]; then
      # The steady caller alone, for scale.
      "$load" --addr "$SERVER_ADDR" --method summarize --text "$text" --concurrency 1 --seconds "$seconds" --caller checkout
    fi
    "$load" --addr "$SERVER_ADDR" --method summarize --text "$text" --concurrency 32 --seconds "$seconds" --caller backfill &
    flood=$!
    "$load" --addr "$SERVER_ADDR" --method summarize --text "$text" --concurrency 1 --seconds "$seconds" --caller checkout
    wait "$flood"
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
  done
fi
trap - EXIT
