"""#21 §2: moving the components to typed Args (NodePool and TerwayTrunk between the cluster and its children)
changes no resource of an existing stack, judged by the real Pulumi CLI.

For every example stack: `pulumi up` with the program as it was before the move (`BASE_COMMIT`, taken from git
history with `git archive`), then with this program in the same state a `pulumi preview` whose only steps other than `same` create the new
component resources (a component holds no cloud object, but the engine counts its first registration as a
create, so `--expect-no-changes` cannot hold before it), and after `pulumi up` (which only records those)
`pulumi preview --expect-no-changes`.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from ackstack.engine.rehearse import SECRET_CONFIG_KEY, Workspace, _json, change_counts
from components.cilium_render import REFERENCE_CHARTS
from tests.real_engine import ROOT, STACKS, require_cli

# main just before the typed Args (#21 §2) and the one-place layout (#21 §4) landed: the program a deployed stack was
# last updated with (plan-taking components, the PodNetworking quota input of #23 already there).
BASE_COMMIT = "f78593f"
# What the program imports from the project directory (ahead of the venv): its packages, and the facts and checks it
# shares with the pack (`policies/ackstack_core`, which #21 §4 reorganised after BASE_COMMIT).
BASE_PATHS = ("components", "charts", "policies/ackstack_core")

# Component resources #21 §2 put between the cluster and its children: a logical node in the state, no cloud object.
NEW_COMPONENT_TYPES = ("ackstack:cluster:NodePool", "ackstack:terway:TerwayTrunk")



def _base_program(into: Path) -> None:
    """The program's packages at BASE_COMMIT, where the language host finds them first (the program's directory
    is sys.path[0], ahead of the editable install of this checkout)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", BASE_COMMIT, *BASE_PATHS],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "policies" / "ackstack_core").rename(into / "ackstack_core")
    (into / "policies").rmdir()


@pytest.mark.parametrize("stack", STACKS)
def test_state_made_before_the_move_previews_with_no_changes(stack: str) -> None:
    require_cli()
    if subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{BASE_COMMIT}^{{commit}}"]).returncode:
        pytest.fail(f"commit {BASE_COMMIT} is not in this clone's history (a shallow clone?)")
    inventory = ROOT / "inventory" / f"{stack}.yaml"
    with tempfile.TemporaryDirectory(prefix=f"ackstack-urns-{stack}-") as tmp:
        ws = Workspace(stack, Path(tmp), ROOT / f"Pulumi.{stack}.yaml", inventory if inventory.is_file() else None)
        ws.install_plugins()
        _base_program(ws.project)
        # The old program's chart render finds the reference chart packages two levels above its own copy
        # (components/cilium_render.py REFERENCE_CHARTS at BASE_COMMIT). The provider plugins never import the
        # project directory's copies (`python -P`, go/targets.json): they are this checkout's.
        charts = Path(tmp) / REFERENCE_CHARTS.relative_to(REFERENCE_CHARTS.parents[2])
        charts.parent.mkdir(parents=True)
        charts.symlink_to(REFERENCE_CHARTS)
        for args in (["stack", "init", stack, "--secrets-provider", "passphrase"],
                     ["config", "set", "--secret", SECRET_CONFIG_KEY, ws.secret_value]):
            code, _out, err, _ = ws.run(*args, record=False)
            assert code == 0, err
        code, out, err, _ = ws.run("up", "--yes", "--json", record=False)
        assert code == 0, f"pulumi up with the program at {BASE_COMMIT} failed: {err[-2000:]}{out[-3000:]}"
        created = change_counts(_json(out)).get("create", 0)
        assert created > 0

        for name in (*BASE_PATHS[:2], "ackstack_core"):
            shutil.rmtree(ws.project / name)
        # The real engine's plan: every resource of the old state keeps its URN (aliases) and inputs ("same");
        # only the new component resources, which hold no cloud object, are created.
        code, out, err, _ = ws.run("preview", "--json", record=False)
        assert code == 0, err[-3000:]
        steps = [(step["op"], step["urn"]) for step in _json(out).get("steps", [])]
        changed = [(op, urn) for op, urn in steps if op not in ("same", "read")]  # read: the Secret.get of existing
        assert changed, "the new components should be created"
        assert all(op == "create" and urn.split("::")[-2].rsplit("$", 1)[-1] in NEW_COMPONENT_TYPES
                   for op, urn in changed), f"{stack}: resources of the state made at {BASE_COMMIT} change: {changed}"
        summary = _json(out).get("changeSummary") or {}
        assert summary.get("same") == created and summary.get("create") == len(changed), summary

        code, _out, err, _ = ws.run("up", "--yes", "--json", record=False)
        assert code == 0, err[-3000:]
        code, out, err, _ = ws.run("preview", "--expect-no-changes", "--json", record=False)
        assert code == 0 and not change_counts(_json(out)), f"{stack}: {change_counts(_json(out))}\n{err[-3000:]}"
