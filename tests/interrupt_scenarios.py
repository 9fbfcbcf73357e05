"""Ctrl-C / SIGTERM against each command run as its own process: the scenarios the tests run once and
`tests/stress_interrupts.py` runs many times under CPU load.

Each scenario starts the real command line (`ackstack ...`), waits until the command is inside
the phase under test, sends the signal and checks the contract: exit 128 + signal within the deadline,
one line on stderr and no traceback, nothing left running, and the command's own cleanup done (the
canary deleted, a migration never half-applied, no policy-pack process left).

`inherit_sigint_ignored` starts the command the way a background job of a non-interactive shell (or a
CI runner that launched the suite from one) is started: with SIGINT ignored. Python then installs no
KeyboardInterrupt handler of its own, which is how `verify --canary` used to wait out its timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ackstack.interrupts import descendants

ROOT = Path(__file__).resolve().parent.parent
# How long a command may take to end after the signal (a loaded 2-core machine included). The preview's
# watchdog ends it within 1.5 s of the signal; the day-2 commands finish their cleanup first.
EXIT_DEADLINE_SECONDS = {"preview": 10.0, "verify": 20.0, "migrate-controlplane": 20.0}
START_DEADLINE_SECONDS = 90.0


@dataclass
class Outcome:
    command: str
    signum: int
    returncode: int | None
    stderr: str
    seconds_to_exit: float | None
    problems: list[str]
    # The process had exited before the signal was sent (seen by poll()), or exited 0 within FINISHING_SECONDS of
    # it (its last check for a signal was behind it: an interrupted run needs ~60-110 ms under load to clean up and
    # says so on stderr): nothing was interrupted, so the run tests nothing and the stress harness draws another
    # moment instead of counting it.
    finished_first: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start(argv: list[str], inherit_sigint_ignored: bool) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ackstack", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            preexec_fn=_ignore_sigint if inherit_sigint_ignored else None)


def _wait_until(condition, proc: subprocess.Popen, seconds: float = START_DEADLINE_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


FINISHING_SECONDS = 0.05


def _signal_and_wait(command: str, proc: subprocess.Popen, signum: int) -> Outcome:
    """Send the signal; the outcome with the generic contract already checked."""
    if proc.poll() is not None:  # it ended on its own before the moment came
        _out, err = proc.communicate()
        return Outcome(command, signum, proc.returncode, err, None, ["finished before the signal"], finished_first=True)
    sent = time.monotonic()
    proc.send_signal(signum)
    problems: list[str] = []
    try:
        _out, err = proc.communicate(timeout=EXIT_DEADLINE_SECONDS[command])
        took: float | None = time.monotonic() - sent
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        took = None
        problems.append(f"still running {EXIT_DEADLINE_SECONDS[command]:.0f} s after {signal.Signals(signum).name}")
    if took is not None and proc.returncode == 0 and took < FINISHING_SECONDS and not err.strip():
        return Outcome(command, signum, 0, err, took, ["finished as the signal came"], finished_first=True)
    if took is not None and proc.returncode != 128 + signum:
        problems.append(f"exit {proc.returncode}, expected {128 + signum}")
    if "Traceback" in err or "Task exception was never retrieved" in err:
        problems.append("a traceback on stderr")
    return Outcome(command, signum, proc.returncode, err, took, problems)


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    with contextlib.suppress(OSError):
        return "zombie" not in status.read_text().lower()
    return False


# ---------------------------------------------------------------- verify --canary
def verify_canary(signum: int, *, inherit_sigint_ignored: bool = False) -> Outcome:
    """Interrupted while it waits for the canary's PodENI: the canary must be gone afterwards."""
    from ackstack.day2.expected import expected_state
    from ackstack.inputs.inventory import Inventory
    from tests.fake_cluster import TerwaySim, put_terway_cluster
    from tests.fake_kube import FakeKube

    expected = expected_state("existing")
    vswitches = {v["id"]: v for v in Inventory.load(ROOT / "inventory" / "existing.yaml").vswitches}
    with tempfile.TemporaryDirectory() as tmp, FakeKube(max_seconds=300) as kube:
        put_terway_cluster(kube, expected, vswitches)
        kube.sim = TerwaySim(vswitches, pick="legacy-mysql").install(kube)
        kube.sim.bind = False  # the PodENI never binds: the command waits until interrupted
        kubeconfig = kube.write_kubeconfig(Path(tmp) / "kubeconfig")
        proc = _start(["verify", "existing", "--kubeconfig", str(kubeconfig), "--canary", "--canary-timeout", "120"],
                      inherit_sigint_ignored)
        try:
            started = _wait_until(lambda: bool(kube.sim.created), proc)
            time.sleep(0.2)
            outcome = _signal_and_wait("verify", proc, signum)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        if not started:
            outcome.problems.append("the canary StatefulSet was never created: nothing was tested")
        if "ok   canary deleted" not in outcome.stderr:
            outcome.problems.append("no 'canary deleted' check line")
        left = [key for key in kube.objects if key[2] in ("statefulsets", "pods") and "canary" in key[3]]
        if left:
            outcome.problems.append(f"canary left behind: {left}")
    return outcome


