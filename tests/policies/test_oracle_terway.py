"""terway-controlplane's own admission code as the oracle (issue #22, section 2).

terway-oracle links github.com/AliyunContainerService/terway v1.17.5 (the only tag of the modelled lines the
Go module proxy serves, docs/oracles.md) and calls its webhooks with controller-runtime's fake client:
ValidateHook on PodNetworking CREATE, MutatingHook on PodNetworking CREATE (defaults from eni-config) and on
pod CREATE (the PodNetworking match and the resource it requests), and the two eni-config readers (the
daemon's decode + Populate + Validate, terway-controlplane's ConfigFromConfigMap). The same generated corpus
goes to `ackstack_core.terway_webhook`: verdicts identical, messages Terway's own reason. One process per
corpus; seed ORACLE_SEED (default 22).
"""

from __future__ import annotations

import json
import os
import random

import pytest

from ackstack.engine.testing import plan_for, stack_config, stack_inventory
from ackstack_core import constants as C
from ackstack_core import terway_webhook as W
from ackstack_core.selectors import NAMESPACE_NAME_LABEL, SelectorError
from components.existing_cluster import eni_conf_text, merged_eni_conf
from components.podnetworking import podnetworking_spec
from tests.oracle_run import ask, oracle_binary

SEED = int(os.environ.get("ORACLE_SEED", "22"))
VERSION = "v1.17.5"  # the tag terway-oracle is built from (go/oracles/go.mod)
SPEC_CASES = 2_400
ADMIT_CASES = 800
POD_CASES = 2_000
ENI_CONF_CASES = 1_500
CUSTOM_KINDS = ("CloneSet",)
STACKS = ("dev", "staging", "prod", "existing")


@pytest.fixture(scope="module")
def terway():
    return oracle_binary("terway-oracle")


def test_oracle_binary_is_the_modelled_newest_line():
    """The oracle's pinned module is the tag the newest modelled line was read at."""
    from ackstack.engine.testing import ROOT

    go_mod = (ROOT / "go" / "oracles" / "go.mod").read_text(encoding="utf-8")
    assert f"github.com/AliyunContainerService/terway {VERSION}\n" in go_mod
    assert W.rules_for(VERSION).tag == VERSION == W.NEWEST.tag


# ---------------------------------------------------------------- generated PodNetworking specs
DURATIONS = ["5m", "1h", "2h45m", "5m0s", "300s", "1.5h", "0", "-5m", "", "5", "1d", "abc", "1e3s", "µs", "5m ",
             "9223372036854775807ns", "2562048h", ".5m", "+5m", "5M"]


def _selector(rng: random.Random) -> dict:
    sel: dict = {}
    if rng.random() < 0.6:
        sel["matchLabels"] = {rng.choice(["app", "tier"]): rng.choice(["a", "b"])}
    if rng.random() < 0.3:
        sel["matchExpressions"] = [{"key": "env", "operator": rng.choice(["In", "NotIn", "Exists"]), "values": ["a"]}]
    return sel


def _maybe(rng: random.Random, value, absent: float = 0.1, null: float = 0.05):
    """`value`, or the key left out (returns ...), or JSON null."""
    roll = rng.random()
    if roll < absent:
        return ...
    if roll < absent + null:
        return None
    return value


