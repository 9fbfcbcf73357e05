"""Which pods a PodNetworking will actually reach, per terway-controlplane's pod webhook model
(`ackstack_core.terway_webhook`): used by the capacity figures and the report, the same model the
PNW011/PNW013/PNW016 rules apply.

ackstack does not know the pods; it knows the declared `workloadKinds` and `namespaces`. A
PodNetworking reaches nothing when it has no selector (mutating.go:320-343 at v1.17.5), when it is
Fixed and no declared kind is fixed-name (:313-318), or when every declared namespace its
namespaceSelector matches is one the webhook skips (chart webhook.yaml:9-13).
"""

from __future__ import annotations

from dataclasses import dataclass

from ackstack_core import terway_webhook as W
from ackstack_core.selectors import LabelSetIndex, SelectorError
from components.config import PodNetworkingConfig
from components.plan import NetworkPlan
from components.podnetworking import namespace_labels


@dataclass(frozen=True)
class Reach:
    applies: bool
    kinds: tuple[str, ...]  # declared workload kinds whose pods can get it
    skipped_kinds: tuple[str, ...]  # declared kinds that never match (Fixed, not fixed-name)
    namespaces: tuple[str, ...]  # declared namespaces it can reach (empty: not known / any)
    reason: str  # why it reaches nothing, else ""


@dataclass(frozen=True)
class _NamespaceView:
    """The declared namespaces as every PodNetworking sees them: labels indexed, the webhook's view decided once."""

    names: tuple[str, ...]
    index: LabelSetIndex
    webhook_sees: tuple[bool, ...]


def _namespace_view(plan: NetworkPlan) -> _NamespaceView:
    """Built once per plan (`plan.derived`), not once per PodNetworking (PodNetworkings x namespaces at scale)."""
    labels = [namespace_labels(ns) for ns in plan.config.namespaces]
    hooks = plan.webhooks()
    return _NamespaceView(tuple(ns.name for ns in plan.config.namespaces), LabelSetIndex(labels),
                          tuple(W.webhook_sees_namespace(found, hooks) for found in labels))


def podnetworking_reach(entry: PodNetworkingConfig, plan: NetworkPlan) -> Reach:
    custom = tuple(plan.config.cni.custom_stateful_workload_kinds) if plan.config.is_terway else ()
    fixed = entry.allocation_type.type == "Fixed"
    kinds = tuple(k for k in entry.workload_kinds if not fixed or W.is_fixed_name_pod(k, custom))
    skipped = tuple(k for k in entry.workload_kinds if k not in kinds)
    sel = entry.selector
    namespaces: tuple[str, ...] = ()
    reason = ""
    if sel.pod_selector is None and sel.namespace_selector is None:
        reason = "no selector: the pod webhook matches no pod"
    elif entry.workload_kinds and not kinds:
        reason = f"Fixed, and no declared workload kind is fixed-name ({', '.join(skipped)})"
    elif sel.namespace_selector is not None and plan.config.namespaces:
        view = plan.derived("_namespace_view", _namespace_view)
        try:
            matched = view.index.matching(sel.namespace_selector.compiled)
        except SelectorError:
            matched = []  # an invalid selector matches nothing here (SEL002 refuses it)
        namespaces = tuple(view.names[i] for i in matched if view.webhook_sees[i])
        if matched and not namespaces:
            reason = "every declared namespace it selects is skipped by the pod webhook (its namespaceSelector)"
    return Reach(not reason, kinds, skipped, namespaces, reason)
