"""Write what a reviewer reads: each Kubernetes object as the YAML kubectl would apply, Helm values."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from ackstack.engine.engine import integral_numbers, mask_secret_leaves, mask_secrets

_ORDER = ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "type")
_SKIP = {"__defaults"}


def object_body(inputs: dict) -> dict:
    """The Kubernetes object as the provider sends it (engine inputs minus SDK bookkeeping)."""
    body = {k: v for k, v in inputs.items() if k not in _SKIP and v is not None}
    ordered = {k: body[k] for k in _ORDER if k in body}
    ordered.update({k: v for k, v in body.items() if k not in ordered})
    metadata = ordered.get("metadata")
    if isinstance(metadata, dict):
        ordered["metadata"] = {k: v for k, v in metadata.items() if v not in (None, {}, [])}
    if ordered.get("kind") == "PodNetworking" and isinstance(ordered.get("spec"), dict):
        from components.podnetworking import seed_ordered

        ordered["spec"] = seed_ordered(ordered["spec"])
    return mask_secrets(ordered)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.-]+", "-", text.lower()).strip("-")




def _write_rendered_release(result, reg, values: dict, manifests: Path) -> list[Path]:
    """The Cilium release rendered by a real `helm template`, when helm and the chart package are here."""
    from components import cilium_render

    config = getattr(getattr(result.config, "cni", None), "cilium", None)
    if config is None or not isinstance(values, dict):
        return []
    source = cilium_render.chart_source(config.chart_version, config.chart_path)
    if source is None or cilium_render.helm_binary() is None:
        print(f"note: {reg.name} not rendered (needs helm, tools/install_helm.py, and the chart package "
              f"cilium-{config.chart_version}.tgz: `ackstack charts` fetches it into {cilium_render.cache_dir()}; "
              "or cni.cilium.chartPath)", file=sys.stderr)
        return []
    package = source.path
    try:
        documents = cilium_render.render(values, package, result.config.cluster.kubernetes_version)
    except cilium_render.RenderError as exc:
        path = manifests / f"helm-{_slug(reg.name)}-render-error.txt"
        path.write_text(f"helm template {package.name} failed:\n{exc}\n", encoding="utf-8")
        return [path]
    path = manifests / f"helm-{_slug(reg.name)}-rendered.yaml"
    path.write_text(f"# helm template cilium {package.name} ({source.origin}) --kube-version "
                    f"{cilium_render.kube_version(result.config.cluster.kubernetes_version)}\n"
                    + cilium_render.manifests_text(documents), encoding="utf-8")
    return [path]


def write_manifests(result, out: Path) -> list[Path]:
    written: list[Path] = []
    manifests = out / "manifests"
    for reg in result.run.registrations:
        if not reg.custom or not reg.type.startswith("kubernetes:") or reg.type.startswith("pulumi:providers"):
            continue
        manifests.mkdir(parents=True, exist_ok=True)
        if reg.type == "kubernetes:helm.sh/v3:Release":
            path = manifests / f"helm-{_slug(reg.name)}-values.yaml"
            values = integral_numbers(mask_secret_leaves(reg.inputs.get("values") or {}, getattr(result, "concealer", None)))
            header = (f"# Helm release {reg.inputs.get('name', reg.name)}: chart {reg.inputs.get('chart')} "
                      f"{reg.inputs.get('version')} from {(reg.inputs.get('repositoryOpts') or {}).get('repo', '')}\n")
            path.write_text(header + yaml.safe_dump(values, sort_keys=True), encoding="utf-8")
            written.extend(_write_rendered_release(result, reg, values, manifests))
        else:
            body = object_body(reg.inputs)
            kind = body.get("kind") or reg.type.rsplit(":", 1)[-1]
            meta = body.get("metadata") or {}
            name = "-".join(p for p in (meta.get("namespace"), meta.get("name") or reg.name) if p)
            path = manifests / f"{_slug(kind)}-{_slug(name)}.yaml"
            path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written
