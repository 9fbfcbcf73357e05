"""`--compare BASE`: what this preview changes against what is deployed (or against a base preview).

BASE is either `pulumi stack export` output (deployment version 3: `deployment.resources[]` with `urn`,
`type`, `id`, `inputs`, `outputs`, `protect`, `parent`, `dependencies`) or an earlier
`python -m offline preview --json` document (e.g. of the base branch). Resources are matched by URN;
a file of another stack or project is refused (InputError, exit 2). Result: per resource create /
update / replace / delete with the fields that differ (old and new, secrets masked), and findings:

- REP001 (warning): an input that forces replacement in pulumi-alicloud changed; the message names the
  resource that would be REPLACED, the field, the old and the new value.
- REP002 (error): a one-way switch: Terway Trunk ENI turned off after it was on, or the cluster's CNI mode
  changing in place (Terway <-> BYOCNI). ACK cannot do either on a running cluster.
- REP003 (error): a stateful resource (STATEFUL_TYPES) of the base is gone (renamed or removed), so
  `pulumi up` would DELETE it and what it holds.
- REP004 (warning): a create-only input changed: the provider's Update ignores it, so the change never
  reaches the running resource; the message says what to do instead.
- REP005 (warning): the secrets-encryption KMS key is removed, which turns nothing off.
- REP010 (warning): a Fixed PodNetworking lost a zone (offline/compare_pinning.py).
- REP011 (warning): terway-controlplane is upgraded while the stack has PodNetworkings (its pod webhook's
  failurePolicy decides what pods created meanwhile get: the chart's Ignore leaves them on the shared ENI).
- REP015 (error): a protected resource would be replaced or deleted: `pulumi up` refuses.

How one field's change is classified (update in place / replace / ignored) is decided by ONE function,
`classify_field`, which asks `offline.provider_model.field_change` (the provider schema extracted at a
recorded commit); inputs are compared as the provider reads them back (`normalise_inputs`); see
docs/operations.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ackstack_core import constants as C
from offline.compare_pinning import fixed_zone_pinning
from offline.preview import InputError
from offline.provider_model import create_only_advice, field_change, source_of
from offline.provider_model import normalise_inputs as provider_read_back
from offline.resource_paths import entry_path, resource_paths

T_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
T_NODEPOOL = "alicloud:cs/nodePool:NodePool"
T_VSWITCH = "alicloud:vpc/switch:Switch"
T_VPC = "alicloud:vpc/network:Network"
T_SG = "alicloud:ecs/securityGroup:SecurityGroup"
T_ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
T_POD_NETWORKING = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"
T_SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
T_STACK = "pulumi:pulumi:Stack"
# Create-only cluster inputs ackstack itself keeps out of diffs (ignore_changes) and manages otherwise.
_IGNORED_BY_PROGRAM = ("addons",)
# Resources that hold state a deletion loses (addresses, nodes, ENI attachments, Fixed-IP allocations):
# protected in production stacks, and their deletion is an error (REP003).
STATEFUL_TYPES: tuple[str, ...] = (T_VPC, T_VSWITCH, T_SG, T_CLUSTER, T_NODEPOOL, T_POD_NETWORKING)
MASK_TEXT = "[secret]"
_UNKNOWN = ("[unknown]", MASK_TEXT)  # not comparable offline
_EMPTY = (None, "", [], {})
_ABSENT = None
_LABEL = {T_CLUSTER: "cluster", T_NODEPOOL: "node pool", T_VSWITCH: "vSwitch", T_VPC: "VPC", T_SG: "security group",
          T_ADDON: "add-on", T_SG_RULE: "security-group rule", T_POD_NETWORKING: "PodNetworking"}
ACTIONS = ("create", "update", "replace", "delete")


# ---------------------------------------------------------------- field classification (the one hook)
def classify_field(resource_type: str, path: str) -> str:
    """How pulumi-alicloud / pulumi-kubernetes apply a change of input `path` (dotted) of `resource_type`:
    "replace" (ForceNew), "update" (in place) or "ignored" (create-only: the provider never sends it again).
    A nested path takes its top-level field's behaviour."""
    return field_change(resource_type, path.split(".", 1)[0])


def normalise_inputs(resource_type: str, inputs: dict) -> dict:
    """Inputs as both sides can be compared: as the provider reads them back, without the state's own
    bookkeeping keys (`__defaults`, `__meta` in `pulumi stack export`)."""
    return provider_read_back(resource_type, {k: v for k, v in inputs.items() if not k.startswith("__")})


