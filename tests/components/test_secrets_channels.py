"""A nested `secure:` value never appears in the output channels issues 13, 14 and 16 added, and is masked
where it is (not its whole top-level property): the rendered helm manifests and values of `--out`, the
report and the full report, `--compare` field diffs, `verify --json`.

The offline engine gets the SDK's deserialisation, which lifts a nested secret to its top-level property
(pulumi.runtime.rpc.deserialize_property); masking that whole property made helm refuse the values and hid
every other change of the Cilium values from `--compare` (ackstack.engine.engine.mask_secret_leaves).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import yaml

from ackstack.day2.verify import main as verify_main
from ackstack.engine.testing import ROOT, require_reference
from ackstack.inputs.stackfile import SECURE_PLACEHOLDER
from ackstack.preview.preview import main as preview_main
from ackstack.preview.preview import run_preview
from ackstack.preview.report import render_reports
from components import cilium_render

CIPHERTEXT = "v1:AAAAciliumNESTEDcipher"
NEEDLES = (SECURE_PLACEHOLDER, CIPHERTEXT)


def staging_with_nested_secret(tmp_path: Path) -> Path:
    """`pulumi config set --secret --path 'ackstack:cni.cilium.values.extraConfig.custom-token' ...`."""
    text = (ROOT / "Pulumi.staging.yaml").read_text(encoding="utf-8")
    edited = text.replace("      hubble: true\n", "      hubble: true\n      values:\n        extraConfig:\n"
                          f"          custom-token:\n            secure: {CIPHERTEXT}\n", 1)
    assert edited != text
    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text(edited, encoding="utf-8")
    return path


def cli(main, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


def leaks(text: str) -> list[str]:
    return [needle[:12] for needle in NEEDLES if needle in text]


def test_nested_cilium_secret_is_masked_in_place_in_out_values_and_rendered_manifests(tmp_path):
    config = staging_with_nested_secret(tmp_path)
    code, printed = cli(preview_main, "staging", "--no-policy", "--json", "--config", str(config),
                        "--out", str(tmp_path / "out"))
    assert code == 0, printed
    manifests = tmp_path / "out" / "manifests"
    values_file = manifests / "helm-staging-ack-cilium-values.yaml"
    values = yaml.safe_load(values_file.read_text(encoding="utf-8"))
    assert values["extraConfig"] == {"custom-token": "[secret]"}  # masked where it is, not the whole values
    assert values["routingMode"] == "native"
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert [(name, leak) for name, text in {"stdout": printed, **written}.items() for leak in leaks(text)] == []
    require_reference(cilium_render.helm_binary() is not None and cilium_render.chart_package(
        values_file.read_text().split("chart cilium ", 1)[1].split()[0]) is not None,
        "helm binary and the official chart package for the staging pin")
    assert "helm-staging-ack-cilium-render-error.txt" not in written, written.get("helm-staging-ack-cilium-render-error.txt")
    rendered = [d for d in yaml.safe_load_all(written["helm-staging-ack-cilium-rendered.yaml"]) if d]
    config_map = next(d for d in rendered if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "cilium-config")
    assert config_map["data"]["custom-token"] == "[secret]"


def test_nested_secret_is_in_neither_report_nor_full_report(tmp_path):
    result = run_preview("staging", config_file=str(staging_with_nested_secret(tmp_path)), policy=False)
    short, full = render_reports(result, source={"commit": None})
    assert leaks(short) == [] and leaks(full) == []


def test_compare_shows_the_secret_leaf_change_masked_and_other_value_changes(tmp_path):
    base = run_preview("staging", policy=False)
    (tmp_path / "base.json").write_text(json.dumps(base.document()))
    config = staging_with_nested_secret(tmp_path)
    text = config.read_text(encoding="utf-8").replace("      hubble: true\n", "      hubble: false\n", 1)
    config.write_text(text, encoding="utf-8")
    result = run_preview("staging", config_file=str(config), policy=False, compare_file=str(tmp_path / "base.json"))
    release = next(e for e in result.changes["resources"] if e["type"] == "kubernetes:helm.sh/v3:Release")
    fields = {f["field"]: (f["old"], f["new"]) for f in release["fields"]}
    assert fields["values.extraConfig"] == (None, {"custom-token": "[secret]"})  # a secret set is a change
    assert any(field.startswith("values.hubble") for field in fields), fields  # not hidden by the secret
    assert leaks(json.dumps(result.document())) == []


def test_verify_json_never_echoes_a_secret_in_a_finding(tmp_path):
    text = (ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    edited = text.replace("kubernetesVersion: 1.35.2-aliyun.1", f"kubernetesVersion: {{secure: {CIPHERTEXT}}}", 1)
    assert edited != text
    (tmp_path / "Pulumi.dev.yaml").write_text(edited, encoding="utf-8")
    (tmp_path / "kubeconfig").write_text("apiVersion: v1\n")
    code, printed = cli(verify_main, "dev", "--json", "--kubeconfig", str(tmp_path / "kubeconfig"),
                        "--config", str(tmp_path / "Pulumi.dev.yaml"))
    assert code == 2
    assert "ackstack:cluster.kubernetesVersion" in printed and "[secret]" in printed
    assert leaks(printed) == []


def test_an_args_object_is_concealed_field_by_field():
    """components/secrets.py recognises SDK args classes with `pulumi._types.is_input_type`: pulumi 3.272.0 has
    no public predicate (the package exports only the `input_type` decorator). This pins that private
    contract: an SDK where it changes fails here, not silently under the real CLI (a Release's
    repositoryOpts password would stay clear text in state)."""
    import pulumi_kubernetes as k8s

    from ackstack.engine.engine import _sync_await
    from components.secrets import Concealer

    opts = Concealer({"s3cr3t-password"}).conceal(
        k8s.helm.v3.RepositoryOptsArgs(repo="https://mirror.example.com/cilium", password="s3cr3t-password"))
    assert isinstance(opts, k8s.helm.v3.RepositoryOptsArgs) and opts.repo == "https://mirror.example.com/cilium"
    assert _sync_await(opts.password.is_secret()) is True


def test_secure_path_under_a_yaml11_boolean_key_is_concealed_under_the_real_cli(tmp_path):
    """The CLI (go-yaml v3) sends a key `on` as "on"; the stack file must be read the same way, and a secure
    path that finds no value fails closed (its whole key), never leaving the leaf in clear text."""
    from components.secrets import secret_texts, stack_file_secure_paths

    (tmp_path / "Pulumi.s.yaml").write_text("config:\n  ackstack:cni:\n    cilium:\n      values:\n"
                                           "        on:\n          secure: v1:x\n")
    paths = stack_file_secure_paths("s", tmp_path)
    assert paths == ["ackstack:cni.cilium.values.on"]
    raw = {"ackstack:cni": json.dumps({"mode": "byocni-cilium", "cilium": {"values": {"on": "clear-text-99"}}})}
    assert secret_texts(raw, ["ackstack:cni"], paths) == {"clear-text-99"}
    assert "clear-text-99" in secret_texts(raw, ["ackstack:cni"], ["ackstack:cni.cilium.values.True"])


def test_secure_value_under_a_dotted_key_is_concealed_not_a_false_name_error(tmp_path):
    """`pulumi config set --secret --path 'ackstack:cluster.nodePools[0].labels["example.com/team"]'`: the path
    quotes the key; read as `.example.com/team` it named no value, so the leaf stayed clear (or, failing
    closed, every leaf of the cluster became secret and the pool name an INP004 error)."""
    from components.secrets import secret_texts, stack_file_secure_paths

    text = (ROOT / "Pulumi.staging.yaml").read_text(encoding="utf-8")
    edited = text.replace("        labels:\n          workload: general\n", "        labels:\n          workload: general\n"
                          f"          example.com/team:\n            secure: {CIPHERTEXT}\n", 1)
    assert edited != text
    (tmp_path / "Pulumi.staging.yaml").write_text(edited, encoding="utf-8")
    paths = stack_file_secure_paths("staging", tmp_path)
    assert paths == ['ackstack:cluster.nodePools[0].labels["example.com/team"]']
    raw = {"ackstack:cluster": json.dumps({"name": "c", "nodePools": [{"labels": {"example.com/team": "clear-7"}}]})}
    assert secret_texts(raw, ["ackstack:cluster"], paths) == {"clear-7"}
    result = run_preview("staging", config_file=str(tmp_path / "Pulumi.staging.yaml"), policy=False)
    assert not result.blocked, result.findings
    pool = next(r for r in result.resources if r["type"] == "alicloud:cs/nodePool:NodePool")
    assert {"key": "example.com/team", "value": "[secret]"} in pool["inputs"]["labels"]
    assert leaks(json.dumps(result.document())) == []
