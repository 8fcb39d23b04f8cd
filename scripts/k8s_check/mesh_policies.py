"""The meshes' half of scripts/k8s_check/policies.py: what Istio's
AuthorizationPolicies (with sidecars, and in ambient mode at ztunnel and at
the waypoint) and Linkerd's Servers, routes and AuthorizationPolicies let
through to the pods' ports, as each mesh evaluates them."""

from __future__ import annotations

import ipaddress
import re

from k8s_check import APP, check
from k8s_check.manifests import one

# What the kubelet's gRPC probes call, and a call of the service's own.
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
SERVICE_CALL = "/textanalysis.v1.TextAnalysisService/Summarize"
ISTIO_PRINCIPAL = re.compile(r"cluster\.local/ns/([a-z0-9]([-a-z0-9]*[a-z0-9])?)/sa/([a-z0-9.-]+)")
LINKERD_IDENTITY = re.compile(
    r"([a-z0-9.-]+)\.([a-z0-9-]+)\.serviceaccount\.identity\.linkerd\.cluster\.local"
)
LINKERD = "policy.linkerd.io"
LINKERD_IDENTITY_SUFFIX = "serviceaccount.identity.linkerd.cluster.local"


def selects(labels: dict, selector: dict) -> bool:
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def port_number(context: dict, port: int | str) -> int:
    """A port as a number: a containerPort's name, or a number."""
    if isinstance(port, int) or str(port).isdigit():
        return int(port)
    check(port in context["ports"], f"{context['variant']}: port {port} is no containerPort's name")
    return context["ports"][port]


def istio_rules(context: dict, policy: dict) -> dict[int, set[str] | None]:
    """Port -> the principals an ALLOW policy admits there (None: anyone).
    Rules name principals and ports alone: L4 fields, which ztunnel
    enforces too (a policy with others it refuses, or turns into DENY)."""
    variant = context["variant"]
    name = policy["metadata"]["name"]
    spec = policy["spec"]
    check(spec.get("action", "ALLOW") == "ALLOW", f"{variant}: AuthorizationPolicy {name} must ALLOW")
    allowed: dict[int, set[str] | None] = {}
    for rule in spec.get("rules", []):
        where = f"{variant}: AuthorizationPolicy {name}"
        check("when" not in rule, f"{where}: conditions are not checked here")
        operations = [t["operation"] for t in rule.get("to", [])]
        check(operations, f"{where}: a rule without `to` admits every port")
        sources = [f["source"] for f in rule.get("from", [])]
        for source in sources:
            check(set(source) == {"principals"}, f"{where}: callers are named by principals alone")
        for operation in operations:
            check(set(operation) == {"ports"}, f"{where}: rules name ports alone")
            for port in operation["ports"]:
                principals = {p for s in sources for p in s["principals"]} if sources else None
                before = allowed.get(int(port), set())
                allowed[int(port)] = None if principals is None or before is None else before | principals
    return allowed


def merge(into: dict, allowed: dict) -> None:
    for port, principals in allowed.items():
        before = into.get(port, set())
        into[port] = None if principals is None or before is None else before | principals


def principal_namespaces(variant: str, principals: set[str]) -> set[str]:
    namespaces = set()
    for principal in principals:
        match = ISTIO_PRINCIPAL.fullmatch(principal)
        check(match is not None, f"{variant}: principal {principal} is not cluster.local/ns/NS/sa/NAME")
        namespaces.add(match.group(1))
    return namespaces


def istio_policies(context: dict) -> list[dict]:
    return [d for d in context["docs"] if d["kind"] == "AuthorizationPolicy" and "istio" in d["apiVersion"]]


def istio_sidecar(context: dict, callers: set[str]) -> list[str]:
    """The sidecar enforces every policy that selects the pods."""
    variant = context["variant"]
    ports = context["ports"]
    allowed: dict[int, set[str] | None] = {}
    for policy in istio_policies(context):
        check("selector" in policy["spec"], f"{variant}: {policy['metadata']['name']} must select the pods")
        check(
            selects(context["labels"], policy["spec"]["selector"]),
            f"{variant}: AuthorizationPolicy {policy['metadata']['name']} selects no pod",
        )
        merge(allowed, istio_rules(context, policy))
    principals = check_istio_ports(variant, ports, allowed)
    check(
        principal_namespaces(variant, principals) == callers,
        f"{variant}: the principals' namespaces {sorted(principal_namespaces(variant, principals))} "
        f"are not the NetworkPolicy's callers {sorted(callers)}",
    )
    # The probes reach the agent's port, which the sidecar leaves alone,
    # only while the injector rewrites them.
    check(
        context["annotations"].get("sidecar.istio.io/rewriteAppHTTPProbers") == "true",
        f"{variant}: without rewriteAppHTTPProbers the sidecar's policies would refuse the probes",
    )
    return sorted(principals)


