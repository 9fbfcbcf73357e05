"""Render the Cilium release with a real `helm template` and the official chart package.

Why: values that merge cleanly can still render a `cilium-config` the agent rejects, or fail Helm's schema
check at `pulumi up`. Rendering the exact package (a local `cni.cilium.chartPath`, else the official package
in `../shared/reference/cilium/`) shows what the agent will read. Used by the render tests and by
`offline preview --out`; helm comes from tools/install_helm.py (`.venv/bin/helm`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

from ackstack_core import constants as C

# The official chart packages beside the repository checkout (../shared/reference/cilium: this workplace's copy
# of what helm.cilium.io serves; see its README).
REFERENCE_CHARTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "cilium"
RENDER_TIMEOUT_SECONDS = 120


class RenderError(RuntimeError):
    """helm could not render the chart with these values (its stderr is the message)."""


def helm_binary() -> str | None:
    """`helm` installed next to this interpreter (tools/install_helm.py), else one on PATH."""
    local = Path(sys.executable).parent / "helm"
    return str(local) if local.exists() else shutil.which("helm")


def resolve_chart_path(chart_path: str) -> Path:
    path = Path(chart_path)
    return path if path.is_absolute() else Path.cwd() / path  # relative to the project, where the CLI runs


def chart_package(chart_version: str, chart_path: str | None = None) -> Path | None:
    """The package to render: the stack's local package, else the official reference package, if present."""
    if chart_path:
        path = resolve_chart_path(chart_path)
        return path if path.is_file() else None
    reference = REFERENCE_CHARTS / f"cilium-{chart_version}.tgz"
    return reference if reference.is_file() else None


def package_chart_version(package: Path) -> tuple[str, str] | None:
    """(name, version) from a chart package's `<name>/Chart.yaml`, None if it is not a chart package."""
    try:
        with tarfile.open(package) as tar:
            member = next((m for m in tar.getmembers() if re.fullmatch(r"[^/]+/Chart\.yaml", m.name)), None)
            handle = tar.extractfile(member) if member else None
            chart = yaml.safe_load(handle.read()) if handle else None
    except (tarfile.TarError, OSError, yaml.YAMLError):
        return None
    if not isinstance(chart, dict):
        return None
    return str(chart.get("name")), str(chart.get("version"))


def kube_version(kubernetes_version: str) -> str:
    """`1.34.1-aliyun.1` -> `1.34.1`, what `helm template --kube-version` takes."""
    return kubernetes_version.lstrip("v").split("-", 1)[0]


def render(values: dict, package: Path, kubernetes_version: str, helm: str | None = None) -> list[dict]:
    """`helm template cilium <package> --namespace kube-system --kube-version <k8s> -f values.yaml`, parsed."""
    helm = helm or helm_binary()
    if helm is None:
        raise RenderError("no helm binary (run: .venv/bin/python tools/install_helm.py)")
    with tempfile.TemporaryDirectory() as tmp:
        values_file = Path(tmp) / "values.yaml"
        values_file.write_text(json.dumps(values), encoding="utf-8")  # JSON is YAML; exact types kept
        proc = subprocess.run(
            [helm, "template", "cilium", str(package), "--namespace", C.CILIUM_NAMESPACE,
             "--kube-version", kube_version(kubernetes_version), "-f", str(values_file)],
            capture_output=True, text=True, timeout=RENDER_TIMEOUT_SECONDS, check=False)
    if proc.returncode != 0:
        raise RenderError(proc.stderr.strip() or f"helm exited {proc.returncode}")
    return [doc for doc in yaml.safe_load_all(proc.stdout) if isinstance(doc, dict)]


def configmap(documents: list[dict], name: str) -> dict[str, str]:
    """`data` of the ConfigMap `name` in the rendered documents ({} if absent)."""
    for doc in documents:
        if doc.get("kind") == "ConfigMap" and (doc.get("metadata") or {}).get("name") == name:
            return dict(doc.get("data") or {})
    return {}


def images(documents: list[dict]) -> list[str]:
    """Every container and init-container image of the rendered workloads."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("containers", "initContainers"):
                for container in node.get(key) or []:
                    if isinstance(container, dict) and container.get("image"):
                        found.append(str(container["image"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(documents)
    return found


def manifests_text(documents: list[dict]) -> str:
    return "".join("---\n" + yaml.safe_dump(doc, sort_keys=False) for doc in documents)
