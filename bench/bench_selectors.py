"""Benchmark: indexed find_overlaps vs a naive all-pairs podnetworking_overlap loop.

Why: find_overlaps runs on every preview; it must stay well under a second for
1,000 PodNetworkings. Run from the repo root: ``python bench/bench_selectors.py``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ackstack_core.selectors import find_overlaps, podnetworking_overlap  # noqa: E402

N = 1000
REPEATS = 5


def make_entries(n: int = N, seed: int = 7) -> list[tuple[str, dict | None, dict | None]]:
    """Realistic mix: mostly distinct app=... selectors, some per-team and catch-all ones."""
    rng = random.Random(seed)
    tiers = ["web", "api", "db", "cache", "batch"]
    envs = ["prod", "staging", "dev"]
    entries: list[tuple[str, dict | None, dict | None]] = []
    for i in range(n):
        roll = rng.random()
        env_ns = {"matchExpressions": [{"key": "env", "operator": "In", "values": [rng.choice(envs)]}]}
        if roll < 0.85:  # one PodNetworking per app (a few apps collide), tier-restricted
            pod: dict = {"matchLabels": {"app": f"svc-{rng.randrange(4 * n)}"}}
            op = rng.choice(["In", "NotIn", "Exists", None])
            if op in ("In", "NotIn"):
                pod["matchExpressions"] = [{"key": "tier", "operator": op, "values": rng.sample(tiers, 2)}]
            elif op == "Exists":
                pod["matchExpressions"] = [{"key": "tier", "operator": "Exists"}]
            entries.append((f"app-{i}", pod, env_ns))
        elif roll < 0.95:  # per-team namespaces for pods without an app label
            ns = {"matchLabels": {"team": f"team-{rng.randrange(20)}", "env": rng.choice(envs)}}
            pod = {"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}
            entries.append((f"team-{i}", pod, ns))
        elif roll < 0.99:  # GPU workloads
            pod = {
                "matchLabels": {"app": f"ml-{i}"},
                "matchExpressions": [{"key": "accelerator", "operator": "In", "values": ["a10", "v100"]}],
            }
            entries.append((f"gpu-{i}", pod, {"matchLabels": {"env": "prod"}}))
        else:  # catch-all for unlabeled pods anywhere
            entries.append(
                (f"fallback-{i}", {"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, None)
            )
    return entries


def naive(entries):
    out = []
    for i, (na, ap, an) in enumerate(entries):
        for nb, bp, bn in entries[i + 1 :]:
            ex = podnetworking_overlap(ap, an, bp, bn)
            if ex is not None:
                out.append((na, nb, ex))
    return out


def best_of(fn, *args, repeats: int = REPEATS):
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    entries = make_entries()
    t_fast, fast = best_of(find_overlaps, entries)
    t_naive, slow = best_of(naive, entries)
    assert fast == slow, "indexed and naive results differ"
    pairs = len(entries) * (len(entries) - 1) // 2
    print(f"entries={len(entries)} pairs={pairs} overlaps={len(fast)} (best of {REPEATS})")
    print(f"find_overlaps (indexed): {t_fast * 1e3:9.1f} ms")
    print(f"naive all-pairs loop:    {t_naive * 1e3:9.1f} ms")
    print(f"speed-up:                {t_naive / t_fast:9.1f}x")


if __name__ == "__main__":
    main()
