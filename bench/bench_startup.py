"""Start-up: process start to the first resource registration (issue #7, item 6).

    python bench/bench_startup.py [--stack dev] [--reps 5] [--top 20]

Each repetition starts FRESH interpreters (subprocesses) and compares, on the shared monotonic clock
(`time.perf_counter` is CLOCK_MONOTONIC on Linux, the same in parent and child):

- `python -c pass`: the interpreter alone;
- `python -c "import pulumi"`: what any Pulumi Python program pays before its own code;
- the `__main__.py` equivalent: the offline engine (which stands in for the language host: pulumi
  runtime, grpc, mocks) runs the real `__main__.py` for the stack; a RecordingMonitor hook notes the
  moment of the first RegisterResource. Phases: spawn -> engine imported -> first registration
  (program imports + config + validation + first resource) -> program done.

Then one `python -X importtime` run of the same child lists the heaviest imports of the PROGRAM path
(modules first imported after the engine was ready, i.e. by `__main__.py` itself), cumulative time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, load, machine  # noqa: E402

CHILD = r"""
import time
T0 = time.perf_counter()
import sys
sys.path.insert(0, ROOT)
from ackstack.engine import engine
from ackstack.preview.preview import PROGRAM, load_inputs
T_ENGINE = time.perf_counter()
first = []
_orig = engine.RecordingMonitor.RegisterResource
def _hook(self, request):
    if not first:
        first.append(time.perf_counter())
    return _orig(self, request)
engine.RecordingMonitor.RegisterResource = _hook
config_file, inventory = load_inputs(STACK, None, None)
before = set(sys.modules)
sys.stderr.write("import time: MARK program-start\n"); sys.stderr.flush()
import components.program  # what __main__.py imports first; timed on its own, then cached
import components.cluster, components.network, components.cni  # the component modules build() imports
T_IMPORTS = time.perf_counter()
run = engine.run_program(PROGRAM, config=config_file.config, stack=STACK, secret_keys=config_file.secret_keys,
                         inventory=inventory)
T_END = time.perf_counter()
new = sorted(m for m in set(sys.modules) - before if "." not in m)
print(json.dumps({"t0": T0, "engine": T_ENGINE, "imports": T_IMPORTS, "first": first[0] if first else None, "end": T_END,
                  "error": repr(run.error) if run.error else None, "resources": len(run.registrations),
                  "new_top_level_modules": new}))
"""


def child_code(stack: str) -> str:
    return f"import json\nROOT = {str(ROOT)!r}\nSTACK = {stack!r}\n" + CHILD


def spawn(argv: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    t_spawn = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    return t_spawn, time.perf_counter(), proc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    print(machine())
    py = sys.executable
    rows: dict[str, list[float]] = {k: [] for k in
                                    ("python -c pass", "python -c 'import pulumi'", "spawn -> engine ready",
                                     "spawn -> first registration", "engine ready -> program imported",
                                     "program imported -> first registration",
                                     "spawn -> program done", "process total")}
    info = {}
    for _ in range(args.reps):
        s, e, _p = spawn([py, "-c", "pass"])
        rows["python -c pass"].append(e - s)
        s, e, _p = spawn([py, "-c", "import time, pulumi; print(time.perf_counter())"])
        rows["python -c 'import pulumi'"].append(float(_p.stdout.strip()) - s)
        s, e, proc = spawn([py, "-c", child_code(args.stack)])
        if proc.returncode != 0:
            print(proc.stderr[-3000:])
            return 1
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        if info["first"] is None:
            print(f"nothing registered on {args.stack}: {info['error']}")
            return 1
        rows["spawn -> engine ready"].append(info["engine"] - s)
        rows["spawn -> first registration"].append(info["first"] - s)
        rows["engine ready -> program imported"].append(info["imports"] - info["engine"])
        rows["program imported -> first registration"].append(info["first"] - info["imports"])
        rows["spawn -> program done"].append(info["end"] - s)
        rows["process total"].append(e - s)
    print(f"stack: {args.stack} ({info['resources']} resources); {args.reps} fresh processes each; wall seconds")
    print(f"{'':38} {'min':>8} {'median':>8}")
    for label, values in rows.items():
        print(f"{label:38} {min(values):8.3f} {statistics.median(values):8.3f}")
    med = {k: statistics.median(v) for k, v in rows.items()}
    base = med["python -c 'import pulumi'"]
    print(f"first registration / 'import pulumi' process: {med['spawn -> first registration'] / base:.2f}x "
          f"(Pulumi Python sends RegisterResource from asyncio tasks once the synchronous program body has "
          f"run, so 'first registration' comes after config, validation and every component constructor)")
    print("top-level modules first imported by the program (after the engine was ready): "
          + ", ".join(info["new_top_level_modules"]))

    # One -X importtime run: heaviest imports of the program path, cumulative microseconds.
    proc = subprocess.run([py, "-X", "importtime", "-c", child_code(args.stack)], cwd=ROOT, capture_output=True,
                          text=True)
    lines = proc.stderr.splitlines()
    mark = next((i for i, line in enumerate(lines) if "MARK program-start" in line), 0)
    entries = []
    for line in lines[mark + 1:]:
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, self_us, cum_us, name = (part for part in [line[:12]] + line[12:].split("|"))
        try:
            entries.append((int(cum_us), int(self_us), name.rstrip()))
        except ValueError:
            continue
    print(f"heaviest imports of the program path (python -X importtime; cumulative ms, self ms; indentation = "
          f"nesting), top {args.top}:")
    for cum, self_us, name in sorted(entries, reverse=True)[: args.top]:
        print(f"  {cum / 1e3:8.1f} {self_us / 1e3:8.1f}  {name}")
    print(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
