"""One record per Cilium release line (constants.CILIUM_RELEASE_LINES), and the nearest-neighbour lookup the
version-dependent agent rules read it through."""

from __future__ import annotations

from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components.cilium_values import bpf_masquerade_needs_node_port
from components.validation.rules_cil import health_server_can_start


def test_one_record_per_line_oldest_first_each_with_its_own_facts():
    lines = [r.line for r in C.CILIUM_RELEASE_LINES]
    assert lines == sorted(set(lines))
    for record in C.CILIUM_RELEASE_LINES:
        assert cilium_chart.release_line(record.chart_facts_version) == record.line
        assert cilium_chart.load(record.chart_facts_version) is not None, record
        oldest, newest = record.k8s_tested
        assert oldest < newest and newest[1] - oldest[1] == 3  # requirements.rst lists four minors per line


def test_a_line_ackstack_does_not_know_takes_its_nearest_neighbour():
    assert cilium_chart.release_record("1.19.6").line == (1, 19)
    assert cilium_chart.release_record("1.19.1").line == (1, 19)
    assert cilium_chart.release_record("1.16.3").line == (1, 17)
    assert cilium_chart.release_record("1.21.0").line == (1, 20)
    assert cilium_chart.release_record("latest") is None


def test_the_agent_rules_follow_the_record_of_the_line():
    assert bpf_masquerade_needs_node_port("1.18.12") and not bpf_masquerade_needs_node_port("1.19.6")
    assert bpf_masquerade_needs_node_port("1.16.0") and not bpf_masquerade_needs_node_port("1.21.0")
    assert bpf_masquerade_needs_node_port("not-a-version")  # unknown: the stricter check
    without_kpr = {"kubeProxyReplacement": False}
    assert health_server_can_start(without_kpr, "1.18.12") and not health_server_can_start(without_kpr, "1.20.0")
    assert health_server_can_start({"kubeProxyReplacement": True}, "1.20.0")
