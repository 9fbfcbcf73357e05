"""`ackstack:terway:TerwayTrunk`: the in-cluster objects of Terway Trunk ENI, namespaces (created or labelled)
and PodNetworkings, on a cluster ackstack created (`AckProCluster`) or adopted (`ExistingTerwayCluster`).
"""

from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ackstack_core import constants as C
from ackstack_core.go_json import go_json
from ackstack_core.k8s_names import (
    dns_label_problem,
    dns_subdomain_problem,
    label_key_problem,
    label_value_problem,
)
from ackstack_core.podnetworking_checks import grouped_overlap_message, grouped_overlaps, release_problems
from ackstack_core.selectors import LabelSetIndex, compile_selector, find_overlaps
from components.args_check import ArgsProblem, path, raise_for
from components.cluster import AddonArgs
from components.podnetworking import (  # noqa: F401  (selector_matches, namespace_labels: imported from here too)
    NAME_LABEL,
    PodNetworking,
    PodNetworkingArgs,
    namespace_labels,
    selector_k8s,
    selector_matches,
)
from components.validation.rules_net import duplicate_names
from components.validation.rules_pnw import fixed_strategy_problem, no_selector_problem


def terway_trunk_addons(version: str | None = None, controlplane_version: str | None = None, ipvlan: bool = False,
                        network_policy: bool = False, trunking: bool = True,
                        custom_stateful_workload_kinds: Sequence[str] = ()) -> list[AddonArgs]:
    """The add-ons ACK must install at creation for Trunk ENI (`AckProClusterArgs.addons`): terway-eniip with its
    config as string values, as the console and API send them, in the compact form the provider reads back (no
    diff on the next run), and terway-controlplane."""
    eniip: AddonArgs = {"name": C.ADDON_TERWAY_ENIIP, "config": go_json({
        C.TERWAY_CONFIG_KEY_IPVLAN: str(ipvlan).lower(),
        C.TERWAY_CONFIG_KEY_NETWORK_POLICY: str(network_policy).lower(),
        C.TERWAY_CONFIG_KEY_TRUNKING: str(trunking).lower(),
    })}
    if version:
        eniip["version"] = version
    controlplane: AddonArgs = {"name": C.ADDON_TERWAY_CONTROLPLANE}
    if controlplane_version:
        controlplane["version"] = controlplane_version
    config = controlplane_config(custom_stateful_workload_kinds)
    if config is not None:
        controlplane["config"] = config
    return [eniip, controlplane]


def controlplane_config(custom_stateful_workload_kinds: Sequence[str]) -> str | None:
    """terway-controlplane's add-on config, only with custom stateful workload kinds: the key is Terway's own config
    field (types/controlplane/config_default.go:69); that ACK's add-on config passes it through under that name is
    unverified (docs/terway.md)."""
    if not custom_stateful_workload_kinds:
        return None
    return go_json({C.CONTROLPLANE_CUSTOM_STATEFUL_KINDS_KEY: list(custom_stateful_workload_kinds)})


class NamespaceArgs(TypedDict):
    """A namespace to create, or (`create: false`) an existing one whose labels ackstack owns."""

    name: str
    labels: NotRequired[dict[str, str]]
    create: NotRequired[bool]


class TerwayTrunkArgs(TypedDict):
    """The in-cluster objects of Terway Trunk ENI: namespaces and PodNetworkings.

    The trunk add-ons (terway-eniip with trunking, terway-controlplane) are listed at cluster creation
    (`terway_trunk_addons`, into `AckProClusterArgs.addons`); give this component the cluster's Kubernetes
    provider (`opts.provider`) and terway-controlplane's add-on in `opts.depends_on`.
    """

    namespaces: NotRequired[list[NamespaceArgs]]
    pod_networkings: NotRequired[list[PodNetworkingArgs]]
    protect: NotRequired[bool]
    """Protect PodNetworkings (deleting a Fixed-IP PodNetworking releases its pods' static IPs)."""
    max_security_groups_per_eni: NotRequired[int]
    """The account's ECS security-group-per-ENI quota (default 5; published on each PodNetworking component for the
    policy pack, which has no other way to know a raised quota)."""
    kubeconfig: NotRequired[pulumi.Input[str]]
    """The cluster's kubeconfig: the component then makes its own Kubernetes provider from it (for programs, e.g.
    YAML through the component package, that cannot hand it one in `opts.provider`)."""


