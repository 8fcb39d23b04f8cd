#!/usr/bin/env bash
# Hostile and broken clients against the release server on this machine,
# one Markdown table of what each got and what it cost the server, in this
# order:
#   - 256 and 1,024 concurrent 1 MiB Summarize streams (h2load), one burst
#     each, and 256 kept up for 5 s: refusals, the server's peak memory and
#     its memory 5 s later, health p99 meanwhile;
#   - 1 MiB calls with a 5 ms deadline: answered DEADLINE_EXCEEDED?
#   - large answers (Compare with diffs of two 1 MiB texts, 8 callers
#     accepting gzip): compressed or not, health p99 meanwhile;
#   - client mistakes over raw HTTP/2 (bad UTF-8, wrong wire type, truncated
#     message and frame, bad gzip, a reset upload), and that the metrics of
#     this server (all of the above) count no Internal or Unknown;
#   - stalled request bodies (--request-read-timeout 2s);
#   - stalled handshakes, plaintext and TLS (--handshake-timeout 2s);
#   - connections beyond --max-connections 50;
#   - a server out of file descriptors (ulimit -n 64): its CPU and log lines
#     while 100 idle connections wait, then a health check.
# The raw clients are examples/abuse/; health latency is examples/load.rs.
# Exits non-zero only when it cannot run; the figures are for a person to
# judge. Traffic goes to 127.0.0.1 only. Takes about a minute and a half
# after the build.
#
#   scripts/abuse.sh [DATA_DIR]   (default ../shared/data/wire_pair: a.txt, b.txt)
#
# Builds into CARGO_TARGET_DIR when set (else target/); installs h2load
# (Debian's nghttp2-client, as root) when it is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/tools.sh"
data="${1:-$root/../shared/data/wire_pair}"
target="$(realpath -m "${CARGO_TARGET_DIR:-$root/target}")"
for f in a.txt b.txt; do
  [ -s "$data/$f" ] || { echo "abuse: no $data/$f" >&2; exit 2; }
done

if ! command -v h2load >/dev/null; then
  echo "abuse: installing h2load (nghttp2-client)" >&2
  apt-get update -qq >&2 && apt-get install -y -qq nghttp2-client >&2
fi
CARGO_TARGET_DIR="$target" cargo build --release --locked --bin textanalysis \
  --example abuse --example load --manifest-path "$root/Cargo.toml" >&2
bin="$target/release/textanalysis"
abuse="$target/release/examples/abuse"
load="$target/release/examples/load"

work="$(mktemp -d)"
SERVER_PID=""
SERVER_LOG=""
BACKGROUND=()
cleanup() {
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port (bound and released: the server takes it at once).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve BIN [ARGS...]: start_server (SERVER_PID, SERVER_ADDR) with a metrics
# endpoint (METRICS), and the server's log (SERVER_LOG: the file its
# standard output goes to).
serve() {
  METRICS="127.0.0.1:$(free_port)"
  start_server "$@" --metrics-listen "$METRICS"
  SERVER_LOG="$(readlink "/proc/$SERVER_PID/fd/1")"
}

stop() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -f "$SERVER_LOG"
  SERVER_PID=""
}

