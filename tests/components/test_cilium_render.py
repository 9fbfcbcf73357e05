"""A real `helm template` of the official chart package: the Release of every example stack and an accepted
variant of each CIL/BYO/VER rule render, and the rendered `cilium-config` (and `ip-masq-agent`) ConfigMap says
what ackstack means (routing, IPAM, native-routing CIDR, masquerading, ip-masq-agent config).

Needs helm (tools/install_helm.py) and ../shared/reference/cilium/*.tgz: in CI (env CI) missing ones FAIL,
elsewhere the tests skip saying what is missing.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
import yaml

from ackstack.engine.testing import (
    findings_for,
    plan_for,
    require_reference,
    run,
    stack_config,
    stack_inventory,
    with_value,
)
from ackstack_core import cilium_chart
from ackstack_core import constants as C
from components import cilium_render
from components.cilium_values import cilium_values, lookup
from tests.components import test_byocni_rules, test_cilium_agent_rules, test_cilium_rules

RELEASE = "kubernetes:helm.sh/v3:Release"
API_SERVER = "https://10.0.0.253:6443"


@pytest.fixture(scope="module")
def helm() -> str:
    binary = cilium_render.helm_binary()
    require_reference(binary is not None, "helm binary (.venv/bin/python tools/install_helm.py)")
    return binary


def _package(version: str):
    package = cilium_render.chart_package(version)
    require_reference(package is not None, f"official chart package {cilium_render.REFERENCE_CHARTS}/cilium-{version}.tgz")
    return package


def _render(helm: str, values: dict, version: str, kubernetes_version: str) -> list[dict]:
    return cilium_render.render(values, _package(version), kubernetes_version, helm=helm)


def _as_flag(value) -> str:
    return "true" if value is True or str(value).lower() == "true" else "false"


def assert_config_matches(documents: list[dict], values: dict, version: str) -> dict:
    """The rendered cilium-config carries the merged values the rules checked."""
    config = cilium_render.configmap(documents, "cilium-config")
    assert config, "no cilium-config ConfigMap rendered"
    mode = lookup(values, "routingMode") or "tunnel"
    assert config["routing-mode"] == mode
    assert config["ipam"] == lookup(values, "ipam.mode")
    if mode == "native":
        assert config["ipv4-native-routing-cidr"] == lookup(values, "ipv4NativeRoutingCIDR")
    # Off switches may be omitted from the ConfigMap (the agent's default is off then).
    assert config.get("enable-ipv4-masquerade", "false") == _as_flag(lookup(values, "enableIPv4Masquerade", True))
    assert config.get("enable-bpf-masquerade", "false") == _as_flag(lookup(values, "bpf.masquerade"))
    assert config.get("enable-ip-masq-agent", "false") == _as_flag(lookup(values, "ipMasqAgent.enabled"))
    assert config["enable-health-check-nodeport"] == _as_flag(lookup(values, "nodePort.enableHealthCheck", True))
    assert config["k8s-require-ipv4-pod-cidr"] == "true"
    if lookup(values, "nodePort.enabled") is not None:
        assert config["enable-node-port"] == _as_flag(lookup(values, "nodePort.enabled"))
    if lookup(values, "ipMasqAgent.enabled"):
        rendered = json.loads(cilium_render.configmap(documents, "ip-masq-agent")["config"])
        assert rendered == lookup(values, "ipMasqAgent.config")
    return config


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "existing"])
def test_every_example_stack_release_renders(helm, stack):
    result = run(stack_config(stack), stack=stack, inventory=stack_inventory(stack))
    assert result.error is None, result.error
    releases = [r for r in result.registrations if r.type == RELEASE]
    cfg = stack_config(stack)
    if cfg["ackstack:cni"]["mode"] != "byocni-cilium":
        assert releases == []  # Terway stacks install no Cilium
        return
    (release,) = releases
    version = release.inputs["version"]
    k8s = cfg["ackstack:cluster"]["kubernetesVersion"]
    documents = _render(helm, release.inputs["values"], version, k8s)
    config = assert_config_matches(documents, release.inputs["values"], version)
    assert (config["routing-mode"], config["ipam"], config["ipv4-native-routing-cidr"]) == (
        "native", "kubernetes", cfg["ackstack:cni"]["podCidr"])
    masq = json.loads(cilium_render.configmap(documents, "ip-masq-agent")["config"])
    assert masq["nonMasqueradeCIDRs"] == [cfg["ackstack:cni"]["podCidr"], "10.0.0.0/16"]


@functools.cache
def accepted_variants() -> tuple[tuple[str, dict], ...]:
    """The accepted (passing) configs of the BYO/CIL/VER rule tests that validation lets through without an
    error, one per distinct Helm input (values, chart version, Kubernetes version); the name lists its rules.

    Built on first use, not at import: validating them takes tens of seconds of CPU, which every xdist worker
    paid again while collecting (issue #25). VARIANT_GROUP keeps the two tests that use it on one worker."""
    variants: dict[str, tuple[list[str], dict]] = {}
    sources = [(test_byocni_rules.PASSING, test_byocni_rules._cfg), (test_cilium_rules.PASSING, test_cilium_rules._cfg),
               (test_cilium_agent_rules.PASSING, None)]
    for passing, build in sources:
        for rule_id, changes in passing:
            cfg = build(*changes) if build else changes
            if any(f.level == "error" for f in findings_for(cfg)):
                continue
            plan = plan_for(cfg)
            key = json.dumps([cilium_values(plan, None), plan.config.cni.cilium.chart_version,
                              plan.config.cni.cilium.kube_proxy_replacement, plan.config.cluster.kubernetes_version],
                             sort_keys=True)
            rules, _ = variants.setdefault(key, ([], cfg))
            rules.append(rule_id)
    return tuple(sorted((("+".join(dict.fromkeys(rules)), cfg) for rules, cfg in variants.values()),
                        key=lambda v: v[0]))


VARIANT_GROUP = pytest.mark.xdist_group("cilium-accepted-variants")


@VARIANT_GROUP
def test_every_rule_has_an_accepted_variant_rendered():
    rendered = {rule for name, _ in accepted_variants() for rule in name.split("+")}
    expected = ({r[0] for r in test_byocni_rules.PASSING} | {r[0] for r in test_cilium_rules.PASSING}
                | {r[0] for r in test_cilium_agent_rules.PASSING})
    # BYO006's accepted case (backendType Pod with VPC-routable pods) is an error of BYO007 on BYOCNI, whose pod
    # CIDR never lies in the VPC (BYO004): it has no error-free variant to render.
    assert expected - rendered == {"BYO006"}, expected - rendered


def _assert_variant_renders(helm: str, cfg: dict) -> None:
    plan = plan_for(cfg)
    cilium = plan.config.cni.cilium
    values = json.loads(json.dumps(cilium_values(plan, API_SERVER if cilium.kube_proxy_replacement else None)))
    documents = _render(helm, values, cilium.chart_version, plan.config.cluster.kubernetes_version)
    config = assert_config_matches(documents, values, cilium.chart_version)
    if cilium.kube_proxy_replacement:
        assert config["kube-proxy-replacement"] == "true"
        assert "{'name': 'KUBERNETES_SERVICE_HOST', 'value': '10.0.0.253'}" in str(documents)
    if cilium.image_registry:
        images = cilium_render.images(documents)
        assert images and all(i.startswith(cilium.image_registry + "/") for i in images), images


@VARIANT_GROUP
def test_every_accepted_variant_renders_the_config_it_was_validated_with(helm):
    """Whatever validation accepts, the official chart renders, into the cilium-config the rules checked."""
    failed = []
    for name, cfg in accepted_variants():
        try:
            _assert_variant_renders(helm, cfg)
        except (AssertionError, cilium_render.RenderError) as exc:
            failed.append(f"{name}: {str(exc)[:300]}")
    assert accepted_variants() and failed == [], "\n".join(failed)


@pytest.mark.parametrize("version", C.CILIUM_CHART_FACTS_VERSIONS)
def test_staging_renders_on_every_known_release(helm, version):
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium", {"chartVersion": version})
    plan = plan_for(cfg)
    values = json.loads(json.dumps(cilium_values(plan, None)))
    newest = C.CILIUM_K8S_TESTED[cilium_chart.release_line(version)][1]
    k8s = f"{newest[0]}.{newest[1]}.0"  # the newest Kubernetes the release is tested on
    config = assert_config_matches(_render(helm, values, version, k8s), values, version)
    # 1.19 dropped the key with the agent check; 1.20 has neither
    assert ("enable-node-port" in config) is (cilium_chart.release_line(version) < (1, 19))


@pytest.mark.parametrize("version", C.CILIUM_CHART_FACTS_VERSIONS)
def test_libyaml_reads_helms_output_as_the_pure_python_safe_loader_does(helm, version):
    """The render is parsed with PyYAML's safe loader on libyaml's parser (cilium_render.SAFE_LOADER, for speed);
    on every reference chart's output it must give what yaml.SafeLoader gives, key order and scalar types included."""
    assert cilium_render.SAFE_LOADER is yaml.CSafeLoader, "PyYAML without libyaml: the pinned wheel should have it"
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium", {"chartVersion": version, "hubble": True})
    values = json.loads(json.dumps(cilium_values(plan_for(cfg), API_SERVER)))
    ok, text = cilium_render._render_text(helm, cilium_render._package_key(_package(version)),
                                          json.dumps(values, sort_keys=True), "1.34.0")
    assert ok, text
    fast, pure = list(yaml.load_all(text, Loader=yaml.CSafeLoader)), list(yaml.safe_load_all(text))
    assert len(pure) > 10
    # JSON tells `true` from `1` and keeps key order, which == on Python values would not
    assert json.dumps(fast, default=repr) == json.dumps(pure, default=repr)


def test_helm_rejects_the_type_error_validation_catches_first(helm):
    """Why CIL009 exists: helm's schema check fails `operator.replicas: "2"` (at `pulumi up` otherwise)."""
    values = json.loads(json.dumps(cilium_values(plan_for(stack_config("staging")), None)))
    values["operator"] = {"replicas": "2"}
    with pytest.raises(cilium_render.RenderError, match="replicas"):
        _render(helm, values, C.CILIUM_CHART_VERSION, C.DEFAULT_K8S_VERSION)


def test_helm_silently_ignores_the_seed_typo_validation_catches(helm):
    """Why CIL008 exists: the seed's `ipMasqAgent.enable: true` renders without complaint and changes nothing."""
    values = json.loads(json.dumps(cilium_values(plan_for(stack_config("staging")), None)))
    values["ipMasqAgent"] = {"enable": True, "config": values["ipMasqAgent"]["config"]}
    config = cilium_render.configmap(_render(helm, values, C.CILIUM_CHART_VERSION, "1.34.0"), "cilium-config")
    assert config.get("enable-ip-masq-agent", "false") == "false"  # the chart default: the user's intent never arrived


def test_preview_out_writes_the_rendered_release(helm, tmp_path):
    """`--out` gives reviewers the real `helm template` output next to the values file."""
    from ackstack.preview.preview import main as preview_main

    _package(C.CILIUM_CHART_VERSION)
    assert preview_main(["staging", "--no-policy", "--out", str(tmp_path)]) == 0
    (rendered,) = (tmp_path / "manifests").glob("helm-*cilium*-rendered.yaml")
    text = rendered.read_text()
    k8s = stack_config("staging")["ackstack:cluster"]["kubernetesVersion"].split("-")[0]
    first = text.splitlines()[0]  # the package, where it came from (no machine path), the Kubernetes version
    assert first.startswith(f"# helm template cilium cilium-{C.CILIUM_CHART_VERSION}.tgz (") and first.endswith(
        f"sha256 verified) --kube-version {k8s}"), first
    documents = [d for d in yaml.safe_load_all(text) if d]
    config = cilium_render.configmap(documents, "cilium-config")
    assert (config["routing-mode"], config["ipv4-native-routing-cidr"]) == ("native", "172.16.0.0/16")


def test_preview_out_writes_helms_error_for_a_values_change_helm_rejects(helm, tmp_path):
    from ackstack.engine.testing import plan_for as _plan
    from ackstack.preview.manifests import _write_rendered_release

    class _Result:
        config = _plan(stack_config("staging")).config

    class _Reg:
        name = "staging-ack-cilium"

    _package(C.CILIUM_CHART_VERSION)
    (path,) = _write_rendered_release(_Result(), _Reg(), {"operator": {"replicas": "2"}}, tmp_path)
    assert path.name.endswith("-render-error.txt") and "replicas" in path.read_text()


@pytest.mark.parametrize("version", ["1.17.9", C.CILIUM_CHART_VERSION])
def test_one_registry_override_moves_every_image_the_chart_pulls(helm, version):
    """Agent, operator, envoy, Hubble relay/UI, certgen, clustermesh-apiserver, preflight, nodeinit: all mirrored."""
    registry = "registry.cn-shanghai.aliyuncs.com/acme"
    extra = {"hubble": {"ui": {"enabled": True}}, "clustermesh": {"useAPIServer": True},
             "preflight": {"enabled": True}, "nodeinit": {"enabled": True}}
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium",
                     {"chartVersion": version, "imageRegistry": registry, "values": extra})
    assert not [f.line() for f in findings_for(cfg) if f.rule.startswith("CIL")]
    values = json.loads(json.dumps(cilium_values(plan_for(cfg), None)))
    images = cilium_render.images(_render(helm, values, version, "1.32.0"))
    assert len(images) >= 10
    assert [i for i in images if not i.startswith(registry + "/")] == []
    assert f"{registry}/cilium/cilium:v{version}" in {i.split("@", 1)[0] for i in images}


