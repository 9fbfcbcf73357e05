"""Overhead of ackstack over the bare minimum (issue #7, item 1).

    python bench/bench_overhead.py [--stack prod] [--reps 7]

Times the offline program run of the real `__main__.py` (config loading, validation, components)
against a bare program that registers exactly the same resources (generated from the real run's own
registrations by bench/bare_program.py; checked field by field to be identical), in-process, with a
fresh offline engine per repetition. Program run only: the policy-pack subprocess is not involved.
Target: real within 1.5x of bare (ratio of medians). Exit 1 when the target is missed or the bare
run does not register the same resources.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PROGRAM, example_stacks, fmt_s, load, load_stack, machine, measure, summary, timed  # noqa: E402

TARGET = 1.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default=None, help="default: prod, else dev")
    parser.add_argument("--reps", type=int, default=9)
    args = parser.parse_args(argv)

    from bare_program import bare_program, compare

    from ackstack.engine.engine import run_program

    print(machine())
    stacks = example_stacks()
    stack = args.stack or ("prod" if "prod" in stacks else "dev")
    if args.stack is None and stack != "prod":
        print("note: Pulumi.prod.yaml is missing; falling back to the `dev` example")
    config, secret_keys, inventory = load_stack(stack)

    def real():
        return run_program(PROGRAM, config=config, stack=stack, secret_keys=secret_keys, inventory=inventory)

    cold, first = timed(real)
    if first.error is not None:
        print(f"the real program failed on {stack}: {type(first.error).__name__}: {first.error}")
        return 1
    regs = first.registrations
    program = bare_program(regs, first.outputs, first.secret_outputs)

    def bare():
        return run_program(program, config=config, stack=stack, secret_keys=secret_keys, inventory=inventory)

    bare_cold, bare_first = timed(bare)
    problems = compare(regs, bare_first.registrations)
    print(f"stack: {stack}  resources registered: {len(regs)} "
          f"({sum(r.custom for r in regs)} custom, {sum(not r.custom for r in regs)} components)")
    print(f"bare program registers the same resources (urn, type, name, parent, inputs, dependencies, "
          f"property dependencies, provider, protect, options): {'yes' if not problems else 'NO'}")
    for p in problems[:20]:
        print("  DIFF", p)

    samples: dict[str, dict[str, list[float]]] = {k: {"wall": [], "cpu": []} for k in ("real", "bare")}
    for _ in range(args.reps):  # interleaved, so drift and other load affect both equally
        for label, fn in (("real", real), ("bare", bare)):
            gc.collect()
            wall, cpu, _run = measure(fn)
            samples[label]["wall"].append(wall)
            samples[label]["cpu"].append(cpu)
    print(f"first run in this process (imports included): real {fmt_s(cold)}  bare {fmt_s(bare_cold)}")
    print(f"{'program run':<16} {'reps':>4} {'min':>11} {'median':>11} {'max':>11}")
    stats = {}
    for kind in ("wall", "cpu"):
        for label in ("real", "bare"):
            s = stats[label, kind] = summary(samples[label][kind])
            print(f"{label + ' ' + kind + ' time':<16} {s['n']:>4} {fmt_s(s['min'])} {fmt_s(s['median'])} "
                  f"{fmt_s(s['max'])}")
    ratio = {kind: stats["real", kind]["median"] / stats["bare", kind]["median"] for kind in ("wall", "cpu")}
    ratio_min = stats["real", "wall"]["min"] / stats["bare", "wall"]["min"]
    ok = ratio["wall"] <= TARGET and not problems
    print(f"ratio real/bare (wall): median {ratio['wall']:.2f}x  min {ratio_min:.2f}x;  CPU time: median "
          f"{ratio['cpu']:.2f}x  (target <= {TARGET}x): {'MET' if ok else 'NOT MET'}")
    over = stats["real", "wall"]["median"] - stats["bare", "wall"]["median"]
    print(f"ackstack overhead per run (wall median): {fmt_s(over)}  ({over / len(regs) * 1e3:.2f} ms per resource); "
          f"{load()} at the end")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
