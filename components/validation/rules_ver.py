"""VER: versions: PodNetworking fields against Terway's, Cilium against the cluster's Kubernetes, chart facts per
Cilium release, Kubernetes minors ACK still supports.
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import cilium_chart
from ackstack_core import constants as C
from ackstack_core.cluster_checks import ack_support_ended
from ackstack_core.versions import parse_version
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule


@rule("VER004", "error", "The Kubernetes minor is one ACK still supports",
      "ACK creates new clusters only on the minors it still supports (today 1.35 and 1.36) and ends support for each "
      "minor on a published date; a new cluster on an ended minor fails at creation (error), an adopted one runs "
      "unsupported (warning: upgrade it).",
      f"ACK Kubernetes versions page ({C.ACK_K8S_VERSION_PAGE}), as of {C.ACK_K8S_FACTS_AS_OF}")
def ack_supported_minor(plan: NetworkPlan) -> Iterator[Finding]:
    cluster = plan.config.cluster
    ended, why = ack_support_ended(cluster.k8s_minor)
    if not ended:
        return
    creatable = ", ".join(f"{m[0]}.{m[1]}" for m, eos in sorted(C.ACK_K8S_END_OF_SUPPORT.items())
                          if eos > C.ACK_K8S_FACTS_AS_OF)
    if cluster.existing is None:
        yield Finding("VER004", "error", config_path("cluster", "kubernetesVersion"),
                      f"{cluster.kubernetes_version} is past ACK's end of support: {why}; ACK creates new clusters on "
                      f"{creatable} only (default {C.DEFAULT_K8S_VERSION})")
    else:
        yield Finding("VER004", "warning", config_path("cluster", "kubernetesVersion"),
                      f"the adopted cluster runs {cluster.kubernetes_version}, past ACK's end of support: {why}; "
                      f"upgrade it to {creatable}")


def _minor(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def _chart_version_path() -> str:
    return config_path("cni", "cilium", "chartVersion")


# ---------------------------------------------------------------- VER: release vs Kubernetes
@rule("VER002", "error", "The Cilium release is e2e-tested on the cluster's Kubernetes version",
      "Each Cilium release line is tested on four Kubernetes minors; older ones have no Cilium support (error), "
      "newer ones depend on Kubernetes' backward compatibility (warning naming the newest tested).",
      "cilium/cilium Documentation/network/kubernetes/requirements.rst (v1.17.9, v1.18.7, v1.19.1)")
def cilium_k8s_tested(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    version = plan.config.cni.cilium.chart_version
    line = cilium_chart.release_line(version)
    k8s = plan.config.cluster.k8s_minor
    k8s_text = plan.config.cluster.kubernetes_version
    tested = C.CILIUM_K8S_TESTED.get(line) if line else None
    if tested is None:
        known = ", ".join(_minor(v) for v in C.CILIUM_K8S_TESTED)
        yield Finding("VER002", "warning", _chart_version_path(),
                      f"Cilium {version}: tested Kubernetes range unverified (ackstack knows the lines {known}); "
                      f"check requirements.rst of that release against Kubernetes {k8s_text}")
        return
    oldest, newest = tested
    if k8s < oldest:
        yield Finding("VER002", "error", _chart_version_path(),
                      f"Cilium {version} is e2e-tested on Kubernetes {_minor(oldest)} to {_minor(newest)}; "
                      f"cluster.kubernetesVersion {k8s_text} is older and has no Cilium support in that release")
    elif k8s > newest:
        yield Finding("VER002", "warning", _chart_version_path(),
                      f"Cilium {version} is e2e-tested on Kubernetes {_minor(oldest)} to {_minor(newest)}; "
                      f"cluster.kubernetesVersion {k8s_text} is newer than the newest tested {_minor(newest)} "
                      f"(pin a release line that lists {_minor(k8s)}, e.g. the default {C.CILIUM_CHART_VERSION})")


@rule("VER003", "warning", "The chart's key paths and types are known for the pinned Cilium release",
      "Key and type checks (CIL008/CIL009) read facts derived from the official chart package of each release "
      "ackstack knows; another patch of a known line is checked against that line's package, anything else not at all.",
      "policies/ackstack_core/cilium_charts/*.json (derived from the helm.cilium.io packages, sha256 in each file)")
def chart_facts_known(plan: NetworkPlan) -> Iterator[Finding]:
    if not plan.config.is_byocni:
        return
    version = plan.config.cni.cilium.chart_version
    facts, exact = cilium_chart.facts_for(version)
    if exact:
        return
    if facts is not None:
        yield Finding("VER003", "warning", _chart_version_path(),
                      f"no chart facts for Cilium {version}; cni.cilium.values are checked against the "
                      f"{facts.version} chart of the same line (known: {', '.join(C.CILIUM_CHART_FACTS_VERSIONS)})")
    else:
        yield Finding("VER003", "warning", _chart_version_path(),
                      f"no chart facts for Cilium {version} or its release line: key paths and types of "
                      f"cni.cilium.values are unverified (known: {', '.join(C.CILIUM_CHART_FACTS_VERSIONS)})")


def _v(version: tuple[int, int, int]) -> str:
    return "v" + ".".join(str(p) for p in version)


@rule("VER001", "error", "PodNetworking fields are supported by the configured Terway version",
      "vSwitchSelectOptions and eniOptions are ignored or rejected by Terway before v1.11.0. Without cni.version "
      "ACK installs its current Terway, which supports both, so no finding.",
      "ACK guide terway-trunk-eni-podnetworking (vSwitchSelectOptions, eniOptions: Terway v1.11.0 and later)")
def terway_version_gates(plan: NetworkPlan) -> Iterator[Finding]:
    config = plan.config
    if not config.is_terway:
        return
    # terway-eniip (cni.version) and terway-controlplane (cni.controlplaneVersion, which serves the
    # PodNetworking CRD) both have to understand the fields; an unset version is ACK's current one.
    configured = [(key, value, parse_version(value))
                  for key, value in (("cni.version", config.cni.version),
                                     ("cni.controlplaneVersion", config.cni.controlplane_version)) if value]
    if not configured:
        return
    gates = (("v_switch_select_options", "vSwitchSelectOptions", C.TERWAY_MIN_VERSION_VSWITCH_SELECT_OPTIONS),
             ("eni_options", "eniOptions", C.TERWAY_MIN_VERSION_ENI_OPTIONS))
    for index, pn in enumerate(config.pod_networkings):
        for attr, key, minimum in gates:
            if getattr(pn, attr) is None:
                continue
            old = [f"{name} is {value}" for name, value, parsed in configured if parsed < minimum]
            if old:
                yield Finding("VER001", "error", config_path("podNetworkings", index, key),
                              f"PodNetworking `{pn.name}` sets {key}, which needs Terway {_v(minimum)} or later, but "
                              f"{' and '.join(old)}; upgrade the Terway add-ons or drop {key}")


RULES = (
    ack_supported_minor,
    cilium_k8s_tested,
    chart_facts_known,
    terway_version_gates,
)
