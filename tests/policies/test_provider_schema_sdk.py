"""The extracted provider schema against pulumi-alicloud 4.0.0's own input types, and the checks the extractor
used to skip (issue #23 section 6).

The schema was extracted from terraform-provider-alicloud at the commit PROVIDER_COMMIT names; pulumi-alicloud
4.0.0 builds on a newer one that no reachable snapshot holds (docs/policies.md "Provider schema"). Every
difference between the two is listed here with how it was settled; a new one fails this test.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest
from pulumi import _types

from ackstack.engine.provider_check import check
from ackstack_core import constants as C
from ackstack_core.provider_schema import SCHEMA
from tests.components.test_sdk_surface import _args_class, _input_classes

# difference -> how it was settled
SDK_DIFFERENCES = {
    "KubernetesAddon.name: required in the extraction, optional in the SDK":
        "the bridge auto-names required `name` fields (pulumi-alicloud provider/resources.go:2636 SetAutonaming); an "
        "add-on auto-named `<resource>-<random>` is no ACK add-on, so ackstack always sets it and the Check model "
        "keeps it required",
    "ManagedKubernetes.controlPlaneEndpointsConfig.loadBalancersConfigs.endpoint: in the SDK, not in the extraction":
        "newer than the extracted commit; ackstack never sets it",
    "NodePool.resourcePoolOptions: in the SDK, not in the extraction":
        "newer than the extracted commit (absent from every commit of the terraform-provider-alicloud snapshot, "
        "v1.289.0 and v2.0.0-beta3 included); ackstack never sets it",
}


def _sdk_required(args_class: type) -> set[str]:
    params = inspect.signature(args_class.__init__).parameters.values()
    return {p.name for p in params if p.default is inspect.Parameter.empty and p.name != "__self__"}


def schema_differences(args_class: type, fields: dict, where: str) -> list[str]:
    """Every input field, block and required flag on which the extraction and the SDK's input type disagree."""
    wire_of = _types.input_type_py_to_pulumi_names(args_class)  # python name -> wire name
    py_of = {wire: py for py, wire in wire_of.items()}
    hints = _types.input_type_types(args_class)
    sdk = set(py_of)
    extracted = {name for name, spec in fields.items() if spec.get("required") or spec.get("optional")}
    required = {wire_of[p] for p in _sdk_required(args_class) if p in wire_of}
    out = [f"{where}{k}: in the SDK, not in the extraction" for k in sorted(sdk - extracted)]
    out += [f"{where}{k}: in the extraction, not in the SDK" for k in sorted(extracted - sdk)]
    for name in sorted(sdk & extracted):
        spec = fields[name]
        if bool(spec.get("required")) != (name in required):
            out.append(f"{where}{name}: required in the extraction, optional in the SDK" if spec.get("required")
                       else f"{where}{name}: optional in the extraction, required in the SDK")
        if "elem" in spec:
            nested = _input_classes(hints.get(py_of[name], hints.get(name)))
            out += schema_differences(nested[0], spec["elem"], f"{where}{name}.") if nested else [
                f"{where}{name}: a block in the extraction, no input type in the SDK"]
    return out


def test_the_extraction_differs_from_the_4_0_0_sdk_only_where_settled():
    found = [line for token, resource in SCHEMA.items()
             for line in schema_differences(_args_class(token), resource["fields"], token.split(":")[-1] + ".")]
    assert sorted(found) == sorted(SDK_DIFFERENCES)


def test_list_fields_carry_the_bridges_plural_names():
    """Before: `spotPriceLimit` (the Terraform name); the SDK has `spotPriceLimits` (TypeList, MaxItems != 1)."""
    fields = SCHEMA["alicloud:cs/nodePool:NodePool"]["fields"]
    assert "spotPriceLimits" in fields and "spotPriceLimit" not in fields
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    from extract_provider_schema import pluralize

    assert [pluralize(n) for n in ("spot_price_limit", "vswitch_ids", "load_balancers_config", "policy")] == [
        "spot_price_limits", "vswitch_ids", "load_balancers_configs", "policies"]


