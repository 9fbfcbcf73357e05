"""ackstack CrossGuard policies. ALL_POLICIES is what policies/__main__.py packs.

The CLI runs the pack with the pack directory as cwd and on sys.path, so the shared facts and checks
(`ackstack_core`, beside this package) travel with the pack when it is copied or published alone.
"""

from . import byocni, cilium, cluster, hygiene, podnetworking, stack, terway

RESOURCE_POLICIES = [
    *cluster.POLICIES,
    *terway.POLICIES,
    *byocni.POLICIES,
    *podnetworking.POLICIES,
    *cilium.POLICIES,
    *hygiene.POLICIES,
]
STACK_POLICIES = [*stack.POLICIES, *podnetworking.STACK_POLICIES, *hygiene.STACK_POLICIES]
ALL_POLICIES = [*RESOURCE_POLICIES, *STACK_POLICIES]
POLICIES_BY_NAME = {p.name: p for p in ALL_POLICIES}

__all__ = ["ALL_POLICIES", "POLICIES_BY_NAME", "RESOURCE_POLICIES", "STACK_POLICIES"]
