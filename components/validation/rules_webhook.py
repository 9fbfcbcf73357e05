"""What terway-controlplane itself decides about a PodNetworking (PNW014-PNW019, SEL002).

Each rule applies `ackstack_core.terway_webhook`, the one model of the validating webhook (per
`cni.controlplaneVersion`), the pod webhook's matching and the controller's readiness, to the spec
ackstack sends (`podnetworking_spec`). Sources are AliyunContainerService/terway files at the tag
the model names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ackstack_core import constants as C
from ackstack_core import terway_webhook as W
from ackstack_core.selectors import selector_problems
from components.config import PodNetworkingConfig
from components.plan import NetworkPlan
from components.podnetworking import (
    effective_security_groups,
    effective_vswitches,
    namespace_labels,
    podnetworking_spec,
    selector_matches,
)
from components.validation.findings import Finding, config_path, rule
from components.validation.rules_terway import terway_controlplane_version

TERWAY = "AliyunContainerService/terway"


def _entries(plan: NetworkPlan) -> Iterator[tuple[int, PodNetworkingConfig]]:
    if plan.config.is_terway:
        yield from enumerate(plan.config.pod_networkings)


def _p(index: int, *parts: str | int) -> str:
    return config_path("podNetworkings", index, *parts)


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
    for index, entry in _entries(plan):
        ns_sel = entry.selector.namespace_selector
        if ns_sel is None:
            continue
        if ns_sel.match_labels.get(label) == C.POD_ENI_NAMESPACE_OPT_OUT:
            yield Finding("PNW016", "error", _p(index, "selector", "namespaceSelector", "matchLabels", label),
                          f"PodNetworking `{entry.name}` selects namespaces labelled {label}=\"false\", which "
                          f"terway-controlplane's pod webhook skips: no pod would ever get it")
            continue
        for ns in plan.config.namespaces:
            labels = namespace_labels(ns)
            if not W.webhook_sees_namespace(labels, hooks) and selector_matches(ns_sel, labels):
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


@rule("SEL002", "error", "Selectors are valid Kubernetes label selectors",
      "Terway converts selectors with apimachinery at every pod CREATE; an invalid one makes the pod webhook answer "
      "an error, which rejects the creation of every pod that reaches it: a cluster-wide outage.",
      f"{TERWAY} v1.17.5 pkg/controller/webhook/mutating.go:138-141 and :448-454 (LabelSelectorAsSelector)")
def valid_selectors(plan: NetworkPlan) -> Iterator[Finding]:
    for index, entry in _entries(plan):
        for key, sel in (("podSelector", entry.selector.pod_selector),
                         ("namespaceSelector", entry.selector.namespace_selector)):
            if sel is None:
                continue
            for problem in selector_problems(sel.as_k8s(), label_syntax=False):
                yield Finding("SEL002", "error", _p(index, "selector", key),
                              f"{key} of PodNetworking `{entry.name}`: {problem}; terway-controlplane would fail "
                              f"the creation of every pod it evaluates against it")


RULES = (webhook_admits, matches_everything, opted_out_namespaces, security_groups_in_vpc, duplicate_refs,
         becomes_ready, valid_selectors)
