"""The live-cluster checks of `verify`: each compares one object with the plan and yields results.

Every result names the object, what the plan expects and what the cluster holds, so a failure can
be acted on without rerunning anything. Checks only read (GET); the canary lives in `ackstack.day2.canary`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from ackstack.day2.expected import Expected
from ackstack.day2.kube import Kube, core_path, group_path
from ackstack_core import constants as C


@dataclass(frozen=True)
class CheckResult:
    check: str  # what was checked, e.g. "node Ready"
    object: str  # Kind/namespace/name
    ok: bool
    expected: str
    found: str

    def line(self) -> str:
        head = f"{'ok  ' if self.ok else 'FAIL'} {self.check}: {self.object}"
        return head if self.ok else f"{head}: expected {self.expected}, found {self.found}"

    def as_dict(self) -> dict:
        return asdict(self)


def result(check: str, obj: str, expected, found, ok: bool | None = None) -> CheckResult:
    """A result whose verdict is `expected == found` unless given."""
    verdict = (expected == found) if ok is None else ok
    return CheckResult(check, obj, verdict, _show(expected), _show(found))


def _show(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


# ---------------------------------------------------------------- nodes
def check_nodes(kube: Kube, expected: Expected) -> Iterator[CheckResult]:
    """Every node Ready (the BYOCNI seed: nodes turn Ready once the CNI runs); BYOCNI: podCIDR in the plan."""
    from components.netmath import parse_ipv4_network, within

    nodes = kube.list(core_path("nodes"))
    if not nodes:
        yield result("nodes registered", "Node/*", "at least one node", "none", ok=False)
        return
    byocni = expected.mode == "byocni-cilium"
    pod_cidr = expected.plan.config.cni.pod_cidr if byocni else None
    for node in sorted(nodes, key=lambda n: n["metadata"]["name"]):
        name = f"Node/{node['metadata']['name']}"
        ready = next((c.get("status") for c in node.get("status", {}).get("conditions", []) if c.get("type") == "Ready"),
                     "no Ready condition")
        yield result("node Ready", name, "Ready=True", f"Ready={ready}")
        if not byocni:
            continue
        cidr = node.get("spec", {}).get("podCIDR")
        try:
            inside = bool(cidr) and within(parse_ipv4_network(cidr), pod_cidr)
        except ValueError:
            inside = False
        yield result("node podCIDR in the plan's pod CIDR", name, f"a block inside {pod_cidr}",
                     f"spec.podCIDR={cidr or 'unset'}", ok=inside)


# ---------------------------------------------------------------- DaemonSets / Deployments / ConfigMaps
def check_daemonset_available(kube: Kube, namespace: str, name: str) -> CheckResult:
    obj = f"DaemonSet/{namespace}/{name}"
    ds = kube.get(group_path("apps/v1", "daemonsets", name, namespace))
    if ds is None:
        return result("DaemonSet available", obj, "present", "absent", ok=False)
    status = ds.get("status", {})
    desired, available = status.get("desiredNumberScheduled", 0), status.get("numberAvailable", 0)
    return result("DaemonSet available", obj, f"{desired}/{desired} pods available (at least 1)",
                  f"{available}/{desired}", ok=desired > 0 and available >= desired)


def check_byocni(kube: Kube, expected: Expected) -> Iterator[CheckResult]:
    """Cilium DaemonSet fully available; cilium-config carries the planned routing, IPAM and masquerading."""
    from components.cilium_values import cilium_values, lookup

    yield check_daemonset_available(kube, C.CILIUM_NAMESPACE, C.CILIUM_DAEMONSET_NAME)
    obj = f"ConfigMap/{C.CILIUM_NAMESPACE}/{C.CILIUM_CONFIGMAP_NAME}"
    cm = kube.get(core_path("configmaps", C.CILIUM_CONFIGMAP_NAME, C.CILIUM_NAMESPACE))
    if cm is None:
        yield result("cilium-config present", obj, "present", "absent", ok=False)
        return
    data = cm.get("data") or {}
    values = cilium_values(expected.plan, None)  # the API endpoint only matters with kube-proxy replacement
    for value_path, key in C.CILIUM_CONFIG_KEYS.items():
        planned = lookup(values, value_path)
        if planned is None:
            continue
        want = str(planned).lower() if isinstance(planned, bool) else str(planned)
        if key == "enable-ip-masq-agent" and want == "false":
            want = "unset"  # the chart writes the key only when enabled
        yield result(f"cilium-config {key} (values {value_path})", obj, want, data.get(key, "unset"))


def check_terway(kube: Kube, expected: Expected) -> Iterator[CheckResult]:
    """terway-eniip available, eni-config with trunking (and credential_path on managed), controlplane present."""
    ns = C.ENI_CONFIG_CONFIGMAP_NAMESPACE
    yield check_daemonset_available(kube, ns, expected.terway_daemonset)
    obj = f"ConfigMap/{ns}/{C.ENI_CONFIG_CONFIGMAP_NAME}"
    cm = kube.get(core_path("configmaps", C.ENI_CONFIG_CONFIGMAP_NAME, ns))
    conf: dict = {}
    if cm is None:
        yield result("eni-config present", obj, "present", "absent", ok=False)
    else:
        try:
            conf = json.loads((cm.get("data") or {}).get(C.ENI_CONFIG_DATA_KEY) or "{}")
        except json.JSONDecodeError:
            yield result(f"eni-config {C.ENI_CONFIG_DATA_KEY} is JSON", obj, "JSON", "not JSON", ok=False)
        yield result(f"eni-config {C.ENI_CONF_TRUNKING_KEY}", obj, True, conf.get(C.ENI_CONF_TRUNKING_KEY, "unset"))
        if expected.managed:
            yield result(f"eni-config {C.ENI_CONF_CREDENTIAL_PATH_KEY} (managed cluster)", obj,
                         C.ENI_CONF_MANAGED_CREDENTIAL_PATH, conf.get(C.ENI_CONF_CREDENTIAL_PATH_KEY, "unset"))
    yield check_controlplane_present(kube, expected.managed)
    yield from check_webhooks(kube, expected)


def check_controlplane_present(kube: Kube, managed: bool) -> CheckResult:
    """A dedicated cluster runs terway-controlplane as a kube-system Deployment (seed, migration section). On a
    managed Pro cluster the add-on may run on ACK's side (unverified: no source says where), so there its
    webhook configurations in the cluster count as present too: they are what pod creation goes through."""
    deployment = f"Deployment/{C.TERWAY_CONTROLPLANE_NAMESPACE}/{C.TERWAY_CONTROLPLANE_DEPLOYMENT}"
    if kube.get(group_path("apps/v1", "deployments", C.TERWAY_CONTROLPLANE_DEPLOYMENT,
                           C.TERWAY_CONTROLPLANE_NAMESPACE)) is not None:
        return result("terway-controlplane present", deployment, "present", "present")
    if not managed:
        return result("terway-controlplane present", deployment, "present", "absent")
    hooks = [kind for kind in ("mutatingwebhookconfigurations", "validatingwebhookconfigurations")
             if kube.get(group_path(C.WEBHOOK_CONFIGURATION_API_VERSION, kind, C.TERWAY_CONTROLPLANE_WEBHOOK))]
    found = "webhook configurations present" if len(hooks) == 2 else "absent"
    return result("terway-controlplane present (managed: Deployment or its webhook configurations; unverified)",
                  f"{deployment} or MutatingWebhookConfiguration+ValidatingWebhookConfiguration/"
                  f"{C.TERWAY_CONTROLPLANE_WEBHOOK}", "webhook configurations present", found)


def check_webhooks(kube: Kube, expected: Expected) -> Iterator[CheckResult]:
    """terway-controlplane's webhook registrations in the cluster are the ones the plan assumed (an adopted
    cluster's inventory `webhookConfigurations`, else the upstream chart's): the pod webhook's presence,
    failurePolicy and namespaceSelector, the validating webhook's operations and failurePolicy."""
    import json as _json

    from ackstack_core import terway_webhook as W

    def live(kind: str) -> dict | None:
        return kube.get(group_path(C.WEBHOOK_CONFIGURATION_API_VERSION, kind, C.TERWAY_CONTROLPLANE_WEBHOOK))

    found = W.webhook_configurations(live("mutatingwebhookconfigurations"), live("validatingwebhookconfigurations"),
                                     "the cluster")
    planned = expected.plan.webhooks()
    obj = f"Mutating/ValidatingWebhookConfiguration/{C.TERWAY_CONTROLPLANE_WEBHOOK}"
    where = f" (planned from {planned.source}; put the cluster's in the inventory's webhookConfigurations)"
    for label, want, have in (
            ("pod webhook registered", planned.pod_webhook, found.pod_webhook),
            ("pod webhook failurePolicy", planned.pod_failure_policy, found.pod_failure_policy),
            ("pod webhook namespaceSelector", _json.dumps(planned.pod_namespace_selector or {}, sort_keys=True),
             _json.dumps(found.pod_namespace_selector or {}, sort_keys=True)),
            ("PodNetworking validation operations", list(planned.validating_operations),
             list(found.validating_operations)),
            ("PodNetworking validation failurePolicy", planned.validating_failure_policy,
             found.validating_failure_policy)):
        yield result(f"terway-controlplane {label}{where if want != have else ''}", obj, want, have)


