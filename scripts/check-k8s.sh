#!/usr/bin/env bash
# Offline checks of the Dockerfile and of k8s/ (base and every overlay), with
# no cluster and no container engine: see scripts/check_k8s.py for what is
# checked and how. Needs kubectl (for `kubectl kustomize`, which is on the
# machine image) and root (the pod is run in namespaces of its own with
# `unshare`); installs promtool (Debian's prometheus package) when missing,
# its Python tools through scripts/tools.sh, and the sentence encoder's
# model, which the pods load as the image's, through scripts/fetch-encoder.sh
# when the checkout lacks it, and its static table through the built binary's
# distill-static likewise (about 100 s of CPU).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v kubectl >/dev/null 2>&1; then
  echo "check-k8s: kubectl not found: it renders the kustomizations (kubectl kustomize)." >&2
  echo "check-k8s: it is on the project's machine image; elsewhere install kubectl 1.27+." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "check-k8s: must run as root: each pod check runs in its own network and mount namespace." >&2
  exit 1
fi

# promtool checks the alerting rules (`promtool check rules`, `promtool test
# rules`); Debian's prometheus package ships it. Installed only when missing,
# since CI runs as root on a fresh machine.
if ! command -v promtool >/dev/null 2>&1; then
  echo "check-k8s: installing promtool (Debian package prometheus)" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get install -y -qq --no-install-recommends prometheus >/dev/null ||
    { timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
fi

source scripts/tools.sh
target="${CARGO_TARGET_DIR:-$PWD/target}"
PATH="$TOOLS_BIN:$PATH" exec "$TOOLS_BIN/python" scripts/check_k8s.py all --work "$target/k8s-check"
