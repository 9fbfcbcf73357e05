"""Ctrl-C and SIGTERM end `verify --canary`, `migrate-controlplane --apply` and `preview` cleanly, also when
the command was started with SIGINT ignored (as CI runners and background jobs start it).

The scenarios live in `tests/interrupt_scenarios.py`; `tests/stress_interrupts.py` runs them many times
under CPU load (docs/operations.md, "Interruptions").
"""

from __future__ import annotations

import signal

import pytest

from tests.interrupt_scenarios import SCENARIOS

CASES = [(command, signum, ignored)
         for command in SCENARIOS
         for signum, ignored in ((signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGINT, True))]


@pytest.mark.parametrize("command, signum, inherit_sigint_ignored", CASES,
                         ids=[f"{c}-{signal.Signals(s).name}{'-inherited-ignore' if i else ''}" for c, s, i in CASES])
def test_a_stop_signal_ends_the_command_cleanly(command, signum, inherit_sigint_ignored):
    outcome = SCENARIOS[command](signum, inherit_sigint_ignored=inherit_sigint_ignored)
    assert outcome.ok, f"{outcome.problems}\n--- stderr ---\n{outcome.stderr[-6000:]}"


SWALLOWED = """
import os, signal, sys, time
from ackstack.interrupts import Interrupted, interruptible

class Finalised:
    def __del__(self):  # the handler runs here, where Python can only print "Exception ignored"
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass

try:
    with interruptible():
        Finalised()
        started = time.monotonic()
        while time.monotonic() - started < 5:
            sum(range(1000))
    print("ran on")
except Interrupted as exc:
    print("interrupted", exc.exit_status)
"""


def test_an_interruption_raised_inside_a_finaliser_is_delivered_again_not_printed():
    import subprocess
    import sys

    from tests.interrupt_scenarios import ROOT

    proc = subprocess.run([sys.executable, "-c", SWALLOWED], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "interrupted 130", proc.stdout + proc.stderr
    assert "Exception ignored" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
