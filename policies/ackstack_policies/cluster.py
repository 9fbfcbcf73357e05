"""Cluster edition: ackstack only supports ACK managed Pro (SLA-backed control plane, Terway trunking, RRSA)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from ackstack_core.cluster_checks import cluster_spec_problem

from ._common import AckResourcePolicy, get, skip_unknown
from .types_ import MANAGED_KUBERNETES


@skip_unknown
def check_managed_pro(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Rule CLU001 on the registered cluster: clusterSpec must be ack.pro.* (the provider default is not)."""
    spec = get(props, "clusterSpec")
    problem = cluster_spec_problem(str(spec) if spec else None)
    return [f"CLU001: clusterSpec: {problem}"] if problem else []


ACK_MANAGED_PRO = AckResourcePolicy(
    name="ack-managed-pro",
    description="ACK clusters must be managed Pro clusters (clusterSpec ack.pro.*).",
    enforcement_level=EnforcementLevel.MANDATORY,
    resource_types=[MANAGED_KUBERNETES],
    check=check_managed_pro,
    remediation_steps="Set cluster_spec='ack.pro.small' on the ManagedKubernetes resource.",
)

POLICIES = [ACK_MANAGED_PRO]