def check_namespaces(kube: Kube, expected: Expected) -> Iterator[CheckResult]:
    """Planned namespaces carry their labels: PodNetworking namespaceSelectors match on them."""
    for ns in expected.plan.config.namespaces:
        live = kube.get(core_path("namespaces", ns.name))
        labels = (live or {}).get("metadata", {}).get("labels") or {}
        have = {k: labels.get(k, "unset") for k in ns.labels} if live is not None else "absent"
        yield result("namespace labels", f"Namespace/{ns.name}", dict(ns.labels), have)


# ---------------------------------------------------------------- PodNetworkings
def podnetworking_path(name: str = "") -> str:
    return group_path(C.PODNETWORKING_API_VERSION, C.PODNETWORKING_PLURAL, name)


def check_podnetworkings(kube: Kube, expected: Expected) -> Iterator[CheckResult]:
    """Planned PodNetworkings exist with the planned spec and are Ready; no unplanned one selects their pods."""
    from ackstack_core.podnetworking_checks import overlap_message
    from ackstack_core.selectors import podnetworking_overlap

    live = {pn["metadata"]["name"]: pn for pn in kube.list(podnetworking_path())}
    for planned in expected.podnetworkings:
        obj = f"PodNetworking/{planned.name}"
        found = live.get(planned.name)
        if found is None:
            yield result("PodNetworking exists", obj, "present", "absent", ok=False)
            continue
        spec = found.get("spec") or {}
        for key, want in planned.manifest["spec"].items():
            have = spec.get(key, "unset")
            if key == "securityGroupIDs" and isinstance(have, list):  # a set: every group applies at once
                want, have = sorted(want), sorted(have)
            yield result(f"PodNetworking spec.{key}", obj, want, have)
        status = (found.get("status") or {}).get("status") or "unset"
        message = (found.get("status") or {}).get("message")
        yield result("PodNetworking status Ready", obj, C.PODNETWORKING_STATUS_READY,
                     status + (f" ({message})" if message else ""), ok=status == C.PODNETWORKING_STATUS_READY)

    planned_names = {p.name for p in expected.podnetworkings}
    clashes = 0
    for name, other in sorted(live.items()):
        if name in planned_names:
            continue
        selector = (other.get("spec") or {}).get("selector") or {}
        for planned in expected.podnetworkings:
            mine = planned.manifest["spec"]["selector"]
            example = podnetworking_overlap(mine.get("podSelector"), mine.get("namespaceSelector"),
                                            selector.get("podSelector"), selector.get("namespaceSelector"))
            if example is not None:
                clashes += 1
                yield result("no unplanned PodNetworking selects planned pods", f"PodNetworking/{name}",
                             f"no overlap with planned `{planned.name}`", overlap_message(planned.name, name, example),
                             ok=False)
    if expected.podnetworkings and not clashes:
        yield result("no unplanned PodNetworking selects planned pods", "PodNetworking/*", "none", "none")
