"""CIL: Cilium's merged Helm values: native routing and masquerading, keys and types of the pinned chart, the
chart's render checks, the chart source and image registry, and the settings the agent refuses at start-up.

Rules check the *merged* values (`cilium_values`), so a `cni.cilium.values` overlay cannot quietly undo them;
keys and types come from the generated chart facts (ackstack_core/cilium_chart.py). Every rule applies only to
`byocni-cilium` stacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components import cilium_render, netmath
from components.cilium_render import package_chart_version, resolve_chart_path
from components.cilium_values import bpf_masquerade_needs_node_port, cilium_values, lookup
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule

_UNSET = object()


def _values(plan: NetworkPlan) -> dict:
    return cilium_values(plan, None)


def _user_sets(plan: NetworkPlan, dotted: str) -> bool:
    return lookup(plan.config.cni.cilium.values, dotted, _UNSET) is not _UNSET


def _value_path(plan: NetworkPlan, dotted: str, *fallback: str | int) -> str:
    """The config path that decided a merged value: the user's `values` key if set, else `fallback`."""
    if _user_sets(plan, dotted):
        return config_path("cni", "cilium", "values", *dotted.split("."))
    return config_path(*fallback)


def _routing_mode(values: dict) -> str:
    """The chart treats an empty/absent routingMode as `tunnel` (values.yaml: default tunnel)."""
    return str(lookup(values, "routingMode", "") or "tunnel")


# ---------------------------------------------------------------- CIL: merged Cilium values
@rule("CIL001", "error", "ipv4NativeRoutingCIDR equals the pod CIDR",
      "Cilium hands traffic to this CIDR to the VPC unmasqueraded; any other value either masquerades pod "
      "traffic or blackholes VPC destinations.",
      "ACK guide byocni-custom-cni (ipv4NativeRoutingCIDR = the cluster's pod CIDR); Cilium docs: Masquerading")