def random_spec(rng: random.Random) -> dict:
    spec: dict = {}
    selector: dict = {}
    for key in ("podSelector", "namespaceSelector"):
        value = _maybe(rng, _selector(rng), absent=0.35, null=0.05)
        if value is not ...:
            selector[key] = value
    parts = {
        "selector": _maybe(rng, selector, absent=0.05, null=0.02),
        "vSwitchOptions": _maybe(rng, [f"vsw-{i}" for i in range(rng.choice([0, 1, 1, 2, 3]))], 0.04, 0.02),
        "securityGroupIDs": _maybe(rng, [f"sg-{rng.randint(0, 12)}" for _ in range(
            rng.choice([0, 1, 1, 2, 5, 6, 9, 10, 10, 11, 12]))], 0.04, 0.02),
        "allocationType": _maybe(rng, {k: v for k, v in (
            ("type", _maybe(rng, rng.choice(["Elastic", "Fixed", "", "fixed"]), 0.2, 0)),
            ("releaseStrategy", _maybe(rng, rng.choice(["TTL", "TTL", "Never", "Never", "", "ttl"]), 0.2, 0)),
            ("releaseAfter", _maybe(rng, rng.choice(DURATIONS), 0.3, 0)),
        ) if v is not ...}, 0.1, 0.02),
        "eniOptions": _maybe(rng, {"eniType": rng.choice(["Default", "ENI", "Trunk", "", "trunk", "Other"])},
                             0.2, 0.02),
        "vSwitchSelectOptions": _maybe(rng, {"vSwitchSelectionPolicy": rng.choice(["ordered", "most", "random"])}),
    }
    spec.update({k: v for k, v in parts.items() if v is not ...})
    return spec


def _example_specs() -> list[dict]:
    """What ackstack sends for the example stacks' PodNetworkings."""
    specs = []
    for stack in STACKS:
        plan = plan_for(stack_config(stack), stack_inventory(stack))
        specs += [podnetworking_spec(entry, plan) for entry in plan.config.pod_networkings]
    assert specs
    return specs


EDGE_SPECS = [
    {},  # nothing at all
    {"selector": {}, "vSwitchOptions": ["vsw-1"], "securityGroupIDs": ["sg-1"], "eniOptions": {"eniType": "ENI"}},
    {"selector": None, "vSwitchOptions": ["vsw-1"], "securityGroupIDs": ["sg-1"]},
    {"selector": {"podSelector": None, "namespaceSelector": {}}, "vSwitchOptions": ["v"], "securityGroupIDs": ["s"]},
    {"vSwitchOptions": ["v"], "securityGroupIDs": [f"sg-{i}" for i in range(10)], "selector": {"podSelector": {}}},
    {"vSwitchOptions": ["v"], "securityGroupIDs": [f"sg-{i}" for i in range(11)], "selector": {"podSelector": {}}},
    {"vSwitchOptions": ["v"], "securityGroupIDs": ["s"] * 11, "selector": {"podSelector": {}}},  # duplicates count
    {"vSwitchOptions": ["v"], "securityGroupIDs": ["s"], "selector": {"podSelector": {}},
     "allocationType": {"type": "Fixed", "releaseStrategy": "TTL"}},  # TTL without releaseAfter: "" fails
    {"vSwitchOptions": ["v"], "securityGroupIDs": ["s"], "selector": {"podSelector": {}},
     "allocationType": {"type": "Fixed", "releaseStrategy": "Never", "releaseAfter": "5m"}},
    {"vSwitchOptions": ["v"], "securityGroupIDs": ["s"], "selector": {"podSelector": {}},
     "allocationType": {"type": "Elastic", "releaseAfter": "not-a-duration"}},  # no strategy: never parsed
    {"vSwitchOptions": [], "securityGroupIDs": [], "selector": {"podSelector": {}}},
    {"vSwitchOptions": ["v"], "securityGroupIDs": ["s"], "eniOptions": {"eniType": "Trunk"}},  # selectorless
    {"vSwitchOptions": ["v"], "securityGroupIDs": ["s"], "eniOptions": {"eniType": "Default"}},
    {"vSwitchOptions": ["v"], "securityGroupIDs": ["s"], "eniOptions": None},
]


def test_oracle_validating_webhook_agrees_on_2400_generated_specs(terway):
    rng = random.Random(SEED)
    specs = EDGE_SPECS + _example_specs() + [random_spec(rng) for _ in range(SPEC_CASES)]
    cases = [{"op": "validate", "spec": spec, "injectResource": rng.random() < 0.7,
              "enableTrunk": rng.random() < 0.8} for spec in specs]
    verdicts = ask(terway, cases)
    reasons: dict[str | None, int] = {}
    for case, verdict in zip(cases, verdicts, strict=True):
        ours = W.admission_denial(case["spec"], VERSION, inject_resource=case["injectResource"])
        assert verdict["allowed"] == (ours is None), (case, verdict, ours)
        if ours is not None:
            assert verdict["message"] == ours, (case, verdict, ours)
        reasons[ours] = reasons.get(ours, 0) + 1
    # every check of validate.go denies something in this corpus, and many specs pass
    assert reasons.get(None, 0) > 300 and len(reasons) >= 8, reasons


