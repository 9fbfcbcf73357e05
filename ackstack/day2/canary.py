"""`verify --canary`: one throw-away pod per planned PodNetworking, then the seed FAQ's checks on it.

For each PodNetworking a StatefulSet of one replica (Fixed allocation only serves StatefulSet pods,
SEED-TRUNK) is created in a namespace its namespaceSelector matches, with pod labels its podSelector
matches (the selector analysis' witness). Then, as the FAQ "how do I check a pod uses the
PodNetworking" says: the pod's `k8s.aliyun.com/pod-networking` annotation names the PodNetworking,
and the PodENI of the same name and namespace (shape: Terway's CRD
`pkg/apis/crds/network.alibabacloud.com_podenis.yaml` at v1.17.5, and the seed's example) is `Bind`
with a planned vSwitch, the planned security groups, the vSwitch's zone and an IP in its CIDR.
The canary is deleted in a `finally`, with Ctrl-C and SIGTERM held while it is, so failures and
interrupts leave nothing behind.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ackstack.day2.expected import Expected, PlannedPodNetworking
from ackstack.day2.kube import ApiError, ClusterUnreachable, Kube, core_path, group_path
from ackstack.day2.verify_checks import CheckResult, result
from ackstack.interrupts import signals_deferred
from ackstack_core import constants as C

CANARY_LABEL = "ackstack.io/canary"
CANARY_FOR_ANNOTATION = "ackstack.io/canary-for"


@dataclass
class CanaryOptions:
    image: str = C.CANARY_IMAGE
    timeout_seconds: float = 180.0
    poll_seconds: float = 2.0
    sleep: Callable[[float], None] = field(default=time.sleep)


def canary_name(podnetworking: str) -> str:
    """Short and stable per PodNetworking (pod `<name>-0` and its labels stay within 63 characters)."""
    return "ackstack-canary-" + hashlib.sha256(podnetworking.encode()).hexdigest()[:10]


def podeni_path(name: str, namespace: str) -> str:
    return group_path(C.PODNETWORKING_API_VERSION, C.PODENI_PLURAL, name, namespace)


def statefulset_path(namespace: str, name: str = "") -> str:
    return group_path("apps/v1", "statefulsets", name, namespace)


def canary_namespace(kube: Kube, expected: Expected, planned: PlannedPodNetworking) -> str | None:
    """A namespace the namespaceSelector matches: a planned one that exists, else any live one."""
    from ackstack_core.selectors import NAMESPACE_NAME_LABEL
    from components.podnetworking import namespace_labels, selector_matches

    selector = planned.entry.selector.namespace_selector
    if selector is None:
        return "default"
    live = {ns["metadata"]["name"]: ns["metadata"].get("labels") or {} for ns in kube.list(core_path("namespaces"))}
    for ns in expected.plan.config.namespaces:
        if ns.name in live and selector_matches(selector, namespace_labels(ns)):
            return ns.name
    return next((name for name, labels in sorted(live.items())
                 if selector_matches(selector, {**labels, NAMESPACE_NAME_LABEL: name})), None)


def statefulset_manifest(planned: PlannedPodNetworking, namespace: str, image: str) -> dict:
    from ackstack_core.selectors import witness

    name = canary_name(planned.name)
    labels = {**(witness(planned.manifest["spec"]["selector"].get("podSelector"), None) or {}), CANARY_LABEL: name}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": namespace, "labels": {CANARY_LABEL: name},
                     "annotations": {CANARY_FOR_ANNOTATION: planned.name}},
        "spec": {
            "serviceName": name,
            "replicas": 1,
            "selector": {"matchLabels": {CANARY_LABEL: name}},
            "template": {
                "metadata": {"labels": labels, "annotations": {CANARY_FOR_ANNOTATION: planned.name}},
                "spec": {"terminationGracePeriodSeconds": 0,
                         "containers": [{"name": "canary", "image": image}]},
            },
        },
    }


def run_canary(kube: Kube, expected: Expected, planned: PlannedPodNetworking, options: CanaryOptions,
               emit: Callable[[CheckResult], None]) -> None:
    """Create, wait, check, and always delete one canary."""
    obj = f"PodNetworking/{planned.name}"
    namespace = canary_namespace(kube, expected, planned)
    if namespace is None:
        emit(result("canary namespace", obj, "a namespace the namespaceSelector matches", "none", ok=False))
        return
    manifest = statefulset_manifest(planned, namespace, options.image)
    name = manifest["metadata"]["name"]
    try:
        try:
            # From here on the cleanup runs: an interrupt may land after the server created the object
            # but before this call returned, and a 409 means a canary left by an earlier run.
            kube.create(statefulset_path(namespace), manifest)
        except ApiError as exc:
            emit(result("canary StatefulSet created", f"StatefulSet/{namespace}/{name}", "created", str(exc),
                        ok=False))
            return
        pod, podeni = _wait(kube, namespace, f"{name}-0", options)
        for check in canary_results(planned, namespace, f"{name}-0", pod, podeni, _node_zone(kube, pod)):
            emit(check)
    finally:
        emit(_cleanup(kube, planned, namespace, name))


def _wait(kube: Kube, namespace: str, pod_name: str, options: CanaryOptions) -> tuple[dict | None, dict | None]:
    deadline = time.monotonic() + options.timeout_seconds
    pod = podeni = None
    while True:
        pod = kube.get(core_path("pods", pod_name, namespace))
        podeni = kube.get(podeni_path(pod_name, namespace))
        if podeni is not None and (podeni.get("status") or {}).get("phase") == C.PODENI_PHASE_BIND:
            return pod, podeni
        if time.monotonic() >= deadline:
            return pod, podeni
        options.sleep(options.poll_seconds)


def _node_zone(kube: Kube, pod: dict | None) -> str | None:
    node_name = ((pod or {}).get("spec") or {}).get("nodeName")
    node = kube.get(core_path("nodes", node_name)) if node_name else None
    return ((node or {}).get("metadata", {}).get("labels") or {}).get(C.NODE_ZONE_LABEL)


def canary_results(planned: PlannedPodNetworking, namespace: str, pod_name: str, pod: dict | None,
                   podeni: dict | None, node_zone: str | None = None) -> list[CheckResult]:
    """The FAQ's checks; `node_zone` is the zone of the pod's node, when it is scheduled and labelled."""
    from components.netmath import parse_ipv4_network

    pod_obj, eni_obj = f"Pod/{namespace}/{pod_name}", f"{C.PODENI_KIND}/{namespace}/{pod_name}"
    annotation = ((pod or {}).get("metadata", {}).get("annotations") or {}).get(C.POD_NETWORKING_ANNOTATION)
    out = [result(f"canary pod annotation {C.POD_NETWORKING_ANNOTATION}", pod_obj, planned.name,
                  annotation or ("no pod" if pod is None else "no annotation"))]
    phase = ((podeni or {}).get("status") or {}).get("phase")
    out.append(result("canary PodENI phase", eni_obj, C.PODENI_PHASE_BIND,
                      "no PodENI" if podeni is None else (phase or "unset")))
    if podeni is None:
        return out
    spec = podeni.get("spec") or {}
    allocations = spec.get("allocations") or []
    if not allocations:
        out.append(result("canary PodENI allocation", eni_obj, "one allocation", "none", ok=False))
    for alloc in allocations:
        eni = alloc.get("eni") or {}
        vsw = eni.get("vSwitchID")
        fact = planned.vswitches.get(vsw)
        out.append(result("canary vSwitch planned", eni_obj, f"one of {', '.join(planned.vswitches)}",
                          vsw or "unset", ok=fact is not None))
        out.append(result("canary security groups planned", eni_obj, sorted(planned.security_groups),
                          sorted(eni.get("securityGroupIDs") or [])))
        zone = fact.zone_id if fact is not None else None
        found_zone = spec.get("zone") or eni.get("zone")
        out.append(result("canary zone matches its vSwitch", eni_obj, zone or "the planned vSwitch's zone",
                          found_zone or "unset", ok=zone is not None and found_zone == zone
                          and eni.get("zone", zone) == zone))
        if node_zone is not None:
            out.append(result("canary node in its vSwitch's zone", pod_obj, zone or "the planned vSwitch's zone",
                              node_zone, ok=node_zone == zone))
        ip = alloc.get("ipv4")
        cidr = fact.cidr if fact is not None else None
        try:
            inside = bool(ip and cidr) and _ip_in(ip, parse_ipv4_network(cidr))
        except ValueError:
            inside = False
        out.append(result("canary IP in its vSwitch CIDR", eni_obj, f"an address in {cidr or 'a planned vSwitch'}",
                          ip or "unset", ok=inside))
    return out


def _ip_in(ip: str, network) -> bool:
    from ipaddress import IPv4Address

    return IPv4Address(ip) in network


def _cleanup(kube: Kube, planned: PlannedPodNetworking, namespace: str, name: str) -> CheckResult:
    """Delete StatefulSet, pod, and (Fixed: the IP would stay reserved) the PodENI; Ctrl-C waits for it."""
    with signals_deferred():
        return _delete_canary(kube, planned, namespace, name)


def _delete_canary(kube: Kube, planned: PlannedPodNetworking, namespace: str, name: str) -> CheckResult:
    try:
        kube.delete(statefulset_path(namespace, name), propagation="Background")
        kube.delete(core_path("pods", f"{name}-0", namespace))
        if planned.manifest["spec"]["allocationType"]["type"] == "Fixed":
            kube.delete(podeni_path(f"{name}-0", namespace))
        left = kube.get(statefulset_path(namespace, name))
        return result("canary deleted", f"StatefulSet/{namespace}/{name}", "absent",
                      "absent" if left is None else "still present (deletion pending)",
                      ok=left is None or bool(left.get("metadata", {}).get("deletionTimestamp")))
    except (ApiError, ClusterUnreachable) as exc:
        return result("canary deleted", f"StatefulSet/{namespace}/{name}", "absent",
                      f"delete failed ({exc}); remove it with kubectl -n {namespace} delete statefulset {name}",
                      ok=False)
