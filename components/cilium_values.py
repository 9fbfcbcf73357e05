"""Cilium Helm values as a pure function of the network plan (no Pulumi import: tests, rules, policies).

Values = ACK baseline (charts/cilium/values.yaml, reviewed data) <- plan overlay
(charts/cilium/overlay.yaml.j2, rendered with the plan's figures and parsed with the safe loader)
<- image registry override (`cni.cilium.imageRegistry`, every image path of the pinned chart)
<- the stack's `cni.cilium.values`, merged last. docs/cilium.md gives each key's provenance.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from ackstack_core import cilium_chart
from components.cilium_render import SAFE_LOADER

if TYPE_CHECKING:
    from components.plan import NetworkPlan

# charts/cilium of the repository, which the installed distribution carries as `components/charts/cilium`.
CHART_DIR = next(d for d in (Path(__file__).resolve().parent / "charts" / "cilium",
                             Path(__file__).resolve().parent.parent / "charts" / "cilium", ) if d.is_dir())
BASELINE_FILE = CHART_DIR / "values.yaml"
OVERLAY_TEMPLATE = "overlay.yaml.j2"


@functools.cache
def baseline_values() -> dict:
    """The reviewed ACK baseline, read once (cached: treat as read-only; `deep_merge` copies)."""
    return yaml.safe_load(BASELINE_FILE.read_text(encoding="utf-8")) or {}


@functools.cache
def _overlay_template():
    import jinja2  # only BYOCNI stacks render the overlay; Terway runs never pay for the import

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(CHART_DIR)),
        undefined=jinja2.StrictUndefined,  # a missing figure is a bug, not an empty string
        autoescape=False,
        keep_trailing_newline=True,
    )
    return env.get_template(OVERLAY_TEMPLATE)


def deep_merge(base: dict, override: dict) -> dict:
    """Helm's merge: mappings merge key by key, anything else (lists included) is replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def parse_api_server(endpoint: str) -> tuple[str, int]:
    """`https://10.0.0.253:6443` -> (`10.0.0.253`, 6443); k8sServiceHost must be an address, never `auto`."""
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if not parts.hostname:
        raise ValueError(f"cannot read a host from the API server endpoint {endpoint!r}")
    return parts.hostname, parts.port or 443


def non_masquerade_cidrs(plan: NetworkPlan) -> list[str]:
    """Pod CIDR and VPC CIDR: traffic to either keeps the pod IP (VPC routes make it reachable)."""
    cidrs = [plan.config.cni.pod_cidr]
    if plan.vpc_cidr and plan.vpc_cidr not in cidrs:
        cidrs.append(plan.vpc_cidr)
    return cidrs


def overlay_values(plan: NetworkPlan, api_server: str | None) -> dict:
    """The plan's figures rendered through the overlay template, then parsed (never concatenated)."""
    cilium = plan.config.cni.cilium
    host, port = parse_api_server(api_server) if cilium.kube_proxy_replacement and api_server else (None, None)
    text = _overlay_template().render(
        routing_mode=cilium.routing_mode,
        ipam_mode=cilium.ipam,
        pod_cidr=plan.config.cni.pod_cidr,
        non_masquerade_cidrs=non_masquerade_cidrs(plan),
        kube_proxy_replacement=cilium.kube_proxy_replacement and host is not None,
        k8s_service_host=host,
        k8s_service_port=port,
        hubble=cilium.hubble,
        node_port_for_bpf_masquerade=bpf_masquerade_needs_node_port(cilium.chart_version),
    )
    overlay = yaml.load(text, Loader=SAFE_LOADER) or {}
    if cilium.kube_proxy_replacement and host is None:
        # Validation time (no cluster yet): the switch is known, the endpoint is not.
        overlay["kubeProxyReplacement"] = True
    return overlay


def bpf_masquerade_needs_node_port(chart_version: str) -> bool:
    """1.17/1.18 agents refuse BPF masquerading without BPF NodePort; 1.19 dropped the check and the chart the key."""
    record = cilium_chart.release_record(chart_version)
    # An unknown line follows its nearest known neighbour: 1.21 has no 1.17-style check (and its chart no key).
    return record is None or record.bpf_masquerade_requires_nodeport


def mirrored_repository(repository: str, registry: str) -> str:
    """`quay.io/cilium/operator` + `registry.example.com/ns` -> `registry.example.com/ns/cilium/operator`."""
    first, _, rest = repository.partition("/")
    path = rest if rest and ("." in first or ":" in first or first == "localhost") else repository
    return f"{registry.rstrip('/')}/{path}"


def image_values(chart_version: str, registry: str | None) -> dict:
    """`<image>.repository` moved to `registry` for every image path the pinned chart declares."""
    facts, _ = cilium_chart.facts_for(chart_version)
    if not registry or facts is None:
        return {}
    out: dict = {}
    for dotted, repository in facts.images.items():
        node = out
        for step in dotted.split("."):
            node = node.setdefault(step, {})
        node["repository"] = mirrored_repository(repository, registry)
    return out


def cilium_values(plan: NetworkPlan, api_server: str | None) -> dict:
    """Baseline <- plan overlay <- image registry <- `cni.cilium.values`: exactly what the Helm release receives.

    `api_server` is the cluster's intranet endpoint; it is only read with kube-proxy replacement.
    """
    cilium = plan.config.cni.cilium
    merged = deep_merge(baseline_values(), overlay_values(plan, api_server))
    merged = deep_merge(merged, image_values(cilium.chart_version, cilium.image_registry))
    return deep_merge(merged, dict(cilium.values))


def flatten(values: Any, prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`; lists and empty mappings are leaves."""
    if isinstance(values, dict) and values:
        out: dict[str, Any] = {}
        for key, value in values.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: values} if prefix else {}


def lookup(values: dict, dotted: str, default: Any = None) -> Any:
    node: Any = values
    for step in dotted.split("."):
        if not isinstance(node, dict) or step not in node:
            return default
        node = node[step]
    return node
