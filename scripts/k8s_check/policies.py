"""Step 2 of scripts/check_k8s.py, who may call: the base's NetworkPolicy and
each mesh's authorization, against each other and the pods they guard.

The callers are named twice per mesh, by namespace in the NetworkPolicy (the
CNI sees addresses, not identities) and by service account in the mesh's
policy; the namespaces of the two lists must agree. Beyond the schemas,
this checks what a cluster would only show by refusing calls: that each
policy selects the pods and names their ports, that the kubelet's probes
and the scrapes get through, and that nothing else does."""

from __future__ import annotations

import os
from pathlib import Path

from k8s_check import APP, ROOT, check
from k8s_check.manifests import container_of, one
from k8s_check.mesh_policies import (
    LINKERD,
    istio_ambient,
    istio_sidecar,
    linkerd_policies,
    port_number,
    selects,
)

# Where the Prometheus that scrapes the pods runs (k8s/components/monitoring).
MONITORING_NAMESPACE = "monitoring"
# The label Kubernetes gives every namespace, with the namespace's name.
NAMESPACE_LABEL = "kubernetes.io/metadata.name"
# Istio's ports: the sidecar agent's (merged metrics, rewritten probes) and
# the ambient tunnel's; and the address ambient gives the kubelet's probes.
ISTIO_AGENT_PORT = 15020
HBONE_PORT = 15008
AMBIENT_PROBE_SOURCE = "169.254.7.127/32"
# Linkerd's proxy serves its own metrics on its admin port, for
# linkerd-viz's Prometheus or the monitoring namespace's.
LINKERD_ADMIN_PORT = 4191
LINKERD_SCRAPERS = {"linkerd-viz", MONITORING_NAMESPACE}
WAYPOINT_LABEL = "gateway.networking.k8s.io/gateway-name"


def check_policies(variant: str, docs: list[dict]) -> str:
    """Checks the access rules of one rendered variant; returns what they
    admit, for the log."""
    deployment = one(docs, "Deployment", APP)
    pod = deployment["spec"]["template"]
    context = {
        "variant": variant,
        "docs": docs,
        "labels": pod["metadata"]["labels"],
        "annotations": pod["metadata"].get("annotations", {}),
        "ports": {p["name"]: p["containerPort"] for p in container_of(deployment)["ports"]},
        # Where the resources land: the overlay's namespace, else kubectl's.
        "namespace": deployment["metadata"].get("namespace", "default"),
    }
    callers = network_callers(context)
    istio = [d for d in docs if d["apiVersion"].startswith("security.istio.io/")]
    linkerd = [d for d in docs if d["apiVersion"].startswith(LINKERD + "/")]
    if context["labels"].get("istio.io/dataplane-mode") == "ambient":
        principals = istio_ambient(context, callers)
    elif context["labels"].get("sidecar.istio.io/inject") == "true":
        principals = istio_sidecar(context, callers)
    elif context["annotations"].get("linkerd.io/inject") == "enabled":
        principals = linkerd_policies(context, callers)
    else:
        check(
            not [d for d in istio + linkerd if d["kind"] != "PeerAuthentication"],
            f"{variant}: mesh policies without the mesh's proxy",
        )
        principals = []
    return (
        f"callers from {', '.join(sorted(callers))}"
        + (f" as {', '.join(principals)}" if principals else "")
        + f"; metrics from {MONITORING_NAMESPACE}; probes admitted"
    )


