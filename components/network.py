"""`ackstack:network:Network`: the VPC side, created or adopted, named by stable config keys."""

from __future__ import annotations

import pulumi
import pulumi_alicloud as alicloud

from ackstack_core import constants as C
from components.cluster_security import ack_required_rules
from components.names import security_group_rule_name
from components.plan import NetworkPlan

_ECS_SG_TYPE = {"enterprise": "enterprise", "basic": "normal"}  # the ECS API calls basic groups `normal`


class Network(pulumi.ComponentResource):
    """VPC, vSwitches and security groups.

    Logical names come from config names (`<env>-vsw-<name>`), never list positions, so reordering
    the config never replaces a vSwitch. Adopted objects are passed through by id.
    """

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    vswitch_ids: dict[str, pulumi.Output[str]]
    security_group_ids: dict[str, pulumi.Output[str]]
    # The resources ackstack creates (adopted objects are not here), by config name, so other
    # components can order deletion against them (`depends_on`), see docs/operations.md "Destroy".
    vswitch_resources: dict[str, alicloud.vpc.Switch]
    security_group_resources: dict[str, alicloud.ecs.SecurityGroup]

    def __init__(self, name: str, plan: NetworkPlan, opts: pulumi.ResourceOptions | None = None):
        super().__init__("ackstack:network:Network", name, None, opts)
        config = plan.config
        env = config.environment
        tags = {**env.tags, C.OWN_TAG_ENVIRONMENT: env.name}
        protect = env.production
        child = pulumi.ResourceOptions(parent=self, protect=protect)

        net = config.network
        if net.vpc.id:
            self.vpc_id = pulumi.Output.from_input(net.vpc.id)
            self.vpc_cidr = pulumi.Output.from_input(plan.vpc_cidr or "")
        else:
            vpc = alicloud.vpc.Network(
                f"{name}-vpc",
                vpc_name=net.vpc.name or f"{env.name}-ackstack",
                cidr_block=net.vpc.cidr,
                tags=tags,
                opts=child,
            )
            self.vpc_id = vpc.id
            self.vpc_cidr = vpc.cidr_block

        self.vswitch_ids = {}
        self.vswitch_resources = {}
        for vsw in net.vswitches:
            if vsw.id:
                self.vswitch_ids[vsw.name] = pulumi.Output.from_input(vsw.id)
                continue
            # Terway leaves ENIs in pod vSwitches for a while after the cluster is gone; the provider
            # retries DependencyViolation until the delete timeout, so give it room.
            delete_timeout = C.POD_VSWITCH_DELETE_TIMEOUT if vsw.role != "node" else None
            created = alicloud.vpc.Switch(
                f"{name}-vsw-{vsw.name}",
                vswitch_name=f"{env.name}-{vsw.name}",
                vpc_id=self.vpc_id,
                cidr_block=vsw.cidr,
                zone_id=vsw.zone_id,
                description=f"ackstack {vsw.role} vSwitch",
                tags={**tags, C.OWN_TAG_ROLE: vsw.role},
                opts=pulumi.ResourceOptions.merge(
                    child, pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(delete=delete_timeout))
                ) if delete_timeout else child,
            )
            self.vswitch_ids[vsw.name] = created.id
            self.vswitch_resources[vsw.name] = created

        self.security_group_ids = {}
        self.security_group_resources = {}
        for sg in net.security_groups:
            if sg.id:
                self.security_group_ids[sg.name] = pulumi.Output.from_input(sg.id)
                continue
            group = alicloud.ecs.SecurityGroup(
                f"{name}-sg-{sg.name}",
                security_group_name=f"{env.name}-{sg.name}",
                security_group_type=_ECS_SG_TYPE[sg.type],
                vpc_id=self.vpc_id,
                description=sg.description or f"ackstack {sg.name} ({sg.type})",
                tags=tags,
                # Terway ENIs (trunk members of PodNetworking pods) keep the group busy after the cluster is
                # gone; the provider retries DependencyViolation while the delete timeout lasts.
                # Protected in production: ENIs and instances reference the group; a rename would delete it.
                opts=pulumi.ResourceOptions(
                    parent=self, protect=protect,
                    custom_timeouts=pulumi.CustomTimeouts(delete=C.SECURITY_GROUP_DELETE_TIMEOUT),
                ),
            )
            self.security_group_ids[sg.name] = group.id
            self.security_group_resources[sg.name] = group
            for rule in sg.rules:
                _security_group_rule(security_group_rule_name(name, sg.name, rule.name), group, rule.direction, rule.protocol,
                                     rule.port_range, rule.cidr, rule.description or rule.name,
                                     policy=rule.policy, priority=rule.priority)
            if sg.name == config.cluster.security_group:
                self._cluster_rules(name, plan, sg.name, group)

        self.register_outputs(
            {"vpcId": self.vpc_id, "vswitchIds": self.vswitch_ids, "securityGroupIds": self.security_group_ids}
        )

    def _cluster_rules(self, name: str, plan: NetworkPlan, key: str, group: alicloud.ecs.SecurityGroup) -> None:
        """The rules ACK needs and does not add to a group it is given (components/cluster_security.py)."""
        for rule in ack_required_rules(plan, plan.security_groups[key]):
            _security_group_rule(security_group_rule_name(name, key, rule.name), group, rule.direction, rule.protocol,
                                 rule.port_range, rule.cidr,
                                 f"{C.ACK_REQUIRED_RULE_DESCRIPTION_PREFIX}{rule.why}"[:C.SG_RULE_DESCRIPTION_MAX])

    def vswitch(self, ref: str) -> pulumi.Input[str]:
        """A vSwitch id from a config reference: a Network vSwitch name, or an id used as is."""
        return self.vswitch_ids.get(ref, ref)

    def security_group(self, ref: str) -> pulumi.Input[str]:
        return self.security_group_ids.get(ref, ref)


def _security_group_rule(logical: str, group: alicloud.ecs.SecurityGroup, direction: str, protocol: str,
                         port_range: str, cidr: str | None, description: str, policy: str = "accept",
                         priority: int = 1) -> alicloud.ecs.SecurityGroupRule:
    """One VPC (intranet) rule of `group`; no CIDR means the group itself is the peer."""
    return alicloud.ecs.SecurityGroupRule(
        logical,
        security_group_id=group.id,
        type=direction,
        ip_protocol=protocol,
        port_range=port_range,
        cidr_ip=cidr,
        source_security_group_id=group.id if cidr is None else None,
        policy=policy,
        priority=priority,
        nic_type="intranet",
        description=description,
        # Not protected, although its parent group is (Pulumi children inherit `protect`): a rule holds no
        # state, and in production a protected rule could never be narrowed (a CIDR or port change replaces
        # it) or removed without `pulumi state unprotect` (docs/operations.md "Protect / unprotect").
        opts=pulumi.ResourceOptions(parent=group, protect=False),
    )
