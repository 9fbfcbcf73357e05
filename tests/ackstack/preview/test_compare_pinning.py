"""REP010: `--compare` warns when a Fixed PodNetworking loses a zone its pods are pinned to
(AliyunContainerService/terway v1.17.5 pkg/controller/webhook/mutating.go:348-371 getPreviousZone,
:405 setNodeAffinityByZones)."""

from ackstack.engine.testing import DELETE, stack_config, with_value
from tests.ackstack.preview.test_reliability_compare import by_rule, compared

PN = "ackstack:podNetworkings[0]"


def test_removing_a_zone_of_a_fixed_podnetworking_warns(tmp_path):
    before = stack_config("dev")
    after = with_value(before, f"{PN}.vSwitchOptions", ["db-h"])
    found = by_rule(compared(tmp_path, before, after), "REP010")
    assert len(found) == 1 and found[0]["level"] == "warning"
    assert "mysql" in found[0]["message"] and "cn-hangzhou-i" in found[0]["message"]
    assert "pinned" in found[0]["message"]


def test_removing_a_fixed_podnetworking_warns(tmp_path):
    before = stack_config("dev")
    after = with_value(before, "ackstack:podNetworkings", [])
    found = by_rule(compared(tmp_path, before, after), "REP010")
    assert len(found) == 1 and "is removed" in found[0]["message"]


def test_elastic_or_unchanged_podnetworkings_do_not_warn(tmp_path):
    before = stack_config("dev")
    assert by_rule(compared(tmp_path, before, before), "REP010") == []
    elastic = with_value(with_value(before, f"{PN}.allocationType", {"type": "Elastic"}), f"{PN}.workloadKinds",
                         DELETE)
    assert by_rule(compared(tmp_path, elastic, with_value(elastic, f"{PN}.vSwitchOptions", ["db-h"])), "REP010") == []
