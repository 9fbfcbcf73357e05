"""`ackstack:cilium:Cilium`: the official Cilium chart as a `helm.v3.Release` on a BYOCNI cluster.

The values are computed by the pure `cilium_values` (components/cilium_values.py, re-exported here).
docs/cilium.md says why a Release and not `helm.v4.Chart`, and why the release does not wait for pods.
"""

from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components.args_check import ArgsProblem, path, raise_for
from components.cilium_render import resolve_chart_path
from components.cilium_values import cilium_values, deep_merge, flatten, lookup, parse_api_server

__all__ = ["Cilium", "cilium_values", "deep_merge", "flatten", "lookup", "parse_api_server"]

# Seconds for each Kubernetes operation of the install (hooks included). Generous because images
# come from outside China (seed: pulls may be slow) and nothing waits on pod readiness anyway.
RELEASE_TIMEOUT_SECONDS = 900


class CiliumArgs(TypedDict):
    """The pinned Cilium chart and the release values (the program computes them: components/cilium_values.py).

    With `api_server_endpoint` (kube-proxy replacement) `k8sServiceHost`/`k8sServicePort` are set from it.
    """

    chart_version: str
    values: dict[str, Any]
    repository: NotRequired[str]
    """A classic Helm repository URL, or an `oci://` registry (default: the official chart repository)."""
    chart_path: NotRequired[str]
    """A local chart package instead of a repository."""
    api_server_endpoint: NotRequired[pulumi.Input[str]]
    overlay_accepted: NotRequired[bool]
    """Tunnel routing was accepted on purpose (read by the cilium-native-routing policy)."""
    production: NotRequired[bool]
    """Protect the release: uninstalling the cluster's CNI takes every pod off the network."""


class Cilium(pulumi.ComponentResource):
    """One `helm.v3.Release` of the pinned chart into kube-system, through the provider the component is given.

    Depends on the cluster's Kubernetes provider (and, with kube-proxy replacement, the cluster's
    intranet endpoint) only: never on node pools, and node pools never on it. The release does not
    wait for pods (`skip_await`): nodes join NotReady and become Ready when the agent runs, so
    waiting here could only time out while the node pools are still being created.
    """

    values: pulumi.Output[dict[str, Any]]
    release_status: pulumi.Output[str]

    def __init__(self, name: str, args: CiliumArgs, opts: pulumi.ResourceOptions | None = None):
        raise_for("Cilium", name, cilium_args_problems(args))
        super().__init__("ackstack:cilium:Cilium", name, None, opts)
        base = dict(args["values"])
        endpoint = args.get("api_server_endpoint")
        if endpoint is not None:
            values: pulumi.Input[dict] = pulumi.Output.from_input(endpoint).apply(
                lambda ep: with_api_server(base, ep))
        else:
            values = base
        self.values = pulumi.Output.from_input(values)
        self.release = k8s.helm.v3.Release(name, **release_source(args), **_release_args(args, values),
                                           # The cluster's CNI: uninstalling it takes every pod off the network.
                                           opts=pulumi.ResourceOptions(parent=self,
                                                                       protect=bool(args.get("production", False))))
        self.release_status = self.release.status
        self.register_outputs({"releaseStatus": self.release.status, "values": self.values})


def with_api_server(values: dict, endpoint: str) -> dict:
    """`k8sServiceHost`/`k8sServicePort` from the cluster's intranet endpoint (never `auto`); none while unknown."""
    if not endpoint:
        return values
    host, port = parse_api_server(endpoint)
    return deep_merge(values, {"k8sServiceHost": host, "k8sServicePort": port})


def _release_args(args: CiliumArgs, values: pulumi.Input[dict]) -> dict:
    return dict(
        name=C.CILIUM_RELEASE_NAME,
        version=args["chart_version"],
        namespace=C.CILIUM_NAMESPACE,
        values=values,
        # Read by the cilium-native-routing policy: a tunnel accepted in config is not a policy violation.
        description=C.CILIUM_OVERLAY_ACCEPTED_DESCRIPTION if args.get("overlay_accepted") else None,
        # No readiness wait: see the class docstring and docs/cilium.md ("Ordering").
        skip_await=True,
        atomic=False,  # atomic would re-enable waiting and purge the CNI on a slow first boot
        wait_for_jobs=False,
        cleanup_on_fail=False,
        timeout=RELEASE_TIMEOUT_SECONDS,
        max_history=10,
    )


def release_source(args: CiliumArgs) -> dict:
    """Where the provider gets the chart: a local package (CIL016 checked it is cilium <chartVersion>), an OCI
    registry as the chart reference, or a classic (mirror) Helm repository (C.HELM_OCI_SCHEME says why)."""
    if args.get("chart_path"):
        return dict(chart=str(resolve_chart_path(args["chart_path"])))
    repository = args.get("repository") or C.CILIUM_CHART_REPO
    if repository.startswith(C.HELM_OCI_SCHEME):
        return dict(chart=f"{repository.rstrip('/')}/{C.CILIUM_CHART_NAME}")
    return dict(chart=C.CILIUM_CHART_NAME, repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repository))


def cilium_args_problems(args: CiliumArgs) -> list[ArgsProblem]:
    """CIL008 and CIL009 (the chart's key paths and types) on the release values."""
    problems: list[ArgsProblem] = []
    facts, _ = cilium_chart.facts_for(args.get("chart_version") or "")
    if facts is None:
        return problems
    values = dict(args.get("values") or {})
    for key in cilium_chart.unknown_paths(values, facts):
        problems.append(ArgsProblem("CIL008", path("values") + f".{key}",
                                    f"`{key}` is not a key of the Cilium {facts.version} chart (Helm would ignore it)"))
    for key, value, expected in cilium_chart.type_problems(values, facts):
        problems.append(ArgsProblem("CIL009", path("values") + f".{key}",
                                    f"`{key}` is {value!r} ({type(value).__name__}); the Cilium {facts.version} chart "
                                    f"schema requires {expected}"))
    return problems
