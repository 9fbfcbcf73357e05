"""`ackstack:network:Network`: the VPC side, created or adopted, named by stable keys."""

from typing import NotRequired, TypedDict

import pulumi
import pulumi_alicloud as alicloud

from ackstack_core import constants as C
from components.args_check import ArgsProblem, known, path, raise_for
from components.names import security_group_rule_name
from components.validation.rules_net import (
    duplicate_names,
    vpc_cidr_problem,
    vswitch_cidr_problems,
    vswitch_overlap_problems,
)

_ECS_SG_TYPE = {"enterprise": "enterprise", "basic": "normal"}  # the ECS API calls basic groups `normal`
VSWITCH_ROLES = ("node", "pod", "podnetworking")


class VSwitchArgs(TypedDict):
    """One vSwitch: created (`cidr` and `zone_id`) or adopted (`id`)."""

    name: str
    """Stable key: the logical name is `<network>-vsw-<name>`, so reordering never replaces a vSwitch."""
    role: str
    """`node`, `pod` (Terway pod vSwitch of the cluster) or `podnetworking`."""
    zone_id: NotRequired[str]
    cidr: NotRequired[str]
    id: NotRequired[pulumi.Input[str]]
    """Adopt this vSwitch instead of creating one."""
    vswitch_name: NotRequired[str]
    """The name in the console (default: `name`)."""


class SecurityGroupRuleArgs(TypedDict):
    """One intranet rule; no `cidr` means the group itself is the peer."""

    name: str
    direction: str
    protocol: str
    port_range: str
    cidr: NotRequired[str]
    description: NotRequired[str]
    policy: NotRequired[str]
    priority: NotRequired[int]


class SecurityGroupArgs(TypedDict):
    """A security group: created (`type`) or adopted (`id`)."""

    name: str
    type: NotRequired[str]
    """`enterprise` (default) or `basic`."""
    id: NotRequired[pulumi.Input[str]]
    description: NotRequired[str]
    security_group_name: NotRequired[str]
    rules: NotRequired[list[SecurityGroupRuleArgs]]


class NetworkArgs(TypedDict):
    """The VPC (created from `vpc_cidr`, or adopted by `vpc_id`), its vSwitches and security groups."""

    vpc_cidr: NotRequired[str]
    vpc_id: NotRequired[pulumi.Input[str]]
    vpc_name: NotRequired[str]
    vswitches: list[VSwitchArgs]
    security_groups: NotRequired[list[SecurityGroupArgs]]
    tags: NotRequired[dict[str, str]]
    protect: NotRequired[bool]
    """Register the VPC, vSwitches and security groups with `protect` (production)."""


class Network(pulumi.ComponentResource):
    """VPC, vSwitches and security groups.

    Logical names come from stable keys (`<name>-vsw-<key>`), never list positions, so reordering never
    replaces a vSwitch. Adopted objects are passed through by id.
    """

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    vswitch_ids: pulumi.Output[dict[str, str]]
    security_group_ids: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        raise_for("Network", name, network_args_problems(args))
        super().__init__("ackstack:network:Network", name, None, opts)
        tags = dict(args.get("tags") or {})
        protect = bool(args.get("protect", False))
        child = pulumi.ResourceOptions(parent=self, protect=protect)

        if args.get("vpc_id"):
            self.vpc_id = pulumi.Output.from_input(args["vpc_id"])
            self.vpc_cidr = pulumi.Output.from_input(args.get("vpc_cidr") or "")
        else:
            vpc = alicloud.vpc.Network(
                f"{name}-vpc",
                vpc_name=args.get("vpc_name") or name,
                cidr_block=args["vpc_cidr"],
                tags=tags,
                opts=child,
            )
            self.vpc_id = vpc.id
            self.vpc_cidr = vpc.cidr_block

        vswitch_ids: dict[str, pulumi.Output[str]] = {}
        # The resources created here (adopted objects are not), by key, so other components can order deletion
        # against them (`depends_on`), see docs/operations.md "Destroy".
        self.vswitch_resources: dict[str, alicloud.vpc.Switch] = {}
        for vsw in args["vswitches"]:
            if vsw.get("id"):
                vswitch_ids[vsw["name"]] = pulumi.Output.from_input(vsw["id"])
                continue
            # Terway leaves ENIs in pod vSwitches for a while after the cluster is gone; the provider
            # retries DependencyViolation until the delete timeout, so give it room.
            delete_timeout = C.POD_VSWITCH_DELETE_TIMEOUT if vsw["role"] != "node" else None
            created = alicloud.vpc.Switch(
                f"{name}-vsw-{vsw['name']}",
                vswitch_name=vsw.get("vswitch_name") or vsw["name"],
                vpc_id=self.vpc_id,
                cidr_block=vsw["cidr"],
                zone_id=vsw["zone_id"],
                description=f"ackstack {vsw['role']} vSwitch",
                tags={**tags, C.OWN_TAG_ROLE: vsw["role"]},
                opts=pulumi.ResourceOptions.merge(
                    child, pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(delete=delete_timeout))
                ) if delete_timeout else child,
            )
            vswitch_ids[vsw["name"]] = created.id
            self.vswitch_resources[vsw["name"]] = created

        group_ids: dict[str, pulumi.Output[str]] = {}
        self.security_group_resources: dict[str, alicloud.ecs.SecurityGroup] = {}
        for sg in args.get("security_groups") or []:
            if sg.get("id"):
                group_ids[sg["name"]] = pulumi.Output.from_input(sg["id"])
                continue
            sg_type = sg.get("type") or "enterprise"
            group = alicloud.ecs.SecurityGroup(
                f"{name}-sg-{sg['name']}",
                security_group_name=sg.get("security_group_name") or sg["name"],
                security_group_type=_ECS_SG_TYPE[sg_type],
                vpc_id=self.vpc_id,
                description=sg.get("description") or f"ackstack {sg['name']} ({sg_type})",
                tags=tags,
                # Terway ENIs (trunk members of PodNetworking pods) keep the group busy after the cluster is
                # gone; the provider retries DependencyViolation while the delete timeout lasts.
                # Protected in production: ENIs and instances reference the group; a rename would delete it.
                opts=pulumi.ResourceOptions(
                    parent=self, protect=protect,
                    custom_timeouts=pulumi.CustomTimeouts(delete=C.SECURITY_GROUP_DELETE_TIMEOUT),
                ),
            )
            group_ids[sg["name"]] = group.id
            self.security_group_resources[sg["name"]] = group
            for rule in sg.get("rules") or []:
                _security_group_rule(security_group_rule_name(name, sg["name"], rule["name"]), group, rule)

        # Per key, for other components in the same program (Outputs of single ids).
        self.vswitch_id_by_key = vswitch_ids
        self.security_group_id_by_key = group_ids
        self.vswitch_ids = pulumi.Output.from_input(vswitch_ids)
        self.security_group_ids = pulumi.Output.from_input(group_ids)
        self.register_outputs(
            {"vpcId": self.vpc_id, "vswitchIds": vswitch_ids, "securityGroupIds": group_ids}
        )

    def vswitch(self, ref: str) -> pulumi.Input[str]:
        """A vSwitch id from a reference: a vSwitch key of this Network, or an id used as is."""
        return self.vswitch_id_by_key.get(ref, ref)

    def security_group(self, ref: str) -> pulumi.Input[str]:
        return self.security_group_id_by_key.get(ref, ref)


