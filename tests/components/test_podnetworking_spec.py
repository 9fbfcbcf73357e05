"""The pure PodNetworking spec builder and the Go duration parser it relies on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ackstack.engine.testing import plan_for, stack_config, with_value
from ackstack_core.podnetworking_checks import parse_go_duration
from components.config import LabelSelector
from components.podnetworking import podnetworking_manifest, podnetworking_spec, selector_matches


@pytest.mark.parametrize(("text", "seconds"), [
    ("5m0s", 300), ("2h45m", 9900), ("1h", 3600), ("300s", 300), ("0", 0), ("1.5h", 5400), (".5m", 30),
    ("1h0m0.5s", 3600.5), ("-5m", -300), ("+1s", 1), ("100ms", 0.1), ("1us", 1e-6), ("1µs", 1e-6),
])
def test_go_durations(text, seconds):
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "5", "1d", "h", "1 h", "1h ", "m5", "1hh", "-", ".", "1.2.3s"])
def test_not_go_durations(text):
    with pytest.raises(ValueError):
        parse_go_duration(text)


@given(st.integers(0, 100), st.integers(0, 59), st.integers(0, 59))
def test_go_duration_components_add_up(h, m, s):
    assert parse_go_duration(f"{h}h{m}m{s}s") == h * 3600 + m * 60 + s


def test_manifest_has_seed_shape_with_absent_selector_omitted():
    cfg = stack_config("dev")
    cfg["ackstack:podNetworkings"][0]["selector"].pop("podSelector")
    plan = plan_for(cfg)
    body = podnetworking_manifest(plan.config.pod_networkings[0], plan)
    assert list(body) == ["apiVersion", "kind", "metadata", "spec"]
    assert body["metadata"] == {"name": "mysql", "annotations": {"pulumi.com/waitFor": "jsonpath={.status.status}=Ready"}}
    assert body["spec"]["selector"] == {"namespaceSelector": {"matchLabels": {"network": "isolated"}}}
    # names of objects ackstack creates stay names without resolvers
    assert body["spec"]["vSwitchOptions"] == ["db-h", "db-i"]


def test_spec_uses_adopted_ids_and_keeps_empty_selector():
    cfg = with_value(stack_config("dev"), "ackstack:podNetworkings[0].selector.podSelector", {})
    plan = plan_for(cfg)
    spec = podnetworking_spec(plan.config.pod_networkings[0], plan, vswitch=str.upper)
    assert spec["selector"]["podSelector"] == {}
    assert spec["vSwitchOptions"] == ["DB-H", "DB-I"]


@pytest.mark.parametrize(("selector", "labels", "expected"), [
    ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
    ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
    ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]}, {"a": "2"}, True),
    ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
    ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {}, False),
    ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": ""}, False),
    ({}, {}, True),
])
def test_selector_matches(selector, labels, expected):
    assert selector_matches(LabelSelector.model_validate(selector), labels) is expected