# ---------------------------------------------------------------- migrate-controlplane --apply
def migrate_apply(signum: int, *, inherit_sigint_ignored: bool = False) -> Outcome:
    """Interrupted while the scale-down request is in flight: that request completes, nothing after it
    runs, the backup on disk is complete, and the line says how to undo."""
    from ackstack.day2.migrate import Backup
    from tests.ackstack.day2.test_migrate import DEPLOY, MUTATING, VALIDATING, webhook_configuration
    from tests.fake_cluster import deployment, node
    from tests.fake_kube import FakeKube

    with tempfile.TemporaryDirectory() as tmp, FakeKube(max_seconds=300) as kube:
        kube.put("/api/v1/nodes/master-1", node("master-1", "cn-hangzhou-h", master=True))
        kube.put(DEPLOY, deployment("terway-controlplane", replicas=2))
        kube.put_raw(MUTATING, json.dumps(webhook_configuration("MutatingWebhookConfiguration", "m", "/m")).encode())
        kube.put_raw(VALIDATING, json.dumps(webhook_configuration("ValidatingWebhookConfiguration", "v", "/v")).encode())
        kube.delay["PATCH"] = 1.0  # the scale-down is slow: the signal lands while it is in flight
        kubeconfig = kube.write_kubeconfig(Path(tmp) / "kubeconfig")
        backup_dir = Path(tmp) / "backup"
        proc = _start(["migrate-controlplane", "--kubeconfig", str(kubeconfig), "--backup-dir", str(backup_dir),
                       "--apply"], inherit_sigint_ignored)
        try:
            started = _wait_until(lambda: ("PATCH", DEPLOY) in kube.requests, proc)
            outcome = _signal_and_wait("migrate-controlplane", proc, signum)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        if not started:
            outcome.problems.append("the scale-down was never requested: nothing was tested")
        scaled = (kube.get(DEPLOY) or {}).get("spec", {}).get("replicas")
        if scaled != 0:
            outcome.problems.append(f"the in-flight scale-down did not complete (replicas {scaled})")
        if ("DELETE", MUTATING) in kube.requests or ("DELETE", VALIDATING) in kube.requests:
            outcome.problems.append("a webhook configuration was deleted after the signal")
        try:
            Backup.read(backup_dir)
        except Exception as exc:  # noqa: BLE001 - any failure to read it back is the finding
            outcome.problems.append(f"the backup does not verify: {exc}")
        if "--restore --apply" not in outcome.stderr or outcome.stderr.count("\n") != 1:
            outcome.problems.append("not one line saying what was done and how to undo it")
    return outcome


