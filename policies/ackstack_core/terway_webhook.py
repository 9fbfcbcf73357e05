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
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ackstack_core import constants as C
from ackstack_core.go_duration import GoDurationError, parse_go_duration_ns
from ackstack_core.selectors import CompiledSelector, SelectorError, compile_selector, selector_matches
from ackstack_core.versions import parse_version

Version = tuple[int, int, int]


@dataclass(frozen=True)
class WebhookRules:
    """What terway-controlplane's admission of one release line checks."""

    first: Version  # first release of the line
    tag: str  # tag the facts were read at
    max_security_groups: int  # validate.go: "security group can not more than N"
    selectorless: str  # "deny": always; "deny-non-default": unless eniType Default; "inject": only if injection off
    never_forbids_release_after: bool  # validate.go: "releaseAfter must be empty when releaseStrategy is never"
    crd_has_eni_options: bool  # pkg/apis/crds/network.alibabacloud.com_podnetworkings.yaml has eniOptions
    eni_conf_max_security_groups: int  # types/daemon/config.go Validate and dynamicconfig.go ConfigFromConfigMap
    missing_eni_config_admitted: bool  # mutating.go podNetworkingWebhook: no eni-config -> allowed (else errored)
    source: str


# Newest first. Read at every tag from v1.10.0 to v1.17.5 (pkg/controller/webhook/validate.go, mutating.go,
# types/daemon/config.go, types/daemon/dynamicconfig.go); the lines change exactly at v1.11.0 (CRD eniOptions),
# v1.13.7 and v1.16.1. v1.17.5 is also checked by running its own code (tests/policies/test_oracle_terway.py); the Go
# module proxy serves no other tag of the lines (docs/oracles.md), so the others stand on the source read.
RELEASE_LINES: tuple[WebhookRules, ...] = (
    WebhookRules((1, 16, 1), "v1.17.5", 10, "inject", True, True, 10, True,
                 "TWY-v1.16.1 (same at v1.16.2-v1.16.6, v1.17.1-v1.17.5) pkg/controller/webhook/validate.go:39-68 "
                 "(selector check only when enableWebhookInjectResource is false; types/controlplane/config.go:96-97 "
                 "defaults it to true); types/daemon/config.go:139-151, dynamicconfig.go:62-65 (v1.17.5)"),
    WebhookRules((1, 13, 7), "v1.13.7", 10, "deny-non-default", True, True, 10, True,
                 "TWY-v1.13.7 (same at v1.14.x, v1.15.x and v1.16.0, whose validate.go has no "
                 "enableWebhookInjectResource check yet) pkg/controller/webhook/validate.go:38-67; "
                 "types/daemon/config.go:109-120; dynamicconfig.go:62-65; mutating.go:260-265"),
    WebhookRules((1, 11, 0), "v1.12.1", 5, "deny", False, True, 5, False,
                 "TWY-v1.11.5/v1.12.1/v1.13.2/v1.13.4 pkg/controller/webhook/validate.go:37-55; "
                 "types/daemon/config.go:102-113 (v1.12.1), :110-119 (v1.13.4); v1.13.5-v1.13.6 have no tag "
                 "(unverified, given this line's stricter rules)"),
    WebhookRules((1, 10, 0), "v1.10.0", 5, "deny", False, False, 5, False,
                 "TWY-v1.10.0 pkg/controller/webhook/validate.go:37-55 (same file as v1.12.1); CRD without "
                 "eniOptions/vSwitchSelectOptions; types/daemon/config.go:103-113"),
)
NEWEST = RELEASE_LINES[0]


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


# ---------------------------------------------------------------- mutating webhook (PodNetworking CREATE)
@dataclass(frozen=True)
class Denial:
    webhook: str  # "mutating" or "validating" (terway-controlplane.<webhook>.k8s.io)
    reason: str


