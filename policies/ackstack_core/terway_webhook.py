"""terway-controlplane's admission, as one model: the validating webhook per version, the pod webhook's
PodNetworking matching, readiness, and the daemon's eni_conf validation.

Read (facts only) from AliyunContainerService/terway at the tags named per rule; `TWY-<tag>` below
means that repository at that tag. The validating webhook serves CREATE of podnetworkings only and
fails closed (charts/terway/templates/terway-controlplane/webhook.yaml:41-57 at v1.17.5:
operations ["CREATE"], failurePolicy Fail), so a denial fails `pulumi up` at that resource.
Used by the validation rules, the offline engine, the capacity figures and the policy pack.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ackstack_core import constants as C
from ackstack_core.go_duration import GoDurationError, parse_go_duration_ns
from ackstack_core.selectors import SelectorError, selector_matches  # noqa: F401 (SelectorError re-exported)

Version = tuple[int, int, int]


@dataclass(frozen=True)
class WebhookRules:
    """What the validating webhook of one terway-controlplane release line checks."""

    first: Version  # first release of the line
    tag: str  # tag the facts were read at
    max_security_groups: int  # validate.go: "security group can not more than N"
    selectorless: str  # "deny": always; "deny-non-default": unless eniType Default; "inject": only if injection off
    never_forbids_release_after: bool  # validate.go: "releaseAfter must be empty when releaseStrategy is never"
    crd_has_eni_options: bool  # pkg/apis/crds/network.alibabacloud.com_podnetworkings.yaml has eniOptions
    eni_conf_max_security_groups: int  # types/daemon/config.go Validate: "security groups should not be more than N"
    source: str


# Newest first. Sources: validate.go and types/daemon/config.go at each tag (line numbers in `source`).
RELEASE_LINES: tuple[WebhookRules, ...] = (
    WebhookRules((1, 16, 0), "v1.17.5", 10, "inject", True, True, 10,
                 "TWY-v1.16.6/v1.17.5/HEAD pkg/controller/webhook/validate.go:39-68 (selector check only when "
                 "enableWebhookInjectResource is false; types/controlplane/config.go:96-97 defaults it to true); "
                 "types/daemon/config.go:139-151 (v1.17.5)"),
    WebhookRules((1, 13, 0), "v1.13.7", 10, "deny-non-default", True, True, 10,
                 "TWY-v1.13.7 (same at v1.14.5, v1.15.3) pkg/controller/webhook/validate.go:38-67; "
                 "types/daemon/config.go:109-120"),
    WebhookRules((1, 11, 0), "v1.12.1", 5, "deny", False, True, 5,
                 "TWY-v1.11.5/v1.12.1 pkg/controller/webhook/validate.go:37-55; types/daemon/config.go:102-113"),
    WebhookRules((1, 10, 0), "v1.10.0", 5, "deny", False, False, 5,
                 "TWY-v1.10.0 pkg/controller/webhook/validate.go:37-55 (same file as v1.12.1); CRD without "
                 "eniOptions/vSwitchSelectOptions; types/daemon/config.go:103-113"),
)
NEWEST = RELEASE_LINES[0]


def parse_version(text: str | None) -> Version | None:
    """`v1.13.2` / `1.13.2` -> (1, 13, 2); None when absent or not x.y.z."""
    if not text:
        return None
    parts = str(text).strip().lstrip("v").split("-")[0].split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def rules_for(version: str | None) -> WebhookRules:
    """The release line of `version`; unknown or absent -> the newest modelled line (what ACK installs
    when no version is pinned: unverified, ACK does not document which version it picks). Releases older
    than v1.10.0 are not modelled and get the v1.10 rules (unverified)."""
    parsed = parse_version(version)
    if parsed is None:
        return NEWEST
    for line in RELEASE_LINES:
        if parsed >= line.first:
            return line
    return RELEASE_LINES[-1]


def security_group_limit(version: str | None, eni_quota: int | None = None, reader: str = "webhook") -> int:
    """Most security groups Terway `version` accepts in one list, capped by the account's ECS per-ENI quota
    when given (capacity.maxSecurityGroupsPerEni).

    `reader` names the Terway component that reads the list: "webhook" (terway-controlplane's validating
    webhook, a PodNetworking's securityGroupIDs: validate.go) or "daemon" (terway-eniip's Config.Validate,
    eni_conf `security_groups`: types/daemon/config.go). Both come from the same repository and tags; the
    numbers agree per release line, the version to pass differs (controlplane vs eniip add-on)."""
    rules = rules_for(version)
    if reader not in ("webhook", "daemon"):
        raise ValueError(f"unknown Terway reader {reader!r}")
    limit = rules.max_security_groups if reader == "webhook" else rules.eni_conf_max_security_groups
    return min(limit, eni_quota) if eni_quota else limit


# ---------------------------------------------------------------- validating webhook
def admission_denial(spec: Mapping[str, Any], version: str | None, inject_resource: bool = True) -> str | None:
    """Terway's own reason for denying CREATE of a PodNetworking with `spec`, or None if admitted.

    Checks run in validate.go's order and the first failing one answers, as the webhook does.
    `inject_resource` is terway-controlplane's enableWebhookInjectResource (default true from v1.13,
    types/controlplane/config.go:89-90 at v1.13.7); it matters from v1.16.
    """
    rules = rules_for(version)
    selector = spec.get("selector") or {}
    selectorless = selector.get("podSelector") is None and selector.get("namespaceSelector") is None
    eni_type = (spec.get("eniOptions") or {}).get("eniType") or ""
    if selectorless:
        if rules.selectorless == "deny":
            return "neither the PodSelector nor the NamespaceSelector is set"
        if (rules.selectorless == "deny-non-default" or not inject_resource) and eni_type not in ("", "Default"):
            return "attachType must be default when podSelector and namespaceSelector are not set"
    if not spec.get("vSwitchOptions"):
        return "vSwitchOptions is not set"
    groups = spec.get("securityGroupIDs") or []
    if not groups:
        return "security group is not set"
    if len(groups) > rules.max_security_groups:
        return f"security group can not more than {rules.max_security_groups}"
    alloc = spec.get("allocationType") or {}
    strategy, release_after = alloc.get("releaseStrategy"), alloc.get("releaseAfter") or ""
    if strategy == "TTL":
        try:
            parse_go_duration_ns(release_after)
        except GoDurationError:
            return f"invalid releaseAfter {release_after}"
    if rules.never_forbids_release_after and strategy == "Never" and release_after != "":
        return "releaseAfter must be empty when releaseStrategy is never"
    return None


# ---------------------------------------------------------------- readiness
def readiness(spec: Mapping[str, Any], known_vswitch_zones: Mapping[str, str]) -> tuple[str, list[dict], str]:
    """(status, status.vSwitches, message) terway-controlplane's PodNetworking controller writes.

    TWY-v1.17.5 pkg/controller/pod-networking/networking.go:109-132: every vSwitchOptions id is looked
    up in the cluster's VPC (DescribeVSwitchByID); all found -> Ready with their zones, any error -> Fail.
    """
    found = []
    for vsw in spec.get("vSwitchOptions") or []:
        zone = known_vswitch_zones.get(vsw)
        if zone is None:
            return C.PODNETWORKING_STATUS_FAIL, [], f"error get vSwitch {vsw}"
        found.append({"id": vsw, "zone": zone})
    return C.PODNETWORKING_STATUS_READY, found, ""


# ---------------------------------------------------------------- pod webhook matching
# Kind of the ownerReference on a workload's pods (a Deployment's pods are owned by its ReplicaSet,
# a CronJob's by its Job). Source: Kubernetes controllers (ownerReferences of created objects).
POD_OWNER_KIND: dict[str, str] = {"Deployment": "ReplicaSet", "CronJob": "Job"}


def is_fixed_name_pod(workload_kind: str, custom_kinds: Iterable[str] = ()) -> bool:
    """utils.IsFixedNamePod (TWY-v1.17.5 pkg/utils/k8s.go:22-34) for a pod of `workload_kind`: no owner
    (`Pod`), or an owner kind in stsKinds = StatefulSet + customStatefulWorkloadKinds."""
    if workload_kind == "Pod":
        return True
    owner = POD_OWNER_KIND.get(workload_kind, workload_kind)
    return owner in (*C.FIXED_NAME_OWNER_KINDS, *custom_kinds)


def webhook_sees_namespace(namespace_labels: Mapping[str, str]) -> bool:
    """The pod webhook's namespaceSelector (webhook.yaml:9-13): k8s.aliyun.com/pod-eni NotIn ["false"]."""
    return namespace_labels.get(C.POD_ENI_NAMESPACE_LABEL) != C.POD_ENI_NAMESPACE_OPT_OUT


