"""`report.md`: the reviewer's view of a preview, written to read well as a PR comment (GitHub/GitLab
render the Mermaid block as a diagram)."""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _cell(text: str) -> str:
    """Markdown table cells: no pipes or newlines from user data."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _where(finding: dict) -> str:
    parts = []
    if finding.get("path"):
        parts.append(f"`{finding['path']}`")
    if finding.get("urn"):
        parts.append(f"`{finding['urn'].split('::')[-1]}`")
    return " ".join(parts) or "stack"


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _node_id(prefix: str, key: str) -> str:
    return prefix + "_" + re.sub(r"[^A-Za-z0-9]", "_", key)


def _label(text: str) -> str:
    return str(text).replace('"', "'")


def network_diagram(plan) -> str:
    """Mermaid flowchart: VPC > zones > vSwitches (with CIDRs); node pools and PodNetworkings linked
    to the vSwitches and security groups they use."""
    if plan is None:
        return ""
    config = plan.config
    vpc = config.network.vpc
    lines = ["flowchart LR", f'  VPC["VPC {_label(vpc.cidr or vpc.id or "")}"]']
    zones: dict[str, list] = {}
    for fact in plan.vswitches.values():
        zones.setdefault(fact.zone_id or "unknown zone", []).append(fact)
    for zone, facts in sorted(zones.items()):
        zid = _node_id("Z", zone)
        lines.append(f'  subgraph {zid}["{_label(zone)}"]')
        for fact in facts:
            lines.append(f'    {_node_id("VSW", fact.key)}["{_label(fact.key)}<br/>{fact.role} {fact.cidr or fact.id or ""}"]')
        lines.append("  end")
        lines.append(f"  VPC --- {zid}")
    for group in plan.security_groups.values():
        lines.append(f'  {_node_id("SG", group.key)}{{{{"SG {_label(group.key)}<br/>{group.type}"}}}}')
    for pool in config.cluster.node_pools:
        pid = _node_id("NP", pool.name)
        lines.append(f'  {pid}(["node pool {_label(pool.name)}<br/>{pool.min_size}..{pool.max_size} x '
                     f'{_label(pool.instance_types[0])}"])')
        for fact in plan.node_vswitches_in(pool.zones):
            lines.append(f"  {pid} --> {_node_id('VSW', fact.key)}")
    for pn in config.pod_networkings:
        pnid = _node_id("PN", pn.name)
        lines.append(f'  {pnid}[/"PodNetworking {_label(pn.name)}<br/>{pn.allocation_type.type}"/]')
        for ref in pn.v_switch_options:
            fact = plan.vswitch(ref)
            if fact is not None:
                lines.append(f"  {pnid} -.-> {_node_id('VSW', fact.key)}")
        for ref in pn.security_group_ids:
            group = plan.security_group(ref)
            if group is not None:
                lines.append(f"  {pnid} -.- {_node_id('SG', group.key)}")
    if config.is_byocni:
        lines.append(f'  POD(("pod CIDR {_label(config.cni.pod_cidr)}<br/>/{config.cni.node_cidr_mask} per node"))')
        lines.append("  VPC -. routes .- POD")
    return "\n".join(lines)


def podnetworking_rows(result) -> list[dict]:
    """One row per PodNetworking: which declared pods it reaches (the pod webhook model,
    components.podnetworking_reach) and the status terway-controlplane gave it in the engine."""
    plan = result.plan
    if plan is None or not plan.config.is_terway:
        return []
    from components.podnetworking_reach import podnetworking_reach

    status = {r["name"]: (r.get("status") or {}).get("status", "") for r in result.resources
              if r["type"].endswith(":PodNetworking")}
    rows = []
    for pn in plan.config.pod_networkings:
        reach = podnetworking_reach(pn, plan)
        rows.append({
            "name": pn.name, "type": pn.allocation_type.type, "status": status.get(pn.name, "") or "not created",
            "reaches": (", ".join(reach.kinds) or "any pod it selects") if reach.applies else f"nothing: {reach.reason}",
            "namespaces": ", ".join(reach.namespaces) or "any it selects",
            "never": ", ".join(reach.skipped_kinds),
        })
    return rows


def _blank_lines_around_blocks(markdown: str) -> str:
    """Markdown needs a blank line before headings, tables, fences and HTML blocks; the template's
    whitespace control would otherwise glue them together (and two adjacent tables into one)."""
    lines = markdown.splitlines()
    out: list[str] = []
    for index, line in enumerate(lines):
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        table_header = line.startswith("|") and nxt.startswith("| ---")
        block = table_header or line.startswith(("### ", "```mermaid", "<details>", "</details>", "<sub>"))
        if block and out and out[-1] != "":
            out.append("")
        out.append(line)
        if line.startswith("## ") or line == "```":
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_report(result) -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["cell"] = _cell
    template = env.get_template("report.md.j2")
    mode = result.config.cni.mode if result.config is not None else None
    return _blank_lines_around_blocks(template.render(
        stack=result.stack, blocked=result.blocked, findings=result.findings, resources=result.resources,
        capacity=result.capacity or {}, diagram=network_diagram(result.plan), mode=mode,
        podnetworkings=podnetworking_rows(result), where=_where, pct=_pct,
    ))


def write_report(result, out: Path) -> Path:
    path = out / "report.md"
    path.write_text(render_report(result), encoding="utf-8")
    return path
