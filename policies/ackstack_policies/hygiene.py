"""Operational hygiene: advisory by default; a stack makes them mandatory in its policy-pack config file
(`policies/config.prod.json`), the one place per-stack enforcement is set."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from ._common import (
    AckResourcePolicy,
    AckStackPolicy,
    Check,
    StackResource,
    Unknown,
    get,
    is_true,
    is_unknown,
    skip_unknown,
)
from .types_ import MANAGED_KUBERNETES, NODE_POOL, SECURITY_GROUP_RULE


def _schema(**extra: dict[str, Any]) -> PolicyConfigSchema | None:
    return PolicyConfigSchema(properties=extra) if extra else None


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


def _network(cidr: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The block a rule's source means, however it is spelled (`0.0.0.0/00`, `0.0.0.0/0.0.0.0`, ` ::/0`)."""
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return None


def _port_range(value: Any) -> tuple[int, int] | None:
    try:
        low, high = (int(p) for p in str(value).split("/", 1))
    except ValueError:
        return None
    return low, high


def _admin_ports(config: Mapping[str, Any]) -> list[int]:
    return sorted({int(p) for p in config.get("adminPorts") or []})


def _exposure(props: Mapping[str, Any], ports: list[int]):
    """(protocol, source network, admin ports exposed or None for every port) of an accepting ingress rule
    that exposes something, else None."""
    if str(get(props, "type") or "").lower() != "ingress":
        return None
    if str(get(props, "policy") or "accept").lower() != "accept":
        return None
    net = _network(get(props, "cidrIp") or get(props, "ipv6CidrIp"))
    if net is None:
        return None
    protocol = str(get(props, "ipProtocol") or "").lower()
    span = _port_range(get(props, "portRange") or "-1/-1")
    if protocol == "all" or span == (-1, -1):
        return protocol, net, None
    if span is None or protocol not in {"tcp", "udp"}:
        return None
    exposed = frozenset(p for p in ports if span[0] <= p <= span[1])
    return (protocol, net, exposed) if exposed else None


@skip_unknown
def check_open_admin_ports(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """SSH/RDP (or everything) open to the internet is the classic compromise path."""
    exposure = _exposure(props, _admin_ports(config))
    if exposure is None or exposure[1].prefixlen != 0:
        return []
    protocol, net, exposed = exposure
    cidr = get(props, "cidrIp") or get(props, "ipv6CidrIp")
    spelled = f"{cidr} (= {net})" if str(cidr) != str(net) else str(cidr)
    if protocol == "all":
        return [f"ipProtocol is 'all' from {spelled}; this opens every port to the internet."]
    if exposed is None:
        return [f"portRange is -1/-1 from {spelled}; this opens every port to the internet."]
    return [f"portRange {get(props, 'portRange')} from {spelled} exposes admin port(s) "
            f"{', '.join(map(str, sorted(exposed)))}."]


def _group_of(rule: StackResource) -> Any:
    """The security group a rule belongs to: its id when known, else what its id is computed from."""
    group = rule.props.get("securityGroupId")
    if isinstance(group, str) and not is_unknown(group):
        return group
    return tuple(rule.property_dependencies.get("securityGroupId") or ()) or rule.parent


def check_open_admin_ports_union(resources: Sequence[StackResource], config: Mapping[str, Any]
                                 ) -> list[tuple[str, str | None]]:
    """sg-no-open-admin-ports over a group's rules together: two /1 rules are the whole internet too."""
    ports = _admin_ports(config)
    groups: dict[Any, list[tuple[StackResource, tuple]]] = {}
    for r in resources:
        if r.type != SECURITY_GROUP_RULE:
            continue
        try:
            exposure = _exposure(r.props, ports)
        except Unknown:
            continue
        if exposure is not None and exposure[1].prefixlen != 0:  # one open rule alone: the resource policy's
            groups.setdefault(_group_of(r), []).append((r, exposure))
    findings: list[tuple[str, str | None]] = []
    for rules in groups.values():
        for protocol in ("tcp", "udp"):
            for version, size in ((4, 2**32), (6, 2**128)):
                open_ports = []
                for port in ports:
                    nets = [e[1] for _r, e in rules if e[1].version == version and e[0] in (protocol, "all")
                            and (e[2] is None or port in e[2])]
                    if nets and sum(n.num_addresses for n in ipaddress.collapse_addresses(nets)) == size:
                        open_ports.append(port)
                if open_ports:
                    names = sorted(r.name for r, e in rules if e[1].version == version)
                    shown = ", ".join(f"`{n}`" for n in names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6
                                                                     else "")
                    findings.append((f"rules {shown} together accept {protocol} admin port(s) "
                                     f"{', '.join(map(str, open_ports))} from every IPv{version} address (their CIDRs "
                                     f"cover {'0.0.0.0/0' if version == 4 else '::/0'}).", rules[0][0].urn))
    return findings


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

_ADMIN_PORTS_SCHEMA = {
    "type": "array",
    "items": {"type": "integer"},
    "default": [22, 3389],
    "description": "Ports that must never be reachable from 0.0.0.0/0.",
}
SG_NO_OPEN_ADMIN_PORTS_COMBINED = AckStackPolicy(
    name="sg-no-open-admin-ports-combined",
    description="A security group's rules together must not open admin ports to every address "
                "(e.g. 0.0.0.0/1 plus 128.0.0.0/1).",
    enforcement_level=EnforcementLevel.ADVISORY,
    check=check_open_admin_ports_union,
    config_schema=_schema(adminPorts=dict(_ADMIN_PORTS_SCHEMA)),
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
STACK_POLICIES = [SG_NO_OPEN_ADMIN_PORTS_COMBINED]