# ---------------------------------------------------------------- preview (policy pack running)
def _pack_running(pid: int, seen: list[int]) -> bool:
    """The policy pack (`-m pulumi.policy`) is among the command's descendants; all of them are noted."""
    found = descendants(pid)
    seen.extend(p for p in found if p not in seen)
    for child in found:
        with contextlib.suppress(OSError):
            if b"pulumi.policy" in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
    return False


def preview_with_pack(signum: int, *, inherit_sigint_ignored: bool = False, stack: str = "prod",
                      delay: float = 0.0) -> Outcome:
    """Interrupted `delay` seconds after the policy pack started: one line, and no pack process left."""
    proc = _start(["preview", stack], inherit_sigint_ignored)
    pack: list[int] = []
    try:
        started = _wait_until(lambda: _pack_running(proc.pid, pack), proc)
        time.sleep(delay)
        outcome = _signal_and_wait("preview", proc, signum)
        if outcome.returncode == 0 and not outcome.finished_first:
            outcome.problems.append("running when signalled, yet it finished as if not interrupted")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if not started:
        outcome.problems.append("the policy pack never started: nothing was tested")
    if outcome.stderr.count("\n") != 1:
        outcome.problems.append(f"{outcome.stderr.count(chr(10))} lines on stderr, expected one")
    time.sleep(0.2)
    if [p for p in pack if _alive(p)]:
        outcome.problems.append("policy pack left running")
        for p in pack:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)
    return outcome


def _handles_sigterm(pid: int) -> bool:
    """The command's first line has run: it catches SIGTERM (`SigCgt` in /proc/<pid>/status; Python itself
    catches only SIGINT at start-up). Before that the interpreter is starting, which no program controls."""
    with contextlib.suppress(OSError, ValueError, StopIteration):
        status = Path(f"/proc/{pid}/status").read_text()
        caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
        return bool(caught & (1 << (signal.SIGTERM - 1)))
    return False


def preview_loading(signum: int, *, inherit_sigint_ignored: bool = False, delay: float = 0.0) -> Outcome:
    """Interrupted `delay` seconds after the command's first line ran: while Pulumi and the components load,
    or the program runs."""
    proc = _start(["preview", "dev", "--no-policy"], inherit_sigint_ignored)
    try:
        started = _wait_until(lambda: _handles_sigterm(proc.pid), proc)
        time.sleep(delay)
        outcome = _signal_and_wait("preview", proc, signum)
        if outcome.returncode == 0 and not outcome.finished_first:
            outcome.problems.append("running when signalled, yet it finished as if not interrupted")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if not started:
        outcome.problems.append("the command never started: nothing was tested")
    if outcome.stderr.count("\n") != 1:
        outcome.problems.append(f"{outcome.stderr.count(chr(10))} lines on stderr, expected one")
    return outcome


# ---------------------------------------------------------------- preview of a large stack, signals at many points
LARGE_PODNETWORKINGS = 200


def _large_argv(stack_file: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "ackstack", "preview", "bench", "--config", str(stack_file), "--out", str(out),
            "--progress"]


def _listing(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()}


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120]
    return "(gone)"


@dataclass
class LargePreview:
    """A generated stack, the complete `--out` of an uninterrupted run and how long that run took."""

    stack_file: Path
    out: Path
    complete: dict[str, int]
    seconds: float


def large_preview(folder: Path, podnetworkings: int = LARGE_PODNETWORKINGS) -> LargePreview:
    from bench.bench_scaling import make_config, write_stack_file

    stack_file = folder / "Pulumi.bench.yaml"
    write_stack_file(make_config(podnetworkings), stack_file)
    out = folder / "out"
    started = time.monotonic()
    done = subprocess.run(_large_argv(stack_file, out), cwd=ROOT, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"the uninterrupted large preview failed: {done.stderr[-3000:]}")
    json.loads((out / "preview.json").read_text())
    return LargePreview(stack_file, out, _listing(out), seconds)


