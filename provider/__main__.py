"""Serve ackstack's components to Pulumi programs in any language (TypeScript, Go, Python, YAML).

`pulumi package add <this directory>` runs this file through the Python language host; the SDK's component
provider host answers GetSchema from the components' type annotations and Construct by calling them.
"""

from pulumi.provider.experimental import component_provider_host

from ackstack import __version__
from components.cilium import Cilium
from components.cluster import AckProCluster
from components.existing_cluster import ExistingTerwayCluster
from components.network import Network
from components.nodepool import NodePool
from components.terway import TerwayTrunk

COMPONENTS = [Network, AckProCluster, NodePool, TerwayTrunk, Cilium, ExistingTerwayCluster]

if __name__ == "__main__":
    component_provider_host(COMPONENTS, name="ackstack", version=__version__)
