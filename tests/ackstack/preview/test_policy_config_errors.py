"""Issue #24 §2: a wrong `--policy-pack-config` value is the user's input. It is checked against the pack's own
config schema before anything is analysed (the CLI's order, pulumi/pulumi v3.259.0 pkg/engine/update.go:296-324)
and reported once, naming the file, the policy and the field, with exit 2; never as a per-resource "resource
properties are malformed" finding. `minReleaseAfter` must be an unsigned Go duration ("-1h" would turn the
minimum off)."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from ackstack.preview.preview import main as preview_main
from policies.ackstack_policies.podnetworking import GO_DURATION_UNSIGNED_PATTERN, RELEASE_SCHEMA
from tests.policies.test_go_duration import GO_INVALID, GO_VALID

POLICY = "podnetworking-release-strategy"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = preview_main(list(argv))
    return code, out.getvalue(), err.getvalue()


def policy_config(tmp_path, value) -> str:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps({POLICY: {"enforcementLevel": "mandatory", "minReleaseAfter": value}}))
    return str(path)


@pytest.mark.parametrize("value", ["banana", "-1h", "+5m", "1d", "", "5"])
def test_a_bad_min_release_after_is_one_line_naming_file_policy_and_field_exit_2(tmp_path, value):
    path = policy_config(tmp_path, value)
    code, out, err = cli("dev", "--policy-pack-config", path)
    assert code == 2 and out == "", (code, out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert path in err and f"policy '{POLICY}'" in err and "field 'minReleaseAfter'" in err, err
    assert json.dumps(value) in err and "malformed" not in err, err


def test_a_bad_value_is_refused_even_when_validation_stops_the_program(tmp_path):
    """Nothing is registered (so nothing is analysed), yet the config is the user's error: exit 2, not 1."""
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text("config:\n  ackstack:cluster:\n    nodePools: 7\n")
    code, _, err = cli("dev", "--config", str(stack), "--policy-pack-config", policy_config(tmp_path, "banana"))
    assert code == 2 and "field 'minReleaseAfter'" in err, err


@pytest.mark.parametrize("value", ["10m", "1h30m", "0", "0.5h"])
def test_a_good_min_release_after_runs_the_pack(tmp_path, value):
    code, _, err = cli("dev", "--policy-pack-config", policy_config(tmp_path, value))
    assert code in (0, 1) and err == "", err


@pytest.mark.parametrize(("text", "ns"), GO_VALID)
def test_the_pattern_accepts_what_go_parses_without_a_sign(text, ns):
    """Go's own ParseDuration cases (golang/go src/time/time_test.go): unsigned ones match, signed ones do not."""
    matched = re.search(GO_DURATION_UNSIGNED_PATTERN, text) is not None
    assert matched == (text[:1] not in "+-"), text


# Go's error cases up to its overflow ones (well-formed numbers too large for int64 nanoseconds, which a pattern
# cannot see; the pack refuses those when it parses them).
GO_MALFORMED = GO_INVALID[:GO_INVALID.index("9223372036854775810ns")]


@pytest.mark.parametrize("text", GO_MALFORMED)
def test_the_pattern_refuses_what_go_refuses(text):
    assert re.search(GO_DURATION_UNSIGNED_PATTERN, text) is None, text


def test_the_schema_carries_the_pattern_the_cli_validates():
    assert RELEASE_SCHEMA.properties["minReleaseAfter"]["pattern"] == GO_DURATION_UNSIGNED_PATTERN
