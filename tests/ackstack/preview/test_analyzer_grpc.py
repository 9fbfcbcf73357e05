"""Integration: drive the real policy pack subprocess over the gRPC Analyzer protocol."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path

import pytest

from ackstack.preview import analyzer
from ackstack.preview.analyzer import (
    UNKNOWN,
    AnalyzedResource,
    PolicyPackError,
    load_policy_config,
    run_policy_pack,
    secret,
)
from ackstack_core import constants as C

PACK = Path(__file__).resolve().parents[3] / "policies"
MK = "alicloud:cs/managedKubernetes:ManagedKubernetes"
NP = "alicloud:cs/nodePool:NodePool"
SGR = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
VSW = "alicloud:vpc/switch:Switch"
PN = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"
HELM = "kubernetes:helm.sh/v3:Release"


def urn(stack: str, type_: str, name: str, parent_type: str = "ackstack:index:Cluster") -> str:
    return f"urn:pulumi:{stack}::ackstack::{parent_type}${type_}::{name}"


def resources(stack: str, *, compliant: bool) -> list[AnalyzedResource]:
    comp = f"urn:pulumi:{stack}::ackstack::ackstack:index:Cluster::main"
    cluster_urn = urn(stack, MK, "main")
    provider = f"urn:pulumi:{stack}::ackstack::pulumi:providers:alicloud::default::1234"
    if compliant:
        cluster = {
            "clusterSpec": "ack.pro.small",
            "version": C.KNOWN_ACK_K8S_VERSIONS[0],
            "encryptionProviderKey": "key-hzz6example0001",
            "addons": [
                {"name": "terway-eniip", "config": json.dumps({"ENITrunking": "true"})},
                {"name": "terway-controlplane"},
                {"name": "logtail-ds"},
            ],
            "podVswitchIds": [UNKNOWN],
            "deletionProtection": True,
            "slbInternetEnabled": False,
            "enableRrsa": True,
            "controlPlaneLogComponents": ["apiserver"],
            "vpcId": UNKNOWN,
            "clientKey": secret("key-material"),
        }
        pool = {
            "clusterId": UNKNOWN,
            "management": {"enable": True, "autoRepair": True},
            "systemDiskEncrypted": True,
        }
        rule = {
            "type": "ingress",
            "policy": "accept",
            "cidrIp": "10.0.0.0/8",
            "ipProtocol": "tcp",
            "portRange": "22/22",
        }
        pn = {
            "apiVersion": "network.alibabacloud.com/v1beta1",
            "kind": "PodNetworking",
            "spec": {
                "allocationType": {"type": "Fixed", "releaseStrategy": "TTL", "releaseAfter": "10m"},
                "vSwitchOptions": [UNKNOWN, "vsw-adopted"],
                "securityGroupIDs": ["sg-1"],
                "eniOptions": {"eniType": "Trunk"},
            },
        }
    else:
        cluster = {
            "clusterSpec": "ack.standard",
            "addons": [{"name": "terway-eniip", "config": json.dumps({"ENITrunking": "false"})}],
            "podVswitchIds": [],
            "deletionProtection": False,
            "slbInternetEnabled": True,
            "enableRrsa": UNKNOWN,  # unknown in preview: no diagnostic
            "controlPlaneLogComponents": ["apiserver"],
        }
        pool = {"management": {"enable": True, "autoRepair": True}, "systemDiskEncrypted": secret(False)}
        rule = {"type": "ingress", "cidrIp": "0.0.0.0/0", "ipProtocol": "tcp", "portRange": "22/22"}
        pn = {
            "spec": {
                "allocationType": {"type": "Fixed", "releaseStrategy": "Never", "releaseAfter": "10m"},
                "vSwitchOptions": ["typo-switch"],
                "securityGroupIDs": [f"sg-{i}" for i in range(6)],
                "eniOptions": {"eniType": "Trunk"},
            }
        }
    cilium = {"chart": "cilium", "values": {"routingMode": "native", "ipv4NativeRoutingCIDR": UNKNOWN}}
    return [
        AnalyzedResource(comp, "ackstack:index:Cluster", "main", {}, custom=False),
        AnalyzedResource(
            provider.rsplit("::", 1)[0], "pulumi:providers:alicloud", "default", {"region": "cn-hangzhou"}
        ),
        AnalyzedResource(
            urn(stack, VSW, "pods-a"),
            VSW,
            "pods-a",
            {"cidrBlock": "10.1.0.0/24", "zoneId": "cn-hangzhou-k"},
            parent=comp,
            provider=provider,
        ),
        AnalyzedResource(
            cluster_urn,
            MK,
            "main",
            cluster,
            parent=comp,
            provider=provider,
            protect=True,
            dependencies=[urn(stack, VSW, "pods-a")],
            property_dependencies={"podVswitchIds": [urn(stack, VSW, "pods-a")]},
        ),
        AnalyzedResource(
            urn(stack, NP, "workers"), NP, "workers", pool, parent=comp, dependencies=[cluster_urn]
        ),
        AnalyzedResource(urn(stack, SGR, "ssh"), SGR, "ssh", rule, parent=comp),
        AnalyzedResource(urn(stack, PN, "trunk"), PN, "trunk", pn, parent=comp),
        AnalyzedResource(urn(stack, HELM, "cilium"), HELM, "cilium", cilium, parent=comp),
    ]


@pytest.fixture(params=["language host", "direct"])
def spawned(monkeypatch, request):
    """Record every pack launch (through the language host's RunPlugin, as the pinned CLI does, and the
    direct launch used where the CLI is not installed) so tests can assert it was reaped."""
    procs = []
    hosted = request.param == "language host"
    if hosted and analyzer.language_host() is None:
        if os.environ.get("CI"):
            pytest.fail("the language host is not installed: run tools/install_pulumi.py")
        pytest.skip("the language host is not installed (tools/install_pulumi.py)")
    if not hosted:
        monkeypatch.setattr(analyzer, "language_host", lambda: None)
    for name in ("_PackProcess", "_HostedPack"):
        original = getattr(analyzer, name)

        class Recording(original):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                procs.append(self)

        monkeypatch.setattr(analyzer, name, Recording)
    threads_before = threading.active_count()
    yield procs
    for p in procs:
        assert p.proc.returncode is not None, "pack subprocess still running"
        if hosted:
            assert p.argv[0].endswith("pulumi-language-python") and len(p.argv) == 2
        else:
            assert p.argv[:4] == [sys.executable, "-u", "-m", "pulumi.policy"] and p.argv[-1] == "."
    assert threading.active_count() <= threads_before


def by_rule(findings):
    return sorted((f["rule"], f["level"]) for f in findings)


def test_compliant_stack_has_no_findings(spawned):
    assert run_policy_pack(PACK, resources("dev", compliant=True), stack="dev", project="ackstack") == []
    assert len(spawned) == 1


def test_non_compliant_stack_exact_diagnostics(spawned):
    stack = "dev"
    findings = run_policy_pack(PACK, resources(stack, compliant=False), stack=stack, project="ackstack")
    assert by_rule(findings) == [
        ("ack-deletion-protection", "warning"),
        ("ack-log-service-addon", "warning"),
        ("ack-managed-pro", "error"),
        ("ack-private-api-server", "warning"),
        ("ack-supported-kubernetes-version", "warning"),
        ("nodepool-encrypted-system-disk", "warning"),
        ("podnetworking-release-strategy", "error"),
        # 6 security groups: the unpinned terway-controlplane admits 10, but no component declares a raised ECS
        # quota, so ECS's default of 5 per ENI applies (issue #22)
        ("podnetworking-security-groups", "error"),
        ("podnetworking-vswitch-known", "error"),
        ("sg-no-internet-ingress", "warning"),
        ("sg-no-open-admin-ports", "warning"),
        ("sg-no-risky-ports", "warning"),
        ("terway-trunk-addons", "error"),
        ("terway-trunk-addons", "error"),
        ("terway-trunk-addons", "error"),
    ]
    pro = next(f for f in findings if f["rule"] == "ack-managed-pro")
    assert pro["urn"] == urn(stack, MK, "main") and pro["source"] == "policy" and pro["path"] == ""
    assert (
        pro["message"].startswith("ACK clusters must be managed Pro clusters")
        and "clusterSpec" in pro["message"]
    )
    stack_finding = next(f for f in findings if f["rule"] == "podnetworking-vswitch-known")
    assert stack_finding["urn"] == urn(stack, PN, "trunk") and "typo-switch" in stack_finding["message"]


def test_policy_config_overrides_and_prod_escalation(spawned, tmp_path):
    """prod's hygiene is mandatory through its policy-pack config file alone; overrides on top of it win."""
    cfg_file = tmp_path / "config.prod.json"
    prod = json.loads((Path(PACK) / "config.prod.json").read_text())
    cfg_file.write_text(
        json.dumps(
            {
                **prod,
                "ack-control-plane-logs": "mandatory",  # prod's level, the default requiredComponents
                "ack-managed-pro": "advisory",
                "podnetworking-security-groups": "mandatory",
                "terway-trunk-addons": {"enforcementLevel": "disabled"},
                "sg-no-open-admin-ports": "advisory",
            }
        )
    )
    findings = run_policy_pack(
        PACK,
        resources("prod", compliant=False),
        stack="prod",
        project="ackstack",
        policy_config=load_policy_config(cfg_file),
    )
    assert by_rule(findings) == [
        ("ack-deletion-protection", "error"),  # hygiene is mandatory on prod (policies/config.prod.json)
        ("ack-log-service-addon", "warning"),  # advisory everywhere
        ("ack-managed-pro", "warning"),  # enforcement override
        ("ack-private-api-server", "error"),
        ("ack-supported-kubernetes-version", "error"),
        ("nodepool-encrypted-system-disk", "error"),
        ("podnetworking-release-strategy", "error"),
        ("podnetworking-security-groups", "error"),  # 6 groups, ECS's default 5 (no declared raise)
        ("podnetworking-vswitch-known", "error"),
        ("sg-no-internet-ingress", "error"),
        ("sg-no-open-admin-ports", "warning"),  # set back to advisory over the prod config
        ("sg-no-risky-ports", "error"),
    ]  # terway-trunk-addons disabled


