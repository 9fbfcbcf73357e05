"""`ackstack rehearse <stack>`: what a team runs with the real Pulumi CLI, against a throw-away
backend, with the cloud served by ackstack's provider plugins (`ackstack.engine.plugins`).

In a temporary directory: a file backend with passphrase secrets, a copy of the project (Pulumi.yaml,
`__main__.py`, the stack file) and of the policy pack, the cloud's store. No network is used: automatic
plugin acquisition is off and the plugins are found on PATH. Steps, each with its exit code and change
counts: preview; preview with the policy pack and the stack's policy config; up; preview
--expect-no-changes; stack export; drift read by `refresh` from a cloud object changed behind Pulumi's
back (a cluster ACK upgraded); the same drift through `stack import`; a one-field config edit
(`pulumi config set --path`); destroy (stopped by protection on production stacks). Then every
secret's plaintext is searched for in the state files and in every command's output.

Exit status: 0 every step behaved as a team would expect, 1 one did not, 2 the CLI or the stack cannot
be used (not installed, unreadable stack file), 130/143 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ackstack.engine.plugins import alicloud, kubernetes
from ackstack.engine.plugins.store import CLOUD_DIR_ENV, INVENTORY_ENV, Store
from ackstack.inputs.project import project_root

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2
PROJECT = "ackstack"
COMMAND_TIMEOUT_SECONDS = 600
T_CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
T_ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
T_NODE_POOL = "alicloud:cs/nodePool:NodePool"
T_PODNETWORKING = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"
# The version ACK moves a cluster to when it auto-upgrades (drift played in the cloud): any newer patch.
DRIFTED_VERSION_SUFFIX = "-drifted"
PLUGINS = {alicloud.PROVIDER: alicloud.VERSION, kubernetes.PROVIDER: kubernetes.VERSION}
# Makes `preview --json` stream engine events, policy violations included (the plain document has none).
STREAMING_PREVIEW_ENV = "PULUMI_ENABLE_STREAMING_JSON_PREVIEW"
# A provider secret the rehearsal sets, as teams set credentials: its plaintext must appear nowhere.
SECRET_CONFIG_KEY = "alicloud:secretKey"


class Unusable(Exception):
    """The rehearsal cannot run (exit 2)."""


@dataclass
class Step:
    name: str
    command: str
    exit_code: int
    expected: str
    ok: bool
    changes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    detail: str = ""


@dataclass
class Rehearsal:
    stack: str
    cli_version: str = ""
    steps: list[Step] = field(default_factory=list)
    plaintext_found_in: list[str] = field(default_factory=list)
    secrets_checked: int = 0
    # Each step's parsed `--json` output by step name (the streaming policy preview: its event list),
    # for the differential and `--compare` tests; not part of the printed document.
    documents: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps) and not self.plaintext_found_in

    def document(self) -> dict:
        return {"stack": self.stack, "ok": self.ok, "cliVersion": self.cli_version,
                "steps": [asdict(s) for s in self.steps], "secretsChecked": self.secrets_checked,
                "plaintextSecretsFoundIn": self.plaintext_found_in}


def pulumi_binary() -> Path:
    """The pinned CLI `tools/install_pulumi.py` put beside this interpreter."""
    return Path(sys.executable).parent / "pulumi"


class Workspace:
    """The throw-away project, backend, plugin home and cloud of one rehearsal."""

    def __init__(self, stack: str, root: Path, stack_file: Path, inventory: Path | None):
        self.stack, self.root = stack, root
        self.project = root / "project"
        self.policies = root / "policies"
        self.cloud = Store(root / "cloud")
        self.passphrase = secrets.token_hex(16)
        self.secret_value = "rehearsal-" + secrets.token_hex(12)
        self.outputs: list[tuple[str, str]] = []  # (step, stdout+stderr) for the plaintext search
        # name -> plaintext that must appear nowhere
        self.needles: dict[str, str] = {f"config {SECRET_CONFIG_KEY}": self.secret_value}
        venv = Path(sys.executable).parent.parent
        self.project.mkdir(parents=True)
        root_dir = project_root()
        project = yaml.safe_load((root_dir / "Pulumi.yaml").read_text(encoding="utf-8"))
        project.setdefault("runtime", {}).setdefault("options", {})["virtualenv"] = str(venv)
        (self.project / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False), encoding="utf-8")
        shutil.copy(root_dir / "__main__.py", self.project / "__main__.py")
        shutil.copy(stack_file, self.project / f"Pulumi.{stack}.yaml")
        shutil.copytree(root_dir / "policies", self.policies,
                        ignore=shutil.ignore_patterns("venv", "*.egg-info", "__pycache__"))
        pack = yaml.safe_load((self.policies / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
        pack.setdefault("runtime", {}).setdefault("options", {})["virtualenv"] = str(venv)
        (self.policies / "PulumiPolicy.yaml").write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")},
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(root / "home"),
            "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": self.passphrase,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            # Providers come from the plugin cache below, like downloaded ones; the language host is bundled
            # beside `pulumi` (sdk/v3@v3.276.0 go/common/workspace/plugins.go:2211-2270).
            "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
            "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true",
            "PULUMI_SKIP_CHECKPOINTS": "false",
            CLOUD_DIR_ENV: str(self.cloud.directory),
        }
        if inventory is not None:
            self.env[INVENTORY_ENV] = str(inventory)
        (root / "state").mkdir()

    def install_plugins(self) -> None:
        """Our providers into this workspace's plugin cache, as `pulumi plugin install --file` installs a
        provider a team built themselves: the executable is the venv's `pulumi-resource-<name>`."""
        for name, version in PLUGINS.items():
            executable = Path(sys.executable).parent / f"pulumi-resource-{name}"
            if not executable.exists():
                raise Unusable(f"{executable} is missing: run `.venv/bin/python tools/install_pulumi.py`")
            archive = self.root / f"pulumi-resource-{name}-v{version}.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                tar.add(executable, arcname=executable.name)
            code, _out, err, _ = self.run("plugin", "install", "resource", name, version, "--file", str(archive),
                                          record=False)
            if code != 0:
                raise Unusable(f"pulumi plugin install {name} {version} failed: {_one_line(err)}")

    def run(self, *args: str, record: bool = True, input_text: str | None = None,
            env: dict[str, str] | None = None) -> tuple[int, str, str, float]:
        started = time.monotonic()
        proc = subprocess.run([str(pulumi_binary()), *args, "--non-interactive"], cwd=self.project,
                              env={**self.env, **(env or {})}, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT_SECONDS, input=input_text)
        if record:
            self.outputs.append((" ".join(args[:2]), proc.stdout + proc.stderr))
        return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started

    def capture_secret_outputs(self) -> None:
        """The stack's secret outputs (the kubeconfig) in plaintext, to search for them everywhere later."""
        code, masked, _err, _ = self.run("stack", "output", "--json", record=False)
        code2, shown, _err, _ = self.run("stack", "output", "--json", "--show-secrets", record=False)
        if code or code2:
            return
        masked_doc, shown_doc = _json(masked), _json(shown)
        for key, value in shown_doc.items():
            if masked_doc.get(key) == "[secret]" and isinstance(value, str) and value:
                self.needles[f"stack output {key}"] = value

    def state_files(self) -> list[Path]:
        return [p for p in (self.root / "state").rglob("*") if p.is_file()]