@dataclass(frozen=True)
class PodNetworkingView:
    name: str
    spec: Mapping[str, Any]
    status: str = C.PODNETWORKING_STATUS_READY


def pod_networking_applies(pn: PodNetworkingView, pod_labels: Mapping[str, str],
                           namespace_labels: Mapping[str, str], workload_kind: str,
                           custom_kinds: Iterable[str] = ()) -> bool:
    """Whether matchOnePodNetworking (TWY-v1.17.5 pkg/controller/webhook/mutating.go:289-346, same logic
    from v1.10.0 mutating.go:281) picks `pn` for a new pod: Ready only (:310), Fixed only for fixed-name
    pods (:313-318), each non-nil selector must match and at least one must be set (:320-343).
    SelectorError propagates: the webhook answers an error and the pod is not created (:138-141)."""
    if not webhook_sees_namespace(namespace_labels):
        return False
    if pn.status != C.PODNETWORKING_STATUS_READY:
        return False
    if (pn.spec.get("allocationType") or {}).get("type") == "Fixed" and not is_fixed_name_pod(
            workload_kind, custom_kinds):
        return False
    selector = pn.spec.get("selector") or {}
    matched = False
    for key, labels in (("podSelector", pod_labels), ("namespaceSelector", namespace_labels)):
        sel = selector.get(key)
        if sel is None:
            continue
        if not selector_matches(sel, labels):
            return False
        matched = True
    return matched


