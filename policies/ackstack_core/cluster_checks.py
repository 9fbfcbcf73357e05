"""Cluster checks shared by the validation rules and the policy pack (pure: no pydantic, no Pulumi)."""

from __future__ import annotations

from ackstack_core import constants as C


def cluster_spec_problem(spec: str | None) -> str | None:
    """CLU001, shared with the `ack-managed-pro` policy: only `ack.pro.*` specs are managed Pro."""
    if not spec:
        return (f"clusterSpec is not set (the provider then creates ack.standard); use one of "
                f"{', '.join(C.KNOWN_PRO_CLUSTER_SPECS)}")
    if not spec.startswith(C.CLUSTER_SPEC_PRO_PREFIX):
        return f"`{spec}` is not an ACK managed Pro spec; use one of {', '.join(C.KNOWN_PRO_CLUSTER_SPECS)}"
    if spec not in C.KNOWN_PRO_CLUSTER_SPECS:
        return (f"`{spec}` is not a cluster_spec the provider accepts (pulumi-alicloud 4.0.0 / terraform-provider-"
                f"alicloud resource_alicloud_cs_managed_kubernetes.go:353); use one of "
                f"{', '.join(C.KNOWN_PRO_CLUSTER_SPECS)}")
    return None
