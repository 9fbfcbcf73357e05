"""`--compare BASE`: what this preview changes against what is deployed (or against a base preview).

BASE is either `pulumi stack export` output (deployment version 3: `deployment.resources[]` with `urn`,
`type`, `id`, `inputs`, `outputs`, `protect`, `parent`, `dependencies`) or an earlier
`ackstack preview --json` document (e.g. of the base branch). Resources are matched by URN;
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
- REP010 (warning): a Fixed PodNetworking lost a zone (ackstack/preview/compare_pinning.py).
- REP011 (warning): terway-controlplane is upgraded while the stack has PodNetworkings (its pod webhook's
  failurePolicy decides what pods created meanwhile get: the chart's Ignore leaves them on the shared ENI).
- REP015 (error): a protected resource would be replaced or deleted: `pulumi up` refuses.
- REP016 (warning): the cluster's node vSwitches (`vswitchIds`) change, which ModifyCluster sends.
- REP017 (error): a resource whose deletion is an outage (OUTAGE_ON_DELETE: the CNI add-ons, the Cilium release)
  of the base is gone and was not protected there (protected, it is REP015).

Each resource's step is planned the way the real engine plans it, by the same functions the provider
plugins answer the real CLI with (`ackstack.engine.plan_steps`): the provider's Check fills the new inputs in
(the bridge's defaults, kept stable by the old inputs' `__defaults`), its Diff compares them with the
state (an export's outputs, as last read: drift shows) field by field (a TypeList's order counts, a
TypeSet's does not), and a ForceNew change replaces. Whether a changed field ever reaches the running
resource (create-only fields, REP004) is `ackstack.engine.provider_model.field_change`; see docs/operations.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ackstack.engine import bridge
from ackstack.engine.engine_view import texts, unknown_where
from ackstack.engine.plan_steps import checked_inputs, planned_diff, step_op
from ackstack.engine.provider_model import T_HELM_RELEASE, create_only_advice, field_change, source_of
from ackstack.inputs.errors import InputError
from ackstack.preview.compare_pinning import fixed_zone_pinning
from ackstack.preview.resource_paths import entry_path, resource_paths
from ackstack_core import constants as C
from ackstack_core.provider_schema import SCHEMA

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
# Source: terraform-provider-alicloud resource_alicloud_cs_managed_kubernetes.go:1658-1661 (PROVIDER_COMMIT):
# a vswitch_ids change is sent as ModifyCluster VswitchIds (ACK ModifyCluster API, vswitch_ids: the control
# plane's vSwitches)
CLUSTER_VSWITCH_UPDATE = "resource_alicloud_cs_managed_kubernetes.go:1658-1661, ModifyCluster vswitch_ids"
# Resources that hold state a deletion loses (addresses, nodes, ENI attachments, Fixed-IP allocations):
# protected in production stacks, and their deletion is an error (REP003).
STATEFUL_TYPES: tuple[str, ...] = (T_VPC, T_VSWITCH, T_SG, T_CLUSTER, T_NODEPOOL, T_POD_NETWORKING)
# What every pod's network needs, by type and `name` input: deleting one is an outage, so they are protected in
# production stacks and their deletion is an error (REP017). The add-ons are C.ADDONS_NEVER_UNINSTALLED (why:
# there); the release is the cluster's CNI on BYOCNI (components/cilium.py).
OUTAGE_ON_DELETE: dict[str, tuple[str, ...]] = {T_ADDON: C.ADDONS_NEVER_UNINSTALLED,
                                                T_HELM_RELEASE: (C.CILIUM_RELEASE_NAME,)}
MASK_TEXT = "[secret]"
_UNKNOWN = ("[unknown]", MASK_TEXT)  # not comparable offline
_EMPTY = (None, "", [], {})
_ABSENT = None
_LIST_INDEX = re.compile(r"\[(\d+)\]")  # a list item of a detailed-diff path (`vswitchIds[1]`)
_LABEL = {T_CLUSTER: "cluster", T_NODEPOOL: "node pool", T_VSWITCH: "vSwitch", T_VPC: "VPC", T_SG: "security group",
          T_ADDON: "add-on", T_SG_RULE: "security-group rule", T_POD_NETWORKING: "PodNetworking",
          T_HELM_RELEASE: "Helm release"}
ACTIONS = ("create", "update", "replace", "delete")
# Keys the engine writes into an explicit provider's inputs (seen in the real CLI's state; ackstack/engine/engine_view.py).
ENGINE_PROVIDER_KEYS = ("__internal", "version")


# ---------------------------------------------------------------- field classification (the one hook)
# ---------------------------------------------------------------- reading the base
@dataclass
class Baseline:
    """The base to compare with: resources by URN, already masked, and where they came from."""

    source: str  # "pulumi stack export" | "offline preview"
    path: str
    time: str = ""  # the export's `deployment.manifest.time`: when that state was written
    resources: dict[str, dict] = field(default_factory=dict)


def _read_json(path: Path) -> Any:
    from ackstack.inputs.input_file import InputFileError, read_input_file

    try:
        text = read_input_file(path, "--compare file", C.COMPARE_MAX_BYTES).decode("utf-8")
    except InputFileError as exc:
        raise InputError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read --compare file {path}: {exc}") from None
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
                         "`ackstack preview --json` document (no `resources` list of objects with "
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
        if res.get("external"):
            continue  # read with `Resource.get`, not managed: never created, updated or deleted by the stack
        masked = _mask_export(res)  # no secret is kept, not even as ciphertext: nothing here can print one
        baseline.resources[res["urn"]] = {
            **masked,  # a preview's extra records (e.g. PodNetworking `status`, REP010) stay available
            "urn": res["urn"], "type": res["type"], "name": res.get("name") or parts[2],
            "id": res.get("id") or "", "parent": res.get("parent"),
            "inputs": masked.get("inputs") or {}, "protect": bool(res.get("protect")),
            # The state the provider diffs against: an export's outputs as last read (a preview has none).
            "state": masked["outputs"] if isinstance(res.get("outputs"), dict) else None,
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


def resource_change(before: dict | None, now: dict | None, tokens: dict[str, str],
                    unknown: set[str] = frozenset()) -> dict:
    """One resource's action and the fields that differ, as the engine plans the step; `unknown`: texts
    (ids, computed outputs) of resources this update replaces or creates, which a preview does not know."""
    res = now or before or {}
    entry = {"urn": res["urn"], "type": res["type"], "name": res.get("name", ""),
             "protect": bool((before or {}).get("protect") or (now or {}).get("protect")), "fields": []}
    if before is None:
        return {**entry, "action": "create"}
    if now is None:
        return {**entry, "action": "delete"}
    type_, options = res["type"], now.get("options") or {}
    old_inputs = _comparable(_tokenise(before.get("inputs") or {}, tokens))
    if type_.startswith("pulumi:providers:"):  # what the engine adds to a provider's inputs is not the program's
        old_inputs = {k: v for k, v in old_inputs.items() if k not in ENGINE_PROVIDER_KEYS}
    if before.get("state") is None:  # a base preview holds the program's inputs: check them as the engine would have
        old_inputs, _refusals = checked_inputs(type_, res.get("name", ""), old_inputs)
    state = old_inputs if before.get("state") is None else _comparable(_tokenise(before["state"], tokens))
    new_inputs = unknown_where(_comparable(_tokenise(now.get("inputs") or {}, tokens)), unknown)
    for key, urns in (now.get("propertyDependencies") or {}).items():
        # A secret carrying a replaced or created resource's output (the kubeconfig of a new cluster) is unknown too.
        if new_inputs.get(key) == MASK_TEXT and {f"<id of {u}>" for u in urns} & unknown:
            new_inputs[key] = bridge.UNKNOWN
    news, _refusals = checked_inputs(type_, res.get("name", ""), new_inputs, old_inputs)
    diff = planned_diff(type_, state, news, old_inputs, options.get("ignoreChanges") or ())
    compared_with = state if type_.startswith("alicloud:") else old_inputs
    for path, kind in sorted(diff.detailed.items()):
        old, new = _at(compared_with, path), _at(news, path)
        if _hidden(old, new) and not (bridge.is_unknown(new) and unknown):
            continue
        top = bridge._top(path)
        entry["fields"].append({"field": path, "old": old, "new": new, "replaces": kind.endswith("_REPLACE"),
                                "ignored": field_change(type_, top) == "ignored"})
    shown = {bridge._top(f["field"]) for f in entry["fields"]}
    diff.detailed = {p: k for p, k in diff.detailed.items() if bridge._top(p) in shown}
    diff.replaces = [r for r in diff.replaces if r in shown]
    return {**entry, "action": step_op(diff, options.get("replaceOnChanges") or ())}


def _behind_unknown_providers(entries: list[dict], current: dict[str, dict]) -> list[dict]:
    """A resource whose provider's configuration is not known in this preview (a Kubernetes provider whose
    kubeconfig is a replaced cluster's) cannot be diffed: the engine shows it as an update (pulumi
    sdk/v3@v3.276.0 go/common/resource/plugin/provider_plugin.go:1303-1310, DiffUnavailable)."""
    unknown_providers = {e["urn"] for e in entries if e["type"].startswith("pulumi:providers:")
                         and any(bridge.is_unknown(f["new"]) for f in e["fields"])}
    out = []
    for entry in entries:
        provider = str((current.get(entry["urn"]) or {}).get("provider") or "").rsplit("::", 1)[0]
        if entry["action"] == "same" and provider in unknown_providers:
            entry = {**entry, "action": "update", "fields": [
                {"field": "(provider configuration)", "old": None, "new": bridge.UNKNOWN, "replaces": False,
                 "ignored": False}]}
        out.append(entry)
    return out


def _unknown_texts(entries: list[dict], previous: dict[str, dict], tokens: dict[str, str]) -> set[str]:
    """What a preview does not know: the ids and computed-only outputs of resources being replaced or created."""
    out: set[str] = set()
    for entry in entries:
        if entry["action"] not in ("replace", "create"):
            continue
        own = f"<id of {entry['urn']}>"
        out.add(own)
        state = (previous.get(entry["urn"]) or {}).get("state") or {}
        fields = (SCHEMA.get(entry["type"]) or {}).get("fields", {})
        for key, spec in fields.items():
            if spec.get("computed") and not (spec.get("optional") or spec.get("required")) and key in state:
                # Another resource's id it reports (the cluster's vpcId) is that resource's, and known.
                out |= {t for t in texts(_tokenise(state[key], tokens))
                        if t not in _EMPTY and not (t.startswith("<id of ") and t != own)}
    return out


def _comparable(value: Any) -> Any:
    """The preview's masks back to what the provider sees: `[unknown]` is the engine's unknown."""
    if value == "[unknown]":
        return bridge.UNKNOWN
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items() if k != "__meta"}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _hidden(old: Any, new: Any) -> bool:
    """Neither side can be read: an unknown, or a secret on both sides (its value is hidden, not the change)."""
    return bridge.is_unknown(new) or bridge.is_unknown(old) or (old == MASK_TEXT and new == MASK_TEXT)


def _at(value: Any, path: str) -> Any:
    """The value at a detailed-diff path (`tags.team`, `vswitchIds[1]`, `maintenanceWindow.enable`)."""
    for part in path.replace("[", ".[").split("."):
        if item := _LIST_INDEX.fullmatch(part):
            index = int(item[1])
            value = value[index] if isinstance(value, list) and index < len(value) else _ABSENT
        else:
            value = value.get(part, _ABSENT) if isinstance(value, dict) else _ABSENT
    return value


def compare(result: Any, base: str | Path | Baseline) -> Comparison:
    """Changes and findings of `result` (a PreviewResult) against `base` (a Baseline or its file)."""
    baseline = base if isinstance(base, Baseline) else load_baseline(
        base, stack=result.stack, project=getattr(result.run, "project", None) or "ackstack")
    previous = baseline.resources
    current = {r["urn"]: r for r in result.resources}
    tokens = _id_tokens(result.resources, baseline, result.run)
    blocked_before_registration = not result.resources  # nothing registered: no deletion to speak of
    entries = [resource_change(previous.get(urn), now, tokens) for urn, now in current.items()]
    # A preview does not know what a replaced or created resource will compute (its id, its endpoint):
    # every input that carries one is unknown, which changes (or replaces) its resource too, and so on.
    unknown: set[str] = set()
    while (grown := _unknown_texts(entries, previous, tokens)) != unknown:
        unknown = grown
        entries = [resource_change(previous.get(urn), now, tokens, unknown) for urn, now in current.items()]
    entries = _behind_unknown_providers(entries, current)
    if not blocked_before_registration:
        entries += [resource_change(before, None, tokens) for urn, before in previous.items() if urn not in current]
    summary = {action: sum(1 for e in entries if e["action"] == action) for action in (*ACTIONS, "same")}
    changes = {"against": baseline.path, "source": baseline.source, "baseTime": baseline.time, "summary": summary,
               "resources": [e for e in entries if e["action"] != "same"]}
    paths = _ConfigPaths(getattr(result, "config", None))
    findings = _change_findings(changes["resources"], previous, current, paths)
    findings += _kms_removed(previous, current)
    findings += _one_way_switches(previous, current, paths)
    findings += fixed_zone_pinning(previous, current)  # REP010 (ackstack/preview/compare_pinning.py, issue 12)
    findings += _controlplane_upgrade(previous, current, getattr(result, "plan", None))
    return Comparison(changes=changes, findings=findings)


def compare_findings(result: Any, previous_json_path: str | Path) -> list[dict]:
    """Findings for `result` (a PreviewResult) against the base at `previous_json_path`."""
    return compare(result, previous_json_path).findings


def outage_on_delete(resource: dict) -> bool:
    """Deleting it takes pods off the network (OUTAGE_ON_DELETE)."""
    return (resource.get("inputs") or {}).get("name") in OUTAGE_ON_DELETE.get(resource.get("type", ""), ())


def _change_findings(entries: list[dict], previous: dict[str, dict], current: dict[str, dict],
                     paths: _ConfigPaths) -> list[dict]:
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
                                         f"{source_of(entry['type'], bridge._top(f['field']))})"))
        if entry["action"] in ("update", "replace"):
            ignored: dict[str, list[dict]] = {}
            for f in entry["fields"]:
                top = bridge._top(f["field"])
                if f["ignored"] and not (entry["type"] == T_CLUSTER and top in _IGNORED_BY_PROGRAM):
                    ignored.setdefault(top, []).append(f)
            for top, leaves in ignored.items():
                what = "; ".join(f"`{f['field']}` changes from {_show(f['old'])} to {_show(f['new'])}" for f in leaves)
                findings.append(_finding(
                    "REP004", "warning", paths.path(current[urn], top), urn,
                    f"{label} `{name}`: {what}, but the provider only sends `{top}` at creation "
                    f"({source_of(entry['type'], top)}); the change will NOT reach the running resource. "
                    f"Instead: {create_only_advice(entry['type'], top)}"))
        if entry["action"] == "update" and entry["type"] == T_CLUSTER:
            for f in entry["fields"]:
                if bridge._top(f["field"]) == "vswitchIds" and not f["ignored"]:
                    findings.append(_finding(
                        "REP016", "warning", paths.path(current[urn], "vswitchIds"), urn,
                        f"{label} `{name}`: the control-plane vSwitches change from {_show(f['old'])} to "
                        f"{_show(f['new'])}; the provider sends them through ModifyCluster "
                        f"({CLUSTER_VSWITCH_UPDATE}), which moves the managed control plane (its endpoints restart; "
                        "unverified how long): apply it in a maintenance window"))
                    break
        if entry["action"] == "delete" and entry["protect"]:
            findings.append(_finding("REP015", "error", "", urn,
                                     f"{label} `{name}` is protected but would be DELETED (renamed or removed in "
                                     "config): `pulumi up` refuses; restore its config entry and name"))
        elif entry["action"] == "delete" and outage_on_delete(previous[urn]):
            findings.append(_finding("REP017", "error", "", urn,
                                     f"{label} `{name}` of the base is gone: deleting it takes pods off the network "
                                     "(an outage; production stacks protect it); restore it in the program"))
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
    from components.validation.rules_twy import UPGRADE_ADVICE, upgrade_window_message

    if not any(r["type"] == T_POD_NETWORKING for r in current.values()):
        return []
    hooks = plan.webhooks() if plan is not None else W.CHART_WEBHOOKS
    out = []
    for urn, now in current.items():
        before = previous.get(urn)
        if before is None:
            continue
        for old, new in zip(_controlplane_versions(before), _controlplane_versions(now), strict=False):
            old_version, new_version = W.parse_version(old), W.parse_version(new)
            if old_version is not None and new_version is not None and new_version > old_version:
                out.append(_finding(
                    "REP011", "warning", "ackstack:cni.controlplaneVersion", urn,
                    f"terway-controlplane is upgraded {old} -> {new} while PodNetworkings are in use: "
                    f"{upgrade_window_message(hooks)} ({hooks.source}). {UPGRADE_ADVICE}"))
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
    """Config path of a resource field: the entry that made the resource (ackstack.preview.resource_paths), plus the
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
        kind, name, field = resource["type"], resource.get("name", ""), bridge._top(field)
        if self.config is None or kind == T_CLUSTER and field not in self._CLUSTER:
            return ""
        if kind == T_CLUSTER:
            return f"ackstack:{self._CLUSTER[field]}"
        entry = entry_path(self.entries, self.config, kind, name)
        if not entry:
            return ""
        leaf = self._LEAF.get((kind, field))
        return f"{entry}.{leaf}" if leaf else entry


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
    if bridge.is_unknown(value):
        return "(not known before the resource it comes from is replaced or created)"
    text = "(unset)" if value is None else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _finding(rule: str, level: str, path: str, urn: str, message: str) -> dict:
    return {"source": "compare", "rule": rule, "level": level, "path": path, "urn": urn, "message": message}


COMPARISON_NOT_RUN = "comparison did not run: the program stopped before it planned anything (fix the errors first)"


def change_summary(changes: dict) -> str:
    """`2 to create, 1 to update, ...` or `no change`, against the base (or why there is no comparison)."""
    if changes.get("notRun"):
        return changes["notRun"]
    counts = changes["summary"]
    parts = [f"{counts[a]} to {a}" for a in ("create", "update", "replace", "delete") if counts.get(a)]
    return ", ".join(parts) if parts else "no change"