def change_counts(document: dict) -> dict[str, int]:
    """op -> count of a `--json` preview or update, without unchanged resources. An update's `--json` is
    its preview document followed by the engine's events; the summary event has what was done."""
    summary = document.get("summary") or document.get("changeSummary") or {}
    return {op: int(n) for op, n in summary.items() if op != "same" and n}


def _json(text: str) -> dict:
    """The `--json` output as one document: the first JSON value, plus `summary` (the summary event's
    resource changes) and `events` when an event stream follows (`up`, `refresh`, `destroy`)."""
    decoder, position, values = json.JSONDecoder(), 0, []
    while position < len(text):
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError:
            break
        values.append(value)
    if not values or not isinstance(values[0], dict):
        return {}
    document = dict(values[0])
    events = [v for v in values[1:] if isinstance(v, dict)]
    if events:
        document["events"] = events
        summary = next((e["summaryEvent"] for e in events if "summaryEvent" in e), None)
        if summary is not None:
            document["summary"] = summary.get("resourceChanges") or {}
    return document


def _events(text: str) -> dict:
    """A streaming `--json` preview: one engine event per line; the summary event's changes as `summary`."""
    events = [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]
    summary = next((e["summaryEvent"] for e in events if "summaryEvent" in e), {})
    return {"events": events, "summary": summary.get("resourceChanges") or {}}


