"""Live-cluster objects of the real shapes for the fake API server, and a tiny Terway stand-in.

Shapes: Node/DaemonSet/Deployment/ConfigMap as the Kubernetes API serves them; PodNetworking per
Terway's CRD (AliyunContainerService/terway v1.17.5 pkg/apis/crds/network.alibabacloud.com_podnetworkings.yaml,
status.status/vSwitches); PodENI per pkg/apis/crds/network.alibabacloud.com_podenis.yaml and the
seed's FAQ example (spec.allocations[].eni.vSwitchID/securityGroupIDs/zone, ipv4, spec.zone,
status.phase Bind). `TerwaySim` plays terway-controlplane for canary pods: it gives each canary the PodNetworking
the test names (`pick`, written by hand from the selectors: no matcher of ackstack's decides what verify then
checks) when that PodNetworking exists and is Ready (mutating.go:310 at v1.17.5), and writes the pod and its PodENI.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field

from ackstack_core import constants as C
from tests.fake_kube import FakeKube, Key

PN_GV = "apis/network.alibabacloud.com/v1beta1"


def node(name: str, zone: str, *, ready: str = "True", pod_cidr: str | None = None, master: bool = False) -> dict:
    labels = {C.NODE_ZONE_LABEL: zone, "kubernetes.io/hostname": name}
    if master:
        labels["node-role.kubernetes.io/master"] = ""
    obj = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
           "spec": {"providerID": f"cn-hangzhou.i-{name}"},
           "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                                     {"type": "Ready", "status": ready, "reason": "KubeletReady"}]}}
    if pod_cidr:
        obj["spec"]["podCIDR"] = pod_cidr
        obj["spec"]["podCIDRs"] = [pod_cidr]
    return obj


def daemonset(name: str, desired: int = 2, available: int | None = None) -> dict:
    available = desired if available is None else available
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name, "namespace": "kube-system"},
            "spec": {"selector": {"matchLabels": {"app": name}}},
            "status": {"desiredNumberScheduled": desired, "currentNumberScheduled": desired,
                       "numberReady": available, "numberAvailable": available, "updatedNumberScheduled": desired}}


def deployment(name: str, replicas: int = 1) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "kube-system", "uid": f"uid-{name}", "resourceVersion": "10"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}},
            "status": {"replicas": replicas, "availableReplicas": replicas}}


def configmap(name: str, data: dict, namespace: str = "kube-system") -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
            "data": data}


def namespace(name: str, labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {**(labels or {}), "kubernetes.io/metadata.name": name}},
            "status": {"phase": "Active"}}


def podnetworking(manifest: dict, status: str = "Ready", zones: dict | None = None) -> dict:
    obj = json.loads(json.dumps(manifest))
    obj["metadata"].update(uid=f"uid-pn-{obj['metadata']['name']}", resourceVersion="20", generation=1)
    obj["status"] = {"status": status, "updateAt": "2026-12-01T00:00:00Z",
                     "vSwitches": [{"id": v, "zone": (zones or {}).get(v, "")} for v in obj["spec"]["vSwitchOptions"]]}
    return obj


def chart_webhook_configurations() -> dict[str, dict]:
    """terway-controlplane's webhook configurations as the upstream chart renders them (AliyunContainerService/
    terway v1.17.5 charts/terway/templates/terway-controlplane/webhook.yaml with values.yaml:99-100)."""
    return {
        "mutatingwebhookconfigurations": {"metadata": {"name": "terway-controlplane"}, "webhooks": [{
            "name": "terway-controlplane.mutating.k8s.io",
            "namespaceSelector": {"matchExpressions": [{"key": "k8s.aliyun.com/pod-eni", "operator": "NotIn",
                                                        "values": ["false"]}]},
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"],
                       "scope": "Namespaced"},
                      {"apiGroups": ["network.alibabacloud.com"], "apiVersions": ["*"], "operations": ["CREATE"],
                       "resources": ["podnetworkings"], "scope": "Cluster"}],
            "sideEffects": "None", "timeoutSeconds": 10, "failurePolicy": "Ignore"}]},
        "validatingwebhookconfigurations": {"metadata": {"name": "terway-controlplane"}, "webhooks": [{
            "name": "terway-controlplane.validate.k8s.io",
            "rules": [{"apiGroups": ["network.alibabacloud.com"], "apiVersions": ["*"], "operations": ["CREATE"],
                       "resources": ["podnetworkings"], "scope": "Cluster"}],
            "sideEffects": "None", "timeoutSeconds": 10, "failurePolicy": "Fail"}]},
    }


def put_terway_cluster(kube: FakeKube, expected, inventory_vswitches: dict[str, dict]) -> None:
    """A healthy Terway Trunk ENI cluster for the `existing` example stack."""
    kube.put("/api/v1/nodes/node-h", node("node-h", "cn-hangzhou-h"))
    kube.put("/api/v1/nodes/node-i", node("node-i", "cn-hangzhou-i"))
    kube.put("/apis/apps/v1/namespaces/kube-system/daemonsets/terway-eniip", daemonset("terway-eniip"))
    conf = {"version": "1", "min_pool_size": 0, "enable_eni_trunking": True,
            "credential_path": "/var/addon/token-config"}
    kube.put("/api/v1/namespaces/kube-system/configmaps/eni-config",
             configmap("eni-config", {"eni_conf": json.dumps(conf, indent=2)}))
    kube.put("/apis/apps/v1/namespaces/kube-system/deployments/terway-controlplane", deployment("terway-controlplane"))
    for kind, hooks in chart_webhook_configurations().items():
        kube.put(f"/apis/admissionregistration.k8s.io/v1/{kind}/terway-controlplane", hooks)
    for name, labels in (("default", {}), ("kube-system", {}), ("databases", {"network": "isolated"})):
        kube.put(f"/api/v1/namespaces/{name}", namespace(name, labels))
    zones = {k: v["zoneId"] for k, v in inventory_vswitches.items()}
    for planned in expected.podnetworkings:
        kube.put(f"/{PN_GV}/podnetworkings/{planned.name}", podnetworking(planned.manifest, zones=zones))


def put_byocni_cluster(kube: FakeKube, pod_cidr: str, planned_config: dict[str, str]) -> None:
    """A healthy BYOCNI + Cilium cluster: nodes Ready with podCIDRs, cilium DaemonSet, cilium-config."""
    blocks = ipaddress.ip_network(pod_cidr).subnets(new_prefix=24)
    for name, zone in (("node-a", "cn-hangzhou-h"), ("node-b", "cn-hangzhou-i")):
        kube.put(f"/api/v1/nodes/{name}", node(name, zone, pod_cidr=str(next(blocks))))
    kube.put("/apis/apps/v1/namespaces/kube-system/daemonsets/cilium", daemonset("cilium"))
    data = {"cluster-name": "default", "tunnel-protocol": "vxlan", **planned_config}
    kube.put("/api/v1/namespaces/kube-system/configmaps/cilium-config", configmap("cilium-config", data))


@dataclass
class TerwaySim:
    """terway-controlplane for canary StatefulSets: pod + PodENI on create, PodENI gone with an Elastic pod."""

    vswitches: dict[str, dict]  # id -> {"zoneId", "cidrBlock"} (the inventory)
    pick: str | None  # the PodNetworking Terway's pod webhook gives the canary (None: the shared ENI)
    use_vswitch: str | None = None  # force an ENI from this vSwitch (an unplanned one, in a failure test)
    bind: bool = True
    node_zone: str | None = None  # schedule the pod on a node of this zone instead of the vSwitch's
    created: list[str] = field(default_factory=list)

    def install(self, kube: FakeKube) -> TerwaySim:
        kube.on_create.setdefault("statefulsets", []).append(self.on_statefulset)
        kube.on_delete.setdefault("pods", []).append(self.on_pod_deleted)
        return self

    def _choose(self, kube: FakeKube) -> dict | None:
        pn = kube.get(f"/{PN_GV}/podnetworkings/{self.pick}") if self.pick else None
        return pn if pn and (pn.get("status") or {}).get("status") == "Ready" else None

    def on_statefulset(self, kube: FakeKube, key: Key, sts: dict) -> None:
        ns, name = key[1], key[3]
        template = sts["spec"]["template"]
        labels = template["metadata"].get("labels") or {}
        pod_name = f"{name}-0"
        pn = self._choose(kube)
        annotations = {} if pn is None else {"k8s.aliyun.com/pod-eni": "true",
                                              C.POD_NETWORKING_ANNOTATION: pn["metadata"]["name"]}
        vsw = None if pn is None else self.use_vswitch or pn["spec"]["vSwitchOptions"][0]
        fact = self.vswitches.get(vsw) or {}
        zone = self.node_zone or fact.get("zoneId")  # the scheduler honours the vSwitches' zones
        node = next((n for n in kube.names("api/v1", None, "nodes")
                     if kube.get(f"/api/v1/nodes/{n}")["metadata"]["labels"].get(C.NODE_ZONE_LABEL) == zone), None)
        kube.create(("api/v1", ns, "pods", pod_name), {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod_name, "namespace": ns, "labels": labels, "annotations": annotations,
                         "ownerReferences": [{"kind": "StatefulSet", "name": name, "apiVersion": "apps/v1"}]},
            "spec": {**template["spec"], **({"nodeName": node} if node else {})}, "status": {"phase": "Running"}})
        self.created.append(f"{ns}/{pod_name}")
        if pn is None:
            return
        net = ipaddress.ip_network(fact["cidrBlock"])
        alloc_type = dict(pn["spec"]["allocationType"])
        podeni = {
            "apiVersion": C.PODNETWORKING_API_VERSION, "kind": C.PODENI_KIND,
            "metadata": {"name": pod_name, "namespace": ns, "finalizers": ["pod-eni"], "generation": 1},
            "spec": {"allocations": [{
                "allocationType": alloc_type,
                "eni": {"id": "eni-bp1canary0001", "mac": "00:16:3e:00:00:01",
                        "securityGroupIDs": list(pn["spec"]["securityGroupIDs"]), "vSwitchID": vsw,
                        "zone": fact["zoneId"]},
                "ipv4": str(net.network_address + 10), "ipv4CIDR": str(net)}],
                "zone": fact["zoneId"]},
            "status": {"eniInfos": {"eni-bp1canary0001": {"id": "eni-bp1canary0001", "status": "Bind", "vid": 1001}},
                       "instanceID": "i-bp1canary", "phase": "Bind" if self.bind else "Binding",
                       "podLastSeen": "2026-12-01T00:00:00Z", "trunkENIID": "eni-bp1trunk0001"},
        }
        kube.create((PN_GV, ns, "podenis", pod_name), podeni)

    def on_pod_deleted(self, kube: FakeKube, key: Key, pod: dict) -> None:
        eni_key = (PN_GV, key[1], "podenis", key[3])
        raw = kube.objects.get(eni_key)
        if raw and json.loads(raw)["spec"]["allocations"][0]["allocationType"]["type"] == "Elastic":
            kube.delete(eni_key)