# ---------------------------------------------------------------- reading the base
@dataclass
class Baseline:
    """The base to compare with: resources by URN, already masked, and where they came from."""

    source: str  # "pulumi stack export" | "offline preview"
    path: str
    time: str = ""  # the export's `deployment.manifest.time`: when that state was written
    resources: dict[str, dict] = field(default_factory=dict)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"--compare file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read --compare file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--compare file {path} is not JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"--compare file {path} is nested too deeply") from None


def _mask_export(value: Any) -> Any:
    """`pulumi stack export` secrets ({sig: secret, ciphertext|plaintext}) become the preview's mask."""
    if isinstance(value, dict):
        if value.get(C.PULUMI_SIG_KEY) == C.PULUMI_SECRET_SIG:
            return "[secret]"
        return {k: _mask_export(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_export(v) for v in value]
    return value


def _urn_parts(urn: str) -> tuple[str, str, str] | None:
    """(stack, project, name) of `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    parts = urn.split("::")
    if len(parts) < 4 or not parts[0].startswith("urn:pulumi:"):
        return None
    return parts[0][len("urn:pulumi:"):], parts[1], parts[-1]


def load_baseline(path: str | Path, *, stack: str, project: str = "ackstack") -> Baseline:
    """The base resources of `path`; InputError (exit 2) when unreadable or of another stack/project."""
    path = Path(path)
    document = _read_json(path)
    if isinstance(document, dict) and "deployment" in document:
        if document.get("version") != C.PULUMI_DEPLOYMENT_VERSION:
            raise InputError(f"--compare file {path} is a stack export of version {document.get('version')!r}; "
                             f"only version {C.PULUMI_DEPLOYMENT_VERSION} (`pulumi stack export`) is read")
        deployment = document.get("deployment") or {}
        raw = deployment.get("resources") if isinstance(deployment, dict) else None
        raw = [] if raw is None else raw
        source = "pulumi stack export"
        manifest = deployment.get("manifest") if isinstance(deployment, dict) else None
        base_time = str(manifest.get("time") or "") if isinstance(manifest, dict) else ""
    else:
        raw = document.get("resources") if isinstance(document, dict) else None
        source = "offline preview"
        base_time = ""
        named = document.get("stack") if isinstance(document, dict) else None
        if isinstance(named, str) and named != stack:  # says so even when it registered nothing
            raise InputError(f"--compare file {path} is a preview of stack `{named}`, not stack `{stack}`: "
                             "refusing to compare")
    if not isinstance(raw, list) or not all(
        isinstance(r, dict) and isinstance(r.get("urn"), str) and isinstance(r.get("type"), str)
        and isinstance(r.get("inputs") or {}, dict) and isinstance(r.get("name") or "", str) for r in raw
    ):
        raise InputError(f"--compare file {path} is neither `pulumi stack export` output nor a "
                         "`python -m offline preview --json` document (no `resources` list of objects with "
                         "`urn` and `type`, `inputs` an object)")
    baseline = Baseline(source=source, path=str(path), time=base_time)
    for res in raw:
        parts = _urn_parts(res["urn"])
        if parts is None:
            raise InputError(f"--compare file {path}: `{res['urn']}` is not a Pulumi URN")
        if parts[:2] != (stack, project):
            raise InputError(f"--compare file {path} describes stack `{parts[0]}` of project `{parts[1]}`, not "
                             f"stack `{stack}` of project `{project}`: refusing to compare")
        if res["type"] == T_STACK or (res["type"].startswith("pulumi:providers:") and parts[2].startswith("default")):
            continue  # the CLI's own root and default providers: the program registers neither
        baseline.resources[res["urn"]] = {
            **res,  # a preview's extra records (e.g. PodNetworking `status`, REP010) stay available
            "urn": res["urn"], "type": res["type"], "name": res.get("name") or parts[2],
            "id": res.get("id") or "", "parent": res.get("parent"),
            "inputs": _mask_export(res.get("inputs") or {}), "protect": bool(res.get("protect")),
        }
    return baseline


# ---------------------------------------------------------------- the change
@dataclass
class Comparison:
    changes: dict
    findings: list[dict]


def _id_tokens(resources: list[dict], baseline: Baseline, run: Any) -> dict[str, str]:
    """Each side's resource ids -> a token naming the URN, so ids the cloud gave (export) and the offline
    engine's fake ids compare equal when they belong to the same resource."""
    tokens: dict[str, str] = {}
    for res in baseline.resources.values():
        if res["id"]:
            tokens[res["id"]] = f"<id of {res['urn']}>"
    for reg in getattr(run, "registrations", None) or []:
        if getattr(reg, "id", ""):
            tokens[reg.id] = f"<id of {reg.urn}>"
    for res in resources:
        if res.get("id"):
            tokens[res["id"]] = f"<id of {res['urn']}>"
    return tokens


def _tokenise(value: Any, tokens: dict[str, str]) -> Any:
    if isinstance(value, str):
        return tokens.get(value, value)
    if isinstance(value, dict):
        return {k: _tokenise(v, tokens) for k, v in value.items()}
    if isinstance(value, list):
        return [_tokenise(v, tokens) for v in value]
    return value


def field_diffs(old: dict, new: dict, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """(dotted path, old, new) of every input that differs; maps are descended into, lists compared whole."""
    out: list[tuple[str, Any, Any]] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, _ABSENT), new.get(key, _ABSENT)
        path = f"{prefix}{key}"
        if isinstance(before, dict) and isinstance(after, dict):
            out += field_diffs(before, after, path + ".")
        elif _changed(before, after):
            out.append((path, before, after))
    return out


def resource_change(before: dict | None, now: dict | None, tokens: dict[str, str]) -> dict:
    """One resource's action and field diffs."""
    res = now or before or {}
    entry = {"urn": res["urn"], "type": res["type"], "name": res.get("name", ""),
             "protect": bool((before or {}).get("protect") or (now or {}).get("protect")), "fields": []}
    if before is None:
        return {**entry, "action": "create"}
    if now is None:
        return {**entry, "action": "delete"}
    ignored = set((now.get("options") or {}).get("ignoreChanges") or [])
    old = _tokenise(normalise_inputs(res["type"], before.get("inputs") or {}), tokens)
    new = _tokenise(normalise_inputs(res["type"], now.get("inputs") or {}), tokens)
    kinds = set()
    for path, a, b in field_diffs(old, new):
        if path.split(".", 1)[0] in ignored:  # the program's ignoreChanges: Pulumi shows no diff
            continue
        kind = classify_field(res["type"], path)
        kinds.add(kind)
        entry["fields"].append({"field": path, "old": a, "new": b, "replaces": kind == "replace",
                                "ignored": kind == "ignored"})
    action = "replace" if "replace" in kinds else "update" if kinds else "same"
    return {**entry, "action": action}


def compare(result: Any, base: str | Path | Baseline) -> Comparison:
    """Changes and findings of `result` (a PreviewResult) against `base` (a Baseline or its file)."""
    baseline = base if isinstance(base, Baseline) else load_baseline(
        base, stack=result.stack, project=getattr(result.run, "project", None) or "ackstack")
    previous = baseline.resources
    current = {r["urn"]: r for r in result.resources}
    tokens = _id_tokens(result.resources, baseline, result.run)
    blocked_before_registration = not result.resources  # nothing registered: no deletion to speak of
    entries = [resource_change(previous.get(urn), now, tokens) for urn, now in current.items()]
    if not blocked_before_registration:
        entries += [resource_change(before, None, tokens) for urn, before in previous.items() if urn not in current]
    summary = {action: sum(1 for e in entries if e["action"] == action) for action in (*ACTIONS, "same")}
    changes = {"against": baseline.path, "source": baseline.source, "baseTime": baseline.time, "summary": summary,
               "resources": [e for e in entries if e["action"] != "same"]}
    paths = _ConfigPaths(getattr(result, "config", None))
    findings = _change_findings(changes["resources"], current, paths)
    findings += _kms_removed(previous, current)
    findings += _one_way_switches(previous, current, paths)
    findings += fixed_zone_pinning(previous, current)  # REP010 (offline/compare_pinning.py, issue 12)
    findings += _controlplane_upgrade(previous, current, getattr(result, "plan", None))
    return Comparison(changes=changes, findings=findings)


def compare_findings(result: Any, previous_json_path: str | Path) -> list[dict]:
    """Findings for `result` (a PreviewResult) against the base at `previous_json_path`."""
    return compare(result, previous_json_path).findings


def _change_findings(entries: list[dict], current: dict[str, dict], paths: _ConfigPaths) -> list[dict]:
    findings: list[dict] = []
    for entry in entries:
        label = _LABEL.get(entry["type"], entry["type"])
        name, urn = entry["name"], entry["urn"]
        replaced = [f for f in entry["fields"] if f["replaces"]]
        if entry["action"] == "replace" and entry["protect"]:
            what = ", ".join(f"`{f['field']}` {_show(f['old'])} -> {_show(f['new'])}" for f in replaced)
            findings.append(_finding("REP015", "error", paths.path(current[urn], replaced[0]["field"]), urn,
                                     f"{label} `{name}` is protected but would be REPLACED ({what}): `pulumi up` "
                                     "refuses; keep the field, or unprotect and migrate (docs/operations.md)"))
        elif entry["action"] == "replace":
            for f in replaced:
                findings.append(_finding("REP001", "warning", paths.path(current[urn], f["field"]), urn,
                                         f"{label} `{name}` would be REPLACED: `{f['field']}` changes from "
                                         f"{_show(f['old'])} to {_show(f['new'])} (ForceNew in pulumi-alicloud, "
                                         f"{source_of(entry['type'], f['field'].split('.', 1)[0])})"))
        if entry["action"] in ("update", "replace"):
            for f in entry["fields"]:
                top = f["field"].split(".", 1)[0]
                if not f["ignored"] or (entry["type"] == T_CLUSTER and top in _IGNORED_BY_PROGRAM):
                    continue
                findings.append(_finding(
                    "REP004", "warning", paths.path(current[urn], top), urn,
                    f"{label} `{name}`: `{f['field']}` changes from {_show(f['old'])} to {_show(f['new'])}, but the "
                    f"provider only sends it at creation ({source_of(entry['type'], top)}); the change will NOT "
                    f"reach the running resource. Instead: {create_only_advice(entry['type'], top)}"))
        if entry["action"] == "delete" and entry["protect"]:
            findings.append(_finding("REP015", "error", "", urn,
                                     f"{label} `{name}` is protected but would be DELETED (renamed or removed in "
                                     "config): `pulumi up` refuses; restore its config entry and name"))
        elif entry["action"] == "delete" and entry["type"] in STATEFUL_TYPES:
            findings.append(_finding("REP003", "error", "", urn,
                                     f"{label} `{name}` of the base is gone: `pulumi up` would DELETE it and what "
                                     "it holds (renamed or removed in config); restore its config entry and name"))
    return findings


def _kms_removed(previous: dict[str, dict], current: dict[str, dict]) -> list[dict]:
    """REP005: dropping the secrets-encryption key sends nothing (UpdateKMSEncryption gets no key, disable_encryption
    is not said), so Secrets stay encrypted while the config says otherwise."""
    out = []
    for urn, now in current.items():
        before = previous.get(urn)
        if before is None or now["type"] != T_CLUSTER:
            continue
        old = (before.get("inputs") or {}).get("encryptionProviderKey")
        new = (now.get("inputs") or {}).get("encryptionProviderKey")
        if old not in _EMPTY and old not in _UNKNOWN and new in _EMPTY:
            out.append(_finding(
                "REP005", "warning", "ackstack:cluster.secretsEncryptionKmsKeyId", urn,
                f"cluster `{now['name']}`: removing secretsEncryptionKmsKeyId ({old}) does not turn Secrets encryption "
                "off: the provider sends no key and ackstack does not set disable_encryption, so the cluster keeps "
                f"encrypting with the old key ({source_of(T_CLUSTER, 'disableEncryption')}). Keep the key, or turn "
                "encryption off in the ACK console deliberately"))
    return out


def _controlplane_versions(resource: dict) -> list[str]:
    """terway-controlplane versions a resource's inputs install (a KubernetesAddon, or the cluster's `addons`)."""
    inputs = resource.get("inputs") or {}
    entries = [inputs] if resource["type"] == T_ADDON else inputs.get("addons") if resource["type"] == T_CLUSTER else []
    return [a["version"] for a in entries or [] if isinstance(a, dict) and a.get("name") == C.ADDON_TERWAY_CONTROLPLANE
            and isinstance(a.get("version"), str) and a.get("version")]


def _controlplane_upgrade(previous: dict[str, dict], current: dict[str, dict], plan: Any) -> list[dict]:
    """REP011: terway-controlplane moves to a newer version while the stack has PodNetworkings; pods created
    while it restarts meet its pod webhook's failurePolicy (the chart's Ignore: they keep the shared ENI)."""
    from ackstack_core import terway_webhook as W
    from components.validation.rules_adopted import upgrade_window_message

    if not any(r["type"] == T_POD_NETWORKING for r in current.values()):
        return []
    hooks = plan.webhooks() if plan is not None else W.CHART_WEBHOOKS
    out = []
    for urn, now in current.items():
        before = previous.get(urn)
        if before is None:
            continue
        for old, new in zip(_controlplane_versions(before), _controlplane_versions(now), strict=False):
            if (W.parse_version(new) or (0, 0, 0)) > (W.parse_version(old) or (0, 0, 0)) and old != new:
                out.append(_finding(
                    "REP011", "warning", "ackstack:cni.controlplaneVersion", urn,
                    f"terway-controlplane is upgraded {old} -> {new} while PodNetworkings are in use: "
                    f"{upgrade_window_message(hooks)} ({hooks.source}). Upgrade when no pods are being created, then "
                    "check with `python -m offline verify --canary`"))
    return out


# ---------------------------------------------------------------- one-way switches
def _one_way_switches(previous: dict[str, dict], current: dict[str, dict], paths: _ConfigPaths) -> list[dict]:
    out: list[dict] = []
    for urn, now in current.items():
        before = previous.get(urn)
        if before is None or now["type"] != T_CLUSTER:
            continue
        old_mode, new_mode = cni_mode(before, previous), cni_mode(now, current)
        if old_mode and new_mode and old_mode != new_mode:
            out.append(_finding(
                "REP002", "error", "ackstack:cni.mode", urn,
                f"cluster `{now['name']}` would change its CNI from {old_mode} to {new_mode} in place: ACK installs the "
                "CNI at cluster creation and cannot swap it on a running cluster (pods would lose their network). "
                "Create a new cluster (new `cluster.name`) and migrate workloads; see docs/operations.md"))
            continue
        if trunking(before, previous) is True and trunking(now, current) is False:
            out.append(_finding(
                "REP002", "error", "ackstack:cni.trunking", urn,
                f"cluster `{now['name']}` would turn Terway Trunk ENI off after it was on: trunking cannot be "
                "disabled once enabled (ACK/Terway: enable_eni_trunking is one-way; PodNetworking pods hold trunk "
                "member ENIs). Keep `cni.trunking: true`, or build a new cluster; see docs/operations.md"))
    out += _eni_conf_trunking(previous, current)
    return out


def _addons(cluster: dict, resources: dict[str, dict]) -> dict[str, dict]:
    """Add-ons of a cluster: its creation-time `addons`, overlaid by KubernetesAddon resources (which own
    the config after creation)."""
    found: dict[str, dict] = {}
    for addon in (cluster.get("inputs") or {}).get("addons") or []:
        if isinstance(addon, dict) and isinstance(addon.get("name"), str):
            found[addon["name"]] = addon
    for res in resources.values():
        if res.get("type") == T_ADDON and res.get("parent") == cluster.get("parent"):
            inputs = res.get("inputs") or {}
            if isinstance(inputs.get("name"), str):
                found[inputs["name"]] = {**found.get(inputs["name"], {}), **inputs}
    return found


def cni_mode(cluster: dict, resources: dict[str, dict]) -> str | None:
    """`terway` or `byocni` as ACK sees the cluster (add-ons and pod network inputs), None if unknown."""
    addons = {k: v for k, v in _addons(cluster, resources).items() if not v.get("disabled")}
    inputs = cluster.get("inputs") or {}
    if any(name in C.TERWAY_ADDON_NAMES for name in addons) or inputs.get("podVswitchIds"):
        return "terway"
    flannel = _addons(cluster, resources).get(C.ADDON_FLANNEL)
    if inputs.get("podCidr") and (flannel is None or flannel.get("disabled")):
        return "byocni"
    return None


def trunking(cluster: dict, resources: dict[str, dict]) -> bool | None:
    """ENITrunking of terway-eniip (None: not Terway or not said)."""
    addon = _addons(cluster, resources).get(C.ADDON_TERWAY_ENIIP)
    if addon is None or addon.get("disabled"):
        return None
    config = _json_object(addon.get("config"))
    value = config.get(C.TERWAY_CONFIG_KEY_TRUNKING) if config else None
    return None if value is None else str(value).lower() == "true"


def _eni_conf_trunking(previous: dict[str, dict], current: dict[str, dict]) -> list[dict]:
    """The adopted-cluster path patches kube-system/eni-config; `enable_eni_trunking` true -> false is one-way too."""
    out = []
    for urn, now in current.items():
        before = previous.get(urn)
        if before is None or not str(now.get("type", "")).startswith("kubernetes:core/v1:ConfigMap"):
            continue
        old, new = _eni_conf_flag(before), _eni_conf_flag(now)
        if old is True and new is False:
            out.append(_finding("REP002", "error", "ackstack:cni.trunking", urn,
                                f"ConfigMap `{C.ENI_CONFIG_CONFIGMAP_NAME}` would set {C.ENI_CONF_TRUNKING_KEY} from "
                                "true to false: Trunk ENI cannot be turned off once enabled; see docs/operations.md"))
    return out


def _eni_conf_flag(resource: dict) -> bool | None:
    inputs = resource.get("inputs") or {}
    metadata = inputs.get("metadata") if isinstance(inputs.get("metadata"), dict) else {}
    if metadata.get("name") != C.ENI_CONFIG_CONFIGMAP_NAME:
        return None
    data = inputs.get("data") if isinstance(inputs.get("data"), dict) else {}
    conf = _json_object(data.get(C.ENI_CONFIG_DATA_KEY))
    value = conf.get(C.ENI_CONF_TRUNKING_KEY) if conf else None
    return None if value is None else (value is True or str(value).lower() == "true")


# ---------------------------------------------------------------- helpers
class _ConfigPaths:
    """Config path of a resource field: the entry that made the resource (offline.resource_paths), plus the
    leaf the field comes from where one config key maps to it."""

    _CLUSTER = {"podCidr": "cni.podCidr", "nodeCidrMask": "cni.nodeCidrMask", "serviceCidr": "cluster.serviceCidr",
                "proxyMode": "cluster.proxyMode", "slbInternetEnabled": "cluster.apiServer.public",
                "loadBalancerSpec": "cluster.apiServer.loadBalancerSpec",
                "encryptionProviderKey": "cluster.secretsEncryptionKmsKeyId", "podVswitchIds": "network.vswitches"}
    _LEAF = {(T_VPC, "cidrBlock"): "cidr", (T_VSWITCH, "cidrBlock"): "cidr", (T_VSWITCH, "zoneId"): "zoneId",
             (T_SG, "securityGroupType"): "type", (T_NODEPOOL, "securityGroupIds"): "securityGroups"}

    def __init__(self, config: Any):
        self.config = config
        self.entries = resource_paths(config)

    def path(self, resource: dict, field: str) -> str:
        kind, name = resource["type"], resource.get("name", "")
        if self.config is None or kind == T_CLUSTER and field not in self._CLUSTER:
            return ""
        if kind == T_CLUSTER:
            return f"ackstack:{self._CLUSTER[field]}"
        entry = entry_path(self.entries, self.config, kind, name)
        if not entry:
            return ""
        leaf = self._LEAF.get((kind, field))
        return f"{entry}.{leaf}" if leaf else entry


def _changed(old: Any, new: Any) -> bool:
    if MASK_TEXT in (old, new) and _ABSENT in (old, new):  # a secret set or dropped: its value is hidden, not the change
        return True
    if old in _UNKNOWN or new in _UNKNOWN or old == new or (old in _EMPTY and new in _EMPTY):
        return False
    if isinstance(old, str) and isinstance(new, str) and _json_object(old) is not None:
        return _json_object(old) != _json_object(new)  # JSON config strings: key order is not a change
    if isinstance(old, list) and isinstance(new, list):  # same members, other order: not a replacement
        try:
            return sorted(map(_canon, old)) != sorted(map(_canon, new))
        except TypeError:
            return True
    return True


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _json_object(text: Any) -> dict | None:
    if isinstance(text, dict):
        return text
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _show(value: Any) -> str:
    text = "(unset)" if value is None else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _finding(rule: str, level: str, path: str, urn: str, message: str) -> dict:
    return {"source": "compare", "rule": rule, "level": level, "path": path, "urn": urn, "message": message}
