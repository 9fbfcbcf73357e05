"""TWY: Terway Trunk ENI: ENI security groups, pod vSwitches, trunk support, trunking defaults, Terway versions,
and the adopted cluster (eni-config, add-on versions, token, upgrade window).
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from ackstack_core import terway_webhook as W
from ackstack_core.podnetworking_checks import security_group_count_verdict
from ackstack_core.terway_webhook import parse_eni_conf, parse_version, security_group_limit
from components.plan import NetworkPlan
from components.podnetworking import worker_zones
from components.validation.findings import Finding, config_path, rule

SEED = "ACK docs: Configure a static IP address, a separate vSwitch and security group for each pod (ACK guide)"


def terway_eniip_version(plan: NetworkPlan) -> tuple[str | None, str]:
    """(version, where it comes from): cni.version (ackstack installs or upgrades to it) else, on an adopted
    cluster, its installed terway-eniip add-on; (None, ...) when neither is known."""
    if plan.config.is_terway and plan.config.cni.version:
        return plan.config.cni.version, "cni.version"
    addons = (plan.existing_cluster or {}).get("addons") or {}
    return addons.get(C.ADDON_TERWAY_ENIIP), "the cluster's terway-eniip add-on"


def _eni_group_verdict(plan: NetworkPlan) -> tuple[str, str] | None:
    """The verdict on the groups every Terway ENI gets (the eni-config union), for TWY001 / TWY025."""
    version, _ = terway_eniip_version(plan)
    limit = security_group_limit(version, reader="daemon")
    what = (f"terway-eniip {version or 'unpinned (newest modelled line)'} (eni_conf: types/daemon/config.go Validate "
            f"counts `security_groups`, terway-controlplane's dynamicconfig.go the union with `security_group`)")
    return security_group_count_verdict(plan.eni_security_groups(), limit,
                                        plan.config.capacity.max_security_groups_per_eni, what)


@rule("TWY001", "error", "Cluster ENI security groups: between 1 and the per-ENI quota and Terway's limit",
      "Every ENI Terway creates gets eni-config's union of `security_group` and `security_groups`. ECS attaches at "
      "most 5 groups to one ENI unless the account's quota was raised (capacity.maxSecurityGroupsPerEni declares "
      "it); terway-eniip refuses more than 5 `security_groups` up to v1.13.4, 10 from v1.13.7 (Terway pods stop), "
      "and terway-controlplane the same number for the union.",
      "ECS limits (security groups per ENI); AliyunContainerService/terway types/daemon/config.go Validate "
      "(v1.12.1:110, v1.13.4:116, v1.13.7:117, v1.17.5:147), GetSecurityGroups (v1.17.5:84-91), "
      "types/daemon/dynamicconfig.go:62-65 (v1.17.5); " + SEED)
def eni_security_group_count(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    verdict = _eni_group_verdict(plan)
    if verdict is not None and verdict[0] == "error":
        yield Finding("TWY001", "error", config_path("cni", "eniSecurityGroups"), verdict[1])


@rule("TWY025", "warning", "Cluster ENI security groups beyond 5 rely on a declared ECS quota raise",
      "ECS attaches 5 groups to one ENI by default; more works only if the account's quota was raised, which no API "
      "tells ackstack, so it is stated (capacity.maxSecurityGroupsPerEni) and named here.",
      "ECS FAQ security group limits (5 per ENI by default, raisable); AliyunContainerService/terway "
      "types/daemon/config.go:84-91 (v1.17.5, the union every ENI gets)")
def eni_security_group_quota(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    verdict = _eni_group_verdict(plan)
    if verdict is not None and verdict[0] == "warning":
        yield Finding("TWY025", "warning", config_path("cni", "eniSecurityGroups"), verdict[1])


@rule("TWY002", "error", "Cluster ENI security groups are all one type",
      "Basic and enterprise (advanced) security groups cannot be attached to the same ENI.",
      "ECS docs: Basic and advanced security groups")
def eni_security_group_types(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    yield from mixed_types(plan, plan.eni_security_groups(), config_path("cni", "eniSecurityGroups"), "TWY002",
                           "the cluster's ENIs")


def mixed_types(plan: NetworkPlan, refs: list[str], path: str, rule_id: str, what: str) -> Iterator[Finding]:
    types: dict[str, list[str]] = {}
    for ref in refs:
        fact = plan.security_group(ref)
        if fact is not None:
            types.setdefault(fact.type, []).append(ref)
    if len(types) > 1:
        listed = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in sorted(types.items()))
        yield Finding(rule_id, "error", path,
                      f"security groups for {what} mix types ({listed}); one ENI takes only one type, "
                      f"basic or enterprise")


@rule("TWY003", "error", "Pod vSwitches cover every worker zone",
      "Terway allocates pod IPs from the pod vSwitch of the node's zone; a zone without one gets no pod IPs.",
      "ACK docs: Create an ACK managed cluster (Terway pod vSwitches); CreateCluster pod_vswitch_ids")
def pod_vswitch_zones(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway or plan.config.cluster.existing is not None:
        return
    pod_zones = {v.zone_id for v in plan.by_role("pod")}
    for zone in sorted(worker_zones(plan) - pod_zones):
        pools = [p.name for p in plan.config.cluster.node_pools if zone in p.zones]
        yield Finding("TWY003", "error", config_path("network", "vswitches"),
                      f"worker zone {zone} (node pools: {', '.join(pools)}) has no vSwitch with role `pod`; "
                      f"podVswitchIds must cover every worker zone "
                      f"(pod vSwitch zones: {', '.join(sorted(z for z in pod_zones if z)) or 'none'})")


@rule("TWY004", "error", "Pod and node vSwitches are distinct",
      "Pod IPs and node IPs drawn from one vSwitch exhaust each other and defeat per-role sizing.",
      "ACK docs: Plan the network of an ACK managed cluster (Terway: separate pod vSwitches)")
def pod_node_distinct(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    node_ids = {v.id: v for v in plan.by_role("node") if v.id}
    for fact in plan.vswitches.values():
        if fact.role in ("pod", "podnetworking") and fact.id and fact.id in node_ids:
            yield Finding("TWY004", "error", f"{fact.path}.id",
                          f"vSwitch {fact.id} is used both as `{fact.role}` vSwitch `{fact.key}` and as node "
                          f"vSwitch `{node_ids[fact.id].key}`; pod and node vSwitches must be distinct")


def _family(instance_type: str) -> str:
    parts = instance_type.split(".")
    return parts[1] if len(parts) >= 3 else ""


def trunk_support_verified(plan: NetworkPlan, instance_type: str) -> bool:
    """A figure counts as verified when it was read from a source or declared in capacity.instanceTypes."""
    return instance_type in plan.config.capacity.instance_types or instance_type in C.INSTANCE_TYPES_VERIFIED


def trunk_support(plan: NetworkPlan, instance_type: str) -> bool | None:
    """True / False when known (table or capacity.instanceTypes override), None when unknown."""
    facts = plan.instance_types.get(instance_type)
    if facts is not None:
        return facts.trunk_supported
    family = _family(instance_type)
    if family in C.TRUNK_UNSUPPORTED_FAMILIES:
        return False
    if family in C.TRUNK_CAPABLE_FAMILIES:
        return True
    return None


@rule("TWY005", "error", "Node pool instance types support Trunk ENI (verified figures)",
      "Pods matched by a PodNetworking need a trunk ENI on their node; other types leave them Pending. Only a "
      "verified figure (source or capacity.instanceTypes) is an error; an unverified one is TWY006.",
      "ECS DescribeInstanceTypes EniTrunkSupported; " + SEED + "; table in policies/ackstack_core/constants.py")
def trunk_unsupported_types(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    for index, pool in enumerate(plan.config.cluster.node_pools):
        for type_index, name in enumerate(pool.instance_types):
            if trunk_support(plan, name) is False and trunk_support_verified(plan, name):
                yield Finding("TWY005", "error", config_path("cluster", "nodePools", index, "instanceTypes", type_index),
                              f"{name} (node pool `{pool.name}`) does not support Trunk ENI "
                              f"(EniTrunkSupported=false); use a trunk-capable family such as "
                              f"{', '.join(C.TRUNK_CAPABLE_FAMILIES)}")


@rule("TWY006", "warning", "Node pool instance types with unknown or unverified Trunk ENI support",
      "No invoke tells trunk support; ackstack keeps a table and cannot vouch for types outside it, nor for "
      "entries marked unverified in it.",
      "ECS DescribeInstanceTypes EniTrunkSupported; table in policies/ackstack_core/constants.py")
def trunk_unknown_types(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    for index, pool in enumerate(plan.config.cluster.node_pools):
        for type_index, name in enumerate(pool.instance_types):
            support = trunk_support(plan, name)
            if support is False and not trunk_support_verified(plan, name):
                yield Finding("TWY006", "warning", config_path("cluster", "nodePools", index, "instanceTypes", type_index),
                              f"{name} (node pool `{pool.name}`) is listed by ackstack as without Trunk ENI "
                              f"support, but that figure is unverified; check `aliyun ecs DescribeInstanceTypes "
                              f"--InstanceTypes.1 {name}` for EniTrunkSupported and declare it in "
                              f"capacity.instanceTypes (trunk-capable families: {', '.join(C.TRUNK_CAPABLE_FAMILIES)})")
            elif support is None:
                yield Finding("TWY006", "warning", config_path("cluster", "nodePools", index, "instanceTypes", type_index),
                              f"trunk support of {name} (node pool `{pool.name}`) is unknown to ackstack (known "
                              f"trunk-capable families: {', '.join(C.TRUNK_CAPABLE_FAMILIES)}); check "
                              f"`aliyun ecs DescribeInstanceTypes --InstanceTypes.1 {name}` for EniTrunkSupported "
                              f"and declare it in capacity.instanceTypes")


def _minor_text(minor: tuple[int, int]) -> str:
    return f"{minor[0]}.{minor[1]}"


@rule("TWY007", "error", "Below Kubernetes 1.31, trunking is turned on explicitly",
      "Trunk ENI is on by default only from 1.31; below it, a cluster without it cannot run PodNetworkings.",
      SEED + " (note: default on for managed clusters from 1.31)")
def trunking_below_default(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if not config.is_terway or config.cni.trunking:
        return
    minor = config.cluster.k8s_minor
    if minor < C.TRUNK_DEFAULT_FROM_K8S:
        yield Finding("TWY007", "error", config_path("cni", "trunking"),
                      f"trunking is false on Kubernetes {config.cluster.kubernetes_version}; below "
                      f"{_minor_text(C.TRUNK_DEFAULT_FROM_K8S)} Trunk ENI is off unless turned on explicitly "
                      f"(set trunking: true), and terway-trunk mode needs it")


@rule("TWY008", "warning", "From Kubernetes 1.31, ACK turns trunking on anyway",
      "`trunking: false` does not keep Trunk ENI off on 1.31+, and it cannot be turned off once on.",
      SEED + " (note: default on from 1.31; cannot be disabled)")
def trunking_default_on(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if not config.is_terway or config.cni.trunking:
        return
    minor = config.cluster.k8s_minor
    if minor >= C.TRUNK_DEFAULT_FROM_K8S:
        yield Finding("TWY008", "warning", config_path("cni", "trunking"),
                      f"trunking is false on Kubernetes {config.cluster.kubernetes_version}; from "
                      f"{_minor_text(C.TRUNK_DEFAULT_FROM_K8S)} ACK enables Trunk ENI on managed clusters by default "
                      f"and it cannot be turned off, so this setting has no effect")


@rule("TWY009", "error", "Adopted cluster: Terway mode, trunking on, current eni_conf given",
      "eni_conf is one JSON string; patching two keys means re-sending the rest, which must be known.",
      SEED + " (enable Trunk ENI on an existing cluster: edit eni-config, do not modify other parameters)")
def existing_cluster_inputs(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    existing = config.cluster.existing
    if existing is None:
        return
    if not config.is_terway:
        yield Finding("TWY009", "error", config_path("cni", "mode"),
                      f"cluster.existing is set with cni.mode `{config.cni.mode}`; adopting a cluster is supported "
                      f"only to turn on Terway Trunk ENI (mode terway-trunk)")
        return
    if not config.cni.trunking:
        yield Finding("TWY009", "error", config_path("cni", "trunking"),
                      "trunking is false, but adopting a cluster exists to turn Trunk ENI on; set trunking: true")
    path = config_path("cluster", "existing", "eniConf")
    raw = existing.eni_conf
    if raw is None:
        yield Finding("TWY009", "error", path,
                      "eniConf is missing; copy the current value of "
                      "`kubectl -n kube-system get cm eni-config -o jsonpath='{.data.eni_conf}'` so that only "
                      f"{C.ENI_CONF_TRUNKING_KEY} and {C.ENI_CONF_CREDENTIAL_PATH_KEY} change")
        return
    if isinstance(raw, str):
        _, problem = parse_eni_conf(raw)
        if problem:
            yield Finding("TWY009", "error", path, f"eniConf is {problem}")
            return
    elif not raw:
        yield Finding("TWY009", "error", path, "eniConf is empty; an eni-config without keys is not a Terway config")


@rule("TWY010", "error", "Terway version supports the fields ackstack always sends",
      "PodNetworkings always carry eniOptions and vSwitchSelectOptions, which need Terway v1.11.0 or newer.",
      SEED + " (eniOptions / vSwitchSelectOptions: supported from Terway v1.11.0)")
def terway_version(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if not config.is_terway:
        return
    # VER001 covers entries that set both fields themselves; this is about the ones ackstack fills in.
    implicit = [pn.name for pn in config.pod_networkings
                if pn.eni_options is None or pn.v_switch_select_options is None]
    if not implicit:
        return
    minimum = C.TERWAY_MIN_VERSION_ENI_OPTIONS
    for key, value in (("version", config.cni.version), ("controlplaneVersion", config.cni.controlplane_version)):
        parsed = parse_version(value)
        if parsed is not None and parsed < minimum:
            yield Finding("TWY010", "error", config_path("cni", key),
                          f"Terway {value} is older than v{'.'.join(map(str, minimum))}, the first version that "
                          f"accepts PodNetworking eniOptions and vSwitchSelectOptions; ackstack always sends both "
                          f"(defaults eniType Default, vSwitchSelectionPolicy ordered) for {', '.join(implicit)}")


@rule("TWY020", "error", "Adopted cluster is ACK managed Pro, in the configured VPC",
      "Trunk ENI with terway-controlplane is supported on managed clusters; PodNetworking vSwitches must be in the "
      "cluster's VPC.",
      SEED + " (supported cluster types); ACK DescribeClusters")
def existing_cluster_matches(plan: NetworkPlan) -> Iterator[Finding]:
    existing, found = plan.config.cluster.existing, plan.existing_cluster
    if existing is None or found is None:  # a missing cluster is NET015
        return
    path = config_path("cluster", "existing", "clusterId")
    spec = found.get("clusterSpec") or ""
    if not spec.startswith(C.CLUSTER_SPEC_PRO_PREFIX):
        yield Finding("TWY020", "error", path, f"cluster {existing.cluster_id} has clusterSpec `{spec}`; ackstack "
                                                 f"adopts only ACK managed Pro clusters ({C.CLUSTER_SPEC_PRO_PREFIX}*)")
    if plan.vpc_id and found.get("vpcId") and found["vpcId"] != plan.vpc_id:
        yield Finding("TWY020", "error", path, f"cluster {existing.cluster_id} is in VPC {found['vpcId']}, but "
                                                 f"network.vpc.id is {plan.vpc_id}")


def _adopted(plan: NetworkPlan) -> bool:
    return plan.config.cluster.existing is not None and plan.config.is_terway and plan.existing_cluster is not None


@rule("TWY021", "error", "Adopted cluster: terway-eniip is known and new enough for what ackstack sends",
      "The ACK guide upgrades terway-eniip first; PodNetworkings carry eniOptions / vSwitchSelectOptions, which CRDs "
      "before v1.11.0 lack (silently pruned).",
      SEED + " (step: upgrade terway-eniip); AliyunContainerService/terway pkg/apis/crds/"
      "network.alibabacloud.com_podnetworkings.yaml (no eniOptions at v1.10.0, present at v1.11.5)")
def eniip_version(plan: NetworkPlan) -> Iterator[Finding]:
    if not _adopted(plan):
        return
    version, where = terway_eniip_version(plan)
    path = config_path("cni", "version")
    parsed = W.parse_version(version)
    minimum = C.TERWAY_MIN_VERSION_ENI_OPTIONS
    if parsed is None:
        yield Finding("TWY021", "error", path,
                      f"terway-eniip's version in cluster {plan.config.cluster.existing.cluster_id} is unknown "
                      f"(no add-on version reported); set cni.version (at least v{'.'.join(map(str, minimum))}) so "
                      f"ackstack upgrades terway-eniip to it before anything else, as the ACK guide does")
    elif parsed < minimum:
        yield Finding("TWY021", "error", path,
                      f"terway-eniip {version} ({where}) is older than v{'.'.join(map(str, minimum))}, whose "
                      f"PodNetworking CRD is the first with eniOptions and vSwitchSelectOptions; set cni.version "
                      f"to a newer release")
    installed_addons = plan.existing_cluster.get("addons") or {}
    for addon, key, wanted in ((C.ADDON_TERWAY_ENIIP, "version", plan.config.cni.version),
                               (C.ADDON_TERWAY_CONTROLPLANE, "controlplaneVersion", plan.config.cni.controlplane_version)):
        installed = installed_addons.get(addon)
        parsed_wanted, parsed_installed = W.parse_version(wanted), W.parse_version(installed)
        if parsed_wanted is not None and parsed_installed is not None and parsed_wanted < parsed_installed:
            yield Finding("TWY021", "error", config_path("cni", key),
                          f"cni.{key} {wanted} is older than the {addon} {installed} cluster "
                          f"{plan.config.cluster.existing.cluster_id} runs: the provider's Create sends any different "
                          f"version to ACK as an upgrade of the running add-on ({C.ADDON_CREATE_ADOPTS_SOURCE}); set "
                          f"cni.{key} to {installed} or newer, or leave it unset to keep the installed one")


@rule("TWY022", "error", "Adopted cluster has the addon.network.token Secret",
      "credential_path points Terway at that Secret's token; without it trunking cannot work. Read from the "
      "inventory offline; the program reads the Secret before changing anything.",
      SEED + " (kubectl get secret -n kube-system addon.network.token)")
def network_token(plan: NetworkPlan) -> Iterator[Finding]:
    if not _adopted(plan):
        return
    secrets = plan.existing_cluster.get("secrets")
    if secrets is None:
        return  # not known from the cloud API: the program's Secret read decides
    wanted = f"{C.ADDON_NETWORK_TOKEN_NAMESPACE}/{C.ADDON_NETWORK_TOKEN_SECRET}"
    if wanted not in secrets:
        yield Finding("TWY022", "error", config_path("cluster", "existing", "clusterId"),
                      f"cluster {plan.config.cluster.existing.cluster_id} has no Secret {wanted}; a managed cluster "
                      f"needs it for Trunk ENI (credential_path {C.ENI_CONF_MANAGED_CREDENTIAL_PATH}); nothing was "
                      f"changed")


@rule("TWY023", "error", "Adopted cluster is declared managed",
      "ackstack adopts only ACK managed Pro clusters, which always need credential_path in eni_conf.",
      SEED + " (credential_path must be added on managed clusters)")
def declared_managed(plan: NetworkPlan) -> Iterator[Finding]:
    existing = plan.config.cluster.existing
    if existing is not None and (problem := declared_managed_problem(existing.managed)):
        yield Finding("TWY023", "error", config_path("cluster", "existing", "managed"), problem)


def declared_managed_problem(managed: bool) -> str | None:
    """TWY023 (also `ExistingTerwayCluster`'s entry point)."""
    if managed:
        return None
    return ("managed is false, but ackstack adopts only ACK managed Pro clusters (TWY020); set "
            f"managed: true (ackstack then always adds {C.ENI_CONF_CREDENTIAL_PATH_KEY})")


@rule("TWY024", "error", "Adopted eniConf passes Terway's own validation",
      "Terway refuses an eni_conf whose ip_stack is not ipv4/dual or with too many security_groups, and Go's JSON "
      "parser refuses NaN and Infinity: the patched ConfigMap would stop every Terway pod.",
      "AliyunContainerService/terway types/daemon/config.go Validate (v1.10.0:103-113, v1.13.7:109-120, "
      "v1.17.5:139-151)")
def eni_conf_valid(plan: NetworkPlan) -> Iterator[Finding]:
    existing = plan.config.cluster.existing
    if existing is None or existing.eni_conf is None or not plan.config.is_terway:
        return
    path = config_path("cluster", "existing", "eniConf")
    conf, problem = W.parse_eni_conf(existing.eni_conf)
    if problem:
        if isinstance(existing.eni_conf, dict):  # text is TWY009's
            yield Finding("TWY024", "error", path, f"eniConf: {problem}")
        return
    version, _ = terway_eniip_version(plan)
    # cni.eniSecurityGroups replaces `security_groups` in the patched eni_conf (merged_eni_conf); TWY001 counts it.
    replaced = {C.ENI_CONF_SECURITY_GROUPS_KEY} if getattr(plan.config.cni, "eni_security_groups", None) else set()
    for key, message in eni_conf_problems(conf, version, replaced):
        yield Finding("TWY024", "error", f"{path}.{key}", message)


def eni_conf_problems(conf: dict, version: str | None, replaced: set[str]) -> Iterator[tuple[str, str]]:
    """TWY024 on a parsed eni_conf: (key, message), leaving out keys ackstack replaces (also
    `ExistingTerwayCluster`'s entry point)."""
    for key, message in W.eni_conf_problems(conf, version):
        if key not in replaced:
            yield key, f"eniConf `{key}`: {message}"


# What to do about the window (one text for TWY026 and --compare's REP011): the day-2 command that proves a pod gets
# its PodNetworking again (ackstack/day2/canary.py).
UPGRADE_ADVICE = ("Upgrade when no pods are being created, then check with `ackstack verify <stack> --kubeconfig "
                  "<kubeconfig> --outputs <outputs.json> --canary` (docs/operations.md)")


def upgrade_window_message(hooks: W.WebhookConfigurations) -> str:
    """What pods meet while terway-controlplane restarts, by its pod webhook's failurePolicy (one text for the
    rule and for --compare's REP011)."""
    if not hooks.pod_webhook:
        return "no pod webhook is registered, so no pod gets a PodNetworking at all"
    if hooks.pod_failure_policy == "Ignore":
        return ("its pod webhook has failurePolicy Ignore, so pods created while it restarts are admitted without it "
                "and silently keep the shared ENI (no PodNetworking, no static IP, no own security groups) until "
                "they are recreated")
    return (f"its pod webhook has failurePolicy {hooks.pod_failure_policy}, so pod creation in the namespaces it "
            "selects fails while it restarts")


@rule("TWY026", "warning", "Upgrading terway-controlplane while PodNetworkings are in use",
      "The pod webhook is how a pod gets its PodNetworking; the chart registers it with failurePolicy Ignore, so pods "
      "created while terway-controlplane restarts keep the shared ENI without any error.",
      "AliyunContainerService/terway v1.17.5 charts/terway/values.yaml:99 (webhookFailurePolicy: Ignore), "
      "charts/terway/templates/terway-controlplane/webhook.yaml:33; an adopted cluster's own registration when the "
      "inventory gives it")
def controlplane_upgrade_window(plan: NetworkPlan) -> Iterator[Finding]:
    if not _adopted(plan) or not plan.config.pod_networkings:
        return
    pinned = plan.config.cni.controlplane_version
    installed = ((plan.existing_cluster or {}).get("addons") or {}).get(C.ADDON_TERWAY_CONTROLPLANE)
    new, old = W.parse_version(pinned), W.parse_version(installed)
    if new is None or old is None or new <= old:
        return
    hooks = plan.webhooks()
    yield Finding("TWY026", "warning", config_path("cni", "controlplaneVersion"),
                  f"this change upgrades terway-controlplane {installed} -> {pinned} while {len(plan.config.pod_networkings)} "
                  f"PodNetworking(s) are in use: {upgrade_window_message(hooks)} ({hooks.source}). {UPGRADE_ADVICE}")


RULES = (
    eni_security_group_count,
    eni_security_group_quota,
    eni_security_group_types,
    pod_vswitch_zones,
    pod_node_distinct,
    trunk_unsupported_types,
    trunk_unknown_types,
    trunking_below_default,
    trunking_default_on,
    existing_cluster_inputs,
    existing_cluster_matches,
    terway_version,
    eniip_version,
    network_token,
    declared_managed,
    eni_conf_valid,
    controlplane_upgrade_window,
)
