#!/usr/bin/env python3
"""Offline checks of the Dockerfile and the Kubernetes manifests in k8s/.

Run by scripts/check-k8s.sh (which installs the tools), in this order:

1. Render k8s/base and every overlay with `kubectl kustomize`, and validate
   every rendered document with kubernetes-validate in strict mode against the
   schemas of Kubernetes 1.30 (the oldest release the manifests need: native
   preStop sleep, ContainerResource autoscaling) and 1.37 (the newest it
   ships). Istio's and the Gateway API's resources are not Kubernetes kinds:
   they are validated against the project's own partial schemas in
   scripts/k8s-crd-schemas.yaml (see there what they cover).
2. Check what the schemas cannot: that ports, probes, Services, scrape
   annotations, the autoscaler, the disruption budget and the meshes' drain
   settings agree with each other and with the Deployment's args.
3. Build the release binary with the Dockerfile's own `RUN cargo build`
   command, in a copy of the Docker build context (the repository less
   .dockerignore, as Docker's Python client computes it).
4. Check the Deployment's args and environment against the binary: every flag
   parses, every TEXTANALYSIS_* variable is one the binary reads, and none is
   shadowed by a flag in args.
5. Run each variant as a pod would, and call its probes: in a fresh network
   and mount namespace, the binary (and the shared libraries it links, which
   must all be in the distroless image) at the image's entry point path in a
   root filesystem of its own, read-only when the securityContext says so;
   the volumes bind-mounted at their mountPaths with the ConfigMap's files;
   the user, group and no-new-privileges of the securityContext; the image's
   entry point followed by the Deployment's args, and only the Deployment's
   environment. No address or path is changed. Then: the startup, readiness
   and liveness probes (grpc.health.v1 Check with the probe's service, at the
   probe's port, through 127.0.0.2 so that a server bound to 127.0.0.1 alone
   would fail like a probe to the pod IP) answer SERVING; the scrape
   annotations' port and path answer with metrics; every log line is JSON;
   SIGTERM ends the process with status 0 within the grace period. The
   Dockerfile's default command is run the same way.

Not checked here (no cluster): admission (Pod Security, the meshes'
injection), seccomp, scheduling, the meshes' own behaviour.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {
    "base": "k8s/base",
    "istio": "k8s/overlays/istio",
    "istio-ambient": "k8s/overlays/istio-ambient",
    "linkerd": "k8s/overlays/linkerd",
}
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
APP = "textanalysis"
# The address the probes and the scrape go to inside the pod's namespace: not
# the one-and-only loopback address, so that a server listening on 127.0.0.1
# alone fails here as it would fail the kubelet's probe to the pod IP.
POD_ADDRESS = "127.0.0.2"
# Shared libraries the distroless cc image provides (glibc and libgcc_s).
DISTROLESS_CC_LIBS = {
    "linux-vdso.so.1",
    "libc.so.6",
    "libm.so.6",
    "libgcc_s.so.1",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
}
# PATH of the distroless image; the kubelet adds the image's environment.
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class CheckError(Exception):
    """A check failed; the message says which and why."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckError(message)


def log(message: str) -> None:
    print(f"check-k8s: {message}", flush=True)


# ---------------------------------------------------------------------------
# 1. Render and validate


