"""Deploy critical path vs the lower bound from true data dependencies (issue #7, item 4).

    python bench/bench_critical_path.py [STACK ...] [--config FILE --stack-name NAME] [--verbose]

For every example stack (every Pulumi.<stack>.yaml; or the ones named), runs the offline preview
(program only: `ackstack.preview.preview.run_preview(policy=False)`, the records `--json` prints plus the
engine ids) and builds two graphs over its resources (model and tables: bench/deploy_model.py):

- PROGRAM graph: what `pulumi up` serializes -- each resource waits for its recorded dependencies,
  its explicit provider, and its parent's URN (a custom parent's creation; a component parent's
  registration only, never the component's children);
- LOWER-BOUND graph: only what each resource type truly needs (deploy_model.TRUE_NEEDS).

With the typical creation time of each type (components 0 s) it prints the longest path of each
graph: the time `pulumi up` takes at best with unlimited parallelism, and the least it could take.
Target: equal for every stack. Exit 1 (loudly, naming the extra edges on the critical path) when the
program's path is longer, or when the program lacks an ordering the lower-bound graph needs (a race),
or a type has no creation time / no true-dependency entry. Extra edges that cost nothing today are
listed as information.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import example_stacks, machine  # noqa: E402
from deploy_model import ADDON, CLUSTER, TRUE_NEEDS, TRUE_NEEDS_ADDON_EXTRA, create_seconds  # noqa: E402


def _strings(value, out: set[str]) -> set[str]:
    if isinstance(value, dict):
        for v in value.values():
            _strings(v, out)
    elif isinstance(value, list):
        for v in value:
            _strings(v, out)
    elif isinstance(value, str):
        out.add(value)
    return out


def _short(urn: str) -> str:
    parts = urn.split("::")
    return f"{parts[-2].rsplit('$', 1)[-1]}::{parts[-1]}" if len(parts) >= 4 else urn


class Graph:
    def __init__(self, regs, preds: dict[str, set[str]], duration: dict[str, float]):
        self.regs = regs
        self.preds = preds
        self.duration = duration
        self.finish: dict[str, float] = {}
        self.start: dict[str, float] = {}
        for r in regs:
            self._finish(r.urn)
        self.length = max(self.finish.values(), default=0.0)
        succ: dict[str, set[str]] = defaultdict(set)
        for v, ps in preds.items():
            for u in ps:
                succ[u].add(v)
        self.succ = succ
        latest: dict[str, float] = {}

        def lf(u: str) -> float:  # latest finish without lengthening the path
            if u not in latest:
                latest[u] = min((lf(v) - duration[v] for v in succ.get(u, ())), default=self.length)
            return latest[u]

        self.slack = {u: lf(u) - self.finish[u] for u in self.finish}

    def _finish(self, u: str) -> float:
        if u not in self.finish:
            self.start[u] = max((self._finish(p) for p in self.preds.get(u, ())), default=0.0)
            self.finish[u] = self.start[u] + self.duration[u]
        return self.finish[u]

    def critical(self, u: str) -> bool:
        return abs(self.slack[u]) < 1e-9

    def tight(self, u: str, v: str) -> bool:
        return self.critical(u) and self.critical(v) and abs(self.finish[u] - self.start[v]) < 1e-9

    def path(self) -> list[str]:
        """One critical path, sink to source reversed; prefers the longest-duration predecessor."""
        if not self.finish:
            return []
        u = max(self.finish, key=lambda k: (self.finish[k], self.duration[k]))
        chain = [u]
        while self.preds.get(u):
            tight = [p for p in self.preds[u] if abs(self.finish[p] - self.start[u]) < 1e-9]
            if not tight:
                break
            u = max(tight, key=lambda p: (self.duration[p], p))
            chain.append(u)
        return list(reversed(chain))

    def reachable_from(self, u: str) -> set[str]:
        cache = self.__dict__.setdefault("_reach", {})
        if u not in cache:
            cache[u] = self._reach_uncached(u)
        return cache[u]

    def _reach_uncached(self, u: str) -> set[str]:
        seen, stack = set(), [u]
        while stack:
            x = stack.pop()
            for y in self.succ.get(x, ()):
                if y not in seen:
                    seen.add(y)
                    stack.append(y)
        return seen


def analyse(stack: str, regs) -> tuple[bool, list[str]]:
    lines: list[str] = []
    fatal: list[str] = []
    by_urn = {r.urn: r for r in regs}
    duration: dict[str, float] = {}
    for r in regs:
        d = create_seconds(r.type, r.custom)
        if d is None:
            fatal.append(f"no typical creation time for custom type {r.type} (add it to "
                         f"policies/ackstack_core/constants.py TYPICAL_CREATE_SECONDS or bench/deploy_model.py)")
            d = 0.0
        duration[r.urn] = d
    children: dict[str, list[str]] = defaultdict(list)
    for r in regs:
        if r.parent in by_urn:
            children[r.parent].append(r.urn)

    def custom_descendants(u: str) -> set[str]:
        out: set[str] = set()
        for c in children.get(u, ()):
            if by_urn[c].custom:
                out.add(c)
            out |= custom_descendants(c)
        return out

    # ---- program graph
    prog: dict[str, set[str]] = {}
    for r in regs:
        ps: set[str] = set()
        for d in r.dependencies:
            if d in by_urn and not by_urn[d].custom:
                ps |= custom_descendants(d)  # depends_on a component = on its custom descendants
            elif d in by_urn:
                ps.add(d)
        if r.provider:
            p = "::".join(r.provider.split("::")[:4])
            if p in by_urn:
                ps.add(p)
        if r.parent in by_urn:
            ps.add(r.parent)
        prog[r.urn] = ps
    pg = Graph(regs, prog, duration)

    # ---- lower-bound graph
    ids: dict[str, str] = {r.id: r.urn for r in regs if r.custom and r.id}
    stack_clusters = {r.id for r in regs if r.type == CLUSTER}
    true: dict[str, set[str]] = {}
    for r in regs:
        if not r.custom:
            true[r.urn] = set()
            continue
        needs = TRUE_NEEDS.get(r.type)
        if needs is None:
            fatal.append(f"no true-dependency entry for type {r.type} in bench/deploy_model.py TRUE_NEEDS")
            needs = []
        if r.type == ADDON and str(r.inputs.get("clusterId")) not in stack_clusters:
            needs = needs + TRUE_NEEDS_ADDON_EXTRA
        refs = {ids[s] for s in _strings(r.inputs, set()) if s in ids}
        ps = set()
        for ptype, how, filt in needs:
            if how == "ref":
                cand = refs
            elif how == "provider":
                cand = {"::".join(r.provider.split("::")[:4])} if r.provider else set()
            elif how == "dep":
                cand = set(r.dependencies)
            elif how == "stack":
                cand = {x.urn for x in regs if all(x.inputs.get(k) == v for k, v in filt.items())}
            else:
                raise ValueError(how)
            ps |= {u for u in cand if u in by_urn and by_urn[u].type == ptype and u != r.urn}
        true[r.urn] = ps
    tg = Graph(regs, true, duration)

    # ---- compare
    def effective_preds(v: str) -> set[str]:
        """Custom resources v waits for in the program graph, looking through components."""
        out, seen, stack_ = set(), set(), list(prog[v])
        while stack_:
            u = stack_.pop()
            if u in seen:
                continue
            seen.add(u)
            if by_urn[u].custom:
                out.add(u)
            else:
                stack_.extend(prog[u])
        return out

    extra: list[tuple[str, str, bool]] = []
    for v in (r.urn for r in regs if r.custom):
        for u in sorted(effective_preds(v)):
            if v not in tg.reachable_from(u) and duration[u] >= 0:
                # critical when u finishes exactly when v starts, both on a critical path
                on_cp = pg.critical(v) and pg.critical(u) and abs(pg.finish[u] - pg.start[v]) < 1e-9
                extra.append((u, v, on_cp))
    missing = [(u, v) for v in true for u in true[v] if v not in pg.reachable_from(u)]

    lines.append(f"== {stack}: {len(regs)} resources ({sum(r.custom for r in regs)} custom)")
    lines.append(f"   program critical path: {pg.length:7.0f} s ({pg.length / 60:5.1f} min)")
    lines.append(f"   lower bound (true deps): {tg.length:5.0f} s ({tg.length / 60:5.1f} min)   "
                 f"ratio {pg.length / tg.length if tg.length else 1:.3f}")
    cp = pg.path()
    lines.append("   critical path: " + " -> ".join(
        f"{_short(u)} [{duration[u]:.0f}s, done {pg.finish[u]:.0f}s]" for u in cp if by_urn[u].custom))
    longer = pg.length > tg.length + 1e-9
    if longer:
        # Of the tight extra edges, name those whose removal alone shortens the path (ties cost nothing).
        def without(u: str, v: str) -> float:
            return Graph(regs, {**prog, v: prog[v] - {u}}, duration).length

        costly = [(u, v) for u, v, c in extra if c and u in prog[v] and without(u, v) < pg.length - 1e-9]
        if costly:
            extra = [(u, v, (u, v) in costly) for u, v, _c in extra]
    on_cp = [(u, v) for u, v, c in extra if c]
    for u, v, c in extra:
        if c and longer:
            tag = "EXTRA EDGE ON CRITICAL PATH"
        elif c:
            tag = "extra edge, tight but costs 0 s (ties a needed edge of equal length)"
        else:
            tag = "extra edge, costs 0 s today"
        lines.append(f"   {tag}: {_short(v)} waits for {_short(u)} (slack {pg.slack[u]:.0f} s)")
    for u, v in missing:
        lines.append(f"   MISSING ORDER: {_short(v)} truly needs {_short(u)} but the program does not order them")
    for f in fatal:
        lines.append(f"   FATAL: {f}")
    ok = not fatal and not missing and abs(pg.length - tg.length) < 1e-9
    if longer:
        lines.append(f"   FAIL: program critical path exceeds the lower bound by {pg.length - tg.length:.0f} s; "
                     f"extra edges on it: " + (", ".join(f"{_short(v)} <- {_short(u)}" for u, v in on_cp) or "?"))
    lines.append(f"   {'MET' if ok else 'NOT MET'}: critical path {'==' if ok else '!='} lower bound")
    return ok, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stacks", nargs="*", help="default: every Pulumi.<stack>.yaml")
    parser.add_argument("--config", help="a stack file to analyse instead (e.g. a bench_scaling plan)")
    parser.add_argument("--stack-name", default="bench", help="stack name used with --config")
    args = parser.parse_args(argv)

    from ackstack.preview.preview import run_preview

    print(machine())
    targets = [(args.stack_name, args.config)] if args.config else [(s, None) for s in
                                                                      (args.stacks or example_stacks())]
    print("stacks: " + ", ".join(s for s, _ in targets))
    all_ok = True
    for stack, config_file in targets:
        try:
            result = run_preview(stack, config_file=config_file, policy=False)
        except Exception as exc:  # noqa: BLE001 - reported, and the bench fails
            print(f"== {stack}: FAIL: the preview did not run: {type(exc).__name__}: {exc}")
            all_ok = False
            continue
        if not result.run.registrations:
            print(f"== {stack}: FAIL: nothing registered ({len(result.findings)} findings; validation blocked)")
            all_ok = False
            continue
        ok, lines = analyse(stack, result.run.registrations)
        print("\n".join(lines))
        all_ok &= ok
    print("RESULT: " + ("critical path == lower bound for every stack" if all_ok else
                        "FAILED (see FAIL / MISSING / FATAL lines above)"))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
