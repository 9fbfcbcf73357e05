"""Issue #24 §5: what a new user met. A failed plan has no change summary; a mistyped command is named."""

from __future__ import annotations

import json

from ackstack.engine.testing import stack_config, with_value
from ackstack.preview.preview import render_tree, run_preview
from ackstack.preview.report import write_report


def test_compare_with_a_config_that_fails_validation_says_the_comparison_did_not_run(tmp_path):
    """It used to print "no change" beside "PodNetworking mysql is removed" (REP010), under a BLOCKED verdict."""
    import yaml

    base = run_preview("dev", policy=False)
    (tmp_path / "base.json").write_text(json.dumps(base.document()))
    bad = with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].maxSize", 99999)
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": bad}))
    result = run_preview("dev", config_file=str(tmp_path / "Pulumi.dev.yaml"), policy=False,
                         compare_file=str(tmp_path / "base.json"))
    assert result.blocked and result.changes["notRun"] and result.changes["resources"] == []
    assert not [f for f in result.findings if f["source"] == "compare"], result.findings
    tree = render_tree(result)
    assert "comparison did not run" in tree and "no change" not in tree
    report = write_report(result, tmp_path).read_text()
    assert "comparison did not run" in report and "no change" not in report and "BLOCKED" in report


def test_a_mistyped_command_is_named_with_the_nearest_one(capsys):
    from ackstack.cli import main

    assert main(["previw", "dev"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'previw' (did you mean `preview`?)" in err and "usage: ackstack" in err
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'frobnicate'; the commands are preview, rehearse, verify" in err


def test_the_adopted_cluster_preview_says_its_demand_is_unknown(tmp_path):
    """It used to show 0 demand and 0.0% use as if the adopted cluster's vSwitches were empty."""
    from components.capacity import DEMAND_UNKNOWN

    result = run_preview("existing", policy=False)
    assert result.capacity["demandUnknown"] == DEMAND_UNKNOWN
    tree = render_tree(result)
    assert DEMAND_UNKNOWN in tree and " 0+?" in tree and "  0  0.0%" not in tree
    assert DEMAND_UNKNOWN in write_report(result, tmp_path).read_text()
    assert "demandUnknown" not in run_preview("dev", policy=False).capacity  # a stack with its own node pools
