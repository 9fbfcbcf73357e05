"""What the cloud or the API server would reject only during `pulumi up`, checked before registration.

Node-pool labels and taints (K8S004-K8S006), ECS tags (TAG001-TAG002), CIDR spelling (NET020), zones of
the configured region (NET021). Each of these passes the typed config and fails halfway through an `up`,
after the VPC and the cluster exist.
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from components.netmath import parse_ipv4_network
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule
from components.validation.rules_k8s_names import SOURCE as K8S_SOURCE
from components.validation.rules_k8s_names import label_key_problem, label_value_problem

OWN_TAG_COUNT = len((C.OWN_TAG_ENVIRONMENT, C.OWN_TAG_ROLE))  # the most ackstack adds to one resource
TAG_SOURCE = ("ECS API TagResources (Tag.N: N 1..20; key up to 128 characters, not `acs:`/`aliyun`-prefixed, "
              "no http(s)://; value up to 128 characters)")
# Dotted quad, '/', a prefix length in decimal without leading zeros: what VPC and ECS APIs document as CIDR.


@rule("K8S004", "error", "Node-pool labels use Kubernetes label syntax",
      "ACK applies node-pool labels to every node; the API server rejects an invalid key or value, after the node "
      "pool was created.", K8S_SOURCE)
def node_pool_labels(plan: NetworkPlan) -> Iterator[Finding]:
    for index, pool in enumerate(plan.config.cluster.node_pools):
        for key, value in pool.labels.items():
            path = config_path("cluster", "nodePools", index, "labels", key)
            if problem := label_key_problem(key):
                yield Finding("K8S004", "error", path, f"label key `{key}` {problem}")
            if problem := label_value_problem(value):
                yield Finding("K8S004", "error", path, f"label value `{value}` {problem}")


@rule("K8S005", "error", "Node-pool taints use Kubernetes taint syntax",
      "A taint key is a qualified name and its value a label value; the API server rejects anything else.",
      K8S_SOURCE + "; Taints and Tolerations")
def node_pool_taints(plan: NetworkPlan) -> Iterator[Finding]:
    for index, pool in enumerate(plan.config.cluster.node_pools):
        for t_index, taint in enumerate(pool.taints):
            base = ("cluster", "nodePools", index, "taints", t_index)
            if problem := label_key_problem(taint.key):
                yield Finding("K8S005", "error", config_path(*base, "key"), f"taint key `{taint.key}` {problem}")
            if problem := label_value_problem(taint.value):
                yield Finding("K8S005", "error", config_path(*base, "value"), f"taint value `{taint.value}` {problem}")


@rule("K8S006", "error", "Node-pool taints are unique by key and effect",
      "The API server rejects a node whose taints repeat a key/effect pair.",
      "Kubernetes API validation of Node spec.taints (\"taints must be unique by key and effect pair\")")
def node_pool_taints_unique(plan: NetworkPlan) -> Iterator[Finding]:
    for index, pool in enumerate(plan.config.cluster.node_pools):
        seen: set[tuple[str, str]] = set()
        for t_index, taint in enumerate(pool.taints):
            pair = (taint.key, taint.effect)
            if pair in seen:
                yield Finding("K8S006", "error", config_path("cluster", "nodePools", index, "taints", t_index),
                              f"taint `{taint.key}:{taint.effect}` is listed twice; key and effect must be unique")
            seen.add(pair)


@rule("TAG001", "error", "Tags fit ECS's tag rules",
      "VPC, vSwitch, security group, cluster and node pool creation fail on a tag ECS rejects.", TAG_SOURCE)
def tag_rules(plan: NetworkPlan) -> Iterator[Finding]:
    tags = plan.config.environment.tags
    for key, value in tags.items():
        path = config_path("environment", "tags", key)
        if not key:
            yield Finding("TAG001", "error", path, "tag key is empty")
        if len(key) > C.ECS_TAG_KEY_MAX:
            yield Finding("TAG001", "error", path, f"tag key is {len(key)} characters; at most {C.ECS_TAG_KEY_MAX}")
        if key.startswith(C.ECS_TAG_KEY_RESERVED_PREFIXES):
            yield Finding("TAG001", "error", path, f"tag key `{key[:40]}` starts with a reserved prefix "
                          f"({', '.join(C.ECS_TAG_KEY_RESERVED_PREFIXES)})")
        if len(value) > C.ECS_TAG_VALUE_MAX:
            yield Finding("TAG001", "error", path,
                          f"tag value is {len(value)} characters; at most {C.ECS_TAG_VALUE_MAX}")
        for text, what in ((key, "key"), (value, "value")):
            if any(bad in text for bad in C.ECS_TAG_FORBIDDEN_TEXT):
                yield Finding("TAG001", "error", path, f"tag {what} contains "
                              f"{' or '.join(C.ECS_TAG_FORBIDDEN_TEXT)}, which ECS refuses")


@rule("TAG002", "error", "At most 20 tags per resource, ackstack's own included",
      "ackstack adds its own tags (`ackstack:environment`, and `ackstack:role` on vSwitches) to the stack's tags.",
      TAG_SOURCE)
def tag_count(plan: NetworkPlan) -> Iterator[Finding]:
    tags = plan.config.environment.tags
    allowed = C.ECS_MAX_TAGS - OWN_TAG_COUNT
    if len(tags) > allowed:
        yield Finding("TAG002", "error", config_path("environment", "tags"),
                      f"{len(tags)} tags; at most {allowed} (ECS allows {C.ECS_MAX_TAGS} per resource and ackstack "
                      f"adds {OWN_TAG_COUNT})")


def _cidr_fields(plan: NetworkPlan) -> Iterator[tuple[str, str]]:
    config = plan.config
    if config.network.vpc.cidr:
        yield config_path("network", "vpc", "cidr"), config.network.vpc.cidr
    for index, vsw in enumerate(config.network.vswitches):
        if vsw.cidr:
            yield config_path("network", "vswitches", index, "cidr"), vsw.cidr
    for g_index, group in enumerate(config.network.security_groups):
        for r_index, sg_rule in enumerate(group.rules):
            yield config_path("network", "securityGroups", g_index, "rules", r_index, "cidr"), sg_rule.cidr
    if config.cluster.service_cidr:
        yield config_path("cluster", "serviceCidr"), config.cluster.service_cidr
    if config.is_byocni:
        yield config_path("cni", "podCidr"), config.cni.pod_cidr


@rule("NET020", "error", "CIDRs are written as address/prefix-length",
      "Python reads `10.0.0.0/255.0.0.0` and `10.0.0.0/08` as CIDRs; the VPC and ECS APIs take "
      "`<IPv4>/<0-32>` only, so the plan would be checked against a block the cloud then refuses.",
      "VPC API CreateVSwitch / ECS API AuthorizeSecurityGroup (CidrBlock, SourceCidrIp: CIDR notation); the spelling "
      "is Go's net/netip.ParsePrefix (components/netmath.py, checked against it by tests/test_oracle_goparse.py)")
def cidr_spelling(plan: NetworkPlan) -> Iterator[Finding]:
    for path, cidr in _cidr_fields(plan):
        try:
            parse_ipv4_network(cidr)
        except ValueError:
            yield Finding("NET020", "error", path, f"`{cidr}` is not written as <IPv4 address>/<prefix length "
                          "0-32> (no netmask, no leading zeros, no spaces)")


@rule("NET021", "error", "Zones belong to the configured region",
      "A zone id is `<region>-<letter>`; a zone of another region is refused when the vSwitch or node pool is "
      "created.", "Alibaba Cloud docs: Regions and zones (zone ids are the region id plus a zone suffix)")
def zones_in_region(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    prefix = f"{config.region}-"

    def foreign(zone: str) -> bool:
        return not (zone.startswith(prefix) and zone[len(prefix):].isalnum() and zone[len(prefix):].isascii())

    for index, vsw in enumerate(config.network.vswitches):
        if vsw.zone_id is not None and foreign(vsw.zone_id):
            yield Finding("NET021", "error", config_path("network", "vswitches", index, "zoneId"),
                          f"zone `{vsw.zone_id}` is not a zone of region {config.region}")
    for index, pool in enumerate(config.cluster.node_pools):
        for z_index, zone in enumerate(pool.zones):
            if foreign(zone):
                yield Finding("NET021", "error", config_path("cluster", "nodePools", index, "zones", z_index),
                              f"zone `{zone}` is not a zone of region {config.region}")


RULES = (node_pool_labels, node_pool_taints, node_pool_taints_unique, tag_rules, tag_count, cidr_spelling,
         zones_in_region)