def test_a_local_chart_package_is_validated_and_installed_from_its_path(helm):
    package = _package(C.CILIUM_CHART_VERSION)
    cfg = with_value(stack_config("staging"), "ackstack:cni.cilium", {"chartPath": str(package)})
    assert not [f for f in findings_for(cfg) if f.rule == "CIL016"]
    release = run(cfg, stack="staging").one(RELEASE)
    assert release.inputs["chart"] == str(package) and "repositoryOpts" not in release.inputs
    wrong = with_value(cfg, "ackstack:cni.cilium", {"chartPath": str(package), "chartVersion": "1.18.12"})
    (finding,) = [f for f in findings_for(wrong) if f.rule == "CIL016"]
    assert f"holds chart cilium {C.CILIUM_CHART_VERSION}; expected cilium 1.18.12" in finding.message


def test_the_helm_in_the_venv_is_the_pinned_one(helm):
    """tools/install_helm.py verified the binary; a helm from PATH instead would render with another version."""
    import hashlib
    import importlib.util

    spec = importlib.util.spec_from_file_location("install_helm", Path(__file__).resolve().parents[2] / "tools" / "install_helm.py")
    installer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(installer)
    assert hashlib.sha256(Path(helm).read_bytes()).hexdigest() == installer.HELM_SHA256