def check_istio_ports(variant: str, ports: dict, allowed: dict) -> set[str]:
    """The gRPC port for principals alone, the metrics port open (its
    scrapes carry no identity), nothing else; returns the principals."""
    check(set(allowed) <= set(ports.values()), f"{variant}: AuthorizationPolicy ports {sorted(allowed)}")
    principals = allowed.get(ports["grpc"])
    check(principals, f"{variant}: no principal may call the gRPC port {ports['grpc']}")
    check(ports["metrics"] in allowed, f"{variant}: the AuthorizationPolicies refuse the scrapes")
    return principals


def istio_ambient(context: dict, callers: set[str]) -> list[str]:
    """ztunnel enforces the policies that select the pods, and sees the
    waypoint's identity on calls through it; the waypoint enforces those
    that target the Service, and sees the callers'."""
    variant = context["variant"]
    ports = context["ports"]
    service = one(context["docs"], "Service", APP)
    gateway = one(context["docs"], "Gateway", service["metadata"]["labels"]["istio.io/use-waypoint"])
    at_ztunnel: dict[int, set[str] | None] = {}
    at_waypoint: dict[int, set[str] | None] = {}
    for policy in istio_policies(context):
        name = policy["metadata"]["name"]
        spec = policy["spec"]
        allowed = istio_rules(context, policy)
        if "selector" in spec:
            check(selects(context["labels"], spec["selector"]), f"{variant}: {name} selects no pod")
            merge(at_ztunnel, allowed)
        else:
            check(
                spec.get("targetRefs") == [{"group": "", "kind": "Service", "name": APP}],
                f"{variant}: {name} must target the Service {APP}, whose waypoint enforces it",
            )
            merge(at_waypoint, allowed)
    waypoint = f"cluster.local/ns/{context['namespace']}/sa/{gateway['metadata']['name']}"
    check(
        check_istio_ports(variant, ports, at_ztunnel) == {waypoint},
        f"{variant}: ztunnel must admit the gRPC port from the waypoint {waypoint} alone "
        f"(the resources' namespace is {context['namespace']})",
    )
    principals = at_waypoint.get(ports["grpc"])
    check(
        principals and set(at_waypoint) == {ports["grpc"]},
        f"{variant}: the waypoint must admit named principals to the gRPC port",
    )
    check(
        principal_namespaces(variant, principals) == callers,
        f"{variant}: the principals' namespaces are not the NetworkPolicy's callers {sorted(callers)}",
    )
    return sorted(principals)


def linkerd_policies(context: dict, callers: set[str]) -> list[str]:
    """The Servers on the pods' ports, the routes of the gRPC one, and who
    each AuthorizationPolicy lets through."""
    variant = context["variant"]
    docs = context["docs"]
    ports = context["ports"]
    servers = {}
    for server in (d for d in docs if d["kind"] == "Server"):
        name = server["metadata"]["name"]
        check(
            selects(context["labels"], server["spec"]["podSelector"]),
            f"{variant}: Server {name} selects no pod",
        )
        port = port_number(context, server["spec"]["port"])
        check(port not in servers, f"{variant}: two Servers on port {port}")
        servers[port] = server
    grpc = servers.get(ports["grpc"])
    check(grpc is not None, f"{variant}: no Server on the gRPC port {ports['grpc']}")
    check(grpc["spec"].get("proxyProtocol") == "gRPC", f"{variant}: the gRPC Server's proxyProtocol")
    check(ports["metrics"] in servers, f"{variant}: no Server on the metrics port")
    # A policy on the Namespace, or on a missing Server or route, would
    # reach past what is read here.
    routes = {d["metadata"]["name"] for d in docs if d["kind"] == "HTTPRoute"}
    names = {"Server": {s["metadata"]["name"] for s in servers.values()}, "HTTPRoute": routes}
    authorizations = [
        d for d in docs if d["kind"] == "AuthorizationPolicy" and d["apiVersion"].startswith(LINKERD)
    ]
    for policy in authorizations:
        target = policy["spec"]["targetRef"]
        check(
            target.get("group") == LINKERD and target["name"] in names.get(target["kind"], ()),
            f"{variant}: AuthorizationPolicy {policy['metadata']['name']} targets {target}, not a Server or "
            "route of the pods",
        )

    def policies_for(kind: str, name: str) -> list[dict]:
        return [
            d
            for d in docs
            if d["kind"] == "AuthorizationPolicy"
            and d["apiVersion"].startswith(LINKERD)
            and d["spec"]["targetRef"] == {"group": LINKERD, "kind": kind, "name": name}
        ]

    def who(path: str | None, server: dict) -> tuple[bool, set[str]]:
        """(anyone, identities) that may send a request on this path."""
        policies = policies_for("Server", server["metadata"]["name"])
        if path is not None:
            route = linkerd_route(variant, docs, server["metadata"]["name"], path)
            check(route is not None, f"{variant}: no route of the gRPC Server matches {path}")
            policies += policies_for("HTTPRoute", route)
        anyone = False
        identities: set[str] = set()
        for policy in policies:
            open_to_all, names = linkerd_authentications(variant, docs, policy)
            anyone |= open_to_all
            identities |= names
        return anyone, identities

    anyone, _ = who(HEALTH_CHECK, grpc)
    check(anyone, f"{variant}: the kubelet's probes ({HEALTH_CHECK}) are refused: they have no identity")
    anyone, identities = who(SERVICE_CALL, grpc)
    check(not anyone and identities, f"{variant}: calls must be for the named callers alone")
    anyone, _ = who(None, servers[ports["metrics"]])
    check(anyone, f"{variant}: the scrapes (no mesh identity) are refused on the metrics port")
    namespaces = set()
    for identity in identities:
        match = LINKERD_IDENTITY.fullmatch(identity)
        check(match is not None, f"{variant}: identity {identity} is no service account's")
        namespaces.add(match.group(2))
    check(
        namespaces == callers,
        f"{variant}: the callers' namespaces {sorted(namespaces)} are not the NetworkPolicy's "
        f"{sorted(callers)}",
    )
    return sorted(identities)


