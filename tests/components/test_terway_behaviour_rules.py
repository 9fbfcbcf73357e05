"""Terway as it behaves (issue 12, sections 2-7): one failing and one passing test per behaviour, each
citing the AliyunContainerService/terway source (tag, path:line) the behaviour was read from."""

from __future__ import annotations

import pytest

from ackstack.engine.testing import DELETE, findings_for, run, stack_config, stack_inventory, with_value
from ackstack.inputs.inventory import Inventory
from ackstack_core import terway_webhook as W
from ackstack_core.selectors import SelectorError
from tests.components.test_terway_rules import assert_finding, dev, only

PN = "ackstack:podNetworkings[0]"
PODNETWORKING = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"


def existing(*edits):
    cfg = stack_config("existing")
    for path, value in edits:
        cfg = with_value(cfg, path, value)
    return cfg


def existing_inventory(**cluster_changes) -> Inventory:
    inv = stack_inventory("existing")
    inv.clusters[0] = {**inv.clusters[0], **cluster_changes}
    for key, value in cluster_changes.items():
        if value is DELETE:
            inv.clusters[0].pop(key)
    return inv


# ---------------------------------------------------------------- 1. the webhook, as a rule (PNW014)
def test_pnw014_denied_for_the_configured_version():
    # v1.12.1 validate.go:46 "security group can not more than 5"; v1.13.7 validate.go:52 raises it to 10
    groups = [{"name": f"g{i}", "type": "enterprise"} for i in range(6)]
    cfg = dev(("ackstack:network.securityGroups", stack_config("dev")["ackstack:network"]["securityGroups"] + groups),
              (f"{PN}.securityGroupIDs", [g["name"] for g in groups]),
              ("ackstack:capacity", {"maxSecurityGroupsPerEni": 10}), ("ackstack:cni.controlplaneVersion", "v1.12.1"))
    f = assert_finding(findings_for(cfg), "PNW014", PN, "mysql", "v1.12.1", "security group can not more than 5")
    assert f.level == "error"
    # the same limit reaches PNW001 (one setting: the version, capped by the ECS quota)
    assert_finding(findings_for(cfg), "PNW001", f"{PN}.securityGroupIDs", "exceed the 5",
                   "terway-controlplane v1.12.1's validating webhook")
    passing = with_value(cfg, "ackstack:cni.controlplaneVersion", "v1.13.7")
    assert not only(findings_for(passing), "PNW014") and not only(findings_for(passing), "PNW001")
    # within v1.13.7's 10 and the declared raised quota (10): a warning that names the declaration
    assert_finding(findings_for(passing), "PNW020", f"{PN}.securityGroupIDs", "6 security groups",
                   "capacity.maxSecurityGroupsPerEni (10; ECS default 5)", level="warning")
    undeclared = with_value(passing, "ackstack:capacity", {"maxSecurityGroupsPerEni": 5})
    assert_finding(findings_for(undeclared), "PNW001", f"{PN}.securityGroupIDs", "ECS limit of 5")


def test_pnw014_selectorless_trunk_on_v1_13():
    # v1.13.7 validate.go:38-44: no selectors and eniType not Default -> denied
    cfg = dev((f"{PN}.selector", {}), ("ackstack:cni.controlplaneVersion", "v1.13.7"))
    assert_finding(findings_for(cfg), "PNW014", PN, "attachType must be default")
    # v1.17.5 validate.go:39: only when enableWebhookInjectResource is false (default true)
    cfg = dev((f"{PN}.selector", {}), ("ackstack:cni.controlplaneVersion", "v1.17.5"))
    assert not only(findings_for(cfg), "PNW014")


