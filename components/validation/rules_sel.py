"""SEL: PodNetworking selectors: valid label selectors, and no pod matched by two PodNetworkings."""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core.podnetworking_checks import grouped_overlap_message, grouped_overlaps
from ackstack_core.selectors import find_overlaps, selector_problems
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule
from components.validation.rules_pnw import TERWAY, _entries, _p


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


@rule("SEL001", "error", "No pod can match two PodNetworkings",
      "Terway picks one of several matching PodNetworkings at random, so the pod's vSwitch, security groups and "
      "IP policy would depend on chance.",
      "ACK guide terway-trunk-eni-podnetworking (selector: a pod matching several PodNetworkings uses one at random)")
def selector_overlap(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    pns = plan.config.pod_networkings
    entries = []
    for index, pn in enumerate(pns):
        pod, ns = pn.selector.pod_selector, pn.selector.namespace_selector
        entries.append((str(index), None if pod is None else pod.as_k8s(), None if ns is None else ns.as_k8s()))
    pairs = find_overlaps(entries)
    for second, others, example in grouped_overlaps(pairs, [name for name, _pod, _ns in entries]):
        yield Finding("SEL001", "error", config_path("podNetworkings", int(second), "selector"),
                      grouped_overlap_message(second, others, example, label=lambda i: pns[int(i)].name))


RULES = (
    valid_selectors,
    selector_overlap,
)
