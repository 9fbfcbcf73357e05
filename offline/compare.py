"""`--compare PREVIOUS.json`: what this preview would replace, or refuse, relative to a previous preview.

Both sides are `python -m offline preview --json` documents (this run's `PreviewResult.resources` and
the previous file's `resources`), matched by URN. Findings:

- REP001 (warning): an input that forces replacement in pulumi-alicloud changed; the message names the
  resource that would be REPLACED, the field, the old and the new value.
- REP002 (error): a one-way switch: Terway Trunk ENI turned off after it was on, or the cluster's CNI mode
  changing in place (Terway <-> BYOCNI). ACK cannot do either on a running cluster.
- REP003 (warning): a cluster, VPC or vSwitch of the previous preview is gone (renamed or removed), so
  `pulumi up` would delete it.
- REP004 (warning): a create-only input changed: the provider's Update ignores it, so the change never
  reaches the running resource; the message says what to do instead.
- REP005 (warning): the secrets-encryption KMS key is removed, which turns nothing off.

Whether a field updates, replaces or is ignored comes from `offline.provider_model.field_change` (the
provider schema extracted at a recorded commit); see docs/operations.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ackstack_core import constants as C
from offline.compare_pinning import fixed_zone_pinning
from offline.preview import InputError
from offline.provider_model import create_only_advice, field_change, normalise_inputs, source_of

T_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
T_NODEPOOL = "alicloud:cs/nodePool:NodePool"
T_VSWITCH = "alicloud:vpc/switch:Switch"
T_VPC = "alicloud:vpc/network:Network"
T_SG = "alicloud:ecs/securityGroup:SecurityGroup"
T_ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"

T_SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
_DELETION_WATCHED = (T_CLUSTER, T_VPC, T_VSWITCH)
# Create-only cluster inputs ackstack itself keeps out of diffs (ignore_changes) and manages otherwise.
_IGNORED_BY_PROGRAM = ("addons",)
_UNKNOWN = ("[unknown]", "[secret]")  # not comparable offline
_EMPTY = (None, "", [], {})
_LABEL = {T_CLUSTER: "cluster", T_NODEPOOL: "node pool", T_VSWITCH: "vSwitch", T_VPC: "VPC", T_SG: "security group",
          T_ADDON: "add-on", T_SG_RULE: "security-group rule"}


def load_previous(path: str | Path) -> list[dict]:
    """The `resources` of a previous `--json` document; InputError (exit 2) when it cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"--compare file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read --compare file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--compare file {path} is not JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"--compare file {path} is nested too deeply") from None
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, list) or not all(
        isinstance(r, dict) and isinstance(r.get("urn"), str) and isinstance(r.get("type"), str)
        and isinstance(r.get("inputs", {}), dict) and isinstance(r.get("name", ""), str) for r in resources
    ):
        raise InputError(f"--compare file {path} is not a `python -m offline preview --json` document "
                         "(no `resources` list of objects with `urn` and `type`, "
                         "`inputs` an object)")
    return resources