def test_the_ten_group_line_starts_at_v1_13_7_not_v1_13_0():
    """v1.13.2 and v1.13.4 validate.go:46-47 still deny more than 5 groups and :37-38 every selector-less spec
    whatever its eniType, with no Never check; v1.13.7 validate.go:38-67 is the first tag with 10, the eniType
    exception and the Never check (no tag exists between v1.13.4 and v1.13.7)."""
    six = {"selector": {"podSelector": {}}, "vSwitchOptions": ["vsw-1"], "securityGroupIDs": [f"sg-{i}" for i in range(6)]}
    for version in ("v1.13.2", "v1.13.4", "v1.13.5"):
        assert W.admission_denial(six, version) == "security group can not more than 5"
        assert W.security_group_limit(version) == 5 and W.security_group_limit(version, reader="daemon") == 5
        selectorless = {**six, "securityGroupIDs": ["sg-1"], "selector": {}, "eniOptions": {"eniType": "Default"}}
        assert W.admission_denial(selectorless, version) == "neither the PodSelector nor the NamespaceSelector is set"
        never = {**six, "securityGroupIDs": ["sg-1"], "allocationType": {"releaseStrategy": "Never", "releaseAfter": "5m"}}
        assert W.admission_denial(never, version) is None
    assert W.admission_denial(six, "v1.13.7") is None and W.security_group_limit("v1.13.7") == 10
    # the rule: a v1.13.2 cluster with 6 groups no longer previews green
    groups = [{"name": f"g{i}", "type": "enterprise"} for i in range(6)]
    cfg = dev(("ackstack:network.securityGroups", stack_config("dev")["ackstack:network"]["securityGroups"] + groups),
              (f"{PN}.securityGroupIDs", [g["name"] for g in groups]),
              ("ackstack:capacity", {"maxSecurityGroupsPerEni": 10}), ("ackstack:cni.controlplaneVersion", "v1.13.2"))
    assert_finding(findings_for(cfg), "PNW014", PN, "v1.13.2", "security group can not more than 5")


def test_v1_16_0_has_no_inject_resource_toggle_in_the_validating_webhook():
    """v1.16.0 validate.go:38-44 denies a selector-less non-Default spec unconditionally; v1.16.1 validate.go:39
    is the first tag that skips the check while enableWebhookInjectResource is true (its default)."""
    spec = {"selector": {}, "vSwitchOptions": ["vsw-1"], "securityGroupIDs": ["sg-1"], "eniOptions": {"eniType": "Trunk"}}
    denied = "attachType must be default when podSelector and namespaceSelector are not set"
    assert W.admission_denial(spec, "v1.16.0", inject_resource=True) == denied
    assert W.admission_denial(spec, "v1.16.1", inject_resource=True) is None
    assert W.admission_denial(spec, "v1.16.1", inject_resource=False) == denied


# ---------------------------------------------------------------- 2. selectors
def test_sel002_invalid_selector_rejects_every_pod():
    # v1.17.5 mutating.go:138-141 + :448-454: LabelSelectorAsSelector error -> webhook error for the pod
    cfg = dev((f"{PN}.selector.podSelector", {"matchExpressions": [{"key": "app", "operator": "In"}]}))
    f = assert_finding(findings_for(cfg), "SEL002", f"{PN}.selector.podSelector", "In requires non-empty values",
                       "every pod")
    assert f.level == "error"
    cfg = dev((f"{PN}.selector.namespaceSelector",
               {"matchExpressions": [{"key": "team", "operator": "Exists", "values": ["a"]}]}))
    assert_finding(findings_for(cfg), "SEL002", f"{PN}.selector.namespaceSelector", "Exists must not have values")
    assert not only(findings_for(dev()), "SEL002")


def test_broken_selector_fails_the_pod_in_the_matching_model():
    pn = W.PodNetworkingView("bad", {"selector": {"podSelector": {"matchExpressions": [
        {"key": "app", "operator": "NotIn", "values": []}]}}})
    with pytest.raises(SelectorError):
        W.match_one([pn], {"app": "x"}, {}, "StatefulSet")


def test_pnw011_no_selector_is_an_error():
    # v1.17.5 mutating.go:320-343: matchOne stays false without selectors, so no pod is matched
    cfg = dev((f"{PN}.selector", {}))
    f = assert_finding(findings_for(cfg), "PNW011", f"{PN}.selector", "mysql", "neither", "matches no pod")
    assert f.level == "error"
    assert not only(findings_for(dev()), "PNW011")
    pn = W.PodNetworkingView("none", {"selector": {}})
    assert W.match_one([pn], {"app": "mysql"}, {"network": "isolated"}, "StatefulSet") is None