def native_routing_cidr(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    actual = lookup(_values(plan), "ipv4NativeRoutingCIDR")
    expected = plan.config.cni.pod_cidr
    if actual != expected:
        yield Finding("CIL001", "error", _value_path(plan, "ipv4NativeRoutingCIDR", "cni", "podCidr"),
                      f"Cilium ipv4NativeRoutingCIDR is {actual!r}; it must equal the pod CIDR {expected}")


def _covered(target: str, cidrs: list[Any]) -> bool:
    for cidr in cidrs:
        try:
            if netmath.within(target, str(cidr)):
                return True
        except ValueError:
            continue
    return False


@rule("CIL002", "error", "Masquerade exclusions contain the pod CIDR and the VPC CIDR",
      "Pod traffic to other pods or to VPC hosts must keep the pod IP (VPC routes carry it back); masquerading "
      "it breaks source-IP policies and NetworkPolicies across nodes.",
      "ACK guide byocni-custom-cni (nonMasqueradeCIDRs = pod CIDR + VPC CIDR); Cilium docs: Masquerading / ip-masq-agent")
def masquerade_exclusions(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = _values(plan)
    if lookup(values, "enableIPv4Masquerade") is False:
        return  # nothing is masqueraded at all
    if lookup(values, "ipMasqAgent.enabled") is True:
        key = "ipMasqAgent.config.nonMasqueradeCIDRs"
        exclusions = lookup(values, key) or []
        exclusions = exclusions if isinstance(exclusions, list) else [exclusions]
        path = _value_path(plan, key, "cni", "podCidr")
    else:
        key = "ipv4NativeRoutingCIDR (ipMasqAgent disabled)"
        exclusions = [lookup(values, "ipv4NativeRoutingCIDR")]
        path = _value_path(plan, "ipMasqAgent.enabled", "cni", "cilium", "values")
    wanted = [("pod CIDR", plan.config.cni.pod_cidr)] + ([("VPC CIDR", plan.vpc_cidr)] if plan.vpc_cidr else [])
    for label, cidr in wanted:
        if not _covered(cidr, exclusions):
            yield Finding("CIL002", "error", path,
                          f"Cilium masquerade exclusions ({key} = {exclusions}) do not contain the {label} {cidr}; "
                          "pod traffic to it would be masqueraded to the node IP")


@rule("CIL003", "error", "Masquerading settings that let the agent start",
      "The agent exits at start-up when ipMasqAgent is on without IPv4 + BPF masquerading, or BPF masquerading "
      "without the BPF NodePort datapath; every node would stay NotReady.",
      f"cilium/cilium {C.CILIUM_CHECK_IP_MASQ_AGENT}; {C.CILIUM_CHECK_BPF_MASQ_NODEPORT} (1.17/1.18 only)")
def masquerade_combination(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = _values(plan)
    ip_masq = lookup(values, "ipMasqAgent.enabled") is True
    ipv4_masq = lookup(values, "enableIPv4Masquerade", True) is not False  # chart default true
    bpf_masq = lookup(values, "bpf.masquerade") is True  # chart default ~ (false)
    if ip_masq and not (ipv4_masq and bpf_masq):
        culprit = "enableIPv4Masquerade" if not ipv4_masq else "bpf.masquerade"
        yield Finding("CIL003", "error", _value_path(plan, culprit, "cni", "cilium", "values", culprit),
                      f"ipMasqAgent.enabled is true but {culprit} is {lookup(values, culprit)!r}; the agent only "
                      "starts with enableIPv4Masquerade: true and bpf.masquerade: true")
    kpr = str(lookup(values, "kubeProxyReplacement", "false")).lower() == "true"
    version = plan.config.cni.cilium.chart_version
    node_port = lookup(values, "nodePort.enabled") is True
    if bpf_masquerade_needs_node_port(version) and ipv4_masq and bpf_masq and not (node_port or kpr):
        yield Finding("CIL003", "error", _value_path(plan, "nodePort.enabled", "cni", "cilium", "values"),
                      f"bpf.masquerade is true but nodePort.enabled is {lookup(values, 'nodePort.enabled')!r} and "
                      "kube-proxy replacement is off; BPF masquerading needs nodePort.enabled: true (Cilium "
                      f"{version}: {C.CILIUM_CHECK_BPF_MASQ_NODEPORT})")


@rule("CIL004", "error", "No tunnel/overlay routing on ACK managed Pro (unless explicitly accepted)",
      "The managed API server sits outside the cluster's overlay and cannot reach webhooks on pod IPs "
      "(metrics-server, admission webhooks); native routing over VPC routes keeps pod IPs reachable.",
      "ACK guide byocni-custom-cni \"Perhatian\" (overlay: API server cannot reach any webhook)")
def no_overlay(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    mode = _routing_mode(_values(plan))
    if mode == "native":
        return
    path = _value_path(plan, "routingMode", "cni", "cilium", "routingMode")
    if plan.config.cni.cilium.accept_overlay:
        yield Finding("CIL004", "warning", path,
                      f"Cilium routingMode is {mode} (overlay), accepted by cni.cilium.acceptOverlay: the ACK "
                      "managed Pro API server cannot reach webhooks on pod IPs (e.g. metrics-server)")
    else:
        yield Finding("CIL004", "error", path,
                      f"Cilium routingMode is {mode} (overlay); on ACK managed Pro it must be native, because the "
                      "managed API server cannot reach webhooks on an overlay (set cni.cilium.acceptOverlay: true "
                      "to accept that)")


@rule("CIL005", "error", "Native routing has VPC routes for the pod CIDR (cloudRoutes)",
      "Native routing hands pod traffic to the VPC; without cloud-controller-manager's per-node PodCIDR routes "
      "the VPC drops it, and autoDirectNodeRoutes cannot help on an L3-routed VPC.",
      "ACK guide byocni-custom-cni (VPC route mode: EnableCloudRoutes adds a route per node PodCIDR)")
def native_needs_routes(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    if _routing_mode(_values(plan)) == "native" and not plan.config.cni.cloud_routes:
        yield Finding("CIL005", "error", config_path("cni", "cloudRoutes"),
                      "cloudRoutes is false but Cilium routingMode is native; pod-to-pod traffic across nodes needs "
                      "the VPC route per node PodCIDR that cloud-controller-manager adds with "
                      "EnableCloudRoutes: \"true\" (cloudRoutes: true)")


@rule("CIL006", "error", "Cilium IPAM is `kubernetes` (node PodCIDRs from ACK)",
      "VPC routes cover the node PodCIDRs ACK carves from podCidr/nodeCidrMask; other IPAM modes hand out "
      "addresses those routes do not cover.",
      "ACK guide byocni-custom-cni (`ipam.mode=kubernetes`, container_cidr + node_cidr_mask)")
def ipam_kubernetes(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = _values(plan)
    mode = lookup(values, "ipam.mode")
    if mode == "kubernetes":
        return
    native = _routing_mode(values) == "native"
    level = "error" if native else "warning"
    yield Finding("CIL006", level, _value_path(plan, "ipam.mode", "cni", "cilium", "ipam"),
                  f"Cilium ipam.mode is {mode!r}; with ACK node PodCIDRs (podCidr {plan.config.cni.pod_cidr}, "
                  f"nodeCidrMask /{plan.config.cni.node_cidr_mask}) it must be 'kubernetes', otherwise pod IPs "
                  "fall outside the per-node VPC routes")


_KPR_KEYS = ("kubeProxyReplacement", "k8sServiceHost", "k8sServicePort")


@rule("CIL007", "error", "Kube-proxy replacement keys come from ackstack, never `auto`",
      "k8sServiceHost must be the cluster's intranet API server address: `auto` reads kubeadm's cluster-info "
      "ConfigMap, which ACK clusters do not have, and the agent cannot reach the API through a Service it is "
      "about to implement.",
      "cilium values.yaml k8sServiceHost (\"auto\" for kubeadm-based clusters only); Cilium docs kube-proxy free")
def kpr_keys(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    user = plan.config.cni.cilium.values
    for key in _KPR_KEYS:
        if key in user:
            yield Finding("CIL007", "error", config_path("cni", "cilium", "values", key),
                          f"values.{key} is set to {user[key]!r}; ackstack sets {', '.join(_KPR_KEYS)} from "
                          "cni.cilium.kubeProxyReplacement and the cluster's intranet API server endpoint "
                          "(never 'auto'); remove it from values")


def _values_path(dotted: str) -> str:
    return config_path("cni", "cilium", "values", *dotted.split("."))


# ---------------------------------------------------------------- CIL: user values vs the chart
@rule("CIL008", "error", "Every key path in cni.cilium.values exists in the pinned chart",
      "Helm silently ignores unknown keys: a typo (the ACK guide's `ipMasqAgent.enable`) previews fine and the "
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
      "helm chart package layout (<name>/Chart.yaml in the .tgz); ACK guide note on images and charts from outside China")
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
      "The ACK guide warns that pulls from outside China may fail; one image left on quay.io/docker.io/ghcr.io "
      "(e.g. an override in values) would still stall its pods.",
      "official chart package image defaults (cilium_charts/*.json images); ACK guide note on image pulls")
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


def _on(values: dict, dotted: str, default: Any = None) -> bool:
    value = lookup(values, dotted, default)
    return value is True or str(value).lower() == "true"


def kube_proxy_replacement(values: dict) -> bool:
    """The chart renders `kube-proxy-replacement` from the value as text: only true/"true" turn it on."""
    return _on(values, "kubeProxyReplacement")


@rule("CIL021", "error", "No IPsec encryption: ackstack never creates the key Secret the agent mounts",
      "With encryption.type ipsec the agent DaemonSet mounts the Secret encryption.ipsec.secretName as a required "
      "volume; ackstack creates no such Secret, so every agent pod stays ContainerCreating and nodes stay NotReady.",
      C.CILIUM_CHECK_IPSEC_SECRET)
def no_ipsec_without_secret(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if _on(values, "encryption.enabled") and lookup(values, "encryption.type", "ipsec") == "ipsec":
        secret = lookup(values, "encryption.ipsec.secretName") or "cilium-ipsec-keys"
        yield Finding("CIL021", "error", _values_path("encryption.enabled"),
                      f"encryption.enabled with type ipsec mounts the Secret {C.CILIUM_NAMESPACE}/{secret} in every agent "
                      "pod; ackstack never creates it, so the agents never start: use encryption.type wireguard or "
                      "leave encryption off")


@rule("CIL022", "error", "The BBR bandwidth manager only with BPF host routing",
      "The agent refuses BBR (without bbrHostNamespaceOnly) when host legacy routing is on, and forces legacy "
      "routing on whenever kube-proxy replacement is off; bbrHostNamespaceOnly without bbr is refused too.",
      C.CILIUM_CHECK_BBR_HOST_ROUTING)
def bbr_needs_bpf_host_routing(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if not _on(values, "bandwidthManager.enabled"):
        return
    bbr, hostns_only = _on(values, "bandwidthManager.bbr"), _on(values, "bandwidthManager.bbrHostNamespaceOnly")
    if hostns_only and not bbr:
        yield Finding("CIL022", "error", _values_path("bandwidthManager.bbrHostNamespaceOnly"),
                      "bandwidthManager.bbrHostNamespaceOnly is true without bandwidthManager.bbr; the agent exits "
                      "(\"cannot enable --enable-bbr-hostns-only without enabling --enable-bbr\")")
    if bbr and not hostns_only:
        reason = ("kube-proxy replacement is off (cni.cilium.kubeProxyReplacement), which forces legacy host routing"
                  if not kube_proxy_replacement(values) else
                  "bpf.hostLegacyRouting is true" if _on(values, "bpf.hostLegacyRouting") else None)
        if reason:
            yield Finding("CIL022", "error", _values_path("bandwidthManager.bbr"),
                          f"bandwidthManager.bbr is true but {reason}; the agent exits (\"BPF bandwidth manager's BBR "
                          "setup requires BPF host routing.\"): turn on cni.cilium.kubeProxyReplacement or drop bbr")


@rule("CIL023", "error", "IPv4 stays on",
      "With ipv4.enabled and ipv6.enabled both false the agent exits at start-up; IPv6 alone gets no pod IPs on "
      "ACK, whose BYOCNI nodes have an IPv4 PodCIDR only (CIL013).",
      f"{C.CILIUM_CHECK_IP_FAMILY}; {C.CILIUM_CHECK_IPV6_PODCIDR}")
def ipv4_stays_on(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    ipv4 = lookup(values, "ipv4.enabled", True)
    if ipv4 is not False and str(ipv4).lower() != "false":
        return
    if _on(values, "ipv6.enabled"):
        why = "the nodes have an IPv4 PodCIDR only, so an IPv6-only agent gives no pod an address"
    else:
        why = "with ipv6.enabled off too the agent exits (\"Either IPv4 or IPv6 addressing must be enabled\")"
    yield Finding("CIL023", "error", _values_path("ipv4.enabled"), f"ipv4.enabled is false: {why}; keep ipv4.enabled true")


@rule("CIL024", "error", "cluster.id and cluster.name are what the agent and the chart accept",
      "The agent exits when cluster.id is outside 0..max-connected-clusters (255, or 511) or the name breaks its "
      "pattern; the chart refuses the default name `default` with a non-zero id.",
      C.CILIUM_CHECK_CLUSTER_ID)
def cluster_identity(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    max_connected = lookup(values, "clustermesh.maxConnectedClusters", 255)
    if max_connected not in C.CILIUM_CLUSTER_ID_MAX_BY_MAX_CONNECTED:
        yield Finding("CIL024", "error", _values_path("clustermesh.maxConnectedClusters"),
                      f"clustermesh.maxConnectedClusters is {max_connected!r}; the agent accepts 255 or 511 only")
        return
    cluster_id, name = lookup(values, "cluster.id", 0), lookup(values, "cluster.name", "default")
    limit = C.CILIUM_CLUSTER_ID_MAX_BY_MAX_CONNECTED[max_connected]
    if isinstance(cluster_id, int) and not isinstance(cluster_id, bool) and not 0 <= cluster_id <= limit:
        yield Finding("CIL024", "error", _values_path("cluster.id"),
                      f"cluster.id is {cluster_id}; the agent exits (\"invalid cluster id {cluster_id}: must be in range "
                      f"0..{limit}\", max-connected-clusters {max_connected})")
    if not isinstance(name, str):
        return
    if len(name) > C.CILIUM_CLUSTER_NAME_MAX or not re.match(C.CILIUM_CLUSTER_NAME_PATTERN, name):
        yield Finding("CIL024", "error", _values_path("cluster.name"),
                      f"cluster.name {name!r} is not at most {C.CILIUM_CLUSTER_NAME_MAX} lower-case alphanumerics and "
                      "'-', starting and ending alphanumeric; the chart refuses it and the agent would exit")
    elif name == "default" and cluster_id not in (0, None):
        yield Finding("CIL024", "error", _values_path("cluster.name"),
                      f"cluster.name is the default `default` with cluster.id {cluster_id}; the chart refuses it: "
                      "name the cluster")


@rule("CIL025", "error", "The Cilium operator runs",
      "The agent waits for the CRDs the operator registers and exits after crd-wait-timeout (5 min); with "
      "operator.enabled false or operator.replicas 0 no operator runs, so no agent ever becomes Ready.",
      C.CILIUM_CHECK_OPERATOR_CRDS)
def operator_runs(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if lookup(values, "operator.enabled", True) is False:
        yield Finding("CIL025", "error", _values_path("operator.enabled"),
                      "operator.enabled is false: nothing registers Cilium's CRDs, and the agent exits after "
                      "crd-wait-timeout (\"Unable to find all Cilium CRDs necessary\"): keep the operator")
    elif lookup(values, "operator.replicas", 2) == 0:
        yield Finding("CIL025", "error", _values_path("operator.replicas"),
                      "operator.replicas is 0: nothing registers Cilium's CRDs, and the agent exits after "
                      "crd-wait-timeout (\"Unable to find all Cilium CRDs necessary\"): keep at least 1 replica")


@rule("CIL026", "error", "No AWS ENI mode",
      "eni.enabled makes the chart render `ipam: eni` (AWS ENI IPAM, with the AWS API) whatever ipam.mode says; "
      "on ACK the nodes then get no pod IPs.",
      C.CILIUM_CHECK_ENI_IPAM)
def no_aws_eni(plan: NetworkPlan) -> Iterator[Finding]:
    if plan.config.is_byocni and _on(cilium_values(plan, None), "eni.enabled"):
        yield Finding("CIL026", "error", _values_path("eni.enabled"),
                      "eni.enabled is true: the chart switches the agent to AWS ENI IPAM (`ipam: eni`), which cannot "
                      f"allocate on Alibaba Cloud; keep eni.enabled false and ipam.mode {plan.config.cni.cilium.ipam}")


@rule("CIL027", "error", "extraConfig sets no cilium-config key that ackstack checks in its typed form",
      "The chart appends extraConfig after every typed key, so `extraConfig.routing-mode` replaces what routingMode "
      "rendered and bypasses the rules that checked it.",
      C.CILIUM_CHECK_EXTRA_CONFIG)
def extra_config_bypass(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    extra = lookup(cilium_values(plan, None), "extraConfig")
    if not isinstance(extra, dict):
        return
    for key in extra:
        typed = C.CILIUM_RULE_READ_CONFIG_KEYS.get(str(key))
        if typed:
            via = f"; set `{typed}` instead" if not typed.startswith("(") else ""
            yield Finding("CIL027", "error", _values_path(f"extraConfig.{key}"),
                          f"extraConfig.{key} overrides the cilium-config key `{key}` that ackstack checks through its "
                          f"typed value{via}")


@rule("CIL028", "error", "Ingress controller and Gateway API only with kube-proxy replacement",
      "Without kube-proxy replacement the operator logs \"... requires kube-proxy-replacement enabled\" and programs "
      "nothing: Ingresses and Gateways stay without an address.",
      C.CILIUM_CHECK_INGRESS_GATEWAY_KPR)
def ingress_gateway_need_kpr(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if kube_proxy_replacement(values):
        return
    for key in ("ingressController.enabled", "gatewayAPI.enabled"):
        if _on(values, key):
            yield Finding("CIL028", "error", _values_path(key),
                          f"{key} is true but kube-proxy replacement is off; the operator programs nothing "
                          "(\"requires kube-proxy-replacement enabled\"): set cni.cilium.kubeProxyReplacement: true")


@rule("CIL029", "warning", "Egress gateway with kube-proxy replacement",
      "Cilium documents egress gateway as requiring BPF masquerading and kube-proxy replacement; without the "
      "replacement the agent starts but the setup is unsupported upstream.",
      C.CILIUM_CHECK_EGRESS_GATEWAY_KPR)
def egress_gateway_kpr(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    values = cilium_values(plan, None)
    if _on(values, "egressGateway.enabled") and not kube_proxy_replacement(values):
        yield Finding("CIL029", "warning", _value_path(plan, "egressGateway.enabled", "cni", "cilium", "values"),
                      "egressGateway.enabled without kube-proxy replacement is unsupported upstream (the egress gateway "
                      "docs require both BPF masquerading and kube-proxy replacement): set "
                      "cni.cilium.kubeProxyReplacement: true")


def health_server_can_start(values: dict, chart_version: str) -> bool:
    """From 1.19 the NodePort health-check server starts only with kube-proxy replacement on."""
    record = cilium_chart.release_record(chart_version)
    if record is not None and record.health_server_needs_kpr:
        return kube_proxy_replacement(values)
    return True


RULES = (
    native_routing_cidr,
    masquerade_exclusions,
    masquerade_combination,
    no_overlay,
    native_needs_routes,
    ipam_kubernetes,
    kpr_keys,
    known_value_keys,
    value_types,
    masquerade_cidrs_parse,
    bpf_masquerade_needs_masquerading,
    bpf_masquerade_iptables_only,
    no_ipv6_with_k8s_ipam,
    no_direct_routes_in_tunnel,
    health_check_clash,
    local_chart_package,
    image_registry_shape,
    images_from_registry,
    hubble_dependencies,
    helm_renders,
    no_ipsec_without_secret,
    bbr_needs_bpf_host_routing,
    ipv4_stays_on,
    cluster_identity,
    operator_runs,
    no_aws_eni,
    extra_config_bypass,
    ingress_gateway_need_kpr,
    egress_gateway_kpr,
)
