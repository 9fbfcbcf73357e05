"""The real Pulumi CLI (built by tools/install_pulumi.py) with ackstack's own Python language host.

A tiny Python program in a temporary directory (a ComponentResource, a plain and a secret stack output, no
provider plugins) goes through `pulumi stack init`, `preview`, `up`, `stack output` and `destroy` against a
`file://` backend with passphrase secrets, no network and no plugin downloads; a tiny policy pack runs through
`--policy-pack`, which the pinned CLI starts through the language host's RunPlugin (kind "analyzer"). One
backend per module and xdist worker (creating it is cheap); the two tests that share the policy stack run on one
worker (group "pulumi-cli-policy", `--dist loadgroup`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import ackstack
from ackstack.engine.testing import require_reference

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
GO_MOD = ROOT / "go" / "cli" / "go.mod"
PROJECT = "clitest"
BOX_TYPE = f"{PROJECT}:index:Box"
PASSPHRASE = "clitest-passphrase-not-a-real-one"
SECRET_TOKEN = "tok-7f3a9c1e-plaintext-marker"  # must never appear in the state file
GREETING = "hallo"
# Any attempt to reach the internet goes to a closed local port and fails fast (loopback stays direct).
NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
              "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
TIMEOUT = 300

PROGRAM = textwrap.dedent('''\
    import json
    import os

    import pulumi


    class Box(pulumi.ComponentResource):
        def __init__(self, name, opts=None):
            super().__init__("clitest:index:Box", name, None, opts)
            self.register_outputs({})


    config = pulumi.Config()
    box = Box(config.get("boxName") or "box")
    pulumi.export("greeting", config.require("greeting"))
    pulumi.export("token", config.require_secret("token"))
    pulumi.export("boxUrn", box.urn)
    # What the language host put into the environment: the secret keys, so the SDK knows which values are secret.
    pulumi.export("secretKeys", sorted(json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS", "null") or "[]")))
''')

POLICY_PACK = textwrap.dedent('''\
    import os

    import pulumi
    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


    def no_forbidden_box(args, report_violation):
        # The stack's config and name reach the pack through the environment the language host's policy proxy
        # sets (PULUMI_CONFIG, PULUMI_STACK): proof that the pack was started by RunPlugin(kind "analyzer").
        forbidden = pulumi.Config("clitest").get("forbiddenBox")
        if args.resource_type == "clitest:index:Box" and forbidden and args.name == forbidden:
            report_violation(f"box {args.name!r} is forbidden by stack config clitest:forbiddenBox "
                             f"(stack {os.environ.get('PULUMI_STACK')}, dry run {os.environ.get('PULUMI_DRY_RUN')})")


    PolicyPack(
        name="clitest-policy",
        enforcement_level=EnforcementLevel.MANDATORY,
        policies=[ResourceValidationPolicy(name="no-forbidden-box", description="Boxes the stack forbids.",
                                           validate=no_forbidden_box)],
    )
''')


def pinned_cli_version() -> str:
    """The release go/cli/go.mod pins for the CLI (the one place it is written)."""
    match = re.search(r"github\.com/pulumi/pulumi/pkg/v3 (v\S+)", GO_MOD.read_text())
    assert match, "go/cli/go.mod does not require github.com/pulumi/pulumi/pkg/v3"
    return match.group(1)


def require_cli() -> None:
    names = ("pulumi", "pulumi-language-python", "pulumi-language-python-exec")
    require_reference(all((BIN / n).is_file() for n in names),
                      "the Pulumi CLI and language host (run .venv/bin/python tools/install_pulumi.py)")


@dataclass
class Workspace:
    program: Path
    backend: Path
    env: dict[str, str]

    def pulumi(self, *args: str, ok: bool = True, cwd: Path | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([str(BIN / "pulumi"), *args, "--non-interactive"], cwd=cwd or self.program,
                              env=env or self.env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        if ok:
            assert done.returncode == 0, f"pulumi {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        return done

    def state_file(self, stack: str) -> Path:
        return self.backend / ".pulumi" / "stacks" / PROJECT / f"{stack}.json"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    """A program directory, a file backend and PULUMI_HOME in tmp; the program runs in the project's venv."""
    require_cli()
    root = tmp_path_factory.mktemp("pulumi-cli")
    program, backend, home = root / "program", root / "backend", root / "home"
    for path in (program, backend, home):
        path.mkdir()
    (program / "Pulumi.yaml").write_text(
        f"name: {PROJECT}\nruntime:\n  name: python\n  options:\n    virtualenv: {ROOT / '.venv'}\n")
    (program / "__main__.py").write_text(PROGRAM)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_")}
    env.update(NO_NETWORK)
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "PULUMI_HOME": str(home),
        "PULUMI_BACKEND_URL": f"file://{backend}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    })
    return Workspace(program, backend, env)


