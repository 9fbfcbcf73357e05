"""pulumi-terraform-bridge's Check and Diff for the alicloud resources ackstack registers.

What the real engine stores is what the bridge's Check returns: the program's inputs plus the Terraform
schema's non-falsy defaults, with the names it filled in listed under `__defaults` in every object. What
it shows as a change is the bridge's Diff: the stored state (outputs as last read) against those inputs,
field by field as Terraform's SDKv2 plans it (a ForceNew field that changes replaces the resource).
The alicloud provider plugin (`ackstack.engine.plugins.alicloud`) answers the CLI with these functions and
`--compare` reads an export with them, so the two cannot disagree.

Source: pulumi/pulumi-terraform-bridge v3.136.0 (the newest tag readable here; pulumi-alicloud 4.0.0's
exact bridge version is unverified), pkg/tfbridge/provider.go Check :953-1116 and Diff :1118-1306,
pkg/tfbridge/schema.go applyDefaults :742-1000 (defaults, `__defaults`, conflicts, old defaults kept),
:192-240 nameRequiresDeleteBeforeReplace, pkg/tfbridge/info/autonaming.go :43-63 SetAutonaming (fields
named `name`). Facts of the schema: `ackstack_core.provider_schema`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ackstack_core.provider_schema import SCHEMA

DEFAULTS_KEY = "__defaults"  # pulumi-terraform-bridge v3.136.0 pkg/reservedkeys/keys.go:26
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi sdk/v3@v3.276.0 go/common/resource/sig/sig.go:54 UnknownStringValue
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"  # pulumi sdk/v3@v3.276.0 go/common/resource/sig/sig.go:21 Key
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"  # sig.go:24 Secret
# Autoname: pulumi-alicloud provider/resources.go `prov.SetAutonaming(255, "-")` (v3.105.0:2636) and the
# bridge's AutoName: `<name>-<7 random hex>` (info/autonaming.go:87-98).
AUTONAME_FIELD, AUTONAME_SEPARATOR, AUTONAME_RANDOM_LENGTH = "name", "-", 7

# Go identifiers the extracted schema gives as `Default:` values, resolved at the schema's commit
# (aliyun/terraform-provider-alicloud ace5bcf8, as provider_schema.PROVIDER_COMMIT).
GO_DEFAULT_CONSTANTS: dict[str, Any] = {
    "KubernetesClusterNodeCIDRMasksByDefault": 24,  # alicloud/resource_alicloud_cs_kubernetes.go:39
    "GroupRulePolicyAccept": "accept",  # alicloud/extension_ecs.go:22
    "AllPortRange": "-1/-1",  # alicloud/extension_ecs.go:73
}


def is_unknown(value: Any) -> bool:
    return value == UNKNOWN


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and SECRET_SIG_KEY in value


def secret(value: Any) -> dict:
    """Pulumi's wire form of a secret value (sdk/go/common/resource/sig/sig.go Secret)."""
    return {SECRET_SIG_KEY: SECRET_SIG_VALUE, "value": value}


def reveal(value: Any) -> Any:
    """The value inside Pulumi's secret wrapper (for comparing; what leaves keeps its wrapper)."""
    while is_secret(value):
        value = value.get("value")
    return value


def default_value(spec: Mapping[str, Any]) -> Any:
    """The Terraform default of a field (None when it has none or it cannot be resolved)."""
    text = spec.get("default")
    if text is None:
        return None
    if text in GO_DEFAULT_CONSTANTS:
        return GO_DEFAULT_CONSTANTS[text]
    try:
        return json.loads(text)
    except ValueError:
        return None  # an expression the extractor could not resolve: no default (unverified)


def _suppressed_default(value: Any) -> bool:
    """Falsy TF schema defaults are not filled in (schema.go:967-976, shouldSuppressTFSchemaDefaultValue)."""
    return value in (False, 0, "") and not isinstance(value, list)


def _object_elem(spec: Mapping[str, Any]) -> dict | None:
    """The nested block schema of a TypeList/TypeSet of objects (None for lists of primitives)."""
    elem = spec.get("elem")
    if isinstance(elem, dict) and elem and all(isinstance(v, dict) for v in elem.values()):
        return elem
    return None


def _is_max_items_one(spec: Mapping[str, Any]) -> bool:
    """Pulumi flattens a block of at most one item to an object (the bridge's IsMaxItemsOne)."""
    return spec.get("max_items") == 1 and _object_elem(spec) is not None


# ---------------------------------------------------------------------------------------------- Check
def check(type_token: str, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None, *,
          urn_name: str = "", seed: bytes = b"") -> dict:
    """The inputs the engine stores: `news` with the schema's defaults and `__defaults` at every level.

    `olds` (the previous inputs) keep a default stable: a field defaulted before keeps its old value.
    Types ackstack does not model pass through unchanged."""
    resource = SCHEMA.get(type_token)
    if resource is None:
        return dict(news)
    return _check_object(resource["fields"], news, olds or {}, top=True, urn_name=urn_name, seed=seed)


