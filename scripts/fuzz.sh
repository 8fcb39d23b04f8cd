#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for a fixed time each,
# starting from the seeds in fuzz/seeds/ and every input ever found
# (fuzz/regressions/), and fails on the first finding.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, every target)
#
# Runs on stable Rust: cargo-fuzz's coverage instrumentation needs no
# nightly, only its sanitizers do, so the targets build with `-s none`, and
# with `-a`: Rust's own bounds checks plus overflow checks and debug
# assertions are what catch bugs in safe code (the crate denies `unsafe` but for one prefetch hint). cargo-fuzz is installed,
# pinned, into .tools/cargo.
#
# On a finding: libFuzzer's report names the input it saved under
# fuzz/artifacts/TARGET/. Fix the bug, then keep the input as a regression
# test: copy it to fuzz/regressions/TARGET/ (tests/it/fuzz_regressions.rs
# replays every file there in the ordinary test run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(segment summarize classify compare model_file)

CARGO_FUZZ_VERSION=0.13.2
tools="$root/.tools/cargo"
if [ ! -x "$tools/bin/cargo-fuzz" ] || ! "$tools/bin/cargo-fuzz" --version | grep -q "$CARGO_FUZZ_VERSION"; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION into .tools/cargo" >&2
  cargo install --quiet --locked --root "$tools" cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
export PATH="$tools/bin:$PATH"

# The model-file target starts from real model files: tiny models trained
# from invented examples with the current format (one single-label, one
# multi-label), so the fuzzer mutates valid headers and arrays.
bin="${TEXTANALYSIS_BIN:-$root/target/debug/textanalysis}"
if [ ! -x "$bin" ]; then
  cargo build --locked --bin textanalysis
fi
models="$(mktemp -d)"
trap 'rm -rf "$models"' EXIT
for data in model_train model_train_multi; do
  "$bin" train --input "fuzz/$data.jsonl" --out "$models/$data.tam" --holdout 0 >/dev/null 2>&1
done

# cargo-fuzz has no --locked: check first that fuzz/Cargo.lock needs no
# change, so that a stale lock fails here instead of being rewritten (which
# would need the network and dirty the checkout).
cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null
cargo fuzz build -s none -a
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  # A target may have no committed seeds yet (git keeps no empty folder), and
  # libFuzzer stops on an input folder that does not exist.
  mkdir -p "$corpus" "fuzz/regressions/$target" "fuzz/seeds/$target"
  inputs=("fuzz/seeds/$target" "fuzz/regressions/$target")
  [ "$target" = model_file ] && inputs+=("$models")
  echo "fuzz: $target for ${seconds}s" >&2
  log="$models/$target.log"
  # -timeout: one input taking more than 10 s is a finding too (the
  # service bounds every request by time and size).
  if ! cargo fuzz run -s none -a "$target" "$corpus" "${inputs[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz: $target FOUND A FAILURE; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$log" >&2 || true
done
echo "fuzz: no findings in ${seconds}s per target" >&2