def network_args_problems(args: NetworkArgs) -> list[ArgsProblem]:
    """NET001-NET004 on what the Args say (adopted objects' facts are the program's to read)."""
    problems: list[ArgsProblem] = []
    vpc_cidr = args.get("vpc_cidr")
    if not args.get("vpc_id"):
        if not known(vpc_cidr):
            problems.append(ArgsProblem("NET001", "vpcCidr", "a VPC needs vpc_cidr, or vpc_id to adopt one"))
        elif problem := vpc_cidr_problem(vpc_cidr):
            problems.append(ArgsProblem("NET001", "vpcCidr", problem))
    vswitches = list(args.get("vswitches") or [])
    created: list[tuple[int, str, str]] = []
    for index, vsw in enumerate(vswitches):
        if vsw.get("role") not in VSWITCH_ROLES:
            problems.append(ArgsProblem("NET004", path("vswitches", index, "role"),
                                        f"role `{vsw.get('role')}` is not one of {', '.join(VSWITCH_ROLES)}"))
        if vsw.get("id"):
            continue
        cidr, zone = vsw.get("cidr"), vsw.get("zone_id")
        if not known(cidr) or not known(zone):
            problems.append(ArgsProblem("NET002", path("vswitches", index),
                                        f"vSwitch `{vsw.get('name')}` needs cidr and zone_id, or id to adopt one"))
            continue
        created.append((index, vsw["name"], cidr))
        vpc = vpc_cidr if known(vpc_cidr) and not vpc_cidr_problem(vpc_cidr) else None
        for problem in vswitch_cidr_problems(vsw["name"], cidr, vpc):
            problems.append(ArgsProblem("NET002", path("vswitches", index, "cidr"), problem))
    for position, problem in vswitch_overlap_problems([(key, cidr) for _, key, cidr in created]):
        problems.append(ArgsProblem("NET003", path("vswitches", created[position][0], "cidr"), problem))
    groups = list(args.get("security_groups") or [])
    named = {"vswitches": [v.get("name", "") for v in vswitches], "securityGroups": [g.get("name", "") for g in groups]}
    for index, group in enumerate(groups):
        if (group.get("type") or "enterprise") not in _ECS_SG_TYPE:
            problems.append(ArgsProblem("NET004", path("securityGroups", index, "type"),
                                        f"type `{group.get('type')}` is not one of {', '.join(_ECS_SG_TYPE)}"))
        named[path("securityGroups", index, "rules")] = [r.get("name", "") for r in group.get("rules") or []]
    for prefix, names in named.items():
        for index, problem in duplicate_names(names):
            problems.append(ArgsProblem("NET004", path(prefix, index, "name"), problem))
    return problems


def _security_group_rule(logical: str, group: alicloud.ecs.SecurityGroup, rule: SecurityGroupRuleArgs,
                         ) -> alicloud.ecs.SecurityGroupRule:
    """One VPC (intranet) rule of `group`; no CIDR means the group itself is the peer."""
    cidr = rule.get("cidr")
    return alicloud.ecs.SecurityGroupRule(
        logical,
        security_group_id=group.id,
        type=rule["direction"],
        ip_protocol=rule["protocol"],
        port_range=rule["port_range"],
        cidr_ip=cidr,
        source_security_group_id=group.id if cidr is None else None,
        policy=rule.get("policy") or "accept",
        priority=rule.get("priority", 1),
        nic_type="intranet",
        description=rule.get("description") or rule["name"],
        # Not protected, although its parent group is (Pulumi children inherit `protect`): a rule holds no
        # state, and in production a protected rule could never be narrowed (a CIDR or port change replaces
        # it) or removed without `pulumi state unprotect` (docs/operations.md "Protect / unprotect").
        opts=pulumi.ResourceOptions(parent=group, protect=False),
    )
