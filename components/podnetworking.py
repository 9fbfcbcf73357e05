"""`ackstack:terway:PodNetworking`: one Terway `PodNetworking` custom resource per config entry.

The body is built by `podnetworking_spec`, a pure function over config and plan, so the rules, the
tests and the policy pack all see exactly what kubectl would apply. Security groups, vSwitches and
the ENI type are always explicit: terway-controlplane's mutating webhook fills empty ones from
eni-config, and Pulumi would then report that server-side value as drift on every preview.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ackstack_core import constants as C
from ackstack_core.selectors import SelectorError
from components.config import LabelSelector, NamespaceConfig, PodNetworkingConfig

if TYPE_CHECKING:  # the plan-reading helpers below serve the program and the rules; the component never reads it
    from components.plan import NetworkPlan

Resolver = Callable[[str], Any]
NAME_LABEL = "kubernetes.io/metadata.name"  # set by the API server on every namespace


def selector_matches(selector: LabelSelector, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics over one label set (an empty selector matches all); an invalid
    selector matches nothing here (SEL002 refuses it)."""
    try:
        return selector.compiled.matches(labels)
    except SelectorError:
        return False


def namespace_labels(ns: NamespaceConfig) -> dict[str, str]:
    """Labels the namespace will carry, including the one the API server always sets."""
    return {**ns.labels, NAME_LABEL: ns.name}


# ---------------------------------------------------------------- defaults (shared with the rules)
def worker_zones(plan: "NetworkPlan") -> set[str]:
    """Zones where pods can run: node-pool zones with a node vSwitch; for an adopted cluster whose
    pools ackstack does not manage, the zones of its `node` vSwitches."""
    if plan.config.cluster.node_pools or plan.config.cluster.existing is None:
        return set(plan.node_zones)
    return {v.zone_id for v in plan.by_role("node") if v.zone_id}


def cluster_pod_vswitches(plan: "NetworkPlan") -> list[str]:
    """Config keys of the cluster's `pod` vSwitches in worker zones (what `pod_vswitch_ids` gets)."""
    zones = worker_zones(plan)
    return [v.key for v in plan.by_role("pod") if v.zone_id in zones]


def effective_security_groups(entry: PodNetworkingConfig, plan: "NetworkPlan") -> list[str]:
    """The entry's security groups, else the cluster's ENI security groups (eni-config)."""
    return list(entry.security_group_ids) or plan.eni_security_groups()


def effective_vswitches(entry: PodNetworkingConfig, plan: "NetworkPlan") -> list[str]:
    """The entry's vSwitchOptions, else the cluster's pod vSwitches."""
    return list(entry.v_switch_options) or cluster_pod_vswitches(plan)


def _plan_vswitch(plan: "NetworkPlan") -> Resolver:
    def resolve(ref: str) -> str:
        fact = plan.vswitch(ref)
        return fact.id if fact is not None and fact.id else ref

    return resolve


def _plan_security_group(plan: "NetworkPlan") -> Resolver:
    def resolve(ref: str) -> str:
        fact = plan.security_group(ref)
        return fact.id if fact is not None and fact.id else ref

    return resolve


class LabelSelectorRequirementArgs(TypedDict):
    key: str
    operator: str
    values: NotRequired[list[str]]


class LabelSelectorArgs(TypedDict):
    """Kubernetes label selector; an empty one (`{}`) matches everything."""

    match_labels: NotRequired[dict[str, str]]
    match_expressions: NotRequired[list[LabelSelectorRequirementArgs]]


class AllocationTypeArgs(TypedDict):
    type: str
    """`Elastic` or `Fixed`."""
    release_strategy: NotRequired[str]
    release_after: NotRequired[str]


class PodNetworkingArgs(TypedDict):
    """One Terway PodNetworking, with its vSwitches and security groups as ids."""

    name: str
    allocation_type: AllocationTypeArgs
    security_group_ids: list[pulumi.Input[str]]
    vswitch_ids: list[pulumi.Input[str]]
    pod_selector: NotRequired[LabelSelectorArgs]
    namespace_selector: NotRequired[LabelSelectorArgs]
    vswitch_selection_policy: NotRequired[str]
    """`ordered` (default) or `most`."""
    eni_type: NotRequired[str]
    """`Default` (default), `Trunk` or `ENI`."""


