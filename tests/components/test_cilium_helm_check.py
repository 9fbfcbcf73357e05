"""CIL020: validation renders the Cilium release with the real helm whenever helm and the pinned chart package
are here, and the preview says which check ran (issue #23 section 1).

Before: a helm refusal only surfaced with `--out` (in `helm-<release>-render-error.txt`) and the preview said
"Result: OK". Needs helm (tools/install_helm.py) and ../shared/reference/cilium/: FAIL in CI, skip elsewhere.
"""

from __future__ import annotations

import pytest

from ackstack.engine.testing import changed, require_reference, stack_config
from ackstack.preview.preview import render_tree, run_preview
from ackstack_core import constants as C
from components import cilium_render


@pytest.fixture(scope="module")
def helm_check() -> cilium_render.RenderCheck:
    check = cilium_render.render_check(C.CILIUM_CHART_VERSION, None)
    require_reference(check.mode == "helm", f"helm and the official chart package ({check.detail})")
    return check


def _stack_file(tmp_path, config: dict) -> str:
    import yaml

    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return str(path)


def test_a_chart_refusal_blocks_the_preview_and_names_the_value(helm_check, tmp_path):
    """No rule models the chart's hubble.redact check: before CIL020 this previewed "Result: OK"."""
    redact = {"hubble": {"redact": {"enabled": True, "http": {"headers": {"allow": ["a"], "deny": ["b"]}}}}}
    config = changed(stack_config("staging"), ("ackstack:cni.cilium.values", redact))
    result = run_preview("staging", config_file=_stack_file(tmp_path, config), policy=False)
    errors = [f for f in result.findings if f["level"] == "error"]
    assert [f["rule"] for f in errors] == ["CIL020"], errors
    assert errors[0]["path"] == "ackstack:cni.cilium.values.hubble.redact.http.headers.allow"
    assert "Only one of .Values.hubble.redact.http.headers.allow" in errors[0]["message"]
    assert result.cilium_check["mode"] == "helm"
    text = render_tree(result)
    assert "Cilium values: rendered with helm v4.1.4" in text and "Result: BLOCKED" in text


def test_the_preview_says_the_rules_ran_alone_without_a_package(tmp_path):
    """1.19.2 has no package in shared/reference: the same preview names the missing package."""
    config = changed(stack_config("staging"), ("ackstack:cni.cilium.chartVersion", "1.19.2"))
    result = run_preview("staging", config_file=_stack_file(tmp_path, config), policy=False)
    assert result.cilium_check["mode"] == "rules"
    assert "no chart package" in result.cilium_check["detail"] and "cilium-1.19.2.tgz" in result.cilium_check["detail"]
    assert "Cilium values: rule-based checks only" in render_tree(result)
    assert result.document()["ciliumValuesCheck"] == result.cilium_check
    assert not [f for f in result.findings if f["rule"] == "CIL020"]


def test_terway_stacks_have_no_cilium_check():
    result = run_preview("dev", policy=False)
    assert result.cilium_check is None and "ciliumValuesCheck" not in result.document()


def test_renders_are_cached_by_input_digest(helm_check):
    values = {"cluster": {"name": "cache-probe"}, "operator": {"replicas": 1}}
    before = cilium_render._render_text.cache_info()
    first = cilium_render.render(values, helm_check.package, "1.34.1-aliyun.1", helm=helm_check.helm)
    second = cilium_render.render(dict(reversed(list(values.items()))), helm_check.package, "1.34.1", helm=helm_check.helm)
    after = cilium_render._render_text.cache_info()
    assert first == second
    assert after.misses - before.misses == 1 and after.hits - before.hits == 1


def test_refused_paths_read_the_guarding_condition(helm_check):
    message = ("Error: execution error at (cilium/templates/validate.yaml:159:5): The cluster name is invalid")
    assert cilium_render.refused_value_paths(message, helm_check.package)[0] == "cluster.name"
    assert cilium_render.refused_value_paths("- at '/operator/replicas': got string", helm_check.package) == [
        "operator.replicas"]