# Stages of a preview as its progress lines name them (ackstack/preview/preview.py), for `preview_large_at`.
LARGE_STAGES = ("running the program", "registered", "policy pack analysing", "writing")


def _stage(line: str) -> str:
    text = line.split("] ", 1)[1] if "] " in line else line
    return next((s.split(" ")[0] for s in LARGE_STAGES if s in text), text.split(" ")[0])


def _finished_before_the_signal(status: int | None, lines: list[str]) -> bool:
    """The run ended with success, its `done` line and no interruption line. Every signal that reaches the run
    before its last check for one (cli._finish) ends it with 128 + signal and one line, so this run finished before
    the signal came: between this harness's poll and its kill (the harness can be descheduled there on a loaded
    machine; seen twice in ten CI runs at 0.3 s after "writing"), or after that last check."""
    return status == 0 and not any("interrupted" in line for line in lines) and any(
        line.startswith("ackstack: [") and _stage(line) == "done" for line in lines)


def preview_large_at(large: LargePreview, signum: int, delay: float, after: str | None = None,
                     ) -> tuple[Outcome, str | None]:
    """One run interrupted `delay` seconds after its progress line containing `after` appeared (with `after`
    None: after its first line ran, the loading phase); (outcome, the stage it was in: `loading` before the first
    stage line, else the stage's first word), stage None when the run finished first. Stage-triggered, so a
    loaded machine that stretches one phase does not move the signal into another."""
    proc = subprocess.Popen(_large_argv(large.stack_file, large.out), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)
    reader.start()
    seen: set[int] = set()

    def waiting() -> bool:
        seen.update(descendants(proc.pid))
        return (after is None and _handles_sigterm(proc.pid)) or (
            after is not None and any(after in line for line in list(lines)))

    # From the command's first line on (before it, the interpreter is starting: no program controls that).
    _wait_until(waiting, proc)
    until = time.monotonic() + delay
    while time.monotonic() < until and proc.poll() is None:
        seen.update(descendants(proc.pid))
        time.sleep(0.02)
    seen.update(descendants(proc.pid))
    finished_first = proc.poll() is not None
    sent = time.monotonic()
    proc.send_signal(signum)
    problems: list[str] = []
    try:
        proc.wait(timeout=EXIT_DEADLINE_SECONDS["preview"])
        took: float | None = time.monotonic() - sent
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        took = None
        problems.append(f"still running {EXIT_DEADLINE_SECONDS['preview']:.0f} s after {signal.Signals(signum).name}")
    reader.join(timeout=10)
    err = "".join(lines)
    outcome = Outcome("preview", signum, proc.returncode, err, took, problems)
    if finished_first or _finished_before_the_signal(proc.returncode, lines):
        return outcome, None
    if took is not None and proc.returncode != 128 + signum:
        problems.append(f"exit {proc.returncode}, expected {128 + signum}")
    if "Traceback" in err or "Task exception was never retrieved" in err:
        problems.append("a traceback on stderr")
    progress = [line for line in err.splitlines() if line.startswith("ackstack: [")]
    others = [line for line in err.splitlines() if not line.startswith("ackstack: [")]
    stage = _stage(progress[-1]) if progress else "loading"
    if len(others) != 1 or "interrupted" not in others[0]:
        problems.append(f"stderr besides progress lines: {others[-5:]}")
    time.sleep(0.3)
    if left := [pid for pid in seen if _alive(pid)]:
        problems.append(f"{len(left)} process(es) of the run left: {[_cmdline(pid) for pid in left]}")
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    if _listing(large.out) != large.complete:
        problems.append("--out is no longer the previous complete result")
    else:
        json.loads((large.out / "preview.json").read_text())
    return outcome, stage


SCENARIOS = {"verify": verify_canary, "migrate-controlplane": migrate_apply, "preview": preview_with_pack,
             "preview-loading": preview_loading}
