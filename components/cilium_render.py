"""Render the Cilium release with a real `helm template` and the official chart package.

Why: values that merge cleanly can still render a `cilium-config` the agent rejects, or fail Helm's schema
check and the chart's own `fail` checks at `pulumi up`. Rendering the exact package (a local
`cni.cilium.chartPath`, else the pinned official package from the chart cache, `ackstack charts`) shows what the agent will
read. Used by validation (CIL020, whenever helm and the package are here), the render tests and
`ackstack preview --out`; helm comes from tools/install_helm.py (`.venv/bin/helm`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from ackstack_core import constants as C
from ackstack_core.versions import parse_version
from components.chart_cache import REFERENCE_CHARTS, ChartPackage, cache_dir, cached_package  # noqa: F401 (tests)

# PyYAML's safe loader on libyaml's C parser where the wheel has it (PyYAML 6.0.3 wheels do): the same constructor and
# resolver as yaml.SafeLoader, about ten times faster on helm's ~30 documents (tests/components/test_cilium_render.py
# holds the two parsers to the same result on every reference chart).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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


def chart_source(chart_version: str, chart_path: str | None = None) -> ChartPackage | None:
    """The package to render and where it came from: the stack's local package, else the pinned package in the
    chart cache (`ackstack charts`), else the reference stand-in, each verified by its pinned digest."""
    if chart_path:
        path = resolve_chart_path(chart_path)
        return ChartPackage(path, "cni.cilium.chartPath") if path.is_file() else None
    return cached_package(chart_version)


def chart_package(chart_version: str, chart_path: str | None = None) -> Path | None:
    source = chart_source(chart_version, chart_path)
    return source.path if source else None


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
    parsed = parse_version(kubernetes_version, patch_required=False)
    return str(parsed) if parsed else kubernetes_version


def render(values: dict, package: Path, kubernetes_version: str, helm: str | None = None) -> list[dict]:
    """`helm template cilium <package> --namespace kube-system --kube-version <k8s> -f values.yaml`, parsed."""
    helm = helm or helm_binary()
    if helm is None:
        raise RenderError("no helm binary (run: .venv/bin/python tools/install_helm.py)")
    ok, text = _render_text(helm, _package_key(package), json.dumps(values, sort_keys=True),
                            kube_version(kubernetes_version))
    if not ok:
        raise RenderError(text)
    return [doc for doc in yaml.load_all(text, Loader=SAFE_LOADER) if isinstance(doc, dict)]


def _package_key(package: Path) -> tuple[str, str]:
    """(path, sha256): a package replaced on disk within a run is a new cache key."""
    return str(package), hashlib.sha256(package.read_bytes()).hexdigest()


@functools.lru_cache(maxsize=512)
def _render_text(helm: str, package: tuple[str, str], values_json: str, kube: str) -> tuple[bool, str]:
    """(rendered, stdout or helm's message), cached by input digest: validation, `--out` and the tests render
    the same values many times in one run, and one helm call costs ~0.3 s of CPU."""
    with tempfile.TemporaryDirectory() as tmp:
        values_file = Path(tmp) / "values.yaml"
        values_file.write_text(values_json, encoding="utf-8")  # JSON is YAML; exact types kept
        proc = subprocess.run(
            [helm, "template", "cilium", package[0], "--namespace", C.CILIUM_NAMESPACE,
             "--kube-version", kube, "-f", str(values_file)],
            capture_output=True, text=True, timeout=RENDER_TIMEOUT_SECONDS, check=False)
    if proc.returncode != 0:
        return False, proc.stderr.strip() or f"helm exited {proc.returncode}"
    return True, proc.stdout


@dataclass(frozen=True)
class RenderCheck:
    """Which check of the Cilium values ran: "helm" (the real render) or "rules" (rule-based only, and why)."""

    mode: str
    detail: str
    package: Path | None = None
    helm: str | None = None


@functools.lru_cache(maxsize=64)
def helm_version(helm: str) -> str:
    proc = subprocess.run([helm, "version", "--short"], capture_output=True, text=True, timeout=30, check=False)
    return proc.stdout.strip() or "unknown version"


def render_check(chart_version: str, chart_path: str | None) -> RenderCheck:
    """Whether validation can render with the real helm: both the binary and the pinned package must be here."""
    source = chart_source(chart_version, chart_path)
    helm = helm_binary()
    if helm is None:
        return RenderCheck("rules", "rule-based checks only: no helm binary (.venv/bin/python tools/install_helm.py)")
    if source is None:
        where = chart_path or f"cilium-{chart_version}.tgz in {cache_dir()} (run `ackstack charts`)"
        return RenderCheck("rules", f"rule-based checks only: no chart package {where}")
    return RenderCheck("helm", f"rendered with helm {helm_version(helm)} and {source.path.name} ({source.origin})",
                       source.path, helm)


_SCHEMA_AT = re.compile(r"at '(/[^']*)'")
_TEMPLATE_AT = re.compile(r"execution error at \(([^():]+):(\d+):\d+\)")
_VALUES_REF = re.compile(r"\.Values((?:\.[A-Za-z0-9_]+)+)")
_BLOCK_START = re.compile(r"{{-?\s*(if|else if|with|range)\b")


def refused_value_paths(message: str, package: Path) -> list[str]:
    """The value paths helm's refusal names: schema errors by their JSON pointer, a template `fail` by the
    `.Values` references of the condition that guards it (read from the package's template)."""
    paths = [pointer.strip("/").replace("/", ".") for pointer in _SCHEMA_AT.findall(message)]
    for template, line in _TEMPLATE_AT.findall(message):
        try:
            with tarfile.open(package) as tar:
                handle = tar.extractfile(template)
                lines = handle.read().decode().splitlines() if handle else []
        except (tarfile.TarError, KeyError, OSError):
            lines = []
        index = int(line) - 1
        if index >= len(lines):
            continue
        start = index
        while start > 0 and not _BLOCK_START.search(lines[start]):
            start -= 1
        for text in lines[start:index + 1]:
            paths.extend(ref.lstrip(".") for ref in _VALUES_REF.findall(text))
    return list(dict.fromkeys(p for p in paths if p))


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
