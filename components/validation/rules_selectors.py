"""SEL001: two PodNetworkings that can match the same pod.

Why: when a pod matches several PodNetworkings, Terway uses one of them at random (seed
terway-trunk-eni-podnetworking), so the pod's vSwitch and security groups become a coin toss. The
exact, indexed overlap test lives in `ackstack_core.selectors`; this rule reports one finding per
PodNetworking that overlaps earlier ones, naming them (bounded), so 1,000 equal selectors give 999
findings, not 499,500.
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core.podnetworking_checks import grouped_overlap_message, grouped_overlaps
from ackstack_core.selectors import find_overlaps
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


@rule("SEL001", "error", "No pod can match two PodNetworkings",
      "Terway picks one of several matching PodNetworkings at random, so the pod's vSwitch, security groups and "
      "IP policy would depend on chance.",
      "seed terway-trunk-eni-podnetworking (selector: a pod matching several PodNetworkings uses one at random)")
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


RULES = (selector_overlap,)
