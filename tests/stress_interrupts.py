"""Stress the stop-signal handling: every interruption scenario, many times, beside a busy loop per core.

    .venv/bin/python tests/stress_interrupts.py [--runs 50] [--only verify,preview] [--large-podnetworkings 1000]

Each run picks SIGINT, SIGTERM or SIGINT with SIGINT ignored at start-up (in turn); `preview` a random
moment in its first half second after the policy pack started, `preview-loading` a random moment in
the first 1.5 seconds after its first line ran (Pulumi and the components loading, the program starting); a run that
exited before its moment came is drawn again in a narrower window (counted as "redrawn"). Prints one line per
scenario with its counts and the slowest exit, every failure with its stderr, and exits 1 on any failure. Not part of
the test command (it takes minutes); `tests/ackstack/test_interrupts.py` runs each scenario once per variant.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.interrupt_scenarios import LARGE_PODNETWORKINGS, SCENARIOS, large_preview, preview_large_at  # noqa: E402

LARGE = "preview-large"  # a large preview with --out (200 PodNetworkings unless told), signalled at a random moment

VARIANTS = ((signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True))
# Scenarios signalled a random moment after they are ready: the first window, in seconds (`preview` after the policy
# pack started, `preview-loading` after the command's first line ran).
WINDOWS = {"preview": 0.5, "preview-loading": 1.5}


def _busy() -> None:
    while True:
        pass


def times_within(exits: list[float | None], seconds: float) -> str:
    return f"{sum(1 for t in exits if t is not None and t <= seconds)}/{len(exits)}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs per scenario (default 50)")
    parser.add_argument("--only", default=",".join([*SCENARIOS, LARGE]), help="comma-separated scenarios")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--large-podnetworkings", type=int, default=LARGE_PODNETWORKINGS,
                        help=f"PodNetworkings of the {LARGE} stack (default {LARGE_PODNETWORKINGS}; issue #24 used 1,000)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    load = [multiprocessing.Process(target=_busy, daemon=True) for _ in range(os.cpu_count() or 1)]
    for proc in load:
        proc.start()
    failed = 0
    try:
        for name in args.only.split(","):
            slowest, bad, started, exits = 0.0, 0, time.monotonic(), []
            if name == LARGE:
                import tempfile

                large = large_preview(Path(tempfile.mkdtemp(prefix="ackstack-stress-large-")),
                                      args.large_podnetworkings)
            # The moment is drawn in a window that shrinks to 0.8 x a delay the command outlived no longer: a
            # run that had exited before its signal (Outcome.finished_first) tested nothing and is drawn again.
            window, redrawn = WINDOWS.get(name, 0.0), 0
            for run in range(args.runs):
                signum, ignored = VARIANTS[run % len(VARIANTS)]
                while True:
                    if name == LARGE:
                        outcome, _stage = preview_large_at(large, signum, rng.uniform(0, large.seconds * 0.9))
                        break
                    delay = rng.uniform(0.0, window)
                    outcome = SCENARIOS[name](signum, inherit_sigint_ignored=ignored,
                                              **({"delay": delay} if name in WINDOWS else {}))
                    if not outcome.finished_first or redrawn >= args.runs:
                        break
                    redrawn += 1
                    window = min(window, 0.8 * delay)
                slowest = max(slowest, outcome.seconds_to_exit or float("inf"))
                exits.append(outcome.seconds_to_exit)
                if not outcome.ok:
                    bad += 1
                    print(f"FAIL {name} run {run} {signal.Signals(signum).name}"
                          f"{' (SIGINT ignored at start)' if ignored else ''}: {outcome.problems}\n"
                          f"{outcome.stderr[-6000:]}", flush=True)
            failed += bad
            redraws = f"{redrawn} redrawn (window now {window:.2f} s), " if name in WINDOWS else ""
            size = f" ({args.large_podnetworkings} PodNetworkings)" if name == LARGE else ""
            print(f"{name}{size}: {args.runs} runs under {len(load)} busy loop(s), {args.runs - bad} clean, {bad} failed, "
                  f"{redraws}slowest exit {slowest:.2f} s after the signal, {times_within(exits, 2.0)} within 2 s, "
                  f"{time.monotonic() - started:.0f} s in all", flush=True)
    finally:
        for proc in load:
            proc.kill()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