def test_pnw015_empty_pod_selector_alone_matches_everything():
    cfg = dev((f"{PN}.selector", {"podSelector": {}}))
    f = assert_finding(findings_for(cfg), "PNW015", f"{PN}.selector", "every pod of every namespace", "kube-system",
                       "matchAllPods")
    assert f.level == "error" and not only(findings_for(cfg), "PNW012")
    meant = with_value(cfg, f"{PN}.matchAllPods", True)
    assert not only(findings_for(meant), "PNW015")
    # the model agrees: an empty podSelector matches a kube-system pod
    pn = W.PodNetworkingView("all", {"selector": {"podSelector": {}}})
    assert W.match_one([pn], {"k8s-app": "coredns"}, {"kubernetes.io/metadata.name": "kube-system"},
                       "Deployment") == "all"


# ---------------------------------------------------------------- 3. which pods get the network
def test_pnw013_fixed_for_deployment_is_an_error_and_custom_kinds_fix_it():
    # v1.17.5 mutating.go:313-318 + pkg/utils/k8s.go:14-34 (stsKinds + customStatefulWorkloadKinds)
    cfg = dev((f"{PN}.workloadKinds", ["CloneSet"]))
    f = assert_finding(findings_for(cfg), "PNW013", f"{PN}.workloadKinds[0]", "CloneSet", "shared ENI")
    assert f.level == "error"
    cfg = with_value(cfg, "ackstack:cni.customStatefulWorkloadKinds", ["CloneSet"])
    assert not only(findings_for(cfg), "PNW013")


def test_matching_model_fixed_only_for_fixed_name_pods():
    fixed = W.PodNetworkingView("db", {"allocationType": {"type": "Fixed"},
                                      "selector": {"podSelector": {"matchLabels": {"app": "db"}}}})
    assert W.match_one([fixed], {"app": "db"}, {}, "StatefulSet") == "db"
    assert W.match_one([fixed], {"app": "db"}, {}, "Pod") == "db"
    assert W.match_one([fixed], {"app": "db"}, {}, "Deployment") is None
    # a Deployment's pods are owned by a ReplicaSet: listing "Deployment" as a custom kind does not help
    assert W.match_one([fixed], {"app": "db"}, {}, "Deployment", ["Deployment"]) is None
    assert W.match_one([fixed], {"app": "db"}, {}, "Deployment", ["ReplicaSet"]) == "db"


def test_matching_model_ready_only():
    # v1.17.5 mutating.go:310: only status Ready PodNetworkings are considered
    spec = {"selector": {"podSelector": {"matchLabels": {"app": "db"}}}}
    assert W.match_one([W.PodNetworkingView("a", spec, "Fail"), W.PodNetworkingView("b", spec)], {"app": "db"}, {},
                       "Pod") == "b"
    assert W.match_one([W.PodNetworkingView("a", spec, "")], {"app": "db"}, {}, "Pod") is None


def test_pnw016_namespace_opted_out_of_the_pod_webhook():
    # charts/terway/templates/terway-controlplane/webhook.yaml:9-13 (v1.17.5): pod-eni NotIn ["false"]
    cfg = dev(("ackstack:namespaces[0].labels", {"network": "isolated", "k8s.aliyun.com/pod-eni": "false"}))
    f = assert_finding(findings_for(cfg), "PNW016", f"{PN}.selector.namespaceSelector", "databases",
                       "k8s.aliyun.com/pod-eni")
    assert f.level == "error"
    assert not only(findings_for(dev()), "PNW016")
    assert not W.webhook_sees_namespace({"k8s.aliyun.com/pod-eni": "false"})
    assert W.webhook_sees_namespace({"k8s.aliyun.com/pod-eni": "true"})


def test_pnw007_fixed_without_strategy_keeps_ips_forever():
    # v1.17.5 pkg/controller/pod-eni/eni_controller.go:649-652: unknown strategy -> keep = true
    cfg = dev((f"{PN}.allocationType", {"type": "Fixed"}))
    f = assert_finding(findings_for(cfg), "PNW007", f"{PN}.allocationType.releaseStrategy", "forever")
    assert f.level == "error"
    assert not only(findings_for(dev()), "PNW007")


