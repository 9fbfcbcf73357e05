"""In-cluster objects of the Terway Trunk ENI mode: namespaces (created or labelled) and PodNetworkings.

Shared by the new-cluster path (`AckProCluster`) and the adopted-cluster path
(`ExistingTerwayCluster`): both expose `.provider` and `.addons["terway-controlplane"]`.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ackstack_core import constants as C
from ackstack_core.selectors import SelectorError
from components.config import LabelSelector, NamespaceConfig
from components.plan import NetworkPlan
from components.podnetworking import PodNetworking

_NAME_LABEL = "kubernetes.io/metadata.name"


def selector_matches(selector: LabelSelector, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics over one label set (an empty selector matches all); an invalid
    selector matches nothing here (SEL002 refuses it)."""
    try:
        return selector.compiled.matches(labels)
    except SelectorError:
        return False


def namespace_labels(ns: NamespaceConfig) -> dict[str, str]:
    """Labels the namespace will carry, including the one the API server always sets."""
    return {**ns.labels, _NAME_LABEL: ns.name}


def install_terway_objects(plan: NetworkPlan, network: Any, cluster: Any) -> list[pulumi.Resource]:
    """Namespaces first, then one PodNetworking per config entry after terway-controlplane.

    Logical names come from namespace and PodNetworking names, so reordering either list in config
    changes no URN.
    """
    config = plan.config
    provider = cluster.provider
    controlplane = cluster.addons[C.ADDON_TERWAY_CONTROLPLANE]
    created: list[pulumi.Resource] = []
    namespaces: dict[str, pulumi.Resource] = {}
    for ns in config.namespaces:
        opts = pulumi.ResourceOptions(parent=cluster, provider=provider)
        if ns.create:
            resource: pulumi.Resource = k8s.core.v1.Namespace(
                f"ns-{ns.name}",
                metadata={"name": ns.name, "labels": dict(ns.labels)},
                opts=opts,
            )
        else:
            # The seed's step 3 (`kubectl label namespaces ...`) as server-side apply: only these labels
            # are owned by Pulumi; removing the entry removes the labels, never the namespace.
            resource = k8s.core.v1.NamespacePatch(
                f"ns-{ns.name}-labels",
                metadata={"name": ns.name, "labels": dict(ns.labels)},
                opts=opts,
            )
        namespaces[ns.name] = resource
        created.append(resource)

    for entry in config.pod_networkings:
        wanted: list[pulumi.Resource] = [controlplane]
        ns_selector = entry.selector.namespace_selector
        if ns_selector is not None:
            wanted += [namespaces[ns.name] for ns in config.namespaces
                       if selector_matches(ns_selector, namespace_labels(ns))]
        created.append(PodNetworking(entry, plan, network, provider, depends_on=wanted,
                                     opts=pulumi.ResourceOptions(parent=cluster)))
    return created
