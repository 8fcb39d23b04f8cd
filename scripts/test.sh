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

step "README grpcurl examples"
cargo build --locked --bin textanalysis
scripts/readme-examples.sh target/debug/textanalysis

step "all tests passed"
