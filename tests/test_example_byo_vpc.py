"""#21 §2: examples/byo-vpc-terway, another team's program with its own VPC and vSwitches, previews with the real
Pulumi CLI and ackstack's provider plugins, and its components check their Args like the program does."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import yaml

from ackstack.engine.rehearse import Workspace, _json
from tests.real_engine import ROOT, require_cli

EXAMPLE = ROOT / "examples" / "byo-vpc-terway"


def example_workspace(tmp: Path) -> Workspace:
    """The rehearsal's throw-away backend and plugins, with the example as the project (this venv runs it)."""
    ws = Workspace("dev", tmp, EXAMPLE / "Pulumi.dev.yaml", None)
    ws.install_plugins()
    project = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text(encoding="utf-8"))
    project["runtime"]["options"]["virtualenv"] = str(Path(sys.executable).parent.parent)
    for stale in ws.project.iterdir():
        stale.unlink()
    (ws.project / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
    shutil.copy(EXAMPLE / "__main__.py", ws.project / "__main__.py")
    shutil.copy(EXAMPLE / "Pulumi.dev.yaml", ws.project / "Pulumi.dev.yaml")
    code, _out, err, _ = ws.run("stack", "init", "dev", "--secrets-provider", "passphrase", record=False)
    assert code == 0, err
    return ws


def test_example_previews_with_its_own_vpc():
    require_cli()
    with tempfile.TemporaryDirectory(prefix="ackstack-byo-vpc-") as tmp:
        ws = example_workspace(Path(tmp))
        code, out, err, _ = ws.run("preview", "--json", record=False)
        assert code == 0, err[-3000:]
        document = _json(out)
        types = [step["urn"].split("::")[-2].rsplit("$", 1)[-1] for step in document["steps"]]
        assert {step["op"] for step in document["steps"]} == {"create"}
        for expected in ("alicloud:vpc/network:Network", "alicloud:vpc/switch:Switch", "ackstack:cluster:AckProCluster",
                         "alicloud:cs/managedKubernetes:ManagedKubernetes", "ackstack:cluster:NodePool",
                         "alicloud:cs/nodePool:NodePool", "ackstack:terway:TerwayTrunk",
                         "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"):
            assert expected in types, expected
        assert "ackstack:network:Network" not in types  # the team's own VPC, not ackstack's Network
        cluster = next(s for s in document["steps"] if s["urn"].endswith("ManagedKubernetes::team-a"))
        addons = {a["name"] for a in cluster["newState"]["inputs"]["addons"]}
        assert addons == {"terway-eniip", "terway-controlplane"}


def test_example_bad_args_stop_the_preview():
    """A bad CIDR in the team's config reaches the component as Args: the preview fails with the rule's reason and
    registers nothing of the cluster."""
    require_cli()
    with tempfile.TemporaryDirectory(prefix="ackstack-byo-vpc-") as tmp:
        ws = example_workspace(Path(tmp))
        source = (ws.project / "__main__.py").read_text(encoding="utf-8")
        (ws.project / "__main__.py").write_text(source.replace('"192.168.0.0/16"', '"8.8.0.0/16"'), encoding="utf-8")
        code, out, err, _ = ws.run("preview", record=False)
        assert code != 0
        assert "NET006" in out + err and "serviceCidr" in out + err
