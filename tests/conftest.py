import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest_plugins = ["ackstack.engine.testing", "tests.rule_firings"]


def pytest_terminal_summary(terminalreporter):
    """Print the fuzz tests' case counts and times (recorded with `record_property("fuzz", ...)`; works
    under xdist, whose workers send user properties with each report)."""
    lines = [value for reports in terminalreporter.stats.values() for report in reports
             for name, value in getattr(report, "user_properties", ()) if name == "fuzz"]
    if lines:
        terminalreporter.write_sep("-", "fuzz")
        for line in sorted(set(lines)):
            terminalreporter.write_line(f"fuzz: {line}")