def policy_violations(document: dict) -> list[tuple[str, str, str]]:
    """(policy, resource URN, enforcement level) of every violation in a streaming preview's events."""
    return sorted((e["policyEvent"]["policyName"], e["policyEvent"].get("resourceUrn") or "",
                   e["policyEvent"]["enforcementLevel"]) for e in document.get("events", []) if "policyEvent" in e)


def _one_line(text: str) -> str:
    """What went wrong, in one line: the engine's error diagnostic when the output is an event stream."""
    errors = []
    for line in text.splitlines():
        if '"diagnosticEvent"' in line and '"severity":"error"' in line.replace(" ", ""):
            with contextlib.suppress(ValueError, KeyError):
                errors.append(json.loads(line)["diagnosticEvent"]["message"])
    lines = [line for line in (errors or text.strip().splitlines()) if line.strip()]
    return " ".join(lines[-1].split())[:300] if lines else ""


# ------------------------------------------------------------------------------------------------ steps
def rehearse(stack: str, *, stack_file: Path | None = None, inventory: Path | None = None,
             keep: Path | None = None, progress: Callable[[str], None] = lambda _: None,
             deployed: Callable[[Workspace, Rehearsal], None] | None = None) -> Rehearsal:
    """`deployed(ws, result)` runs against the deployed, undrifted stack before the edit and the destroy
    (the tests preview their own edits there)."""
    if not pulumi_binary().exists():
        raise Unusable(f"the pinned Pulumi CLI is not installed ({pulumi_binary()}): run "
                       f"`.venv/bin/python tools/install_pulumi.py`")
    stack_file = stack_file or project_root() / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise Unusable(f"cannot read stack file {stack_file}: no such file")
    default_inventory = project_root() / "inventory" / f"{stack}.yaml"
    inventory = inventory or (default_inventory if default_inventory.is_file() else None)
    root = Path(tempfile.mkdtemp(prefix=f"ackstack-rehearse-{stack}-", dir=keep))
    try:
        return _rehearse(Workspace(stack, root, stack_file, inventory), progress, deployed)
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def _rehearse(ws: Workspace, progress: Callable[[str], None],
              deployed: Callable[[Workspace, Rehearsal], None] | None = None) -> Rehearsal:
    result = Rehearsal(ws.stack)
    ws.install_plugins()
    code, out, _err, _ = ws.run("version", record=False)
    result.cli_version = out.strip()
    production = _production(ws)

    def step(name: str, args: list[str], expected: str, judge: Callable[[int, dict, str], tuple[bool, str]],
             *, record: bool = True, streaming: bool = False) -> tuple[int, dict, str]:
        progress(f"{ws.stack}: {name}")
        code, out, err, seconds = ws.run(*args, record=record,
                                         env={STREAMING_PREVIEW_ENV: "1"} if streaming else None)
        document = _events(out) if streaming else _json(out)
        result.documents[name] = document
        ok, detail = judge(code, document, out + err)
        result.steps.append(Step(name, "pulumi " + " ".join(args), code, expected, ok, change_counts(document),
                                 round(seconds, 1), detail))
        return code, document, out + err

    def exit_zero(code, _doc, text):
        return code == 0, "" if code == 0 else _one_line(text)

    step("stack init", ["stack", "init", ws.stack, "--secrets-provider", "passphrase"], "exit 0", exit_zero)
    step("config set --secret", ["config", "set", "--secret", SECRET_CONFIG_KEY, ws.secret_value], "exit 0",
         exit_zero, record=False)
    step("preview", ["preview", "--json"], "exit 0, only creates",
         lambda c, d, t: (c == 0 and set(change_counts(d)) == {"create"}, _one_line(t) if c else ""))
    pack_config = project_root() / "policies" / f"config.{ws.stack}.json"
    policy_args = ["preview", "--json", "--policy-pack", str(ws.policies)]
    if pack_config.is_file():
        policy_args += ["--policy-pack-config", str(pack_config)]
    step("preview with the policy pack", policy_args, "exit 0, no mandatory violation", exit_zero, streaming=True)
    step("up", ["up", "--yes", "--json"], "exit 0", exit_zero)
    step("preview --expect-no-changes", ["preview", "--expect-no-changes", "--json"], "exit 0, no change",
         lambda c, d, t: (c == 0 and not change_counts(d), _one_line(t) if c else ""))
    _code, export, _text = step("stack export", ["stack", "export"], "exit 0", exit_zero)

    target = _drift_target(ws, export)
    if target is None:
        result.steps.append(Step("drift", "", 0, "a drifted field the program manages", True,
                                 detail="skipped: no resource of this stack has a `version` the program sets"))
    else:
        provider, resource_id, type_, name, drifted = target
        original = dict(ws.cloud.objects(provider)[resource_id]["outputs"])
        ws.cloud.drift(provider, resource_id, drifted)
        step("refresh (cloud drifted)", ["refresh", "--yes", "--json"], "exit 0, the drifted resource updated",
             lambda c, d, t: (c == 0 and change_counts(d).get("update") == 1, _one_line(t) if c else ""))
        step("preview after refresh", ["preview", "--json"], f"one update ({name}: {', '.join(drifted)})",
             lambda c, d, t: _one_update(c, d, t, type_, name))
        ws.cloud.drift(provider, resource_id, {k: original.get(k) for k in drifted})
        _import(ws, export)
        drifted_export = _with_outputs(export, type_, name, drifted)
        _import(ws, drifted_export)
        step("preview after stack import (drifted state)", ["preview", "--json"],
             f"one update ({name}: {', '.join(drifted)})", lambda c, d, t: _one_update(c, d, t, type_, name))
        _import(ws, export)

    ws.capture_secret_outputs()
    if deployed is not None:
        deployed(ws, result)
    edit = _one_field_edit(ws)
    if edit is not None:
        path, value, type_, name = edit
        step("config set --path (one field)", ["config", "set", "--path", path, value], "exit 0", exit_zero)
        step("preview after the edit", ["preview", "--json"], f"exactly one update ({name})",
             lambda c, d, t: _one_update(c, d, t, type_, name))

    if production:
        step("destroy (production)", ["destroy", "--yes", "--json"], "refused: protected resources stay",
             lambda c, d, t: _destroy_stopped(ws, c, t))
    else:
        step("destroy", ["destroy", "--yes", "--json"], "exit 0", exit_zero)
    _check_plaintext(ws, result)
    return result