# ---------------------------------------------------------------- the mutating webhook, then validation
def random_eni_conf(rng: random.Random) -> dict:
    conf: dict = {"version": "1", "max_pool_size": rng.choice([5, 25]), "min_pool_size": 0}
    if rng.random() < 0.8:
        conf["security_group"] = f"sg-{rng.randint(0, 12)}"
    if rng.random() < 0.7:
        conf["security_groups"] = [f"sg-{rng.randint(0, 12)}" for _ in range(rng.choice([0, 1, 2, 5, 9, 10, 11]))]
    if rng.random() < 0.8:
        conf["vswitches"] = {f"zone-{z}": [f"vsw-{rng.randint(0, 9)}" for _ in range(rng.randint(0, 2))]
                             for z in range(rng.randint(0, 3))}
    roll = rng.random()
    if roll < 0.1:
        conf["ip_stack"] = rng.choice(["ipv6", "dual", "", None, "IPV4", "v4"])
    elif roll < 0.15:
        conf[rng.choice(["max_pool_size", "security_groups", "vswitches", "eni_cap_ratio", "enable_eni_trunking",
                         "kube_client_qps", "ip_warm_up_size", "rate_limit", "backoff_override", "extra_routes"])] = \
            rng.choice(["5", 5.5, [1], {"a": "b"}, True, 1e39, 2**63, None, [{"dst": 1}], {"x": {"Steps": "1"}}])
    return conf


def test_oracle_podnetworking_admission_with_eni_config_defaults(terway):
    """Empty securityGroupIDs / vSwitchOptions are filled from kube-system/eni-config by the mutating webhook
    before validation (the union of eni_conf security_group and security_groups; every vswitches id)."""
    rng = random.Random(SEED + 1)
    cases = []
    for _ in range(ADMIT_CASES):
        spec = random_spec(rng)
        if rng.random() < 0.6:
            spec[rng.choice(["securityGroupIDs", "vSwitchOptions"])] = rng.choice([[], None])
        roll = rng.random()
        if roll < 0.15:
            eni_conf = None  # no eni-config ConfigMap
        elif roll < 0.18:
            eni_conf = ""
        elif roll < 0.2:
            eni_conf = rng.choice(["{", "[]", '{"ip_stack": "ipv4"'])
        else:
            eni_conf = eni_conf_text(random_eni_conf(rng))
        cases.append({"op": "admit", "spec": spec, "eniConf": eni_conf, "injectResource": rng.random() < 0.7})
    verdicts = ask(terway, cases)
    filled = denied_by_mutating = 0
    for case, verdict in zip(cases, verdicts, strict=True):
        mutated, problem = W.podnetworking_defaults(case["spec"], case["eniConf"], VERSION)
        denial = W.admission(case["spec"], VERSION, case["eniConf"], inject_resource=case["injectResource"])
        assert verdict["allowed"] == (denial is None), (case, verdict, denial)
        if problem is not None:
            denied_by_mutating += 1
            assert denial == W.Denial("mutating", problem)
            # the same reason; Go's decoding error names the Go type, ours the key
            assert verdict["message"].split(",")[0] == problem.split(",")[0], (case, verdict["message"], problem)
            continue
        if denial is not None:
            assert verdict["message"] == denial.reason, (case, verdict, denial)
        if verdict["patched"]:
            filled += 1
            for key in ("securityGroupIDs", "vSwitchOptions"):
                assert (verdict["spec"].get(key) or []) == (mutated.get(key) or []), (case, verdict["spec"], mutated)
        else:
            assert mutated == dict(case["spec"]), (case, mutated)
    assert filled > 200 and denied_by_mutating > 20, (filled, denied_by_mutating)


