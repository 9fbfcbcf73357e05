"""Terway PodNetworking CRs: security groups, explicit placement and IP release strategy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from ackstack_core import constants as C
from ackstack_core.podnetworking_checks import (
    parse_go_duration,
    release_problems,
    security_group_count_verdict,
)
from ackstack_core.terway_webhook import security_group_limit

from ._common import (
    AckResourcePolicy,
    AckStackPolicy,
    StackResource,
    contains_unknown,
    get,
    is_unknown,
    skip_unknown,
)
from .types_ import KUBERNETES_ADDON, MANAGED_KUBERNETES, POD_NETWORKING

MIN_RELEASE_AFTER = f"{C.RELEASE_AFTER_MIN_SECONDS // 60}m"

def controlplane_version(resources: Sequence[StackResource]) -> str | None:
    """terway-controlplane's version as the stack installs it (cluster `addons` or a KubernetesAddon)."""
    for r in resources:
        if r.type == MANAGED_KUBERNETES:
            entries = r.props.get("addons")
        elif r.type == KUBERNETES_ADDON:
            entries = [r.props]
        else:
            continue
        for addon in entries if isinstance(entries, list) else []:
            if isinstance(addon, Mapping) and addon.get("name") == C.ADDON_TERWAY_CONTROLPLANE:
                version = addon.get("version")
                if isinstance(version, str) and version and not is_unknown(version):
                    return version
    return None


def declared_quotas(resources: Sequence[StackResource]) -> dict[str, int]:
    """The ECS per-ENI quota each ackstack PodNetworking component declares (capacity.maxSecurityGroupsPerEni),
    by the component's urn: the setting the rules read, carried to the pack on the CustomResource's parent."""
    quotas = {}
    for r in resources:
        value = r.props.get(C.PODNETWORKING_COMPONENT_QUOTA_KEY) if r.type == C.PODNETWORKING_COMPONENT_TYPE else None
        # numbers travel as protobuf doubles: 10 arrives as 10.0
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            quotas[r.urn] = int(value)
    return quotas


def check_security_groups(resources: Sequence[StackResource], config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Rule PNW001 on the emitted objects: the limit terway-controlplane's webhook applies for the version the
    stack installs (5 up to v1.13.4, 10 from v1.13.7) and the ECS per-ENI quota the stack declares (read from
    the PodNetworking's parent component; ECS's default 5 for a PodNetworking outside ackstack's component).
    The verdict is PNW001/PNW020's (`security_group_count_verdict`); the pack reports only its errors."""
    version = controlplane_version(resources)
    limit = security_group_limit(version)
    what = f"terway-controlplane {version or 'unpinned (newest modelled line)'}'s validating webhook"
    quotas = declared_quotas(resources)
    found = []
    for r in resources:
        if r.type != POD_NETWORKING or not r.props_known:
            continue
        groups = get(r.props, "spec.securityGroupIDs")
        if groups is None:
            found.append(("PNW001: spec.securityGroupIDs is missing; pods would silently inherit the node's groups.",
                          r.urn))
        elif not isinstance(groups, list):
            found.append(("PNW001: spec.securityGroupIDs must be a list of security group ids.", r.urn))
        elif not contains_unknown(groups):
            quota = quotas.get(r.parent or "", C.MAX_SECURITY_GROUPS_PER_ENI_DEFAULT)
            verdict = security_group_count_verdict([str(g) for g in groups], limit, quota, what)
            if verdict is not None and verdict[0] == "error":
                found.append((f"PNW001: spec.securityGroupIDs: {verdict[1]}", r.urn))
    return found


@skip_unknown
def check_explicit_placement(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Without explicit vSwitches/SGs/ENI type Terway falls back to cluster defaults, hiding intent."""
    problems = []
    if not get(props, "spec.vSwitchOptions"):
        problems.append("spec.vSwitchOptions is empty; pin the pod vSwitches explicitly.")
    if not get(props, "spec.securityGroupIDs"):
        problems.append("spec.securityGroupIDs is empty; pin the pod security groups explicitly.")
    if get(props, "spec.eniOptions") is None:
        problems.append("spec.eniOptions is missing; set eniOptions.eniType (e.g. Trunk) explicitly.")
    return problems


# An unsigned Go duration ("0", or number+unit pairs: golang/go src/time/format.go ParseDuration and unitMap;
# ackstack_core/go_duration.py). Unsigned because "-1h" parses in Go and would silently turn the minimum off.
# The CLI validates config with gojsonschema, whose `pattern` is Go RE2 (pulumi/pulumi v3.259.0
# pkg/resource/analyzer/config.go:212-228); the offline driver uses Python `re.search`: this pattern is plain
# enough to mean the same in both.
GO_DURATION_UNSIGNED_PATTERN = r"^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$"

RELEASE_SCHEMA = PolicyConfigSchema(
    properties={
        "minReleaseAfter": {
            "type": "string",
            "pattern": GO_DURATION_UNSIGNED_PATTERN,
            "default": MIN_RELEASE_AFTER,
            "description": "Shortest allowed allocationType.releaseAfter: an unsigned Go duration such as 5m or 1h30m.",
        }
    }
)


@skip_unknown
def check_release_strategy(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Fixed IPs are only useful with a sane TTL; Terway ignores or rejects the other combinations.

    Same verdicts and rule ids as validation rules PNW004-PNW006 (one implementation).
    """
    alloc = get(props, "spec.allocationType")
    if not isinstance(alloc, Mapping):
        return []
    minimum = parse_go_duration(str(config.get("minReleaseAfter") or MIN_RELEASE_AFTER))
    problems = release_problems(
        get(props, "spec.allocationType.type"),
        get(props, "spec.allocationType.releaseStrategy"),
        get(props, "spec.allocationType.releaseAfter"),
        min_seconds=minimum,
    )
    return [f"{rule_id}: spec.allocationType.{key}: {message}" for rule_id, key, message in problems]


PODNETWORKING_SECURITY_GROUPS = AckStackPolicy(
    name="podnetworking-security-groups",
    description="PodNetworking must list between 1 and the security groups terway-controlplane's webhook admits for "
                "the installed version (5 up to v1.12, 10 from v1.13).",
    enforcement_level=EnforcementLevel.MANDATORY,
    check=check_security_groups,
)

PODNETWORKING_EXPLICIT_PLACEMENT = AckResourcePolicy(
    name="podnetworking-explicit-placement",
    description="PodNetworking should pin vSwitchOptions, securityGroupIDs and eniOptions explicitly.",
    enforcement_level=EnforcementLevel.ADVISORY,
    resource_types=[POD_NETWORKING],
    check=check_explicit_placement,
)

PODNETWORKING_RELEASE_STRATEGY = AckResourcePolicy(
    name="podnetworking-release-strategy",
    description="PodNetworking releaseStrategy/releaseAfter must be consistent (Fixed; TTL >= minReleaseAfter).",
    enforcement_level=EnforcementLevel.MANDATORY,
    resource_types=[POD_NETWORKING],
    check=check_release_strategy,
    config_schema=RELEASE_SCHEMA,
)

POLICIES = [PODNETWORKING_EXPLICIT_PLACEMENT, PODNETWORKING_RELEASE_STRATEGY]
STACK_POLICIES = [PODNETWORKING_SECURITY_GROUPS]
