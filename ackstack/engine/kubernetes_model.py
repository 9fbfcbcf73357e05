"""pulumi-kubernetes' Check and Diff for the objects ackstack registers (Namespaces, Patches, PodNetworkings,
the Cilium `helm.v3.Release`), shared by the kubernetes provider plugin and `--compare`.

Sources: pulumi/pulumi-kubernetes v4.32.0 (the newest tag readable here; 4.34.2's exact code is
unverified): provider/pkg/provider/helm_release.go Check :329-420 (the chart is loaded in Check and a load
failure is a CheckFailure on `chart`; the namespace defaults to the provider's; the chart's own version is
stored), Diff :795-860 (old inputs against new, `checksum` and `resourceNames` left out);
provider/pkg/metadata/naming.go AssignNameIfAutonamable (`<name>-<8 hex>` when metadata.name is unset);
a Kubernetes object is identified by apiVersion, kind, namespace and name, so changing one replaces it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ackstack.engine import bridge
from ackstack.engine.provider_model import T_HELM_RELEASE, normalise_inputs
from ackstack_core import constants as C
from components import cilium_render

AUTONAME_RANDOM_LENGTH = 8  # pulumi-kubernetes provider/pkg/metadata/naming.go (unverified at 4.34.2)
DEFAULT_NAMESPACE = "default"  # the provider's namespace when its config sets none
IDENTITY_KEYS = ("apiVersion", "kind", "metadata.name", "metadata.namespace")
RELEASE_IDENTITY_KEYS = ("name", "namespace")


def check(type_: str, urn_name: str, news: dict, olds: dict | None = None,
          seed: bytes = b"") -> tuple[dict, list[tuple[str, str]]]:
    """(inputs the engine stores, [(property, reason)] the provider refuses)."""
    olds = olds or {}
    failures: list[tuple[str, str]] = []
    if type_ == T_HELM_RELEASE:
        news = normalise_inputs(type_, news)
        news.setdefault("name", olds.get("name") or autoname(urn_name, seed))
        if not news.get("namespace"):
            news["namespace"] = DEFAULT_NAMESPACE
        problem = chart_problem(news)
        if problem:
            failures.append(("chart", f"{problem}; check the chart name and repository configuration."))
        return news, failures
    if type_.endswith("Patch") or not isinstance(news.get("metadata", {}), dict):
        return dict(news), failures
    metadata = dict(news.get("metadata") or {})
    if not metadata.get("name"):
        metadata["name"] = (olds.get("metadata") or {}).get("name") or autoname(urn_name, seed)
    return {**news, "metadata": metadata}, failures


def diff(type_: str, old_inputs: dict, news: dict, ignore_changes: list[str] | tuple[str, ...] = ()) -> bridge.Diff:
    """Old inputs against new, reported leaf by leaf as the provider's detailed diff: maps compared key by key,
    lists of equal length element by element, anything else as one update (pulumi-kubernetes v4.32.0
    provider/pkg/provider/provider.go:3191-3330 convertPatchToDiff over the merge patch, helm_release.go:848-905)."""
    identity = RELEASE_IDENTITY_KEYS if type_ == T_HELM_RELEASE else IDENTITY_KEYS
    ignored = {bridge._top(p) for p in ignore_changes}
    olds, new_flat = _flat(old_inputs), _flat(news)
    result = bridge.Diff()
    for key in sorted(set(olds) | set(new_flat)):
        if key in ignored or key == bridge.DEFAULTS_KEY:
            continue
        _leaf_diff(key, olds.get(key, _MISSING), new_flat.get(key, _MISSING), result.detailed)
    for path in list(result.detailed):
        if path in identity:
            result.detailed[path] += "_REPLACE"
    result.replaces = sorted({key for key, kind in result.detailed.items() if kind.endswith("_REPLACE")})
    return result


_MISSING = object()


def _leaf_diff(path: str, old: Any, new: Any, out: dict[str, str]) -> None:
    if old is _MISSING and new is _MISSING:
        return
    if new is _MISSING or (new is None and old is not _MISSING and old is not None):
        out[path] = bridge.DELETE
    elif old is _MISSING or old is None:
        if new is not None:
            out[path] = bridge.ADD
    elif isinstance(old, dict) and isinstance(new, dict) and not bridge.is_unknown(new):
        for key in sorted(set(old) | set(new)):
            _leaf_diff(f"{path}.{key}", old.get(key, _MISSING), new.get(key, _MISSING), out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            _leaf_diff(f"{path}[{index}]", a, b, out)
    elif not bridge._equal(old, new) or bridge.is_unknown(new):
        out[path] = bridge.UPDATE


def autoname(urn_name: str, seed: bytes) -> str:
    return f"{urn_name}-{hashlib.sha256(seed + urn_name.encode()).hexdigest()[:AUTONAME_RANDOM_LENGTH]}"


def _flat(inputs: dict) -> dict:
    """`metadata.name` / `metadata.namespace` as keys of their own, so a rename is seen as one."""
    out: dict[str, Any] = {k: v for k, v in inputs.items() if k not in ("metadata", *C.HELM_RELEASE_CHECK_COMPUTED_INPUTS)}
    metadata = inputs.get("metadata")
    if isinstance(metadata, dict):
        rest = {k: v for k, v in metadata.items() if k not in ("name", "namespace")}
        if rest:
            out["metadata"] = rest
        for key in ("name", "namespace"):
            if key in metadata:
                out[f"metadata.{key}"] = metadata[key]
    return out


def chart_package(release: dict):
    chart = str(release.get("chart") or "")
    if chart.endswith(".tgz"):
        return cilium_render.resolve_chart_path(chart)
    return cilium_render.chart_package(str(release.get("version") or ""))


def chart_problem(release: dict) -> str | None:
    """Why the provider could not load the chart (None when it can, or cannot know yet)."""
    if bridge.is_unknown(release.get("version")) or bridge.is_unknown(release.get("chart")):
        return None
    package = chart_package(release)
    if package is None or not package.is_file():
        return f"chart {release.get('chart')!r} version {release.get('version')!r} not found"
    return None


def rendered_resource_names(release: dict, kube_version: str) -> dict[str, list[str]]:
    """Render with the real helm, as the install does; the Release's `resourceNames`: `<Kind[.group]>/<apiVersion>`
    -> sorted `[namespace/]name` (pulumi-kubernetes v4.32.0 provider/pkg/provider/manifest_json.go:27-58)."""
    documents = cilium_render.render(release.get("values") or {}, chart_package(release), kube_version)
    names: dict[str, set[str]] = {}
    for doc in (d for d in documents if d and d.get("kind")):
        api_version = str(doc.get("apiVersion") or "")
        group = api_version.split("/")[0] if "/" in api_version else ""
        kind = f"{doc['kind']}.{group}" if group else str(doc["kind"])
        metadata = doc.get("metadata") or {}
        name = f"{metadata['namespace']}/{metadata.get('name')}" if metadata.get("namespace") else str(metadata.get("name"))
        names.setdefault(f"{kind}/{api_version}", set()).add(name)
    return {key: sorted(values) for key, values in sorted(names.items())}
