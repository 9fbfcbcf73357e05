"""What the live cluster should hold, derived from the stack's validated plan (for `verify`).

The stack config is read and validated exactly as the preview does (`load_inputs`, then
`components.program.validate` with the inventory as the source of adopted objects); PodNetworking
bodies come from `podnetworking_manifest`, Cilium values from `cilium_values`. Objects the stack
creates are named in config and only get ids in the cloud, so `pulumi stack output --json`
(`vswitchIds`, `securityGroupIds`) turns those names into the ids the cluster shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from components.plan import NetworkPlan, VSwitchFact
from components.validation.findings import Finding

if TYPE_CHECKING:
    from components.config import PodNetworkingConfig


class PlanInputError(Exception):
    """The stack, inventory or outputs cannot be read, or the plan has error findings (exit 2)."""

    def __init__(self, message: str, findings: list[Finding] = ()):
        super().__init__(message)
        self.findings = list(findings)


@dataclass
class PlannedPodNetworking:
    name: str
    manifest: dict  # as kubectl would apply it, with live ids
    vswitches: dict[str, VSwitchFact]  # live vSwitch id -> plan fact (zone, CIDR)
    security_groups: list[str]  # live ids
    entry: PodNetworkingConfig


@dataclass
class Expected:
    stack: str
    plan: NetworkPlan
    podnetworkings: list[PlannedPodNetworking] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return self.plan.config.cni.mode

    @property
    def managed(self) -> bool:
        existing = self.plan.config.cluster.existing
        return existing.managed if existing is not None else True  # ackstack creates managed Pro clusters

    @property
    def terway_daemonset(self) -> str:
        from ackstack_core import constants as C

        existing = self.plan.config.cluster.existing
        return existing.terway_daemonset if existing is not None else C.TERWAY_DAEMONSET_NAME


def read_outputs(path: str | None) -> dict:
    """`pulumi stack output --json` (no secrets needed); missing file -> PlanInputError."""
    if not path:
        return {}
    from ackstack.inputs.input_file import InputFileError, read_input_file
    from ackstack_core.constants import INPUT_MAX_BYTES

    try:
        data = json.loads(read_input_file(Path(path), "stack outputs", INPUT_MAX_BYTES).decode("utf-8"))
    except InputFileError as exc:
        raise PlanInputError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise PlanInputError(f"stack outputs {path} are not UTF-8 text (invalid byte at offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise PlanInputError(f"stack outputs {path} are not JSON ({exc.msg}); "
                             f"write them with `pulumi stack output --json`") from None
    if not isinstance(data, dict):
        raise PlanInputError(f"stack outputs {path}: expected a JSON object")
    return data


def expected_state(stack: str, *, config_file: str | None = None, inventory_file: str | None = None,
                   outputs_file: str | None = None) -> Expected:
    from ackstack.preview.preview import InputError, load_inputs, stack_concealer
    from components.program import validate

    try:
        stack_file, inventory = load_inputs(stack, config_file, inventory_file)
    except InputError as exc:
        raise PlanInputError(str(exc)) from None
    plan, findings, _secrets = validate(stack_file.config, stack_concealer(stack_file),  # findings show no secret
                                        read_facts=lambda *ids: inventory.cloud_facts())
    if plan is None:
        raise PlanInputError(f"stack `{stack}` does not validate; fix the config first", findings)
    outputs = read_outputs(outputs_file)
    expected = Expected(stack, plan)
    if plan.config.cni.mode == "terway-trunk":
        expected.podnetworkings = _planned_podnetworkings(plan, outputs, outputs_file)
    return expected


def _planned_podnetworkings(plan: NetworkPlan, outputs: dict, outputs_file: str | None) -> list[PlannedPodNetworking]:
    from components.podnetworking import effective_vswitches, podnetworking_manifest

    vswitch_ids = dict(outputs.get("vswitchIds") or {})
    sg_ids = dict(outputs.get("securityGroupIds") or {})
    unresolved: list[str] = []

    def resolver(kind: str, prefix: str, table: dict, lookup):
        def resolve(ref: str) -> str:
            fact = lookup(ref)
            if fact is not None and fact.id:
                return fact.id
            if ref in table:
                return str(table[ref])
            if ref.startswith(prefix):
                return ref
            unresolved.append(f"{kind} `{ref}`")
            return ref

        return resolve

    vswitch = resolver("vSwitch", "vsw-", vswitch_ids, plan.vswitch)
    security_group = resolver("security group", "sg-", sg_ids, plan.security_group)
    planned = []
    for entry in plan.config.pod_networkings:
        manifest = podnetworking_manifest(entry, plan, vswitch=vswitch, security_group=security_group)
        facts = {vswitch(ref): plan.vswitch(ref) for ref in effective_vswitches(entry, plan)}
        planned.append(PlannedPodNetworking(entry.name, manifest, facts, list(manifest["spec"]["securityGroupIDs"]),
                                            entry))
    if unresolved:
        where = f"in {outputs_file}" if outputs_file else "(pass --outputs FILE from `pulumi stack output --json`)"
        raise PlanInputError(f"the stack creates {', '.join(sorted(set(unresolved)))}: their ids are not known "
                             f"{where}")
    return planned
