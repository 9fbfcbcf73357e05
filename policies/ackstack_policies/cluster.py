"""Cluster edition: ackstack only supports ACK managed Pro (SLA-backed control plane, Terway trunking, RRSA)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from ._common import AckResourcePolicy, get, skip_unknown
from .types_ import MANAGED_KUBERNETES


@skip_unknown
def check_managed_pro(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """clusterSpec must be an ack.pro.* spec; the provider default is ack.standard."""
    spec = get(props, "clusterSpec")
    if not spec:
        return ["clusterSpec is not set (the provider defaults to ack.standard); set it to 'ack.pro.small'."]
    if not str(spec).startswith("ack.pro."):
        return [f"clusterSpec is '{spec}'; ackstack requires an ACK managed Pro spec ('ack.pro.*')."]
    return []


ACK_MANAGED_PRO = AckResourcePolicy(
    name="ack-managed-pro",
    description="ACK clusters must be managed Pro clusters (clusterSpec ack.pro.*).",
    enforcement_level=EnforcementLevel.MANDATORY,
    resource_types=[MANAGED_KUBERNETES],
    check=check_managed_pro,
    remediation_steps="Set cluster_spec='ack.pro.small' on the ManagedKubernetes resource.",
)

POLICIES = [ACK_MANAGED_PRO]
