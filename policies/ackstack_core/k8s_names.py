"""Kubernetes name and label syntax, as k8s.io/apimachinery decides it.

Source: kubernetes/apimachinery v0.36.0 pkg/api/validate/content/kube.go IsLabelKey (:43-72: an optional
DNS-1123 subdomain prefix, one '/', a name of 1-63 characters), IsLabelValue (:80-92), dns.go
IsDNS1123Label / IsDNS1123Subdomain; checked against the real code by tests/policies/test_oracle_selectors.py. Go's
regexps anchor at the very end of the text (Python's `$` would also accept a trailing newline), hence
fullmatch. Shared by the rules (K8S003), the selector model (`selectors.py`, what LabelSelectorAsSelector
refuses) and the policy pack.
"""

from __future__ import annotations

import re

from ackstack_core import constants as C

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")


def dns_subdomain_problem(name: str) -> str | None:
    if len(name) > C.K8S_DNS_SUBDOMAIN_MAX:
        return f"is {len(name)} characters; at most {C.K8S_DNS_SUBDOMAIN_MAX}"
    if not _DNS_SUBDOMAIN.fullmatch(name):
        return "must be a DNS subdomain (RFC 1123): lowercase letters, digits, '-' and '.', alphanumeric at both ends"
    return None


def dns_label_problem(name: str) -> str | None:
    if len(name) > C.K8S_DNS_LABEL_MAX:
        return f"is {len(name)} characters; at most {C.K8S_DNS_LABEL_MAX}"
    if not _DNS_LABEL.fullmatch(name):
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
    if not _LABEL_NAME.fullmatch(name):
        return (f"name part `{name}` must be 1-{C.K8S_LABEL_NAME_MAX} characters of letters, digits, '-', '_' "
                f"and '.', alphanumeric at both ends")
    return None


def label_value_problem(value: str) -> str | None:
    if value == "":
        return None
    if len(value) > C.K8S_LABEL_NAME_MAX:
        return f"is {len(value)} characters; at most {C.K8S_LABEL_NAME_MAX}"
    if not _LABEL_NAME.fullmatch(value):
        return "must be empty or letters, digits, '-', '_' and '.', alphanumeric at both ends"
    return None
