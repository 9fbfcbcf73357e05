"""`ackstack:cluster:NodePool`: one ACK node pool of a cluster, usable with any cluster id."""

from typing import NotRequired, TypedDict

import pulumi
import pulumi_alicloud as alicloud

from components.args_check import ArgsProblem, known, raise_for
from components.validation.rules_clu import node_login_problem
from components.validation.rules_nod import max_pods_problem


class NodePoolScalingArgs(TypedDict):
    min_size: int
    max_size: int


class NodePoolTaintArgs(TypedDict):
    key: str
    value: NotRequired[str]
    effect: NotRequired[str]


class NodePoolSystemDiskArgs(TypedDict):
    category: str
    size_gb: int
    encrypted: NotRequired[bool]
    kms_key_id: NotRequired[str]


class NodePoolManagementArgs(TypedDict):
    enabled: bool
    """Managed node pool: takes only a key pair as login (CLU007)."""
    auto_repair: NotRequired[bool]
    auto_upgrade: NotRequired[bool]


class NodePoolArgs(TypedDict):
    """A node pool: `desired_size`, or `scaling` for the cluster autoscaler."""

    cluster_id: pulumi.Input[str]
    node_pool_name: str
    vswitch_ids: list[pulumi.Input[str]]
    instance_types: list[str]
    system_disk: NodePoolSystemDiskArgs
    management: NodePoolManagementArgs
    desired_size: NotRequired[int]
    scaling: NotRequired[NodePoolScalingArgs]
    labels: NotRequired[dict[str, str]]
    taints: NotRequired[list[NodePoolTaintArgs]]
    max_pods: NotRequired[int]
    security_group_ids: NotRequired[list[pulumi.Input[str]]]
    key_name: NotRequired[str]
    password: NotRequired[pulumi.Input[str]]
    """Used only without key_name, and only on unmanaged pools; kept a secret."""
    image_type: NotRequired[str]
    tags: NotRequired[dict[str, str]]
    protect: NotRequired[bool]


class NodePool(pulumi.ComponentResource):
    """An `alicloud.cs.NodePool` named like the component.

    The pool used to be a direct child of `AckProCluster`: an alias to the component's parent keeps the URN of
    pools of stacks made before NodePool existed.
    """

    node_pool_id: pulumi.Output[str]

    def __init__(self, name: str, args: NodePoolArgs, opts: pulumi.ResourceOptions | None = None):
        raise_for("NodePool", name, node_pool_args_problems(args))
        super().__init__("ackstack:cluster:NodePool", name, None, opts)
        parent = opts.parent if opts is not None else None
        key_name = args.get("key_name")
        password = args.get("password")
        scaling = args.get("scaling")
        disk = args["system_disk"]
        management = args["management"]
        self.resource = alicloud.cs.NodePool(
            name,
            cluster_id=args["cluster_id"],
            node_pool_name=args["node_pool_name"],
            vswitch_ids=list(args["vswitch_ids"]),
            instance_types=list(args["instance_types"]),
            desired_size=None if scaling else str(args.get("desired_size", 0)),
            scaling_config={"enable": True, "min_size": scaling["min_size"], "max_size": scaling["max_size"]}
            if scaling else None,
            labels=[{"key": k, "value": v} for k, v in sorted((args.get("labels") or {}).items())],
            taints=[{"key": t["key"], "value": t.get("value", ""), "effect": t.get("effect", "NoSchedule")}
                    for t in sorted(args.get("taints") or [],
                                    key=lambda t: (t["key"], t.get("effect", "NoSchedule"), t.get("value", "")))],
            system_disk_category=disk["category"],
            system_disk_size=disk["size_gb"],
            system_disk_encrypted=disk.get("encrypted", False),
            system_disk_kms_key=disk.get("kms_key_id"),
            management={"enable": management["enabled"], "auto_repair": management.get("auto_repair", False),
                        "auto_upgrade": management.get("auto_upgrade", False)},
            kubelet_configuration={"max_pods": str(args["max_pods"])} if args.get("max_pods") else None,
            # securityGroupIds forces a new node pool (ForceNew, ackstack/engine/provider_model.field_change): the
            # caller passes them in a stable order.
            security_group_ids=list(args.get("security_group_ids") or []) or None,
            # One login method (key_name ConflictsWith password); CLU007 makes sure there is one.
            key_name=key_name,
            password=pulumi.Output.secret(password) if password is not None and not key_name else None,
            image_type=args.get("image_type"),
            tags=dict(args.get("tags") or {}),
            # Stateful (its nodes and their local data): protected in production like the cluster.
            opts=pulumi.ResourceOptions(parent=self, protect=bool(args.get("protect", False)),
                                        aliases=[pulumi.Alias(parent=parent)] if parent is not None else None),
        )
        self.node_pool_id = self.resource.node_pool_id
        self.register_outputs({"nodePoolId": self.node_pool_id})


def node_pool_args_problems(args: NodePoolArgs) -> list[ArgsProblem]:
    """NOD001 and CLU007 on what the Args say, and their shape (CFG002, as the stack file)."""
    problems: list[ArgsProblem] = []
    pool = args.get("node_pool_name") or "?"
    max_pods = args.get("max_pods")
    if known(max_pods) and (problem := max_pods_problem(pool, max_pods)):
        problems.append(ArgsProblem("NOD001", "maxPods", problem))
    managed = bool((args.get("management") or {}).get("enabled", False))
    if problem := node_login_problem(pool, args.get("key_name"), managed, args.get("password") is not None):
        problems.append(ArgsProblem("CLU007", "keyName", problem))
    if not args.get("instance_types"):
        problems.append(ArgsProblem("CFG002", "instanceTypes", "a node pool needs at least one instance type"))
    if not args.get("vswitch_ids"):
        problems.append(ArgsProblem("CFG002", "vswitchIds", "a node pool needs at least one vSwitch id"))
    scaling = args.get("scaling")
    if scaling and not 0 <= scaling.get("min_size", -1) <= scaling.get("max_size", -1):
        problems.append(ArgsProblem("CFG002", "scaling", "scaling needs 0 <= min_size <= max_size"))
    return problems
