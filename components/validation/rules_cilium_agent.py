"""Cilium values that stop the agent, leave nodes without pod IPs, or silently do less (CIL021-CIL029).

Each rule reads the merged values (baseline <- overlay <- `cni.cilium.values`) and cites the agent or chart source
at the pinned tags (constants.py "Cilium values that stop the agent"); the Go oracle
(go/oracles/cilium-agent-*, tests/test_cilium_agent_oracle.py) runs the agent's own checks on the same configs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components.cilium_values import cilium_values, lookup
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule
from components.validation.rules_byocni import _value_path


def _values_path(dotted: str) -> str:
    return config_path("cni", "cilium", "values", *dotted.split("."))


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
    line = cilium_chart.release_line(chart_version)
    if line is not None and line >= C.CILIUM_HEALTH_SERVER_NEEDS_KPR_FROM:
        return kube_proxy_replacement(values)
    return True


RULES = (no_ipsec_without_secret, bbr_needs_bpf_host_routing, ipv4_stays_on, cluster_identity, operator_runs,
         no_aws_eni, extra_config_bypass, ingress_gateway_need_kpr, egress_gateway_kpr)
