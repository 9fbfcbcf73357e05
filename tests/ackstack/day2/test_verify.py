"""`ackstack verify` against a local fake API server: healthy clusters and each failure kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ackstack.cli import main as cli
from ackstack.day2.canary import CanaryOptions
from ackstack.day2.expected import expected_state
from ackstack.inputs.inventory import Inventory
from tests.fake_cluster import (
    PN_GV,
    TerwaySim,
    chart_webhook_configurations,
    node,
    podnetworking,
    put_byocni_cluster,
    put_terway_cluster,
)
from tests.fake_kube import FakeKube

ROOT = Path(__file__).resolve().parents[3]
STS = "apis/apps/v1"


@pytest.fixture(scope="module")
def terway_expected():
    return expected_state("existing")


@pytest.fixture(scope="module")
def inventory_vswitches():
    return {v["id"]: v for v in Inventory.load(ROOT / "inventory" / "existing.yaml").vswitches}


@pytest.fixture
def terway(tmp_path, terway_expected, inventory_vswitches):
    with FakeKube(max_seconds=30) as kube:
        put_terway_cluster(kube, terway_expected, inventory_vswitches)
        kube.sim = TerwaySim(inventory_vswitches, pick="legacy-mysql").install(kube)
        kube.kubeconfig = kube.write_kubeconfig(tmp_path / "kubeconfig")
        yield kube


@pytest.fixture
def byocni(tmp_path):
    from ackstack_core import constants as C

    with FakeKube(max_seconds=30) as kube:
        planned = {key: "true" for key in C.CILIUM_CONFIG_KEYS.values()}
        planned.update({"routing-mode": "native", "ipam": "kubernetes", "ipv4-native-routing-cidr": "172.16.0.0/16"})
        put_byocni_cluster(kube, "172.16.0.0/16", planned)
        kube.kubeconfig = kube.write_kubeconfig(tmp_path / "kubeconfig")
        yield kube


def run(kube: FakeKube, stack: str, *extra: str, capsys, options: CanaryOptions | None = None):
    from ackstack.day2.verify import main as verify_main

    argv = [stack, "--kubeconfig", str(kube.kubeconfig), "--json", *extra]
    code = verify_main(argv, canary_options=options) if options else cli(["verify", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def failures(doc: dict) -> list[dict]:
    return [c for c in doc["checks"] if not c["ok"]]


def fast() -> CanaryOptions:
    return CanaryOptions(timeout_seconds=2, poll_seconds=0.01)


def assert_no_canary(kube: FakeKube) -> None:
    assert [k for k in kube.objects if k[2] in ("statefulsets", "pods")] == []


# ---------------------------------------------------------------- healthy
def test_healthy_terway_cluster_exits_0_with_a_progress_line_per_check(terway, capsys):
    code, doc, err = run(terway, "existing", capsys=capsys)
    assert code == 0, err
    assert doc["ok"] is True and failures(doc) == []
    checked = {c["check"] for c in doc["checks"]}
    assert {"node Ready", "DaemonSet available", "eni-config enable_eni_trunking", "terway-controlplane present",
            "namespace labels",
            "PodNetworking status Ready", "no unplanned PodNetworking selects planned pods"} <= checked
    assert len(err.strip().splitlines()) == len(doc["checks"])
    assert all(line.startswith("ok ") for line in err.strip().splitlines())
    assert terway.writes() == []  # verify without --canary only reads


def test_healthy_terway_canary_passes_and_is_deleted(terway, capsys):
    code, doc, err = run(terway, "existing", "--canary", capsys=capsys, options=fast())
    assert code == 0, err
    canary = [c for c in doc["checks"] if c["check"].startswith("canary")]
    assert {c["check"] for c in canary} >= {"canary pod annotation k8s.aliyun.com/pod-networking",
                                            "canary PodENI phase", "canary vSwitch planned",
                                            "canary security groups planned", "canary zone matches its vSwitch",
                                            "canary IP in its vSwitch CIDR", "canary node in its vSwitch's zone",
                                            "canary deleted"}
    assert all(c["ok"] for c in canary)
    assert terway.sim.created == [f"databases/{canary[0]['object'].split('/')[-1]}"]
    assert_no_canary(terway)
    assert [k for k in terway.objects if k[2] == "podenis"] == []  # Fixed: the reserved IP is released


def test_healthy_byocni_cluster_exits_0(byocni, capsys):
    code, doc, err = run(byocni, "staging", capsys=capsys)
    assert code == 0, err
    keys = {c["check"] for c in doc["checks"]}
    assert "node podCIDR in the plan's pod CIDR" in keys
    assert "cilium-config routing-mode (values routingMode)" in keys


# ---------------------------------------------------------------- failures (exit 1)
def test_podnetworking_not_ready_fails(terway, terway_expected, capsys):
    manifest = terway_expected.podnetworkings[0].manifest
    terway.put(f"/{PN_GV}/podnetworkings/legacy-mysql", podnetworking(manifest, status="Fail"))
    code, doc, err = run(terway, "existing", capsys=capsys)
    assert code == 1
    [bad] = failures(doc)
    assert bad["object"] == "PodNetworking/legacy-mysql" and bad["expected"] == "Ready" and bad["found"] == "Fail"
    assert "FAIL PodNetworking status Ready: PodNetworking/legacy-mysql: expected Ready, found Fail" in err


def test_podnetworking_spec_drift_fails(terway, terway_expected, capsys):
    manifest = json.loads(json.dumps(terway_expected.podnetworkings[0].manifest))
    manifest["spec"]["securityGroupIDs"] = ["sg-bp1existcluster0000001"]
    terway.put(f"/{PN_GV}/podnetworkings/legacy-mysql", podnetworking(manifest))
    code, doc, _ = run(terway, "existing", capsys=capsys)
    assert code == 1
    [bad] = failures(doc)
    assert bad["check"] == "PodNetworking spec.securityGroupIDs"
    assert bad["expected"] == '["sg-bp1existdbclients00001"]' and bad["found"] == '["sg-bp1existcluster0000001"]'


def test_pod_matched_by_another_podnetworking_fails(terway, terway_expected, capsys):
    other = json.loads(json.dumps(terway_expected.podnetworkings[0].manifest))
    other["metadata"]["name"] = "a-hand-made"
    other["spec"]["selector"] = {"podSelector": {"matchLabels": {"app": "mysql"}}}
    other["spec"]["vSwitchOptions"] = ["vsw-bp1existpodh000000001"]
    terway.put(f"/{PN_GV}/podnetworkings/a-hand-made", podnetworking(other))
    terway.sim.pick = "a-hand-made"  # both select the canary (app=mysql); Terway's pick among them is random
    code, doc, _ = run(terway, "existing", "--canary", capsys=capsys, options=fast())
    assert code == 1
    bad = {c["check"]: c for c in failures(doc)}
    overlap = bad["no unplanned PodNetworking selects planned pods"]
    assert overlap["object"] == "PodNetworking/a-hand-made" and "app=mysql" in overlap["found"]
    annotation = bad["canary pod annotation k8s.aliyun.com/pod-networking"]
    assert annotation["expected"] == "legacy-mysql" and annotation["found"] == "a-hand-made"
    assert_no_canary(terway)


def test_ip_from_an_unplanned_vswitch_fails(terway, capsys):
    terway.sim.use_vswitch = "vsw-bp1existpodh000000001"  # the cluster's shared pod vSwitch
    code, doc, _ = run(terway, "existing", "--canary", capsys=capsys, options=fast())
    assert code == 1
    bad = {c["check"]: c for c in failures(doc)}
    assert bad["canary vSwitch planned"]["found"] == "vsw-bp1existpodh000000001"
    assert "vsw-bp1existdbh0000000001" in bad["canary vSwitch planned"]["expected"]
    assert bad["canary IP in its vSwitch CIDR"]["found"] == "172.17.0.10"
    assert_no_canary(terway)


def test_canary_on_a_node_of_another_zone_fails(terway, capsys):
    terway.sim.node_zone = "cn-hangzhou-i"  # the vSwitch Terway took is in cn-hangzhou-h
    code, doc, _ = run(terway, "existing", "--canary", capsys=capsys, options=fast())
    assert code == 1
    [bad] = failures(doc)
    assert bad["check"] == "canary node in its vSwitch's zone"
    assert (bad["expected"], bad["found"]) == ("cn-hangzhou-h", "cn-hangzhou-i")
    assert_no_canary(terway)


def test_canary_left_by_an_earlier_run_is_deleted(terway, terway_expected, capsys):
    from ackstack.day2.canary import canary_name, statefulset_manifest

    leftover = statefulset_manifest(terway_expected.podnetworkings[0], "databases", "img")
    terway.put(f"/{STS}/namespaces/databases/statefulsets/{canary_name('legacy-mysql')}", leftover)
    code, doc, _ = run(terway, "existing", "--canary", capsys=capsys, options=fast())
    assert code == 1
    [bad] = failures(doc)
    assert bad["check"] == "canary StatefulSet created" and "409" in bad["found"]
    assert_no_canary(terway)


def test_canary_that_never_binds_fails_and_is_deleted(terway, capsys):
    terway.sim.bind = False
    code, doc, _ = run(terway, "existing", "--canary", capsys=capsys,
                       options=CanaryOptions(timeout_seconds=0.05, poll_seconds=0.01))
    assert code == 1
    [bad] = failures(doc)
    assert bad["check"] == "canary PodENI phase" and bad["found"] == "Binding"
    assert_no_canary(terway)


def test_interrupted_canary_is_deleted(terway, capsys):
    terway.sim.bind = False

    def interrupt(_seconds):
        raise KeyboardInterrupt

    code, doc, err = run(terway, "existing", "--canary", capsys=capsys,
                         options=CanaryOptions(timeout_seconds=60, poll_seconds=1, sleep=interrupt))
    assert code == 130 and doc is None
    assert "ok   canary deleted" in err and "interrupted" in err
    assert_no_canary(terway)
    assert ("DELETE", f"/{STS}/namespaces/databases/statefulsets/" + terway.sim.created[0].split("/")[1][:-2]) \
        in terway.requests


def test_node_without_podcidr_fails(byocni, capsys):
    byocni.put("/api/v1/nodes/node-c", node("node-c", "cn-hangzhou-h"))
    code, doc, _ = run(byocni, "staging", capsys=capsys)
    assert code == 1
    [bad] = failures(doc)
    assert bad["object"] == "Node/node-c" and bad["found"] == "spec.podCIDR=unset"
    assert bad["expected"] == "a block inside 172.16.0.0/16"


def test_namespace_without_its_label_fails(terway, capsys):
    from tests.fake_cluster import namespace

    terway.put("/api/v1/namespaces/databases", namespace("databases", {"network": "shared"}))
    code, doc, _ = run(terway, "existing", capsys=capsys)
    assert code == 1
    [bad] = failures(doc)
    assert (bad["object"], bad["expected"], bad["found"]) == ("Namespace/databases", '{"network": "isolated"}',
                                                              '{"network": "shared"}')


def test_node_not_ready_fails(terway, capsys):
    terway.put("/api/v1/nodes/node-h", node("node-h", "cn-hangzhou-h", ready="False"))
    code, doc, _ = run(terway, "existing", capsys=capsys)
    assert code == 1
    assert [(c["object"], c["found"]) for c in failures(doc)] == [("Node/node-h", "Ready=False")]


def test_cilium_config_that_differs_fails(byocni, capsys):
    cm = byocni.get("/api/v1/namespaces/kube-system/configmaps/cilium-config")
    cm["data"]["routing-mode"] = "tunnel"
    cm["data"]["ipv4-native-routing-cidr"] = "10.0.0.0/8"
    byocni.put("/api/v1/namespaces/kube-system/configmaps/cilium-config", cm)
    code, doc, _ = run(byocni, "staging", capsys=capsys)
    assert code == 1
    assert {(c["check"], c["expected"], c["found"]) for c in failures(doc)} == {
        ("cilium-config routing-mode (values routingMode)", "native", "tunnel"),
        ("cilium-config ipv4-native-routing-cidr (values ipv4NativeRoutingCIDR)", "172.16.0.0/16", "10.0.0.0/8"),
    }


def test_eni_config_without_trunking_fails(terway, capsys):
    terway.put("/api/v1/namespaces/kube-system/configmaps/eni-config",
               {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "eni-config"},
                "data": {"eni_conf": json.dumps({"version": "1"})}})
    code, doc, _ = run(terway, "existing", capsys=capsys)
    assert code == 1
    assert {(c["check"], c["found"]) for c in failures(doc)} == {
        ("eni-config enable_eni_trunking", "unset"), ("eni-config credential_path (managed cluster)", "unset")}


# ---------------------------------------------------------------- unreadable (exit 2)
def test_unreachable_cluster_exits_2(tmp_path, capsys):
    kube = FakeKube(max_seconds=5)
    with kube:
        kubeconfig = kube.write_kubeconfig(tmp_path / "kubeconfig")
    kube.kubeconfig = kubeconfig  # the server is stopped: connection refused
    code, doc, err = run(kube, "existing", capsys=capsys)
    assert code == 2 and doc["ok"] is False and "cannot reach the API server" in doc["error"]
    assert "cannot reach the API server" in err and "fake-token" not in err


def test_unreadable_kubeconfig_exits_2(tmp_path, capsys):
    bad = tmp_path / "kubeconfig"
    bad.write_text("clusters: [\n  token: s3cr3t", encoding="utf-8")
    code = cli(["verify", "existing", "--kubeconfig", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot read kubeconfig" in err and "s3cr3t" not in err
    assert cli(["verify", "existing", "--kubeconfig", str(tmp_path / "missing")]) == 2


def test_stack_that_creates_its_vswitches_needs_outputs(terway, tmp_path, capsys):
    code, _, err = run(terway, "dev", capsys=capsys)
    assert code == 2 and "pass --outputs FILE" in err


def test_created_vswitches_and_groups_resolve_through_stack_outputs(tmp_path, capsys):
    """A stack that creates its vSwitches: `pulumi stack output --json` gives the ids the cluster shows."""
    from ackstack.inputs.stackfile import read_stack_file

    config = read_stack_file(ROOT / "Pulumi.dev.yaml").config
    network = config["ackstack:network"]
    network = json.loads(network) if isinstance(network, str) else network
    outputs = {"vswitchIds": {v["name"]: f"vsw-dev{i:020d}" for i, v in enumerate(network["vswitches"])},
               "securityGroupIds": {g["name"]: f"sg-dev{i:019d}" for i, g in enumerate(network["securityGroups"])},
               "kubeconfig": "[secret]"}
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps(outputs), encoding="utf-8")
    expected = expected_state("dev", outputs_file=str(outputs_file))
    assert expected.podnetworkings
    for planned in expected.podnetworkings:
        spec = planned.manifest["spec"]
        assert set(spec["vSwitchOptions"]) <= set(outputs["vswitchIds"].values())
        assert set(spec["securityGroupIDs"]) <= set(outputs["securityGroupIds"].values())
    with FakeKube(max_seconds=30) as kube:
        put_terway_cluster(kube, expected, {})
        kube.kubeconfig = kube.write_kubeconfig(tmp_path / "kubeconfig")
        code, doc, err = run(kube, "dev", "--outputs", str(outputs_file), capsys=capsys)
    assert code == 0, err
    assert any(c["check"] == "PodNetworking spec.vSwitchOptions" for c in doc["checks"])


def test_stack_with_error_findings_is_not_compared(terway, tmp_path, capsys):
    broken = tmp_path / "Pulumi.existing.yaml"
    text = (ROOT / "Pulumi.existing.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("config:\n", "config:\n  ackstack:bogus: 1\n", 1), encoding="utf-8")
    code, doc, err = run(terway, "existing", "--config", str(broken), capsys=capsys)
    assert code == 2 and doc["checks"] == []
    assert "CFG001  ackstack:bogus" in err
    assert terway.requests == []  # the cluster is not even read


def test_fake_api_server_stops_by_itself(tmp_path):
    import time
    import urllib.error
    import urllib.request

    kube = FakeKube(max_seconds=0.2).__enter__()
    try:
        assert urllib.request.urlopen(kube.url + "/api/v1/nodes", timeout=2).status == 200
        time.sleep(0.5)
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(kube.url + "/api/v1/nodes", timeout=2)
    finally:
        kube.stop()


# ---------------------------------------------------------------- terway-controlplane on a managed cluster
_ADM = "/apis/admissionregistration.k8s.io/v1"


def _without_controlplane_deployment(kube: FakeKube) -> None:
    assert kube.delete(("apis/apps/v1", "kube-system", "deployments", "terway-controlplane"))


def test_managed_cluster_controlplane_counts_present_by_its_webhook_configurations(terway, capsys):
    """ACK may host a Pro cluster's terway-controlplane outside the cluster: its webhooks are what pods meet."""
    _without_controlplane_deployment(terway)  # the chart's webhook configurations stay (put_terway_cluster)
    code, doc, err = run(terway, "existing", capsys=capsys)
    assert code == 0, err
    present = [c for c in doc["checks"] if c["check"].startswith("terway-controlplane present")]
    assert len(present) == 1 and present[0]["ok"] and "unverified" in present[0]["check"]


