"""Render `docs/validation.md` from the rule catalog, so a rule's documentation is its own metadata.

`python -m tools.validation_doc > docs/validation.md`; `tests/test_docs.py` checks it is current.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from components.validation.catalog import ALL_RULES, FINDINGS_OUTSIDE_RULES
from components.validation.findings import RuleInfo

ROOT = Path(__file__).resolve().parent.parent

HEADER = """# Validation rules

Every rule runs before anything is registered (`components/validation/catalog.py`); an `error`
finding stops the run, a `warning` is printed. Paths are `ackstack:` config paths. A rule lives in the
module named by its id's prefix: `CIL008` is in `components/validation/rules_cil.py`.

Generated from the catalog (`python -m tools.validation_doc > docs/validation.md`): the title, why and source
of each row are the rule's own metadata. What the offline engine refuses as pulumi-alicloud would (PRV001-PRV010)
is in [provider-check.md](provider-check.md).
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(infos: list[RuleInfo]) -> list[str]:
    rows = ["| id | level | what | why | source |", "| --- | --- | --- | --- | --- |"]
    rows += [f"| {i.id} | {i.level} | {_cell(i.title)} | {_cell(i.why)} | {_cell(i.source)} |"
             for i in sorted(infos, key=lambda i: i.id)]
    return rows


def _summary(module: str) -> str:
    """The first paragraph of the module's docstring, without its `PREFIX:` lead."""
    doc = sys.modules[module].__doc__ or ""
    first = " ".join(doc.strip().split("\n\n")[0].split())
    text = first.split(": ", 1)[1] if ": " in first else first
    return text[:1].upper() + text[1:]


def render() -> str:
    by_module: dict[str, list[RuleInfo]] = defaultdict(list)
    for rule in ALL_RULES:
        by_module[rule.__module__].append(rule.info)
    lines = [HEADER]
    for module in sorted(by_module, key=lambda m: m.rsplit("_", 1)[1]):
        prefix = module.rsplit("_", 1)[1].upper()
        path = module.replace(".", "/") + ".py"
        lines += [f"## {prefix}: `{path}`", "", _summary(module), "", *_table(by_module[module]), ""]
    lines += ["## Findings outside the rules", "",
              "Config parsing, the input checks and the lookups of adopted cloud objects run before the rules and "
              "report with these ids (`FINDINGS_OUTSIDE_RULES` in the catalog).", ""]
    where: dict[str, list[RuleInfo]] = defaultdict(list)
    for path, info in FINDINGS_OUTSIDE_RULES:
        where[path].append(info)
    for path, infos in where.items():
        lines += [f"### `{path}`", "", *_table(infos), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