NODE_POOL = "alicloud:cs/nodePool:NodePool"
CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
POOL_OK = {"clusterId": "c1", "nodePoolName": "np", "vswitchIds": ["vsw-abc"], "instanceTypes": ["ecs.g7.large"]}


@pytest.mark.parametrize(("token", "inputs", "rule", "field", "needle"), [
    # element StringMatch of vswitch ids (resource_alicloud_cs_managed_kubernetes.go:96)
    (CLUSTER, {"vswitchIds": ["vsw_abc"], "clusterSpec": "ack.pro.small"}, "PRV010", "vswitchIds[0]", "^vsw-"),
    # nested ConflictsWith resolved at the top level (resource_alicloud_cs_kubernetes_node_pool.go:788)
    (NODE_POOL, {**POOL_OK, "internetChargeType": "PayByTraffic", "scalingConfig": {"eipBandwidth": 5}},
     "PRV006", "scalingConfig[0].eipBandwidth", "internetChargeType"),
    # ValidateNullableIntBetween on a string
    (NODE_POOL, {**POOL_OK, "containerdConfig": {"limitNoFile": "100"}}, "PRV003", "containerdConfig[0].limitNoFile",
     "1024"),
    # IntAtLeast / FloatAtLeast inside instancePatterns
    (NODE_POOL, {**POOL_OK, "instancePatterns": [{"cores": -1, "memory": 4.0}]}, "PRV003", "instancePatterns[0].cores",
     "at least 0"),
    # element StringLenAtLeast(1)
    (NODE_POOL, {**POOL_OK, "containerdConfig": {"registryMirrors": [""]}}, "PRV003",
     "containerdConfig[0].registryMirrors[0]", "length at least 1"),
])
def test_checks_the_extractor_used_to_skip(token, inputs, rule, field, needle):
    failures = [f for f in check(token, "x", inputs) if f.rule == rule and f.field == field]
    assert failures and needle in failures[0].limit, [f.message() for f in check(token, "x", inputs)]


def test_their_valid_neighbours_pass():
    assert not [f for f in check(CLUSTER, "x", {"vswitchIds": ["vsw-abc"], "clusterSpec": "ack.pro.small"})
                if f.rule in ("PRV010", "PRV003")]
    ok = {**POOL_OK, "scalingConfig": {"eipBandwidth": 5}, "containerdConfig": {"limitNoFile": "", "registryMirrors": ["m"]},
          "instancePatterns": [{"cores": 0, "memory": 0.5}]}
    assert not [f.message() for f in check(NODE_POOL, "x", ok) if f.rule in ("PRV003", "PRV006", "PRV010")]


def test_nftables_is_a_proxy_mode():
    """The provider's enum (and ACK 1.33+) has nftables; the config model refused it before."""
    assert set(C.KUBE_PROXY_MODES) == set(SCHEMA[CLUSTER]["fields"]["proxyMode"]["enum"])
    from ackstack.engine.testing import changed, stack_config
    from components.config_loader import load

    loaded = load(changed(stack_config("dev"), ("ackstack:cluster.proxyMode", "nftables")))
    assert loaded.config is not None and loaded.config.cluster.proxy_mode == "nftables", loaded.findings


def test_control_plane_log_components_are_acks():
    """`etcd` was allowed and is no component ACK collects (UpdateControlPlaneLog's list); `alb` is one."""
    from ackstack.engine.testing import changed, stack_config
    from components.config_loader import load

    refused = load(changed(stack_config("dev"), ("ackstack:cluster.controlPlaneLogs", {"components": ["etcd"]})))
    assert refused.config is None and refused.findings[0].path == "ackstack:cluster.controlPlaneLogs.components[0]"
    accepted = load(changed(stack_config("dev"), ("ackstack:cluster.controlPlaneLogs", {"components": ["alb"]})))
    assert accepted.config is not None and "etcd" not in C.ACK_CONTROL_PLANE_LOG_COMPONENTS