# ---------------------------------------------------------------- 4. security groups and vSwitches
def test_pnw017_security_group_in_another_vpc():
    inv = stack_inventory("existing")
    inv.security_groups.append({"id": "sg-bp1othervpc0000000001", "vpcId": "vpc-other", "type": "enterprise"})
    cfg = existing((f"{PN}.securityGroupIDs", ["db-clients", "sg-bp1othervpc0000000001"]))
    f = assert_finding(findings_for(cfg, inv), "PNW017", f"{PN}.securityGroupIDs[1]", "vpc-other",
                       "vpc-bp1exist0000000000001")
    assert f.level == "error"
    assert not only(findings_for(existing(), stack_inventory("existing")), "PNW017")


def test_pnw018_duplicate_references():
    cfg = dev((f"{PN}.vSwitchOptions", ["db-h", "db-i", "db-h"]), (f"{PN}.securityGroupIDs", ["db-clients"] * 2))
    findings = findings_for(cfg)
    assert_finding(findings, "PNW018", f"{PN}.vSwitchOptions[2]", "db-h")
    assert_finding(findings, "PNW018", f"{PN}.securityGroupIDs[1]", "db-clients")
    assert not only(findings_for(dev()), "PNW018")


def test_security_group_limit_follows_the_version():
    assert W.security_group_limit("v1.12.1") == 5
    assert W.security_group_limit("v1.13.7") == 10
    assert W.security_group_limit("v1.13.7", eni_quota=5) == 5
    assert W.security_group_limit(None) == 10


# ---------------------------------------------------------------- 5. readiness
def test_podnetworking_waits_for_ready(run_stack):
    result = run_stack(dev())
    assert result.error is None, result.error
    pn = result.one(PODNETWORKING)
    assert pn.inputs["metadata"]["annotations"] == {"pulumi.com/waitFor": "jsonpath={.status.status}=Ready"}
    assert pn.outputs["status"]["status"] == "Ready"


def test_pnw019_vswitch_terway_cannot_find():
    # v1.17.5 pkg/controller/pod-networking/networking.go:109-132: lookup error -> status Fail
    cfg = dev((f"{PN}.vSwitchOptions", ["db-h", "vsw-bp1missing0000000001"]))
    assert_finding(findings_for(cfg), "PNW019", f"{PN}.vSwitchOptions", "Fail", "vsw-bp1missing0000000001")
    assert not only(findings_for(dev()), "PNW019")


# ---------------------------------------------------------------- 6. adopted clusters
def test_twy021_terway_eniip_version():
    assert_finding(findings_for(existing(), existing_inventory(addons={})), "TWY021", "ackstack:cni.version",
                   "unknown")
    assert_finding(findings_for(existing(), existing_inventory(addons={"terway-eniip": "v1.10.0"})), "TWY021",
                   "ackstack:cni.version", "v1.10.0", "v1.11.0")
    assert not only(findings_for(existing(), stack_inventory("existing")), "TWY021")
    upgraded = existing(("ackstack:cni.version", "v1.13.7"))
    assert not only(findings_for(upgraded, existing_inventory(addons={"terway-eniip": "v1.10.0"})), "TWY021")


def test_twy021_cni_version_older_than_the_installed_eniip():
    """The provider's KubernetesAddon Create upgrades an installed add-on to any different `version`
    (terraform-provider-alicloud@ace5bcf8777e resource_alicloud_cs_kubernetes_addon.go:140-164, 261-266)."""
    inv = existing_inventory(addons={"terway-eniip": "v1.13.7"})
    older = existing(("ackstack:cni.version", "v1.12.1"))
    assert_finding(findings_for(older, inv), "TWY021", "ackstack:cni.version", "v1.12.1", "v1.13.7",
                   "resource_alicloud_cs_kubernetes_addon.go", level="error")
    for same_or_newer in ("v1.13.7", "v1.14.5"):
        assert not only(findings_for(existing(("ackstack:cni.version", same_or_newer)), inv), "TWY021")
    inv = existing_inventory(addons={"terway-eniip": "v1.13.7", "terway-controlplane": "v1.14.5"})
    older = existing(("ackstack:cni.controlplaneVersion", "v1.13.7"))
    assert_finding(findings_for(older, inv), "TWY021", "ackstack:cni.controlplaneVersion", "v1.13.7", "v1.14.5",
                   "terway-controlplane")
    assert not only(findings_for(existing(("ackstack:cni.controlplaneVersion", "v1.14.5")), inv), "TWY021")


