"""Step 6 of scripts/check_k8s.py: what ships for operators beside the
service (k8s/components/monitoring and tracing, the Istio overlays'
Telemetry). Checks the Grafana dashboard, the PrometheusRule (with promtool)
and the PodMonitor against each other and against the metrics the binary
really exports, and the OpenTelemetry Collector and the mesh's tracing
against the service's own settings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from k8s_check import APP, ROOT, CheckError, check, log
from k8s_check.manifests import container_of, flag_values, one

# The rules' unit tests: synthetic series that must fire (and not fire) the
# burn-rate and refusal alerts.
RULES_TEST = ROOT / "scripts/k8s-rules-test.yaml"

# Words of PromQL that look like metric names but are not.
PROMQL_KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan", "atan2",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """The metric (or recorded series) names a PromQL expression reads.

    Strings, label matchers, ranges, grouping clauses and Grafana's
    variables are taken out first; what is left that looks like a name and
    is not a function call or a keyword is a metric."""
    text = re.sub(r"\$\{?\w+\}?", "", expr)
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', text)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text, flags=re.I)
    names = set()
    for match in re.finditer(r"(?<![\w.:])[A-Za-z_:][A-Za-z0-9_:]*", text):
        name = match.group(0)
        if name.lower() in PROMQL_KEYWORDS or text[match.end() :].lstrip().startswith("("):
            continue
        names.add(name)
    return names


def bucket_bounds(expr: str) -> set[str]:
    """The `le` values an expression selects by name."""
    return set(re.findall(r'\ble\s*=\s*"([^"]+)"', expr))


def exported(metrics_text: str) -> tuple[set[str], set[str]]:
    """The series names and the histogram bounds in a /metrics answer."""
    names = set()
    bounds = set()
    for line in metrics_text.splitlines():
        if not line or line.startswith("#"):
            continue
        names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
        bound = re.search(r'\ble="([^"]+)"', line)
        if bound:
            bounds.add(bound.group(1))
    return names, bounds


def dashboard_queries(dashboard: dict) -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target and templating query."""
    queries = []

    def panels(items: list[dict]):
        for panel in items:
            yield panel
            yield from panels(panel.get("panels", []))

    for panel in panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if target.get("expr"):
                queries.append((f"panel {panel.get('title')!r} {target.get('refId')}", target["expr"]))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable.get("query")
        query = query.get("query", "") if isinstance(query, dict) else query or ""
        # label_values(SELECTOR, LABEL): the selector is PromQL, the label not.
        match = re.fullmatch(r"\s*label_values\((.*),\s*\w+\s*\)\s*", query)
        queries.append((f"variable ${variable.get('name')}", match.group(1) if match else query))
    return queries


