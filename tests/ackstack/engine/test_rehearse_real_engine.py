"""`ackstack rehearse` for every example stack with the pinned Pulumi CLI (tests/real_engine.py):
what a team runs, each step as a team expects it, and no secret's plaintext anywhere."""

from __future__ import annotations

import pytest

from tests.real_engine import deployed, per_stack


@pytest.mark.parametrize("stack", per_stack())
def test_rehearse_every_step_behaves(stack):
    result = deployed(stack).result
    failed = [f"{s.name}: exit {s.exit_code}, {s.changes} (expected {s.expected}) {s.detail}"
              for s in result.steps if not s.ok]
    assert not failed, failed
    assert result.cli_version == "v3.276.0"
    steps = {s.name: s for s in result.steps}
    assert steps["preview --expect-no-changes"].changes == {}
    if stack == "prod":  # production: destroy stops at the protected resources and leaves them
        destroy = steps["destroy (production)"]
        assert destroy.exit_code != 0 and "protected resources kept" in destroy.detail
    else:
        assert steps["destroy"].exit_code == 0


@pytest.mark.parametrize("stack", per_stack())
def test_rehearse_leaks_no_secret(stack):
    result = deployed(stack).result
    assert result.secrets_checked >= 1 and result.plaintext_found_in == []
