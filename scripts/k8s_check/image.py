"""Steps 3 and 4 of scripts/check_k8s.py: the Dockerfile read and its binary
built in a copy of the build context; the Deployment's flags and environment
checked against that binary."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from dockerfile_parse import DockerfileParser

from k8s_check import ROOT, check, log
from k8s_check.manifests import flag_values


def read_dockerfile() -> dict:
    parser = DockerfileParser(str(ROOT / "Dockerfile"))
    stages: list[list[dict]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        if instruction["instruction"] != "COMMENT":
            check(bool(stages), "Dockerfile: an instruction before the first FROM")
            stages[-1].append(instruction)
    check(len(stages) == 2, "Dockerfile: expected a build stage and a run stage")

    def values(stage: list[dict], name: str) -> list[str]:
        return [i["value"] for i in stage if i["instruction"] == name]

    build, run = stages
    runs = values(build, "RUN")
    check(
        len(runs) == 1 and runs[0].startswith("cargo build "),
        "Dockerfile: the build stage must have one RUN, a `cargo build`",
    )
    cargo = runs[0].split()
    check("--release" in cargo and "--locked" in cargo, "Dockerfile: build with --release --locked")
    copies = [v for v in values(run, "COPY") if v.startswith("--from=")]
    check(len(copies) == 1, "Dockerfile: the run stage copies one file from the build stage")
    source, destination = copies[0].split()[1:]
    check(source.endswith("/target/release/textanalysis"), "Dockerfile: copies the release binary")
    entrypoint = json.loads(values(run, "ENTRYPOINT")[-1])
    cmd = json.loads(values(run, "CMD")[-1])
    check(entrypoint[0] == destination, "Dockerfile: ENTRYPOINT is not the copied binary")
    user = values(run, "USER")[-1]
    check(
        re.fullmatch(r"[1-9][0-9]*:[1-9][0-9]*", user) is not None,
        f"Dockerfile: USER {user} must be a numeric non-root uid:gid (runAsNonRoot)",
    )
    uid, gid = (int(x) for x in user.split(":"))
    build_image = values(build, "FROM")[0].split()[0]
    run_image = values(run, "FROM")[0].split()[0]
    # The binary links the build image's glibc: the run image must be the same
    # Debian release.
    check(
        "bookworm" in build_image and "debian12" in run_image,
        f"Dockerfile: {build_image} and {run_image} are not the same Debian release",
    )
    rust = re.search(r"rust:(\d+)\.(\d+)", build_image)
    manifest = (ROOT / "Cargo.toml").read_text()
    needed = re.search(r'^rust-version\s*=\s*"(\d+)\.(\d+)', manifest, re.M)
    check(rust is not None and needed is not None, "Dockerfile: cannot read the Rust versions")
    check(
        (int(rust[1]), int(rust[2])) >= (int(needed[1]), int(needed[2])),
        f"Dockerfile: {build_image} is older than Cargo.toml's rust-version",
    )
    exposed = sorted(int(p.split("/")[0]) for v in values(run, "EXPOSE") for p in v.split())
    return {
        "cargo": cargo,
        "entrypoint": entrypoint,
        "cmd": cmd,
        "uid": uid,
        "gid": gid,
        "exposed": exposed,
    }


def build_in_context(work: Path, cargo: list[str]) -> Path:
    """The Docker build context copied to `work` and built there."""
    from docker.utils.build import exclude_paths

    # As the Docker CLI (and docker-py's `build`) read .dockerignore.
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    context = work / "context"
    if context.exists():
        shutil.rmtree(context)
    context.mkdir(parents=True)
    paths = sorted(exclude_paths(str(ROOT), patterns))
    for relative in paths:
        source = ROOT / relative
        if source.is_dir():
            (context / relative).mkdir(parents=True, exist_ok=True)
        else:
            (context / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, context / relative)
    # The sources' times, directories last and deepest first: cargo compares
    # them (build.rs watches the proto/ directory), so an unchanged tree is
    # not rebuilt.
    for relative in reversed(paths):
        if (ROOT / relative).is_dir():
            shutil.copystat(ROOT / relative, context / relative)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")).resolve()
    log(f"building the image's binary in a copy of the build context: {' '.join(cargo)}")
    started = time.monotonic()
    result = subprocess.run(cargo, cwd=context, env={**os.environ, "CARGO_TARGET_DIR": str(target)})
    check(result.returncode == 0, f"the Dockerfile's `{' '.join(cargo)}` failed in the build context")
    log(f"built in {time.monotonic() - started:.0f} s")
    return target / "release" / "textanalysis"



def binary_settings(binary: Path) -> dict[str, str]:
    """Flag name -> environment variable, from `textanalysis serve --help`."""
    help_text = subprocess.run(
        [str(binary), "serve", "--help"], capture_output=True, text=True, check=True
    ).stdout
    settings: dict[str, str] = {}
    flag = None
    for line in help_text.splitlines():
        match = re.match(r"\s+(?:-\w, )?--([a-z0-9-]+)", line)
        if match:
            flag = match.group(1)
            settings.setdefault(flag, "")
        env = re.search(r"\[env: ([A-Z0-9_]+)=", line)
        if env and flag:
            settings[flag] = env.group(1)
    check(
        "listen" in settings and settings["listen"] == "TEXTANALYSIS_LISTEN",
        "cannot read the flags of `textanalysis serve --help`",
    )
    return settings


def check_against_binary(variant: str, info: dict, settings: dict[str, str], binary: Path) -> None:
    args = info["container"].get("args", [])
    flags = flag_values(args)
    variables = {v: f for f, v in settings.items() if v}
    for flag in flags:
        check(flag in settings, f"{variant}: args has --{flag}, which `textanalysis serve` lacks")
    for name in info["env"]:
        if name.startswith("TEXTANALYSIS_"):
            check(name in variables, f"{variant}: {name} is read by nothing (`serve --help`)")
            check(
                variables[name] not in flags, f"{variant}: {name} is shadowed by --{variables[name]} in args"
            )
