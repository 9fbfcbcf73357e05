"""BYOCNI + Cilium rules: built-in CNIs off, a pod CIDR ACK accepts, Cilium values that route natively.

Every rule applies only when `plan.config.is_byocni`. Cilium rules check the *merged* Helm values
(`cilium_values`), so a `cni.cilium.values` overlay cannot quietly undo routing or masquerading. The
capacity side (nodes per pod CIDR, pods per node, route-table quota) lives in rules_capacity.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from ackstack_core import constants as C
from components import netmath
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


def _pod_ips_vpc_routable(plan: NetworkPlan, values: dict) -> bool:
    return plan.config.cni.cloud_routes and _routing_mode(values) == "native"


# ---------------------------------------------------------------- BYO: cluster side
@rule("BYO001", "error", "kube-flannel-ds stays disabled; ACK-managed CNI add-ons are not re-listed",
      "BYOCNI is defined by creating the cluster with kube-flannel-ds disabled; re-listing it (or the "
      "cloud-controller-manager that cni.cloudRoutes/backendType configure) would contradict that.",
      "seed byocni-custom-cni step 1 (kube-flannel-ds disabled: true) and cloud-controller-manager config")
def flannel_disabled(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    for index, addon in enumerate(plan.config.cni.addons):
        path = config_path("cni", "addons", index, "name")
        if addon.name == C.ADDON_FLANNEL:
            yield Finding("BYO001", "error", path,
                          f"add-on `{addon.name}` (disabled: {str(addon.disabled).lower()}) must not be listed: "
                          f"ackstack creates BYOCNI clusters with `{C.ADDON_FLANNEL}` disabled: true, the only "
                          "setting under which ACK installs no CNI")
        elif addon.name == C.ADDON_CCM:
            yield Finding("BYO001", "error", path,
                          f"add-on `{addon.name}` must not be listed: its config (EnableCloudRoutes, BackendType) "
                          "comes from `cni.cloudRoutes` and `cni.backendType`")


@rule("BYO002", "error", "No Terway add-on on a BYOCNI cluster",
      "Terway and Cilium would both program pod interfaces and routes; ACK's BYOCNI mode means no built-in CNI.",
      "seed byocni-custom-cni (cluster without a CNI plug-in)")
def no_terway(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    for index, addon in enumerate(plan.config.cni.addons):
        if addon.name in C.TERWAY_ADDON_NAMES and not addon.disabled:
            yield Finding("BYO002", "error", config_path("cni", "addons", index, "name"),
                          f"add-on `{addon.name}` is a Terway add-on ({', '.join(C.TERWAY_ADDON_NAMES)}); a "
                          "byocni-cilium cluster runs Cilium as its only CNI. Use `cni.mode: terway-trunk` for Terway")


@rule("BYO003", "error", "Pod CIDR inside a private range ACK accepts",
      "CreateCluster rejects a container_cidr outside 10/8, 172.16/12, 192.168/16 after the VPC already exists.",
      "CS API CreateCluster container_cidr")
def pod_cidr_range(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    cidr = plan.config.cni.pod_cidr
    if not netmath.within_any(cidr, C.POD_CIDR_ALLOWED_RANGES):
        yield Finding("BYO003", "error", config_path("cni", "podCidr"),
                      f"pod CIDR {cidr} is not inside any range ACK accepts for pods "
                      f"({', '.join(C.POD_CIDR_ALLOWED_RANGES)} or their subnets)")


@rule("BYO004", "error", "Pod CIDR overlaps neither the VPC, the service CIDR nor any vSwitch",
      "VPC routes to node PodCIDRs must not shadow VPC addresses, and pod IPs must not collide with Service IPs.",
      "ACK docs: Plan the network of an ACK cluster (pod CIDR must not overlap VPC or service CIDR)")
def pod_cidr_overlap(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    cidr = plan.config.cni.pod_cidr
    path = config_path("cni", "podCidr")
    if plan.vpc_cidr and netmath.overlaps(cidr, plan.vpc_cidr):
        yield Finding("BYO004", "error", path, f"pod CIDR {cidr} overlaps the VPC CIDR {plan.vpc_cidr}")
    else:
        for fact in plan.vswitches.values():
            if fact.cidr and netmath.overlaps(cidr, fact.cidr):
                yield Finding("BYO004", "error", path,
                              f"pod CIDR {cidr} overlaps vSwitch `{fact.key}` ({fact.cidr})")
    service = plan.config.cluster.service_cidr
    if service and netmath.overlaps(cidr, service):
        yield Finding("BYO004", "error", path, f"pod CIDR {cidr} overlaps the service CIDR {service}")


@rule("BYO005", "error", "nodeCidrMask within what ACK accepts and not wider than the pod CIDR",
      "ACK (and the provider) accept node masks /24 to /28; a node block larger than the pod CIDR cannot be carved.",
      "terraform-provider-alicloud cs_managed_kubernetes node_cidr_mask IntBetween(24, 28)")
def node_cidr_mask(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    cni = plan.config.cni
    mask, path = cni.node_cidr_mask, config_path("cni", "nodeCidrMask")
    if not C.NODE_CIDR_MASK_MIN <= mask <= C.NODE_CIDR_MASK_MAX:
        yield Finding("BYO005", "error", path,
                      f"nodeCidrMask {mask} is outside what ACK accepts (/{C.NODE_CIDR_MASK_MIN} to "
                      f"/{C.NODE_CIDR_MASK_MAX})")
    prefix = ipaddress.IPv4Network(cni.pod_cidr).prefixlen
    if mask < prefix:
        yield Finding("BYO005", "error", path,
                      f"nodeCidrMask /{mask} is a larger block than the pod CIDR {cni.pod_cidr} (/{prefix}); "
                      f"the mask must be at least /{prefix}")


@rule("BYO006", "error", "BackendType Pod only where pod IPs are VPC-routable",
      "With BackendType Pod the load balancer sends traffic straight to pod IPs; that works only if the VPC "
      "routes them (EnableCloudRoutes + native routing), otherwise every backend is unreachable.",
      "seed byocni-custom-cni cloud-controller-manager table (BackendType Pod: pod IPs must be VPC IPs)")
def backend_type_pod(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni or plan.config.cni.backend_type != "Pod":
        return
    values = _values(plan)
    if not _pod_ips_vpc_routable(plan, values):
        yield Finding("BYO006", "error", config_path("cni", "backendType"),
                      f"backendType Pod puts pod IPs behind CLB/NLB, but pod IPs are not VPC-routable here "
                      f"(cloudRoutes: {str(plan.config.cni.cloud_routes).lower()}, Cilium routingMode: "
                      f"{_routing_mode(values)}); it requires cloudRoutes: true and routingMode: native, "
                      "else use backendType NodePort")


# ---------------------------------------------------------------- CIL: merged Cilium values
@rule("CIL001", "error", "ipv4NativeRoutingCIDR equals the pod CIDR",
      "Cilium hands traffic to this CIDR to the VPC unmasqueraded; any other value either masquerades pod "
      "traffic or blackholes VPC destinations.",
      "seed byocni-custom-cni (ipv4NativeRoutingCIDR = the cluster's pod CIDR); Cilium docs: Masquerading")
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
      "seed byocni-custom-cni (nonMasqueradeCIDRs = pod CIDR + VPC CIDR); Cilium docs: Masquerading / ip-masq-agent")
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
      "seed byocni-custom-cni \"Perhatian\" (overlay: API server cannot reach any webhook)")
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
      "seed byocni-custom-cni (VPC route mode: EnableCloudRoutes adds a route per node PodCIDR)")
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
      "seed byocni-custom-cni (`ipam.mode=kubernetes`, container_cidr + node_cidr_mask)")
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


RULES = (flannel_disabled, no_terway, pod_cidr_range, pod_cidr_overlap, node_cidr_mask, backend_type_pod,
         native_routing_cidr, masquerade_exclusions, masquerade_combination, no_overlay, native_needs_routes,
         ipam_kubernetes, kpr_keys)