def network_callers(context: dict) -> set[str]:
    """The namespaces the NetworkPolicy admits to the gRPC port, after
    checking each of its rules."""
    variant = context["variant"]
    ports = context["ports"]
    policy = one(context["docs"], "NetworkPolicy", APP)
    spec = policy["spec"]
    check(selects(context["labels"], spec["podSelector"]), f"{variant}: the NetworkPolicy selects no pod")
    # Egress stays open (k8s/base/networkpolicy.yaml says why).
    check(spec.get("policyTypes") == ["Ingress"], f"{variant}: the NetworkPolicy must be of Ingress alone")
    ambient = context["labels"].get("istio.io/dataplane-mode") == "ambient"
    sidecar = context["labels"].get("sidecar.istio.io/inject") == "true"
    linkerd = context["annotations"].get("linkerd.io/inject") == "enabled"
    waypoint = one(context["docs"], "Service", APP)["metadata"]["labels"].get("istio.io/use-waypoint")
    callers: set[str] = set()
    admitted: dict[int, list[dict]] = {}
    for index, rule in enumerate(spec.get("ingress", [])):
        where = f"{variant}: NetworkPolicy rule {index}"
        # No `ports` admits every port, no `from` (or an empty one) every source.
        check(rule.get("ports"), f"{where} names no port, so admits them all")
        check(rule.get("from"), f"{where} names no source, so admits every pod and address")
        for port in rule["ports"]:
            check(port.get("protocol", "TCP") == "TCP", f"{where}: the pods serve TCP alone")
            check("endPort" not in port, f"{where}: a port range")
            admitted.setdefault(port_number(context, port["port"]), []).extend(rule["from"])
    for port, sources in admitted.items():
        for source in sources:
            where = f"{variant}: NetworkPolicy, port {port}, source {source}"
            namespace = source.get("namespaceSelector", {}).get("matchLabels", {}).get(NAMESPACE_LABEL)
            if port == ports["grpc"]:
                if "ipBlock" in source:
                    check(
                        ambient and source["ipBlock"] == {"cidr": AMBIENT_PROBE_SOURCE},
                        f"{where}: callers are named by namespace, not address",
                    )
                    continue
                check(
                    set(source) <= {"namespaceSelector", "podSelector"},
                    f"{where}: callers are named by namespace (and pods)",
                )
                if "namespaceSelector" in source:
                    check(
                        namespace is not None and len(source["namespaceSelector"]) == 1,
                        f"{where}: name the namespace by its {NAMESPACE_LABEL} label alone",
                    )
                    callers.add(namespace)
                else:
                    callers.add(context["namespace"])
            elif port in (ports["metrics"], ISTIO_AGENT_PORT):
                check(
                    source == {"namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: MONITORING_NAMESPACE}}},
                    f"{where}: the metrics are for the {MONITORING_NAMESPACE} namespace alone",
                )
                check(port != ISTIO_AGENT_PORT or sidecar, f"{where}: port {port} is the Istio sidecar's")
            elif port == LINKERD_ADMIN_PORT:
                check(linkerd, f"{where}: port {port} is Linkerd's proxy's")
                check(
                    set(source) == {"namespaceSelector"} and namespace in LINKERD_SCRAPERS,
                    f"{where}: the proxy's metrics are for {', '.join(sorted(LINKERD_SCRAPERS))} alone",
                )
            elif port == HBONE_PORT and sidecar:
                # Callers in ambient mode reach a sidecar through the tunnel.
                check(
                    set(source) == {"namespaceSelector"} and namespace is not None,
                    f"{where}: the tunnel is for the callers' namespaces",
                )
            elif port == HBONE_PORT:
                check(ambient, f"{where}: port {port} is ambient mode's tunnel")
                check(
                    source == {"podSelector": {"matchLabels": {WAYPOINT_LABEL: waypoint}}},
                    f"{where}: the tunnel is for the waypoint {waypoint} alone",
                )
            else:
                check(False, f"{where}: the pods serve nothing there")
    check(callers, f"{variant}: the NetworkPolicy admits no caller to the gRPC port")
    check(ports["metrics"] in admitted, f"{variant}: the NetworkPolicy refuses the scrapes")
    if sidecar:
        # The injector points the scrape annotations at the agent.
        check(ISTIO_AGENT_PORT in admitted, f"{variant}: the NetworkPolicy refuses merged metrics")
    if ambient:
        check(HBONE_PORT in admitted, f"{variant}: the NetworkPolicy refuses the waypoint's tunnel")
        check(
            {"ipBlock": {"cidr": AMBIENT_PROBE_SOURCE}} in admitted[ports["grpc"]],
            f"{variant}: the NetworkPolicy refuses the probes, which ambient mode sends from "
            f"{AMBIENT_PROBE_SOURCE}",
        )
    return callers


# docs/deployment.md's way to name the callers, in an overlay of the user's
# with a namespace of its own: the NetworkPolicy's namespaces for every
# variant, and the mesh's identities.
EXAMPLE_NAMESPACE = "text"
EXAMPLE_CALLERS = {"shop": "storefront", "billing": "invoicer"}
EXAMPLE_PATCHES = {
    "networkpolicy": """\
  - target: {kind: NetworkPolicy, name: textanalysis}
    patch: |-
      - op: replace
        path: /spec/ingress/0/from
        value:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: billing}}
""",
    "istio": """\
  - target: {kind: AuthorizationPolicy, name: textanalysis-callers}
    patch: |-
      - op: replace
        path: /spec/rules/0/from/0/source/principals
        value:
          - cluster.local/ns/shop/sa/storefront
          - cluster.local/ns/billing/sa/invoicer
""",
    "istio-ambient": """\
  - target: {kind: AuthorizationPolicy, name: textanalysis-waypoint}
    patch: |-
      - op: replace
        path: /spec/rules/0/from/0/source/principals
        value:
          - cluster.local/ns/text/sa/textanalysis-waypoint
""",
    "linkerd": """\
  - target: {kind: MeshTLSAuthentication, name: textanalysis-callers}
    patch: |-
      - op: replace
        path: /spec/identityRefs
        value:
          - {kind: ServiceAccount, name: storefront, namespace: shop}
          - {kind: ServiceAccount, name: invoicer, namespace: billing}
""",
}
EXAMPLE_VARIANT_PATCHES = {
    "base": ["networkpolicy"],
    "istio": ["networkpolicy", "istio"],
    "istio-ambient": ["networkpolicy", "istio", "istio-ambient"],
    "linkerd": ["networkpolicy", "linkerd"],
}


def callers_example(work: Path, variant: str, path: str) -> Path:
    """An overlay of the user's on `variant` that names the example callers
    as docs/deployment.md shows, in the namespace `text`."""
    overlay = work / "overlays" / f"callers-{variant}"
    overlay.mkdir(parents=True, exist_ok=True)
    (overlay / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        f"namespace: {EXAMPLE_NAMESPACE}\n"
        f"resources:\n  - {os.path.relpath(ROOT / path, overlay)}\n"
        "patches:\n" + "".join(EXAMPLE_PATCHES[p] for p in EXAMPLE_VARIANT_PATCHES[variant])
    )
    return overlay


def check_callers_example(variant: str, docs: list[dict]) -> str:
    """The example overlay's rules, which must be the callers it names; and
    each of its patches must be docs/deployment.md's, word for word."""
    guide = (ROOT / "docs/deployment.md").read_text()
    for name in EXAMPLE_VARIANT_PATCHES[variant]:
        check(EXAMPLE_PATCHES[name] in guide, f"docs/deployment.md no longer shows the {name} callers' patch")
    summary = check_policies(f"{variant} with the callers of docs/deployment.md", docs)
    check(
        summary.startswith(f"callers from {', '.join(sorted(EXAMPLE_CALLERS))}"),
        f"{variant}: docs/deployment.md's callers did not replace the example's: {summary}",
    )
    for namespace, account in EXAMPLE_CALLERS.items():
        check(
            variant == "base" or account in summary,
            f"{variant}: docs/deployment.md's caller {namespace}/{account} is not in the mesh's policy",
        )
    return summary