# ---------------------------------------------------------------- the pod webhook's PodNetworking match
POD_KINDS = ["Pod", "StatefulSet", "Deployment", "Job", "CronJob", "DaemonSet", "CloneSet", "ReplicaSet"]
LABEL_KEYS = ["app", "tier", C.POD_IGNORE_BY_TERWAY_LABEL]


def _labels(rng: random.Random, keys: list[str]) -> dict[str, str]:
    return {rng.choice(keys): rng.choice(["a", "b", "true"]) for _ in range(rng.randint(0, 3))}


def _match_selector(rng: random.Random, keys: list[str]) -> dict:
    sel: dict = {}
    if rng.random() < 0.6:
        sel["matchLabels"] = {rng.choice(keys): rng.choice(["a", "b"]) for _ in range(rng.randint(0, 2))}
    if rng.random() < 0.4:
        op = rng.choice(["In", "NotIn", "Exists", "DoesNotExist"])
        expr = {"key": rng.choice(keys), "operator": op}
        if op in ("In", "NotIn") or rng.random() < 0.03:
            expr["values"] = rng.sample(["a", "b", "bad value"] if rng.random() < 0.1 else ["a", "b"],
                                        rng.randint(0 if rng.random() < 0.05 else 1, 2))
        sel["matchExpressions"] = [expr]
    return sel


def random_pod_case(rng: random.Random) -> dict:
    pns = []
    for index in range(1 if rng.random() < 0.85 else rng.randint(2, 3)):
        selector = {}
        if rng.random() < 0.8:
            selector["podSelector"] = _match_selector(rng, ["app", "tier"])
        if rng.random() < 0.5:
            selector["namespaceSelector"] = _match_selector(rng, ["team", NAMESPACE_NAME_LABEL])
        spec = {"selector": selector, "vSwitchOptions": ["vsw-1"], "securityGroupIDs": ["sg-1"],
                "allocationType": {"type": rng.choice(["Elastic", "Fixed", "Elastic"])},
                "eniOptions": {"eniType": rng.choice(["Default", "Trunk", "ENI"])}}
        status = rng.choice([C.PODNETWORKING_STATUS_READY] * 6 + [C.PODNETWORKING_STATUS_FAIL, ""])
        pns.append({"name": f"pn{index}", "spec": spec, "status": {"status": status}})
    namespace = rng.choice(["team-a", "team-b"])
    return {"op": "pod", "podNetworkings": pns,
            "namespace": {"name": namespace, "labels": {NAMESPACE_NAME_LABEL: namespace, **_labels(rng, ["team"])}},
            "pod": {"labels": _labels(rng, LABEL_KEYS), "kind": rng.choice(POD_KINDS)},
            "injectResource": rng.random() < 0.8, "enableTrunk": rng.random() < 0.8}


def _owner_kind(kind: str) -> str:
    """The ownerReference kind on a pod of workload `kind` (the model's POD_OWNER_KIND); bare pods have none."""
    return "" if kind == "Pod" else W.POD_OWNER_KIND.get(kind, kind)


def test_oracle_pod_webhook_match_agrees(terway):
    rng = random.Random(SEED + 2)
    cases = [random_pod_case(rng) for _ in range(POD_CASES)]
    for case in cases:
        case["pod"]["ownerKind"] = _owner_kind(case["pod"]["kind"])
    verdicts = ask(terway, cases, f"-custom-stateful-kinds={','.join(CUSTOM_KINDS)}")
    outcomes = {"matched": 0, "none": 0, "error": 0}
    for case, verdict in zip(cases, verdicts, strict=True):
        views = [W.PodNetworkingView(pn["name"], pn["spec"], pn["status"]["status"]) for pn in case["podNetworkings"]]
        pod, ns = case["pod"], case["namespace"]
        applies, broken = [], []
        for view in views:
            try:
                if W.pod_networking_applies(view, pod["labels"], ns["labels"], pod["kind"], CUSTOM_KINDS):
                    applies.append(view.name)
            except SelectorError:
                broken.append(view.name)
        if broken and not applies:
            # Terway meets the broken selector whatever the order: an error, the pod is not created
            assert not verdict["allowed"] and "error match" in verdict["message"], (case, verdict)
            outcomes["error"] += 1
            continue
        if broken or len(applies) > 1:
            # the informer cache's order decides (W.match_one): one of the candidates, or the error
            assert verdict.get("podNetworking") in applies or "error match" in verdict["message"], (case, verdict)
            continue
        expected = applies[0] if applies else None
        assert verdict["allowed"], (case, verdict)
        assert verdict.get("podNetworking") == expected, (case, verdict, applies)
        if expected is None:
            outcomes["none"] += 1
            continue
        outcomes["matched"] += 1
        eni_type = next(v.spec["eniOptions"]["eniType"] for v in views if v.name == expected)
        resource = W.pod_eni_resource(eni_type, case["enableTrunk"], case["injectResource"])
        assert (verdict.get("resources") or {}) == ({resource: "1"} if resource else {}), (case, verdict)
    assert min(outcomes.values()) > 20, outcomes


