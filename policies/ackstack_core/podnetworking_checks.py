"""PodNetworking field checks over plain CRD values, shared by the PNW rules and the policy pack.

The rules see typed config, the policy sees engine properties; both call these functions, so a
release-strategy verdict has one implementation and one rule id wherever it is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from ackstack_core import constants as C
from ackstack_core.go_duration import parse_go_duration

__all__ = ["parse_go_duration"]  # re-exported: the policy pack imports it from here

def release_problems(
    kind: str | None, strategy: str | None, release_after: str | None,
    min_seconds: float = C.RELEASE_AFTER_MIN_SECONDS,
) -> list[tuple[str, str, str]]:
    """(rule id, allocationType field, message) for every problem of an `allocationType`."""
    problems: list[tuple[str, str, str]] = []
    minimum = f"{min_seconds / 60:g}m"
    if kind != "Fixed":
        for key, value in (("releaseStrategy", strategy), ("releaseAfter", release_after)):
            if value is not None:
                problems.append(("PNW004", key, f"{key} `{value}` is set with type `{kind}`; it applies only "
                                                  f"to type Fixed"))
        return problems
    if strategy not in (None, *C.PODNETWORKING_RELEASE_STRATEGIES):
        problems.append(("PNW004", "releaseStrategy", f"releaseStrategy `{strategy}` is not one of "
                                                        f"{', '.join(C.PODNETWORKING_RELEASE_STRATEGIES)}"))
    if release_after is not None and strategy != "TTL":
        problems.append(("PNW005", "releaseAfter",
                         f"releaseAfter `{release_after}` is set with releaseStrategy `{strategy or 'unset'}`; it "
                         f"applies only to releaseStrategy TTL (Never keeps the IP until the PodENI is deleted "
                         f"by hand)"))
    if strategy == "TTL" and release_after is None:
        problems.append(("PNW005", "releaseAfter",
                         f"releaseStrategy TTL without releaseAfter: Terway cannot parse an empty duration and never "
                         f"releases the IP; set a Go duration of at least {minimum} (e.g. 1h) or use releaseStrategy "
                         f"Never"))
    if release_after is not None:
        try:
            seconds = parse_go_duration(str(release_after))
        except ValueError:
            problems.append(("PNW006", "releaseAfter",
                             f"`{release_after}` is not a Go duration (like 2h45m, 5m0s or 1h; units h, m, s, ms, "
                             f"us, ns); minimum {minimum}"))
        else:
            if seconds < min_seconds:
                problems.append(("PNW006", "releaseAfter", f"`{release_after}` is {seconds:g}s, shorter than the "
                                                             f"minimum of {minimum} ({min_seconds:g}s)"))
    return problems


def zones_without_nodes(vswitch_zones: Mapping[str, str | None], worker_zones: Collection[str]) -> list[tuple[str, str]]:
    """(vSwitch, zone) for each vSwitch whose zone has no nodes: Terway pins matched pods to the zones of
    vSwitchOptions, so such pods stay Pending (PNW009)."""
    return [(ref, zone) for ref, zone in vswitch_zones.items() if zone is not None and zone not in worker_zones]


def zone_without_nodes_message(vswitch: str, zone: str, worker_zones: Collection[str]) -> str:
    return (f"vSwitch `{vswitch}` is in zone {zone}, where the cluster has no nodes "
            f"(worker zones: {', '.join(sorted(worker_zones)) or 'none'})")


def overlap_message(name_a: str, name_b: str, example: Mapping[str, Mapping[str, str]]) -> str:
    """SEL001's text: both names and a label set that both PodNetworkings match."""

    def labels(values: Mapping[str, str]) -> str:
        return "{" + ", ".join(f"{k}={v}" for k, v in values.items()) + "}"

    return (f"PodNetworkings `{name_a}` and `{name_b}` can both match the same pod: e.g. a pod labelled "
            f"{labels(example['pod'])} in a namespace labelled {labels(example['namespace'])}; Terway would pick "
            f"one at random; make the selectors disjoint (e.g. a label In/NotIn split)")


# Source: ackstack design (issue #15: 1,000 identical selectors gave 499,500 pair findings; one finding per
# PodNetworking names at most this many of the others, then a count)
OVERLAP_NAMES_SHOWN = 5


def grouped_overlaps(pairs: Iterable[tuple[str, str, Mapping]], order: Sequence[str]
                     ) -> list[tuple[str, list[str], Mapping]]:
    """SEL001 grouped: (name, the earlier PodNetworkings it overlaps, an example with the first), one entry
    per PodNetworking that overlaps an earlier one, in `order`."""
    groups: dict[str, tuple[list[str], Mapping]] = {}
    for first, second, example in pairs:
        groups.setdefault(second, ([], example))[0].append(first)
    position = {name: index for index, name in enumerate(order)}
    return [(name, others, example) for name, (others, example)
            in sorted(groups.items(), key=lambda item: position.get(item[0], len(position)))]


def grouped_overlap_message(name: str, others: Sequence[str], example: Mapping[str, Mapping[str, str]],
                            label: Callable[[str], str] = str) -> str:
    """SEL001's text for one PodNetworking: the first overlap with its example, then the others (bounded)."""
    text = overlap_message(label(others[0]), label(name), example)
    rest = others[1:]
    if rest:
        shown = ", ".join(f"`{label(n)}`" for n in rest[:OVERLAP_NAMES_SHOWN])
        more = f" and {len(rest) - OVERLAP_NAMES_SHOWN} more" if len(rest) > OVERLAP_NAMES_SHOWN else ""
        text += f"; `{label(name)}` also overlaps {shown}{more}"
    return text


def security_group_count_verdict(groups: Sequence[str], terway_limit: int, declared_quota: int,
                                 terway_what: str) -> tuple[str, str] | None:
    """(level, message) for the security groups one ENI gets, None when fine.

    Terway's own limit (`terway_limit`, named by `terway_what`) is always an error. ECS attaches at most
    MAX_SECURITY_GROUPS_PER_ENI_DEFAULT (5) groups to one ENI unless the account's quota was raised, which no
    API tells ackstack: the stack declares it (capacity.maxSecurityGroupsPerEni, `declared_quota`). More than
    the declared quota is an error; more than 5 within it is a warning naming the declaration. One function
    for PNW001/PNW020, TWY001/TWY025 and the policy pack."""
    count, listed = len(groups), ", ".join(groups)
    default = C.MAX_SECURITY_GROUPS_PER_ENI_DEFAULT
    if not groups:
        return "error", "0 security groups; at least 1 is required"
    if count > terway_limit:
        return "error", f"{count} security groups ({listed}) exceed the {terway_limit} that {terway_what} accepts"
    if count > declared_quota:
        return "error", (f"{count} security groups ({listed}) exceed the ECS limit of {declared_quota} per ENI "
                         f"(capacity.maxSecurityGroupsPerEni; ECS default {default}, raisable by a quota request "
                         f"up to {C.MAX_SECURITY_GROUPS_PER_ENI_RAISED}: declare the raised quota there)")
    if count > default:
        return "warning", (f"{count} security groups ({listed}) on one ENI rely on the raised ECS quota declared in "
                           f"capacity.maxSecurityGroupsPerEni ({declared_quota}; ECS default {default}): without "
                           f"that raise ECS refuses the attachment and the ENI is not created")
    return None