def check_monitoring(variant: str, docs: list[dict], work: Path) -> tuple[list[tuple[str, str]], set[str]]:
    """The dashboard, rules and PodMonitor of a variant that has them;
    returns (where, PromQL) of every query and the series the rules record,
    for `check_exported`."""
    queries: list[tuple[str, str]] = []
    deployment = one(docs, "Deployment", APP)
    pod = deployment["spec"]["template"]
    pod_labels = pod["metadata"]["labels"]
    ports = {p["name"]: p["containerPort"] for p in container_of(deployment)["ports"]}
    annotations = pod["metadata"].get("annotations", {})

    for monitor in (d for d in docs if d["kind"] == "PodMonitor"):
        selector = monitor["spec"]["selector"]["matchLabels"]
        check(
            all(pod_labels.get(k) == v for k, v in selector.items()),
            f"{variant}: PodMonitor {monitor['metadata']['name']} selects no textanalysis pod",
        )
        for endpoint in monitor["spec"]["podMetricsEndpoints"]:
            check(
                str(ports.get(endpoint["port"])) == annotations.get("prometheus.io/port"),
                f"{variant}: PodMonitor scrapes port {endpoint['port']}, not the metrics port",
            )
            check(
                endpoint.get("path", "/metrics") == annotations.get("prometheus.io/path", "/metrics"),
                f"{variant}: PodMonitor's path is not the scrape annotation's",
            )

    dashboards = [
        d
        for d in docs
        if d["kind"] == "ConfigMap" and d["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
    ]
    for config_map in dashboards:
        name = config_map["metadata"]["name"]
        for key, text in config_map.get("data", {}).items():
            check(key.endswith(".json"), f"{variant}: ConfigMap {name}: the sidecar loads *.json, not {key}")
            try:
                dashboard = json.loads(text)
            except json.JSONDecodeError as e:
                raise CheckError(f"{variant}: ConfigMap {name} {key} is not JSON: {e}") from None
            check(dashboard.get("uid"), f"{variant}: dashboard {key} has no uid (Grafana would add copies)")
            found = dashboard_queries(dashboard)
            check(found, f"{variant}: dashboard {key} queries nothing")
            queries += [(f"dashboard {key}, {where}", expr) for where, expr in found]

    rules = [d for d in docs if d["kind"] == "PrometheusRule"]
    recorded = set()
    for rule in rules:
        groups = rule["spec"]["groups"]
        where = work / "rules" / variant
        if where.exists():
            shutil.rmtree(where)
        where.mkdir(parents=True)
        (where / "rules.yaml").write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
        promtool("check", "rules", "rules.yaml", cwd=where, what=f"{variant}: PrometheusRule")
        shutil.copy(RULES_TEST, where / "test.yaml")
        promtool("test", "rules", "test.yaml", cwd=where, what=f"{variant}: {RULES_TEST.name}")
        for group in groups:
            for item in group["rules"]:
                if "record" in item:
                    recorded.add(item["record"])
                what = item.get("alert") or item.get("record")
                queries.append((f"PrometheusRule {group['name']} {what}", item["expr"]))
    if dashboards or rules:
        log(
            f"{variant}: {len(dashboards)} dashboard(s) parsed, {len(rules)} PrometheusRule(s) "
            "through `promtool check rules` and `promtool test rules`"
        )
    return [(f"{variant}: {where}", expr) for where, expr in queries], recorded


def promtool(*args: str, cwd: Path, what: str) -> None:
    tool = shutil.which("promtool")
    check(tool is not None, "promtool not found (scripts/check-k8s.sh installs Debian's prometheus)")
    result = subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True)
    check(
        result.returncode == 0,
        f"{what}: promtool {' '.join(args)} failed:\n{result.stdout}{result.stderr}",
    )


def check_exported(queries: list[tuple[str, str]], recorded: set[str], metrics_text: str) -> int:
    """Every metric the queries read is one the server exports (or a rule
    records), and every bucket bound they name is one of its histogram's.
    Returns how many names they read."""
    names, bounds = exported(metrics_text)
    used = set()
    for where, expr in queries:
        for name in metric_names(expr):
            check(
                name in names or name in recorded,
                f"{where} reads {name}, which the server's /metrics does not have "
                f"(it has {', '.join(sorted(names))})",
            )
            used.add(name)
        for bound in bucket_bounds(expr):
            check(
                bound in bounds,
                f'{where} selects le="{bound}", not a bound of the server\'s histograms '
                f"({', '.join(sorted(bounds, key=lambda b: float(b)))})",
            )
    return len(used)