# ---------------------------------------------------------------- eni-config, as the daemon and the controlplane read it
def test_oracle_eni_conf_readers_agree(terway):
    """The text ackstack writes to kube-system/eni-config (eni_conf_text of the merged eniConf), read by the
    daemon (TWY024's check) and by terway-controlplane (the groups PodNetworkings and ENIs get)."""
    rng = random.Random(SEED + 3)
    confs = [random_eni_conf(rng) for _ in range(ENI_CONF_CASES)]
    texts = [eni_conf_text(merged_eni_conf(conf, managed=rng.random() < 0.5)) for conf in confs]
    for conf, text in zip(confs, texts, strict=True):  # TWY024 judges the config value, Terway the text written
        parsed, problem = W.parse_eni_conf(conf)
        assert problem is None and W.eni_conf_problems(merged_eni_conf(parsed, True), VERSION) == \
            W.eni_conf_daemon(text, VERSION), conf
    texts += ["", "{}", '{"ip_stack": null}', '{"security_groups": null, "security_group": ""}',
              '{"unknown": 1e400}', '{"max_pool_size": 1e2}', '{"max_pool_size": -0}', '{"max_pool_size": 5.0}',
              '{"kube_client_qps": 3.4028235e38}', '{"kube_client_qps": 3.5e38}', '{"IP_STACK": "bad"}',
              '{"vswitches": {"a": null, "b": ["v2", "v1", "v1"]}}', '{"extra_routes": [{"dst": null}, {}]}',
              '{"backoff_override": {"x": {"Steps": 1.5}}}', '{"backoff_override": {"x": {"steps": "1"}}}',
              # Go's int is int64 here: its two ends decode, one past either does not; top-level null is an empty
              # Config, a top-level array is no Config at all
              '{"max_pool_size": 9223372036854775807}', '{"max_pool_size": 9223372036854775808}',
              '{"min_pool_size": -9223372036854775808}', '{"min_pool_size": -9223372036854775809}', "null", "[]"]
    verdicts = ask(terway, [{"op": "eniconf", "text": t} for t in texts])
    daemon_refused = controlplane_refused = 0
    for text, verdict in zip(texts, verdicts, strict=True):
        daemon = W.eni_conf_daemon(text, VERSION)
        assert bool(daemon) == (verdict["daemonError"] is not None), (text, verdict, daemon)
        daemon_refused += bool(daemon)
        parsed, cp_problem = W.eni_conf_controlplane(text, VERSION)
        assert (cp_problem is None) == (verdict["controlplaneError"] is None), (text, verdict, cp_problem)
        if cp_problem is not None:
            controlplane_refused += 1
            continue
        assert W.eni_security_groups(parsed) == (verdict["securityGroups"] or []), (text, verdict)
        assert W.eni_vswitch_ids(parsed) == (verdict["vSwitchIDs"] or []), (text, verdict)
    assert daemon_refused > 50 and controlplane_refused > 50, (daemon_refused, controlplane_refused)
    assert json.loads(texts[0])  # the corpus is ackstack's own writer's output
