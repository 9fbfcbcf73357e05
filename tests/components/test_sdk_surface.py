"""Real-path names: what the program sends and reads must exist in the installed SDKs.

The offline engine answers Pulumi's mock RPCs, so it accepts any property name and any invoke it knows. Under
the real CLI, pulumi-alicloud 4.0.0 / pulumi-kubernetes 4.34.2 decide. These tests hold every registered
input (nested included) of every example stack against the SDK's own input types, every invoke the engine
answers against an SDK function, and every field the program reads from an invoke result against the
SDK's result type.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import re
import sys
import typing

import pulumi
import pytest
from pulumi import _types

from ackstack.engine.testing import run, stack_config, stack_inventory

STACKS = ("dev", "staging", "prod", "existing")


def test_pinned_sdk_versions():
    assert importlib.metadata.version("pulumi-alicloud") == "4.0.0"
    assert importlib.metadata.version("pulumi-kubernetes") == "4.34.2"


def _args_class(type_token: str) -> type | None:
    """The SDK's input-args class of a resource type token, or None for untyped ones (CustomResource, ours)."""
    package, module, name = type_token.split(":")
    if package == "alicloud":
        sdk = importlib.import_module("pulumi_alicloud." + module.split("/")[0])
    elif package == "kubernetes":
        group, version = module.split("/")
        group = {"helm.sh": "helm"}.get(group, group)
        try:
            sdk = importlib.import_module(f"pulumi_kubernetes.{group}.{version}")
        except ModuleNotFoundError:  # a CRD's group: CustomResource, untyped
            return None
    else:
        return None
    resource = getattr(sdk, name)
    home = sys.modules[resource.__module__]  # `<Name>Args` in `_inputs` may be a nested type of another resource
    return getattr(home, f"{name}Args", None) or getattr(home, f"{name}InitArgs", None)


def _input_classes(hint: typing.Any) -> list[type]:
    if isinstance(hint, type) and _types.is_input_type(hint):
        return [hint]
    return [cls for arg in typing.get_args(hint) for cls in _input_classes(arg)]


def unknown_fields(args_class: type, inputs: dict, prefix: str = "") -> list[str]:
    """Wire (camelCase) keys of `inputs`, at any depth, that `args_class` does not declare."""
    py_names = {wire: py for py, wire in _types.input_type_py_to_pulumi_names(args_class).items()}
    hints = _types.input_type_types(args_class)
    bad = []
    for key, value in inputs.items():
        if key not in py_names:
            bad.append(prefix + key)
            continue
        nested = _input_classes(hints.get(key, hints.get(py_names[key])))
        for item in value if isinstance(value, list) else [value]:
            if nested and isinstance(item, dict):
                bad += unknown_fields(nested[0], item, f"{prefix}{key}.")
    return bad


@pytest.fixture(scope="module")
def runs():
    return {stack: run(stack_config(stack), stack=stack, inventory=stack_inventory(stack)) for stack in STACKS}


def test_checker_flags_a_name_the_sdk_lacks():
    import pulumi_alicloud as alicloud

    args = _args_class("alicloud:cs/nodePool:NodePool")
    assert args is alicloud.cs.NodePoolArgs
    assert unknown_fields(args, {"keyName": "k", "management": {"autoRepair": True}}) == []
    assert unknown_fields(args, {"keyPair": "k", "management": {"autoRepairs": True}}) == [
        "keyPair", "management.autoRepairs"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_registered_input_exists_in_the_sdk(runs, stack):
    result = runs[stack]
    assert result.error is None, result.error
    checked, bad = 0, []
    for reg in result.registrations:
        args = _args_class(reg.type)
        if args is None:
            continue
        checked += 1
        bad += [f"{reg.type} {reg.name}: {field}" for field in unknown_fields(args, reg.inputs)]
    assert checked >= 4
    assert not bad, bad


def _sdk_invoke_tokens() -> set[str]:
    """Tokens of the invokes the program's SDK functions call (read from their source)."""
    import pulumi_alicloud as alicloud

    tokens = set()
    for module, name in (("cs", "get_cluster_credential"), ("vpc", "get_switches"), ("vpc", "get_networks"),
                         ("ecs", "get_security_groups"), ("ecs", "get_security_group_rules"),
                         ("cs", "get_clusters"), ("cs", "get_kubernetes_addons")):
        source = inspect.getsource(getattr(getattr(alicloud, module), name))
        tokens |= set(re.findall(r"['\"](alicloud:[A-Za-z/]+:[A-Za-z]+)['\"]", source))
    return tokens


def test_engine_answers_only_invokes_the_sdk_has(runs):
    from ackstack.engine.cloud import Cloud

    called = {token for result in runs.values() for token, _ in result.invokes}
    sdk = _sdk_invoke_tokens()
    assert called <= sdk, called - sdk
    engine = Cloud.__dict__["invoke"]
    answered = {t for t in sdk if t in inspect.getsource(engine)}
    assert answered == sdk


def test_fields_read_from_invoke_results_exist():
    """plan.read_cloud_facts reads these attributes; a misspelt one would be None (or raise) only for real."""
    from pulumi_alicloud.cs import outputs as cs
    from pulumi_alicloud.ecs import outputs as ecs
    from pulumi_alicloud.vpc import outputs as vpc

    from components.plan import SECURITY_GROUP_RULE_FIELDS

    def props(cls):
        return {n for n, v in vars(cls).items() if isinstance(v, property)}

    assert set(SECURITY_GROUP_RULE_FIELDS) <= props(ecs.GetSecurityGroupRulesRuleResult)
    assert {"id", "security_group_type", "vpc_id"} <= props(ecs.GetSecurityGroupsGroupResult)
    assert {"id", "zone_id", "cidr_block", "vpc_id"} <= props(vpc.GetSwitchesVswitchResult)
    assert {"id", "cidr_block"} <= props(vpc.GetNetworksVpcResult)
    assert {"id", "cluster_spec", "vpc_id"} <= props(cs.GetClustersClusterResult)
    assert {"name", "current_version"} <= props(cs.GetKubernetesAddonsAddonResult)


def test_secret_get_and_patch_resources_exist():
    """ExistingTerwayCluster reads the network token with Secret.get(name, "namespace/name", opts) and patches
    eni-config / the Terway DaemonSet server-side (pulumi-kubernetes 4.34.2)."""
    import pulumi_kubernetes as k8s

    params = list(inspect.signature(k8s.core.v1.Secret.get).parameters)
    assert params[:3] == ["resource_name", "id", "opts"]
    assert issubclass(k8s.core.v1.ConfigMapPatch, pulumi.CustomResource)
    assert issubclass(k8s.apps.v1.DaemonSetPatch, pulumi.CustomResource)
    assert "enable_server_side_apply" in inspect.signature(k8s.Provider.__init__).parameters or \
        "enable_server_side_apply" in _types.input_type_py_to_pulumi_names(k8s.ProviderArgs)


def test_addons_not_installed_are_not_read_as_installed():
    """The real data source lists available add-ons too, with current_version "" (service_alicloud_cs.go:436)."""
    from types import SimpleNamespace

    from ackstack_core import constants as C
    from components.plan import installed_addon_versions

    assert C.ADDONS_DATA_SOURCE_LISTS_AVAILABLE
    rows = [SimpleNamespace(name="terway-eniip", current_version="v1.13.7"),
            SimpleNamespace(name="terway-controlplane", current_version="")]
    assert installed_addon_versions(rows) == {"terway-eniip": "v1.13.7"}
