"""Terway PodNetworking CRs: security groups, explicit placement and IP release strategy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from ackstack_core import constants as C
from ackstack_core.podnetworking_checks import (
    parse_go_duration,
    release_problems,
    security_group_count_problem,
)

from ._common import AckResourcePolicy, get, skip_unknown
from .types_ import POD_NETWORKING

MIN_RELEASE_AFTER = f"{C.RELEASE_AFTER_MIN_SECONDS // 60}m"

SECURITY_GROUPS_SCHEMA = PolicyConfigSchema(
    properties={
        "maxSecurityGroups": {
            "type": "integer",
            "minimum": 1,
            "maximum": C.MAX_SECURITY_GROUPS_PER_ENI_RAISED,
            "default": C.MAX_SECURITY_GROUPS_PER_ENI_DEFAULT,
            "description": "Most security groups one PodNetworking may attach (Terway allows up to 10).",
        }
    }
)


@skip_unknown
def check_security_groups(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Rule PNW001 on the emitted object: trunk member ENIs take every listed group, up to the ECS quota."""
    groups = get(props, "spec.securityGroupIDs")
    if groups is None:
        return ["PNW001: spec.securityGroupIDs is missing; pods would silently inherit the node's groups."]
    if not isinstance(groups, list):
        return ["PNW001: spec.securityGroupIDs must be a list of security group ids."]
    problem = security_group_count_problem([str(g) for g in groups], int(config.get("maxSecurityGroups", C.MAX_SECURITY_GROUPS_PER_ENI_DEFAULT)))
    return [f"PNW001: spec.securityGroupIDs: {problem}"] if problem else []


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


RELEASE_SCHEMA = PolicyConfigSchema(
    properties={
        "minReleaseAfter": {
            "type": "string",
            "default": MIN_RELEASE_AFTER,
            "description": "Shortest allowed allocationType.releaseAfter (Go duration).",
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


PODNETWORKING_SECURITY_GROUPS = AckResourcePolicy(
    name="podnetworking-security-groups",
    description="PodNetworking must list between 1 and maxSecurityGroups spec.securityGroupIDs.",
    enforcement_level=EnforcementLevel.MANDATORY,
    resource_types=[POD_NETWORKING],
    check=check_security_groups,
    config_schema=SECURITY_GROUPS_SCHEMA,
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

POLICIES = [PODNETWORKING_SECURITY_GROUPS, PODNETWORKING_EXPLICIT_PLACEMENT, PODNETWORKING_RELEASE_STRATEGY]
