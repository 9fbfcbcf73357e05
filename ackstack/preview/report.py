"""`report.md`: the reviewer's view of a preview, written to read well as a PR comment.

The first screen is the verdict, the change against the base (with `--compare`) and the errors;
details (changes, warnings, network summary, diagram, capacity, resource plan) follow. The report
always fits a GitHub comment (GITHUB_COMMENT_MAX_CHARS): tables are cut to fewer rows, then the
diagram is summarised further, and the full report is kept beside it (`report-full.md`). Every user
string goes through `ackstack.preview.markdown` (the template's finalize escapes whatever is not Raw), and the
same inputs give the same bytes (no wall-clock time: the commit and its time are described).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ackstack.inputs.project import project_root
from ackstack.preview.compare import change_summary
from ackstack.preview.markdown import Raw, code, md
from ackstack.preview.network_view import network_diagram, placement_rows, zone_rows
from ackstack_core import constants as C

TEMPLATES = Path(__file__).resolve().parent / "templates"
FULL_REPORT = "report-full.md"
# Row caps tried in turn until the report fits (None: every row).
_ROW_CAPS: tuple[int | None, ...] = (None, 100, 25, 5)
_DIAGRAM_LEVELS = ("vswitches", "zones", "none")
# Room the comment workflow adds (docs/ci/pr-comment.yml: a marker line and a footer with the run link).
BUDGET = C.GITHUB_COMMENT_MAX_CHARS - 1024


def _where(finding: dict) -> Raw:
    parts = []
    if finding.get("path"):
        parts.append(code(finding["path"]))
    if finding.get("urn"):
        parts.append(code(finding["urn"].split("::")[-1]))
    return Raw(" ".join(parts) or "stack")


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _short(value, limit: int = 80) -> Raw:
    import json

    text = "(unset)" if value is None else json.dumps(value, sort_keys=True, default=str)
    return code(text if len(text) <= limit else text[: limit - 3] + "...")


def _more(rows: int | None):
    """The table row that says how many rows were cut, or nothing."""
    def more(items, columns: int) -> Raw:
        if rows is None or len(items) <= rows:
            return Raw("")
        return Raw(f"| … and {len(items) - rows} more: see `{FULL_REPORT}` |" + " |" * (columns - 1))
    return more


def _finalize(value):
    """Every `{{ }}` of the template: user text escaped unless already built as Raw."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return md(value)


def describe_source(root: Path | None = None) -> dict:
    """The commit the preview describes and its commit time (deterministic, unlike the wall clock)."""
    root = root or project_root()

    def git(*args: str) -> str:
        try:
            proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return ""
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return {"commit": "", "time": "", "dirty": False}
    return {"commit": commit, "time": git("show", "-s", "--format=%cI", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, finalize=_finalize)
    env.filters["code"] = code
    env.filters["short"] = _short
    return env


def podnetworking_rows(result) -> list[dict]:
    """One row per PodNetworking: which declared pods it reaches (the pod webhook model,
    components.podnetworking_reach) and the status terway-controlplane gave it in the engine."""
    plan = result.plan
    if plan is None or not plan.config.is_terway:
        return []
    from ackstack.engine.terway_controlplane import PODNETWORKING_TYPE
    from components.podnetworking_reach import podnetworking_reach

    status = {r["name"]: (r.get("status") or {}).get("status", "") for r in result.resources
              if r["type"] == PODNETWORKING_TYPE}
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
        block = table_header or line.startswith(("### ", "```mermaid", "<details>", "</details>", "<sub>", "> "))
        if block and out and out[-1] != "":
            out.append("")
        out.append(line)
        if line.startswith("## ") or line == "```":
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _render(result, *, rows: int | None, diagram_level: str, source: dict, cut: bool) -> str:
    template = _environment().get_template("report.md.j2")
    mode = result.config.cni.mode if result.config is not None else None
    diagram = network_diagram(result.plan, diagram_level) if diagram_level != "none" else ""
    errors = [f for f in result.findings if f["level"] == "error"]
    warnings = [f for f in result.findings if f["level"] != "error"]
    changes = result.changes
    return _blank_lines_around_blocks(template.render(
        stack=code(result.stack), blocked=result.blocked, errors=errors, warnings=warnings,
        resources=result.resources, changes=changes, summary=change_summary(changes) if changes else "",
        capacity=result.capacity or {}, diagram=Raw(diagram), mode=code(mode) if mode else "",
        zones=zone_rows(result.plan), podnetworkings=placement_rows(result.plan), reach=podnetworking_rows(result),
        rows=rows, source=source, cut=cut, full_report=FULL_REPORT, where=_where, pct=_pct, more=_more(rows),
        stack_name=result.stack,
    ))


def render_reports(result, source: dict | None = None) -> tuple[str, str]:
    """(report that fits a PR comment, full report); equal when nothing had to be cut."""
    source = describe_source() if source is None else source
    full = _render(result, rows=None, diagram_level="vswitches", source=source, cut=False)
    if len(full) <= BUDGET:
        return full, full
    for level in _DIAGRAM_LEVELS:
        for rows in _ROW_CAPS[1:]:
            text = _render(result, rows=rows, diagram_level=level, source=source, cut=True)
            if len(text) <= BUDGET:
                return text, full
    note = f"\n\n> Cut at {BUDGET} characters: the full report is `{FULL_REPORT}`.\n"
    return text[: BUDGET - len(note)].rsplit("\n", 1)[0] + note, full


def render_report(result, source: dict | None = None) -> str:
    return render_reports(result, source)[0]


def write_report(result, out: Path) -> Path:
    """`report.md` (always a valid comment) and, when it had to be cut, `report-full.md` beside it."""
    short, full = render_reports(result)
    path = out / "report.md"
    path.write_text(short, encoding="utf-8")
    full_path = out / FULL_REPORT
    if short != full:
        full_path.write_text(full, encoding="utf-8")
    elif full_path.exists():
        full_path.unlink()
    return path
