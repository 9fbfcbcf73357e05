"""Kubernetes name and label syntax (K8S0xx) for the objects ackstack applies in Terway mode.

The API server rejects a bad name or label only when the object is applied, i.e. after the cluster
and node pools exist; checking here stops that before anything is created.
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core.k8s_names import (  # noqa: F401 (re-exported for the other rules)
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


RULES = (podnetworking_names, namespace_names, label_syntax)