def selector_args(selector: LabelSelector | None) -> LabelSelectorArgs | None:
    if selector is None:
        return None
    out: LabelSelectorArgs = {}
    if selector.match_labels:
        out["match_labels"] = dict(selector.match_labels)
    if selector.match_expressions:
        out["match_expressions"] = [{"key": e.key, "operator": e.operator, **({"values": list(e.values)} if e.values
                                                                              else {})}
                                    for e in selector.match_expressions]
    return out


def selector_k8s(selector: LabelSelectorArgs) -> dict:
    """The selector as the API takes it; `values` is omitempty, so an empty list is left out (no drift)."""
    body: dict = {}
    if selector.get("match_labels"):
        body["matchLabels"] = dict(selector["match_labels"])
    if selector.get("match_expressions"):
        body["matchExpressions"] = [
            {"key": e["key"], "operator": e["operator"], **({"values": list(e["values"])} if e.get("values") else {})}
            for e in selector["match_expressions"]
        ]
    return body


def podnetworking_args(
    entry: PodNetworkingConfig,
    plan: "NetworkPlan",
    vswitch: Resolver | None = None,
    security_group: Resolver | None = None,
) -> PodNetworkingArgs:
    """The component's Args for one config entry, with ackstack's defaults applied.

    `vswitch` / `security_group` turn a config reference (Network name or id) into what is sent; by
    default adopted ids are used and names of objects ackstack creates are left as names (the
    program passes the Network's outputs instead).
    """
    vswitch = vswitch or _plan_vswitch(plan)
    security_group = security_group or _plan_security_group(plan)
    alloc = entry.allocation_type
    allocation: AllocationTypeArgs = {"type": alloc.type}
    if alloc.release_strategy is not None:
        allocation["release_strategy"] = alloc.release_strategy
    if alloc.release_after is not None:
        allocation["release_after"] = alloc.release_after
    args: PodNetworkingArgs = {
        "name": entry.name,
        "allocation_type": allocation,
        "security_group_ids": [security_group(ref) for ref in effective_security_groups(entry, plan)],
        "vswitch_ids": [vswitch(ref) for ref in effective_vswitches(entry, plan)],
        "vswitch_selection_policy": (entry.v_switch_select_options.v_switch_selection_policy
                                     if entry.v_switch_select_options else "ordered"),
        "eni_type": entry.eni_options.eni_type if entry.eni_options else "Default",
    }
    for key, selector in (("pod_selector", entry.selector.pod_selector),
                          ("namespace_selector", entry.selector.namespace_selector)):
        if selector is not None:
            args[key] = selector_args(selector)
    return args


def spec_from_args(args: PodNetworkingArgs) -> dict:
    """The PodNetworking `spec`. An absent selector is omitted; an empty `{}` selector is kept, because
    Terway reads it as "every pod"."""
    alloc = args["allocation_type"]
    allocation: dict = {"type": alloc["type"]}
    if alloc.get("release_strategy") is not None:
        allocation["releaseStrategy"] = alloc["release_strategy"]
    if alloc.get("release_after") is not None:
        allocation["releaseAfter"] = alloc["release_after"]
    selector: dict = {}
    for key, name in (("podSelector", "pod_selector"), ("namespaceSelector", "namespace_selector")):
        if args.get(name) is not None:
            selector[key] = selector_k8s(args[name])
    return {
        "allocationType": allocation,
        "selector": selector,
        "securityGroupIDs": list(args["security_group_ids"]),
        "vSwitchOptions": list(args["vswitch_ids"]),
        "vSwitchSelectOptions": {"vSwitchSelectionPolicy": args.get("vswitch_selection_policy") or "ordered"},
        "eniOptions": {"eniType": args.get("eni_type") or "Default"},
    }


