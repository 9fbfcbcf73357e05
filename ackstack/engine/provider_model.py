"""How pulumi-alicloud 4.0.0 applies a change and what it reads back, per resource type and field.

Two functions for `--compare` (and any diff tool): `field_change` says whether changing a field updates in
place, forces replacement (ForceNew) or is silently ignored (create-only: neither ForceNew nor reached by
the resource's Update); `normalise_inputs` rewrites inputs the way the provider stores them on read
(add-on config JSON in Go's compact form, TypeSet lists unordered), so an unchanged stack shows no diff.
Facts: `ackstack_core.provider_schema` (extracted at the commit it records).
"""

from __future__ import annotations

from typing import Any, Literal

from ackstack_core import constants as C
from ackstack_core.go_json import canonical_json_text
from ackstack_core.provider_schema import SCHEMA

Change = Literal["update", "replace", "ignored"]
T_ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
T_HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
T_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"


def field_change(type_token: str, field: str) -> Change:
    """`replace` (ForceNew), `ignored` (create-only) or `update` (in place; also for types/fields not modelled)."""
    resource = SCHEMA.get(type_token)
    spec = (resource or {}).get("fields", {}).get(field)
    if spec is None:
        return "update"
    if spec.get("forcenew"):
        return "replace"
    if not resource["update_reaches"]:  # an Update that re-sends every field (e.g. security-group rule)
        return "update"
    if field in resource["update_reaches"] or not (spec.get("optional") or spec.get("required")):
        return "update"
    return "ignored"


def source_of(type_token: str, field: str) -> str:
    """`file:line` of the field's schema entry, for messages."""
    resource = SCHEMA.get(type_token)
    spec = (resource or {}).get("fields", {}).get(field)
    return f"{resource['file']}:{spec['line']}" if spec else ""


def normalise_inputs(type_token: str, inputs: dict) -> dict:
    """`inputs` as the provider would read them back (a new dict; unknown types pass through)."""
    out = dict(inputs)
    if type_token == T_HELM_RELEASE:  # what the provider's Check stores (C.HELM_RELEASE_CHECK_COMPUTED_INPUTS)
        out = {k: v for k, v in out.items() if k not in C.HELM_RELEASE_CHECK_COMPUTED_INPUTS and v is not False}
    if type_token == T_ADDON and "config" in out:
        out["config"] = canonical_json_text(out["config"])
    if type_token == T_CLUSTER and isinstance(out.get("addons"), list):
        out["addons"] = [{**a, "config": canonical_json_text(a["config"])} if isinstance(a, dict) and "config" in a
                         else a for a in out["addons"]]
    fields = (SCHEMA.get(type_token) or {}).get("fields", {})
    for name, spec in fields.items():
        if spec.get("type") == "TypeSet" and isinstance(out.get(name), list):
            out[name] = sorted(out[name], key=_order_key)
    return out


def _order_key(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=str)


# What to do instead when a create-only field changes (the provider ignores the change).
CREATE_ONLY_ADVICE: dict[tuple[str, str], str] = {
    (T_CLUSTER, "podVswitchIds"): "add the pod vSwitch to Terway's eni-config `vswitches` map instead "
                                  "(docs/operations.md \"Add a zone to a running Terway cluster\")",
    (T_CLUSTER, "slbInternetEnabled"): "change API server public access in the ACK console (bind or unbind the "
                                       "EIP of the API server SLB), then set apiServer.public to match",
    (T_CLUSTER, "loadBalancerSpec"): "nothing: the field is deprecated and has no effect (PayByCLCU), "
                                     "see resource_alicloud_cs_managed_kubernetes.go:190",
    (T_CLUSTER, "addons"): "change the add-on through its KubernetesAddon resource (ackstack does)",
}


def create_only_advice(type_token: str, field: str) -> str:
    return CREATE_ONLY_ADVICE.get((type_token, field),
                                  "recreate the resource deliberately (new name) or change it outside Pulumi")
