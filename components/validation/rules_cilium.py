"""Cilium release and user values: tested on the cluster's Kubernetes, keys and types the pinned chart has,
settings the agent starts with, the chart's own render checks, the chart source and image registry
(VER002-VER003, CIL008-CIL019, BYO007-BYO008).

Keys and types come from the generated chart facts (ackstack_core/cilium_chart.py); the agent checks cite
cilium/cilium paths and lines in constants.py. Every rule applies only to `byocni-cilium` stacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components import cilium_render, netmath
from components.cilium_render import package_chart_version, resolve_chart_path
from components.cilium_values import cilium_values, lookup
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule
from components.validation.rules_byocni import _routing_mode, _user_sets, _value_path
from components.validation.rules_cilium_agent import health_server_can_start


def _minor(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def _values_path(dotted: str) -> str:
    return config_path("cni", "cilium", "values", *dotted.split("."))


def _chart_version_path() -> str:
    return config_path("cni", "cilium", "chartVersion")


# ---------------------------------------------------------------- VER: release vs Kubernetes
@rule("VER002", "error", "The Cilium release is e2e-tested on the cluster's Kubernetes version",
      "Each Cilium release line is tested on four Kubernetes minors; older ones have no Cilium support (error), "
      "newer ones depend on Kubernetes' backward compatibility (warning naming the newest tested).",
      "cilium/cilium Documentation/network/kubernetes/requirements.rst (v1.17.9, v1.18.7, v1.19.1)")
def cilium_k8s_tested(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    version = plan.config.cni.cilium.chart_version
    line = cilium_chart.release_line(version)
    k8s = plan.config.cluster.k8s_minor
    k8s_text = plan.config.cluster.kubernetes_version
    tested = C.CILIUM_K8S_TESTED.get(line) if line else None
    if tested is None:
        known = ", ".join(_minor(v) for v in C.CILIUM_K8S_TESTED)
        yield Finding("VER002", "warning", _chart_version_path(),
                      f"Cilium {version}: tested Kubernetes range unverified (ackstack knows the lines {known}); "
                      f"check requirements.rst of that release against Kubernetes {k8s_text}")
        return
    oldest, newest = tested
    if k8s < oldest:
        yield Finding("VER002", "error", _chart_version_path(),
                      f"Cilium {version} is e2e-tested on Kubernetes {_minor(oldest)} to {_minor(newest)}; "
                      f"cluster.kubernetesVersion {k8s_text} is older and has no Cilium support in that release")
    elif k8s > newest:
        yield Finding("VER002", "warning", _chart_version_path(),
                      f"Cilium {version} is e2e-tested on Kubernetes {_minor(oldest)} to {_minor(newest)}; "
                      f"cluster.kubernetesVersion {k8s_text} is newer than the newest tested {_minor(newest)} "
                      f"(pin a release line that lists {_minor(k8s)}, e.g. the default {C.CILIUM_CHART_VERSION})")


@rule("VER003", "warning", "The chart's key paths and types are known for the pinned Cilium release",
      "Key and type checks (CIL008/CIL009) read facts derived from the official chart package of each release "
      "ackstack knows; another patch of a known line is checked against that line's package, anything else not at all.",
      "policies/ackstack_core/cilium_charts/*.json (derived from the helm.cilium.io packages, sha256 in each file)")
def chart_facts_known(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    version = plan.config.cni.cilium.chart_version
    facts, exact = cilium_chart.facts_for(version)
    if exact:
        return
    if facts is not None:
        yield Finding("VER003", "warning", _chart_version_path(),
                      f"no chart facts for Cilium {version}; cni.cilium.values are checked against the "
                      f"{facts.version} chart of the same line (known: {', '.join(C.CILIUM_CHART_FACTS_VERSIONS)})")
    else:
        yield Finding("VER003", "warning", _chart_version_path(),
                      f"no chart facts for Cilium {version} or its release line: key paths and types of "
                      f"cni.cilium.values are unverified (known: {', '.join(C.CILIUM_CHART_FACTS_VERSIONS)})")


# ---------------------------------------------------------------- CIL: user values vs the chart
@rule("CIL008", "error", "Every key path in cni.cilium.values exists in the pinned chart",
      "Helm silently ignores unknown keys: a typo (the seed's `ipMasqAgent.enable`) previews fine and the "
      "setting never reaches the agent.",
      "official chart package values.yaml / values.schema.json (policies/ackstack_core/cilium_charts)")
def known_value_keys(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    cilium = plan.config.cni.cilium
    facts, _ = cilium_chart.facts_for(cilium.chart_version)
    if facts is None:
        return
    for path in cilium_chart.unknown_paths(dict(cilium.values), facts):
        closest = cilium_chart.closest_key(facts, path)
        hint = f"; did you mean `{closest}`?" if closest else ""
        yield Finding("CIL008", "error", _values_path(path),
                      f"`{path}` is not a key of the Cilium {facts.version} chart (Helm would ignore it){hint}")


@rule("CIL009", "error", "cni.cilium.values types match the chart's values.schema.json",
      "helm checks the values against values.schema.json at `pulumi up`, after the cluster exists; "
      "`operator.replicas: \"2\"` passes the preview and fails the release there.",
      "official chart package values.schema.json (policies/ackstack_core/cilium_charts); ip-masq-agent config types "
      "from pkg/ipmasq/ipmasq.go")
def value_types(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    cilium = plan.config.cni.cilium
    facts, _ = cilium_chart.facts_for(cilium.chart_version)
    if facts is None:
        return
    for path, value, expected in cilium_chart.type_problems(dict(cilium.values), facts):
        yield Finding("CIL009", "error", _values_path(path),
                      f"`{path}` is {value!r} ({type(value).__name__}); the Cilium {facts.version} chart schema "
                      f"requires {expected}")


@rule("CIL010", "error", "ip-masq-agent nonMasqueradeCIDRs parse as the agent parses them",
      "The agent reads each entry with Go's netip.ParsePrefix (a trailing space is invalid) and one bad entry "
      "fails the whole config, so no exclusion applies and pod traffic is masqueraded.",
      C.CILIUM_CHECK_IP_MASQ_CONFIG)
def masquerade_cidrs_parse(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    key = "ipMasqAgent.config.nonMasqueradeCIDRs"
    cidrs = lookup(cilium_values(plan, None), key)
    if cidrs is None:
        return
    path = _value_path(plan, key, "cni", "podCidr")
    if not isinstance(cidrs, list):
        yield Finding("CIL010", "error", path, f"{key} is {cidrs!r}; it must be a list of CIDR strings")
        return
    for index, entry in enumerate(cidrs):
        problem = cilium_chart.go_prefix_error(entry)
        if problem:
            yield Finding("CIL010", "error", f"{path}[{index}]",
                          f"{key}[{index}] {problem}; the agent (netip.ParsePrefix) rejects it and drops the "
                          "whole ip-masq-agent config")


# ---------------------------------------------------------------- CIL: agent start-up
def _flag(values: dict, dotted: str, default: Any = None) -> bool:
    value = lookup(values, dotted, default)
    return value is True or str(value).lower() == "true"


@rule("CIL011", "error", "BPF masquerading has IPv4 or IPv6 masquerading on",
      "With bpf.masquerade but enableIPv4Masquerade and enableIPv6Masquerade off (and ip-masq-agent off) the "
      "agent exits at start-up: nodes stay NotReady.",
      C.CILIUM_CHECK_BPF_MASQ_NEEDS_MASQ)
def bpf_masquerade_needs_masquerading(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    ipv4 = lookup(values, "enableIPv4Masquerade", True) is not False
    ipv6 = _flag(values, "enableIPv6Masquerade") and _flag(values, "ipv6.enabled")
    if _flag(values, "bpf.masquerade") and not (ipv4 or ipv6) and not _flag(values, "ipMasqAgent.enabled"):
        yield Finding("CIL011", "error", _value_path(plan, "enableIPv4Masquerade", "cni", "cilium", "values"),
                      "bpf.masquerade is true but enableIPv4Masquerade is false and IPv6 masquerading is off; the "
                      "agent exits (\"BPF masquerade requires --enable-ipv4-masquerade or --enable-ipv6-masquerade\"): "
                      "set bpf.masquerade: false or keep enableIPv4Masquerade: true")


@rule("CIL012", "error", "No masquerade-to-route-source or egress masquerade interfaces with BPF masquerading",
      "The agent refuses BPF masquerading together with enableMasqueradeRouteSource or egressMasqueradeInterfaces "
      "(iptables-only features) and exits at start-up.",
      f"{C.CILIUM_CHECK_ROUTE_SOURCE}; {C.CILIUM_CHECK_MASQ_INTERFACES}")
def bpf_masquerade_iptables_only(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if not (_flag(values, "bpf.masquerade") and lookup(values, "enableIPv4Masquerade", True) is not False):
        return
    if _flag(values, "enableMasqueradeRouteSource"):
        yield Finding("CIL012", "error", _values_path("enableMasqueradeRouteSource"),
                      "enableMasqueradeRouteSource is true with bpf.masquerade: true; the agent exits (\"BPF "
                      "masquerading to route source ... currently not supported\"): drop one of them")
    interfaces = lookup(values, "egressMasqueradeInterfaces")
    if interfaces not in (None, ""):
        yield Finding("CIL012", "error", _values_path("egressMasqueradeInterfaces"),
                      f"egressMasqueradeInterfaces is {interfaces!r} with bpf.masquerade: true; the agent exits (\"BPF "
                      "masquerade does not allow to specify devices via --egress-masquerade-interfaces\"): use "
                      "`devices` instead or drop it")


@rule("CIL013", "error", "No IPv6 with Kubernetes IPAM on an IPv4-only ACK cluster",
      "With ipv6.enabled and ipam.mode kubernetes the agent needs each node's IPv6 PodCIDR; ACK BYOCNI nodes only "
      "get an IPv4 PodCIDR, so the agent waits for it and never becomes Ready.",
      C.CILIUM_CHECK_IPV6_PODCIDR)
def no_ipv6_with_k8s_ipam(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if _flag(values, "ipv6.enabled") and lookup(values, "ipam.mode") == "kubernetes":
        yield Finding("CIL013", "error", _values_path("ipv6.enabled"),
                      f"ipv6.enabled is true with ipam.mode kubernetes, but the ACK pod CIDR {plan.config.cni.pod_cidr} "
                      "gives nodes an IPv4 PodCIDR only; the agent waits for an IPv6 PodCIDR and never becomes "
                      "Ready: set ipv6.enabled: false")


@rule("CIL014", "error", "No autoDirectNodeRoutes in tunnel mode",
      "The agent exits at start-up when auto-direct-node-routes is combined with tunneling (packets must go "
      "through the tunnel device).",
      C.CILIUM_CHECK_TUNNEL_DIRECT_ROUTES)
def no_direct_routes_in_tunnel(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if _routing_mode(values) == "tunnel" and _flag(values, "autoDirectNodeRoutes"):
        yield Finding("CIL014", "error", _values_path("autoDirectNodeRoutes"),
                      "autoDirectNodeRoutes is true with routingMode tunnel; the agent exits (\"auto-direct-node-routes "
                      "cannot be used with tunneling\"): set autoDirectNodeRoutes: false")


@rule("CIL015", "warning", "The agent's NodePort health-check server stays off next to ACK's kube-proxy",
      "ACK keeps kube-proxy running, which binds the NodePort health-check port itself; Cilium's docs say to set "
      "nodePort.enableHealthCheck: false then, or the two clash on that port. From 1.19 the agent starts the server "
      "only with kube-proxy replacement on, so the warning needs it there.",
      f"{C.CILIUM_KUBE_PROXY_HEALTH_CHECK_CLASH}; {C.CILIUM_CHECK_HEALTH_SERVER_KPR}")
def health_check_clash(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if not health_server_can_start(values, plan.config.cni.cilium.chart_version):
        return  # 1.19+: no server without kube-proxy replacement, so nothing to clash with
    if lookup(values, "nodePort.enableHealthCheck", True) is not False:
        yield Finding("CIL015", "warning", _values_path("nodePort.enableHealthCheck"),
                      "nodePort.enableHealthCheck is true while ACK's kube-proxy keeps running; both bind the NodePort "
                      "health-check port (Cilium kube-proxy-free docs): set it to false")


@rule("CIL019", "error", "Hubble Relay only with Hubble, Hubble UI only with Relay",
      "The chart's own validate.yaml fails the render (so the Helm release, at `pulumi up`) when hubble.relay is on "
      "without hubble, or hubble.ui without hubble.relay.",
      C.CILIUM_CHART_HUBBLE_CHECKS)
def hubble_dependencies(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    for needs, needed in (("hubble.relay.enabled", "hubble.enabled"), ("hubble.ui.enabled", "hubble.relay.enabled")):
        if _flag(values, needs) and not _flag(values, needed, True if needed == "hubble.enabled" else None):
            yield Finding("CIL019", "error", _value_path(plan, needed, "cni", "cilium", "hubble"),
                          f"{needs} is true but {needed} is {lookup(values, needed)!r}; the chart's validate.yaml "
                          "refuses to render that, so the Helm release would fail at `pulumi up`: "
                          f"set {needed}: true or cni.cilium.hubble: false")


# ---------------------------------------------------------------- CIL: the real render
def _helm_message(text: str) -> str:
    """helm's refusal without its `Error: ` prefix and the `--debug` hint, on one line."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and "--debug" not in line]
    return " ".join(lines).removeprefix("Error: ")


