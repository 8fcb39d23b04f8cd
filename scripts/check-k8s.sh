#!/usr/bin/env bash
# Offline checks of the Dockerfile and of k8s/ (base and every overlay), with
# no cluster and no container engine: see scripts/check_k8s.py for what is
# checked and how. Needs kubectl (for `kubectl kustomize`, which is on the
# machine image) and root (the pod is run in namespaces of its own with
# `unshare`); installs its Python tools through scripts/tools.sh, and the
# sentence encoder's model, which the pods load as the image's, through
# scripts/fetch-encoder.sh when the checkout lacks it.
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

source scripts/tools.sh
target="${CARGO_TARGET_DIR:-$PWD/target}"
PATH="$TOOLS_BIN:$PATH" exec "$TOOLS_BIN/python" scripts/check_k8s.py all --work "$target/k8s-check"
