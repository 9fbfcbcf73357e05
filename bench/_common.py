"""Shared helpers for the bench scripts (not a benchmark itself).

Every bench script runs from the repository root with one command (``python bench/<script>.py``)
and prints the machine it ran on, its figures and its ratios, all measured in the same run.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROGRAM = ROOT / "__main__.py"


def machine() -> str:
    """nproc, CPU model (from /proc/cpuinfo), Python version: printed at the top of every bench."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"machine: nproc={os.cpu_count()} cpu='{model}' python={platform.python_version()} "
            f"({sys.executable}) os={platform.system()} {platform.release()}; {load()}; {calibration()}")


def calibration() -> str:
    """CPU speed right now: CPU ms for a fixed pure-Python loop (the VM's per-instruction speed varies
    with host load; compare runs only at similar calibration figures)."""
    c0 = time.process_time()
    sum(range(10_000_000))
    return f"calibration sum(range(1e7)) = {(time.process_time() - c0) * 1e3:.0f} ms CPU"


def load() -> str:
    """Load average: the machine may be shared; CPU-time figures are printed next to wall times."""
    try:
        return "loadavg " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "loadavg unknown"


def example_stacks() -> list[str]:
    """Every `Pulumi.<stack>.yaml` in the repository root, sorted (dev, existing, prod, staging, ...)."""
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))


def load_stack(stack: str, config_file: str | None = None):
    """(config map, secret keys, inventory) exactly as `ackstack preview` reads them."""
    from ackstack.preview.preview import load_inputs

    stack_file, inventory = load_inputs(stack, config_file, None)
    return stack_file.config, stack_file.secret_keys, inventory


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t0, result


def _cpu() -> float:
    """CPU seconds of this process (all threads) plus its reaped children (user + system)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(fn, *args, **kwargs):
    """(wall seconds, CPU seconds incl. children, result): wall is what users wait; CPU time is robust
    against other load on a shared machine."""
    c0, t0 = _cpu(), time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t0, _cpu() - c0, result


def summary(samples: list[float]) -> dict:
    return {"n": len(samples), "min": min(samples), "median": statistics.median(samples), "max": max(samples)}


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms" if seconds < 10 else f"{seconds:8.2f} s"