def render(kustomization: Path) -> list[dict]:
    result = subprocess.run(
        ["kubectl", "kustomize", str(kustomization)],
        capture_output=True,
        text=True,
    )
    check(
        result.returncode == 0,
        f"kubectl kustomize {kustomization} failed:\n{result.stderr}",
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def validate(variant: str, docs: list[dict], crd_schemas: dict) -> None:
    for doc in docs:
        what = f"{variant}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        key = f"{doc.get('apiVersion')}/{doc.get('kind')}"
        if key in crd_schemas["kinds"]:
            schema = dict(crd_schemas["kinds"][key])
            schema["definitions"] = crd_schemas["definitions"]
            try:
                jsonschema.Draft7Validator(schema).validate(doc)
            except jsonschema.ValidationError as e:
                raise CheckError(
                    f"{what} (own schema of {key}): {e.message} at {list(e.absolute_path)}"
                ) from None
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.SchemaNotFoundError:
                raise CheckError(
                    f"{what}: no Kubernetes {version} schema for {key}, and no own "
                    "schema in scripts/k8s-crd-schemas.yaml"
                ) from None
            except kubernetes_validate.ValidationError as e:
                raise CheckError(
                    f"{what} (Kubernetes {version}, strict): {e.message} at {list(e.absolute_path)}"
                ) from None


# ---------------------------------------------------------------------------
# 2. Consistency of the manifests


def one(docs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    check(len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}")
    return found[0]


def flag_values(args: list[str]) -> dict[str, str]:
    """`--name=value` and `--name value` pairs of a command line."""
    values = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--"):
            if "=" in arg:
                name, value = arg[2:].split("=", 1)
            elif i + 1 < len(args) and not args[i + 1].startswith("--"):
                name, value = arg[2:], args[i + 1]
                i += 1
            else:
                name, value = arg[2:], ""
            values[name] = value
        i += 1
    return values


def mebibytes(quantity: str) -> float:
    """A Kubernetes memory quantity (`512Mi`, `1Gi`, `536870912`) in MiB."""
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "K": 1e3 / 2**20, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    for suffix, scale in units.items():
        if quantity.endswith(suffix):
            return float(quantity[: -len(suffix)]) * scale
    return float(quantity) / 2**20


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def seconds(duration: str) -> float:
    """The binary's durations (`25s`, `500ms`, `2m`, bare seconds) and Istio's."""
    match = re.fullmatch(r"([0-9.]+)(ms|s|m|h)?", duration.strip())
    check(match is not None, f"cannot read the duration {duration!r}")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}[match.group(2)]
    return float(match.group(1)) * scale


def container_of(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    found = [c for c in containers if c["name"] == APP]
    check(len(found) == 1, f"the Deployment has no container named {APP}")
    return found[0]


def configmap_env(docs: list[dict], container: dict) -> dict[str, str]:
    """The container's environment as the kubelet builds it from the manifests."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        check("configMapRef" in source, f"envFrom {source}: only configMapRef is supported here")
        cm = one(docs, "ConfigMap", source["configMapRef"]["name"])
        prefix = source.get("prefix", "")
        env.update({prefix + k: v for k, v in cm.get("data", {}).items()})
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        else:
            ref = var.get("valueFrom", {}).get("configMapKeyRef")
            check(ref is not None, f"env {var['name']}: only values and configMapKeyRef are supported here")
            env[var["name"]] = one(docs, "ConfigMap", ref["name"])["data"][ref["key"]]
    return env


def consistency(variant: str, docs: list[dict]) -> dict:
    """Cross-checks of one rendered variant; returns what later steps need."""
    deployment = one(docs, "Deployment", APP)
    pod = deployment["spec"]["template"]
    pod_spec = pod["spec"]
    container = container_of(deployment)
    args = container.get("args", [])
    flags = flag_values(args)
    env = configmap_env(docs, container)

    def setting(flag: str, default: str | None = None) -> str | None:
        variable = "TEXTANALYSIS_" + flag.upper().replace("-", "_")
        return flags.get(flag, env.get(variable, default))

    # Ports: the server's addresses, containerPorts, probes, Services, scrape.
    listen = setting("listen")
    metrics_listen = setting("metrics-listen")
    check(
        listen is not None and listen.startswith("0.0.0.0:"),
        f"{variant}: --listen must be 0.0.0.0:PORT in a pod, is {listen}",
    )
    check(
        metrics_listen is not None and metrics_listen.startswith("0.0.0.0:"),
        f"{variant}: --metrics-listen must be 0.0.0.0:PORT, is {metrics_listen}",
    )
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(
        ports.get("grpc") == port_of(listen),
        f"{variant}: containerPort grpc {ports.get('grpc')} is not --listen's port",
    )
    check(
        ports.get("metrics") == port_of(metrics_listen),
        f"{variant}: containerPort metrics is not --metrics-listen's port",
    )
    probes = {}
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        probe = container.get(kind)
        check(probe is not None and "grpc" in probe, f"{variant}: {kind} must be a gRPC probe")
        check(probe["grpc"]["port"] == ports["grpc"], f"{variant}: {kind} is not on the gRPC port")
        probes[kind] = probe
    annotations = pod["metadata"].get("annotations", {})
    check(annotations.get("prometheus.io/scrape") == "true", f"{variant}: no prometheus.io/scrape")
    check(
        int(annotations.get("prometheus.io/port", 0)) == ports["metrics"],
        f"{variant}: prometheus.io/port is not the metrics port",
    )
    pod_labels = pod["metadata"]["labels"]

    def selects_pods(selector: dict) -> bool:
        return all(pod_labels.get(k) == v for k, v in selector.items())

    check(
        selects_pods(deployment["spec"]["selector"]["matchLabels"]),
        f"{variant}: the Deployment's selector misses its own pods",
    )
    for name, headless in ((APP, False), (APP + "-headless", True)):
        service = one(docs, "Service", name)
        spec = service["spec"]
        check(selects_pods(spec["selector"]), f"{variant}: Service {name} selects no pod")
        check(
            (spec.get("clusterIP") == "None") == headless,
            f"{variant}: Service {name} headless should be {headless}",
        )
        grpc_ports = [p for p in spec["ports"] if p["name"] == "grpc"]
        check(len(grpc_ports) == 1, f"{variant}: Service {name} has no port named grpc")
        port = grpc_ports[0]
        check(port.get("appProtocol") == "grpc", f"{variant}: Service {name}: appProtocol must be grpc")
        target = port.get("targetPort", port["port"])
        check(
            ports.get(target, target) == ports["grpc"],
            f"{variant}: Service {name} does not reach the gRPC port",
        )

    # Shutdown: preStop + drain + margin within the grace period.
    grace = seconds(setting("shutdown-grace", "25s"))
    pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    termination = pod_spec["terminationGracePeriodSeconds"]
    check(
        pre_stop + grace < termination,
        f"{variant}: preStop {pre_stop}s + --shutdown-grace {grace}s must stay "
        f"below terminationGracePeriodSeconds {termination}",
    )
    app_done = pre_stop + grace
    linkerd_wait = annotations.get("config.alpha.linkerd.io/proxy-wait-before-exit-seconds")
    if annotations.get("linkerd.io/inject") == "enabled":
        check(linkerd_wait is not None, f"{variant}: Linkerd's proxy would leave before the drain")
    if linkerd_wait is not None:
        check(
            app_done <= int(linkerd_wait) < termination,
            f"{variant}: Linkerd's proxy-wait-before-exit-seconds {linkerd_wait} must cover "
            f"preStop + grace ({app_done}s) and stay below {termination}s",
        )
    if pod_labels.get("sidecar.istio.io/inject") == "true":
        proxy_config = yaml.safe_load(annotations.get("proxy.istio.io/config", "{}"))
        drain = seconds(proxy_config.get("terminationDrainDuration", "5s"))
        check(
            app_done <= drain < termination,
            f"{variant}: Istio's terminationDrainDuration {drain}s must cover preStop + "
            f"grace ({app_done}s) and stay below {termination}s",
        )

    # Security: Pod Security "restricted", plus a read-only root filesystem.
    pod_sc = pod_spec.get("securityContext", {})
    sc = container.get("securityContext", {})
    check(sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, f"{variant}: runAsNonRoot")
    check(sc.get("allowPrivilegeEscalation") is False, f"{variant}: allowPrivilegeEscalation")
    check(sc.get("capabilities", {}).get("drop") == ["ALL"], f"{variant}: drop ALL capabilities")
    seccomp = sc.get("seccompProfile", pod_sc.get("seccompProfile", {}))
    check(seccomp.get("type") == "RuntimeDefault", f"{variant}: seccomp RuntimeDefault")
    check(sc.get("readOnlyRootFilesystem") is True, f"{variant}: readOnlyRootFilesystem")
    check(
        pod_spec.get("enableServiceLinks") is False,
        f"{variant}: enableServiceLinks must be false (TEXTANALYSIS_* service links)",
    )
    resources = container.get("resources", {})
    for part in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            check(resource in resources.get(part, {}), f"{variant}: resources.{part}.{resource}")
    limit_cpu = str(resources["limits"]["cpu"])
    in_flight = setting("max-in-flight")
    check(
        in_flight is not None and limit_cpu == in_flight,
        f"{variant}: --max-in-flight {in_flight} should be the CPU limit {limit_cpu}",
    )
    # Memory: the limit covers the bound admission sets (README, "Errors
    # and limits"), computed from the settings the pod runs with.
    queued = setting("max-queued")
    message_mib = int(setting("max-message-bytes", str(4 << 20))) / (1 << 20)
    text_mib = int(setting("max-text-bytes", str(1 << 20))) / (1 << 20)
    if in_flight is not None and queued is not None:
        slots = int(in_flight) + int(queued)
        bound = 64 + slots * 2 * message_mib + int(in_flight) * 32 * text_mib
        limit = mebibytes(str(resources["limits"]["memory"]))
        check(
            limit >= bound,
            f"{variant}: memory limit {limit} MiB is below the bound of {bound:.0f} MiB that "
            f"--max-in-flight {in_flight}, --max-queued {queued} and the message and text "
            "limits allow",
        )
    else:
        check(False, f"{variant}: --max-queued must be set for the memory bound")
    check(len(pod_spec.get("topologySpreadConstraints", [])) > 0, f"{variant}: topology spread")

    # The autoscaler and the disruption budget act on these pods.
    hpa = one(docs, "HorizontalPodAutoscaler", APP)
    target = hpa["spec"]["scaleTargetRef"]
    check(target["kind"] == "Deployment" and target["name"] == APP, f"{variant}: HPA target")
    check(hpa["spec"]["minReplicas"] >= 2, f"{variant}: HPA minReplicas below 2")
    for metric in hpa["spec"]["metrics"]:
        if metric["type"] == "ContainerResource":
            check(metric["containerResource"]["container"] == APP, f"{variant}: HPA container")
    check(
        "replicas" not in deployment["spec"],
        f"{variant}: the Deployment sets replicas, which fights the autoscaler",
    )
    pdb = one(docs, "PodDisruptionBudget", APP)
    check(selects_pods(pdb["spec"]["selector"]["matchLabels"]), f"{variant}: PDB selects no pod")

    # Mesh resources point at the service and its pods.
    for rule in (d for d in docs if d["kind"] == "DestinationRule"):
        check(
            rule["spec"]["host"] in (APP, f"{APP}.{rule['metadata'].get('namespace', '')}"),
            f"{variant}: DestinationRule host",
        )
        check(
            rule["spec"]["trafficPolicy"]["loadBalancer"]["simple"] == "LEAST_REQUEST",
            f"{variant}: DestinationRule balancing",
        )
    for policy in (d for d in docs if d["kind"] == "PeerAuthentication"):
        check(
            selects_pods(policy["spec"]["selector"]["matchLabels"]), f"{variant}: PeerAuthentication selector"
        )
        check(policy["spec"]["mtls"]["mode"] == "STRICT", f"{variant}: mTLS must be STRICT")
        for port in policy["spec"].get("portLevelMtls", {}):
            check(int(port) in ports.values(), f"{variant}: portLevelMtls {port} is no container port")
    if pod_labels.get("istio.io/dataplane-mode") == "ambient":
        check(
            pod_labels.get("sidecar.istio.io/inject") == "false", f"{variant}: ambient pods need no sidecar"
        )
        waypoint = one(docs, "Service", APP)["metadata"]["labels"].get("istio.io/use-waypoint")
        check(waypoint is not None, f"{variant}: ambient mode balances calls only through a waypoint")
        one(docs, "Gateway", waypoint)

    return {
        "deployment": deployment,
        "container": container,
        "env": env,
        "probes": probes,
        "metrics": (ports["metrics"], annotations.get("prometheus.io/path", "/metrics")),
        "stop_within": termination - pre_stop,
    }


# ---------------------------------------------------------------------------
# 3. The Dockerfile and its build


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


# ---------------------------------------------------------------------------
# 4. Flags and environment against the binary


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


# ---------------------------------------------------------------------------
# 5. Run as a pod


def shared_libraries(binary: Path) -> list[Path]:
    out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libraries = []
    for line in out.splitlines():
        line = line.strip()
        name = line.split()[0]
        check(
            Path(name).name in DISTROLESS_CC_LIBS,
            f"the binary links {name}, which the distroless cc image lacks",
        )
        match = re.search(r"(/\S+) \(0x", line)
        if match:
            libraries.append(Path(match.group(1)))
    return libraries


def materialise_volumes(docs: list[dict], deployment: dict, where: Path) -> list[dict]:
    """Each mounted volume's content, written as the kubelet would write it."""
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"].get("volumes", [])}
    mounts = []
    for mount in container_of(deployment).get("volumeMounts", []):
        volume = volumes[mount["name"]]
        source = where / mount["name"]
        source.mkdir(parents=True)
        if "configMap" in volume:
            check("items" not in volume["configMap"], "configMap items are not supported here")
            cm = one(docs, "ConfigMap", volume["configMap"]["name"])
            for key, text in cm.get("data", {}).items():
                (source / key).write_text(text)
            for key, data in cm.get("binaryData", {}).items():
                (source / key).write_bytes(base64.b64decode(data))
            for file in source.iterdir():
                file.chmod(volume["configMap"].get("defaultMode", 0o644))
        else:
            check("emptyDir" in volume, f"volume {mount['name']}: only configMap and emptyDir here")
        source.chmod(0o755)
        mounts.append(
            {"path": mount["mountPath"], "source": str(source), "read_only": mount.get("readOnly", False)}
        )
    return mounts


def pod_root(where: Path, binary: Path, entrypoint: str, libraries: list[Path], mounts: list[dict]) -> Path:
    """A root filesystem with the binary at the image's entry point path."""
    root = where / "root"
    for path in [Path(entrypoint)] + libraries:
        copy = root / path.relative_to("/")
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(binary if str(path) == entrypoint else path, copy)
    for mount in mounts:
        (root / mount["path"].lstrip("/")).mkdir(parents=True, exist_ok=True)
    for directory in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        directory.chmod(0o755)
    return root


def run_pod(spec_file: Path) -> None:
    """Inside fresh namespaces (`unshare --mount --net --fork`): start and probe."""
    spec = json.loads(spec_file.read_text())
    root = spec["root"]
    grpcurl = spec["grpcurl"]

    def sh(*command: str) -> None:
        subprocess.run(command, check=True)

    sh("mount", "--make-rprivate", "/")
    sh("mount", "--bind", root, root)
    for mount in spec["mounts"]:
        target = root + mount["path"]
        sh("mount", "--bind", mount["source"], target)
        if mount["read_only"]:
            sh("mount", "-o", "remount,bind,ro", target)
    if spec["read_only_root"]:
        sh("mount", "-o", "remount,bind,ro", root)
    sh("ip", "link", "set", "lo", "up")

    command = [shutil.which("setpriv") or "setpriv"]
    if spec["no_new_privs"]:
        command.append("--no-new-privs")
    command += [
        shutil.which("chroot") or "chroot",
        f"--userspec={spec['uid']}:{spec['gid']}",
        f"--groups={spec['gid']}",
        root,
    ] + spec["argv"]
    server = subprocess.Popen(
        command, env=spec["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    output: list[str] = []

    def next_line(deadline: float) -> str | None:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise CheckError(f"no log line in time; output so far:\n{''.join(output)}") from None
        if line is not None:
            output.append(line)
        return line

    try:
        # The server starts and logs "serving" within the startup probe's budget.
        deadline = time.monotonic() + spec["startup_budget"]
        serving = set()
        while serving != {"grpc", "metrics"}:
            line = next_line(deadline)
            if line is None:
                raise CheckError(f"the server exited ({server.wait()}):\n{''.join(output)}")
            event = json.loads(line)
            message = event.get("message", "")
            if message == "serving":
                serving.add("grpc")
            elif message.startswith("serving metrics"):
                serving.add("metrics")
        # What the kernel says the process runs as.
        status = open(f"/proc/{server.pid}/status").read()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        check(fields["Uid"].split()[0] == str(spec["uid"]), f"runs as uid {fields['Uid']}")
        check(int(fields["CapEff"], 16) == 0, f"has capabilities {fields['CapEff']}")
        if spec["no_new_privs"]:
            check(fields["NoNewPrivs"].strip() == "1", "no_new_privs is not set")

        for name, probe in spec["probes"].items():
            request = json.dumps({"service": probe["service"]})
            answer = subprocess.run(
                [
                    grpcurl,
                    "-plaintext",
                    "-max-time",
                    str(probe["timeout"]),
                    "-d",
                    request,
                    f"{POD_ADDRESS}:{probe['port']}",
                    "grpc.health.v1.Health/Check",
                ],
                capture_output=True,
                text=True,
            )
            check(answer.returncode == 0, f"{name} failed: {answer.stderr.strip()}")
            check(
                json.loads(answer.stdout).get("status") == "SERVING",
                f"{name} ({probe['service']!r}) answered {answer.stdout.strip()}",
            )
            log(f"  {name}: grpc.health.v1 Check {probe['service']!r} at :{probe['port']} -> SERVING")

        port, path = spec["metrics"]
        with urllib.request.urlopen(f"http://{POD_ADDRESS}:{port}{path}", timeout=5) as response:
            body = response.read().decode()
        check(
            response.status == 200 and "grpc_server_handled_total" in body,
            f"{path} on :{port} did not answer with the server's metrics",
        )
        check('grpc_method="Check"' in body, f"{path}: the probes' calls are not counted")
        log(f"  metrics: GET :{port}{path} -> 200, grpc_server_handled_total counts the probes")

        if spec.get("expect_models"):
            answer = subprocess.run(
                [
                    grpcurl,
                    "-plaintext",
                    f"{POD_ADDRESS}:{spec['listen_port']}",
                    "textanalysis.v1.TextAnalysisService/ListModels",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            names = {m["name"] for m in json.loads(answer.stdout).get("models", [])}
            check(
                set(spec["expect_models"]) <= names,
                f"ListModels has {sorted(names)}, not {spec['expect_models']}",
            )
            log(f"  ListModels: {sorted(names)} (models from the ConfigMap volume)")

        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=spec["stop_within"])
        except subprocess.TimeoutExpired:
            raise CheckError(f"still running {spec['stop_within']} s after SIGTERM") from None
        check(code == 0, f"exited with {code} after SIGTERM")
        while next_line(time.monotonic() + 5) is not None:
            pass
        for line in output:
            try:
                json.loads(line)
            except json.JSONDecodeError:
                raise CheckError(f"a log line is not JSON: {line!r}") from None
        log(f"  SIGTERM: exit 0; {len(output)} log lines, all JSON")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def pod_spec(
    name: str,
    work: Path,
    binary: Path,
    image: dict,
    libraries: list[Path],
    argv: list[str],
    env: dict[str, str],
    mounts: list[dict],
    read_only_root: bool,
    no_new_privs: bool,
    uid: int,
    gid: int,
    probes: dict,
    metrics: tuple,
    startup_budget: float,
    stop_within: float,
    listen_port: int,
    expect_models: list[str] | None = None,
) -> Path:
    where = work / "pods" / name
    where.mkdir(parents=True, exist_ok=True)
    root = pod_root(where, binary, image["entrypoint"][0], libraries, mounts)
    spec = {
        "root": str(root),
        "grpcurl": shutil.which("grpcurl"),
        "argv": argv,
        "env": {"PATH": IMAGE_PATH, "HOSTNAME": f"{APP}-check", **env},
        "mounts": mounts,
        "read_only_root": read_only_root,
        "no_new_privs": no_new_privs,
        "uid": uid,
        "gid": gid,
        "probes": probes,
        "metrics": list(metrics),
        "startup_budget": startup_budget,
        "stop_within": stop_within,
        "listen_port": listen_port,
        "expect_models": expect_models,
    }
    path = where / "pod.json"
    path.write_text(json.dumps(spec, indent=2))
    return path


def in_namespaces(spec: Path, what: str) -> None:
    log(f"{what}: started as its pod would start it")
    result = subprocess.run(
        ["unshare", "--mount", "--net", "--fork", "--", sys.executable, __file__, "pod", str(spec)]
    )
    check(result.returncode == 0, f"{what}: the pod check failed (above)")


def deployment_pod(
    variant: str,
    docs: list[dict],
    info: dict,
    work: Path,
    binary: Path,
    image: dict,
    libraries: list[Path],
    expect_models: list[str] | None = None,
) -> Path:
    deployment = info["deployment"]
    container = info["container"]
    pod = deployment["spec"]["template"]["spec"]
    check("command" not in container, f"{variant}: `command` would replace the image's entry point")
    args = container.get("args", image["cmd"])
    check(not any("$(" in a for a in args), f"{variant}: $(VAR) in args is not supported here")
    sc = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    mounts = materialise_volumes(docs, deployment, work / "pods" / variant / "volumes")
    probes = {}
    startup = info["probes"]["startupProbe"]
    for kind, probe in info["probes"].items():
        probes[kind] = {
            "port": probe["grpc"]["port"],
            "service": probe["grpc"].get("service", ""),
            "timeout": probe.get("timeoutSeconds", 1),
        }
    return pod_spec(
        variant,
        work,
        binary,
        image,
        libraries,
        argv=image["entrypoint"] + args,
        env=info["env"],
        mounts=mounts,
        read_only_root=sc.get("readOnlyRootFilesystem", False),
        no_new_privs=sc.get("allowPrivilegeEscalation", True) is False,
        uid=sc.get("runAsUser", image["uid"]),
        gid=sc.get("runAsGroup", image["gid"]),
        probes=probes,
        metrics=info["metrics"],
        startup_budget=startup.get("initialDelaySeconds", 0)
        + startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3),
        stop_within=info["stop_within"],
        listen_port=port_of(flag_values(args)["listen"]),
        expect_models=expect_models,
    )


def models_example(work: Path, binary: Path) -> Path:
    """docs/deployment.md's way to add a model: an overlay merging a file into the
    textanalysis-models ConfigMap. The model is trained here from the
    project's own example texts."""
    overlay = work / "overlays" / "models-example"
    if overlay.exists():
        shutil.rmtree(overlay)
    overlay.mkdir(parents=True)
    subprocess.run(
        [
            str(binary),
            "train",
            "--input",
            str(ROOT / "examples/support/support.jsonl"),
            "--out",
            str(overlay / "support.tam"),
        ],
        check=True,
        capture_output=True,
    )
    base = os.path.relpath(ROOT / "k8s/base", overlay)
    (overlay / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        f"resources:\n  - {base}\n"
        "configMapGenerator:\n"
        "  - name: textanalysis-models\n"
        "    behavior: merge\n"
        "    files:\n      - support.tam\n"
    )
    return overlay


# ---------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    everything = sub.add_parser("all", help="every check (the default of check-k8s.sh)")
    everything.add_argument("--work", type=Path, required=True, help="scratch directory")
    pod = sub.add_parser("pod", help="internal: run one pod spec inside fresh namespaces")
    pod.add_argument("spec", type=Path)
    options = parser.parse_args()
    try:
        if options.command == "pod":
            run_pod(options.spec)
            return 0
        run_all(options.work.resolve())
    except CheckError as e:
        print(f"check-k8s: FAILED: {e}", file=sys.stderr, flush=True)
        return 1
    return 0


def run_all(work: Path) -> None:
    if work.exists():
        shutil.rmtree(work / "pods", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    crd_schemas = yaml.safe_load((ROOT / "scripts/k8s-crd-schemas.yaml").read_text())

    rendered: dict[str, list[dict]] = {}
    infos = {}
    for variant, path in VARIANTS.items():
        docs = render(ROOT / path)
        validate(variant, docs, crd_schemas)
        infos[variant] = consistency(variant, docs)
        rendered[variant] = docs
        kinds = sorted({d["kind"] for d in docs})
        log(
            f"{variant}: {len(docs)} resources valid (Kubernetes "
            f"{' and '.join(v.rsplit('.', 1)[0] for v in KUBERNETES_VERSIONS)} strict; "
            f"own schemas for the mesh kinds), consistent: {', '.join(kinds)}"
        )

    image = read_dockerfile()
    base_container = infos["base"]["container"]
    check(
        image["exposed"] == sorted(p["containerPort"] for p in base_container["ports"]),
        "Dockerfile: EXPOSE is not the Deployment's containerPorts",
    )
    image_ref = base_container["image"]
    version = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M)[1]
    check(image_ref == f"{APP}:{version}", f"the image tag {image_ref} is not the crate's {version}")
    for variant, info in infos.items():
        sc = {
            **info["deployment"]["spec"]["template"]["spec"].get("securityContext", {}),
            **info["container"].get("securityContext", {}),
        }
        check(sc.get("runAsUser") == image["uid"], f"{variant}: runAsUser is not the image's USER")
    log("Dockerfile: two stages, numeric non-root USER, same Debian release, EXPOSE = containerPorts")

    binary = build_in_context(work, image["cargo"])
    libraries = shared_libraries(binary)
    log(f"the binary links only what distroless/cc has: {', '.join(p.name for p in libraries)}")
    settings = binary_settings(binary)
    for variant, info in infos.items():
        check_against_binary(variant, info, settings, binary)
    log("every flag in args exists; every TEXTANALYSIS_* variable is read, none shadowed by args")

    # The image's own default command, with no Kubernetes around it.
    cmd_flags = flag_values(image["cmd"])
    for flag in cmd_flags:
        check(flag in settings, f"Dockerfile CMD has --{flag}, which `textanalysis serve` lacks")
    in_namespaces(
        pod_spec(
            "image-default",
            work,
            binary,
            image,
            libraries,
            argv=image["entrypoint"] + image["cmd"],
            env={},
            mounts=[],
            read_only_root=True,
            no_new_privs=True,
            uid=image["uid"],
            gid=image["gid"],
            probes={"health": {"port": port_of(cmd_flags["listen"]), "service": "", "timeout": 2}},
            metrics=(port_of(cmd_flags["metrics-listen"]), "/metrics"),
            startup_budget=30,
            stop_within=30,
            listen_port=port_of(cmd_flags["listen"]),
        ),
        "Dockerfile ENTRYPOINT + CMD",
    )
    for variant, info in infos.items():
        spec = deployment_pod(variant, rendered[variant], info, work, binary, image, libraries)
        in_namespaces(spec, f"{variant} Deployment")

    overlay = models_example(work, binary)
    docs = render(overlay)
    validate("models-example", docs, crd_schemas)
    info = consistency("models-example", docs)
    check_against_binary("models-example", info, settings, binary)
    spec = deployment_pod(
        "models-example", docs, info, work, binary, image, libraries, expect_models=["news", "support"]
    )
    in_namespaces(spec, "base + a model merged into textanalysis-models (docs/deployment.md)")
    log("all checks passed")


if __name__ == "__main__":
    sys.exit(main())
