"""SIGINT and SIGTERM at many points of a large preview (issue #24 §1): while Pulumi and the components load,
while the program registers, while the policy pack analyses and while `--out` is written.

Each run (`tests/interrupt_scenarios.preview_large_at`): exit 128 + signal, one `interrupted` line on stderr
besides the progress lines and no traceback, no process of the run left (the policy pack included), and the
`--out` directory still the complete result of the previous run (written whole or not at all). The 2-second
exit contract is measured under load by `tests/stress_interrupts.py --only preview-large`; here the deadline is
the scenarios' generous one, so a loaded CI machine does not fail the suite for slowness.
"""

from __future__ import annotations

import signal

import pytest

from tests.interrupt_scenarios import LARGE_STAGES, large_preview, preview_large_at

# (after which progress line, how many seconds later): loading (after the first line ran), then each stage the
# preview announces, at once and a little later, so the signal lands in every phase however loaded the machine.
POINTS = [(None, 0.0), (None, 0.5), (None, 1.5)] + [(stage, delay) for stage in LARGE_STAGES for delay in (0.0, 0.3)]


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    return large_preview(tmp_path_factory.mktemp("large-preview"))


def test_a_signal_at_any_point_of_a_large_preview_ends_it_cleanly(large):
    problems: list[str] = []
    stages: set[str] = set()
    for index, (after, delay) in enumerate(POINTS):
        signum = (signal.SIGINT, signal.SIGTERM)[index % 2]
        outcome, stage = preview_large_at(large, signum, delay, after)
        where = f"{delay:.1f}s after {after or 'the first line'} {signum.name}"
        if stage is None:  # finished before the signal: only late in writing --out can that be
            # (0.3 s after its line, ~0.24 s of writing here); right at the line the signal must still stop it.
            assert after == "writing" and delay > 0, f"{where}: finished before the signal"
            continue
        stages.add(stage)
        problems += [f"{where} ({stage}): {p}" for p in outcome.problems]
    assert problems == []
    # The points cover the phases: loading (before the first stage line), the program, the pack.
    assert {"loading", "running", "policy"} <= stages, stages
