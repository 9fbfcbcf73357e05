"""The network picture of a plan for reviewers: a per-zone summary, a PodNetworking table and a Mermaid
diagram that stays within Mermaid's limits (MERMAID_MAX_EDGES, MERMAID_MAX_TEXT_SIZE) at any size.

PodNetworkings that use the same vSwitches and security groups are drawn as one node ("12
PodNetworkings"); the table lists each. When even that is too big, vSwitches collapse into their zone.
"""

from __future__ import annotations

from collections import defaultdict

from ackstack.preview.markdown import mermaid_id as nid
from ackstack.preview.markdown import mermaid_label as lbl
from ackstack_core import constants as C


def selector_text(selector) -> str:
    """`app=mysql, tier In (a, b)`; `(all)` for an empty selector, `(none)` when absent."""
    if selector is None:
        return "(none)"
    parts = [f"{k}={v}" for k, v in sorted(selector.match_labels.items())]
    for e in selector.match_expressions:
        parts.append(f"{e.key} {e.operator}" + (f" ({', '.join(e.values)})" if e.values else ""))
    return ", ".join(parts) or "(all)"


def placement_rows(plan) -> list[dict]:
    """One row per PodNetworking: allocation, selectors, vSwitches and security groups, as configured."""
    if plan is None:
        return []
    rows = []
    for pn in plan.config.pod_networkings:
        alloc = pn.allocation_type
        allocation = alloc.type + (f" ({alloc.release_strategy}{' ' + alloc.release_after if alloc.release_after else ''})"
                                   if alloc.release_strategy else "")
        rows.append({
            "name": pn.name, "allocation": allocation,
            "pods": selector_text(pn.selector.pod_selector), "namespaces": selector_text(pn.selector.namespace_selector),
            "vswitches": ", ".join(pn.v_switch_options), "groups": ", ".join(pn.security_group_ids),
        })
    return rows


def zone_rows(plan) -> list[dict]:
    """Per zone: vSwitches by role, node pools reaching it, PodNetworkings with a vSwitch in it."""
    if plan is None:
        return []
    config = plan.config
    zones: dict[str, dict] = defaultdict(lambda: {"vswitches": defaultdict(list), "pools": [], "podnetworkings": 0})
    for fact in sorted(plan.vswitches.values(), key=lambda f: f.key):
        zones[fact.zone_id or "unknown zone"]["vswitches"][fact.role].append(f"{fact.key} {fact.cidr or fact.id or ''}".strip())
    for pool in config.cluster.node_pools:
        for zone in dict.fromkeys(pool.zones):
            zones[zone]["pools"].append(pool.name)
    for pn in config.pod_networkings:
        reached = {fact.zone_id for ref in pn.v_switch_options if (fact := plan.vswitch(ref)) is not None}
        for zone in reached:
            zones[zone or "unknown zone"]["podnetworkings"] += 1
    rows = []
    for zone, info in sorted(zones.items()):
        switches = "; ".join(f"{role}: {', '.join(items)}" for role, items in sorted(info["vswitches"].items()))
        rows.append({"zone": zone, "vswitches": switches, "pools": ", ".join(info["pools"]),
                     "podnetworkings": info["podnetworkings"]})
    return rows


def _pn_groups(plan) -> list[tuple[tuple[str, ...], tuple[str, ...], list]]:
    """PodNetworkings grouped by (vSwitch keys, security group keys), in first-seen order."""
    groups: dict[tuple, list] = {}
    for pn in plan.config.pod_networkings:
        vsw = tuple(sorted({f.key for ref in pn.v_switch_options if (f := plan.vswitch(ref)) is not None}))
        sgs = tuple(sorted({g.key for ref in pn.security_group_ids if (g := plan.security_group(ref)) is not None}))
        groups.setdefault((vsw, sgs), []).append(pn)
    return [(vsw, sgs, members) for (vsw, sgs), members in groups.items()]


def _group_label(members: list) -> str:
    if len(members) == 1:
        return f"PodNetworking {lbl(members[0].name)}<br/>{members[0].allocation_type.type}"
    kinds = defaultdict(int)
    for pn in members:
        kinds[pn.allocation_type.type] += 1
    names = ", ".join(lbl(pn.name) for pn in members[:3]) + (", ..." if len(members) > 3 else "")
    mix = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    return f"{len(members)} PodNetworkings<br/>{names}<br/>{mix}"


def network_diagram(plan, level: str = "vswitches") -> str:
    """Mermaid flowchart of the plan; `level` "vswitches" draws every vSwitch, "zones" only zones. Empty
    when the chosen level would exceed Mermaid's limits."""
    if plan is None:
        return ""
    config = plan.config
    vpc = config.network.vpc
    lines = ["flowchart LR", f'  VPC["VPC {lbl(vpc.cidr or vpc.id or "")}"]']
    edges = 0
    by_zone: dict[str, list] = defaultdict(list)
    for fact in sorted(plan.vswitches.values(), key=lambda f: f.key):
        by_zone[fact.zone_id or "unknown zone"].append(fact)

    def target(fact) -> str:
        return nid("VSW", fact.key) if level == "vswitches" else nid("Z", fact.zone_id or "unknown zone")

    for zone, facts in sorted(by_zone.items()):
        zid = nid("Z", zone)
        if level == "vswitches":
            lines.append(f'  subgraph {zid}["{lbl(zone)}"]')
            for fact in facts:
                lines.append(f'    {nid("VSW", fact.key)}["{lbl(fact.key)}<br/>{fact.role} '
                             f'{lbl(fact.cidr or fact.id or "")}"]')
            lines.append("  end")
        else:
            roles = defaultdict(int)
            for fact in facts:
                roles[fact.role] += 1
            lines.append(f'  {zid}["{lbl(zone)}<br/>' + ", ".join(f"{n} {r}" for r, n in sorted(roles.items()))
                         + ' vSwitch(es)"]')
        lines.append(f"  VPC --- {zid}")
        edges += 1
    for group in sorted(plan.security_groups.values(), key=lambda g: g.key):
        lines.append(f'  {nid("SG", group.key)}{{{{"SG {lbl(group.key)}<br/>{group.type}"}}}}')
    for pool in config.cluster.node_pools:
        pid = nid("NP", pool.name)
        lines.append(f'  {pid}(["node pool {lbl(pool.name)}<br/>{pool.min_size}..{pool.max_size} x '
                     f'{lbl(pool.instance_types[0])}"])')
        for t in dict.fromkeys(target(f) for f in plan.node_vswitches_in(pool.zones)):
            lines.append(f"  {pid} --> {t}")
            edges += 1
    for index, (vsw, sgs, members) in enumerate(_pn_groups(plan)):
        gid = f"PN_{index}"
        lines.append(f'  {gid}[/"{_group_label(members)}"/]')
        for t in dict.fromkeys(target(plan.vswitch(key)) for key in vsw):
            lines.append(f"  {gid} -.-> {t}")
            edges += 1
        for key in sgs:
            lines.append(f"  {gid} -.- {nid('SG', key)}")
            edges += 1
    if config.is_byocni:
        lines.append(f'  POD(("pod CIDR {lbl(config.cni.pod_cidr)}<br/>/{config.cni.node_cidr_mask} per node"))')
        lines.append("  VPC -. routes .- POD")
        edges += 1
    text = "\n".join(lines)
    if edges > C.MERMAID_MAX_EDGES or len(text) > C.MERMAID_MAX_TEXT_SIZE:
        return ""
    return text
