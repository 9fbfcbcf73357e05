"""The provider's Check, emulated: what pulumi-alicloud 4.0.0 refuses before (or at) Create.

Driven by `ackstack_core.provider_schema` (extracted from the terraform provider at the commit it names):
required fields, enumerations, numeric and length ranges, lower bounds, patterns (StringMatch), nullable integer
ranges, the element checks of list items, min/max items, exactly-one-of, conflicts-with (resolved, as Terraform
does, against the resource's top-level keys even inside a block), at-least-one-of; plus the security-group-rule checks the provider makes in Create. A refusal fails the
offline preview (exit 1) the way `pulumi up` would fail, naming resource, field, value and upstream limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pulumi.runtime import rpc

from ackstack_core import constants as C
from ackstack_core.provider_schema import PROVIDER_COMMIT, PROVIDER_REPO, SCHEMA
from ackstack_core.sg_rule_checks import cidr_problem, port_range_problem

T_SG_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"


@dataclass(frozen=True)
class CheckFailure:
    """One refusal; `rule` is the PRV id, `upstream` the file:line of the limit."""

    rule: str
    type: str
    name: str
    field: str
    value: Any
    limit: str
    upstream: str

    def message(self) -> str:
        return (f"provider Check refuses {self.type} `{self.name}`: `{self.field}` = {_show(self.value)}: "
                f"{self.limit} ({PROVIDER_REPO}@{PROVIDER_COMMIT[:12]} {self.upstream})")


def _number(value: Any) -> Any:
    """Pulumi sends every number as a float; the schema's integer checks want ints."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _is_set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _unknown(value: Any) -> bool:
    return value == rpc.UNKNOWN or (isinstance(value, dict) and rpc._special_sig_key in value)


def check(type_token: str, name: str, inputs: dict) -> list[CheckFailure]:
    """Every refusal for one registration (empty when the provider would accept it)."""
    resource = SCHEMA.get(type_token)
    if resource is None:
        return []
    fields, path = resource["fields"], resource["file"]
    out: list[CheckFailure] = []

    def fail(rule: str, field: str, value: Any, limit: str, line: int | str) -> None:
        out.append(CheckFailure(rule, type_token, name, field, value, limit, f"{path}:{line}"))

    _check_fields(fields, inputs, "", fail, inputs)
    if type_token == T_SG_RULE:
        out += _sg_rule(name, inputs, path, fields)
    return out


def _value_checks(spec: dict, value: Any) -> list[tuple[str, str]]:
    """(rule, limit) for every scalar check `value` breaks: a field's own, or a list item's (`spec["item"]`)."""
    out = []
    if "enum" in spec and isinstance(value, str) and value not in spec["enum"]:
        out.append(("PRV002", f"one of {', '.join(spec['enum'])}"))
    if "int_range" in spec and isinstance(value, int) and not spec["int_range"][0] <= value <= spec["int_range"][1]:
        out.append(("PRV003", "between {} and {}".format(*spec["int_range"])))
    if "int_enum" in spec and isinstance(value, int) and value not in spec["int_enum"]:
        out.append(("PRV003", f"one of {', '.join(map(str, spec['int_enum']))}"))
    if "len_range" in spec and isinstance(value, str) and not spec["len_range"][0] <= len(value) <= spec["len_range"][1]:
        out.append(("PRV003", "length between {} and {}".format(*spec["len_range"])))
    if "int_min" in spec and isinstance(value, int | float) and value < spec["int_min"]:
        out.append(("PRV003", f"at least {spec['int_min']} (IntAtLeast)"))
    if "float_min" in spec and isinstance(value, int | float) and value < spec["float_min"]:
        out.append(("PRV003", f"at least {spec['float_min']:g} (FloatAtLeast)"))
    if "len_min" in spec and isinstance(value, str) and len(value) < spec["len_min"]:
        out.append(("PRV003", f"length at least {spec['len_min']} (StringLenAtLeast)"))
    if "nullable_int_range" in spec and isinstance(value, str) and value != "":
        low, high = spec["nullable_int_range"]
        number = int(value) if value.lstrip("-").isdigit() else None
        if number is None or not low <= number <= high:
            out.append(("PRV003", f"empty or an integer between {low} and {high} (ValidateNullableIntBetween)"))
    if "pattern" in spec and isinstance(value, str) and not re.search(spec["pattern"], value):
        out.append(("PRV010", f"matches {spec['pattern']} (StringMatch)"))
    return out


