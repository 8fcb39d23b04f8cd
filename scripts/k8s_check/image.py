"""Steps 3 and 4 of scripts/check_k8s.py: the Dockerfile read and its binary
built in a copy of the build context, the image's model and static table
made as its stages make them; the Deployment's flags and environment checked
against that binary."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path, PurePosixPath

from dockerfile_parse import DockerfileParser

from k8s_check import ROOT, check, log
from k8s_check.manifests import flag_values

# The image's stages by their `AS` names; the run stage is the last, unnamed.
MODEL_STAGE = "model"
BUILD_STAGE = "build"
STATIC_STAGE = "static"
# The variable that names the encoder's model directory to the server.
MODEL_VARIABLE = "TEXTANALYSIS_SEMANTIC_MODEL"
# What the model stage runs and the one file besides it reads.
FETCH_SCRIPT = "scripts/fetch-encoder.sh"
FETCH_PINS = "models/encoder.sha256"
# Where the server defines the static table's file name, which it looks for
# in the encoder's model directory.
STATIC_SOURCE = "src/encoder/static_table.rs"


def read_dockerfile() -> dict:
    parser = DockerfileParser(str(ROOT / "Dockerfile"))
    stages: list[list[dict]] = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        if instruction["instruction"] != "COMMENT":
            check(bool(stages), "Dockerfile: an instruction before the first FROM")
            stages[-1].append(instruction)

    def stage_name(stage: list[dict]) -> str | None:
        words = values(stage, "FROM")[0].split()
        return words[2] if len(words) == 3 and words[1].upper() == "AS" else None

    named = {stage_name(stage): stage for stage in stages[:-1]}
    check(
        len(stages) == 4
        and set(named) == {MODEL_STAGE, BUILD_STAGE, STATIC_STAGE}
        and stage_name(stages[-1]) is None,
        f"Dockerfile: expected a `{MODEL_STAGE}` stage, a `{BUILD_STAGE}` stage, a `{STATIC_STAGE}` "
        "stage and the run stage, last",
    )
    build, run = named[BUILD_STAGE], stages[-1]
    runs = values(build, "RUN")
    check(
        len(runs) == 1 and runs[0].startswith("cargo build "),
        "Dockerfile: the build stage must have one RUN, a `cargo build`",
    )
    cargo = runs[0].split()
    check("--release" in cargo and "--locked" in cargo, "Dockerfile: build with --release --locked")
    model = model_stage(named[MODEL_STAGE])

    copies: dict[str, list[tuple[str, str]]] = {}
    stages_copied = [f"--from={name}" for name in (BUILD_STAGE, MODEL_STAGE, STATIC_STAGE)]
    for copy in values(run, "COPY"):
        words = copy.split()
        check(
            len(words) == 3 and words[0] in stages_copied,
            "Dockerfile: the run stage copies the binary, the model and the static table from their "
            f"stages, not `COPY {copy}`",
        )
        copies.setdefault(words[0].removeprefix("--from="), []).append((words[1], words[2]))
    check(
        all(len(copies.get(name, [])) == 1 for name in (BUILD_STAGE, MODEL_STAGE, STATIC_STAGE)),
        "Dockerfile: the run stage copies one file from the build stage, one directory from the "
        "model stage and one file from the static stage",
    )
    source, destination = copies[BUILD_STAGE][0]
    check(source.endswith("/target/release/textanalysis"), "Dockerfile: copies the release binary")
    model_source, model_path = (path.rstrip("/") for path in copies[MODEL_STAGE][0])
    check(
        model_source == model["fetched"],
        f"Dockerfile: the run stage copies {model_source}, not the {model['fetched']} the model "
        "stage fetched",
    )
    table = static_stage(named[STATIC_STAGE], model["fetched"], source)
    # The server reads the table from the encoder's directory, under the
    # name its source defines.
    table_source, table_path = copies[STATIC_STAGE][0]
    check(
        table_source == table["written"],
        f"Dockerfile: the run stage copies {table_source}, not the {table['written']} the static "
        "stage writes",
    )
    check(
        table_path == f"{model_path}/{table['file']}",
        f"Dockerfile: the run stage copies the static table to {table_path}, not beside the model, "
        f"{model_path}/{table['file']}, where the server looks for it",
    )
    env = image_env(values(run, "ENV"))
    check(
        env.get(MODEL_VARIABLE) == model_path,
        f"Dockerfile: the run stage must set ENV {MODEL_VARIABLE}={model_path}, where it copies the model",
    )
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
        "model_path": model_path,
        "model_context_files": model["context_files"],
        "static_command": table["command"],
        "env": env,
        "entrypoint": entrypoint,
        "cmd": cmd,
        "uid": uid,
        "gid": gid,
        "exposed": exposed,
    }


def values(stage: list[dict], name: str) -> list[str]:
    """The arguments of a stage's instructions of one kind, in order."""
    return [i["value"] for i in stage if i["instruction"] == name]