metrics() { curl -sf --max-time 5 "http://$METRICS/metrics"; }
# metric NAME [LABEL_FILTER]: the sum of NAME's samples whose labels match.
metric() {
  metrics | awk -v name="$1" -v want="${2:-}" '
    $1 == name || index($1, name "{") == 1 { if (want == "" || index($1, want)) sum += $NF }
    END { printf "%d", sum }'
}
# Summarize calls by code, from the metrics: "OK 18 ResourceExhausted 238 ...".
summarize_codes() {
  metrics | awk -F'grpc_code="' '/^grpc_server_handled_total\{.*grpc_method="Summarize"/ {
      split($2, c, "\""); n = $0; sub(/.* /, "", n); printf "%s %d\n", c[1], n }'
}
# code_changes BEFORE AFTER: what each code gained.
code_changes() {
  awk 'FILENAME == ARGV[1] { before[$1] = $2; next }
       { d = $2 - before[$1]; if (d > 0) { out = out sep $1 " " d; sep = ", " } }
       END { print (out == "" ? "none" : out) }' "$1" "$2"
}
mib() { awk -v f="$2" '$1 == f ":" { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status"; }
# health_p99 FILE: the p99 ms of a load row ("| health | 1 | calls/s | OK/s | p50 | p99 | ...").
health_p99() { awk -F'|' 'NF > 7 { gsub(/ /, "", $7); gsub(/ /, "", $4); printf "%s ms (%s calls/s)", $7, $4 }' "$1"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# Wire-pair texts repeated to 1 MiB, as a Summarize body for h2load.
payload="$work/summarize-1mib.bin"
"$abuse" payload --text "$data/a.txt" --bytes 1048576 --out "$payload" 2>/dev/null

echo "| scenario | what was sent | outcome | figures |"
echo "|---|---|---|---|"

# --- Memory under concurrent 1 MiB Summarize streams --------------------------
# flood CLIENTS STREAMS SECONDS [H2LOAD_ARGS...]: h2load with CLIENTS
# connections of STREAMS concurrent 1 MiB Summarize streams, health checks
# measured meanwhile for SECONDS (and, for a sustained run, a 4.7 KB
# Summarize caller on a connection of its own: does anyone else get served?).
flood() {
  local clients=$1 streams=$2 seconds=$3
  shift 3
  local n=$((clients * streams)) refused_before started took peak settled what other=""
  refused_before="$(metric textanalysis_analyses_refused_total)"
  summarize_codes >"$work/codes.before"
  echo 5 >"/proc/$SERVER_PID/clear_refs"
  "$load" --addr "$SERVER_ADDR" --method health --concurrency 1 --seconds "$seconds" >"$work/health" &
  BACKGROUND=($!)
  if [ "$1" = "-D" ]; then
    "$load" --addr "$SERVER_ADDR" --method summarize --text "$data/a.txt" --concurrency 1 \
      --seconds "$seconds" >"$work/other" &
    BACKGROUND+=($!)
  fi
  started=$(date +%s.%N)
  timeout 120 h2load "$@" -c "$clients" -m "$streams" -d "$payload" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://$SERVER_ADDR/textanalysis.v1.TextAnalysisService/Summarize" >"$work/h2load" 2>&1 || true
  took=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f s", e - s }')
  peak="$(mib "$SERVER_PID" VmHWM)"
  for pid in "${BACKGROUND[@]}"; do wait "$pid" || true; done
  BACKGROUND=()
  summarize_codes >"$work/codes.after"
  sleep 5
  settled="$(mib "$SERVER_PID" VmRSS)"
  if [ "$1" = "-D" ]; then
    what="$n concurrent 1 MiB Summarize streams for $2 s | h2load \`-D $2 -c $clients -m $streams\`: each stream replaced by a new one as soon as it ends"
    other="; another client's 4.7 KB Summarize meanwhile (1 caller): $(awk -F'|' '{ gsub(/ /, "", $5); gsub(/ /, "", $8); printf "%s OK/s, %s refused", $5, $8 }' "$work/other")"
  else
    what="$n concurrent 1 MiB Summarize streams, one burst | h2load \`$* -c $clients -m $streams\`: each stream one 1 MiB Summarize call"
  fi
  echo "| $what | server's codes: $(code_changes "$work/codes.before" "$work/codes.after"); analyses_refused_total +$(($(metric textanalysis_analyses_refused_total) - refused_before)); h2load: $(grep -m1 '^requests:' "$work/h2load" | sed 's/^requests: //') in $took$other | RSS idle $idle, peak $peak, 5 s later $settled; health p99 over ${seconds} s meanwhile $(health_p99 "$work/health") |"
}
serve "$bin"
idle="$(mib "$SERVER_PID" VmRSS)"
flood 2 128 1.5 -n 256
flood 8 128 1.5 -n 1024
flood 2 128 5 -D 5

# --- Deadlines -----------------------------------------------------------------
"$abuse" deadline --addr "$SERVER_ADDR" --text "$data/a.txt" --bytes 1048576 --calls 10 --timeout 5m

# --- Large compressed answers, health checked meanwhile ------------------------
"$load" --addr "$SERVER_ADDR" --method health --concurrency 1 --seconds 10 >"$work/health" &
health=$!
BACKGROUND=("$health")
"$abuse" diffs --addr "$SERVER_ADDR" --a "$data/a.txt" --b "$data/b.txt" --bytes 1048576 \
  --callers 8 --seconds 8 >"$work/diffs"
wait "$health" || true
BACKGROUND=()
# The last row (the callers' run) gets the health p99 measured meanwhile.
head -n -1 "$work/diffs"
tail -n 1 "$work/diffs" | sed "s# |\$#; health p99 meanwhile $(health_p99 "$work/health") |#"

# --- Client mistakes, and what the metrics made of everything above ------------
"$abuse" mistakes --addr "$SERVER_ADDR" --metrics "$METRICS"
stop

# --- Stalled bodies ------------------------------------------------------------
serve "$bin" --request-read-timeout 2s
"$abuse" stall-body --addr "$SERVER_ADDR" --streams 200 --declared 4096 --metrics "$METRICS"
stop

# --- Stalled handshakes, plaintext and TLS -------------------------------------
serve "$bin" --handshake-timeout 2s
"$abuse" stall-handshake --addr "$SERVER_ADDR" --silent 100 --partial 100
stop
"$abuse" cert --dir "$work"
serve "$bin" --handshake-timeout 2s --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
"$abuse" stall-handshake --addr "$SERVER_ADDR" --ca "$work/ca.pem" --silent 100 --partial 100 --no-preface 100
stop

# --- Connection limit ----------------------------------------------------------
serve "$bin" --max-connections 50
"$abuse" connections --addr "$SERVER_ADDR" --handshaked 50 --extra 50 --metrics "$METRICS"
stop

# --- Out of file descriptors ---------------------------------------------------
cat >"$work/ulimit64" <<EOF
#!/usr/bin/env bash
ulimit -n 64
exec "$bin" "\$@"
EOF
chmod +x "$work/ulimit64"
serve "$work/ulimit64"
"$abuse" hold --addr "$SERVER_ADDR" --connections 100 --seconds 7 >"$work/hold" &
hold=$!
BACKGROUND=("$hold")
sleep 1.5
ticks0=$(cpu_ticks "$SERVER_PID")
lines0=$(wc -l <"$SERVER_LOG")
sleep 5
ticks1=$(cpu_ticks "$SERVER_PID")
lines1=$(wc -l <"$SERVER_LOG")
fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)
wait "$hold" || true
BACKGROUND=()
cat "$work/hold"
cpu=$(awk -v t="$((ticks1 - ticks0))" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f%%", 100 * t / hz / 5 }')
warnings="$(grep -c 'out of file descriptors' "$SERVER_LOG" || true)"
echo "| out of descriptors (ulimit -n 64) | (measured from outside over 5 s while they were held) | server CPU $cpu of a core; log lines written $((lines1 - lines0)) | descriptors open $fds (limit 64); 'out of file descriptors' warnings in the whole run: $warnings |"
sleep 0.5
"$abuse" health --addr "$SERVER_ADDR" --scenario "out of descriptors (ulimit -n 64)"
stop
