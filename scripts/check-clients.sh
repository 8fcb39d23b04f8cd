#!/usr/bin/env bash
# The example clients in other languages against the real server: generates
# the Python client from proto/ with grpcio-tools, installs the Node client's
# packages, starts the server, runs both clients (examples/python,
# examples/node) on examples/clients-testdata/, and stops the server.
#
#   scripts/check-clients.sh path/to/textanalysis
#
# Installs are cached: the Python packages of examples/python/requirements.txt
# go into .tools/python-client (a venv of their own), the Node packages of
# examples/node/package-lock.json into examples/node/node_modules (`npm ci`);
# each is redone only when its pin file changes. The generated Python code
# (examples/python/generated/) is made anew on every run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:?usage: check-clients.sh path/to/textanalysis}"
source "$root/scripts/tools.sh"

venv="$root/.tools/python-client"
requirements="$root/examples/python/requirements.txt"
if ! cmp -s "$requirements" "$venv/requirements.txt"; then
  echo "check-clients: installing examples/python/requirements.txt into .tools/python-client" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.txt"
fi

node_dir="$root/examples/node"
if ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.textanalysis-lock.json"; then
  echo "check-clients: npm ci in examples/node" >&2
  # --ignore-scripts: no package here needs an install script (protobufjs's
  # only checks versions).
  (cd "$node_dir" && npm ci --ignore-scripts --no-audit --no-fund --silent)
  cp "$node_dir/package-lock.json" "$node_dir/node_modules/.textanalysis-lock.json"
fi

generated="$root/examples/python/generated"
rm -rf "$generated"
mkdir -p "$generated"
# The contract imports google/rpc/status.proto (AnalyzeStream's per-item
# errors): it is generated here too, into generated/google/rpc/, which Python
# joins with the protobuf package's google/ as one namespace package. So
# googleapis-common-protos is not needed, and not installed: its google.rpc, a
# regular package, would shadow this one. grpc_tools finds
# google/protobuf/any.proto among the well-known types it bundles.
"$venv/bin/python" -m grpc_tools.protoc -I "$root/proto" \
  --python_out="$generated" --pyi_out="$generated" --grpc_python_out="$generated" \
  "$root/proto/textanalysis/v1/text_analysis.proto" "$root/proto/google/rpc/status.proto"

# With the sentence encoder (the test command fetched it): the clients call
# Embed.
start_server "$bin" --semantic-model "${TEXTANALYSIS_SEMANTIC_MODEL:-$root/models/encoder/all-MiniLM-L6-v2}"
pid=$SERVER_PID
trap 'kill "$pid" 2>/dev/null || true' EXIT

failed=0
"$venv/bin/python" "$root/examples/python/client.py" "$SERVER_ADDR" || failed=1
node "$node_dir/client.js" "$SERVER_ADDR" || failed=1

kill -TERM "$pid"
wait "$pid" || { echo "server did not exit 0 on SIGTERM" >&2; failed=1; }
trap - EXIT
exit "$failed"
