"""Protection of production stacks, safe destroy ordering and timeouts, add-on config after creation."""

from __future__ import annotations

import json

import pytest

from ackstack.engine.testing import ROOT, run, stack_config, stack_inventory, with_value
from ackstack.preview.compare import STATEFUL_TYPES, outage_on_delete
from ackstack_core import constants as C

T_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
T_VPC = "alicloud:vpc/network:Network"
T_VSW = "alicloud:vpc/switch:Switch"
T_SG = "alicloud:ecs/securityGroup:SecurityGroup"
T_ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
T_PN = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"


def production_dev() -> dict:
    cfg = with_value(stack_config("dev"), "ackstack:environment.production", True)
    return with_value(cfg, "ackstack:cluster.deletionProtection", True)


def ok_run(config, stack="test"):
    result = run(config, stack=stack, inventory=stack_inventory(stack if stack != "test" else "dev"))
    assert result.error is None, result.error
    return result


# ---------------------------------------------------------------- protection
@pytest.mark.parametrize("source", ["production-dev", "prod"])
def test_production_protects_cluster_vpc_and_vswitches(source):
    result = ok_run(production_dev()) if source == "production-dev" else ok_run(stack_config("prod"), "prod")
    cluster = result.one(T_CLUSTER)
    assert cluster.protect and cluster.inputs["deletionProtection"] is True
    assert result.one(T_VPC).protect
    switches = result.of_type(T_VSW)
    assert switches and all(s.protect for s in switches)


@pytest.fixture(scope="module")
def production_runs():
    return [ok_run(production_dev()), ok_run(stack_config("prod"), "prod")]


@pytest.mark.parametrize("stateful_type", STATEFUL_TYPES)
def test_production_protects_every_stateful_resource(production_runs, stateful_type):
    found = [r for result in production_runs for r in result.of_type(stateful_type)]
    assert found, f"no {stateful_type} in the production stacks"
    assert [r.name for r in found if not r.protect] == []


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_non_production_is_not_protected(stack):
    result = ok_run(stack_config(stack), stack)
    assert not any(r.protect for r in result.registrations)
    expected = stack_config(stack)["ackstack:cluster"].get("deletionProtection", True)
    assert result.one(T_CLUSTER).inputs["deletionProtection"] is expected


def test_production_without_deletion_protection_registers_nothing():
    cfg = with_value(production_dev(), "ackstack:cluster.deletionProtection", False)
    result = run(cfg)
    assert result.registrations == []
    assert "CLU005" in {f.rule for f in result.error.findings}


# ---------------------------------------------------------------- safe destroy
def ancestors(result, urn: str) -> set[str]:
    """Every resource `urn` depends on, transitively: Pulumi deletes `urn` before any of them."""
    by_urn = result.by_urn()
    seen: set[str] = set()
    todo = [urn]
    while todo:
        reg = by_urn[todo.pop()]
        deps = set(reg.dependencies)
        for values in reg.property_dependencies.values():
            deps |= set(values)
        if reg.provider:
            deps.add(reg.provider.rsplit("::", 1)[0])
        for dep in deps - seen:
            if dep in by_urn:
                seen.add(dep)
                todo.append(dep)
    return seen


def test_pod_and_podnetworking_vswitches_are_deleted_after_the_cluster():
    result = ok_run(stack_config("dev"))
    cluster = result.one(T_CLUSTER)
    pod_side = [s for s in result.of_type(T_VSW) if s.inputs["tags"]["ackstack:role"] in ("pod", "podnetworking")]
    assert {s.name for s in pod_side} == {"dev-vsw-pod-h", "dev-vsw-pod-i", "dev-vsw-db-h", "dev-vsw-db-i"}
    cluster_deps = ancestors(result, cluster.urn)
    assert {s.urn for s in pod_side} <= cluster_deps
    # db-h/db-i are used only by the PodNetworking (a Kubernetes object), never as a cluster input: without the
    # explicit depends_on Pulumi could delete them in parallel with the cluster.
    inputs_only = {u for values in cluster.property_dependencies.values() for u in values}
    assert not {s.urn for s in pod_side if "-db-" in s.name} & inputs_only
    assert {s.urn for s in result.of_type(T_SG)} <= cluster_deps


def test_podnetworkings_and_addons_go_before_the_cluster():
    result = ok_run(stack_config("dev"))
    cluster = result.one(T_CLUSTER)
    for pn in result.of_type(T_PN):
        assert cluster.urn in ancestors(result, pn.urn)  # the CR is deleted first (through the k8s provider)
    for addon in result.of_type(T_ADDON):
        assert addon.options["deletedWith"] == cluster.urn  # no uninstall call when the cluster goes anyway
        assert addon.options.get("retainOnDelete") is (addon.inputs["name"] in C.ADDONS_NEVER_UNINSTALLED)


