"""CNI strategies: what differs between Terway Trunk ENI and BYOCNI, so there is one Cluster component."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from components.cni.byocni import ByocniCilium
from components.cni.terway import TerwayTrunk

if TYPE_CHECKING:
    import pulumi

    from components.network import Network
    from components.plan import NetworkPlan


class ClusterHandle(Protocol):
    """What a strategy installs into: a new `AckProCluster` or an adopted cluster. Typed by what it offers,
    so this package does not import the cluster module that imports it."""

    provider: pulumi.ProviderResource
    addons: dict[str, pulumi.Resource]


class CniStrategy(Protocol):
    mode: str

    def cluster_args(self, plan: NetworkPlan, network: Network) -> dict:
        """Extra `ManagedKubernetes` arguments (pod vSwitches, or pod CIDR and node mask)."""

    def addons(self, plan: NetworkPlan) -> list[dict]:
        """Add-ons listed explicitly at cluster creation (ACK's defaults are never relied on)."""

    def install(self, plan: NetworkPlan, network: Network, cluster: ClusterHandle) -> list[pulumi.Resource]:
        """What runs in the cluster once it exists (PodNetworkings, Cilium)."""


def strategy_for(plan: NetworkPlan) -> CniStrategy:
    return TerwayTrunk() if plan.config.is_terway else ByocniCilium()
