#!/usr/bin/env bash
# The release server's memory and the encoder's cost: the figures behind the
# Deployment's memory limit, its startup probe and its
# TEXTANALYSIS_MAX_SEMANTIC_TEXT_BYTES (k8s/). The server runs with the
# Deployment's admission (2 in flight, 16 queued, the encoder on 2 threads),
# the binary's own encoder limit (256 KiB), and a request timeout long
# enough for every call to finish, so that each call's cost is measured
# whole. The script reports resident memory idle in lexical mode and with
# the encoder; the encoder's load time and the peak while it loads; then,
# for each phase of Embed calls (examples/load.rs), the peak (VmHWM, reset
# before the phase through /proc/PID/clear_refs), the server's CPU time a
# call (its cost whatever else the machine runs) and the resident memory
# once the server is idle again (its in-flight gauge at 0). The phases, 2
# callers each: a news story, the text alone and with each sentence's
# embedding; 32 KiB (the Deployment's limit) with each sentence's; 256 KiB
# (the binary's limit), the text alone.
#
#   scripts/encoder-memory.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/tools.sh"
data="$root/../shared/data"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release --locked --bin textanalysis --example load --manifest-path "$root/Cargo.toml" >&2
bin="$target/release/textanalysis"
load="$target/release/examples/load"
model="$root/models/encoder/all-MiniLM-L6-v2"
"$root/scripts/fetch-encoder.sh" "$model"

work="$(mktemp -d)"
trap 'kill -TERM "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
news="$data/wire_pair/a.txt"
# News articles one after another, cut at 32 KiB and at 256 KiB.
python3 - "$data/cnndm_dev100.jsonl" "$work" <<'EOF'
import json
import sys

text = ""
with open(sys.argv[1], encoding="utf-8") as articles:
    for line in articles:
        text += json.loads(line)["article"] + "\n\n"
        if len(text.encode()) >= 256 * 1024:
            break
for kib in (32, 256):
    with open(f"{sys.argv[2]}/{kib}k.txt", "w", encoding="utf-8") as out:
        out.write(text.encode()[: kib * 1024].decode("utf-8", "ignore"))
EOF

mib() { awk -v key="$2:" '$1 == key {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
# User and system time in clock ticks (fields 14 and 15 of /proc/PID/stat,
# after the command name, which may hold spaces).
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
metrics_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
gauge() { curl -sf --max-time 5 "http://127.0.0.1:$metrics_port/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
# The workers, not the answers, say when a phase's work is over.
wait_idle() {
  for _ in $(seq 1 3000); do
    [ "$(gauge textanalysis_analyses_in_flight)" = 0 ] && return 0
    sleep 0.2
  done
  echo "encoder-memory: the server did not go idle" >&2
  return 1
}
settings=(--max-in-flight 2 --max-queued 16 --encoder-threads 2 --request-timeout 600s
  --max-semantic-text-bytes 262144 --metrics-listen "127.0.0.1:$metrics_port")

start_server "$bin" "${settings[@]}" --semantic-model none
lexical_idle="$(mib "$SERVER_PID" VmRSS)"
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true

started="$(date +%s%N)"
start_server "$bin" "${settings[@]}" --semantic-model "$model"
to_serving_ms=$(( ($(date +%s%N) - started) / 1000000 ))
log="$(readlink "/proc/$SERVER_PID/fd/1")"
load_ms="$(grep '"sentence encoder loaded"' "$log" | grep -o '"load_ms":[0-9]*' | cut -d: -f2)"
idle="$(mib "$SERVER_PID" VmRSS)"
load_peak="$(mib "$SERVER_PID" VmHWM)"

echo "Texts: $(wc -c <"$news") bytes (the wire story), $(wc -c <"$work/32k.txt") and $(wc -c <"$work/256k.txt") bytes (CNN/DailyMail articles, cut)."
echo
echo "| method | callers | calls/s | OK/s | p50 ms | p99 ms | refused | refusal p99 ms | refusals |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
rows=()
phase() { # NAME METHOD TEXT CALLERS CALLS
  wait_idle
  echo 5 >"/proc/$SERVER_PID/clear_refs"
  local before peak
  before="$(ticks "$SERVER_PID")"
  "$load" --addr "$SERVER_ADDR" --method "$2" --text "$3" --concurrency "$4" --requests "$5"
  peak="$(mib "$SERVER_PID" VmHWM)"
  wait_idle
  local cpu
  cpu="$(awk -v t="$(( $(ticks "$SERVER_PID") - before ))" -v hz="$(getconf CLK_TCK)" -v n="$5" \
    'BEGIN {printf "%.1f", t / hz / n}')"
  rows+=("| $1 | $5 | $cpu s | $peak MiB | $(mib "$SERVER_PID" VmRSS) MiB |")
}
phase "Embed, news story (4.7 KB), 2 callers" embed "$news" 2 10
phase "Embed with sentences, news story, 2 callers" embed-sentences "$news" 2 10
phase "Embed with sentences, 32 KiB, 2 callers" embed-sentences "$work/32k.txt" 2 4
phase "Embed, 256 KiB, 2 callers" embed "$work/256k.txt" 2 2
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true

echo
echo "Encoder loaded in $load_ms ms (its log line); serving $to_serving_ms ms after the process started."
echo
echo "| state | calls | server CPU a call | peak (VmHWM) | resident idle after (VmRSS) |"
echo "|---|---:|---:|---:|---:|"
echo "| lexical mode (\`--semantic-model none\`), started | | | | $lexical_idle MiB |"
echo "| encoder loaded, started | | | $load_peak MiB (loading) | $idle MiB |"
printf '%s\n' "${rows[@]}"
