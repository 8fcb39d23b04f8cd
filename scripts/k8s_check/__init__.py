"""The stages of scripts/check_k8s.py, one module each: manifests (render,
validate, cross-check), image (the Dockerfile, its build, the binary's
settings) and pod (run a variant as its pod would). What they share is here."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
APP = "textanalysis"


class CheckError(Exception):
    """A check failed; the message says which and why."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckError(message)


def log(message: str) -> None:
    print(f"check-k8s: {message}", flush=True)
