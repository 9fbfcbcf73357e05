"""K8S: Kubernetes names and label syntax of PodNetworkings, Namespaces and node pools, as the API server
validates them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core.k8s_names import (
    dns_label_problem,
    dns_subdomain_problem,
    label_key_problem,
    label_value_problem,
)
from components.config import LabelSelector
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule

SOURCE = "Kubernetes docs: Object Names and IDs; Labels and Selectors (syntax and character set)"


@rule("K8S001", "error", "PodNetworking names are DNS subdomains",
      "PodNetworking is a cluster-scoped object; the API server rejects other names at apply time.", SOURCE)
def podnetworking_names(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    for index, entry in enumerate(plan.config.pod_networkings):
        if problem := dns_subdomain_problem(entry.name):
            yield Finding("K8S001", "error", config_path("podNetworkings", index, "name"),
                          f"PodNetworking name `{entry.name}` {problem}")


@rule("K8S002", "error", "Namespace names are DNS labels",
      "Namespace names must be RFC 1123 labels of at most 63 characters.", SOURCE)
def namespace_names(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    for index, ns in enumerate(plan.config.namespaces):
        if problem := dns_label_problem(ns.name):
            yield Finding("K8S002", "error", config_path("namespaces", index, "name"),
                          f"namespace name `{ns.name}` {problem}")


def _selector_labels(sel: LabelSelector, base: tuple) -> Iterator[tuple[str, str, str]]:
    """(path, what, problem) for every bad key or value in one selector."""
    for key, value in sel.match_labels.items():
        if problem := label_key_problem(key):
            yield config_path(*base, "matchLabels", key), f"label key `{key}`", problem
        if problem := label_value_problem(value):
            yield config_path(*base, "matchLabels", key), f"label value `{value}`", problem
    for expr_index, expr in enumerate(sel.match_expressions):
        if problem := label_key_problem(expr.key):
            yield config_path(*base, "matchExpressions", expr_index, "key"), f"label key `{expr.key}`", problem
        for value_index, value in enumerate(expr.values):
            if problem := label_value_problem(value):
                yield (config_path(*base, "matchExpressions", expr_index, "values", value_index),
                       f"label value `{value}`", problem)


@rule("K8S003", "error", "Selector and namespace labels use Kubernetes label syntax",
      "The API server rejects a bad namespace label. A selector's bad key or value passes the PodNetworking CRD, "
      "but apimachinery's LabelSelectorAsSelector refuses it, so terway-controlplane's pod webhook fails every pod "
      "creation it evaluates (SEL002).",
      SOURCE + "; kubernetes/apimachinery v0.36.0 pkg/api/validate/content/kube.go IsLabelKey, IsLabelValue")
def label_syntax(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_terway:
        return
    for index, entry in enumerate(plan.config.pod_networkings):
        for key, sel in (("podSelector", entry.selector.pod_selector),
                         ("namespaceSelector", entry.selector.namespace_selector)):
            if sel is None:
                continue
            for path, what, problem in _selector_labels(sel, ("podNetworkings", index, "selector", key)):
                yield Finding("K8S003", "error", path, f"{what} {problem}")
    for index, ns in enumerate(plan.config.namespaces):
        for key, value in ns.labels.items():
            path = config_path("namespaces", index, "labels", key)
            if problem := label_key_problem(key):
                yield Finding("K8S003", "error", path, f"label key `{key}` {problem}")
            if problem := label_value_problem(value):
                yield Finding("K8S003", "error", path, f"label value `{value}` {problem}")


@rule("K8S004", "error", "Node-pool labels use Kubernetes label syntax",
      "ACK applies node-pool labels to every node; the API server rejects an invalid key or value, after the node "
      "pool was created.", SOURCE)
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
      SOURCE + "; Taints and Tolerations")
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


RULES = (
    podnetworking_names,
    namespace_names,
    label_syntax,
    node_pool_labels,
    node_pool_taints,
    node_pool_taints_unique,
)