@pytest.fixture(scope="module")
def dev(workspace: Workspace) -> Workspace:
    """Stack `dev` with a plain and a secret config value."""
    workspace.pulumi("stack", "init", "dev")
    workspace.pulumi("config", "set", "greeting", GREETING, "-s", "dev")
    workspace.pulumi("config", "set", "--secret", "token", SECRET_TOKEN, "-s", "dev")
    return workspace


def test_the_cli_and_the_language_host_report_the_pinned_release():
    require_cli()
    pinned = pinned_cli_version()
    cli = subprocess.run([str(BIN / "pulumi"), "version"], capture_output=True, text=True, timeout=60, check=True)
    host = subprocess.run([str(BIN / "pulumi-language-python"), "-version"], capture_output=True, text=True,
                          timeout=60, check=True)
    assert cli.stdout.strip() == pinned
    assert host.stdout.strip() == pinned


def test_the_language_host_fails_at_start_without_its_exec_shim(tmp_path):
    """The host looks for the shim beside itself, as the real one does, and says which file is missing."""
    require_cli()
    lonely = tmp_path / "pulumi-language-python"
    lonely.write_bytes((BIN / "pulumi-language-python").read_bytes())
    lonely.chmod(0o755)
    done = subprocess.run([str(lonely)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert f"missing executor {tmp_path / 'pulumi-language-python-exec'}" in done.stderr


def test_preview_up_outputs_and_destroy_through_the_language_host(dev: Workspace):
    preview = json.loads(dev.pulumi("preview", "-s", "dev", "--json").stdout)
    creates = {step["urn"].rsplit("::", 2)[-2]: step["op"] for step in preview["steps"]}
    assert creates == {"pulumi:pulumi:Stack": "create", BOX_TYPE: "create"}

    up = dev.pulumi("up", "--yes", "-s", "dev")
    assert "2 created" in up.stdout, up.stdout

    shown = json.loads(dev.pulumi("stack", "output", "--json", "--show-secrets", "-s", "dev").stdout)
    assert shown["greeting"] == GREETING  # plain config reached the program (PULUMI_CONFIG)
    assert shown["token"] == SECRET_TOKEN  # the --secret value reached the program, decrypted
    assert shown["secretKeys"] == [f"{PROJECT}:token"]  # PULUMI_CONFIG_SECRET_KEYS
    assert shown["boxUrn"].endswith(f"::{BOX_TYPE}::box")

    masked = json.loads(dev.pulumi("stack", "output", "--json", "-s", "dev").stdout)
    assert masked["token"] == "[secret]" and masked["greeting"] == GREETING

    state_text = dev.state_file("dev").read_text()
    assert SECRET_TOKEN not in state_text
    state = json.loads(state_text)
    stack = next(r for r in state["checkpoint"]["latest"]["resources"] if r["type"] == "pulumi:pulumi:Stack")
    assert "ciphertext" in stack["outputs"]["token"], stack["outputs"]["token"]

    # Re-preview of the unchanged program: nothing to do.
    again = json.loads(dev.pulumi("preview", "-s", "dev", "--json").stdout)
    assert {step["op"] for step in again["steps"]} == {"same"}

    destroy = dev.pulumi("destroy", "--yes", "-s", "dev")
    assert "2 deleted" in destroy.stdout, destroy.stdout
    after = json.loads(dev.state_file("dev").read_text())
    assert not after["checkpoint"]["latest"].get("resources")


def _program(workspace: Workspace, directory: Path, main: str, stack: str) -> Path:
    """Another program beside the shared one, in the same backend, with its own stack."""
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text((workspace.program / "Pulumi.yaml").read_text())
    (directory / "__main__.py").write_text(main)
    workspace.pulumi("stack", "init", stack, cwd=directory)
    return directory


def test_a_program_that_exits_non_zero_fails_the_preview_with_its_exit_code(workspace: Workspace, tmp_path):
    """The real host's words for a program that exits 3 (main.go:1187)."""
    broken = _program(workspace, tmp_path / "exits", "import sys\nsys.exit(3)\n", "exits")
    done = workspace.pulumi("preview", "-s", "exits", ok=False, cwd=broken)
    assert done.returncode != 0
    assert "program exited with non-zero exit code: 3" in done.stdout + done.stderr


def test_a_program_exception_is_shown_once_without_an_exit_code_message(workspace: Workspace, tmp_path):
    """The exec shim prints the traceback and exits 32; the host then bails quietly (main.go:1184-1185)."""
    raising = _program(workspace, tmp_path / "raises", "raise RuntimeError('boom-7d1c')\n", "raises")
    done = workspace.pulumi("preview", "-s", "raises", ok=False, cwd=raising)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "RuntimeError: boom-7d1c" in output, output
    assert "non-zero exit code" not in output, output


def test_pulumi_install_creates_the_virtualenv_through_install_dependencies(workspace: Workspace, tmp_path):
    """`pulumi install` asks the host's InstallDependencies to create the project's venv and install
    requirements.txt (empty here). The SDK's pip toolchain always upgrades pip, setuptools and wheel in a new
    venv (sdk/v3@v3.276.0 python/toolchain/pip.go:556-563), so this one test reaches PyPI."""
    project = tmp_path / "installs"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: installs\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n")
    (project / "__main__.py").write_text("")
    (project / "requirements.txt").write_text("# nothing to install\n")
    with_network = {k: v for k, v in workspace.env.items() if k not in NO_NETWORK}
    done = workspace.pulumi("install", cwd=project, env=with_network)
    assert (project / "venv" / "bin" / "python").is_file(), done.stdout + done.stderr
    assert "Finished installing dependencies" in done.stdout + done.stderr


@pytest.fixture(scope="module")
def policy_pack(workspace: Workspace, tmp_path_factory) -> Path:
    """A policy pack in tmp that runs in the project's venv (pulumi-policy is pinned in requirements.txt)."""
    pack = tmp_path_factory.mktemp("policy-pack")
    (pack / "PulumiPolicy.yaml").write_text(
        f"runtime:\n  name: python\n  options:\n    virtualenv: {ROOT / '.venv'}\n")
    (pack / "__main__.py").write_text(POLICY_PACK)
    workspace.pulumi("stack", "init", "guarded")
    workspace.pulumi("config", "set", "greeting", GREETING, "-s", "guarded")
    workspace.pulumi("config", "set", "--secret", "token", SECRET_TOKEN, "-s", "guarded")
    return pack


@pytest.mark.xdist_group("pulumi-cli-policy")
def test_a_policy_pack_runs_through_run_plugin_and_passes_a_clean_preview(workspace: Workspace, policy_pack: Path):
    workspace.pulumi("config", "rm", "forbiddenBox", "-s", "guarded", ok=False)
    done = workspace.pulumi("preview", "-s", "guarded", "--policy-pack", str(policy_pack))
    assert "clitest-policy" in done.stdout, done.stdout  # the pack ran and is listed in the summary


@pytest.mark.xdist_group("pulumi-cli-policy")
def test_a_mandatory_violation_fails_the_preview_with_the_policy_message(workspace: Workspace, policy_pack: Path):
    workspace.pulumi("config", "set", "forbiddenBox", "box", "-s", "guarded")
    done = workspace.pulumi("preview", "-s", "guarded", "--policy-pack", str(policy_pack), ok=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "box 'box' is forbidden by stack config clitest:forbiddenBox (stack guarded, dry run true)" in output, output
    assert "mandatory" in output, output
    assert SECRET_TOKEN not in output


def test_a_policy_pack_without_its_virtualenv_says_to_run_pulumi_install(workspace: Workspace, tmp_path):
    """`preview --policy-pack` does not create a pack's venv (only `pulumi install` in the pack does); the host
    says so instead of the engine's bare "connection refused" (a deliberate divergence, docs/real-engine.md)."""
    pack = tmp_path / "pack-without-venv"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime:\n  name: python\n  options:\n    virtualenv: venv\n")
    (pack / "__main__.py").write_text(POLICY_PACK)
    _program(workspace, tmp_path / "unguarded", "import pulumi\npulumi.export('x', 1)\n", "unguarded")
    done = workspace.pulumi("preview", "-s", "unguarded", "--policy-pack", str(pack), ok=False,
                            cwd=tmp_path / "unguarded")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f'"{pack / "venv"}" doesn\'t exist' in output, output
    assert f"run `pulumi install` in {pack}" in output, output


def _pinned_requirements() -> dict[str, str]:
    """name -> version of the `name==version` lines of requirements.txt (the project's pins)."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if sep:
            pins[name] = version
    return pins


def test_pulumi_about_shows_the_plugins_the_venv_needs_and_the_interpreter(dev: Workspace):
    """GetRequiredPackages (pulumi-plugin.json of pulumi-alicloud and pulumi-kubernetes, none for
    pulumi-policy), About and GetProgramDependencies, as `pulumi about` reports them."""
    about = json.loads(dev.pulumi("about", "--json", "-s", "dev").stdout)
    pins = _pinned_requirements()
    resource_plugins = {p["name"]: p["version"] for p in about["plugins"] if p["kind"] == "resource"}
    assert resource_plugins == {"alicloud": pins["pulumi-alicloud"], "kubernetes": pins["pulumi-kubernetes"]}
    language = [p for p in about["plugins"] if p["kind"] == "language"]
    assert language == [{"name": "python", "version": pinned_cli_version().removeprefix("v"), "kind": "language"}]
    assert about["runtime"]["executable"] == str(ROOT / ".venv" / "bin" / "python")
    # The venv's top-level distributions (`pip list --not-required`): the project's own distribution (`-e .` in
    # requirements.txt), which requires the providers, the SDK and the policy SDK, so none of them is listed.
    dependencies = {d["name"]: d["version"] for d in about["dependencies"]}
    assert dependencies.get("ackstack") == ackstack.__version__, dependencies
    assert not {"pulumi", "pulumi-alicloud", "pulumi-kubernetes", "pulumi-policy"} & set(dependencies), dependencies


@pytest.fixture(scope="module")
def ackstack_pack(tmp_path_factory) -> Path:
    """ackstack's own policy pack, run by the CLI in the project's venv (its PulumiPolicy.yaml names `venv`)."""
    import shutil

    pack = tmp_path_factory.mktemp("ackstack-pack") / "policies"
    shutil.copytree(ROOT / "policies", pack, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    text = (pack / "PulumiPolicy.yaml").read_text()
    (pack / "PulumiPolicy.yaml").write_text(text.replace("virtualenv: venv", f"virtualenv: {ROOT / '.venv'}"))
    return pack


@pytest.mark.xdist_group("pulumi-cli-policy")
@pytest.mark.parametrize(("value", "refused"), [("banana", True), ("-1h", True), ("1h30m", False), ("0", False)])
def test_the_cli_validates_min_release_after_with_the_packs_pattern(workspace: Workspace, policy_pack: Path,
                                                                     ackstack_pack: Path, tmp_path, value, refused):
    """The CLI's own gojsonschema (Go RE2) applies the pattern the offline driver applies with Python `re`
    (tests/ackstack/preview/test_policy_config_errors.py): the same values are refused, before the program runs."""
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"podnetworking-release-strategy": {"minReleaseAfter": value}}))
    done = workspace.pulumi("preview", "-s", "guarded", "--policy-pack", str(ackstack_pack),
                            "--policy-pack-config", str(config), ok=not refused)
    output = done.stdout + done.stderr
    said = "validating policy config" in output and "minReleaseAfter" in output and "pattern" in output
    assert said is refused and (done.returncode != 0) is refused, output
