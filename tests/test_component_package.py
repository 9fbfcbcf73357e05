"""#21 §3: `provider/` is a source-based component package. The real CLI runs it through ackstack's Python language
host (RunPlugin) and `pulumi package get-schema` lists every component with its typed inputs and outputs, inferred
by the SDK's component provider host from the Args and output annotations."""

from __future__ import annotations

import json
import shutil
import sysconfig
import tempfile
import venv
from pathlib import Path

import pytest

from ackstack import __version__
from ackstack.engine.rehearse import Workspace
from tests.real_engine import ROOT, require_cli

# What a Pulumi program in any language sees: component -> (required inputs, some optional inputs, outputs).
EXPECTED = {
    "Network": ({"vswitches"}, {"vpcCidr", "vpcId", "securityGroups", "tags", "protect"},
                {"vpcId", "vpcCidr", "vswitchIds", "securityGroupIds"}),
    "AckProCluster": ({"clusterName", "clusterSpec", "kubernetesVersion", "vswitchIds", "serviceCidr",
                       "securityGroupId", "addons"}, {"podVswitchIds", "podCidr", "nodeCidrMask", "production"},
                      {"clusterId", "apiServerIntranet", "kubeconfig"}),
    "NodePool": ({"clusterId", "nodePoolName", "vswitchIds", "instanceTypes", "systemDisk", "management"},
                 {"desiredSize", "scaling", "keyName", "password", "maxPods"}, {"nodePoolId"}),
    "TerwayTrunk": (set(), {"namespaces", "podNetworkings", "protect"}, {"podNetworkingNames", "namespaceNames"}),
    "Cilium": ({"chartVersion", "values"}, {"repository", "chartPath", "apiServerEndpoint"}, {"values", "releaseStatus"}),
    "ExistingTerwayCluster": ({"clusterId", "eniConf"}, {"managed", "terwayVersion", "eniSecurityGroupIds"},
                              {"clusterId", "kubeconfig"}),
}


def plugin_copy(into: Path) -> Path:
    """provider/ with a virtualenv that sees this checkout's (no download of the components: the test judges the
    package, not pip). The host upgrades pip/setuptools in the plugin's venv, so never point it at .venv."""
    plugin = into / "provider"
    shutil.copytree(ROOT / "provider", plugin, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    (plugin / "requirements.txt").write_text("# the components come from the checkout's venv (a .pth)\n")
    venv.create(plugin / "venv", with_pip=True)
    site = next((plugin / "venv" / "lib").glob("python3*/site-packages"))
    (site / "ackstack-checkout.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    return plugin


def test_get_schema_lists_every_component_with_typed_inputs_and_outputs():
    require_cli()
    with tempfile.TemporaryDirectory(prefix="ackstack-package-") as tmp:
        ws = Workspace("dev", Path(tmp) / "ws", ROOT / "Pulumi.dev.yaml", None)
        ws.install_plugins()
        plugin = plugin_copy(Path(tmp))
        code, out, err, _ = ws.run("package", "get-schema", str(plugin), record=False)
        assert code == 0, err[-3000:]
    schema = json.loads(out)
    assert schema["name"] == "ackstack" and schema["version"] == __version__
    assert sorted(schema["resources"]) == sorted(f"ackstack:index:{name}" for name in EXPECTED)
    for name, (required, optional, outputs) in EXPECTED.items():
        resource = schema["resources"][f"ackstack:index:{name}"]
        assert resource["isComponent"] is True
        assert set(resource.get("requiredInputs", [])) == required, name
        assert optional <= set(resource["inputProperties"]) - required, name
        assert set(resource["properties"]) == outputs, name
    types = schema["types"]
    cluster = schema["resources"]["ackstack:index:AckProCluster"]["inputProperties"]
    assert cluster["addons"]["items"]["$ref"] == "#/types/ackstack:index:AddonArgs"
    assert types["ackstack:index:AddonArgs"]["required"] == ["name"]
    assert cluster["vswitchIds"]["items"]["type"] == "string"
    assert cluster["nodeCidrMask"]["type"] == "integer"
    pool = schema["resources"]["ackstack:index:NodePool"]["inputProperties"]
    assert pool["systemDisk"]["$ref"] == "#/types/ackstack:index:NodePoolSystemDiskArgs"
    assert set(types["ackstack:index:PodNetworkingArgs"]["properties"]) >= {"allocationType", "podSelector",
                                                                           "securityGroupIds", "vswitchIds"}


@pytest.mark.parametrize("component", sorted(EXPECTED))
def test_components_are_served(component):
    """The package serves exactly the components the docs list (provider/__main__.py COMPONENTS)."""
    source = (ROOT / "provider" / "__main__.py").read_text(encoding="utf-8")
    assert component in source.split("COMPONENTS = [", 1)[1].split("]", 1)[0]
    assert f"`{component}`" in (ROOT / "docs" / "components.md").read_text(encoding="utf-8")