def _check_object(fields: Mapping[str, dict], news: Mapping[str, Any], olds: Mapping[str, Any], *,
                  top: bool, urn_name: str = "", seed: bytes = b"") -> dict:
    result: dict[str, Any] = {}
    for key, value in news.items():
        if key == DEFAULTS_KEY or value is None:
            continue
        spec = fields.get(key)
        result[key] = _check_value(spec, value, olds.get(key)) if spec else value
    present = set(result)
    conflicts = _excluded(fields, present)
    old_defaults = olds.get(DEFAULTS_KEY)
    old_default_names = set(old_defaults) if isinstance(old_defaults, list) else None
    defaulted: list[str] = []

    def use_old(key: str) -> bool:
        return key in olds and (old_default_names is None or key in old_default_names)

    # Overlays first (schema.go:770-886): the provider-wide autoname of `name`.
    name_spec = fields.get(AUTONAME_FIELD)
    if (top and name_spec is not None and AUTONAME_FIELD not in result and AUTONAME_FIELD not in conflicts
            and name_spec.get("type") == "TypeString" and (name_spec.get("optional") or name_spec.get("required"))
            and not (name_spec.get("deprecated") and not name_spec.get("required"))):
        result[AUTONAME_FIELD] = olds[AUTONAME_FIELD] if use_old(AUTONAME_FIELD) else autoname(urn_name, seed)
        defaulted.append(AUTONAME_FIELD)
        conflicts |= set(name_spec.get("conflicts_with", ())) | set(name_spec.get("exactly_one_of", ()))
    # Then the Terraform schema's own defaults (schema.go:888-983).
    for key, spec in fields.items():
        if key in result or key in conflicts:
            continue
        if spec.get("deprecated") and not spec.get("required"):
            continue
        if any(default_value(fields.get(other, {})) is not None for other in spec.get("conflicts_with", ())):
            continue
        if any(default_value(fields.get(other, {})) is not None for other in spec.get("exactly_one_of", ())
               if other != key):
            continue
        value = default_value(spec)
        if value is None:
            continue
        if use_old(key):
            result[key] = olds[key]
        elif _suppressed_default(value):
            continue
        else:
            result[key] = value
        defaulted.append(key)
    result[DEFAULTS_KEY] = sorted(defaulted)
    return result


def _check_value(spec: Mapping[str, Any], value: Any, old: Any) -> Any:
    elem = _object_elem(spec)
    if elem is None or is_unknown(value) or is_secret(value):
        return value
    if _is_max_items_one(spec) and isinstance(value, dict):
        return _check_object(elem, value, old if isinstance(old, dict) else {}, top=False)
    if isinstance(value, list):
        olds = old if isinstance(old, list) else []
        return [_check_object(elem, item, olds[i] if i < len(olds) and isinstance(olds[i], dict) else {}, top=False)
                if isinstance(item, dict) else item for i, item in enumerate(value)]
    return value


def _excluded(fields: Mapping[str, dict], present: set[str]) -> set[str]:
    """Names whose default would conflict with a present field (buildConflictsWith/ExactlyOneOf, schema.go)."""
    out: set[str] = set()
    for key, spec in fields.items():
        partners = set(spec.get("conflicts_with", ())) | (set(spec.get("exactly_one_of", ())) - {key})
        if key in present:
            out |= partners
        elif partners & present:
            out.add(key)
    return out


def autoname(urn_name: str, seed: bytes) -> str:
    """`<name>-<7 hex>` from the engine's random seed (deterministic per resource; the bridge draws the
    suffix from the same seed with its own generator, so the exact characters differ: unverified)."""
    suffix = hashlib.sha256(seed + urn_name.encode()).hexdigest()[:AUTONAME_RANDOM_LENGTH]
    return f"{urn_name}{AUTONAME_SEPARATOR}{suffix}"


# ----------------------------------------------------------------------------------------------- Diff
ADD, ADD_REPLACE, DELETE, DELETE_REPLACE, UPDATE, UPDATE_REPLACE = (
    "ADD", "ADD_REPLACE", "DELETE", "DELETE_REPLACE", "UPDATE", "UPDATE_REPLACE")


@dataclass
class Diff:
    """What the bridge's Diff answers (pulumirpc.DiffResponse, provider.go:1296-1305)."""

    detailed: dict[str, str] = field(default_factory=dict)  # property path -> kind
    replaces: list[str] = field(default_factory=list)
    stables: list[str] = field(default_factory=list)
    delete_before_replace: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.detailed)

    @property
    def diffs(self) -> list[str]:
        """Top-level property names that change (provider.go:1248-1252)."""
        return sorted({_top(path) for path in self.detailed})