def _check_fields(fields: dict, inputs: dict, prefix: str, fail, top: dict) -> None:
    """Every check of one schema level; block fields (`elem`) are checked per item, `prefix` names the path.

    `top` is the resource's inputs: Terraform resolves a ConflictsWith key (no `.0.` path) at the top level,
    also for a field inside a block (NodePool `scalingConfig.eipBandwidth` conflicts with the pool's
    `internetChargeType`)."""
    for field, spec in sorted(fields.items()):
        value = _number(inputs.get(field))
        line, where = spec["line"], prefix + field
        if spec.get("required") and not _is_set(value):
            fail("PRV001", where, value, "required", line)
            continue
        if value is None or _unknown(value):
            continue
        for rule_id, limit in _value_checks(spec, value):
            fail(rule_id, where, value, limit, line)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) and "elem" in spec else None
        if items is not None:
            if "min_items" in spec and len(items) < spec["min_items"]:
                fail("PRV004", where, value, f"at least {spec['min_items']} item(s), got {len(items)}", line)
            if "max_items" in spec and len(items) > spec["max_items"]:
                fail("PRV004", where, value, f"at most {spec['max_items']} item(s), got {len(items)}", line)
            for index, item in enumerate(items):
                if "elem" in spec and isinstance(item, dict):
                    _check_fields(spec["elem"], item, f"{where}[{index}].", fail, top)
                elif "item" in spec and not _unknown(item):
                    for rule_id, limit in _value_checks(spec["item"], _number(item)):
                        fail(rule_id, f"{where}[{index}]", item, limit, line)
        for other in spec.get("conflicts_with", ()):
            nested = bool(prefix)  # a block field's conflict names a top-level key: report it from the block
            if _is_set(value) and _is_set(top.get(other)) and (nested or field < other):
                fail("PRV006", where, value, f"conflicts with `{other}` (also set)", line)
    for field, spec in sorted(fields.items()):
        group = spec.get("exactly_one_of")
        if group and field == min(group):
            given = [f for f in group if _is_set(inputs.get(f))]
            if len(given) != 1:
                fail("PRV005", prefix + field, {f: inputs.get(f) for f in given} or None,
                     f"exactly one of {', '.join(group)} must be set, got {len(given)}", spec["line"])
        group = spec.get("at_least_one_of")
        if group and field == min(group) and not any(_is_set(inputs.get(f)) for f in group):
            fail("PRV007", prefix + field, None, f"at least one of {', '.join(group)} must be set", spec["line"])


def _sg_rule(name: str, inputs: dict, path: str, fields: dict) -> list[CheckFailure]:
    protocol, ports = inputs.get("ipProtocol"), inputs.get("portRange") or C.SG_ALL_PORT_RANGE
    out = []
    if isinstance(protocol, str) and isinstance(ports, str):
        problem = port_range_problem(protocol, ports)
        if problem:
            out.append(CheckFailure("PRV008", T_SG_RULE, name, "portRange", ports, problem, f"{path}:208-216"))
    cidr = inputs.get("cidrIp")
    if isinstance(cidr, str) and cidr and not _unknown(cidr):
        problem = cidr_problem(cidr)
        if problem:
            out.append(CheckFailure("PRV009", T_SG_RULE, name, "cidrIp", cidr, problem + " (ECS AuthorizeSecurityGroup)",
                                    f"{path}:{fields['cidrIp']['line']}"))
    return out


def _show(value: Any) -> str:
    import json

    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 160 else text[:157] + "..."
