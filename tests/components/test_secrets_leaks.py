"""Secrets stay secret end to end: node password and kubeconfig never appear in clear in anything the
offline preview prints or writes (text, --json, --out files incl. report.md), and the repo holds no credential.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ackstack.engine.engine import is_secret, mask_secrets
from ackstack.engine.testing import ROOT, run, stack_config
from ackstack.inputs.stackfile import SECURE_PLACEHOLDER

PASSWORD = "Zq7!known-node-pass-4711"


def kubeconfig_secrets(kubeconfig: str) -> list[str]:
    """The credential parts of a kubeconfig (client key and cert data, tokens)."""
    found = re.findall(r"(?:client-key-data|client-certificate-data|token):\s*(\S+)", kubeconfig)
    assert found, "the offline engine's kubeconfig has no client credential: the leak test would prove nothing"
    return found


# ---------------------------------------------------------------- program path (known values)
@pytest.mark.parametrize("marked_secret", [True, False])
def test_node_password_is_a_secret_input_and_nowhere_in_clear(marked_secret):
    secret_keys = ("ackstack:nodePassword",) if marked_secret else ()
    config = {**stack_config("dev"), "ackstack:nodePassword": PASSWORD}
    # a password login needs an unmanaged pool without a key pair (CLU007: managed pools take only keyName)
    config["ackstack:cluster"] = {**config["ackstack:cluster"], "keyName": None,
                                  "nodePools": [{**p, "managed": False} for p in config["ackstack:cluster"]["nodePools"]]}
    result = run(config, secret_keys=secret_keys)
    assert result.error is None, result.error
    pools = result.of_type("alicloud:cs/nodePool:NodePool")
    assert pools and all(is_secret(p.inputs["password"]) for p in pools)
    # even a password written in plaintext config is registered as a secret
    masked = json.dumps([mask_secrets(r.inputs) for r in result.registrations])
    assert PASSWORD not in masked
    assert PASSWORD not in json.dumps(result.logs)
    assert PASSWORD not in json.dumps(result.invokes, default=str)


def test_key_name_pools_send_no_password():
    config = {**stack_config("dev"), "ackstack:nodePassword": PASSWORD}
    config["ackstack:cluster"]["nodePools"][0]["keyName"] = "ops-key"
    result = run(config, secret_keys=("ackstack:nodePassword",))
    assert result.one("alicloud:cs/nodePool:NodePool").inputs.get("password") is None


def test_kubeconfig_is_a_secret_output_and_a_secret_provider_input():
    result = run(stack_config("dev"), stack="dev")
    assert "kubeconfig" in result.secret_outputs
    provider = result.one("pulumi:providers:kubernetes")
    assert is_secret(provider.inputs["kubeconfig"])
    leaked = kubeconfig_secrets(result.outputs["kubeconfig"])
    masked = json.dumps([mask_secrets(r.inputs) for r in result.registrations])
    assert not [s for s in leaked if s in masked]


# ---------------------------------------------------------------- CLI path: every output and file
def _stack_file(tmp_path: Path, secure: bool) -> Path:
    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    document["config"]["ackstack:nodePassword"] = {"secure": "v1:AAAABBBBCCCC"} if secure else PASSWORD
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "ackstack", "preview", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)


@pytest.mark.parametrize("secure", [True, False], ids=["secure-placeholder", "plaintext-password"])
def test_preview_text_json_and_out_files_never_contain_secrets(tmp_path, secure):
    stack_file = _stack_file(tmp_path, secure)
    needles = [SECURE_PLACEHOLDER if secure else PASSWORD, "v1:AAAABBBBCCCC"]
    # the kubeconfig the offline engine hands out for this stack (ids are derived from the stack name)
    needles += kubeconfig_secrets(run(stack_config("dev"), stack="dev").outputs["kubeconfig"])

    out = tmp_path / "out"
    text = _cli("dev", "--config", str(stack_file))
    as_json = _cli("dev", "--config", str(stack_file), "--json", "--out", str(out))
    assert text.returncode == 0, text.stderr
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["outputs"]["kubeconfig"] == "[secret]"
    files = [p for p in out.rglob("*") if p.is_file()]
    assert (out / "preview.json") in files and any(p.parent.name == "manifests" for p in files)
    if (ROOT / "offline" / "report.py").exists():
        assert (out / "report.md") in files
    haystacks = {"stdout(text)": text.stdout + text.stderr, "stdout(json)": as_json.stdout + as_json.stderr}
    haystacks.update({str(p.relative_to(out)): p.read_text(encoding="utf-8", errors="replace") for p in files})
    leaks = [(where, needle[:12]) for where, hay in haystacks.items() for needle in needles if needle in hay]
    assert leaks == []


# ---------------------------------------------------------------- the repository
_CREDENTIAL_NAMES = re.compile(r"(^|/)(kubeconfig[^/]*|[^/]*\.kubeconfig|\.kube/.*|[^/]*\.(pem|key|p12|pfx)|id_rsa[^/]*|"
                               r"\.env(\..*)?|credentials[^/]*|[^/]*\.tfstate)$", re.I)
# An AccessKey id is a token of its own (a hash in go.sum may hold "LTAI" after other base64 characters).
_CREDENTIAL_TEXT = re.compile(r"(?<![0-9A-Za-z+/])LTAI[0-9A-Za-z]{12,30}|-----BEGIN [A-Z ]*PRIVATE KEY-----|client-key-data:\s*[A-Za-z0-9+/]{40}")


def _tracked() -> list[str]:
    proc = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()


_FAKE_KEY_ID = "LT" + "AI5tQx8Zr2Vb7Nk4Wm9Pd3Hs"  # split so this file holds no key-shaped token itself


@pytest.mark.parametrize(("text", "is_credential"), [
    (f"ALICLOUD_ACCESS_KEY={_FAKE_KEY_ID}", True),
    (f'accessKey: "{_FAKE_KEY_ID}"', True),
    (f"{_FAKE_KEY_ID}\n", True),
    # go/cli/go.sum: github.com/go-logr/stdr v1.2.2's content hash has "LTAI" inside its base64.
    ("github.com/go-logr/stdr v1.2.2 h1:hSWxHoqTgW2S2qGc0LT" + "AI563KZ5YKYRhT3MFKZMbjag=", False),
])
def test_an_access_key_id_is_found_as_a_token_not_inside_base64(text, is_credential):
    assert bool(_CREDENTIAL_TEXT.search(text)) is is_credential


def test_no_credential_files_or_keys_are_tracked():
    tracked = _tracked()
    assert tracked, "git ls-files listed nothing"
    assert [f for f in tracked if _CREDENTIAL_NAMES.search(f)] == []
    hits = []
    for name in tracked:
        path = ROOT / name
        if name.endswith("/go.sum"):
            continue  # base64 module hashes only (`h1:...0LTAI563KZ...`): no credential can live there
        if (path.is_file() and path.stat().st_size < 2_000_000
                and _CREDENTIAL_TEXT.search(path.read_text(encoding="utf-8", errors="ignore"))):
            hits.append(name)
    assert hits == []


def test_stack_files_hold_no_plaintext_secret():
    for path in ROOT.glob("Pulumi.*.yaml"):
        config = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
        for key, value in config.items():
            if key.split(":")[-1] in ("nodePassword", "accessKey", "secretKey", "kubeconfig"):
                assert isinstance(value, dict) and set(value) == {"secure"}, f"{path.name}: {key} is not `secure:`"


@pytest.mark.parametrize("name", ["kubeconfig", "kubeconfig-prod.yaml", "out/dev.kubeconfig", ".kube/config",
                                  "tls.key", "ca.pem", ".env"])
def test_gitignore_keeps_credential_outputs_out(name):
    proc = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT)
    assert proc.returncode == 0, f"{name} is not ignored by .gitignore"