def diff(type_token: str, state: Mapping[str, Any], news: Mapping[str, Any],
         ignore_changes: Iterable[str] = ()) -> Diff:
    """Terraform's plan of `state` (outputs as last read) towards `news` (checked inputs)."""
    resource = SCHEMA.get(type_token)
    if resource is None:
        return diff_inputs(state, news, ignore_changes)
    fields = resource["fields"]
    ignored = {_top(p) for p in ignore_changes}
    result = Diff()
    for key, spec in fields.items():
        if key in ignored or not (spec.get("optional") or spec.get("required")):
            continue
        _diff_field(key, spec, state.get(key), news.get(key), key in news, result.detailed)
    for path, kind in list(result.detailed.items()):
        if fields.get(_top(path), {}).get("forcenew"):
            result.detailed[path] = kind + "_REPLACE"
    result.replaces = sorted({_top(p) for p, kind in result.detailed.items() if kind.endswith("_REPLACE")})
    result.stables = sorted(k for k, spec in fields.items() if spec.get("forcenew") and k not in result.replaces)
    result.delete_before_replace = bool(result.replaces) and _name_requires_delete_before_replace(fields, news)
    return result


def _diff_field(path: str, spec: Mapping[str, Any], old: Any, new: Any, configured: bool,
                out: dict[str, str]) -> None:
    if not configured or new is None:
        # Absent from the config: Optional+Computed keeps what is there; a plain Optional field is removed.
        if spec.get("computed") or _empty(old):
            return
        out[path] = DELETE
        return
    if is_unknown(new):
        out[path] = UPDATE
        return
    old, new = reveal(old), reveal(new)
    elem = _object_elem(spec)
    kind = spec.get("type")
    if elem is not None and _is_max_items_one(spec) and isinstance(new, dict):
        _diff_object(path, elem, old if isinstance(old, dict) else {}, new, out)
        return
    if kind == "TypeSet":
        if _as_set(old) != _as_set(new):
            out[path] = ADD if _empty(old) else UPDATE
        return
    if kind == "TypeList" and isinstance(new, list):
        olds = old if isinstance(old, list) else []
        for i in range(max(len(olds), len(new))):
            item_path = f"{path}[{i}]"
            if i >= len(new):
                out[item_path] = DELETE
            elif i >= len(olds):
                out[item_path] = ADD
            elif elem is not None and isinstance(new[i], dict):
                _diff_object(item_path, elem, olds[i] if isinstance(olds[i], dict) else {}, new[i], out)
            elif not _equal(olds[i], new[i]):
                out[item_path] = UPDATE
        return
    if kind == "TypeMap" and isinstance(new, dict):
        olds = old if isinstance(old, dict) else {}
        for key in sorted(set(olds) | set(new)):
            if key not in new:
                out[f"{path}.{key}"] = DELETE
            elif key not in olds:
                out[f"{path}.{key}"] = ADD
            elif not _equal(olds[key], new[key]):
                out[f"{path}.{key}"] = UPDATE
        return
    if not _equal(old, new):
        out[path] = ADD if _empty(old) else UPDATE


def _diff_object(path: str, fields: Mapping[str, dict], old: Mapping[str, Any], new: Mapping[str, Any],
                 out: dict[str, str]) -> None:
    for key, spec in fields.items():
        if spec.get("optional") or spec.get("required"):
            _diff_field(f"{path}.{key}", spec, old.get(key), new.get(key), key in new, out)


def _name_requires_delete_before_replace(fields: Mapping[str, dict], news: Mapping[str, Any]) -> bool:
    """A replaced resource whose autonamed `name` was set by the program is deleted first (schema.go:192-240):
    the new one could not take the same name while the old one exists."""
    defaults = news.get(DEFAULTS_KEY)
    if not isinstance(defaults, list) or AUTONAME_FIELD not in fields:
        return False
    return AUTONAME_FIELD in news and AUTONAME_FIELD not in defaults


def diff_inputs(olds: Mapping[str, Any], news: Mapping[str, Any], ignore_changes: Iterable[str] = ()) -> Diff:
    """A plain field-by-field diff (types without a schema here)."""
    ignored = {_top(p) for p in ignore_changes}
    result = Diff()
    for key in sorted(set(olds) | set(news)):
        if key in ignored or key == DEFAULTS_KEY:
            continue
        if key not in news:
            result.detailed[key] = DELETE
        elif key not in olds:
            result.detailed[key] = ADD
        elif not _equal(olds[key], news[key]):
            result.detailed[key] = UPDATE
    return result


def _top(path: str) -> str:
    for i, ch in enumerate(path):
        if ch in ".[":
            return path[:i]
    return path


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value is False or value == 0


def _equal(old: Any, new: Any) -> bool:
    old, new = reveal(old), reveal(new)
    if isinstance(old, dict) and isinstance(new, dict):
        keys = (set(old) | set(new)) - {DEFAULTS_KEY}
        return all(_equal(old.get(k), new.get(k)) for k in keys)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_equal(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new or (old in (None, False) and new in (None, False))
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old) == float(new)
    if old in (None, "") and new in (None, ""):
        return True
    return old == new


def _as_set(value: Any) -> set[str]:
    items = reveal(value) if isinstance(reveal(value), list) else []
    return {json.dumps(reveal(item), sort_keys=True, default=str) for item in items}
