"""Parity with Alibaba Cloud InfraGuard's ACK / ECS rules (aliyun/infraguard, INFRAGUARD_COMMIT).

Same intent, written against what ackstack registers (pulumi-alicloud input names). Each policy's
description starts with its id (IGD0xx) and the InfraGuard rule it mirrors; docs/policies.md maps every
InfraGuard ACK/ECS rule to a policy here, to an existing one, or says why it does not apply.
Hygiene-style: advisory; `policies/config.prod.json` makes them mandatory on prod (except IGD002 and the
stack policy IGD011, advisory everywhere).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from ackstack_core import constants as C
from ackstack_core.cluster_checks import kubernetes_version_problem

from ._common import AckResourcePolicy, AckStackPolicy, StackResource, get, is_unknown, skip_unknown
from .hygiene import _hygiene, _port_range
from .types_ import MANAGED_KUBERNETES, NODE_POOL, SECURITY_GROUP, SECURITY_GROUP_RULE, VSWITCH

_CIDR_LIST = {"type": "array", "items": {"type": "string"}}


@skip_unknown
def check_secrets_encryption(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Kubernetes Secrets (kubeconfigs, tokens) encrypted at rest with a KMS key."""
    spec = get(props, "clusterSpec")
    if isinstance(spec, str) and spec.startswith(C.CLUSTER_SPEC_PRO_PREFIX) and not get(props, "encryptionProviderKey"):
        return ["IGD001: encryptionProviderKey is not set; set `cluster.secretsEncryptionKmsKeyId` so Secrets are "
                "encrypted at rest with KMS."]
    return []


