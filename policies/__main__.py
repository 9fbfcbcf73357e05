"""Policy pack entry point: `pulumi.policy` runs this file; building the pack starts its gRPC server."""

from pulumi_policy import EnforcementLevel, PolicyPack

from ackstack_policies import ALL_POLICIES
from ackstack_policies._speedups import install as install_speedups

install_speedups()
PolicyPack(name="ackstack", policies=ALL_POLICIES, enforcement_level=EnforcementLevel.ADVISORY)