def podnetworking_defaults(spec: Mapping[str, Any], eni_conf: str | None,
                           version: str | None) -> tuple[dict[str, Any], str | None]:
    """(spec, None) after terway-controlplane's mutating webhook on CREATE, or (spec, reason) when it refuses.

    TWY-v1.17.5 pkg/controller/webhook/mutating.go:245-285 (same function from v1.10.0): a spec with both
    securityGroupIDs and vSwitchOptions is left alone; otherwise kube-system/eni-config is read
    (`eni_conf`: its data text, None when the ConfigMap does not exist) and the empty lists are filled with
    the union of eni_conf `security_group` + `security_groups` and every `vswitches` id, each sorted. No
    ConfigMap: admitted unchanged from v1.13.7 (:260-265), an error before; an eni_conf its reader refuses:
    an error. The chart registers it for CREATE of podnetworkings (webhook.yaml:14-24), before validation.
    """
    out = dict(spec)
    groups, vswitches = out.get("securityGroupIDs") or [], out.get("vSwitchOptions") or []
    if groups and vswitches:
        return out, None
    if eni_conf is None:
        if rules_for(version).missing_eni_config_admitted:
            return out, None
        return out, 'error get configmap kube-system/eni-config, configmaps "eni-config" not found'
    conf, problem = eni_conf_controlplane(eni_conf, version)
    if problem is not None:
        return out, problem
    if not groups:
        out["securityGroupIDs"] = eni_security_groups(conf)
    if not vswitches:
        out["vSwitchOptions"] = eni_vswitch_ids(conf)
    return out, None


def admission(spec: Mapping[str, Any], version: str | None, eni_conf: str | None = None,
              inject_resource: bool = True) -> Denial | None:
    """What the API server's CREATE of a PodNetworking meets: the mutating webhook, then the validating one on
    its result. None when admitted."""
    mutated, reason = podnetworking_defaults(spec, eni_conf, version)
    if reason is not None:
        return Denial("mutating", reason)
    reason = admission_denial(mutated, version, inject_resource)
    return None if reason is None else Denial("validating", reason)


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


@dataclass(frozen=True)
class WebhookConfigurations:
    """How terway-controlplane's webhooks are registered (admissionregistration.k8s.io/v1): which requests reach
    its code and what the API server does when it cannot answer."""

    pod_webhook: bool  # a mutating webhook for pods exists (else no pod ever gets a PodNetworking)
    pod_failure_policy: str  # Ignore: pods created while it cannot answer keep the shared ENI; Fail: refused
    pod_namespace_selector: Mapping[str, Any] | None  # None or {}: every namespace
    validating_operations: tuple[str, ...]  # podnetworkings operations validated ((): none)
    validating_failure_policy: str
    source: str

    @cached_property
    def pod_namespace_matcher(self) -> CompiledSelector:
        """The pod webhook's namespaceSelector parsed once: it is asked about every namespace (issue #24 §6)."""
        return compile_selector(self.pod_namespace_selector or {})


# Source: TWY-v1.17.5 charts/terway/templates/terway-controlplane/webhook.yaml:8-33 (mutating: pods and podnetworkings
# on CREATE; namespaceSelector :9-13; failurePolicy :33 from values.yaml:99 `webhookFailurePolicy: Ignore`, the same
# default at v1.13.7 and v1.16.1) and :42-57 (validating: podnetworkings CREATE, failurePolicy Fail). ACK installs the
# add-on its own way (unverified that it uses these values): on an adopted cluster the inventory (or `verify`) says.
CHART_WEBHOOKS = WebhookConfigurations(
    pod_webhook=True, pod_failure_policy="Ignore",
    pod_namespace_selector={"matchExpressions": [{"key": C.POD_ENI_NAMESPACE_LABEL, "operator": "NotIn",
                                                  "values": [C.POD_ENI_NAMESPACE_OPT_OUT]}]},
    validating_operations=("CREATE",), validating_failure_policy="Fail",
    source="the upstream chart (AliyunContainerService/terway v1.17.5 charts/terway/templates/terway-controlplane/"
           "webhook.yaml:8-57, values.yaml:99)")
# Source: Kubernetes API reference admissionregistration.k8s.io/v1 (failurePolicy defaults to Fail)
DEFAULT_FAILURE_POLICY = "Fail"


def _webhooks_for(config: Mapping[str, Any] | None, resource: str) -> list[Mapping[str, Any]]:
    return [hook for hook in (config or {}).get("webhooks") or []
            if any(resource in (rule.get("resources") or []) for rule in hook.get("rules") or [])]


def webhook_configurations(mutating: Mapping[str, Any] | None, validating: Mapping[str, Any] | None,
                           source: str) -> WebhookConfigurations:
    """The registrations of a cluster: its MutatingWebhookConfiguration and ValidatingWebhookConfiguration
    `terway-controlplane` as the API returns them (`kubectl get mutatingwebhookconfiguration terway-controlplane
    -o yaml`); None for one that does not exist."""
    pods = _webhooks_for(mutating, "pods")
    pod = pods[0] if pods else {}
    validate = _webhooks_for(validating, "podnetworkings")
    operations = tuple(dict.fromkeys(op for hook in validate for rule in hook.get("rules") or []
                                     if "podnetworkings" in (rule.get("resources") or [])
                                     for op in rule.get("operations") or []))
    return WebhookConfigurations(
        pod_webhook=bool(pods), pod_failure_policy=pod.get("failurePolicy") or DEFAULT_FAILURE_POLICY,
        pod_namespace_selector=pod.get("namespaceSelector"), validating_operations=operations,
        validating_failure_policy=(validate[0].get("failurePolicy") if validate else None) or DEFAULT_FAILURE_POLICY,
        source=source)


