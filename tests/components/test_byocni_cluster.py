"""The BYOCNI cluster as registered: flannel disabled, CCM config, pod CIDR + node mask, node pools,
one Cilium release, and a dependency graph in which node pools and Cilium never wait on each other."""

from __future__ import annotations

import json

import pytest

from ackstack.engine.testing import plan_for, run, stack_config, with_value
from components.cni.byocni import byocni_addons, ccm_config_needed

MK = "alicloud:cs/managedKubernetes:ManagedKubernetes"
NODE_POOL = "alicloud:cs/nodePool:NodePool"
ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.fixture(scope="module")
def staging_run():
    result = run(stack_config("staging"), stack="staging")
    assert result.error is None, result.error
    return result


def test_cluster_has_flannel_disabled_ccm_config_pod_cidr_and_mask(staging_run):
    cluster = staging_run.one(MK)
    addons = {a["name"]: a for a in cluster.inputs["addons"]}
    assert addons["kube-flannel-ds"] == {"name": "kube-flannel-ds", "disabled": True}
    config = json.loads(addons["cloud-controller-manager"]["config"])
    assert config == {"EnableCloudRoutes": "true", "BackendType": "NodePort"}  # strings, as in the seed
    assert not any(name.startswith("terway") for name in addons)
    assert cluster.inputs["podCidr"] == "172.16.0.0/16"  # pulumi-alicloud's name for container_cidr
    assert int(cluster.inputs["nodeCidrMask"]) == 24
    assert cluster.inputs["clusterSpec"].startswith("ack.pro.")
    assert "podVswitchIds" not in cluster.inputs


def test_enabled_addons_get_a_kubernetes_addon_resource_disabled_ones_do_not(staging_run):
    names = {r.inputs["name"] for r in staging_run.of_type(ADDON)}
    assert names == {"cloud-controller-manager"}
    ccm = staging_run.one(ADDON)
    assert json.loads(ccm.inputs["config"])["EnableCloudRoutes"] == "true"


def test_node_pools_are_registered_on_node_vswitches(staging_run):
    pools = staging_run.of_type(NODE_POOL)
    assert [p.inputs["nodePoolName"] for p in pools] == ["general"]
    assert len(pools[0].inputs["vswitchIds"]) == 3


def test_ccm_addon_only_for_vpc_routes_or_non_default_backend():
    base = stack_config("staging")
    default = with_value(with_value(base, "ackstack:cni.cloudRoutes", False), "ackstack:cni.cilium",
                         {"routingMode": "tunnel", "acceptOverlay": True})
    plan = plan_for(default)
    assert not ccm_config_needed(plan)
    assert [a["name"] for a in byocni_addons(plan)] == ["kube-flannel-ds"]
    pod_backend = with_value(base, "ackstack:cni.backendType", "Pod")
    ccm = [a for a in byocni_addons(plan_for(pod_backend)) if a["name"] == "cloud-controller-manager"]
    assert json.loads(ccm[0]["config"]) == {"EnableCloudRoutes": "true", "BackendType": "Pod"}


def test_user_addons_are_passed_through_after_the_managed_ones():
    cfg = with_value(stack_config("staging"), "ackstack:cni.addons", [{"name": "csi-plugin", "version": "v1.30"}])
    assert byocni_addons(plan_for(cfg))[-1] == {"name": "csi-plugin", "version": "v1.30"}


# ---------------------------------------------------------------- dependency graph
def _graph(result) -> dict[str, set[str]]:
    """Edges `a -> b` meaning "a waits for b", as the engine orders them.

    Explicit and property dependencies and the provider are edges; waiting for a component means
    waiting for all of its children; a resource is (conservatively) charged with every ancestor's
    own dependencies too, so a `depends_on` on a parent component cannot hide a path.
    """
    regs = result.by_urn()
    direct: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for reg in regs.values():
        deps = set(reg.dependencies) | {u for us in reg.property_dependencies.values() for u in us}
        if reg.provider:
            deps.add(reg.provider.rsplit("::", 1)[0])
        direct[reg.urn] = {d for d in deps if d in regs}
        if reg.parent:
            children.setdefault(reg.parent, set()).add(reg.urn)
    edges: dict[str, set[str]] = {}
    for urn, reg in regs.items():
        edges[urn] = set(direct[urn])
        if not reg.custom:
            edges[urn] |= children.get(urn, set())
        parent = reg.parent
        while parent in regs:
            edges[urn] |= direct[parent]
            parent = regs[parent].parent
    return edges


def _reaches(edges, start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return False


def test_no_path_between_node_pools_and_the_cilium_release(staging_run):
    edges = _graph(staging_run)
    release = staging_run.one(RELEASE).urn
    cluster = staging_run.one(MK).urn
    for pool in staging_run.of_type(NODE_POOL):
        assert not _reaches(edges, pool.urn, release), "a node pool would wait for Cilium"
        assert not _reaches(edges, release, pool.urn), "Cilium would wait for node pools"
        assert _reaches(edges, pool.urn, cluster)
    assert _reaches(edges, release, cluster), "the graph walk is meaningful: Cilium waits for the cluster"


def test_release_does_not_wait_for_pods(staging_run):
    inputs = staging_run.one(RELEASE).inputs
    assert inputs["skipAwait"] is True
    assert inputs["atomic"] is False and inputs["waitForJobs"] is False
