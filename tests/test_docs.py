"""The reference docs cannot drift from the code: every rule id is documented, the config reference
is generated from the models. That every rule id fires in some test is judged over the whole run
(tests/rule_firings.py)."""

import re
from pathlib import Path

from components.validation.catalog import catalog
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
