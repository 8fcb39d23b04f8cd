"""Steps 1 and 2 of scripts/check_k8s.py: render and validate every variant,
then cross-check what the schemas cannot."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

from k8s_check import APP, CheckError, check

KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]
# The sentence encoder's terms of the memory bound, in MiB, rounded up from
# what scripts/encoder-memory.sh measures (docs/performance.md, "Memory
# with the sentence encoder"): its model and static table, resident once loaded (loading
# peaks higher, but before any call is admitted); and what each analysis in flight holds while
# the encoder runs one full batch (src/encoder: BATCH_TOKENS tokens, 16
# chunks of MAX_TOKENS, whose attention scores the model keeps several
# copies of at once),
# the most a call holds whatever its text's size. A change to the batch or
# the model changes them.
ENCODER_MODEL_MIB = 160
ENCODER_BATCH_MIB = 320
# Bytes an item takes in an AnalyzeStream's dedup window at most: 4,040 for a
# 16-byte id (src/dedup.rs, approx_bytes_per_item) and the rest of the
# longest id (256 bytes, src/service/stream.rs's MAX_ID_BYTES).
DEDUP_ITEM_BYTES = 4040 - 16 + 256


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


# What the downward API gives a pod, as the checks stand it in.
POD_FIELDS = {
    "metadata.name": "textanalysis-7d9f8c6b5-x2x4z",
    "metadata.namespace": "default",
    "spec.nodeName": "node-1",
}


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
        elif "fieldRef" in var.get("valueFrom", {}):
            # The downward API: the kubelet fills in the pod's own fields.
            path = var["valueFrom"]["fieldRef"]["fieldPath"]
            check(path in POD_FIELDS, f"env {var['name']}: unexpected fieldPath {path}")
            env[var["name"]] = POD_FIELDS[path]
        else:
            ref = var.get("valueFrom", {}).get("configMapKeyRef")
            check(
                ref is not None,
                f"env {var['name']}: only values, fieldRef and configMapKeyRef are supported here",
            )
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

    # Who the caller is, for the fair share (docs/api.md, "Callers and fair
    # share"): a header names it only where the mesh sets it and drops the
    # one a client sent, Linkerd's l5d-client-id; anywhere else a header
    # would let any client pass for another.
    headers = flags.get("caller-header", env.get("TEXTANALYSIS_CALLER_HEADERS", ""))
    expected = "l5d-client-id" if variant.startswith("linkerd") else ""
    check(
        headers == expected,
        f"{variant}: --caller-header is {headers!r}, should be {expected!r}",
    )

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
    # Unset, the encoder's threads are --max-in-flight's number.
    encoder_threads = setting("encoder-threads", in_flight)
    check(
        encoder_threads == limit_cpu,
        f"{variant}: --encoder-threads {encoder_threads} should be the CPU limit {limit_cpu}",
    )
    # Memory: the limit covers the bound admission sets (docs/api.md, "Limits
    # in detail"), computed from the settings the pod runs with, and the
    # sentence encoder's share unless the pod runs in lexical mode, and the
    # open streams' dedup windows.
    queued = setting("max-queued")
    message_mib = int(setting("max-message-bytes", str(4 << 20))) / (1 << 20)
    text_mib = int(setting("max-text-bytes", str(1 << 20))) / (1 << 20)
    if in_flight is not None and queued is not None:
        slots = int(in_flight) + int(queued)
        bound = 64 + slots * 2 * message_mib + int(in_flight) * 32 * text_mib
        if setting("semantic-model") != "none":
            bound += ENCODER_MODEL_MIB + int(in_flight) * ENCODER_BATCH_MIB
        # Each open stream's dedup window, full.
        windows = int(setting("max-streams", "4")) * int(setting("dedup-window", "10000"))
        bound += windows * DEDUP_ITEM_BYTES / (1 << 20)
        limit = mebibytes(str(resources["limits"]["memory"]))
        check(
            limit >= bound,
            f"{variant}: memory limit {limit} MiB is below the bound of {bound:.0f} MiB that "
            f"--max-in-flight {in_flight}, --max-queued {queued}, the message and text "
            "limits, the sentence encoder and the streams' dedup windows allow",
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
