"""BYO: the BYOCNI cluster side: built-in CNIs off, a pod CIDR ACK accepts, CCM backends, no Terway objects.

Every rule applies only when `plan.config.is_byocni`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from ackstack_core import constants as C
from components import netmath
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule
from components.validation.rules_cil import _routing_mode, _values


def _pod_ips_vpc_routable(plan: NetworkPlan, values: dict) -> bool:
    return plan.config.cni.cloud_routes and _routing_mode(values) == "native"


# ---------------------------------------------------------------- BYO: cluster side
@rule("BYO001", "error", "kube-flannel-ds stays disabled; ACK-managed CNI add-ons are not re-listed",
      "BYOCNI is defined by creating the cluster with kube-flannel-ds disabled; re-listing it (or the "
      "cloud-controller-manager that cni.cloudRoutes/backendType configure) would contradict that.",
      "ACK guide byocni-custom-cni step 1 (kube-flannel-ds disabled: true) and cloud-controller-manager config")
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
      "ACK guide byocni-custom-cni (cluster without a CNI plug-in)")
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
      "ACK guide byocni-custom-cni cloud-controller-manager table (BackendType Pod: pod IPs must be VPC IPs)")
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


# ---------------------------------------------------------------- BYO: cluster side
@rule("BYO007", "error", "BackendType Pod needs the pod CIDR inside the VPC",
      "With BackendType Pod, cloud-controller-manager adds pod IPs as CLB/NLB backends, which must be VPC "
      "addresses; a BYOCNI pod CIDR outside the VPC CIDR gives unreachable backends.",
      "ACK guide byocni-custom-cni cloud-controller-manager table (BackendType Pod: pod IPs must be VPC addresses)")
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
      "ACK guide terway-trunk-eni-podnetworking (PodNetworking is a Terway CRD); ackstack program (Terway-only components)")
def no_terway_objects(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    for key, items in (("podNetworkings", plan.config.pod_networkings), ("namespaces", plan.config.namespaces)):
        if items:
            names = ", ".join(getattr(item, "name", "?") for item in items)
            yield Finding("BYO008", "error", config_path(key),
                          f"{key} ({len(items)}: {names}) is set but cni.mode is byocni-cilium; it is only applied "
                          "with cni.mode terway-trunk: remove it")


RULES = (
    flannel_disabled,
    no_terway,
    pod_cidr_range,
    pod_cidr_overlap,
    node_cidr_mask,
    backend_type_pod,
    backend_pod_needs_vpc_pod_cidr,
    no_terway_objects,
)