def compare_findings(result: Any, previous_json_path: str | Path) -> list[dict]:
    """Findings for `result` (a PreviewResult) against the previous preview JSON at `previous_json_path`."""
    previous = {r["urn"]: r for r in load_previous(previous_json_path)}
    current = {r["urn"]: r for r in result.resources}
    paths = _ConfigPaths(getattr(result, "config", None))
    findings: list[dict] = []
    for urn, now in current.items():
        before = previous.get(urn)
        if before is None or now["type"] not in _LABEL:
            continue
        old_inputs = normalise_inputs(now["type"], before.get("inputs") or {})
        new_inputs = normalise_inputs(now["type"], now.get("inputs") or {})
        for field in sorted(set(old_inputs) | set(new_inputs)):
            old, new = old_inputs.get(field), new_inputs.get(field)
            change = field_change(now["type"], field)
            if change == "update" or not _changed(old, new):
                continue
            if change == "replace":
                findings.append(_finding(
                    "REP001", "warning", paths.path(now, field), urn,
                    f"{_LABEL[now['type']]} `{now['name']}` would be REPLACED: `{field}` changes from {_show(old)} "
                    f"to {_show(new)} (ForceNew in pulumi-alicloud, {source_of(now['type'], field)})"))
            elif now["type"] != T_CLUSTER or field not in _IGNORED_BY_PROGRAM:
                findings.append(_finding(
                    "REP004", "warning", paths.path(now, field), urn,
                    f"{_LABEL[now['type']]} `{now['name']}`: `{field}` changes from {_show(old)} to {_show(new)}, but "
                    f"the provider only sends it at creation ({source_of(now['type'], field)}); the change will NOT "
                    f"reach the running resource. Instead: {create_only_advice(now['type'], field)}"))
    findings += _kms_removed(previous, current)
    findings += _one_way_switches(previous, current, paths)
    findings += fixed_zone_pinning(previous, current)  # REP010 (offline/compare_pinning.py, issue 12)
    if result.resources:  # a blocked preview registers nothing: no deletion to warn about
        for urn, before in previous.items():
            if before.get("type") in _DELETION_WATCHED and urn not in current:
                findings.append(_finding("REP003", "warning", "", urn,
                                         f"{_LABEL[before['type']]} `{before.get('name', '')}` of the previous preview "
                                         "is gone: `pulumi up` would DELETE it (renamed or removed in config)"))
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
    """Config path of a resource field, when the parsed config says which entry made the resource."""

    _CLUSTER = {"podCidr": "cni.podCidr", "nodeCidrMask": "cni.nodeCidrMask", "serviceCidr": "cluster.serviceCidr",
                "proxyMode": "cluster.proxyMode", "slbInternetEnabled": "cluster.apiServer.public",
                "loadBalancerSpec": "cluster.apiServer.loadBalancerSpec",
                "encryptionProviderKey": "cluster.secretsEncryptionKmsKeyId", "podVswitchIds": "network.vswitches"}

    def __init__(self, config: Any):
        self.config = config

    def path(self, resource: dict, field: str) -> str:
        config = self.config
        if config is None:
            return ""
        kind, name = resource["type"], resource.get("name", "")
        env = config.environment.name
        if kind == T_CLUSTER and field in self._CLUSTER:
            return f"ackstack:{self._CLUSTER[field]}"
        if kind == T_VPC and field == "cidrBlock":
            return "ackstack:network.vpc.cidr"
        if kind == T_VSWITCH:
            for index, vsw in enumerate(config.network.vswitches):
                if name == f"{env}-vsw-{vsw.name}":
                    leaf = {"cidrBlock": "cidr", "zoneId": "zoneId"}.get(field)
                    return f"ackstack:network.vswitches[{index}]" + (f".{leaf}" if leaf else "")
        if kind == T_SG:
            for index, group in enumerate(config.network.security_groups):
                if name == f"{env}-sg-{group.name}":
                    return f"ackstack:network.securityGroups[{index}]" + (".type" if field == "securityGroupType" else "")
        if kind == T_SG_RULE:
            for index, group in enumerate(config.network.security_groups):
                for r_index, item in enumerate(group.rules):
                    if name == f"{env}-sg-{group.name}-{item.name}":
                        return f"ackstack:network.securityGroups[{index}].rules[{r_index}]"
                if name.startswith(f"{env}-sg-{group.name}-{C.ACK_SG_RULE_PREFIX}-"):
                    return f"ackstack:network.securityGroups[{index}]"
        if kind == T_NODEPOOL:
            for index, pool in enumerate(config.cluster.node_pools):
                if name.endswith(f"-np-{pool.name}"):
                    suffix = ".securityGroups" if field == "securityGroupIds" else ""
                    return f"ackstack:cluster.nodePools[{index}]{suffix}"
        return ""


def _changed(old: Any, new: Any) -> bool:
    if old in _UNKNOWN or new in _UNKNOWN or old == new or (old in _EMPTY and new in _EMPTY):
        return False
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
