"""Stack config parsing: every mistake is a finding naming the config path, the value and what is allowed."""

from ackstack.engine.testing import DELETE, stack_config, with_value
from components.config import StackConfig
from components.config_loader import load


def paths(findings):
    return {f.path for f in findings}


def test_dev_example_parses_into_typed_models():
    loaded = load(stack_config("dev"))
    assert loaded.findings == []
    assert isinstance(loaded.config, StackConfig)
    assert loaded.config.is_terway
    assert loaded.config.cluster.node_pools[0].instance_types[0].startswith("ecs.")


def test_unknown_top_level_key_is_an_error():
    cfg = stack_config("dev")
    cfg["ackstack:clustr"] = {"name": "x"}
    loaded = load(cfg)
    assert loaded.config is None
    finding = next(f for f in loaded.findings if f.rule == "CFG001")
    assert finding.path == "ackstack:clustr"
    assert "cluster" in finding.message  # lists the allowed keys


def test_unknown_nested_key_names_the_path_and_the_allowed_keys():
    cfg = with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].instanceType", "ecs.g7.large")
    loaded = load(cfg)
    finding = next(f for f in loaded.findings if f.path == "ackstack:cluster.nodePools[0].instanceType")
    assert finding.rule == "CFG002" and finding.level == "error"
    assert "unknown key `instanceType`" in finding.message
    assert "instanceTypes" in finding.message


def test_bad_cidr_names_path_and_value():
    cfg = with_value(stack_config("dev"), "ackstack:network.vswitches[1].cidr", "10.0.4.1/22")
    loaded = load(cfg)
    finding = next(f for f in loaded.findings if f.path == "ackstack:network.vswitches[1].cidr")
    assert "10.0.4.1/22" in finding.message and "host bits" in finding.message


def test_wrong_enum_value_lists_what_is_allowed():
    cfg = with_value(stack_config("dev"), "ackstack:cluster.proxyMode", "ebpf")
    finding = next(f for f in load(cfg).findings if f.path == "ackstack:cluster.proxyMode")
    assert "'ipvs'" in finding.message and "'iptables'" in finding.message and "ebpf" in finding.message


def test_wrong_cni_mode_and_fields_inside_the_cni_union():
    bad_mode = with_value(stack_config("dev"), "ackstack:cni.mode", "flannel")
    finding = next(f for f in load(bad_mode).findings if f.path.startswith("ackstack:cni"))
    assert "terway-trunk" in finding.message and "byocni-cilium" in finding.message
    bad_field = with_value(stack_config("dev"), "ackstack:cni.trunkking", True)
    assert "ackstack:cni.trunkking" in paths(load(bad_field).findings)


def test_missing_required_key_and_region():
    cfg = with_value(stack_config("dev"), "ackstack:cluster", DELETE)
    cfg = with_value(cfg, "alicloud:region", DELETE)
    found = paths(load(cfg).findings)
    assert {"ackstack:cluster", "alicloud:region"} <= found


def test_every_problem_is_reported_at_once():
    cfg = with_value(stack_config("dev"), "ackstack:cluster.nodePools[0].minSize", -1)
    cfg = with_value(cfg, "ackstack:network.vpc.cidr", "10.0.0.0/33")
    cfg["ackstack:typo"] = 1
    loaded = load(cfg)
    assert {"ackstack:cluster.nodePools[0].minSize", "ackstack:network.vpc.cidr", "ackstack:typo"} <= paths(
        loaded.findings)


def test_values_arrive_as_json_strings_from_the_cli():
    import json

    cfg = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in stack_config("dev").items()}
    loaded = load(cfg)
    assert loaded.findings == [] and loaded.config.cluster.name == "dev-ack"


def test_node_password_is_kept_apart_as_a_secret():
    cfg = stack_config("dev")
    cfg["ackstack:nodePassword"] = "S3cret-Pass!"
    loaded = load(cfg)
    assert loaded.secrets == {"nodePassword": "S3cret-Pass!"}
    assert "S3cret-Pass!" not in loaded.config.model_dump_json()


def test_a_finding_survives_the_program_log_round_trip():
    """The program logs warnings with `Finding.line()`; the offline preview reads them back."""
    from components.validation.findings import Finding

    finding = Finding("PNW010", "warning", "ackstack:podNetworkings[0].vSwitchOptions", "no vSwitch in zone j: a b")
    assert Finding.from_line(finding.line()) == finding
    assert Finding.from_line("registering resource: ty=x") is None
