"""The real Pulumi CLI as the judge: one rehearsal per example stack per test process, shared by the
rehearsal, differential and `--compare` tests. The tests of one stack are one xdist group (`per_stack`,
`per_edit`), so each stack is rehearsed once, and the two workers rehearse different stacks at the same time.

A rehearsal (`ackstack.engine.rehearse`) deploys the stack through the pinned CLI and ackstack's provider plugins
into a throw-away backend. While it is deployed, every edit in `EDITS` is previewed by the real CLI and
its steps kept, so the `--compare` tests can hold the offline comparison against them.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from ackstack.engine.rehearse import Rehearsal, Workspace, pulumi_binary, rehearse

ROOT = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod", "existing")


def stack_group(stack: str) -> pytest.MarkDecorator:
    """The xdist group of the tests that read `deployed(stack)`: the rehearsal is made once, by one worker."""
    return pytest.mark.xdist_group(f"real-engine-{stack}")


def per_stack(stacks: tuple[str, ...] | list[str] = STACKS) -> list:
    """`stack` parameters, each in its stack's xdist group."""
    return [pytest.param(stack, marks=stack_group(stack), id=stack) for stack in stacks]
KEEP = Path(os.environ.get("ACKSTACK_REHEARSAL_DIR", "")) if os.environ.get("ACKSTACK_REHEARSAL_DIR") else None


def require_cli() -> None:
    """Tests against the real CLI fail in CI without it and skip elsewhere, saying why."""
    if pulumi_binary().exists():
        return
    reason = f"the pinned Pulumi CLI is not installed ({pulumi_binary()}): run tools/install_pulumi.py"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


# ------------------------------------------------------------------------------------------- edits
Config = dict[str, Any]


def _pool_size(config: Config) -> None:
    pool = config["ackstack:cluster"]["nodePools"][0]
    pool["desiredSize"] = min(int(pool["desiredSize"]) + 1, int(pool["maxSize"]))


def _instance_type(config: Config) -> None:
    config["ackstack:cluster"]["nodePools"][0]["instanceTypes"][-1] = "ecs.g8i.2xlarge"


def _instance_type_order(config: Config) -> None:
    types = config["ackstack:cluster"]["nodePools"][0]["instanceTypes"]
    types.reverse()  # a TypeList (instance_types): order counts for the provider


def _zone_order(config: Config) -> None:
    # vswitch_ids is a TypeList, but the program sorts a pool's vSwitches by name (components/cluster.py), not by zone
    config["ackstack:cluster"]["nodePools"][0]["zones"].reverse()


def _vswitch_options_order(config: Config) -> None:
    pn = next(p for p in config["ackstack:podNetworkings"] if len(p.get("vSwitchOptions") or []) > 1)
    pn["vSwitchOptions"].reverse()  # a Kubernetes list in the PodNetworking spec


def _empty_taints(config: Config) -> None:
    pool = next(p for p in config["ackstack:cluster"]["nodePools"] if "taints" not in p)
    pool["taints"] = []  # [] against an absent field


def _empty_labels(config: Config) -> None:
    pool = next(p for p in config["ackstack:cluster"]["nodePools"] if p.get("taints"))
    pool["labels"] = {}  # {} against the labels the base sets (not the same as absent: they go)


def _new_zone(config: Config) -> None:
    """A fourth zone: a node vSwitch there (and the pod vSwitch Terway needs, TWY003), the first pool over it."""
    network, cluster = config["ackstack:network"], config["ackstack:cluster"]
    zone = f"{config['alicloud:region']}-k"
    network["vswitches"].append({"name": "node-k", "role": "node", "zoneId": zone, "cidr": "10.0.24.0/21"})
    network["vswitches"].append({"name": "pod-k", "role": "pod", "zoneId": zone, "cidr": "10.1.192.0/18"})
    cluster["nodePools"][0]["zones"].append(zone)


def _rule_ports(config: Config) -> None:
    group = next(g for g in config["ackstack:network"]["securityGroups"] if g.get("rules"))
    group["rules"][0]["portRange"] = "3307/3307"


def _kubernetes_version(config: Config) -> None:
    """An upgrade ACK offers (dev runs 1.35.2; C.KNOWN_ACK_K8S_VERSIONS): an older minor is past end of support."""
    config["ackstack:cluster"]["kubernetesVersion"] = "1.36.1-aliyun.1"


def _terway_version(config: Config) -> None:
    config["ackstack:cni"]["version"] = "v1.17.6"


def _cilium_version(config: Config) -> None:
    cilium = config["ackstack:cni"].setdefault("cilium", {})
    cilium["chartVersion"] = "1.18.12"


def _podnetworking_policy(config: Config) -> None:
    pn = next(p for p in config["ackstack:podNetworkings"] if p["allocationType"].get("releaseStrategy") == "TTL")
    pn["allocationType"]["releaseAfter"] = "2h"