def test_adopted_cluster_upgrades_terway_eniip_first():
    result = run(existing(("ackstack:cni.version", "v1.13.7")), stack="existing", inventory=stack_inventory("existing"))
    assert result.error is None, result.error
    addon = result.one("alicloud:cs/kubernetesAddon:KubernetesAddon", "legacy-ack-addon-terway-eniip")
    assert addon.inputs["version"] == "v1.13.7" and addon.options.get("retainOnDelete") is True
    assert addon.urn in result.one("kubernetes:core/v1:ConfigMapPatch").dependencies


def test_twy022_network_token_secret():
    f = assert_finding(findings_for(existing(), existing_inventory(secrets=[])), "TWY022",
                       "ackstack:cluster.existing.clusterId", "addon.network.token")
    assert f.level == "error"
    assert not only(findings_for(existing(), stack_inventory("existing")), "TWY022")


def test_program_reads_the_token_before_changing_anything():
    # the real path: Secret.get; offline, the engine answers from the inventory
    result = run(existing(), stack="existing", inventory=existing_inventory(secrets=[]))
    assert result.error is not None and "addon.network.token" in str(result.error)
    ok = run(existing(), stack="existing", inventory=stack_inventory("existing"))
    assert ok.error is None


def test_twy023_adopted_cluster_must_be_managed():
    cfg = existing(("ackstack:cluster.existing.managed", False))
    assert_finding(findings_for(cfg, stack_inventory("existing")), "TWY023", "ackstack:cluster.existing.managed",
                   "managed Pro")
    assert not only(findings_for(existing(), stack_inventory("existing")), "TWY023")


@pytest.mark.parametrize(("change", "path", "words"), [
    # types/daemon/config.go:139-151 (v1.17.5) and :103-113 (v1.10.0)
    ({"ip_stack": "ipv6"}, "ip_stack", ("unsupported ipStack ipv6",)),
    ({"security_groups": [f"sg-{i}" for i in range(11)]}, "security_groups", ("more than 10", "current 11")),
    ({"max_pool_size": float("nan")}, None, ("NaN or Infinity",)),
])
def test_twy024_eni_conf_validated_like_terway(change, path, words):
    conf = {**stack_config("existing")["ackstack:cluster"]["existing"]["eniConf"], **change}
    # Without cni.eniSecurityGroups the adopted eniConf's own security_groups stay in the patched eni_conf.
    cfg = existing(("ackstack:cluster.existing.eniConf", conf), ("ackstack:cni.eniSecurityGroups", DELETE))
    where = "ackstack:cluster.existing.eniConf" + (f".{path}" if path else "")
    assert_finding(findings_for(cfg, stack_inventory("existing")), "TWY024", where, *words)


def test_twy024_passes_and_follows_the_eniip_version():
    inv = stack_inventory("existing")
    assert not only(findings_for(existing(), inv), "TWY024")
    conf = {**stack_config("existing")["ackstack:cluster"]["existing"]["eniConf"],
            "security_groups": [f"sg-{i}" for i in range(6)], "ip_stack": "dual"}
    assert not only(findings_for(existing(("ackstack:cluster.existing.eniConf", conf)), inv), "TWY024")
    old = existing_inventory(addons={"terway-eniip": "v1.12.1"})
    cfg = existing(("ackstack:cluster.existing.eniConf", conf), ("ackstack:cni.eniSecurityGroups", DELETE))
    assert_finding(findings_for(cfg, old), "TWY024", "ackstack:cluster.existing.eniConf.security_groups",
                   "more than 5")


def test_twy024_skips_security_groups_that_eni_security_groups_replaces():
    """merged_eni_conf writes cni.eniSecurityGroups over eniConf's security_groups: the old list never reaches
    Terway, so only TWY001 counts (types/daemon/config.go Validate reads the merged eni_conf)."""
    conf = {**stack_config("existing")["ackstack:cluster"]["existing"]["eniConf"],
            "security_groups": [f"sg-{i}" for i in range(11)]}
    cfg = existing(("ackstack:cluster.existing.eniConf", conf))
    assert stack_config("existing")["ackstack:cni"]["eniSecurityGroups"]
    assert not only(findings_for(cfg, stack_inventory("existing")), "TWY024")


