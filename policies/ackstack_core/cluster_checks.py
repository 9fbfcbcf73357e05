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


def kubernetes_version_problem(version: str | None) -> str | None:
    """CLU002, shared with the `ack-supported-kubernetes-version` policy (InfraGuard
    ack-cluster-supported-version): a version ACK offers (KNOWN_ACK_K8S_VERSIONS)."""
    if version and version in C.KNOWN_ACK_K8S_VERSIONS:
        return None
    shown = f"`{version}`" if version else "(unset: the provider picks ACK's default)"
    return (f"{shown} is not in the versions ackstack knows ACK offers ({', '.join(C.KNOWN_ACK_K8S_VERSIONS)}); "
            "check `aliyun cs DescribeKubernetesVersionMetadata`")


def ack_support_ended(minor: tuple[int, int]) -> tuple[bool, str]:
    """(ended, why) for a Kubernetes minor on ACK, as of ACK_K8S_FACTS_AS_OF (ACK's version page)."""
    eos = C.ACK_K8S_END_OF_SUPPORT.get(minor)
    shown = f"{minor[0]}.{minor[1]}"
    if eos is not None:
        ended = eos <= C.ACK_K8S_FACTS_AS_OF
        return ended, f"ACK supports Kubernetes {shown} until {eos} ({C.ACK_K8S_VERSION_PAGE}, as of {C.ACK_K8S_FACTS_AS_OF})"
    if minor > max(C.ACK_K8S_END_OF_SUPPORT):
        return False, f"Kubernetes {shown} is newer than the versions on ACK's page as of {C.ACK_K8S_FACTS_AS_OF} (unverified)"
    return True, (f"Kubernetes {shown} is not on ACK's version page ({C.ACK_K8S_VERSION_PAGE}); "
                  "older minors are past support (unverified)")
