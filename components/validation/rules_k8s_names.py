"""Kubernetes name and label syntax (K8S0xx) for the objects ackstack applies in Terway mode.

The API server rejects a bad name or label only when the object is applied, i.e. after the cluster
and node pools exist; checking here stops that before anything is created.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ackstack_core import constants as C
from components.config import LabelSelector
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
SOURCE = "Kubernetes docs: Object Names and IDs; Labels and Selectors (syntax and character set)"


def dns_subdomain_problem(name: str) -> str | None:
    if len(name) > C.K8S_DNS_SUBDOMAIN_MAX:
        return f"is {len(name)} characters; at most {C.K8S_DNS_SUBDOMAIN_MAX}"
    if not _DNS_SUBDOMAIN.match(name):
        return "must be a DNS subdomain (RFC 1123): lowercase letters, digits, '-' and '.', alphanumeric at both ends"
    return None


def dns_label_problem(name: str) -> str | None:
    if len(name) > C.K8S_DNS_LABEL_MAX:
        return f"is {len(name)} characters; at most {C.K8S_DNS_LABEL_MAX}"
    if not _DNS_LABEL.match(name):
        return "must be a DNS label (RFC 1123): lowercase letters, digits and '-', alphanumeric at both ends"
    return None


def label_key_problem(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return "has an empty prefix before '/'"
    if prefix and (problem := dns_subdomain_problem(prefix)):
        return f"prefix `{prefix}` {problem}"
    if len(name) > C.K8S_LABEL_NAME_MAX:
        return f"name part `{name}` is {len(name)} characters; at most {C.K8S_LABEL_NAME_MAX}"
    if not _LABEL_NAME.match(name):
        return (f"name part `{name}` must be 1-{C.K8S_LABEL_NAME_MAX} characters of letters, digits, '-', '_' "
                f"and '.', alphanumeric at both ends")
    return None


def label_value_problem(value: str) -> str | None:
    if value == "":
        return None
    if len(value) > C.K8S_LABEL_NAME_MAX:
        return f"is {len(value)} characters; at most {C.K8S_LABEL_NAME_MAX}"
    if not _LABEL_NAME.match(value):
        return "must be empty or letters, digits, '-', '_' and '.', alphanumeric at both ends"
    return None


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
      "A selector with an invalid key or value is rejected by the API server, or can never match.", SOURCE)
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