def model_stage(stage: list[dict]) -> dict:
    """The model stage runs the fetch script and nothing else, on the script
    and its pins alone: the image's model is then the one the pins name, and
    a source change does not fetch it again."""
    workdir = PurePosixPath("/")
    placed: dict[str, PurePosixPath] = {}
    for instruction in stage[1:]:
        kind, value = instruction["instruction"], instruction["value"]
        check(
            kind in ("WORKDIR", "COPY", "RUN"),
            f"Dockerfile: the model stage copies the fetch script and its pins and runs it, not {kind}",
        )
        if kind == "WORKDIR":
            workdir = workdir / value
        elif kind == "COPY":
            words = value.split()
            check(
                len(words) == 2 and words[0] in (FETCH_SCRIPT, FETCH_PINS),
                f"Dockerfile: the model stage copies {FETCH_SCRIPT} and {FETCH_PINS} only, "
                f"not `COPY {value}`",
            )
            target = workdir / words[1]
            placed[words[0]] = target / PurePosixPath(words[0]).name if words[1].endswith("/") else target
    check(
        set(placed) == {FETCH_SCRIPT, FETCH_PINS},
        f"Dockerfile: the model stage needs {FETCH_SCRIPT} and {FETCH_PINS}",
    )
    # The script reads its pins at models/encoder.sha256 above its own
    # directory, as in the repository.
    script = placed[FETCH_SCRIPT]
    check(
        placed[FETCH_PINS] == script.parent.parent / FETCH_PINS,
        f"Dockerfile: {FETCH_SCRIPT} would not find its pins at {placed[FETCH_PINS]}",
    )
    runs = values(stage, "RUN")
    command = shlex.split(runs[0]) if len(runs) == 1 else []
    check(
        len(command) == 2 and workdir / command[0] == script and command[1].startswith("/"),
        f"Dockerfile: the model stage's one RUN must be `{FETCH_SCRIPT} /ABSOLUTE/DIR`",
    )
    return {"fetched": command[1].rstrip("/"), "context_files": sorted(placed)}


def static_table_file() -> str:
    """The static table's file name, as the server's source defines it."""
    found = re.search(
        r'^pub const STATIC_FILE: &str = "([^"/]+)";', (ROOT / STATIC_SOURCE).read_text(), re.M
    )
    check(found is not None, f"cannot read STATIC_FILE in {STATIC_SOURCE}")
    return found[1]


def static_stage(stage: list[dict], fetched: str, binary: str) -> dict:
    """The static stage starts from the build stage, copies in the model the
    model stage fetched and runs the built binary's distill-static on it,
    nothing else: the image's table is then distilled from the image's model
    by the image's binary. The model keeps its directory's name, which the
    table records as its encoder's (ListModels' static_encoder)."""
    words = values(stage, "FROM")[0].split()
    check(
        words[0] == BUILD_STAGE,
        f"Dockerfile: the static stage must start FROM {BUILD_STAGE}, which holds the binary",
    )
    copied = None
    for instruction in stage[1:]:
        kind, value = instruction["instruction"], instruction["value"]
        check(
            kind in ("COPY", "RUN"),
            f"Dockerfile: the static stage copies the model and runs distill-static, not {kind}",
        )
        if kind == "COPY":
            parts = value.split()
            check(
                copied is None
                and len(parts) == 3
                and parts[0] == f"--from={MODEL_STAGE}"
                and parts[1].rstrip("/") == fetched
                and parts[2].startswith("/"),
                f"Dockerfile: the static stage copies the model stage's {fetched} to an absolute "
                f"path, once, not `COPY {value}`",
            )
            copied = parts[2].rstrip("/")
    check(copied is not None, "Dockerfile: the static stage needs the model stage's model")
    check(
        PurePosixPath(copied).name == PurePosixPath(fetched).name,
        f"Dockerfile: the static stage's model at {copied} must keep the name of {fetched}",
    )
    runs = values(stage, "RUN")
    command = shlex.split(runs[0]) if len(runs) == 1 else []
    check(
        command == [binary, "distill-static", "--semantic-model", copied],
        f"Dockerfile: the static stage's one RUN must be `{binary} distill-static --semantic-model "
        f"{copied}`",
    )
    file = static_table_file()
    return {"command": command, "written": f"{copied}/{file}", "file": file}


def distil_table(binary: Path, command: list[str], model: Path) -> Path:
    """The static table the image holds, as the static stage distils it (the
    same command, the built binary) but in the checkout's model directory,
    where the test command has distilled it already (then distill-static
    keeps it, and this checks the command's flags)."""
    run = [str(binary), *command[1:-1], str(model)]
    result = subprocess.run(run)
    check(result.returncode == 0, f"`{' '.join(run)}` failed (above)")
    table = model / static_table_file()
    check(table.is_file(), f"`{' '.join(run)}` wrote no {table}")
    return table


def image_env(instructions: list[str]) -> dict[str, str]:
    """The run stage's ENV, in the `KEY=value` form."""
    env = {}
    for instruction in instructions:
        for pair in shlex.split(instruction):
            check(
                "=" in pair and "$" not in pair, f"Dockerfile: ENV {instruction}: write KEY=value, literally"
            )
            key, value = pair.split("=", 1)
            env[key] = value
    return env


def build_in_context(work: Path, cargo: list[str], model_files: list[str]) -> Path:
    """The Docker build context copied to `work` and built there; the model
    stage's `model_files` must be in it."""
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
    for needed in model_files:
        check(needed in paths, f".dockerignore: the model stage's {needed} is not in the build context")
    # A checkout's own copy of the weights would be sent to the builder on
    # every build, and the image does not use it.
    check(
        not any(p == "models/encoder" or p.startswith("models/encoder/") for p in paths),
        ".dockerignore: the checkout's encoder weights (models/encoder/) are in the build context",
    )
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


def fetch_model(image_path: str) -> Path:
    """The model the image holds, as the model stage fetches it (the same
    script and pins) but into the checkout, where the test command has
    fetched it already (then this only checks the pins): models/encoder/
    under the image directory's name, which the server reports as the
    model's name."""
    where = ROOT / "models" / "encoder" / PurePosixPath(image_path).name
    result = subprocess.run([str(ROOT / FETCH_SCRIPT), str(where)])
    check(result.returncode == 0, f"{FETCH_SCRIPT} {where} failed (above)")
    return where


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