def podnetworking_spec(
    entry: PodNetworkingConfig,
    plan: "NetworkPlan",
    vswitch: Resolver | None = None,
    security_group: Resolver | None = None,
) -> dict:
    """The PodNetworking `spec` for one config entry (what the component sends for `podnetworking_args`)."""
    return spec_from_args(podnetworking_args(entry, plan, vswitch, security_group))


def manifest_from_args(args: PodNetworkingArgs) -> dict:
    """The whole object as `kubectl apply -f` would take it (cluster-scoped: no namespace).

    `pulumi.com/waitFor` makes `pulumi up` wait until terway-controlplane sets status Ready: the pod
    webhook uses only Ready PodNetworkings, and only for pods created afterwards, so nothing that
    depends on this object may start before (AliyunContainerService/terway v1.17.5
    pkg/controller/webhook/mutating.go:310, operations CREATE in the chart's webhook.yaml:14-18).
    """
    return {
        "apiVersion": C.PODNETWORKING_API_VERSION,
        "kind": C.PODNETWORKING_KIND,
        "metadata": {"name": args["name"],
                     "annotations": {C.PULUMI_WAIT_FOR_ANNOTATION: C.PODNETWORKING_WAIT_FOR_READY}},
        "spec": spec_from_args(args),
    }


def podnetworking_manifest(entry: PodNetworkingConfig, plan: "NetworkPlan", **resolvers: Resolver) -> dict:
    """`manifest_from_args` for one config entry."""
    return manifest_from_args(podnetworking_args(entry, plan, **resolvers))


# ---------------------------------------------------------------- component
class PodNetworking(pulumi.ComponentResource):
    """One PodNetworking, applied through the Kubernetes provider the component is given.

    The object waits for what the component depends on (`opts.depends_on`): terway-controlplane (it serves
    the PodNetworking webhooks and CRD) and the namespaces whose labels the selector expects; `TerwayTrunk`
    decides which. It used to be a direct child of the cluster: an alias to `TerwayTrunk`'s parent
    (`former_parent`) keeps its URN.
    """

    resource: k8s.apiextensions.CustomResource
    spec: dict

    def __init__(self, name: str, args: PodNetworkingArgs, protect: bool = False,
                 former_parent: pulumi.Resource | None = None,
                 max_security_groups_per_eni: int = C.MAX_SECURITY_GROUPS_PER_ENI_DEFAULT,
                 opts: pulumi.ResourceOptions | None = None):
        # The account's quota as a component input: the policy pack reads it here (PODNETWORKING_COMPONENT_QUOTA_KEY).
        quota = {C.PODNETWORKING_COMPONENT_QUOTA_KEY: max_security_groups_per_eni}
        super().__init__(C.PODNETWORKING_COMPONENT_TYPE, name, quota, pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=former_parent)] if former_parent else None)))
        manifest = manifest_from_args(args)
        self.spec = manifest["spec"]
        wanted = opts.depends_on if opts is not None else None
        self.resource = k8s.apiextensions.CustomResource(
            name,
            api_version=manifest["apiVersion"],
            kind=manifest["kind"],
            metadata=manifest["metadata"],
            spec=self.spec,
            # Protected in production: deleting a Fixed-IP PodNetworking releases its pods' static IPs.
            opts=pulumi.ResourceOptions(parent=self, depends_on=wanted, protect=protect),
        )
        self.register_outputs({"name": name, **quota})


_SEED_ORDER = ("allocationType", "selector", "securityGroupIDs", "vSwitchOptions", "vSwitchSelectOptions",
               "eniOptions", "type", "releaseStrategy", "releaseAfter", "podSelector", "namespaceSelector",
               "matchLabels", "matchExpressions", "key", "operator", "values")


def seed_ordered(value: Any) -> Any:
    """A spec with keys in the seed example's order (the engine hands maps back unordered), for files
    a reviewer compares with the documentation."""
    if isinstance(value, dict):
        rank = {k: i for i, k in enumerate(_SEED_ORDER)}
        return {k: seed_ordered(value[k]) for k in sorted(value, key=lambda k: (rank.get(k, len(rank)), k))}
    if isinstance(value, list):
        return [seed_ordered(v) for v in value]
    return value
