"""A fixed sample of tools/mutate.py's mutants runs in every suite run (issue #25): each must make the boundary
test written for it FAIL (pytest exit 1: an assertion, not a collection error, so the copy itself imports and
runs). The full run, `python -m tools.mutate`, is documented in docs/testing.md."""

from __future__ import annotations

import pytest

from tools import mutate

B = "tests/components/test_boundaries.py::"
SAMPLE = [  # (module, function, change, the test that must catch it): the boundary mutants
    ("policies/ackstack_core/terway_webhook.py", "rules_for", "GtE->Gt", B + "test_a_line_starts_at_its_first_version"),
    ("components/capacity.py", "_pool_density", "min->max",
     B + "test_byocni_pods_per_node_are_capped_by_the_node_cidr_mask"),
    ("components/validation/rules_cap.py", "vswitch_capacity", "Gt->GtE",
     B + "test_a_vswitch_at_exactly_100_percent_is_a_warning_not_an_error"),
]


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    return mutate.copy_repository(tmp_path_factory.mktemp("mutants"))


@pytest.mark.parametrize(("module", "function", "change", "test"), SAMPLE, ids=[f"{s[1]}:{s[2]}" for s in SAMPLE])
def test_the_sample_mutant_is_killed(copy, module, function, change, test):
    mutant = mutate.find(module, function, change)
    assert mutate.mutated_source(mutant) != (mutate.ROOT / module).read_text(encoding="utf-8")
    assert mutate.test_exit_code(mutant, (test,), copy, timeout=300) == 1, f"{mutant.key} survived {test}"


def test_a_baseline_that_fails_stops_the_run_with_exit_2(monkeypatch, capsys):
    """A module whose tests fail with no mutant in place would count every mutant as killed: the runner checks the
    unmutated run first and stops (exit 2) before any mutant."""
    calls = []

    def exit_code(mutant, tests, copy, timeout):
        calls.append(mutant)
        return 1  # what pytest returns when a test fails

    monkeypatch.setattr(mutate, "test_exit_code", exit_code)
    assert mutate.main(["--module", "components/validation/rules_tag.py"]) == 2
    assert calls == [None]  # the baseline only, no mutant
    assert "its tests fail without a mutant (pytest exit 1)" in capsys.readouterr().err


def test_a_module_without_test_files_is_refused(monkeypatch, capsys):
    """pytest given no paths would run the whole suite for every mutant."""
    monkeypatch.setitem(mutate.MODULES, "components/validation/rules_tag.py", ("tests/no/such_test.py",))
    assert mutate.main(["--module", "components/validation/rules_tag.py"]) == 2
    assert "none of its test files exists: tests/no/such_test.py" in capsys.readouterr().err


def test_mutants_are_made_from_the_frozen_copy_not_the_working_tree(copy):
    """A run takes minutes to hours while the working tree may be edited: the sites are counted in, and the
    mutant applied to, the copy made at the start (site numbers of an edited file would name other changes)."""
    module = "components/validation/rules_tag.py"
    target = copy / module
    original = target.read_text(encoding="utf-8")
    try:
        target.write_text("def added_first(a):\n    return a > b\n\n\n" + original, encoding="utf-8")
        [first] = mutate.mutants(module, copy)[:1]
        assert (first.function, first.change) == ("added_first", "Gt->GtE")
        assert "return a >= b" in mutate.mutated_source(first, copy)
        assert mutate.mutants(module)[0].function != "added_first"  # the working tree was not touched
    finally:
        target.write_text(original, encoding="utf-8")
