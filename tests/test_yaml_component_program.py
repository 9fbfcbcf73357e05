"""#21 §3: a Pulumi YAML program (examples/yaml-terway) uses `Network`, `AckProCluster` and `TerwayTrunk` from the component package (provider/),
rehearsed with the real CLI, the pulumi-yaml language host (go/targets.json) and ackstack's provider plugins:
preview, up, preview --expect-no-changes, destroy."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import yaml

from ackstack.engine.rehearse import Workspace, _json, change_counts, pulumi_binary
from tests.real_engine import ROOT, require_cli
from tests.test_component_package import plugin_copy

EXAMPLE = ROOT / "examples" / "yaml-terway"


def require_yaml_host() -> None:
    host = pulumi_binary().parent / "pulumi-language-yaml"
    if host.exists():
        return
    reason = f"the pulumi-yaml language host is not installed ({host}): run tools/install_pulumi.py"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def test_yaml_program_rehearses():
    require_cli()
    require_yaml_host()
    with tempfile.TemporaryDirectory(prefix="ackstack-yaml-") as tmp:
        ws = Workspace("dev", Path(tmp) / "ws", ROOT / "Pulumi.dev.yaml", None)
        ws.install_plugins()
        plugin = plugin_copy(Path(tmp))
        project = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text(encoding="utf-8"))
        project["packages"]["ackstack"] = str(plugin)
        for stale in ws.project.iterdir():
            stale.unlink()
        (ws.project / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
        (ws.project / "Pulumi.dev.yaml").write_text("config:\n  alicloud:region: cn-hangzhou\n", encoding="utf-8")

        def run(*args: str) -> tuple[int, dict, str]:
            code, out, err, _ = ws.run(*args, record=False)
            return code, _json(out), err[-3000:] + out[-3000:]

        code, _doc, text = run("stack", "init", "dev", "--secrets-provider", "passphrase")
        assert code == 0, text
        code, doc, text = run("preview", "--json")
        assert code == 0, text
        types = {step["urn"].split("::")[-2].rsplit("$", 1)[-1] for step in doc["steps"]}
        assert {"alicloud:vpc/network:Network", "alicloud:cs/managedKubernetes:ManagedKubernetes",
                "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking", "kubernetes:core/v1:Namespace"} <= types
        code, doc, text = run("up", "--yes", "--json")
        assert code == 0, text
        code, doc, text = run("preview", "--expect-no-changes", "--json")
        assert code == 0 and not change_counts(doc), text
        code, out, err, _ = ws.run("stack", "output", "--json", record=False)
        assert code == 0 and yaml.safe_load(out)["podNetworkings"] == ["mysql"], err
        code, doc, text = run("destroy", "--yes", "--json")
        assert code == 0, text