def test_delete_timeouts():
    result = ok_run(stack_config("dev"))
    assert result.one(T_CLUSTER).options["customTimeouts"]["delete"] == C.CLUSTER_DELETE_TIMEOUT
    for switch in result.of_type(T_VSW):
        role = switch.inputs["tags"]["ackstack:role"]
        timeouts = switch.options.get("customTimeouts", {})
        if role == "node":
            assert "delete" not in timeouts
        else:
            assert timeouts["delete"] == C.POD_VSWITCH_DELETE_TIMEOUT
    for group in result.of_type(T_SG):
        assert group.options["customTimeouts"]["delete"] == C.SECURITY_GROUP_DELETE_TIMEOUT
    assert _minutes(C.POD_VSWITCH_DELETE_TIMEOUT) > _minutes(C.VSWITCH_DEFAULT_DELETE_TIMEOUT)


def _minutes(text: str) -> int:
    assert text.endswith("m")
    return int(text[:-1])


# ---------------------------------------------------------------- add-on config after creation
def addon_config(result, name: str) -> dict:
    addon = next(a for a in result.of_type(T_ADDON) if a.inputs["name"] == name)
    return json.loads(addon.inputs["config"])


def test_terway_network_policy_change_reaches_the_kubernetes_addon():
    before = ok_run(stack_config("dev"))
    after = ok_run(with_value(stack_config("dev"), "ackstack:cni.networkPolicy", True))
    assert addon_config(before, C.ADDON_TERWAY_ENIIP)[C.TERWAY_CONFIG_KEY_NETWORK_POLICY] == "false"
    assert addon_config(after, C.ADDON_TERWAY_ENIIP)[C.TERWAY_CONFIG_KEY_NETWORK_POLICY] == "true"
    # ACK merges add-on config server-side: a key left out is never reset, so every key is always sent.
    assert set(addon_config(after, C.ADDON_TERWAY_ENIIP)) == set(C.TERWAY_ENIIP_TRUNK_CONFIG)
    for result in (before, after):
        assert "addons" in result.one(T_CLUSTER).options["ignoreChanges"]
    assert before.one(T_CLUSTER).urn == after.one(T_CLUSTER).urn


def test_ccm_config_change_reaches_the_kubernetes_addon():
    """Switching cloud routes on (an accepted overlay before, staging after) lands in the CCM KubernetesAddon.

    (`backendType: Pod`, the other CCM switch, is refused on BYOCNI by BYO007: pod IPs are no VPC addresses.)
    """
    staging = stack_config("staging")
    overlay = with_value(with_value(staging, "ackstack:cni.cloudRoutes", False), "ackstack:cni.cilium",
                         {"routingMode": "tunnel", "acceptOverlay": True, "ipam": "cluster-pool"})
    before = ok_run(overlay, "staging")
    after = ok_run(staging, "staging")
    assert not [a for a in before.of_type(T_ADDON) if a.inputs["name"] == C.ADDON_CCM]  # ACK's defaults: no addon
    assert addon_config(after, C.ADDON_CCM)[C.CCM_CONFIG_KEY_ENABLE_CLOUD_ROUTES] == "true"
    assert set(addon_config(after, C.ADDON_CCM)) == {C.CCM_CONFIG_KEY_BACKEND_TYPE, C.CCM_CONFIG_KEY_ENABLE_CLOUD_ROUTES}
    assert "addons" in after.one(T_CLUSTER).options["ignoreChanges"]
    assert run(with_value(staging, "ackstack:cni.backendType", "Pod"), stack="staging").error is not None


def test_disabled_addons_get_no_kubernetes_addon_resource():
    result = ok_run(stack_config("staging"), "staging")
    names = {a.inputs["name"] for a in result.of_type(T_ADDON)}
    assert C.ADDON_FLANNEL not in names
    assert any(a.get("name") == C.ADDON_FLANNEL and a.get("disabled") for a in result.one(T_CLUSTER).inputs["addons"])