def _production(ws: Workspace) -> bool:
    config = yaml.safe_load((ws.project / f"Pulumi.{ws.stack}.yaml").read_text(encoding="utf-8")) or {}
    environment = (config.get("config") or {}).get("ackstack:environment") or {}
    return bool(isinstance(environment, dict) and environment.get("production"))


def _drift_target(ws: Workspace, export: dict) -> tuple[str, str, str, str, dict] | None:
    """A cluster ACK upgraded (`version`), else an add-on upgraded in the console; only where the program sets
    the version (a drifted output nobody asks for shows in no preview, as with the real provider)."""
    managed = {r["urn"] for r in (export.get("deployment") or {}).get("resources") or []
               if "version" in (r.get("inputs") or {})}
    for type_ in (T_CLUSTER, T_ADDON):
        for resource_id, stored in ws.cloud.objects("alicloud").items():
            version = stored["outputs"].get("version")
            if stored["type"] == type_ and isinstance(version, str) and version and stored["urn"] in managed:
                return ("alicloud", resource_id, type_, stored["urn"].rsplit("::", 1)[-1],
                        {"version": _newer(version)})
    return None


def _newer(version: str) -> str:
    """The next patch of an ACK version (`1.33.3-aliyun.1` -> `1.33.4-aliyun.1`, `v1.16.6` -> `v1.16.7`)."""
    match = re.match(r"^(v?\d+\.\d+\.)(\d+)(.*)$", version)
    return f"{match[1]}{int(match[2]) + 1}{match[3]}" if match else version + DRIFTED_VERSION_SUFFIX


def _with_outputs(export: dict, type_: str, name: str, changes: dict) -> dict:
    document = json.loads(json.dumps(export))
    for resource in document.get("deployment", {}).get("resources", []):
        if resource.get("type") == type_ and resource.get("urn", "").endswith(f"::{name}"):
            resource.setdefault("outputs", {}).update(changes)
    return document


def _import(ws: Workspace, export: dict) -> None:
    path = ws.root / "import.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    code, _out, err, _ = ws.run("stack", "import", "--file", str(path), record=False)
    if code != 0:
        raise Unusable(f"pulumi stack import failed: {_one_line(err)}")


