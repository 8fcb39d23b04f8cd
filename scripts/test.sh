#!/usr/bin/env bash
# The one test command: formatting, lints, the proto lint, every Rust test
# (unit, integration against the real server, the binary), and the README's
# grpcurl examples against the real binary. Installs what it needs itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "tools"
source scripts/tools.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

step "buf lint"
"$BUF" lint

step "cargo test"
cargo test --locked --lib --bins --tests
cargo test --locked --doc

cargo build --locked --bin textanalysis
# Where cargo put it: a worktree may build into its own CARGO_TARGET_DIR.
bin="${CARGO_TARGET_DIR:-target}/debug/textanalysis"

step "the built-in news model rebuilds bit for bit"
rebuilt="$(mktemp)"
TEXTANALYSIS_BIN="$bin" scripts/build-news-model.sh "$rebuilt" >/dev/null
cmp "$rebuilt" models/news.tam
rm -f "$rebuilt"

step "README grpcurl examples"
scripts/readme-examples.sh "$bin"