# ---------------------------------------------------------------- rules of protected groups
def test_production_security_group_rules_are_not_protected_although_their_group_is():
    """Children inherit `protect`: without an explicit `protect=False` no rule of a production group could be
    narrowed (cidrIp, portRange are ForceNew) or removed without `pulumi state unprotect`."""
    result = ok_run(stack_config("prod"), "prod")
    rules = result.of_type("alicloud:ecs/securityGroupRule:SecurityGroupRule")
    groups = result.of_type(T_SG)
    assert rules and groups and all(g.protect for g in groups)
    assert [r.name for r in rules if r.protect] == []


def test_production_rule_change_and_removal_preview_without_protection_errors(tmp_path):
    from ackstack.preview.preview import run_preview

    base = run_preview("prod", policy=False)
    assert not base.blocked, base.findings
    (tmp_path / "base.json").write_text(json.dumps(base.document()))
    text = (ROOT / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    narrowed = text.replace("portRange: 3306/3306, cidr: 10.0.0.0/8}", "portRange: 3306/3306, cidr: 10.1.0.0/16}", 1)
    removed = text.replace("          - {name: redis-from-apps, protocol: tcp, portRange: 6379/6379, cidr: 10.0.0.0/8}\n",
                           "", 1)
    assert narrowed != text and removed != text
    for name, edited in (("narrowed", narrowed), ("removed", removed)):
        path = tmp_path / f"Pulumi.{name}.yaml"
        path.write_text(edited, encoding="utf-8")
        result = run_preview("prod", config_file=str(path), policy=False, compare_file=str(tmp_path / "base.json"))
        actions = {e["name"]: e["action"] for e in result.changes["resources"]}
        assert actions == ({"prod-sg-data-mysql-from-apps": "replace"} if name == "narrowed"
                           else {"prod-sg-data-redis-from-apps": "delete"}), actions
        assert [f for f in result.findings if f["rule"] in ("REP015", "REP003")] == []
        assert not result.blocked, result.findings


# ---------------------------------------------------------------- production keeps its network (issue #24 §3)
T_RELEASE = "kubernetes:helm.sh/v3:Release"


def production(stack: str, on: bool = True) -> dict:
    cfg = with_value(stack_config(stack), "ackstack:environment.production", on)
    return with_value(cfg, "ackstack:cluster.deletionProtection", True)


def outage_resources(result) -> list:
    return [r for r in result.registrations if outage_on_delete({"type": r.type, "inputs": r.inputs})]


@pytest.mark.parametrize("stack", ["prod", "staging", "existing"])
def test_production_protects_every_resource_whose_deletion_is_an_outage(stack):
    """terway-eniip and terway-controlplane (new clusters; an adopted one has terway-eniip only when it pins a
    version), CCM and the Cilium release (BYOCNI)."""
    result = ok_run(production(stack), stack)
    found = outage_resources(result)
    expected = {"prod": {C.ADDON_TERWAY_ENIIP, C.ADDON_TERWAY_CONTROLPLANE},
                "staging": {C.ADDON_CCM, C.CILIUM_RELEASE_NAME},
                "existing": {C.ADDON_TERWAY_CONTROLPLANE}}[stack]
    assert {r.inputs["name"] for r in found} >= expected
    assert [r.name for r in found if not r.protect] == []
    # protect is an option: the URNs are those of the unprotected stack (no alias, no replacement)
    plain = ok_run(production(stack, on=False), stack)
    assert {r.urn for r in found} <= {r.urn for r in plain.registrations}
    assert not any(r.protect for r in outage_resources(plain))


def _renamed(document: dict, names: set[str]) -> dict:
    """The base as an older program named the resources `names` (another URN), unprotected."""
    for resource in document["resources"]:
        if resource["name"] in names:
            resource["urn"] = resource["urn"] + "-old"
            resource["name"] += "-old"
            resource["protect"] = False
    return document


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_compare_calls_deleting_a_network_resource_an_error(tmp_path, stack):
    from ackstack.preview.preview import render_tree, run_preview
    from ackstack.preview.report import write_report

    base = run_preview(stack, policy=False)
    gone = {r.name for r in outage_resources(base.run)}
    assert gone
    (tmp_path / "base.json").write_text(json.dumps(_renamed(base.document(), gone)))
    result = run_preview(stack, policy=False, compare_file=str(tmp_path / "base.json"))
    errors = [f for f in result.findings if f["rule"] == "REP017"]
    assert sorted(f["urn"].rsplit("::", 1)[1] for f in errors) == sorted(f"{n}-old" for n in gone)
    assert all(f["level"] == "error" and "outage" in f["message"] for f in errors) and result.blocked
    assert "REP017" in render_tree(result)
    report = write_report(result, tmp_path).read_text()
    assert "BLOCKED" in report and "REP017" in report
