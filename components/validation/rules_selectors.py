"""SEL001: two PodNetworkings that can match the same pod.

Why: when a pod matches several PodNetworkings, Terway uses one of them at random (seed
terway-trunk-eni-podnetworking), so the pod's vSwitch and security groups become a coin toss. The
exact, indexed overlap test lives in `ackstack_core.selectors`; this rule only names the pair.
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core.podnetworking_checks import overlap_message
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
    paths: dict[int, str] = {}
    for first, second, example in find_overlaps(entries):
        a, j = pns[int(first)], int(second)
        path = paths.get(j) or paths.setdefault(j, config_path("podNetworkings", j, "selector"))
        yield Finding("SEL001", "error", path, overlap_message(a.name, pns[j].name, example))


RULES = (selector_overlap,)