def webhook_sees_namespace(namespace_labels: Mapping[str, str], hooks: WebhookConfigurations = CHART_WEBHOOKS) -> bool:
    """Whether pods of a namespace with these labels reach the pod webhook (its namespaceSelector; the chart's:
    k8s.aliyun.com/pod-eni NotIn ["false"], webhook.yaml:9-13)."""
    if not hooks.pod_webhook:
        return False
    try:
        return hooks.pod_namespace_matcher.matches(namespace_labels)
    except SelectorError:
        return False  # the API server does not register a webhook with a broken selector


@dataclass(frozen=True)
class PodNetworkingView:
    name: str
    spec: Mapping[str, Any]
    status: str = C.PODNETWORKING_STATUS_READY


def pod_networking_applies(pn: PodNetworkingView, pod_labels: Mapping[str, str],
                           namespace_labels: Mapping[str, str], workload_kind: str,
                           custom_kinds: Iterable[str] = (), hooks: WebhookConfigurations = CHART_WEBHOOKS) -> bool:
    """Whether the pod webhook gives `pn` to a new pod: not for pods labelled k8s.aliyun.com/ignore-by-terway
    "true" (TWY-v1.17.5 pkg/controller/webhook/mutating.go:90-92); matchOnePodNetworking (:289-346, same
    logic from v1.10.0 mutating.go:281): Ready only (:310), Fixed only for fixed-name pods (:313-318), each
    non-nil selector must match and at least one must be set (:320-343).
    SelectorError propagates: the webhook answers an error and the pod is not created (:138-141)."""
    if not webhook_sees_namespace(namespace_labels, hooks) or pod_labels.get(C.POD_IGNORE_BY_TERWAY_LABEL) == "true":
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


def pod_eni_resource(eni_type: str, enable_trunk: bool = True, inject_resource: bool = True) -> str | None:
    """The extended resource the pod webhook requests (1 per container 0) for a pod given a PodNetworking with
    `eni_type`: TWY-v1.17.5 pkg/controller/webhook/mutating.go:225-227 (only with enableWebhookInjectResource)
    and setResourceRequest :373-403 (a member ENI; a whole ENI for eniType ENI or with enableTrunk off)."""
    if not inject_resource:
        return None
    if enable_trunk and eni_type != "ENI":
        return C.POD_MEMBER_ENI_RESOURCE
    return C.POD_ENI_RESOURCE


def match_one(pns: Sequence[PodNetworkingView], pod_labels: Mapping[str, str], namespace_labels: Mapping[str, str],
              workload_kind: str, custom_kinds: Iterable[str] = ()) -> str | None:
    """Name of the PodNetworking a new pod gets, None when it keeps the shared ENI. Raises SelectorError when
    any PodNetworking met before a match has a broken selector. Terway walks the List of its informer cache,
    whose order is not defined (client-go's thread-safe store is a map); `pns` in list order stands in for
    it, so with several matches (SEL001) or a broken selector (SEL002) the real answer may differ."""
    kinds = tuple(custom_kinds)
    for pn in pns:
        if pod_networking_applies(pn, pod_labels, namespace_labels, workload_kind, kinds):
            return pn.name
    return None


# ---------------------------------------------------------------- eni_conf (terway daemon config)
# Go types of eni_conf's keys: TWY-v1.17.5 types/daemon/config.go:31-82 (Config), decoded with
# k8s.io/apimachinery/pkg/util/json (case-sensitive keys, unknown keys ignored, null keeps the zero value, an
# integer field takes only an integer literal that fits int64). Nested: backoff_override values are
# pkg/backoff/backoff.go:34-39 ExtendedBackoff (InitialDelay plus k8s wait.Backoff: Duration, Factor, Jitter,
# Steps, Cap; Go field names, no tags); extra_routes items types/route/route.go:3-5. Older lines have a few
# other keys (e.g. eni_cap_policy up to v1.16): unverified there, this table is v1.17.5's.
_BACKOFF_FIELDS = {"InitialDelay": "int", "Duration": "int", "Factor": "float64", "Jitter": "float64",
                   "Steps": "int", "Cap": "int"}