def test_twy009_eni_conf_text_with_nan_is_not_json():
    cfg = existing(("ackstack:cluster.existing.eniConf", '{"max_pool_size": NaN}'))
    assert_finding(findings_for(cfg, stack_inventory("existing")), "TWY009", "ackstack:cluster.existing.eniConf",
                   "NaN")
    cfg = existing(("ackstack:cluster.existing.eniConf", '{"max_pool_size": Infinity}'))
    assert_finding(findings_for(cfg, stack_inventory("existing")), "TWY009", "ackstack:cluster.existing.eniConf",
                   "Infinity")


# ---------------------------------------------------------------- 7. facts
def test_nod001_max_pods_above_eleven():
    cfg = dev(("ackstack:cluster.nodePools[0].maxPods", 11))
    f = assert_finding(findings_for(cfg), "NOD001", "ackstack:cluster.nodePools[0].maxPods", "11", "more than 11")
    assert f.level == "error"
    assert not only(findings_for(dev(("ackstack:cluster.nodePools[0].maxPods", 12))), "NOD001")


def test_nod001_byocni_max_pods_per_node():
    cfg = with_value(stack_config("staging"), "ackstack:cni.maxPodsPerNode", 11)
    assert_finding(findings_for(cfg), "NOD001", "ackstack:cni.maxPodsPerNode", "11")
    assert not only(findings_for(stack_config("staging")), "NOD001")


def test_custom_stateful_kinds_reach_terway_controlplane(run_stack):
    # types/controlplane/config_default.go:69 customStatefulWorkloadKinds (appended to stsKinds,
    # cmd/terway-controlplane/terway-controlplane.go:128)
    import json

    cfg = dev(("ackstack:cni.customStatefulWorkloadKinds", ["CloneSet"]), (f"{PN}.workloadKinds", ["CloneSet"]))
    result = run_stack(cfg)
    assert result.error is None, result.error
    addons = result.one("alicloud:cs/managedKubernetes:ManagedKubernetes").inputs["addons"]
    controlplane = next(a for a in addons if a["name"] == "terway-controlplane")
    assert json.loads(controlplane["config"]) == {"customStatefulWorkloadKinds": ["CloneSet"]}
    plain = run_stack(dev()).one("alicloud:cs/managedKubernetes:ManagedKubernetes").inputs["addons"]
    assert "config" not in next(a for a in plain if a["name"] == "terway-controlplane")


# ---------------------------------------------------------------- the one matching model in capacity and report
def test_capacity_counts_only_podnetworkings_that_reach_pods():
    from ackstack.engine.testing import plan_for
    from components.capacity import capacity_report
    from components.podnetworking_reach import podnetworking_reach

    def db_h_users(cfg):
        rows = [z for z in capacity_report(plan_for(cfg))["zones"] if z["vswitch"] == "db-h"]
        return rows[0].get("podNetworkings")

    assert db_h_users(dev()) == 1
    never = dev((f"{PN}.workloadKinds", ["Deployment"]))  # Fixed + Deployment: mutating.go:313-318
    reach = podnetworking_reach(plan_for(never).config.pod_networkings[0], plan_for(never))
    assert not reach.applies and "fixed-name" in reach.reason and reach.skipped_kinds == ("Deployment",)
    assert db_h_users(never) is None


def test_report_shows_what_each_podnetworking_reaches(tmp_path):
    from ackstack.preview.preview import run_preview
    from ackstack.preview.report import podnetworking_rows

    result = run_preview("dev", policy=False)
    assert podnetworking_rows(result) == [{"name": "mysql", "type": "Fixed", "status": "Ready",
                                           "reaches": "StatefulSet", "namespaces": "databases", "never": ""}]