@rule("CIL020", "error", "The real helm renders the pinned chart with these values",
      "The chart checks values.schema.json and runs about thirty `fail` checks of its own (1.19.6 "
      "templates/validate.yaml); a refusal surfaces only at `pulumi up`, after the cluster exists. Whenever helm "
      "and the pinned chart package are present, validation renders the release and reports helm's message; "
      "without them the rule-based checks (CIL008-CIL019) stand alone and the preview says so.",
      "helm v4.1.4 `helm template` over the official chart package (components/cilium_render.py)")
def helm_renders(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    cilium = plan.config.cni.cilium
    check = cilium_render.render_check(cilium.chart_version, cilium.chart_path)
    if check.mode != "helm":
        return
    try:
        cilium_render.render(cilium_values(plan, None), check.package, plan.config.cluster.kubernetes_version,
                             helm=check.helm)
    except cilium_render.RenderError as exc:
        refs = cilium_render.refused_value_paths(str(exc), check.package)
        chosen = next((ref for ref in refs if _user_sets(plan, ref)), refs[0] if refs else None)
        path = _values_path(chosen) if chosen else config_path("cni", "cilium", "values")
        yield Finding("CIL020", "error", path,
                      f"helm template {check.package.name} refuses the values"
                      f"{f' (value {chosen})' if chosen else ''}: {_helm_message(str(exc))}")


# ---------------------------------------------------------------- CIL: chart source and images
@rule("CIL016", "error", "A local chart package exists, is a Cilium chart and has the pinned version",
      "`cni.cilium.chartPath` replaces the repository; a missing file, another chart, or another version than "
      "chartVersion would install something else than what was validated.",
      "helm chart package layout (<name>/Chart.yaml in the .tgz); seed note on images and charts from outside China")
def local_chart_package(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni or not plan.config.cni.cilium.chart_path:
        return
    cilium = plan.config.cni.cilium
    path = config_path("cni", "cilium", "chartPath")
    package = resolve_chart_path(cilium.chart_path)
    if not package.is_file():
        yield Finding("CIL016", "error", path, f"chart package {cilium.chart_path!r} does not exist ({package})")
        return
    found = package_chart_version(package)
    if found is None:
        yield Finding("CIL016", "error", path, f"{cilium.chart_path!r} is not a Helm chart package (.tgz with Chart.yaml)")
    elif found != (C.CILIUM_CHART_NAME, cilium.chart_version):
        yield Finding("CIL016", "error", path,
                      f"{cilium.chart_path!r} holds chart {found[0]} {found[1]}; expected {C.CILIUM_CHART_NAME} "
                      f"{cilium.chart_version} (cni.cilium.chartVersion)")


@rule("CIL017", "error", "imageRegistry is a registry host with an optional namespace",
      "The override is prefixed to every image path; a scheme, tag or uppercase letter would make every pull fail.",
      "OCI distribution reference grammar (host[:port]/path, lowercase path components)")
def image_registry_shape(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni or not plan.config.cni.cilium.image_registry:
        return
    registry = plan.config.cni.cilium.image_registry
    if not re.match(C.CILIUM_IMAGE_REGISTRY_PATTERN, registry):
        yield Finding("CIL017", "error", config_path("cni", "cilium", "imageRegistry"),
                      f"imageRegistry {registry!r} is not `host[:port][/namespace]` (no scheme, tag or uppercase), "
                      "e.g. registry.cn-shanghai.aliyuncs.com/acme")


def _image_sources(values: dict, facts: cilium_chart.ChartFacts) -> Iterator[tuple[str, str]]:
    for dotted in facts.images:
        image = lookup(values, dotted)
        if not isinstance(image, dict):
            continue
        override = image.get("override")
        if override:
            yield f"{dotted}.override", str(override)
        else:
            yield f"{dotted}.repository", str(image.get("repository") or "")


@rule("CIL018", "warning", "With imageRegistry set, no image still comes from a default registry",
      "The seed warns that pulls from outside China may fail; one image left on quay.io/docker.io/ghcr.io "
      "(e.g. an override in values) would still stall its pods.",
      "official chart package image defaults (cilium_charts/*.json images); seed note on image pulls")
def images_from_registry(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni or not plan.config.cni.cilium.image_registry:
        return
    cilium = plan.config.cni.cilium
    facts, _ = cilium_chart.facts_for(cilium.chart_version)
    if facts is None:
        return
    values = cilium_values(plan, None)
    for dotted, image in _image_sources(values, facts):
        host = image.split("/", 1)[0]
        if host in C.CILIUM_DEFAULT_IMAGE_REGISTRIES and not image.startswith(cilium.image_registry):
            yield Finding("CIL018", "warning", _values_path(dotted),
                          f"{dotted} is {image!r}, still from {host}, although imageRegistry is "
                          f"{cilium.image_registry!r}")


# ---------------------------------------------------------------- BYO: cluster side
@rule("BYO007", "error", "BackendType Pod needs the pod CIDR inside the VPC",
      "With BackendType Pod, cloud-controller-manager adds pod IPs as CLB/NLB backends, which must be VPC "
      "addresses; a BYOCNI pod CIDR outside the VPC CIDR gives unreachable backends.",
      "seed byocni-custom-cni cloud-controller-manager table (BackendType Pod: pod IPs must be VPC addresses)")
def backend_pod_needs_vpc_pod_cidr(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni or plan.config.cni.backend_type != "Pod" or not plan.vpc_cidr:
        return
    pod_cidr = plan.config.cni.pod_cidr
    if not netmath.within(pod_cidr, plan.vpc_cidr):
        yield Finding("BYO007", "error", config_path("cni", "backendType"),
                      f"backendType Pod adds pod IPs as load-balancer backends, which must be VPC addresses, but the "
                      f"pod CIDR {pod_cidr} is outside the VPC CIDR {plan.vpc_cidr}: use backendType NodePort")


@rule("BYO008", "error", "No podNetworkings or namespaces on a byocni-cilium stack",
      "PodNetworking objects and their namespace labels are Terway features; a byocni-cilium stack ignores them "
      "silently today, so the intended isolation never exists.",
      "seed terway-trunk-eni-podnetworking (PodNetworking is a Terway CRD); ackstack program (Terway-only components)")
def no_terway_objects(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    for key, items in (("podNetworkings", plan.config.pod_networkings), ("namespaces", plan.config.namespaces)):
        if items:
            names = ", ".join(getattr(item, "name", "?") for item in items)
            yield Finding("BYO008", "error", config_path(key),
                          f"{key} ({len(items)}: {names}) is set but cni.mode is byocni-cilium; it is only applied "
                          "with cni.mode terway-trunk: remove it")


RULES = (cilium_k8s_tested, chart_facts_known, known_value_keys, value_types, masquerade_cidrs_parse,
         bpf_masquerade_needs_masquerading, bpf_masquerade_iptables_only, no_ipv6_with_k8s_ipam,
         no_direct_routes_in_tunnel, health_check_clash, local_chart_package, image_registry_shape,
         images_from_registry, hubble_dependencies, helm_renders, backend_pod_needs_vpc_pod_cidr, no_terway_objects)

