"""The PR workflow's cost against its floor (issue #14, section 8).

    python bench/bench_floor.py [--stack prod] [--reps 5]
    python bench/bench_floor.py --podnetworkings 1000 [--reps 3]   (a generated stack, bench_scaling's)

The floor is what ANY program registering the same resources with the same provider SDKs pays: a fresh
Python process that imports the SDK modules the real program ends up loading (pulumi, pulumi_alicloud,
pulumi_kubernetes submodules) and registers exactly the real run's resources (bench/bare_program.py,
checked identical) under the same offline engine. Measured against it, all as fresh processes, wall
time, interleaved, in one run:

- program alone: the real `__main__.py` under the engine (config loading, validation, components);
- whole preview: `ackstack preview <stack> --json` (program, validation, capacity, policy pack).

Targets: whole preview <= 2x the floor, program alone <= 1.5x (ratios of medians). Exit 1 when missed.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PROGRAM, ROOT, load, load_stack, machine  # noqa: E402

PREVIEW_TARGET = 2.0
PROGRAM_TARGET = 1.5
_SDKS = ("pulumi_alicloud", "pulumi_kubernetes")


def _child_floor(state: Path) -> None:
    """Import the SDK modules, then register the recorded resources through a bare program."""
    import importlib

    data = pickle.loads(state.read_bytes())
    for name in data["modules"]:
        importlib.import_module(name)
    from bare_program import bare_program

    from ackstack.engine.engine import run_program

    program = bare_program(data["registrations"], data["outputs"], data["secret_outputs"])
    run = run_program(program, config=data["config"], stack=data["stack"], secret_keys=data["secret_keys"],
                      inventory=data["inventory"])
    assert len(run.registrations) == len(data["registrations"])


def _child_program(stack: str, config_file: str | None) -> None:
    from ackstack.engine.engine import run_program

    config, secret_keys, inventory = load_stack(stack, config_file)
    run = run_program(PROGRAM, config=config, stack=stack, secret_keys=secret_keys, inventory=inventory)
    assert run.error is None, run.error


def _wall(argv: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()[-1500:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--podnetworkings", type=int, help="measure a generated stack of this many PodNetworkings "
                        "(bench/bench_scaling.py's generator) instead of --stack")
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=("floor", "program"), help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "floor":
        _child_floor(Path(args.state))
        return 0
    if args.child == "program":
        _child_program(args.stack, args.config)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        if args.podnetworkings:
            from bench_scaling import make_config, write_stack_file

            args.stack, args.config = "bench", str(Path(folder) / "Pulumi.bench.yaml")
            write_stack_file(make_config(args.podnetworkings), Path(args.config))
        return _measure(args)


def _measure(args: argparse.Namespace) -> int:
    from bare_program import bare_program, compare

    from ackstack.engine.engine import run_program

    print(machine())
    config, secret_keys, inventory = load_stack(args.stack, args.config)
    real = run_program(PROGRAM, config=config, stack=args.stack, secret_keys=secret_keys, inventory=inventory)
    if real.error is not None:
        print(f"the real program failed on {args.stack}: {real.error}")
        return 1
    modules = sorted(m for m in sys.modules if m.split(".")[0] in _SDKS)
    bare = run_program(bare_program(real.registrations, real.outputs, real.secret_outputs), config=config,
                       stack=args.stack, secret_keys=secret_keys, inventory=inventory)
    problems = compare(real.registrations, bare.registrations)
    print(f"stack: {args.stack}  resources: {len(real.registrations)}  SDK modules the program loads: {len(modules)}")
    print(f"floor registers the same resources: {'yes' if not problems else 'NO: ' + '; '.join(problems[:5])}")
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.pickle"
        state.write_bytes(pickle.dumps({
            "modules": modules, "registrations": real.registrations, "outputs": real.outputs,
            "secret_outputs": real.secret_outputs, "config": config, "stack": args.stack,
            "secret_keys": secret_keys, "inventory": inventory,
        }))
        me = [sys.executable, str(Path(__file__).resolve())]
        given = ["--config", args.config] if args.config else []
        commands = {
            "floor": [*me, "--child", "floor", "--state", str(state)],
            "program": [*me, "--child", "program", "--stack", args.stack, *given],
            "preview": [sys.executable, "-m", "ackstack", "preview", args.stack, "--json", *given],
        }
        samples: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(args.reps):  # interleaved: drift and other load hit all three alike
            for label, command in commands.items():
                samples[label].append(_wall(command))
    median = {k: statistics.median(v) for k, v in samples.items()}
    print(f"{'fresh process, wall':<22} {'reps':>4} {'min':>8} {'median':>8} {'max':>8}")
    for label, values in samples.items():
        print(f"{label:<22} {len(values):>4} {min(values):>7.2f}s {median[label]:>7.2f}s {max(values):>7.2f}s")
    preview_ratio = median["preview"] / median["floor"]
    program_ratio = median["program"] / median["floor"]
    ok = preview_ratio <= PREVIEW_TARGET and program_ratio <= PROGRAM_TARGET and not problems
    print(f"whole preview / floor = {preview_ratio:.2f}x (target <= {PREVIEW_TARGET:g}x): "
          f"{'MET' if preview_ratio <= PREVIEW_TARGET else 'NOT MET'}")
    print(f"program alone / floor = {program_ratio:.2f}x (target <= {PROGRAM_TARGET:g}x): "
          f"{'MET' if program_ratio <= PROGRAM_TARGET else 'NOT MET'}")
    print(f"{load()} at the end")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