def _tag(config: Config) -> None:
    config["ackstack:environment"]["tags"]["team"] = "platform-networking"


def _proxy_mode(config: Config) -> None:
    config["ackstack:cluster"]["proxyMode"] = "iptables"


def _api_server_exposure(config: Config) -> None:
    config["ackstack:cluster"]["apiServer"]["public"] = True


@dataclass(frozen=True)
class Edit:
    name: str
    stack: str
    change: Callable[[Config], None]
    changes: bool = True  # False: the real engine shows no step (the offline compare must agree)


EDITS = (
    Edit("pool size", "prod", _pool_size),
    Edit("instance type", "prod", _instance_type),
    Edit("instance type order (TypeList)", "prod", _instance_type_order),
    Edit("zone order (the program orders vswitch_ids)", "prod", _zone_order, changes=False),
    Edit("PodNetworking vSwitchOptions order", "prod", _vswitch_options_order),
    Edit("empty taints against absent", "prod", _empty_taints, changes=False),
    Edit("empty labels", "prod", _empty_labels),
    Edit("new zone", "prod", _new_zone),
    Edit("security-group rule ports", "prod", _rule_ports),
    Edit("Kubernetes version", "dev", _kubernetes_version),
    Edit("Terway version", "prod", _terway_version),
    Edit("PodNetworking release policy", "prod", _podnetworking_policy),
    Edit("tag", "prod", _tag),
    Edit("Cilium chart version", "staging", _cilium_version),
    Edit("proxyMode", "staging", _proxy_mode),
    Edit("API server exposure", "staging", _api_server_exposure),
)


def per_edit() -> list:
    """`edit` parameters, each in its stack's xdist group."""
    return [pytest.param(edit, marks=stack_group(edit.stack), id=edit.name) for edit in EDITS]


def edited_stack_file(stack_file: Path, edit: Edit, out: Path) -> Path:
    """`stack_file` with the edit applied to its `config` (everything else, e.g. encryptionsalt, kept)."""
    document = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    edit.change(document["config"])
    out.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return out


# ------------------------------------------------------------------------------------------- rehearsals
@dataclass
class Deployed:
    """What a test reads of one rehearsal."""

    result: Rehearsal
    export: dict
    edits: dict[str, dict] = field(default_factory=dict)  # edit name -> the real `preview --json` document


def _preview_edits(stack: str, edits: dict[str, dict]) -> Callable[[Workspace, Rehearsal], None]:
    def run(ws: Workspace, _result: Rehearsal) -> None:
        stack_file = ws.project / f"Pulumi.{stack}.yaml"
        original = stack_file.read_text(encoding="utf-8")
        for edit in (e for e in EDITS if e.stack == stack):
            edited_stack_file(stack_file, edit, stack_file)
            code, out, err, _ = ws.run("preview", "--json", record=False)
            stack_file.write_text(original, encoding="utf-8")
            edits[edit.name] = {"exit": code, "stderr": err[-2000:], **json.loads(out or "{}")}
    return run


# A developer's aid while changing the models: rehearsals pickled here are reused by later runs (stale ones
# included: delete the directory after changing the program, the plugins or the stacks). CI never sets it.
CACHE = Path(os.environ["ACKSTACK_REHEARSAL_CACHE"]) if os.environ.get("ACKSTACK_REHEARSAL_CACHE") else None


# Set by tests/conftest.py for one test session: the directory all xdist workers of the session share. A rehearsal
# is made by the first worker that asks for it, under a lock, and the others load it: pytest-xdist 3.8 put the tests of
# one stack's group on both workers (each made the 200-second prod rehearsal again).
SHARED_ENV = "ACKSTACK_REHEARSAL_SHARED"


@functools.cache
def deployed(stack: str) -> Deployed:
    """The stack's rehearsal (once per test session)."""
    require_cli()
    cached = CACHE / f"{stack}.pickle" if CACHE else None
    if cached is not None and cached.is_file():
        return pickle.loads(cached.read_bytes())
    shared = Path(os.environ[SHARED_ENV]) / f"rehearsal-{stack}.pickle" if os.environ.get(SHARED_ENV) else None
    if shared is None:
        return _rehearsed(stack, cached)
    import fcntl

    shared.parent.mkdir(parents=True, exist_ok=True)
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a worker asking for it meanwhile waits here, then loads it
        if shared.is_file():
            return pickle.loads(shared.read_bytes())
        found = _rehearsed(stack, cached)
        partial = shared.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(found))
        partial.replace(shared)
        return found


def _rehearsed(stack: str, cached: Path | None) -> Deployed:
    edits: dict[str, dict] = {}
    result = rehearse(stack, keep=KEEP, deployed=_preview_edits(stack, edits))
    found = Deployed(result, copy.deepcopy(result.documents.get("stack export") or {}), edits)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(pickle.dumps(found))
    return found