def test_pnw006_release_after_as_go_parses_it():
    # Terway parses releaseAfter with time.ParseDuration (validate.go:58, eni_controller.go:626 at v1.17.5)
    for bad in ("2562048h", "\uff11h", "1h 30m"):
        findings = findings_for(dev((f"{PN}.allocationType.releaseAfter", bad)))
        assert_finding(findings, "PNW006", f"{PN}.allocationType.releaseAfter", "not a Go duration")
        assert_finding(findings, "PNW014", PN, f"invalid releaseAfter {bad}")
    assert not only(findings_for(dev((f"{PN}.allocationType.releaseAfter", "2562047h"))), "PNW006")


def test_adopted_cluster_webhook_version_is_the_installed_controlplane():
    """Without cni.controlplaneVersion the KubernetesAddon leaves an installed terway-controlplane at its version
    (terraform-provider-alicloud@ace5bcf8777e resource_alicloud_cs_kubernetes_addon.go:261-266: no version, no
    upgrade), so its webhook decides: v1.12.1 denies a selector-less PodNetworking (validate.go:37-55 at v1.12.1)."""
    cfg = existing((f"{PN}.selector", DELETE))
    old = existing_inventory(addons={"terway-eniip": "v1.13.7", "terway-controlplane": "v1.12.1"})
    assert_finding(findings_for(cfg, old), "PNW014", PN, "terway-controlplane v1.12.1",
                   "neither the PodSelector nor the NamespaceSelector is set")
    assert not only(findings_for(cfg, stack_inventory("existing")), "PNW014")  # none installed: ACK's newest
    pinned = with_value(cfg, "ackstack:cni.controlplaneVersion", "v1.17.5")
    assert not only(findings_for(pinned, old), "PNW014")  # pinned: the provider upgrades it first


@pytest.mark.parametrize(("eni_quantity", "ipv4_per_eni", "fires"), [(2, 6, True), (3, 6, False)])
def test_nod001_terway_instance_type_pods_above_eleven(eni_quantity, ipv4_per_eni, fires):
    """ACK "Manage pod capacity on nodes" (Terway table): a node joins only if (EniQuantity - 1) x IPs per ENI,
    its Terway maximum pods, is greater than 11."""
    small = {"eniQuantity": eni_quantity, "eniTotalQuantity": eni_quantity + 4, "ipv4PerEni": ipv4_per_eni,
             "trunkSupported": True}
    cfg = dev(("ackstack:capacity", {"instanceTypes": {"ecs.t6.small": small}}),
              ("ackstack:cluster.nodePools[0].instanceTypes", ["ecs.g7.xlarge", "ecs.t6.small"]))
    found = only(findings_for(cfg), "NOD001")
    assert bool(found) == fires, [f.line() for f in found]
    if fires:
        assert_finding(found, "NOD001", "ackstack:cluster.nodePools[0].instanceTypes[1]", "ecs.t6.small",
                       f"{(eni_quantity - 1) * ipv4_per_eni} pods per node", "more than 11",
                       "adjusting-the-number-of-node-pods", level="error")


def test_declared_ecs_quota_is_one_setting_for_rules_and_the_policy_pack(tmp_path):
    """capacity.maxSecurityGroupsPerEni reaches the real policy pack (over gRPC) on each PodNetworking's parent
    component: 6 groups with a declared raise are a PNW020 warning and pass the pack; the same resources
    declaring ECS's default 5 are refused by the pack, as PNW001 refuses the config."""
    import yaml

    from ackstack.engine.testing import ROOT
    from ackstack.preview.analyzer import AnalyzedResource, run_policy_pack
    from ackstack.preview.preview import run_preview

    groups = [{"name": f"g{i}", "type": "enterprise"} for i in range(6)]
    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
    config = document["config"]
    config["ackstack:network"]["securityGroups"] += groups
    config["ackstack:podNetworkings"][0]["securityGroupIDs"] = [g["name"] for g in groups]
    config["ackstack:capacity"] = {"maxSecurityGroupsPerEni": 10}
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    result = run_preview("dev", config_file=str(path))
    rules = {f["rule"] if isinstance(f, dict) else f.rule for f in result.findings}
    assert "PNW020" in rules and "PNW001" not in rules and "podnetworking-security-groups" not in rules, rules
    config["ackstack:capacity"] = {"maxSecurityGroupsPerEni": 5}
    assert_finding(findings_for(config), "PNW001", f"{PN}.securityGroupIDs", "ECS limit of 5")

    def analyzed(quota):
        return [AnalyzedResource(urn=r.urn, type=r.type, name=r.name, parent=r.parent, custom=r.custom,
                                 properties={**r.inputs, "maxSecurityGroupsPerEni": quota}
                                 if r.type == "ackstack:terway:PodNetworking" else r.inputs)
                for r in result.run.registrations]

    found = run_policy_pack(ROOT / "policies", analyzed(5), stack="dev", project="ackstack")
    assert [f for f in found if f["rule"] == "podnetworking-security-groups" and "ECS limit of 5" in f["message"]]
    found = run_policy_pack(ROOT / "policies", analyzed(10), stack="dev", project="ackstack")
    assert not [f for f in found if f["rule"] == "podnetworking-security-groups"]


