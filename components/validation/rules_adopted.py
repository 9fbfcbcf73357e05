"""Adopted clusters (TWY021-TWY024, TWY026): what must hold before ackstack touches a cluster it did not create.

The seed's "enable on an existing cluster" path upgrades terway-eniip first (step 2.4), needs the
`addon.network.token` Secret, and edits `eni_conf`, which Terway validates itself at start.
"""

from __future__ import annotations

from collections.abc import Iterator

from ackstack_core import constants as C
from ackstack_core import terway_webhook as W
from components.plan import NetworkPlan
from components.validation.findings import Finding, config_path, rule
from components.validation.rules_terway import SEED, terway_eniip_version


def _adopted(plan: NetworkPlan) -> bool:
    return plan.config.cluster.existing is not None and plan.config.is_terway and plan.existing_cluster is not None


@rule("TWY021", "error", "Adopted cluster: terway-eniip is known and new enough for what ackstack sends",
      "The seed upgrades terway-eniip first; PodNetworkings carry eniOptions / vSwitchSelectOptions, which CRDs "
      "before v1.11.0 lack (silently pruned).",
      SEED + " (step: upgrade terway-eniip); AliyunContainerService/terway pkg/apis/crds/"
      "network.alibabacloud.com_podnetworkings.yaml (no eniOptions at v1.10.0, present at v1.11.5)")
def eniip_version(plan: NetworkPlan) -> Iterator[Finding]:
    if not _adopted(plan):
        return
    version, where = terway_eniip_version(plan)
    path = config_path("cni", "version")
    parsed = W.parse_version(version)
    minimum = C.TERWAY_MIN_VERSION_ENI_OPTIONS
    if parsed is None:
        yield Finding("TWY021", "error", path,
                      f"terway-eniip's version in cluster {plan.config.cluster.existing.cluster_id} is unknown "
                      f"(no add-on version reported); set cni.version (at least v{'.'.join(map(str, minimum))}) so "
                      f"ackstack upgrades terway-eniip to it before anything else, as the seed does")
    elif parsed < minimum:
        yield Finding("TWY021", "error", path,
                      f"terway-eniip {version} ({where}) is older than v{'.'.join(map(str, minimum))}, whose "
                      f"PodNetworking CRD is the first with eniOptions and vSwitchSelectOptions; set cni.version "
                      f"to a newer release")
    installed_addons = plan.existing_cluster.get("addons") or {}
    for addon, key, wanted in ((C.ADDON_TERWAY_ENIIP, "version", plan.config.cni.version),
                               (C.ADDON_TERWAY_CONTROLPLANE, "controlplaneVersion", plan.config.cni.controlplane_version)):
        installed = installed_addons.get(addon)
        parsed_wanted, parsed_installed = W.parse_version(wanted), W.parse_version(installed)
        if parsed_wanted is not None and parsed_installed is not None and parsed_wanted < parsed_installed:
            yield Finding("TWY021", "error", config_path("cni", key),
                          f"cni.{key} {wanted} is older than the {addon} {installed} cluster "
                          f"{plan.config.cluster.existing.cluster_id} runs: the provider's Create sends any different "
                          f"version to ACK as an upgrade of the running add-on ({C.ADDON_CREATE_ADOPTS_SOURCE}); set "
                          f"cni.{key} to {installed} or newer, or leave it unset to keep the installed one")


@rule("TWY022", "error", "Adopted cluster has the addon.network.token Secret",
      "credential_path points Terway at that Secret's token; without it trunking cannot work. Read from the "
      "inventory offline; the program reads the Secret before changing anything.",
      SEED + " (kubectl get secret -n kube-system addon.network.token)")
def network_token(plan: NetworkPlan) -> Iterator[Finding]:
    if not _adopted(plan):
        return
    secrets = plan.existing_cluster.get("secrets")
    if secrets is None:
        return  # not known from the cloud API: the program's Secret read decides
    wanted = f"{C.ADDON_NETWORK_TOKEN_NAMESPACE}/{C.ADDON_NETWORK_TOKEN_SECRET}"
    if wanted not in secrets:
        yield Finding("TWY022", "error", config_path("cluster", "existing", "clusterId"),
                      f"cluster {plan.config.cluster.existing.cluster_id} has no Secret {wanted}; a managed cluster "
                      f"needs it for Trunk ENI (credential_path {C.ENI_CONF_MANAGED_CREDENTIAL_PATH}); nothing was "
                      f"changed")


@rule("TWY023", "error", "Adopted cluster is declared managed",
      "ackstack adopts only ACK managed Pro clusters, which always need credential_path in eni_conf.",
      SEED + " (credential_path must be added on managed clusters)")