def test_managed_cluster_without_controlplane_deployment_or_webhooks_fails_naming_both(terway, capsys):
    _without_controlplane_deployment(terway)
    assert terway.delete(("apis/admissionregistration.k8s.io/v1", None, "validatingwebhookconfigurations",
                          "terway-controlplane"))
    code, doc, _err = run(terway, "existing", capsys=capsys)
    assert code == 1
    failed = [c for c in failures(doc) if c["check"].startswith("terway-controlplane present")]
    assert len(failed) == 1 and failed[0]["found"] == "absent"
    assert "Deployment/kube-system/terway-controlplane" in failed[0]["object"]
    assert "ValidatingWebhookConfiguration" in failed[0]["object"]


def test_webhook_configurations_are_read_from_the_cluster_not_assumed(terway, capsys):
    """The plan assumes the chart's registrations (or the inventory's); verify reads the cluster's and fails
    naming what differs, e.g. a pod webhook that fails closed or selects other namespaces."""
    code, doc, err = run(terway, "existing", capsys=capsys)
    assert code == 0, err
    checks = [c for c in doc["checks"] if "webhook" in c["check"] or "validation" in c["check"]]
    assert len(checks) >= 5 and all(c["ok"] for c in checks)
    hooks = chart_webhook_configurations()["mutatingwebhookconfigurations"]
    hooks["webhooks"][0]["failurePolicy"] = "Fail"
    hooks["webhooks"][0]["namespaceSelector"] = {"matchLabels": {"terway": "on"}}
    terway.put(f"{_ADM}/mutatingwebhookconfigurations/terway-controlplane", hooks)
    code, doc, _err = run(terway, "existing", capsys=capsys)
    assert code == 1
    failed = {c["check"].split(" (")[0]: c for c in failures(doc)}
    assert failed["terway-controlplane pod webhook failurePolicy"]["found"] == "Fail"
    assert "upstream chart" in failed["terway-controlplane pod webhook failurePolicy"]["check"]
    assert "terway" in failed["terway-controlplane pod webhook namespaceSelector"]["found"]


@pytest.mark.parametrize("same", [True, False])
def test_each_fail_line_is_shown_once_where_stdout_and_stderr_meet(terway, terway_expected, tmp_path, same):
    """In a terminal (or `> log 2>&1`) the summary used to repeat every FAIL line printed as the checks ran."""
    import subprocess
    import sys

    manifest = terway_expected.podnetworkings[0].manifest
    terway.put(f"/{PN_GV}/podnetworkings/legacy-mysql", podnetworking(manifest, status="Fail"))
    line = "FAIL PodNetworking status Ready: PodNetworking/legacy-mysql: expected Ready, found Fail"
    log, err_log = tmp_path / "log", tmp_path / "err"
    with log.open("w") as out, err_log.open("w") as err:
        done = subprocess.run([sys.executable, "-m", "ackstack", "verify", "existing", "--kubeconfig",
                               str(terway.kubeconfig)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT if same else err,
                              stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 1
    text = log.read_text() + err_log.read_text()
    assert text.count(line) == (1 if same else 2), text
    assert "checks, 1 failed" in log.read_text()