def _hooks(pod_failure_policy="Ignore", namespace_selector=None, validating=True) -> dict:
    """An adopted cluster's webhook configurations as `kubectl get ... -o yaml` shows them."""
    pod_hook = {"name": "terway-controlplane.mutating.k8s.io", "failurePolicy": pod_failure_policy,
                "rules": [{"operations": ["CREATE"], "resources": ["pods"]},
                          {"operations": ["CREATE"], "resources": ["podnetworkings"]}]}
    if namespace_selector is not None:
        pod_hook["namespaceSelector"] = namespace_selector
    hooks = {"mutating": {"webhooks": [pod_hook]}}
    if validating:
        hooks["validating"] = {"webhooks": [{"name": "terway-controlplane.validate.k8s.io", "failurePolicy": "Fail",
                                             "rules": [{"operations": ["CREATE"], "resources": ["podnetworkings"]}]}]}
    return hooks


def test_twy026_upgrading_terway_controlplane_with_podnetworkings_warns():
    """charts/terway/values.yaml:99 (v1.17.5): the pod webhook's failurePolicy is Ignore, so pods created during the
    rollout keep the shared ENI; an adopted cluster's own registration decides when the inventory gives it."""
    inv = existing_inventory(addons={"terway-eniip": "v1.13.7", "terway-controlplane": "v1.14.5"})
    cfg = existing(("ackstack:cni.controlplaneVersion", "v1.17.5"))
    f = assert_finding(findings_for(cfg, inv), "TWY026", "ackstack:cni.controlplaneVersion", "v1.14.5 -> v1.17.5",
                       "failurePolicy Ignore", "shared ENI", "upstream chart")
    assert f.level == "warning"
    strict = existing_inventory(addons={"terway-eniip": "v1.13.7", "terway-controlplane": "v1.14.5"},
                                webhookConfigurations=_hooks("Fail"))
    assert_finding(findings_for(cfg, strict), "TWY026", "ackstack:cni.controlplaneVersion", "failurePolicy Fail",
                   "pod creation", "(inventory)")
    for quiet in (existing(("ackstack:cni.controlplaneVersion", "v1.14.5")),  # no upgrade
                  with_value(cfg, "ackstack:podNetworkings", [])):  # nothing in use
        assert not only(findings_for(quiet, inv), "TWY026")


def test_an_adopted_clusters_own_pod_webhook_namespace_selector_decides_pnw016():
    """The chart's namespaceSelector is assumed only without the cluster's configuration (inventory)."""
    cfg = existing()
    assert not only(findings_for(cfg, stack_inventory("existing")), "PNW016")
    opt_in = existing_inventory(webhookConfigurations=_hooks(namespace_selector={"matchLabels": {"terway": "on"}}))
    assert_finding(findings_for(cfg, opt_in), "PNW016", f"{PN}.selector.namespaceSelector", "databases",
                   '{"matchLabels": {"terway": "on"}}', "(inventory)")
    labelled = with_value(cfg, "ackstack:namespaces[0].labels", {"network": "isolated", "terway": "on"})
    assert not only(findings_for(labelled, opt_in), "PNW016")
    no_pod_webhook = existing_inventory(webhookConfigurations={"mutating": {"webhooks": []}})
    assert only(findings_for(cfg, no_pod_webhook), "PNW016")
