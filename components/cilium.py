"""`ackstack:cilium:Cilium`: the official Cilium chart as a `helm.v3.Release` on a BYOCNI cluster.

The values are computed by the pure `cilium_values` (components/cilium_values.py, re-exported here).
docs/cilium.md says why a Release and not `helm.v4.Chart`, and why the release does not wait for pods.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from ackstack_core import constants as C
from components.cilium_render import resolve_chart_path
from components.cilium_values import cilium_values, deep_merge, flatten, lookup, parse_api_server
from components.plan import NetworkPlan

__all__ = ["Cilium", "cilium_values", "deep_merge", "flatten", "lookup", "parse_api_server"]

# Seconds for each Kubernetes operation of the install (hooks included). Generous because images
# come from outside China (seed: pulls may be slow) and nothing waits on pod readiness anyway.
RELEASE_TIMEOUT_SECONDS = 900


class Cilium(pulumi.ComponentResource):
    """One `helm.v3.Release` of the pinned chart into kube-system.

    Depends on the cluster's Kubernetes provider (and, with kube-proxy replacement, the cluster's
    intranet endpoint) only: never on node pools, and node pools never on it. The release does not
    wait for pods (`skip_await`): nodes join NotReady and become Ready when the agent runs, so
    waiting here could only time out while the node pools are still being created.
    """

    release: k8s.helm.v3.Release
    values: pulumi.Output[dict]

    def __init__(self, name: str, plan: NetworkPlan, cluster, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ackstack:cilium:Cilium", name, None, opts)
        cilium = plan.config.cni.cilium
        if cilium.kube_proxy_replacement:
            values: pulumi.Input[dict] = cluster.api_server_intranet.apply(lambda ep: cilium_values(plan, ep))
        else:
            values = cilium_values(plan, None)
        self.values = pulumi.Output.from_input(values)
        self.release = k8s.helm.v3.Release(name, **release_source(cilium), **self._release_args(plan, values),
                                           # The cluster's CNI: uninstalling it takes every pod off the network.
                                           opts=pulumi.ResourceOptions(parent=self, provider=cluster.provider,
                                                                       protect=plan.config.environment.production))
        self.register_outputs({"releaseStatus": self.release.status, "values": self.values})

    @staticmethod
    def _release_args(plan: NetworkPlan, values: pulumi.Input[dict]) -> dict:
        cilium = plan.config.cni.cilium
        overlay_accepted = cilium.accept_overlay and cilium.routing_mode != "native"
        return dict(
            name=C.CILIUM_RELEASE_NAME,
            version=cilium.chart_version,
            namespace=C.CILIUM_NAMESPACE,
            values=values,
            # Read by the cilium-native-routing policy: a tunnel accepted in config is not a policy violation.
            description=C.CILIUM_OVERLAY_ACCEPTED_DESCRIPTION if overlay_accepted else None,
            # No readiness wait: see the class docstring and docs/cilium.md ("Ordering").
            skip_await=True,
            atomic=False,  # atomic would re-enable waiting and purge the CNI on a slow first boot
            wait_for_jobs=False,
            cleanup_on_fail=False,
            timeout=RELEASE_TIMEOUT_SECONDS,
            max_history=10,
        )


def release_source(cilium) -> dict:
    """Where the provider gets the chart: a local package (CIL016 checked it is cilium <chartVersion>), an OCI
    registry as the chart reference, or a classic (mirror) Helm repository (C.HELM_OCI_SCHEME says why)."""
    if cilium.chart_path:
        return dict(chart=str(resolve_chart_path(cilium.chart_path)))
    if cilium.repository.startswith(C.HELM_OCI_SCHEME):
        return dict(chart=f"{cilium.repository.rstrip('/')}/{C.CILIUM_CHART_NAME}")
    return dict(chart=C.CILIUM_CHART_NAME, repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=cilium.repository))
