"""The reference docs cannot drift from the code: every rule id is documented, the config reference
is generated from the models. That every rule id fires in some test is judged over the whole run
(tests/rule_firings.py)."""

import re
from pathlib import Path

from components.validation.catalog import ALL_RULES, FINDINGS_OUTSIDE_RULES, catalog
from tools import validation_doc
from tools.config_doc import render

ROOT = Path(__file__).resolve().parent.parent
RULE_ID = re.compile(r"^\| `?([A-Z][A-Z0-9]{2}\d{3})`? \|", re.M)
# Emitted outside the catalog's rule functions: config parsing and adopted-object lookups (plan.py).
NON_CATALOG = {"CFG001", "CFG002", "INP001", "INP002", "INP003", "INP004", "NET010", "NET011", "NET012", "NET013", "NET014", "NET015"}


def test_every_rule_id_is_unique_and_documented_once():
    ids = [r.id for r in catalog()]
    assert len(ids) == len(set(ids))
    documented = RULE_ID.findall((ROOT / "docs" / "validation.md").read_text())
    assert sorted(documented) == sorted(set(documented)), "a rule id is documented twice"
    assert set(documented) == set(ids) | NON_CATALOG


def test_validation_reference_is_generated_from_the_catalog():
    assert (ROOT / "docs" / "validation.md").read_text() == validation_doc.render(), (
        "run: python -m tools.validation_doc > docs/validation.md")


def test_a_rule_lives_in_the_module_of_its_id_prefix():
    misplaced = [(r.info.id, r.__module__) for r in ALL_RULES
                 if r.__module__ != f"components.validation.rules_{r.info.id[:3].lower()}"]
    assert misplaced == []


def test_findings_outside_the_rules_are_the_documented_ones_and_emitted_where_listed():
    assert {info.id for _, info in FINDINGS_OUTSIDE_RULES} == NON_CATALOG
    for path, info in FINDINGS_OUTSIDE_RULES:
        assert f'"{info.id}"' in (ROOT / path).read_text(), (info.id, path)
        assert info.level in ("error", "warning") and info.title and info.why and info.source, info.id


def test_every_rule_has_metadata_with_a_source():
    for info in catalog():
        assert info.level in ("error", "warning") and info.title and info.why and info.source, info.id


def test_configuration_reference_is_generated_from_the_models():
    assert (ROOT / "docs" / "configuration.md").read_text() == render(), (
        "run: python -m tools.config_doc > docs/configuration.md")


def test_user_docs_name_the_ack_guides_instead_of_the_word_seed():
    """Issue #24 §5: "the seed" is the project's internal word for the ACK documentation pages it implements; the
    README says what they are, and the docs call them the ACK guide(s)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    said = {p.name: len(re.findall(r"(?<![-`])\bseed\b(?!-)", p.read_text(), re.I)) for p in pages}
    assert {name: n for name, n in said.items() if n} == {}
    assert "**The ACK guides**" in (ROOT / "README.md").read_text()