def match_one(pns: Sequence[PodNetworkingView], pod_labels: Mapping[str, str], namespace_labels: Mapping[str, str],
              workload_kind: str, custom_kinds: Iterable[str] = ()) -> str | None:
    """Name of the PodNetworking a new pod gets (first in list order), None when it keeps the shared ENI.
    Raises SelectorError when any PodNetworking met before a match has a broken selector."""
    kinds = tuple(custom_kinds)
    for pn in pns:
        if pod_networking_applies(pn, pod_labels, namespace_labels, workload_kind, kinds):
            return pn.name
    return None


# ---------------------------------------------------------------- eni_conf (terway daemon config)
class _NonFinite(ValueError):
    pass


def _reject_constant(name: str) -> float:
    raise _NonFinite(name)


def _non_finite_paths(value: Any, path: str = "") -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return [path or "(top level)"]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _non_finite_paths(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite_paths(v, f"{path}[{i}]")]
    return []


def parse_eni_conf(raw: Mapping[str, Any] | str) -> tuple[dict | None, str | None]:
    """(mapping, None) or (None, reason): JSON as Go's encoding/json reads it (no NaN, Infinity)."""
    if isinstance(raw, str):
        try:
            value = json.loads(raw, parse_constant=_reject_constant)
        except _NonFinite as exc:
            return None, f"`{exc}` is not JSON (Go's encoding/json rejects NaN and Infinity)"
        except json.JSONDecodeError as exc:
            return None, f"not valid JSON ({exc.msg} at position {exc.pos})"
        if not isinstance(value, dict):
            return None, f"must be a JSON object, got {type(value).__name__}"
    else:
        value = dict(raw)
    bad = _non_finite_paths(value)
    if bad:
        return None, (f"{', '.join(bad)} is NaN or Infinity, which JSON cannot carry (Go's encoding/json "
                      f"rejects it)")
    return value, None


def eni_conf_problems(conf: Mapping[str, Any], version: str | None) -> list[tuple[str, str]]:
    """(eni_conf key, message) for what Terway's Config.Validate refuses (types/daemon/config.go at the
    version's tag): ip_stack other than "", ipv4, dual; more security_groups than the version allows."""
    rules = rules_for(version)
    problems: list[tuple[str, str]] = []
    stack = conf.get(C.ENI_CONF_IP_STACK_KEY, "")
    if stack not in C.ENI_CONF_IP_STACKS:
        problems.append((C.ENI_CONF_IP_STACK_KEY, f"unsupported ipStack {stack} in configMap (Terway accepts "
                                                   f"{', '.join(repr(s) for s in C.ENI_CONF_IP_STACKS)})"))
    groups = conf.get(C.ENI_CONF_SECURITY_GROUPS_KEY) or []
    limit = security_group_limit(version, reader="daemon")
    if isinstance(groups, list) and len(groups) > limit:
        problems.append((C.ENI_CONF_SECURITY_GROUPS_KEY,
                         f"security groups should not be more than {limit}, current "
                         f"{len(groups)} (Terway {rules.tag} and its line)"))
    return problems
