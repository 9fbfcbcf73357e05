"""PNW: PodNetworkings: security groups, vSwitches, release strategy, selectors, workload kinds, and what terway-
controlplane itself decides (its validating webhook, pod webhook and readiness,
`ackstack_core.terway_webhook`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ackstack_core import constants as C
from ackstack_core import terway_webhook as W
from ackstack_core.podnetworking_checks import (
    release_problems,
    security_group_count_verdict,
    zone_without_nodes_message,
    zones_without_nodes,
)
from ackstack_core.terway_webhook import (
    POD_OWNER_KIND,
    is_fixed_name_pod,
    security_group_limit,
)
from components.config import PodNetworkingConfig
from components.plan import NetworkPlan
from components.podnetworking import (
    effective_security_groups,
    effective_vswitches,
    namespace_labels,
    podnetworking_spec,
    selector_matches,
    worker_zones,
)
from components.validation.findings import Finding, config_path, rule
from components.validation.rules_twy import SEED, mixed_types


def terway_controlplane_version(plan: NetworkPlan) -> str | None:
    """The terway-controlplane whose webhook admits PodNetworkings: cni.controlplaneVersion, else on an adopted
    cluster the installed add-on (an unversioned KubernetesAddon leaves it as it is, C.ADDON_CREATE_ADOPTS_SOURCE);
    None (ACK installs its newest, modelled as the newest line) when neither is known."""
    if not plan.config.is_terway:
        return None
    if plan.config.cni.controlplane_version:
        return plan.config.cni.controlplane_version
    return ((plan.existing_cluster or {}).get("addons") or {}).get(C.ADDON_TERWAY_CONTROLPLANE) or None


def _entries(plan: NetworkPlan) -> Iterator[tuple[int, PodNetworkingConfig]]:
    if plan.config.is_terway:
        yield from enumerate(plan.config.pod_networkings)


def _p(index: int, *parts: str | int) -> str:
    return config_path("podNetworkings", index, *parts)


def _group_verdicts(plan: NetworkPlan) -> Iterator[tuple[int, PodNetworkingConfig, tuple[str, str]]]:
    version = terway_controlplane_version(plan)
    what = (f"terway-controlplane {version or 'unpinned (newest modelled line)'}'s validating webhook "
            f"(pkg/controller/webhook/validate.go)")
    limit = security_group_limit(version)
    for index, entry in _entries(plan):
        verdict = security_group_count_verdict(effective_security_groups(entry, plan), limit,
                                               plan.config.capacity.max_security_groups_per_eni, what)
        if verdict is not None:
            yield index, entry, verdict


def _group_source(entry: PodNetworkingConfig) -> str:
    return "" if entry.security_group_ids else " (defaulted from eni-config's groups)"


@rule("PNW001", "error", "PodNetworking security groups: between 1 and the limit of the webhook and the ENI quota",
      "terway-controlplane denies more than 5 (up to v1.13.4) or 10 (from v1.13.7); ECS allows 5 per ENI unless "
      "the account's quota was raised (declared in capacity.maxSecurityGroupsPerEni).",
      "AliyunContainerService/terway pkg/controller/webhook/validate.go:46 (v1.12.1, v1.13.4), :52 (v1.13.7), "
      ":53 (v1.17.5); ECS limits; " + SEED)
def security_group_count(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry, (level, message) in _group_verdicts(plan):
        if level == "error":
            yield Finding("PNW001", "error", _p(index, "securityGroupIDs"),
                          f"PodNetworking `{entry.name}`{_group_source(entry)}: {message}")


@rule("PNW020", "warning", "PodNetworking security groups beyond 5 rely on a declared ECS quota raise",
      "The member ENI takes every group; ECS allows 5 by default, more only with a raised quota, which no API tells "
      "ackstack: the stack states it (capacity.maxSecurityGroupsPerEni) and the warning names it.",
      "ECS FAQ security group limits (5 per ENI by default, raisable); " + SEED)
def security_group_quota(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry, (level, message) in _group_verdicts(plan):
        if level == "warning":
            yield Finding("PNW020", "warning", _p(index, "securityGroupIDs"),
                          f"PodNetworking `{entry.name}`{_group_source(entry)}: {message}")


@rule("PNW002", "error", "PodNetworking security groups are all one type",
      "Basic and enterprise (advanced) security groups cannot be attached to the same ENI.",
      "ECS docs: Basic and advanced security groups")
def security_group_types(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        yield from mixed_types(plan, effective_security_groups(entry, plan), _p(index, "securityGroupIDs"),
                               "PNW002", f"PodNetworking `{entry.name}`")


@rule("PNW003", "error", "PodNetworking references resolve",
      "A name that is not in network.* or an id that does not exist fails in the webhook or at ENI creation.",
      "ackstack design; ECS/VPC Describe APIs")
def references_resolve(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        for ref_index, ref in enumerate(entry.security_group_ids):
            if plan.security_group(ref) is None:
                yield Finding("PNW003", "error", _p(index, "securityGroupIDs", ref_index),
                              f"`{ref}` is not a security group in network.securityGroups "
                              f"(names: {', '.join(plan.security_groups) or 'none'}) nor an existing `sg-` id")
        for ref_index, ref in enumerate(entry.v_switch_options):
            if plan.vswitch(ref) is None and not ref.startswith("vsw-"):  # missing vsw- ids: NET010
                yield Finding("PNW003", "error", _p(index, "vSwitchOptions", ref_index),
                              f"`{ref}` is not a vSwitch in network.vswitches "
                              f"(names: {', '.join(k for k in plan.vswitches if not k.startswith('vsw-')) or 'none'}) "
                              f"nor an existing `vsw-` id")


def _release_findings(plan: NetworkPlan, rule_id: str) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        alloc = entry.allocation_type
        for found_id, key, message in release_problems(alloc.type, alloc.release_strategy, alloc.release_after):
            if found_id == rule_id:
                yield Finding(rule_id, "error", _p(index, "allocationType", key), message)


@rule("PNW004", "error", "releaseStrategy and releaseAfter only with type Fixed",
      "Elastic IPs are released with the pod; Terway ignores a release policy there, hiding a mistake.",
      SEED + " (releaseStrategy: only for Fixed)")
def release_needs_fixed(plan: NetworkPlan) -> Iterator[Finding]:
    return _release_findings(plan, "PNW004")


@rule("PNW005", "error", "releaseAfter only with releaseStrategy TTL, and TTL needs it",
      "Never keeps IPs forever; TTL without a duration is never released either (Terway cannot parse it).",
      SEED + " (releaseAfter: only for TTL); Terway pod ENI GC (time.ParseDuration)")
def release_after_needs_ttl(plan: NetworkPlan) -> Iterator[Finding]:
    return _release_findings(plan, "PNW005")


@rule("PNW006", "error", "releaseAfter is a Go duration of at least 5 minutes",
      "Terway parses it with Go's time.ParseDuration and enforces a 5 minute minimum.",
      SEED + " (Go duration, e.g. 2h45m or 5m0s; minimum 5 minutes)")
def release_after_duration(plan: NetworkPlan) -> Iterator[Finding]:
    return _release_findings(plan, "PNW006")


@rule("PNW007", "error", "Fixed sets releaseStrategy explicitly",
      "Terway's pod-ENI GC keeps a Fixed IP with no releaseStrategy forever, like Never, silently.",
      "AliyunContainerService/terway v1.17.5 pkg/controller/pod-eni/eni_controller.go:619-653 (default: keep)")
def fixed_has_strategy(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        alloc = entry.allocation_type
        if problem := fixed_strategy_problem(entry.name, alloc.type, alloc.release_strategy):
            yield Finding("PNW007", "error", _p(index, "allocationType", "releaseStrategy"), problem)


def fixed_strategy_problem(name: str, kind: str | None, strategy: str | None) -> str | None:
    """PNW007 on one allocationType (also `TerwayTrunk`'s entry point)."""
    if kind == "Fixed" and strategy is None:
        return (f"PodNetworking `{name}` is Fixed without releaseStrategy: Terway's pod-ENI GC then "
                f"keeps every IP forever, as with Never; set TTL (with releaseAfter >= "
                f"{C.RELEASE_AFTER_MIN_SECONDS // 60}m) or Never explicitly")
    return None


@rule("PNW008", "error", "vSwitchOptions: non-empty, every vSwitch in the cluster's VPC",
      "Terway's webhook rejects an empty list; an ENI cannot be created in another VPC's vSwitch.",
      "Terway validating webhook (vSwitchOptions is not set); ECS CreateNetworkInterface")
def vswitches_in_vpc(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        refs = effective_vswitches(entry, plan)
        if not refs:
            yield Finding("PNW008", "error", _p(index, "vSwitchOptions"),
                          f"PodNetworking `{entry.name}` has no vSwitchOptions and the cluster has no `pod` vSwitch "
                          f"in a worker zone to default to; at least 1 is required")
            continue
        for ref_index, fact in outside_vpc(plan, entry.v_switch_options, plan.vswitch):
            yield Finding("PNW008", "error", _p(index, "vSwitchOptions", ref_index),
                          f"vSwitch {fact.id} is in VPC {fact.vpc_id}, not in the cluster's VPC "
                          f"{plan.vpc_id or '(created by ackstack)'}")


@rule("PNW009", "error", "vSwitchOptions zones are worker zones",
      "Terway pins matched pods to the zones of vSwitchOptions; a zone without nodes strands them Pending.",
      SEED + " (vSwitchOptions: zones must match the zones of the nodes)")
def vswitch_zones_have_nodes(plan: NetworkPlan) -> Iterator[Finding]:
    zones = worker_zones(plan)
    for index, entry in _entries(plan):
        refs = {ref: fact.zone_id for ref in entry.v_switch_options if (fact := plan.vswitch(ref)) is not None}
        for ref, zone in zones_without_nodes(refs, zones):
            yield Finding("PNW009", "error", _p(index, "vSwitchOptions", entry.v_switch_options.index(ref)),
                          zone_without_nodes_message(ref, zone, zones))


@rule("PNW010", "warning", "Every worker zone has a vSwitch in vSwitchOptions",
      "Matched pods cannot run in a node zone missing from vSwitchOptions; autoscaling there is blocked.",
      SEED + " (vSwitchOptions zone constraint; note on node auto scaling)")
def worker_zones_covered(plan: NetworkPlan) -> Iterator[Finding]:
    pools = plan.config.cluster.node_pools
    for index, entry in _entries(plan):
        if not entry.v_switch_options:
            continue  # defaulted to the cluster's pod vSwitches, which TWY003 checks
        covered = {fact.zone_id for ref in entry.v_switch_options if (fact := plan.vswitch(ref)) is not None}
        for zone in sorted(worker_zones(plan) - covered):
            in_zone = [p for p in pools if zone in p.zones]
            scaling = [p.name for p in in_zone if p.autoscaling]
            text = (f"PodNetworking `{entry.name}` has no vSwitch in zone {zone} "
                    f"(vSwitchOptions zones: {', '.join(sorted(z for z in covered if z)) or 'none'}); matched pods "
                    f"cannot run on nodes there (node pools: {', '.join(p.name for p in in_zone) or 'adopted'}; "
                    f"ackstack does not know pod nodeSelectors, so every pool counts)")
            if scaling:
                text += (f"; autoscaling pools {', '.join(scaling)} will not scale out for these pods in {zone}, "
                         f"the zone constraint blocks scale-out")
            yield Finding("PNW010", "warning", _p(index, "vSwitchOptions"), text)


@rule("PNW011", "error", "A PodNetworking has a selector",
      "Without podSelector and namespaceSelector the pod webhook matches no pod; terway-controlplane up to v1.12 "
      "denies it, v1.13-v1.15 deny it unless eniType is Default.",
      "AliyunContainerService/terway pkg/controller/webhook/mutating.go:320-343 (v1.17.5); validate.go:37-39 "
      "(v1.12.1), :38-44 (v1.13.7), :39-45 (v1.17.5)")
def has_selector(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        sel = entry.selector
        if problem := no_selector_problem(entry.name, sel.pod_selector is not None, sel.namespace_selector is not None):
            yield Finding("PNW011", "error", _p(index, "selector"), problem)


def no_selector_problem(name: str, has_pod_selector: bool, has_namespace_selector: bool) -> str | None:
    """PNW011 on one entry (also `TerwayTrunk`'s entry point)."""
    if has_pod_selector or has_namespace_selector:
        return None
    return (f"PodNetworking `{name}` has neither podSelector nor namespaceSelector, so "
            f"terway-controlplane matches no pod to it (ackstack does not emit the per-pod request "
            f"annotation that could use it); add at least one (limit: 1 selector)")


@rule("PNW012", "warning", "An empty selector matches everything",
      "`podSelector: {}` matches every pod (`namespaceSelector: {}` every namespace): usually a mistake.",
      "Kubernetes docs: Labels and Selectors (empty selector); " + SEED)
def empty_selector(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        if matches_every_pod(entry):
            continue  # PNW015
        for key, sel in (("podSelector", entry.selector.pod_selector),
                         ("namespaceSelector", entry.selector.namespace_selector)):
            if sel is not None and not sel.match_labels and not sel.match_expressions:
                what = "pod" if key == "podSelector" else "namespace"
                yield Finding("PNW012", "warning", _p(index, "selector", key),
                              f"{key} `{{}}` of PodNetworking `{entry.name}` matches every {what}; add at least 1 "
                              f"matchLabels entry or matchExpression")


@rule("PNW013", "error", "Fixed applies only to fixed-name pods",
      "Fixed IPs follow stable pod names: StatefulSets, pods without ownerReferences and the owner kinds in "
      "cni.customStatefulWorkloadKinds; other pods are never matched and silently keep the shared ENI.",
      "AliyunContainerService/terway v1.17.5 pkg/controller/webhook/mutating.go:313-318; pkg/utils/k8s.go:14-34; "
      "types/controlplane/config_default.go:69")
def fixed_workload_kinds(plan: NetworkPlan) -> Iterator[Finding]:
    custom = tuple(plan.config.cni.custom_stateful_workload_kinds) if plan.config.is_terway else ()
    for index, entry in _entries(plan):
        if entry.allocation_type.type != "Fixed":
            continue
        for kind_index, kind in enumerate(entry.workload_kinds):
            if not is_fixed_name_pod(kind, custom):
                owner = POD_OWNER_KIND.get(kind, kind)
                yield Finding("PNW013", "error", _p(index, "workloadKinds", kind_index),
                              f"`{kind}` pods (owner kind {owner}) never match Fixed PodNetworking `{entry.name}`: "
                              f"terway-controlplane gives Fixed only to fixed-name pods (StatefulSet, no owner"
                              f"{', ' + ', '.join(custom) if custom else ''}), so they silently keep the shared ENI; "
                              f"use Elastic, or add `{owner}` to cni.customStatefulWorkloadKinds")


TERWAY = "AliyunContainerService/terway"


def controlplane_version(plan: NetworkPlan) -> str | None:
    return terway_controlplane_version(plan)


def _version_text(plan: NetworkPlan) -> str:
    version = controlplane_version(plan)
    line = W.rules_for(version)
    return f"terway-controlplane {version}" if version else f"terway-controlplane unpinned (modelled as {line.tag})"


def outside_vpc(plan: NetworkPlan, refs: list[str], resolve) -> Iterator[tuple[int, Any]]:
    """(index, fact) of each adopted object (vSwitch or security group) that is not in the cluster's VPC;
    objects ackstack creates are inside it, unresolved ones are PNW003/NET010's."""
    for ref_index, ref in enumerate(refs):
        fact = resolve(ref)
        if fact is None or fact.id is None or fact.vpc_id is None:
            continue
        if plan.vpc_id is None or fact.vpc_id != plan.vpc_id:
            yield ref_index, fact


@rule("PNW014", "error", "terway-controlplane's validating webhook admits the PodNetworking",
      "The webhook is fail-closed on CREATE; a denied PodNetworking fails `pulumi up` at that resource.",
      f"{TERWAY} pkg/controller/webhook/validate.go at v1.12.1 (37-55), v1.13.7 (38-67), v1.17.5 (39-68); "
      f"charts/terway/templates/terway-controlplane/webhook.yaml:41-57 (v1.17.5)")
def webhook_admits(plan: NetworkPlan) -> Iterator[Finding]:
    version = controlplane_version(plan)
    for index, entry in _entries(plan):
        reason = W.admission_denial(podnetworking_spec(entry, plan), version)
        if reason:
            yield Finding("PNW014", "error", _p(index),
                          f"PodNetworking `{entry.name}` would be denied by {_version_text(plan)}: \"{reason}\" "
                          f"({W.rules_for(version).source})")


@rule("PNW015", "error", "A selector that matches every pod is declared as meant",
      "`podSelector: {}` without namespaceSelector (or `namespaceSelector: {}` alone) matches every pod of every "
      "namespace, kube-system included.",
      f"{TERWAY} v1.17.5 pkg/controller/webhook/mutating.go:320-343 (empty selector = labels.Everything())")
def matches_everything(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        if entry.match_all_pods or not matches_every_pod(entry):
            continue
        yield Finding("PNW015", "error", _p(index, "selector"),
                      f"PodNetworking `{entry.name}` matches every pod of every namespace (kube-system included): "
                      f"each one would get a trunk member ENI from it; narrow the selector, or set "
                      f"matchAllPods: true if this is meant")


def matches_every_pod(entry: PodNetworkingConfig) -> bool:
    """Every present selector is `{}` and at least one is present."""
    sels = [s for s in (entry.selector.pod_selector, entry.selector.namespace_selector) if s is not None]
    return bool(sels) and all(not s.match_labels and not s.match_expressions for s in sels)


@rule("PNW016", "error", "No PodNetworking targets a namespace the pod webhook skips",
      "Namespaces outside the pod webhook's namespaceSelector (the chart's: not labelled k8s.aliyun.com/pod-eni: "
      '"false"; an adopted cluster\'s own registration when the inventory gives it) never reach it; their pods never '
      "get the PodNetworking.",
      f"{TERWAY} v1.17.5 charts/terway/templates/terway-controlplane/webhook.yaml:9-13")
def opted_out_namespaces(plan: NetworkPlan) -> Iterator[Finding]:
    label = C.POD_ENI_NAMESPACE_LABEL
    hooks = plan.webhooks()
    # The webhook's view of a namespace does not depend on the PodNetworking: decided once per namespace, so
    # the pairs below are PodNetworkings x skipped namespaces only (issue #24 §6: 5,000 x 500 at scale).
    skipped = [(ns, labels) for ns in plan.config.namespaces
               if not W.webhook_sees_namespace(labels := namespace_labels(ns), hooks)]
    for index, entry in _entries(plan):
        ns_sel = entry.selector.namespace_selector
        if ns_sel is None:
            continue
        if ns_sel.match_labels.get(label) == C.POD_ENI_NAMESPACE_OPT_OUT:
            yield Finding("PNW016", "error", _p(index, "selector", "namespaceSelector", "matchLabels", label),
                          f"PodNetworking `{entry.name}` selects namespaces labelled {label}=\"false\", which "
                          f"terway-controlplane's pod webhook skips: no pod would ever get it")
            continue
        for ns, labels in skipped:
            if selector_matches(ns_sel, labels):
                yield Finding("PNW016", "error", _p(index, "selector", "namespaceSelector"),
                              f"PodNetworking `{entry.name}` targets namespace `{ns.name}` (namespaces[]), which "
                              f"terway-controlplane's pod webhook skips (namespaceSelector "
                              f"{json.dumps(hooks.pod_namespace_selector)}, {hooks.source}), so its pods keep the "
                              f"shared ENI")


@rule("PNW017", "error", "PodNetworking security groups are in the cluster's VPC",
      "ECS attaches a security group only to an ENI of the same VPC; the member ENI fails to be created.",
      "ECS CreateNetworkInterface / security group VPC scope")
def security_groups_in_vpc(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        for ref_index, fact in outside_vpc(plan, entry.security_group_ids, plan.security_group):
            yield Finding("PNW017", "error", _p(index, "securityGroupIDs", ref_index),
                          f"security group {fact.id} is in VPC {fact.vpc_id}, not in the cluster's VPC "
                          f"{plan.vpc_id or '(created by ackstack)'}")


@rule("PNW018", "error", "No security group or vSwitch listed twice in one PodNetworking",
      "A duplicate is either a typo hiding a missing entry or an ENI attach request ECS refuses.",
      "ackstack design; ECS security groups per ENI are a set")
def duplicate_refs(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        for key, refs, resolve in (("securityGroupIDs", effective_security_groups(entry, plan), plan.security_group),
                                   ("vSwitchOptions", effective_vswitches(entry, plan), plan.vswitch)):
            seen: dict[str, str] = {}
            for ref_index, ref in enumerate(refs):
                fact = resolve(ref)
                ident = (fact.id if fact is not None and fact.id else None) or ref
                if ident in seen:
                    yield Finding("PNW018", "error", _p(index, key, ref_index),
                                  f"`{ref}` in PodNetworking `{entry.name}` is the same {key} entry as `{seen[ident]}` "
                                  f"({ident}); list each once")
                else:
                    seen[ident] = ref


@rule("PNW019", "error", "terway-controlplane can make the PodNetworking Ready",
      "It looks up every vSwitchOptions id in the cluster's VPC; one it cannot find leaves status Fail, pods never "
      "get it, and `pulumi up` waits for Ready (pulumi.com/waitFor) until it times out.",
      f"{TERWAY} v1.17.5 pkg/controller/pod-networking/networking.go:109-132")
def becomes_ready(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        known: dict[str, str] = {}
        for ref in effective_vswitches(entry, plan):
            fact = plan.vswitch(ref)
            if fact is not None and fact.zone_id and (fact.vpc_id is None or fact.vpc_id == plan.vpc_id
                                                      or plan.vpc_id is None):
                known[ref] = fact.zone_id
        status, _, message = W.readiness({"vSwitchOptions": effective_vswitches(entry, plan)}, known)
        if status != C.PODNETWORKING_STATUS_READY:
            yield Finding("PNW019", "error", _p(index, "vSwitchOptions"),
                          f"PodNetworking `{entry.name}` would stay {status} ({message} in the cluster's VPC): "
                          f"no pod gets it and `pulumi up` waits for Ready")


RULES = (
    security_group_count,
    security_group_quota,
    security_group_types,
    references_resolve,
    release_needs_fixed,
    release_after_needs_ttl,
    release_after_duration,
    fixed_has_strategy,
    vswitches_in_vpc,
    vswitch_zones_have_nodes,
    worker_zones_covered,
    has_selector,
    empty_selector,
    fixed_workload_kinds,
    webhook_admits,
    matches_everything,
    opted_out_namespaces,
    security_groups_in_vpc,
    duplicate_refs,
    becomes_ready,
)