def declared_managed(plan: NetworkPlan) -> Iterator[Finding]:
    existing = plan.config.cluster.existing
    if existing is not None and (problem := declared_managed_problem(existing.managed)):
        yield Finding("TWY023", "error", config_path("cluster", "existing", "managed"), problem)


def declared_managed_problem(managed: bool) -> str | None:
    """TWY023 (also `ExistingTerwayCluster`'s entry point)."""
    if managed:
        return None
    return ("managed is false, but ackstack adopts only ACK managed Pro clusters (TWY020); set "
            f"managed: true (ackstack then always adds {C.ENI_CONF_CREDENTIAL_PATH_KEY})")


@rule("TWY024", "error", "Adopted eniConf passes Terway's own validation",
      "Terway refuses an eni_conf whose ip_stack is not ipv4/dual or with too many security_groups, and Go's JSON "
      "parser refuses NaN and Infinity: the patched ConfigMap would stop every Terway pod.",
      "AliyunContainerService/terway types/daemon/config.go Validate (v1.10.0:103-113, v1.13.7:109-120, "
      "v1.17.5:139-151)")
def eni_conf_valid(plan: NetworkPlan) -> Iterator[Finding]:
    existing = plan.config.cluster.existing
    if existing is None or existing.eni_conf is None or not plan.config.is_terway:
        return
    path = config_path("cluster", "existing", "eniConf")
    conf, problem = W.parse_eni_conf(existing.eni_conf)
    if problem:
        if isinstance(existing.eni_conf, dict):  # text is TWY009's
            yield Finding("TWY024", "error", path, f"eniConf: {problem}")
        return
    version, _ = terway_eniip_version(plan)
    # cni.eniSecurityGroups replaces `security_groups` in the patched eni_conf (merged_eni_conf); TWY001 counts it.
    replaced = {C.ENI_CONF_SECURITY_GROUPS_KEY} if getattr(plan.config.cni, "eni_security_groups", None) else set()
    for key, message in eni_conf_problems(conf, version, replaced):
        yield Finding("TWY024", "error", f"{path}.{key}", message)


def eni_conf_problems(conf: dict, version: str | None, replaced: set[str]) -> Iterator[tuple[str, str]]:
    """TWY024 on a parsed eni_conf: (key, message), leaving out keys ackstack replaces (also
    `ExistingTerwayCluster`'s entry point)."""
    for key, message in W.eni_conf_problems(conf, version):
        if key not in replaced:
            yield key, f"eniConf `{key}`: {message}"


def upgrade_window_message(hooks: W.WebhookConfigurations) -> str:
    """What pods meet while terway-controlplane restarts, by its pod webhook's failurePolicy (one text for the
    rule and for --compare's REP011)."""
    if not hooks.pod_webhook:
        return "no pod webhook is registered, so no pod gets a PodNetworking at all"
    if hooks.pod_failure_policy == "Ignore":
        return ("its pod webhook has failurePolicy Ignore, so pods created while it restarts are admitted without it "
                "and silently keep the shared ENI (no PodNetworking, no static IP, no own security groups) until "
                "they are recreated")
    return (f"its pod webhook has failurePolicy {hooks.pod_failure_policy}, so pod creation in the namespaces it "
            "selects fails while it restarts")


@rule("TWY026", "warning", "Upgrading terway-controlplane while PodNetworkings are in use",
      "The pod webhook is how a pod gets its PodNetworking; the chart registers it with failurePolicy Ignore, so pods "
      "created while terway-controlplane restarts keep the shared ENI without any error.",
      "AliyunContainerService/terway v1.17.5 charts/terway/values.yaml:99 (webhookFailurePolicy: Ignore), "
      "charts/terway/templates/terway-controlplane/webhook.yaml:33; an adopted cluster's own registration when the "
      "inventory gives it")
def controlplane_upgrade_window(plan: NetworkPlan) -> Iterator[Finding]:
    if not _adopted(plan) or not plan.config.pod_networkings:
        return
    pinned = plan.config.cni.controlplane_version
    installed = ((plan.existing_cluster or {}).get("addons") or {}).get(C.ADDON_TERWAY_CONTROLPLANE)
    new, old = W.parse_version(pinned), W.parse_version(installed)
    if new is None or old is None or new <= old:
        return
    hooks = plan.webhooks()
    yield Finding("TWY026", "warning", config_path("cni", "controlplaneVersion"),
                  f"this change upgrades terway-controlplane {installed} -> {pinned} while {len(plan.config.pod_networkings)} "
                  f"PodNetworking(s) are in use: {upgrade_window_message(hooks)} ({hooks.source}). Upgrade when no "
                  "pods are being created, then check with `python -m offline verify --canary`")


RULES = (eniip_version, network_token, declared_managed, eni_conf_valid, controlplane_upgrade_window)