def _one_update(code: int, document: dict, text: str, type_: str, name: str) -> tuple[bool, str]:
    """Exactly one update, of the resource of `type_` whose name ends with `name`."""
    changes = change_counts(document)
    updated = [s.get("urn", "") for s in document.get("steps") or [] if s.get("op") == "update"]
    ok = (code == 0 and changes == {"update": 1} and len(updated) == 1
          and updated[0].split("::")[-2].endswith(type_) and updated[0].endswith(name))
    return ok, "" if ok else f"changes {changes}, updated {updated}; {_one_line(text) if code else ''}".strip()


def _one_field_edit(ws: Workspace) -> tuple[str, str, str, str] | None:
    """A node pool's desiredSize + 1 (the resource it changes: that pool), if the stack has pools."""
    config = yaml.safe_load((ws.project / f"Pulumi.{ws.stack}.yaml").read_text(encoding="utf-8")) or {}
    cluster = (config.get("config") or {}).get("ackstack:cluster") or {}
    pools = cluster.get("nodePools") if isinstance(cluster, dict) else None
    if not pools:
        return None
    pool = pools[0]
    size = int(pool.get("desiredSize", pool.get("minSize", 1))) + 1
    if "maxSize" in pool and size > int(pool["maxSize"]):
        size = int(pool.get("minSize", 1))
    return "ackstack:cluster.nodePools[0].desiredSize", str(size), T_NODE_POOL, f"-np-{pool['name']}"


def _destroy_stopped(ws: Workspace, code: int, text: str) -> tuple[bool, str]:
    _c, out, _e, _s = ws.run("stack", "export", record=False)
    remaining = [r for r in (_json(out).get("deployment") or {}).get("resources") or [] if r.get("protect")]
    ok = code != 0 and bool(remaining)
    return ok, f"{len(remaining)} protected resources kept; {_one_line(text)}"


def _check_plaintext(ws: Workspace, result: Rehearsal) -> None:
    """No secret's plaintext in the state files or any command's output (the kubeconfig, the config secret)."""
    result.secrets_checked = len(ws.needles)
    places = [(str(path.relative_to(ws.root)), path.read_text(encoding="utf-8", errors="replace"))
              for path in ws.state_files()] + [(f"output of `pulumi {name}`", text) for name, text in ws.outputs]
    for place, text in places:
        result.plaintext_found_in += [f"{what} in {place}" for what, needle in ws.needles.items() if needle in text]


# ------------------------------------------------------------------------------------------------ command
def render(result: Rehearsal) -> str:
    lines = [f"rehearse {result.stack} ({result.cli_version})"]
    for s in result.steps:
        changes = ", ".join(f"{op} {n}" for op, n in sorted(s.changes.items())) or "no change"
        lines.append(f"  {'ok  ' if s.ok else 'FAIL'} {s.name}: exit {s.exit_code}, {changes} "
                     f"(expected {s.expected}; {s.seconds:.1f} s){': ' + s.detail if s.detail else ''}")
    lines.append(f"  {'ok  ' if not result.plaintext_found_in else 'FAIL'} secrets: {result.secrets_checked} "
                 f"plaintexts searched, found in {result.plaintext_found_in or 'nothing'}")
    lines.append(f"Result: {'OK' if result.ok else 'FAILED'}")
    return "\n".join(lines)


def main(argv: list[str], stop: Any = None) -> int:
    parser = argparse.ArgumentParser(prog="ackstack rehearse", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--config", dest="config_file", help="stack file to read instead of Pulumi.<stack>.yaml")
    parser.add_argument("--inventory", help="YAML inventory of pre-existing cloud objects")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--keep", metavar="DIR", help="keep the workspace (backend, project copy, cloud) under DIR")
    args = parser.parse_args(argv)
    try:
        result = rehearse(args.stack, stack_file=Path(args.config_file) if args.config_file else None,
                          inventory=Path(args.inventory) if args.inventory else None,
                          keep=Path(args.keep) if args.keep else None,
                          progress=lambda line: print(line, file=sys.stderr, flush=True))
    except (Unusable, subprocess.TimeoutExpired) as exc:
        print(f"ackstack: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    print(json.dumps(result.document(), indent=2) if args.json else render(result))
    return EXIT_OK if result.ok else EXIT_FAILED