ENI_CONF_FIELD_TYPES: dict[str, str] = {
    "version": "string", "access_key": "string", "access_secret": "string", "region_id": "string",
    "credential_path": "string", "service_cidr": "string", "vswitches": "map[string][]string",
    "eni_tags": "map[string]string", "max_pool_size": "int", "min_pool_size": "int", "ip_warm_up_size": "int",
    "idle_ip_reclaim_after": "string", "idle_ip_reclaim_batch_size": "int", "idle_ip_reclaim_interval": "string",
    "idle_ip_reclaim_jitter_factor": "string", "min_eni": "int", "max_eni": "int", "prefix": "string",
    "security_group": "string", "security_groups": "[]string", "eni_cap_ratio": "float64", "eni_cap_shift": "int",
    "vswitch_selection_policy": "string", "eni_selection_policy": "string", "ip_stack": "string",
    "enable_eni_trunking": "bool", "enable_erdma": "bool", "custom_stateful_workload_kinds": "[]string",
    "ipam_type": "string", "backoff_override": "map[string]backoff", "extra_routes": "[]route",
    "disable_device_plugin": "bool", "eni_tag_filter": "map[string]string", "kube_client_qps": "float32",
    "kube_client_burst": "int", "resource_group_id": "string", "rate_limit": "map[string]int",
    "enable_patch_pod_ips": "bool", "ip_pool_sync_period": "string", "enable_ip_prefix": "bool",
    "ipv4_prefix_count": "int", "ipv6_prefix_count": "int",
}
_INT64 = (-(1 << 63), (1 << 63) - 1)


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
    """(mapping, None) or (None, reason): JSON as Go's encoding/json reads it (no NaN, Infinity). A number
    past float64 is refused too: ackstack re-writes the text (eni_conf_text), where it would become Infinity."""
    if isinstance(raw, str):
        try:
            value = json.loads(raw, parse_constant=_reject_constant)
        except _NonFinite as exc:
            return None, f"`{exc}` is not JSON (Go's encoding/json rejects NaN and Infinity)"
        except json.JSONDecodeError as exc:
            return None, f"not valid JSON ({exc.msg} at position {exc.pos})"
        except RecursionError:
            return None, "not valid JSON (nested too deeply)"
        if not isinstance(value, dict):
            return None, f"must be a JSON object, got {type(value).__name__}"
    else:
        value = dict(raw)
    bad = _non_finite_paths(value)
    if bad:
        return None, (f"{', '.join(bad)} is NaN or Infinity, which JSON cannot carry (Go's encoding/json "
                      f"rejects it)")
    return value, None


