"""Stable identities: reordering ANY list in a stack config leaves the set of URNs unchanged.

Lists are discovered by walking the config map, so a list added to the config schema later is covered
without touching this file. Every `Pulumi.*.yaml` in the repository is checked, plus `wide`, a dev
variant in which every list has at least two entries (a one-element list cannot be reordered).

URN stability is the requirement. Inputs may legitimately follow the list order (PodNetworking
`vSwitchOptions` with the `ordered` policy, node pool `instanceTypes` priority); those input diffs are
reported as warnings (`pytest -W default` shows them), not failures. Where the order means nothing
(node/pod vSwitch ids, taints, node pool security groups, log components) the components sort, and
`test_order_free_inputs_do_not_change` holds them to it.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from ackstack.engine.testing import ROOT, run, stack_config, stack_inventory, with_value

STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in Path(ROOT).glob("Pulumi.*.yaml"))

# Inputs whose order follows config order on purpose (order is meaningful to ACK / Terway).
ORDER_MEANINGFUL = {
    ("kubernetes:network.alibabacloud.com/v1beta1:PodNetworking", "spec"),  # vSwitchOptions: `ordered` policy
    ("alicloud:cs/nodePool:NodePool", "instanceTypes"),  # priority order for the scaling group
}


def wide_config() -> dict:
    """dev with at least two entries in every list (each still a valid config)."""
    cfg = stack_config("dev")
    cfg = with_value(cfg, "ackstack:network.securityGroups[1].rules", [
        *cfg["ackstack:network"]["securityGroups"][1]["rules"],
        {"name": "postgres-from-vpc", "direction": "ingress", "protocol": "tcp", "portRange": "5432/5432",
         "cidr": "10.0.0.0/8"},
    ])
    cfg = with_value(cfg, "ackstack:cluster.controlPlaneLogs", {"components": ["apiserver", "kcm", "scheduler"]})
    cfg = with_value(cfg, "ackstack:cluster.nodePools", [
        *cfg["ackstack:cluster"]["nodePools"],
        {"name": "batch", "instanceTypes": ["ecs.g7.2xlarge", "ecs.g7.xlarge"], "zones": ["cn-hangzhou-i", "cn-hangzhou-h"],
         "minSize": 0, "maxSize": 3, "autoscaling": True, "labels": {"workload": "batch", "tier": "low"},
         "taints": [{"key": "batch", "value": "true", "effect": "NoSchedule"},
                    {"key": "spot", "value": "true", "effect": "PreferNoSchedule"}],
         "securityGroups": ["cluster", "db-clients"]},
    ])
    cfg = with_value(cfg, "ackstack:podNetworkings", [
        *cfg["ackstack:podNetworkings"],
        {"name": "redis", "allocationType": {"type": "Elastic"},
         "selector": {"podSelector": {"matchLabels": {"app": "redis"},
                                      "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                                           {"key": "team", "operator": "Exists"}]},
                      "namespaceSelector": {"matchLabels": {"network": "cache"}}},
         "securityGroupIDs": ["db-clients", "cluster"], "vSwitchOptions": ["db-i", "db-h"],
         "eniOptions": {"eniType": "Trunk"}, "workloadKinds": ["Deployment", "StatefulSet"]},
    ])
    cfg = with_value(cfg, "ackstack:namespaces", [
        *cfg["ackstack:namespaces"],
        {"name": "caches", "labels": {"network": "cache", "team": "platform"}},
    ])
    return cfg


def wide_existing_config() -> dict:
    """existing with two cluster ENI groups: cni.eniSecurityGroups is refused on a new cluster (CLU009), so its
    order is checked where it reaches eni-config."""
    return with_value(stack_config("existing"), "ackstack:cni.eniSecurityGroups", ["cluster", "db-clients"])


WIDE = ("wide", "wide-existing")


def config_for(stack: str) -> dict:
    return {"wide": wide_config, "wide-existing": wide_existing_config}.get(stack, lambda: stack_config(stack))()


def inventory_for(stack: str):
    return stack_inventory({"wide": "dev", "wide-existing": "existing"}.get(stack, stack))


def lists_in(node, path: tuple = ()) -> Iterator[tuple]:
    """Paths of every list with two or more entries, depth first."""
    if isinstance(node, list):
        if len(node) >= 2:
            yield path
        for index, item in enumerate(node):
            yield from lists_in(item, (*path, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from lists_in(value, (*path, key))


def _get(config: dict, path: tuple):
    node = config
    for step in path:
        node = node[step]
    return node


def reordered(config: dict, path: tuple, how: str) -> dict:
    config = copy.deepcopy(config)
    parent, last = _get(config, path[:-1]), path[-1]
    items = parent[last]
    parent[last] = list(reversed(items)) if how == "reversed" else items[1:] + items[:1]
    return config


def _reverse_everything(node):
    if isinstance(node, list):
        return [_reverse_everything(x) for x in reversed(node)]
    if isinstance(node, dict):
        return {k: _reverse_everything(v) for k, v in reversed(list(node.items()))}
    return node


def _cases():
    for stack in [*STACKS, *WIDE]:
        config = config_for(stack)
        for path in lists_in(config):
            yield pytest.param(stack, path, "reversed", id=f"{stack}:{_show(path)}:reversed")
            if len(_get(config, path)) > 2:
                yield pytest.param(stack, path, "rotated", id=f"{stack}:{_show(path)}:rotated")


def _show(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))


_BASELINES: dict[str, object] = {}


def baseline(stack: str):
    if stack not in _BASELINES:
        result = run(config_for(stack), stack=stack, inventory=inventory_for(stack))
        assert result.error is None, result.error
        assert result.registrations, "the example stack registers nothing: the URN test would prove nothing"
        _BASELINES[stack] = result
    return _BASELINES[stack]


def _input_diffs(before, after) -> list[tuple[str, str, str]]:
    old, new = before.by_urn(), after.by_urn()
    out = []
    for urn, reg in new.items():
        for key in sorted(set(reg.inputs) | set(old[urn].inputs)):
            if reg.inputs.get(key) != old[urn].inputs.get(key):
                out.append((reg.type, reg.name, key))
    return out


def test_every_example_stack_and_the_wide_config_have_lists_to_reorder():
    assert "dev" in STACKS
    for stack in [*STACKS, *WIDE]:
        assert list(lists_in(config_for(stack))), stack
    wide_lists = {_show(p) for p in lists_in(wide_config())}
    assert {"ackstack:network.vswitches", "ackstack:network.securityGroups", "ackstack:network.securityGroups[1].rules",
            "ackstack:cluster.nodePools", "ackstack:cluster.nodePools[1].taints", "ackstack:podNetworkings",
            "ackstack:podNetworkings[1].securityGroupIDs", "ackstack:podNetworkings[1].vSwitchOptions",
            "ackstack:namespaces"} <= wide_lists
    assert "ackstack:cni.eniSecurityGroups" in {_show(p) for p in lists_in(wide_existing_config())}


@pytest.mark.parametrize(("stack", "path", "how"), list(_cases()))
def test_reordering_a_list_keeps_every_urn(stack, path, how):
    before = baseline(stack)
    after = run(reordered(config_for(stack), path, how), stack=stack, inventory=inventory_for(stack))
    assert after.error is None, after.error
    assert {r.urn for r in after.registrations} == {r.urn for r in before.registrations}
    diffs = _input_diffs(before, after)
    if diffs:
        warnings.warn(f"{stack} {_show(path)} {how}: input order follows config order in "
                      f"{sorted(set(diffs))} (URNs unchanged; a `pulumi up` would update in place)", stacklevel=1)


@pytest.mark.parametrize("stack", [*STACKS, *WIDE])
def test_reversing_every_list_and_mapping_at_once_keeps_every_urn(stack):
    before = baseline(stack)
    after = run(_reverse_everything(config_for(stack)), stack=stack, inventory=inventory_for(stack))
    assert after.error is None, after.error
    assert {r.urn for r in after.registrations} == {r.urn for r in before.registrations}


def _reverse_lists(node):
    if isinstance(node, list):
        return [_reverse_lists(x) for x in reversed(node)]
    if isinstance(node, dict):
        return {k: _reverse_lists(v) for k, v in node.items()}
    return node


def _reverse_mappings(node):
    if isinstance(node, list):
        return [_reverse_mappings(x) for x in node]
    if isinstance(node, dict):
        return {k: _reverse_mappings(v) for k, v in reversed(list(node.items()))}
    return node


@pytest.mark.parametrize("stack", [*STACKS, *WIDE])
def test_order_free_inputs_do_not_change(stack):
    """Everything but the inputs whose order means something is identical after reversing every list."""
    before = baseline(stack)
    after = run(_reverse_lists(config_for(stack)), stack=stack, inventory=inventory_for(stack))
    unexpected = [d for d in _input_diffs(before, after) if (d[0], d[2]) not in ORDER_MEANINGFUL]
    assert unexpected == []


@pytest.mark.parametrize("stack", [*STACKS, *WIDE])
def test_mapping_key_order_changes_no_input(stack):
    """YAML mapping order is meaningless; reversing every mapping (labels, tags, values...) changes nothing."""
    before = baseline(stack)
    after = run(_reverse_mappings(config_for(stack)), stack=stack, inventory=inventory_for(stack))
    assert _input_diffs(before, after) == []


def test_logical_names_carry_config_keys_not_positions():
    result = baseline("wide")
    names = {r.name for r in result.registrations}
    assert {"dev-vsw-db-h", "dev-sg-db-clients-postgres-from-vpc", "dev-ack-np-batch", "redis", "ns-caches"} <= names
