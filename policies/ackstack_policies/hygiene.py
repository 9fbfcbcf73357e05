"""Operational hygiene: advisory everywhere, reported as mandatory on stacks in mandatoryEnvironments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from ._common import MANDATORY_ENVIRONMENTS_SCHEMA, AckResourcePolicy, Check, get, is_true, skip_unknown
from .types_ import MANAGED_KUBERNETES, NODE_POOL, SECURITY_GROUP_RULE


def _schema(**extra: dict[str, Any]) -> PolicyConfigSchema:
    return PolicyConfigSchema(
        properties={"mandatoryEnvironments": dict(MANDATORY_ENVIRONMENTS_SCHEMA), **extra}
    )


@skip_unknown
def check_deletion_protection(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """A stray `pulumi destroy` or replacement must not delete the control plane."""
    if not is_true(get(props, "deletionProtection")):
        return ["deletionProtection is not true; enable it so the cluster cannot be deleted by accident."]
    return []


@skip_unknown
def check_private_api_server(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """The API server should only be reachable from the VPC (bastion/VPN), not the internet."""
    if is_true(get(props, "slbInternetEnabled")):
        return ["slbInternetEnabled is true; the API server gets a public EIP. Keep it private."]
    return []


@skip_unknown
def check_rrsa(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """RRSA gives pods scoped RAM roles instead of sharing the worker role."""
    if not is_true(get(props, "enableRrsa")):
        return ["enableRrsa is not true; enable RRSA so workloads use per-ServiceAccount RAM roles."]
    return []


@skip_unknown
def check_control_plane_logs(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Audit/troubleshooting needs the control-plane component logs in SLS."""
    components = get(props, "controlPlaneLogComponents") or []
    required = [str(c) for c in config.get("requiredComponents") or []]
    if not components:
        return [
            "controlPlaneLogComponents is empty; ship at least "
            + ", ".join(required or ["apiserver"])
            + " logs."
        ]
    missing = [c for c in required if c not in components]
    if missing:
        return [f"controlPlaneLogComponents lacks {', '.join(missing)}."]
    return []


@skip_unknown
def check_auto_repair(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Managed node pools replace NotReady nodes without a page."""
    problems = []
    if not is_true(get(props, "management.enable")):
        problems.append("management.enable is not true; auto repair only works on managed node pools.")
    if not is_true(get(props, "management.autoRepair")):
        problems.append("management.autoRepair is not true; enable automatic node repair.")
    return problems


@skip_unknown
def check_encrypted_system_disk(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """System disks hold container images and logs; encrypt them at rest."""
    if not is_true(get(props, "systemDiskEncrypted")):
        return ["systemDiskEncrypted is not true; encrypt node system disks."]
    return []


_OPEN_CIDRS = {"0.0.0.0/0", "::/0"}


def _port_range(value: Any) -> tuple[int, int] | None:
    try:
        low, high = (int(p) for p in str(value).split("/", 1))
    except ValueError:
        return None
    return low, high


@skip_unknown
def check_open_admin_ports(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """SSH/RDP (or everything) open to the internet is the classic compromise path."""
    if str(get(props, "type") or "").lower() != "ingress":
        return []
    if str(get(props, "policy") or "accept").lower() != "accept":
        return []
    cidr = get(props, "cidrIp") or get(props, "ipv6CidrIp")
    if cidr not in _OPEN_CIDRS:
        return []
    protocol = str(get(props, "ipProtocol") or "").lower()
    port_range = get(props, "portRange") or "-1/-1"
    if protocol == "all":
        return [f"ipProtocol is 'all' from {cidr}; this opens every port to the internet."]
    span = _port_range(port_range)
    if span == (-1, -1):
        return [f"portRange is -1/-1 from {cidr}; this opens every port to the internet."]
    if span is None or protocol not in {"tcp", "udp"}:
        return []
    ports = [int(p) for p in config.get("adminPorts") or []]
    exposed = [p for p in ports if span[0] <= p <= span[1]]
    if exposed:
        return [f"portRange {port_range} from {cidr} exposes admin port(s) {', '.join(map(str, exposed))}."]
    return []


def _hygiene(
    name: str, description: str, types: list[str], check: Check, **extra: dict[str, Any]
) -> AckResourcePolicy:
    return AckResourcePolicy(
        name=name,
        description=description,
        enforcement_level=EnforcementLevel.ADVISORY,
        resource_types=types,
        check=check,
        config_schema=_schema(**extra),
        stack_escalation=True,
    )


ACK_DELETION_PROTECTION = _hygiene(
    "ack-deletion-protection",
    "ACK clusters should enable deletionProtection.",
    [MANAGED_KUBERNETES],
    check_deletion_protection,
)
ACK_PRIVATE_API_SERVER = _hygiene(
    "ack-private-api-server",
    "The ACK API server should not be exposed to the internet (slbInternetEnabled).",
    [MANAGED_KUBERNETES],
    check_private_api_server,
)
ACK_RRSA_ENABLED = _hygiene(
    "ack-rrsa-enabled",
    "ACK clusters should enable RRSA (enableRrsa).",
    [MANAGED_KUBERNETES],
    check_rrsa,
)
ACK_CONTROL_PLANE_LOGS = _hygiene(
    "ack-control-plane-logs",
    "ACK clusters should collect control-plane logs (controlPlaneLogComponents).",
    [MANAGED_KUBERNETES],
    check_control_plane_logs,
    requiredComponents={
        "type": "array",
        "items": {"type": "string"},
        "default": ["apiserver"],
        "description": "Control-plane components whose logs must be collected.",
    },
)
NODEPOOL_AUTO_REPAIR = _hygiene(
    "nodepool-auto-repair",
    "Node pools should be managed with auto repair (management.autoRepair).",
    [NODE_POOL],
    check_auto_repair,
)
NODEPOOL_ENCRYPTED_SYSTEM_DISK = _hygiene(
    "nodepool-encrypted-system-disk",
    "Node pools should encrypt system disks (systemDiskEncrypted).",
    [NODE_POOL],
    check_encrypted_system_disk,
)
SG_NO_OPEN_ADMIN_PORTS = _hygiene(
    "sg-no-open-admin-ports",
    "Security group rules must not open admin ports or all ports to 0.0.0.0/0.",
    [SECURITY_GROUP_RULE],
    check_open_admin_ports,
    adminPorts={
        "type": "array",
        "items": {"type": "integer"},
        "default": [22, 3389],
        "description": "Ports that must never be reachable from 0.0.0.0/0.",
    },
)

POLICIES = [
    ACK_DELETION_PROTECTION,
    ACK_PRIVATE_API_SERVER,
    ACK_RRSA_ENABLED,
    ACK_CONTROL_PLANE_LOGS,
    NODEPOOL_AUTO_REPAIR,
    NODEPOOL_ENCRYPTED_SYSTEM_DISK,
    SG_NO_OPEN_ADMIN_PORTS,
]