def _fits(kind: str, value: Any) -> bool:
    """Whether Go decodes `value` (from JSON) into a field of `kind` without an UnmarshalTypeError."""
    if value is None:
        return True
    if kind == "string":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and _INT64[0] <= value <= _INT64[1]
    if kind in ("float64", "float32"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        try:
            number = float(value)
            if kind == "float32":
                struct.pack("<f", number)  # rounds to the nearest float32 as strconv.ParseFloat(s, 32) does
        except OverflowError:
            return False
        return math.isfinite(number)
    if kind.startswith("[]"):
        return isinstance(value, list) and all(_fits(kind[2:], item) for item in value)
    if kind.startswith("map[string]"):
        return isinstance(value, Mapping) and all(_fits(kind[len("map[string]"):], item) for item in value.values())
    if kind == "backoff":
        return isinstance(value, Mapping) and all(_fits(_BACKOFF_FIELDS[k], v) for k, v in value.items()
                                                  if k in _BACKOFF_FIELDS)
    if kind == "route":
        return isinstance(value, Mapping) and _fits("string", value.get("dst"))
    raise ValueError(f"unknown Go kind {kind}")


def eni_conf_type_problems(conf: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for every eni_conf value Terway cannot decode into its Config struct: the daemon and
    terway-controlplane then refuse the whole eni_conf."""
    return [(key, f"must be {kind} (Terway decodes eni_conf into its Config, types/daemon/config.go; "
                  f"got {json.dumps(conf[key], default=str)[:60]})")
            for key, kind in ENI_CONF_FIELD_TYPES.items() if key in conf and not _fits(kind, conf[key])]


def eni_conf_problems(conf: Mapping[str, Any], version: str | None) -> list[tuple[str, str]]:
    """(eni_conf key, message) for what terway-eniip refuses at start (daemon/builder.go:147-158 at v1.17.5:
    decode, Populate, Config.Validate at the version's tag): a value of the wrong type; ip_stack other than "",
    ipv4, dual; more `security_groups` than the version allows (the list: Validate does not count
    `security_group`)."""
    rules = rules_for(version)
    problems = eni_conf_type_problems(conf)
    if problems:
        return problems
    stack = conf.get(C.ENI_CONF_IP_STACK_KEY) or ""
    if stack not in C.ENI_CONF_IP_STACKS:
        problems.append((C.ENI_CONF_IP_STACK_KEY, f"unsupported ipStack {stack} in configMap (Terway accepts "
                                                   f"{', '.join(repr(s) for s in C.ENI_CONF_IP_STACKS)})"))
    groups = conf.get(C.ENI_CONF_SECURITY_GROUPS_KEY) or []
    limit = security_group_limit(version, reader="daemon")
    if len(groups) > limit:
        problems.append((C.ENI_CONF_SECURITY_GROUPS_KEY,
                         f"security groups should not be more than {limit}, current "
                         f"{len(groups)} (Terway {rules.tag} and its line)"))
    return problems


def _read_eni_conf_text(text: str) -> tuple[dict | None, str | None]:
    """eni_conf text decoded as Go does: NaN/Infinity are not JSON, a number past float64 fails only in a
    typed field (eni_conf_type_problems), top-level null is an empty Config."""
    try:
        conf = json.loads(text, parse_constant=_reject_constant)
    except (_NonFinite, json.JSONDecodeError, RecursionError) as exc:
        return None, f"not valid JSON ({exc})"
    if conf is None:
        return {}, None
    if not isinstance(conf, dict):
        return None, f"must be a JSON object, got {type(conf).__name__}"
    return conf, None


def eni_conf_daemon(text: str, version: str | None) -> list[tuple[str, str]]:
    """eni_conf_problems for the text as terway-eniip reads it from the ConfigMap (daemon/builder.go:147-158
    at v1.17.5)."""
    conf, problem = _read_eni_conf_text(text)
    if problem is not None:
        return [("", problem)]
    return eni_conf_problems(conf, version)


def eni_security_groups(conf: Mapping[str, Any]) -> list[str]:
    """The groups every ENI Terway creates gets, and a PodNetworking created without securityGroupIDs: the
    sorted union of `security_group` and `security_groups` (TWY-v1.17.5 types/daemon/config.go:84-91)."""
    groups = set(conf.get(C.ENI_CONF_SECURITY_GROUPS_KEY) or [])
    if conf.get(C.ENI_CONF_SECURITY_GROUP_KEY):
        groups.add(conf[C.ENI_CONF_SECURITY_GROUP_KEY])
    return sorted(groups)


def eni_vswitch_ids(conf: Mapping[str, Any]) -> list[str]:
    """Every `vswitches` id, sorted, duplicates kept (TWY-v1.17.5 types/daemon/config.go:93-100)."""
    return sorted(v for ids in (conf.get(C.ENI_CONF_VSWITCHES_KEY) or {}).values() for v in ids or [])


def eni_conf_controlplane(text: str, version: str | None) -> tuple[dict | None, str | None]:
    """(eni_conf, None) as terway-controlplane reads kube-system/eni-config (ConfigFromConfigMap,
    TWY-v1.17.5 types/daemon/dynamicconfig.go:27-68, for its webhooks and pod controller), or (None, reason):
    empty text, not JSON, a value of the wrong type, ip_stack not ipv4/ipv6/dual ("" counts as ipv4), or more
    groups in the union than the line allows (Terway's message says 5 whatever the limit, :64)."""
    if text == "":
        return None, "terway configmap has no eni_conf filed"
    conf, problem = _read_eni_conf_text(text)
    if problem is not None:
        return None, f"error parse terway configmap eni-config, {problem}"
    problems = eni_conf_type_problems(conf)
    if problems:
        return None, f"error parse terway configmap eni-config, {problems[0][0]} {problems[0][1]}"
    stack = conf.get(C.ENI_CONF_IP_STACK_KEY) or "ipv4"
    if stack not in C.ENI_CONF_CONTROLPLANE_IP_STACKS:
        return None, "Key: 'Config.IPStack' Error:Field validation for 'IPStack' failed on the 'oneof' tag"
    groups = eni_security_groups(conf)
    if len(groups) > rules_for(version).eni_conf_max_security_groups:
        return None, f"security groups should not be more than 5, current {len(groups)}"
    return conf, None