def linkerd_route(variant: str, docs: list[dict], server: str, path: str) -> str | None:
    """The HTTPRoute of a Server that a request path takes: an exact match
    before the longest prefix, as Gateway API orders them."""
    best: tuple[int, int, str] | None = None
    for route in (d for d in docs if d["kind"] == "HTTPRoute" and d["apiVersion"].startswith(LINKERD)):
        parents = [(p.get("group"), p.get("kind"), p["name"]) for p in route["spec"]["parentRefs"]]
        if (LINKERD, "Server", server) not in parents:
            continue
        for rule in route["spec"].get("rules", [{}]):
            for match in rule.get("matches", [{"path": {"type": "PathPrefix", "value": "/"}}]):
                check(
                    set(match) == {"path"},
                    f"{variant}: HTTPRoute {route['metadata']['name']} matches paths alone",
                )
                kind, value = match["path"].get("type", "PathPrefix"), match["path"]["value"]
                check(kind in ("Exact", "PathPrefix"), f"{variant}: {kind} paths are not checked here")
                prefix = value.rstrip("/") + "/"
                if kind == "Exact" and path == value:
                    rank = (1, len(value), route["metadata"]["name"])
                elif kind == "PathPrefix" and (value == "/" or path == value or path.startswith(prefix)):
                    rank = (0, len(value), route["metadata"]["name"])
                else:
                    continue
                if best is None or rank[:2] > best[:2]:
                    best = rank
    return best[2] if best else None


def linkerd_authentications(variant: str, docs: list[dict], policy: dict) -> tuple[bool, set[str]]:
    """(whether anyone, the identities) an AuthorizationPolicy admits; its
    authentications must all hold, so a mesh identity rules out `anyone`."""
    anyone = True
    identities: set[str] | None = None
    for ref in policy["spec"]["requiredAuthenticationRefs"]:
        check(ref.get("group") == LINKERD, f"{variant}: {policy['metadata']['name']}: {ref}")
        resource = one(docs, ref["kind"], ref["name"])
        if ref["kind"] == "NetworkAuthentication":
            networks = resource["spec"]["networks"]
            covered = {str(ipaddress.ip_network(n["cidr"])) for n in networks if not n.get("except")}
            anyone &= {"0.0.0.0/0", "::/0"} <= covered
        else:
            check(ref["kind"] == "MeshTLSAuthentication", f"{variant}: authentication kind {ref['kind']}")
            names = set(resource["spec"].get("identities", []))
            for identity in resource["spec"].get("identityRefs", []):
                check(
                    identity["kind"] == "ServiceAccount"
                    and identity.get("namespace")
                    and identity.get("name"),
                    f"{variant}: {ref['name']}: name each caller's service account and its namespace",
                )
                names.add(f"{identity['name']}.{identity['namespace']}.{LINKERD_IDENTITY_SUFFIX}")
            anyone = False
            identities = names if identities is None else identities & names
    return anyone, identities or set()
