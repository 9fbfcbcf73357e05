"""Every rule id must FIRE in some test, not merely be mentioned in one (issue #25).

Each test records the rule ids of the findings ackstack's own code created while it ran (findings a test builds
by hand, or parses back from a subprocess's output, do not count). The ids travel as a user property, so xdist
workers report them to the controller. When the run covered every test file with no -k/-m selection, a rule id
of the catalog (or of config parsing) that fired in no test fails the run (exit status 1).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
PROPERTY = "rules-fired"


def _counts(frame) -> bool:
    """A finding counts when ackstack's code built it: not a test file, not `Finding.from_line`."""
    code = frame.f_code
    return code.co_name != "from_line" and not Path(code.co_filename).resolve().is_relative_to(TESTS)


@pytest.fixture(autouse=True)
def _record_rule_firings(request, monkeypatch):
    from components.validation.findings import Finding

    fired: set[str] = set()
    original = Finding.__init__

    def recording_init(self, rule, *args, **kwargs):
        original(self, rule, *args, **kwargs)
        if _counts(sys._getframe(1)):
            fired.add(rule)

    monkeypatch.setattr(Finding, "__init__", recording_init)
    yield
    if fired:
        request.node.user_properties.append((PROPERTY, " ".join(sorted(fired))))


class RuleFirings:
    """Collects the recorded ids on the controller (or the only process) and judges them at the end."""

    def __init__(self) -> None:
        self.fired: set[str] = set()
        self.files: set[str] = set()
        self.missing: list[str] | None = None

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        self.files.add(report.nodeid.split("::", 1)[0].rsplit("/", 1)[-1])
        for name, value in getattr(report, "user_properties", ()):
            if name == PROPERTY:
                self.fired.update(value.split())

    @pytest.hookimpl
    def pytest_sessionfinish(self, session):
        config = session.config
        every_file = {p.name for p in TESTS.rglob("test_*.py")} <= self.files
        selected = config.getoption("keyword", "") or config.getoption("markexpr", "") \
            or config.getoption("deselect", None)
        if not every_file or selected or getattr(config, "workerinput", None) is not None:
            return
        from components.validation.catalog import catalog
        from tests.test_docs import NON_CATALOG

        self.missing = sorted(({r.id for r in catalog()} | NON_CATALOG) - self.fired)
        if self.missing and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter):
        if self.missing:
            terminalreporter.write_sep("-", "rule ids that fired in no test", red=True)
            terminalreporter.write_line(" ".join(self.missing))


def pytest_configure(config):
    config.pluginmanager.register(RuleFirings(), "ackstack-rule-firings")
