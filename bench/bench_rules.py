"""Benchmark: config parsing + plan + every validation rule on a large Terway plan.

Why: validation runs on every preview and `pulumi up`; issue #5 asks for all rules on 1,000
PodNetworkings, 50 node pools and 5 zones in under 2 s on one core, with selector-overlap work that does
not grow as the all-pairs cross product. Run from anywhere: ``python bench/bench_rules.py``.
Prints best and median of N runs (time.perf_counter), the ratio to a 100-PodNetworking plan measured in
the same run, and per-rule timings.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.capacity import capacity_model  # noqa: E402
from components.config_loader import load  # noqa: E402
from components.plan import CloudFacts, build_plan  # noqa: E402
from components.validation.catalog import ALL_RULES, run_rules  # noqa: E402

REPEATS = 7
ZONES = [f"cn-hangzhou-{z}" for z in "ghijk"]
TYPES = ["ecs.g7.xlarge", "ecs.g7.2xlarge", "ecs.c7.xlarge", "ecs.r7.xlarge", "ecs.g8i.xlarge"]
TIERS = ["web", "api", "db", "cache", "batch"]
ENVS = ["prod", "staging", "dev"]
PN_VSWITCHES_PER_ZONE = 4


def make_config(podnetworkings: int = 1000, pools: int = 50, seed: int = 5, dense: bool = False) -> dict:
    """A valid Terway config map: VPC, 5 zones of node/pod/podnetworking vSwitches, groups, pools, PNs.

    Selectors mix matchLabels, In/NotIn/Exists/DoesNotExist and namespace selectors; they are disjoint
    except one deliberate duplicate per 100. `dense=True` drops the `app DoesNotExist` guards so that
    team/GPU PodNetworkings overlap most app ones (~10^5 pairs: the output itself is quadratic).
    """
    rng = random.Random(seed)
    vswitches = []
    for z, zone in enumerate(ZONES):
        vswitches.append({"name": f"node-{z}", "role": "node", "zoneId": zone, "cidr": f"10.{z}.0.0/20"})
        vswitches.append({"name": f"pod-{z}", "role": "pod", "zoneId": zone, "cidr": f"10.{10 + z}.0.0/16"})
        for k in range(PN_VSWITCHES_PER_ZONE):
            vswitches.append({"name": f"pn-{z}-{k}", "role": "podnetworking", "zoneId": zone,
                              "cidr": f"10.{20 + z}.{k * 64}.0/18"})
    groups = [{"name": "cluster", "type": "enterprise"}] + [
        {"name": f"pn-sg-{i}", "type": "enterprise"} for i in range(10)]
    node_pools = []
    for i in range(pools):
        zones = sorted(rng.sample(ZONES, rng.choice([1, 2, 3])))
        node_pools.append({"name": f"pool-{i}", "instanceTypes": rng.sample(TYPES, 2), "zones": zones,
                           "minSize": 0, "maxSize": 10, "autoscaling": i % 3 == 0})
    pns = []
    for i in range(podnetworkings):
        roll = rng.random()
        selector: dict
        if i and i % 100 == 0:  # a few deliberate overlaps: same app as an earlier PodNetworking
            selector = {"podSelector": {"matchLabels": {"app": f"svc-{i - 1 - rng.randrange(min(i, 50))}"}}}
        elif roll < 0.80:  # one PodNetworking per app, sometimes narrowed by tier
            pod: dict = {"matchLabels": {"app": f"svc-{i}"}}
            op = rng.choice(["In", "NotIn", "Exists", None])
            if op in ("In", "NotIn"):
                pod["matchExpressions"] = [{"key": "tier", "operator": op, "values": rng.sample(TIERS, 2)}]
            elif op == "Exists":
                pod["matchExpressions"] = [{"key": "tier", "operator": "Exists"}]
            selector = {"podSelector": pod}
            if rng.random() < 0.5:
                selector["namespaceSelector"] = {"matchLabels": {"env": rng.choice(ENVS)}}
        elif roll < 0.95:  # per-team namespaces, for pods without an app label (unless `dense`)
            selector = {"namespaceSelector": {"matchLabels": {"team": f"team-{i}", "env": rng.choice(ENVS)}}}
            if not dense:
                selector["podSelector"] = {"matchExpressions": [{"key": "app", "operator": "DoesNotExist"},
                                                                {"key": "accelerator", "operator": "DoesNotExist"}]}
        else:  # special pods, e.g. GPU workloads, in prod namespaces
            pod = {"matchExpressions": [{"key": "accelerator", "operator": "In", "values": [f"gpu-{i}"]}]}
            if not dense:
                pod["matchExpressions"].append({"key": "app", "operator": "DoesNotExist"})
            selector = {"podSelector": pod,
                        "namespaceSelector": {"matchExpressions": [{"key": "env", "operator": "In",
                                                                    "values": ["prod"]}]}}
        zones = rng.sample(range(len(ZONES)), rng.choice([2, 3, 5]))
        pns.append({"name": f"pn-{i}", "selector": selector, "securityGroupIDs": [f"pn-sg-{i % 10}"],
                    "vSwitchOptions": [f"pn-{z}-{rng.randrange(PN_VSWITCHES_PER_ZONE)}" for z in sorted(zones)],
                    "allocationType": {"type": "Elastic"}})
    return {
        "alicloud:region": "cn-hangzhou",
        "ackstack:environment": {"name": "bench"},
        "ackstack:network": {"vpc": {"cidr": "10.0.0.0/8"}, "vswitches": vswitches, "securityGroups": groups},
        "ackstack:cluster": {"name": "bench-ack", "serviceCidr": "192.168.0.0/16", "securityGroup": "cluster",
                             "nodePools": node_pools},
        "ackstack:cni": {"mode": "terway-trunk"},
        "ackstack:podNetworkings": pns,
    }


def validate(config: dict):
    loaded = load(config)
    assert loaded.config is not None, [f.line() for f in loaded.findings]
    plan = build_plan(loaded.config, CloudFacts())
    return plan, run_rules(plan)


def timed(config: dict, repeats: int = REPEATS) -> tuple[float, float, list]:
    times, findings = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        _plan, findings = validate(config)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), findings


def per_rule(config: dict) -> list[tuple[str, float, int]]:
    loaded = load(config)
    plan = build_plan(loaded.config, CloudFacts())
    rows = []
    start = time.perf_counter()
    capacity_model(plan)
    rows.append(("(capacity model)", time.perf_counter() - start, 0))
    for check in ALL_RULES:
        start = time.perf_counter()
        found = list(check(plan))
        rows.append((check.info.id, time.perf_counter() - start, len(found)))
    return rows


def main() -> None:
    large, small = make_config(1000), make_config(100)
    t0 = time.perf_counter()
    load(large)
    parse = time.perf_counter() - t0
    best, median, findings = timed(large)
    small_best, small_median, _ = timed(small)
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    print(f"plan: 1,000 PodNetworkings, 50 node pools, {len(ZONES)} zones, "
          f"{len(large['ackstack:network']['vswitches'])} vSwitches; {len(ALL_RULES)} rules")
    print(f"parse+plan+all rules (1,000 PN): best {best * 1e3:8.1f} ms   median {median * 1e3:8.1f} ms "
          f"(of {REPEATS}; parse alone ~{parse * 1e3:.0f} ms)")
    print(f"parse+plan+all rules (  100 PN): best {small_best * 1e3:8.1f} ms   median {small_median * 1e3:8.1f} ms")
    print(f"ratio 1,000 / 100 PN (best): {best / small_best:.1f}x  (all-pairs would be ~100x on the overlap part)")
    print(f"findings (1,000 PN): {len(findings)} " + " ".join(f"{k}={v}" for k, v in sorted(by_rule.items())))
    print(f"budget 2 s: {'OK' if best < 2 else 'OVER'}")
    dense_best, _dense_median, dense_findings = timed(make_config(1000, dense=True), repeats=3)
    overlaps = sum(f.rule == "SEL001" for f in dense_findings)
    print(f"stress (dense overlaps, 1,000 PN): best {dense_best * 1e3:8.1f} ms of 3 with {overlaps} SEL001 findings "
          f"(cost follows the number of overlapping pairs reported)")
    print("per rule (1,000 PN, one run):")
    for name, seconds, count in sorted(per_rule(large), key=lambda r: -r[1]):
        print(f"  {name:18} {seconds * 1e3:8.2f} ms  {count:5} findings")


if __name__ == "__main__":
    main()
