import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest_plugins = ["ackstack.engine.testing", "tests.rule_firings"]


@pytest.hookimpl(trylast=True)  # after pytest's tmp_path plugin made the factory
def pytest_configure(config):
    """One directory for the whole session, shared by the xdist workers (their base temps are its children):
    the real-engine rehearsals are made once per session there (tests/real_engine.py `deployed`)."""
    import os

    from tests.real_engine import SHARED_ENV

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and SHARED_ENV not in os.environ:
        base = config._tmp_path_factory.getbasetemp()  # .../pytest-N/popen-gwK on a worker
        os.environ[SHARED_ENV] = str(base.parent / "shared-rehearsals")


def pytest_terminal_summary(terminalreporter):
    """Print the fuzz tests' case counts and times (recorded with `record_property("fuzz", ...)`; works
    under xdist, whose workers send user properties with each report)."""
    lines = [value for reports in terminalreporter.stats.values() for report in reports
             for name, value in getattr(report, "user_properties", ()) if name == "fuzz"]
    if lines:
        terminalreporter.write_sep("-", "fuzz")
        for line in sorted(set(lines)):
            terminalreporter.write_line(f"fuzz: {line}")
