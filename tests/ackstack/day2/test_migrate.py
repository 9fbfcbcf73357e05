"""`ackstack migrate-controlplane` against the fake API server: the seed's migration steps.

Webhook configurations have the shape of Terway's chart (AliyunContainerService/terway v1.17.5
charts/terway/templates/terway-controlplane/webhook.yaml), as a live API server returns them.
"""

from __future__ import annotations

import json

import pytest

from ackstack.cli import main as cli
from ackstack.day2.migrate import for_create
from tests.fake_cluster import deployment, node
from tests.fake_kube import FakeKube

ADM = "/apis/admissionregistration.k8s.io/v1"
MUTATING = f"{ADM}/mutatingwebhookconfigurations/terway-controlplane"
VALIDATING = f"{ADM}/validatingwebhookconfigurations/terway-controlplane"
DEPLOY = "/apis/apps/v1/namespaces/kube-system/deployments/terway-controlplane"


def webhook_configuration(kind: str, suffix: str, path: str) -> dict:
    rules = [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"],
              "scope": "Namespaced"},
             {"apiGroups": ["network.alibabacloud.com"], "apiVersions": ["*"], "operations": ["CREATE"],
              "resources": ["podnetworkings"], "scope": "Cluster"}]
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
        "metadata": {"name": "terway-controlplane", "uid": f"uid-{suffix}", "resourceVersion": "4711",
                     "generation": 3, "creationTimestamp": "2025-01-01T00:00:00Z",
                     "labels": {"app.kubernetes.io/name": "terway-controlplane"},
                     "managedFields": [{"manager": "terway-controlplane", "operation": "Update"}]},
        "webhooks": [{
            "name": f"terway-controlplane.{suffix}.k8s.io",
            "namespaceSelector": {"matchExpressions": [{"key": "k8s.aliyun.com/pod-eni", "operator": "NotIn",
                                                        "values": ["false"]}]},
            "rules": rules,
            "clientConfig": {"service": {"namespace": "kube-system", "name": "terway-controlplane", "path": path,
                                         "port": 443},
                             "caBundle": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMuLi4KLS0tLS1FTkQ="},
            "admissionReviewVersions": ["v1", "v1beta1"], "sideEffects": "None", "timeoutSeconds": 10,
            "failurePolicy": "Ignore", "matchPolicy": "Equivalent", "reinvocationPolicy": "Never",
            "objectSelector": {}}],
    }


@pytest.fixture
def cluster(tmp_path):
    with FakeKube(max_seconds=30) as kube:
        kube.put("/api/v1/nodes/master-1", node("master-1", "cn-hangzhou-h", master=True))
        kube.put("/api/v1/nodes/worker-1", node("worker-1", "cn-hangzhou-h"))
        kube.put(DEPLOY, deployment("terway-controlplane", replicas=2))
        # Compact JSON with the API server's own key order: a backup must keep these exact bytes.
        kube.put_raw(MUTATING, json.dumps(webhook_configuration("MutatingWebhookConfiguration", "mutating",
                                                                "/mutating")).encode())
        kube.put_raw(VALIDATING, json.dumps(webhook_configuration("ValidatingWebhookConfiguration", "validate",
                                                                  "/validate")).encode())
        kube.kubeconfig = kube.write_kubeconfig(tmp_path / "kubeconfig")
        kube.backups = tmp_path / "backups"
        yield kube


def migrate(kube: FakeKube, *flags: str) -> int:
    return cli(["migrate-controlplane", "--kubeconfig", str(kube.kubeconfig), "--backup-dir", str(kube.backups),
                *flags])


def content(raw: bytes) -> str:
    """An object without what the API server sets itself, serialised in its own key order."""
    return json.dumps(for_create(raw))


def test_dry_run_changes_nothing(cluster, capsys):
    before = dict(cluster.objects)
    assert migrate(cluster) == 0
    out = capsys.readouterr().out
    assert "would scale Deployment kube-system/terway-controlplane from 2 to 0 replicas" in out
    assert "would delete MutatingWebhookConfiguration terway-controlplane" in out
    assert "dedicated cluster" in out
    assert cluster.writes() == [] and cluster.objects == before
    assert not cluster.backups.exists()
    for flags in (("--restore",), ("--finish",)):  # without a backup these refuse, even as a dry run
        assert migrate(cluster, *flags) == 1
    assert cluster.writes() == []


