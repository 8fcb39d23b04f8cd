#!/usr/bin/env bash
# Runs every `grpcurl` line of README.md against a real server, so the README
# never shows a call that does not work.
#
#   scripts/readme-examples.sh path/to/textanalysis
#
# The server starts on an ephemeral port; each example's 127.0.0.1:50051 (and
# the own-model example's 127.0.0.1:50052) is pointed there. A line ending in `# -> CodeName` must fail with that gRPC
# status code (grpcurl prints `Code: CodeName`); every other line must succeed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:?usage: readme-examples.sh path/to/textanalysis}"
source "$root/scripts/tools.sh"
export PATH="$TOOLS_BIN:$PATH"

# The README's own-model example serves a model trained from
# examples/support/ under the name `support`.
models="$(mktemp -d)"
"$bin" train --input "$root/examples/support/support.jsonl" --out "$models/support.tam" >/dev/null
# With the sentence encoder, which the test command fetched: the README's
# Embed lines need it.
start_server "$bin" --model "support=$models/support.tam" \
  --semantic-model "${TEXTANALYSIS_SEMANTIC_MODEL:-$root/models/encoder/all-MiniLM-L6-v2}"
pid=$SERVER_PID
addr=$SERVER_ADDR
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$models"' EXIT

passed=0
failed=0
cd "$root"
while IFS= read -r line; do
  expect=""
  if [[ "$line" =~ \#\ -\>\ ([A-Za-z]+)[[:space:]]*$ ]]; then
    expect="${BASH_REMATCH[1]}"
    line="${line%%# ->*}"
  fi
  # 50051 is the first server of the README, 50052 the second, which
  # serves the support model: this one server stands for both.
  cmd="${line//127.0.0.1:50051/$addr}"
  cmd="${cmd//127.0.0.1:50052/$addr}"
  set +e
  out="$(bash -c "$cmd" 2>&1)"
  rc=$?
  set -e
  if [ -z "$expect" ] && [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
  elif [ -n "$expect" ] && [ "$rc" -ne 0 ] && grep -q "Code: $expect" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAILED (exit %s, expected %s): %s\n%s\n' "$rc" "${expect:-success}" "$line" "$out" >&2
  fi
done < <(grep -E '^grpcurl ' README.md)

kill -TERM "$pid"
wait "$pid" || { echo "server did not exit 0 on SIGTERM" >&2; failed=$((failed + 1)); }
trap 'rm -rf "$models"' EXIT
echo "readme-examples: $passed passed, $failed failed"
[ "$passed" -gt 0 ] && [ "$failed" -eq 0 ]