def check_tracing(variant: str, docs: list[dict], env: dict[str, str]) -> None:
    """The collector the service exports to, and the mesh's tracing."""
    deployment = one(docs, "Deployment", APP)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    endpoint = env.get("TEXTANALYSIS_OTLP_ENDPOINT")
    collectors = [d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] != APP]
    if endpoint is not None and collectors:
        match = re.fullmatch(r"https?://([a-z0-9.-]+):(\d+)", endpoint)
        check(match is not None, f"{variant}: TEXTANALYSIS_OTLP_ENDPOINT {endpoint} is not http://HOST:PORT")
        host, port = match.group(1).split(".")[0], int(match.group(2))
        service = one(docs, "Service", host)
        service_port = [p for p in service["spec"]["ports"] if p["port"] == port]
        check(len(service_port) == 1, f"{variant}: Service {host} has no port {port}")
        collector = [
            d
            for d in collectors
            if all(
                d["spec"]["template"]["metadata"]["labels"].get(k) == v
                for k, v in service["spec"]["selector"].items()
            )
        ]
        check(len(collector) == 1, f"{variant}: Service {host} selects no collector Deployment")
        container = collector[0]["spec"]["template"]["spec"]["containers"][0]
        container_ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        target = service_port[0].get("targetPort", port)
        receiver_port = container_ports.get(target, target)
        config = collector_config(variant, docs, collector[0], container)
        grpc = config.get("receivers", {}).get("otlp", {}).get("protocols", {}).get("grpc") or {}
        listen = grpc.get("endpoint", "localhost:4317")
        check(
            listen == f"0.0.0.0:{receiver_port}",
            f"{variant}: the collector's OTLP gRPC receiver listens on {listen}, not "
            f"0.0.0.0:{receiver_port}, where Service {host} sends",
        )
        pipelines = config.get("service", {}).get("pipelines", {})
        check("traces" in pipelines, f"{variant}: the collector has no traces pipeline")
        for pipeline, parts in pipelines.items():
            for section in ("receivers", "processors", "exporters"):
                for part in parts.get(section, []):
                    check(
                        part in (config.get(section) or {}),
                        f"{variant}: collector pipeline {pipeline} uses {section} {part}, not configured",
                    )
        check(
            "otlp" in pipelines["traces"].get("receivers", []),
            f"{variant}: the collector's traces pipeline does not read the OTLP receiver",
        )
        for extension in config.get("service", {}).get("extensions", []):
            check(
                extension in (config.get("extensions") or {}),
                f"{variant}: collector extension {extension} is not configured",
            )
        log(f"{variant}: the service exports to {endpoint}, the collector's OTLP receiver (traces pipeline)")
    for telemetry in (d for d in docs if d["kind"] == "Telemetry"):
        spec = telemetry["spec"]
        if "selector" in spec:
            check(
                all(pod_labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
                f"{variant}: Telemetry selects no textanalysis pod",
            )
        for ref in spec.get("targetRefs", []):
            one(docs, ref["kind"], ref["name"])
        if pod_labels.get("istio.io/dataplane-mode") == "ambient":
            check("targetRefs" in spec, f"{variant}: in ambient mode Telemetry must target the waypoint")
        ratio = float(env.get("TEXTANALYSIS_TRACE_SAMPLE_RATIO", "1"))
        for tracing in spec.get("tracing", []):
            check(tracing.get("providers"), f"{variant}: Telemetry tracing names no provider")
            percentage = tracing.get("randomSamplingPercentage")
            check(
                percentage is not None and abs(percentage / 100 - ratio) < 1e-9,
                f"{variant}: Telemetry samples {percentage}%, the service "
                f"TEXTANALYSIS_TRACE_SAMPLE_RATIO {ratio}",
            )
        check(endpoint is not None, f"{variant}: the mesh traces but the service exports no spans")


def collector_config(variant: str, docs: list[dict], collector: dict, container: dict) -> dict:
    """The collector's configuration file, found through its --config flag
    and the ConfigMap volume mounted there."""
    path = flag_values(container.get("args", [])).get("config")
    check(path is not None, f"{variant}: the collector has no --config")
    volumes = {v["name"]: v for v in collector["spec"]["template"]["spec"].get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        prefix = mount["mountPath"].rstrip("/") + "/"
        if path.startswith(prefix) and "configMap" in volumes.get(mount["name"], {}):
            config_map = one(docs, "ConfigMap", volumes[mount["name"]]["configMap"]["name"])
            key = path[len(prefix) :]
            check(key in config_map.get("data", {}), f"{variant}: {path} is not in ConfigMap's keys")
            return yaml.safe_load(config_map["data"][key])
    raise CheckError(f"{variant}: the collector's --config {path} is on no ConfigMap volume")