def test_apply_restore_finish_in_order(cluster, capsys):
    original = {path: cluster.raw(path) for path in (MUTATING, VALIDATING)}

    assert migrate(cluster, "--apply") == 0
    # backup first (the command's order), then the seed's: scale to 0, delete mutating, delete validating
    assert cluster.writes() == [("PATCH", DEPLOY), ("DELETE", MUTATING), ("DELETE", VALIDATING)]
    assert cluster.get(DEPLOY)["spec"]["replicas"] == 0
    assert cluster.raw(MUTATING) is None and cluster.raw(VALIDATING) is None
    backup_files = sorted(p.name for p in cluster.backups.iterdir())
    assert backup_files == ["backup.json", "terway-controlplane.deployment.json",
                            "terway-controlplane.mutatingwebhookconfigurations.json",
                            "terway-controlplane.validatingwebhookconfigurations.json"]
    assert (cluster.backups / "terway-controlplane.mutatingwebhookconfigurations.json").read_bytes() == \
        original[MUTATING]
    assert migrate(cluster, "--apply") == 1  # a second prepare would overwrite the only copy

    cluster.requests.clear()
    assert migrate(cluster, "--restore") == 0  # dry run
    assert cluster.writes() == []
    assert migrate(cluster, "--restore", "--apply") == 0
    assert cluster.writes() == [("POST", f"{ADM}/mutatingwebhookconfigurations"),
                                ("POST", f"{ADM}/validatingwebhookconfigurations"), ("PATCH", DEPLOY)]
    for path, raw in original.items():
        assert content(cluster.raw(path)).encode() == content(raw).encode()  # byte-identical configuration
    assert cluster.get(DEPLOY)["spec"]["replicas"] == 2

    cluster.requests.clear()
    assert migrate(cluster, "--finish", "--apply") == 0
    assert cluster.writes() == [("DELETE", DEPLOY)]
    assert cluster.raw(DEPLOY) is None
    assert "existing.clusterId" in capsys.readouterr().out
    assert migrate(cluster, "--restore", "--apply") == 1  # the webhooks' server is gone: refuse


def test_restore_refuses_an_altered_backup(cluster, capsys):
    assert migrate(cluster, "--apply") == 0
    path = cluster.backups / "terway-controlplane.validatingwebhookconfigurations.json"
    path.write_bytes(path.read_bytes().replace(b"Ignore", b"Fail"))
    cluster.requests.clear()
    assert migrate(cluster, "--restore", "--apply") == 1
    assert "changed since it was written" in capsys.readouterr().err
    assert cluster.writes() == []


def test_no_backup_no_stop(cluster, capsys):
    cluster.backups.write_text("a file where the directory should be", encoding="utf-8")
    assert migrate(cluster, "--apply") == 1
    assert "cannot write the backup" in capsys.readouterr().err
    assert cluster.writes() == []
    assert cluster.get(DEPLOY)["spec"]["replicas"] == 2


def test_nothing_to_stop_without_terway_controlplane(cluster, capsys):
    cluster.delete(("apis/apps/v1", "kube-system", "deployments", "terway-controlplane"))
    assert migrate(cluster, "--apply") == 1
    assert "custom pod configuration is not enabled" in capsys.readouterr().err
    assert cluster.writes() == [] and not cluster.backups.exists()


def test_unreachable_cluster_exits_2(tmp_path, capsys):
    kube = FakeKube(max_seconds=5)
    with kube:
        kubeconfig = kube.write_kubeconfig(tmp_path / "kubeconfig")
    code = cli(["migrate-controlplane", "--kubeconfig", str(kubeconfig), "--backup-dir", str(tmp_path / "b")])
    assert code == 2 and "cannot reach the API server" in capsys.readouterr().err
