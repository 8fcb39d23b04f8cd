#!/usr/bin/env bash
# The one test command: formatting, lints, the proto lint and breaking-change
# check, every Rust test (unit, integration against the real server, the
# binary), the segmenter's score on the English Golden Rules, the README's
# grpcurl examples and the Python and Node example clients against the real
# binary, a short run of every fuzz target, and the offline checks of the
# Dockerfile and the Kubernetes manifests, whose build of the image's release
# binary is the binary the other steps run. Installs what it needs itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*"; }

# What the checkout looked like before: the run must leave it so (what it
# makes goes under ignored paths: target/, .tools/, fuzz/corpus/, ...).
checkout_before="$(git status --porcelain 2>/dev/null || true)"

step "tools"
source scripts/tools.sh

step "cargo fmt --check"
cargo fmt --all -- --check
(cd fuzz && cargo fmt -- --check)

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

step "buf lint"
"$BUF" lint

step "buf breaking against the last released contract (proto/baseline/)"
"$BUF" breaking --against proto/baseline/textanalysis-v1.binpb

step "the sentence encoder's model (scripts/fetch-encoder.sh), which its tests load"
scripts/fetch-encoder.sh

step "the encoder's static table (textanalysis distill-static), which Embed's EMBEDDING_MODEL_STATIC, its tests and the README's examples load"
# Kept when it is there; otherwise some 30,000 three-token inputs through the
# encoder, about 100 s of CPU (under a minute on two cores). The debug binary
# is the one the tests build anyway.
cargo run --locked --quiet --bin textanalysis -- distill-static \
  --semantic-model "${TEXTANALYSIS_SEMANTIC_MODEL:-models/encoder/all-MiniLM-L6-v2}"

step "cargo test"
cargo test --locked --lib --bins --tests
cargo test --locked --doc

step "the Dockerfile and the Kubernetes manifests, offline"
# The Dockerfile's own `cargo build --locked --release` command, with the
# release profile's optimisation eased through cargo's environment (no LTO,
# opt-level 1): the check needs the binary's flags, probes and signals, not
# its speed, and this keeps the test command within its time budget. The
# image itself builds with the profile in Cargo.toml. It runs before the
# steps that need a binary, which run the one it built: the release binary
# is built once.
CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 scripts/check-k8s.sh
# Where the check's build put it: a worktree may build into its own
# CARGO_TARGET_DIR.
bin="${CARGO_TARGET_DIR:-target}/release/textanalysis"
[ -x "$bin" ] || { echo "test: the Kubernetes check built no binary at $bin" >&2; exit 1; }

step "sentence segmentation: pySBD's English Golden Rules, at least 44 of 48 (scripts/eval-segment.sh)"
cargo build --locked --example segment
SEGMENT_BIN="${CARGO_TARGET_DIR:-target}/debug/examples/segment" scripts/eval-segment.sh --min 44

step "the built-in news model rebuilds bit for bit"
rebuilt="$(mktemp)"
TEXTANALYSIS_BIN="$bin" scripts/build-news-model.sh "$rebuilt" >/dev/null
cmp "$rebuilt" models/news.tam
rm -f "$rebuilt"

step "README grpcurl examples"
scripts/readme-examples.sh "$bin"

step "example clients, generated from proto/ (Python, Node), against the real binary"
scripts/check-clients.sh "$bin"

step "fuzz every target for a short, fixed time (scripts/fuzz.sh)"
TEXTANALYSIS_BIN="$bin" scripts/fuzz.sh "${FUZZ_SECONDS:-10}"

step "the checkout is as the run found it"
checkout_after="$(git status --porcelain 2>/dev/null || true)"
if [ "$checkout_after" != "$checkout_before" ]; then
  echo "the test command changed the checkout (it must write only under ignored paths):" >&2
  diff <(printf '%s\n' "$checkout_before") <(printf '%s\n' "$checkout_after") >&2 || true
  exit 1
fi