class TerwayTrunk(pulumi.ComponentResource):
    """Namespaces first, then one PodNetworking per entry after what the component depends on
    (terway-controlplane) and the namespaces its namespaceSelector matches.

    Logical names come from namespace and PodNetworking names, so reordering either list changes no URN.
    These objects used to be direct children of the cluster component: aliases to this component's parent
    keep their URNs.
    """

    pod_networking_names: pulumi.Output[list[str]]
    namespace_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: TerwayTrunkArgs, opts: pulumi.ResourceOptions | None = None):
        raise_for("TerwayTrunk", name, terway_trunk_args_problems(args))
        super().__init__("ackstack:terway:TerwayTrunk", name, None, opts)
        former_parent = opts.parent if opts is not None else None
        aliases = [pulumi.Alias(parent=former_parent)] if former_parent is not None else None
        protect = bool(args.get("protect", False))
        quota = args.get("max_security_groups_per_eni", C.MAX_SECURITY_GROUPS_PER_ENI_DEFAULT)
        namespaces = list(args.get("namespaces") or [])
        own_provider = None
        if args.get("kubeconfig") is not None:
            own_provider = k8s.Provider(f"{name}-k8s", kubeconfig=pulumi.Output.secret(args["kubeconfig"]),
                                        enable_server_side_apply=True, opts=pulumi.ResourceOptions(parent=self))
        self.namespaces: dict[str, pulumi.Resource] = {}
        for ns in namespaces:
            ns_opts = pulumi.ResourceOptions(parent=self, aliases=aliases, provider=own_provider)
            metadata = {"name": ns["name"], "labels": dict(ns.get("labels") or {})}
            if ns.get("create", True):
                self.namespaces[ns["name"]] = k8s.core.v1.Namespace(f"ns-{ns['name']}", metadata=metadata, opts=ns_opts)
            else:
                # The seed's step 3 (`kubectl label namespaces ...`) as server-side apply: only these labels
                # are owned by Pulumi; removing the entry removes the labels, never the namespace.
                self.namespaces[ns["name"]] = k8s.core.v1.NamespacePatch(
                    f"ns-{ns['name']}-labels", metadata=metadata, opts=ns_opts)
        waits = _as_list(opts.depends_on if opts is not None else None)
        self.pod_networkings: dict[str, PodNetworking] = {}
        # Each PodNetworking waits for the namespaces its namespaceSelector matches: every selector is parsed once,
        # and matched only against the namespaces its labels index to (5,000 x 500 pairs at scale, issue #24 §6).
        names = [ns["name"] for ns in namespaces]
        labelled = LabelSetIndex([{**(ns.get("labels") or {}), NAME_LABEL: ns["name"]} for ns in namespaces])
        for entry in args.get("pod_networkings") or []:
            wanted = list(waits)
            ns_selector = entry.get("namespace_selector")
            if ns_selector is not None:
                selector = compile_selector(selector_k8s(ns_selector))
                wanted += [self.namespaces[names[i]] for i in labelled.matching(selector)]
            self.pod_networkings[entry["name"]] = PodNetworking(
                entry["name"], entry, protect=protect, former_parent=former_parent,
                max_security_groups_per_eni=quota,
                opts=pulumi.ResourceOptions(parent=self, depends_on=wanted, provider=own_provider))
        self.pod_networking_names = pulumi.Output.from_input(list(self.pod_networkings))
        self.namespace_names = pulumi.Output.from_input(list(self.namespaces))
        self.register_outputs({"podNetworkingNames": self.pod_networking_names,
                               "namespaceNames": self.namespace_names})


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def terway_trunk_args_problems(args: TerwayTrunkArgs) -> list[ArgsProblem]:
    """K8S001-K8S003, PNW004-PNW007, PNW011, SEL001 and NET004 on what the Args say (the rules' own checks)."""
    problems: list[ArgsProblem] = []
    namespaces = list(args.get("namespaces") or [])
    entries = list(args.get("pod_networkings") or [])
    for index, problem in duplicate_names([n.get("name", "") for n in namespaces]):
        problems.append(ArgsProblem("NET004", path("namespaces", index, "name"), problem))
    for index, problem in duplicate_names([e.get("name", "") for e in entries]):
        problems.append(ArgsProblem("NET004", path("podNetworkings", index, "name"), problem))
    for index, ns in enumerate(namespaces):
        if problem := dns_label_problem(ns.get("name", "")):
            problems.append(ArgsProblem("K8S002", path("namespaces", index, "name"),
                                        f"namespace name `{ns.get('name')}` {problem}"))
        for key, value in (ns.get("labels") or {}).items():
            problems += _label_problems(path("namespaces", index, "labels", key), key, value)
    overlap_entries = []
    for index, entry in enumerate(entries):
        name = entry.get("name", "")
        if problem := dns_subdomain_problem(name):
            problems.append(ArgsProblem("K8S001", path("podNetworkings", index, "name"),
                                        f"PodNetworking name `{name}` {problem}"))
        alloc = entry.get("allocation_type") or {}
        for rule_id, key, message in release_problems(alloc.get("type"), alloc.get("release_strategy"),
                                                      alloc.get("release_after")):
            problems.append(ArgsProblem(rule_id, path("podNetworkings", index, "allocationType", key), message))
        if problem := fixed_strategy_problem(name, alloc.get("type"), alloc.get("release_strategy")):
            problems.append(ArgsProblem("PNW007", path("podNetworkings", index, "allocationType", "releaseStrategy"),
                                        problem))
        pod, ns_sel = entry.get("pod_selector"), entry.get("namespace_selector")
        if problem := no_selector_problem(name, pod is not None, ns_sel is not None):
            problems.append(ArgsProblem("PNW011", path("podNetworkings", index, "selector"), problem))
        for key, sel in (("podSelector", pod), ("namespaceSelector", ns_sel)):
            for expr_index, expr in enumerate((sel or {}).get("match_expressions") or []):
                base = path("podNetworkings", index, key, "matchExpressions", expr_index)
                problems += _label_problems(f"{base}.key", expr.get("key", ""), None)
                for value_index, value in enumerate(expr.get("values") or []):
                    problems += _label_problems(f"{base}.values[{value_index}]", None, value)
            for label, value in ((sel or {}).get("match_labels") or {}).items():
                problems += _label_problems(path("podNetworkings", index, key, "matchLabels", label), label, value)
        overlap_entries.append((str(index), None if pod is None else selector_k8s(pod),
                                None if ns_sel is None else selector_k8s(ns_sel)))
    if not problems:  # overlap needs valid selectors (SEL002's business otherwise)
        pairs = find_overlaps(overlap_entries)
        for second, others, example in grouped_overlaps(pairs, [i for i, _p, _n in overlap_entries]):
            problems.append(ArgsProblem("SEL001", path("podNetworkings", int(second), "selector"),
                                        grouped_overlap_message(second, others, example,
                                                                label=lambda i: entries[int(i)].get("name", i))))
    return problems


def _label_problems(where: str, key: str | None, value: str | None) -> list[ArgsProblem]:
    out = []
    if key is not None and (problem := label_key_problem(key)):
        out.append(ArgsProblem("K8S003", where, f"label key `{key}` {problem}"))
    if value is not None and (problem := label_value_problem(value)):
        out.append(ArgsProblem("K8S003", where, f"label value `{value}` {problem}"))
    return out