def test_all_advisory(spawned):
    findings = run_policy_pack(
        PACK,
        resources("dev", compliant=False),
        stack="dev",
        project="ackstack",
        policy_config={"all": "advisory"},
    )
    assert findings and {f["level"] for f in findings} == {"warning"}


def test_invalid_threshold_rejected_like_the_cli(spawned):
    with pytest.raises(PolicyPackError, match="minReleaseAfter"):
        run_policy_pack(
            PACK,
            [],
            stack="dev",
            project="ackstack",
            policy_config={"podnetworking-release-strategy": {"minReleaseAfter": 11}},
        )


def test_load_policy_config_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(PolicyPackError, match="not valid JSON"):
        load_policy_config(bad)
    bad.write_text(json.dumps({"ack-managed-pro": "sometimes"}))
    with pytest.raises(PolicyPackError, match="ack-managed-pro"):
        load_policy_config(bad)
    with pytest.raises(PolicyPackError, match="does not exist"):
        load_policy_config(tmp_path / "missing.json")
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"all": "advisory", "x": {"enforcementLevel": "mandatory", "n": 1}}))
    assert load_policy_config(good) == {
        "all": {"enforcementLevel": "advisory"},
        "x": {"enforcementLevel": "mandatory", "n": 1},
    }


def test_broken_pack_reports_stderr(spawned, tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('boom in pack')\n")
    with pytest.raises(PolicyPackError, match="boom in pack"):
        run_policy_pack(tmp_path, [], stack="dev", project="ackstack", timeout=20)


def test_encoding_matches_what_the_pack_deserializes():
    from google.protobuf import json_format
    from pulumi_policy.deserialize import deserialize_properties

    props = {
        "a": UNKNOWN,
        "b": secret({"k": [1, UNKNOWN]}),
        "c": None,
        "d": [None, "x"],
        "vpc": {
            "4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e",
            "urn": "urn:x",
            "id": "vpc-1",
        },
        "o": {
            "4dabf18193072939515e22adb298388d": "d0e6a833031e9bbcd3f4e8bde6ca49a4",
            "secret": True,
            "value": "s",
        },
    }
    struct = analyzer.encode_properties(props)
    assert deserialize_properties(json_format.MessageToDict(struct)) == {
        "a": UNKNOWN,
        "b": {"k": [1.0, UNKNOWN]},
        "d": [None, "x"],
        "vpc": "vpc-1",
        "o": "s",
    }
    assert analyzer.pack_argv("127.0.0.1:1") == [
        sys.executable,
        "-u",
        "-m",
        "pulumi.policy",
        "127.0.0.1:1",
        ".",
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stack_configs_are_accepted_by_the_pack(spawned, stack):
    cfg = load_policy_config(PACK / f"config.{stack}.json")
    findings = run_policy_pack(
        PACK, resources(stack, compliant=True), stack=stack, project="ackstack", policy_config=cfg
    )
    assert by_rule(findings) == ([("ack-control-plane-logs", "error")] if stack == "prod" else [])
