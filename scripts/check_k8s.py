#!/usr/bin/env python3
"""Offline checks of the Dockerfile and the Kubernetes manifests in k8s/.

Run by scripts/check-k8s.sh (which installs the tools), in this order (the
steps are in scripts/k8s_check/: manifests.py 1-2, policies.py 2's access
rules, image.py 3-4, pod.py 5, observability.py 6):

1. Render k8s/base and every overlay with `kubectl kustomize`, and validate
   every rendered document with kubernetes-validate in strict mode against the
   schemas of Kubernetes 1.30 (the oldest release the manifests need: native
   preStop sleep, ContainerResource autoscaling) and 1.37 (the newest it
   ships). Istio's and the Gateway API's resources are not Kubernetes kinds:
   they are validated against the project's own partial schemas in
   scripts/k8s-crd-schemas.yaml (see there what they cover). Istio's and
   Linkerd's policy kinds likewise.
2. Check what the schemas cannot: that ports, probes, Services, scrape
   annotations, the autoscaler, the disruption budget and the meshes' drain
   settings agree with each other and with the Deployment's args. Who may
   call: the NetworkPolicy selects the pods, admits the gRPC port from named
   namespaces and the metrics port from the monitoring namespace alone, and
   nothing else (but the meshes' own ports: the Istio agent's merged
   metrics, the ambient tunnel from the waypoint, the address ambient gives
   the probes, Linkerd's proxy's metrics); each mesh's policy admits the gRPC port to named service
   accounts alone, whose namespaces are the NetworkPolicy's, keeps the
   scrapes and the kubelet's probes open (Istio: the probes rewritten to
   the agent, outside the sidecar's policy; ambient: the callers' policy at
   the waypoint, ztunnel admitting the waypoint's identity in the
   resources' namespace; Linkerd: a route for the health check open to any
   network, every other call for the callers). The same for each variant
   in an overlay of the user's that names other callers in another
   namespace as docs/deployment.md shows.
3. Check the Dockerfile's stages: the model stage copies the fetch script
   and its pins and runs the script, nothing else; the static stage starts
   from the build stage, copies in that model and runs the built binary's
   `distill-static` on it, nothing else; the run stage copies the binary,
   that model and the static table beside it (the file name the server's
   source defines) and names the model in ENV. Build the release
   binary with the Dockerfile's own `RUN cargo build` command, in a copy of
   the Docker build context (the repository less .dockerignore, as Docker's
   Python client computes it), which must hold the model stage's files and
   not the checkout's weights. Fetch the model with the model stage's script
   into the checkout (a check of its pins, once the test command has fetched
   it), and distil the table there with the static stage's command (kept
   when the test command has distilled it).
4. Check the Deployment's args and environment against the binary: every flag
   parses, every TEXTANALYSIS_* variable is one the binary reads, and none is
   shadowed by a flag in args.
5. Run each variant as a pod would, and call its probes: in a fresh network
   and mount namespace, the binary (and the shared libraries it links, which
   must all be in the distroless image) at the image's entry point path in a
   root filesystem of its own, read-only when the securityContext says so;
   the encoder's model at the image's path (the fetched files, bind-mounted
   read-only); the volumes bind-mounted over that at their mountPaths with
   the ConfigMap's files; the user, group and no-new-privileges of the
   securityContext; the image's entry point followed by the Deployment's
   args, and the image's environment (the base image's, then the
   Dockerfile's ENV) overlaid by the Deployment's. No address or path is
   changed. Then: the server logs "sentence encoder loaded" from the image's
   model and "static table loaded" before it serves, within the startup
   probe's budget, and ListModels names the encoder and its static table
   (Embed's EMBEDDING_MODEL_STATIC); the startup, readiness
   and liveness probes (grpc.health.v1 Check with the probe's service, at the
   probe's port, through 127.0.0.2 so that a server bound to 127.0.0.1 alone
   would fail like a probe to the pod IP) answer SERVING; the scrape
   annotations' port and path answer with metrics; every log line is JSON;
   SIGTERM ends the process with status 0 within the grace period. The
   Dockerfile's default command is run the same way.
6. What ships for operators (k8s/components, and the base with all of them
   as an overlay of the user's adds them): the Grafana dashboard's JSON
   parses, and its queries and the PrometheusRule's read only metric names
   (and histogram bounds) that the base's pod served on /metrics in step 5,
   or that a rule records; `promtool check rules` on the rules and `promtool
   test rules` with scripts/k8s-rules-test.yaml (alerts firing, and not, on
   synthetic series); the PodMonitor scrapes the pods' metrics port; the
   service's TEXTANALYSIS_OTLP_ENDPOINT reaches the collector's Service,
   port and OTLP receiver, whose configuration (found through its --config
   and ConfigMap volume) has a traces pipeline of configured parts; the
   Istio Telemetry selects the pods (in ambient mode, targets the waypoint)
   and samples the share the service does.

Not checked here (no cluster): admission (Pod Security, the meshes'
injection), seccomp, scheduling, the meshes' own behaviour.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

import yaml

from k8s_check import APP, ROOT, CheckError, check, log
from k8s_check.image import (
    binary_settings,
    build_in_context,
    check_against_binary,
    distil_table,
    fetch_model,
    read_dockerfile,
)
from k8s_check.manifests import KUBERNETES_VERSIONS, consistency, flag_values, port_of, render, validate
from k8s_check.observability import check_exported, check_monitoring, check_tracing
from k8s_check.policies import callers_example, check_callers_example, check_policies
from k8s_check.pod import deployment_pod, in_namespaces, models_example, pod_spec, run_pod, shared_libraries

VARIANTS = {
    "base": "k8s/base",
    "istio": "k8s/overlays/istio",
    "istio-ambient": "k8s/overlays/istio-ambient",
    "linkerd": "k8s/overlays/linkerd",
}
# Components added by an overlay of the user's (docs/deployment.md,
# "Monitoring and traces"): checked as the base with all of them.
COMPONENTS = ["k8s/components/monitoring", "k8s/components/tracing"]


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
    queries: list[tuple[str, str]] = []
    recorded: set[str] = set()
    variants = {**VARIANTS, "components": components_example(work)}
    for variant, path in variants.items():
        docs = render(ROOT / path)
        validate(variant, docs, crd_schemas)
        infos[variant] = consistency(variant, docs)
        log(f"{variant}: access rules: {check_policies(variant, docs)}")
        check_tracing(variant, docs, infos[variant]["env"])
        found, records = check_monitoring(variant, docs, work)
        queries += found
        recorded |= records
        rendered[variant] = docs
        kinds = sorted({d["kind"] for d in docs})
        log(
            f"{variant}: {len(docs)} resources valid (Kubernetes "
            f"{' and '.join(v.rsplit('.', 1)[0] for v in KUBERNETES_VERSIONS)} strict; "
            f"own schemas for the mesh kinds), consistent: {', '.join(kinds)}"
        )

    for variant, path in VARIANTS.items():
        docs = render(callers_example(work, variant, path))
        validate(f"{variant} with other callers", docs, crd_schemas)
        consistency(f"{variant} with other callers", docs)
        log(
            f"{variant} in namespace text, callers as docs/deployment.md names them: "
            f"{check_callers_example(variant, docs)}"
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
    for variant, info in infos.items():
        for mount in info["container"].get("volumeMounts", []):
            path = mount["mountPath"].rstrip("/")
            check(
                image["model_path"] != path and not image["model_path"].startswith(path + "/"),
                f"{variant}: the volume at {mount['mountPath']} hides the image's encoder model "
                f"{image['model_path']}",
            )
    log(
        "Dockerfile: a model stage that runs scripts/fetch-encoder.sh alone, a build stage, a "
        "static stage that runs distill-static alone, a run stage with the model at "
        f"{image['model_path']} (ENV) and the static table beside it, numeric non-root USER, same "
        "Debian release, EXPOSE = containerPorts"
    )

    binary = build_in_context(work, image["cargo"], image["model_context_files"])
    image["model_source"] = fetch_model(image["model_path"])
    log(
        f"the image's encoder model: {image['model_source']} (pins checked), "
        f"at {image['model_path']} in the pods"
    )
    table = distil_table(binary, image["static_command"], image["model_source"])
    log(f"the image's static table: {table} ({table.stat().st_size / 1e6:.1f} MB), beside the model")
    libraries = shared_libraries(binary)
    log(f"the binary links only what distroless/cc has: {', '.join(p.name for p in libraries)}")
    settings = binary_settings(binary)
    variables = set(settings.values())
    for name in image["env"]:
        if name.startswith("TEXTANALYSIS_"):
            check(name in variables, f"Dockerfile: ENV {name} is read by nothing (`serve --help`)")
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

    # The dashboard's and the rules' queries against the metrics the base's
    # pod served (its probes' calls fill the gRPC families).
    check(queries, "no variant has the dashboard and the rules")
    metrics_text = (work / "pods" / "base" / "metrics.txt").read_text()
    used = check_exported(queries, recorded, metrics_text)
    log(
        f"the dashboard's and the rules' {len(queries)} queries read {used} series names, each a "
        "metric the server exports (its /metrics) or a series a rule records, and only bucket "
        "bounds of its histogram"
    )

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


def components_example(work: Path) -> Path:
    """The base with every component, as an overlay of the user's adds them."""
    overlay = work / "overlays" / "components"
    overlay.mkdir(parents=True, exist_ok=True)
    lines = [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "resources:",
        f"  - {os.path.relpath(ROOT / 'k8s/base', overlay)}",
        "components:",
    ] + [f"  - {os.path.relpath(ROOT / c, overlay)}" for c in COMPONENTS]
    (overlay / "kustomization.yaml").write_text("\n".join(lines) + "\n")
    return overlay


if __name__ == "__main__":
    sys.exit(main())