@skip_unknown
def check_log_service_addon(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Container logs collected by Log Service (the `logtail-ds` add-on)."""
    names = [a.get("name") for a in get(props, "addons") or [] if isinstance(a, Mapping) and not a.get("disabled")]
    if C.ADDON_LOG_SERVICE not in names:
        return [f"IGD002: addons do not include `{C.ADDON_LOG_SERVICE}`; container logs are not collected by "
                "Log Service (add it, or collect logs another way and disable this policy)."]
    return []


@skip_unknown
def check_supported_version(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """A Kubernetes version ACK still offers and supports (same check as rule CLU002)."""
    problem = kubernetes_version_problem(get(props, "version"))
    return [f"IGD004: version {problem}"] if problem else []


def _ingress_accept(props: Mapping[str, Any]) -> bool:
    return (str(get(props, "type") or "").lower() == "ingress"
            and str(get(props, "policy") or "accept").lower() == "accept")


def _is_internet(cidr: str) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    if network.version == 6:
        return not (network.is_private or network.is_link_local or network.is_loopback)
    return not any(network.subnet_of(ipaddress.ip_network(p)) for p in C.NON_INTERNET_CIDRS)


def _exempt(cidr: str, config: Mapping[str, Any]) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
        return any(network.version == e.version and network.subnet_of(e)
                   for e in (ipaddress.ip_network(str(x), strict=False) for x in config.get("exemptCidrs") or []))
    except ValueError:
        return False


@skip_unknown
def check_internet_ingress(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """No accept rule admits a source on the internet (outside private / CGNAT ranges)."""
    cidr = get(props, "cidrIp") or get(props, "ipv6CidrIp")
    if not _ingress_accept(props) or not isinstance(cidr, str) or not _is_internet(cidr) or _exempt(cidr, config):
        return []
    return [f"IGD005: cidrIp {cidr} admits the internet ({get(props, 'ipProtocol')} {get(props, 'portRange')}); "
            "restrict the source to private ranges, or list it in `exemptCidrs` if it is meant to be public."]


@skip_unknown
def check_risky_ports(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """InfraGuard's wider risky-port list (databases, telnet) from any internet source."""
    cidr = get(props, "cidrIp") or get(props, "ipv6CidrIp")
    if not _ingress_accept(props) or not isinstance(cidr, str) or not _is_internet(cidr):
        return []
    span = _port_range(get(props, "portRange") or "-1/-1")
    if span is None or span == (-1, -1) or str(get(props, "ipProtocol") or "").lower() not in {"tcp", "udp"}:
        return []  # all ports / all protocols: IGD006
    ports = [int(p) for p in config.get("riskyPorts") or []]
    exposed = [p for p in ports if span[0] <= p <= span[1]]
    if exposed:
        return [f"IGD010: portRange {get(props, 'portRange')} from {cidr} exposes risky port(s) "
                f"{', '.join(map(str, exposed))}."]
    return []


def _ack_required(props: Mapping[str, Any]) -> bool:
    """A cluster-group rule ackstack adds because ACK needs it (components/cluster_security.py)."""
    return str(get(props, "description") or "").startswith(C.ACK_REQUIRED_RULE_DESCRIPTION_PREFIX)


@skip_unknown
def check_all_ports_or_protocols(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """An ingress accept rule names its protocol and ports; "everything" hides what the group is for."""
    if not _ingress_accept(props) or _ack_required(props):
        return []
    cidr = str(get(props, "cidrIp") or get(props, "ipv6CidrIp") or "")
    if cidr and _exempt(cidr, config):
        return []
    protocol = str(get(props, "ipProtocol") or "").lower()
    port_range = str(get(props, "portRange") or "-1/-1")
    if protocol == "all":
        return [f"IGD006: ipProtocol is `all` from {cidr or 'any source'}; name the protocol and ports (or list the "
                "source in `exemptCidrs`)."]
    if port_range in C.ALL_PORTS_RANGES and protocol in {"tcp", "udp"}:
        return [f"IGD006: portRange {port_range} opens every {protocol} port from {cidr or 'any source'}."]
    return []


@skip_unknown
def check_egress_all_open(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Egress to everything on every port and protocol is what exfiltration needs."""
    if (str(get(props, "type") or "").lower() != "egress" or str(get(props, "policy") or "accept").lower() != "accept"
            or _ack_required(props)):
        return []
    cidr = get(props, "cidrIp") or get(props, "ipv6CidrIp")
    if (str(get(props, "ipProtocol") or "").lower() == "all" and str(get(props, "portRange") or "-1/-1") == "-1/-1"
            and cidr in ("0.0.0.0/0", "::/0")):
        return [f"IGD007: egress accepts all protocols and ports to {cidr}; restrict it to what workloads need."]
    return []


@skip_unknown
def check_enterprise_group(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Enterprise groups: more members, no intra-group interconnection by default."""
    kind = get(props, "securityGroupType") or "normal"
    if kind != C.ENTERPRISE_SECURITY_GROUP_TYPE:
        return [f"IGD008: securityGroupType is `{kind}`; use an enterprise security group "
                "(`network.securityGroups[].type: enterprise`)."]
    return []


@skip_unknown
def check_group_description(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """A description says what a group is for when someone audits it in the console."""
    if not str(get(props, "description") or "").strip():
        return ["IGD009: description is empty; say what the security group is for."]
    return []


@skip_unknown
def check_key_pair_login(props: Mapping[str, Any], config: Mapping[str, Any]) -> list[str]:
    """Nodes are logged in to with a key pair, never a password (no login at all is fine too)."""
    if (get(props, "password") or get(props, "kmsEncryptedPassword")) and not get(props, "keyName"):
        return ["IGD003: password is set and keyName is not; nodes accept password login. Use "
                "`cluster.nodePools[].keyName` (a key pair) instead of `nodePassword`."]
    return []


def check_nodes_multi_zone(resources: Sequence[StackResource], config: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """The cluster's node pools together reach at least `minZones` zones (their vSwitches' zones)."""
    zones = {r.urn: r.props.get("zoneId") for r in resources if r.type == VSWITCH}
    pools = [r for r in resources if r.type == NODE_POOL]
    if not pools:
        return []
    reached: set[str] = set()
    for pool in pools:
        for urn in pool.property_dependencies.get("vswitchIds", []):
            zone = zones.get(urn)
            if isinstance(zone, str) and zone and not is_unknown(zone):
                reached.add(zone)
            elif urn in zones:
                return []  # a zone unknown in preview: cannot tell
        if not pool.property_dependencies.get("vswitchIds"):
            return []  # adopted vSwitches only: their zones are not in the graph
    minimum = int(config.get("minZones") or C.MIN_NODE_ZONES)
    if len(reached) < minimum:
        clusters = [r for r in resources if r.type == MANAGED_KUBERNETES]
        return [(f"IGD011: node pools reach {len(reached)} zone(s) ({', '.join(sorted(reached))}); spread nodes over "
                 f"at least {minimum} zones so a zone outage leaves the cluster running.",
                 clusters[0].urn if clusters else pools[0].urn)]
    return []


ACK_SECRETS_ENCRYPTION = _hygiene(
    "ack-secrets-encryption",
    "IGD001 (InfraGuard ack-cluster-encryption-enabled): ACK Pro clusters encrypt Secrets with a KMS key "
    "(encryptionProviderKey).",
    [MANAGED_KUBERNETES], check_secrets_encryption,
)
ACK_LOG_SERVICE_ADDON = AckResourcePolicy(
    name="ack-log-service-addon",
    description=f"IGD002 (InfraGuard ack-cluster-log-plugin-installed): the `{C.ADDON_LOG_SERVICE}` add-on collects "
                "container logs into Log Service.",
    enforcement_level=EnforcementLevel.ADVISORY,
    resource_types=[MANAGED_KUBERNETES],
    check=check_log_service_addon,
)
NODEPOOL_KEY_PAIR_LOGIN = _hygiene(
    "nodepool-key-pair-login",
    "IGD003 (InfraGuard ecs-instance-login-use-keypair): node pools never allow password login.",
    [NODE_POOL], check_key_pair_login,
)
ACK_SUPPORTED_VERSION = _hygiene(
    "ack-supported-kubernetes-version",
    "IGD004 (InfraGuard ack-cluster-supported-version): the cluster runs a Kubernetes version ACK offers (rule CLU002).",
    [MANAGED_KUBERNETES], check_supported_version,
)
SG_NO_INTERNET_INGRESS = _hygiene(
    "sg-no-internet-ingress",
    "IGD005 (InfraGuard ecs-security-group-not-internet-cidr-access): no ingress accept rule from an internet source.",
    [SECURITY_GROUP_RULE], check_internet_ingress, exemptCidrs=_CIDR_LIST,
)
SG_NO_ALL_PORTS_OR_PROTOCOLS = _hygiene(
    "sg-no-all-ports-or-protocols",
    "IGD006 (InfraGuard ecs-security-group-not-open-all-port / -not-open-all-protocol / sg-public-access-check): "
    "ingress rules name their protocol and ports.",
    [SECURITY_GROUP_RULE], check_all_ports_or_protocols, exemptCidrs=_CIDR_LIST,
)
SG_EGRESS_NOT_ALL_OPEN = _hygiene(
    "sg-egress-not-all-open",
    "IGD007 (InfraGuard ecs-security-group-egress-not-all-access): no egress rule accepting everything to anywhere.",
    [SECURITY_GROUP_RULE], check_egress_all_open,
)
SG_ENTERPRISE_TYPE = _hygiene(
    "sg-enterprise-type",
    "IGD008 (InfraGuard ecs-security-group-type-not-normal): security groups are enterprise groups.",
    [SECURITY_GROUP], check_enterprise_group,
)
SG_DESCRIPTION = _hygiene(
    "sg-description",
    "IGD009 (InfraGuard ecs-security-group-description-required): security groups have a description.",
    [SECURITY_GROUP], check_group_description,
)
SG_NO_RISKY_PORTS = _hygiene(
    "sg-no-risky-ports",
    "IGD010 (InfraGuard sg-risky-ports-check / ecs-security-group-risky-ports-check-with-protocol): no risky port "
    "(SSH, telnet, RDP, databases) open to the internet.",
    [SECURITY_GROUP_RULE], check_risky_ports,
    riskyPorts={"type": "array", "items": {"type": "integer"}, "default": list(C.RISKY_PORTS)},
)
ACK_NODES_MULTI_ZONE = AckStackPolicy(
    name="ack-nodes-multi-zone",
    description="IGD011 (InfraGuard ack-cluster-node-multi-zone): node pools spread over at least `minZones` zones.",
    enforcement_level=EnforcementLevel.ADVISORY,
    check=check_nodes_multi_zone,
    config_schema=PolicyConfigSchema(properties={
        "minZones": {"type": "integer", "minimum": 1, "default": C.MIN_NODE_ZONES},
    }),
)

RESOURCE_POLICIES = [ACK_SECRETS_ENCRYPTION, ACK_LOG_SERVICE_ADDON, NODEPOOL_KEY_PAIR_LOGIN, ACK_SUPPORTED_VERSION,
                     SG_NO_INTERNET_INGRESS, SG_NO_ALL_PORTS_OR_PROTOCOLS, SG_EGRESS_NOT_ALL_OPEN, SG_ENTERPRISE_TYPE,
                     SG_DESCRIPTION, SG_NO_RISKY_PORTS]
STACK_POLICIES = [ACK_NODES_MULTI_ZONE]
