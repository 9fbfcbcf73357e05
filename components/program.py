"""The program `__main__.py` runs: read config once, validate everything, then register resources.

Nothing is registered until every rule has run and no error was found, so a bad config never leaves
a half-created stack behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pulumi

from components.config_loader import load, read_runtime_config
from components.plan import CloudFacts, NetworkPlan, build_plan, read_cloud_facts, referenced_ids
from components.secrets import Concealer, secret_texts, stack_file_secure_paths
from components.validation.catalog import run_rules
from components.validation.findings import Finding, ValidationFailed, has_errors


def validate(raw_config: dict, concealer: Concealer | None = None,
             read_facts: Callable[..., CloudFacts] = read_cloud_facts,
             ) -> tuple[NetworkPlan | None, list[Finding], dict[str, str]]:
    """Parse and check a config map; returns the plan only when there is no error.

    Findings never hold a secret text (`concealer` knows them). `read_facts(vswitch_ids, sg_ids,
    vpc_ids, cluster_ids)` reads adopted objects: invokes in the program, the inventory for
    `ackstack verify`.
    """
    concealer = concealer or Concealer(())
    loaded = load(raw_config, concealer)
    if concealer and (secret_names := concealer.name_findings(raw_config)):
        return None, redacted(loaded.findings + secret_names, concealer), loaded.secrets
    if loaded.config is None:
        return None, redacted(loaded.findings, concealer), loaded.secrets
    plan = build_plan(loaded.config, read_facts(*referenced_ids(loaded.config)))
    plan.node_password_set = bool(loaded.secrets.get("nodePassword"))
    findings = redacted(run_rules(plan), concealer)
    return (None if has_errors(findings) else plan), findings, loaded.secrets


def redacted(findings: list[Finding], concealer: Concealer) -> list[Finding]:
    if not concealer:
        return findings
    return [replace(f, message=concealer.mask(f.message)) for f in findings]


def main() -> None:
    raw, secret_keys = read_runtime_config()
    concealer = Concealer(secret_texts(raw, secret_keys, stack_file_secure_paths(pulumi.get_stack())))
    plan, findings, secrets = validate(raw, concealer)
    if plan is None:
        raise ValidationFailed(findings)
    for finding in findings:
        pulumi.log.warn(finding.line())
    if concealer:
        pulumi.runtime.register_stack_transformation(concealer.transformation)
    outputs = build(plan, secrets)
    for name, value in outputs.items():
        pulumi.export(name, value)


def build(plan: NetworkPlan, secrets: dict[str, str]) -> dict:
    """Compose the components for a validated plan (their Args from `components.stack_adapter`); returns the
    stack outputs."""
    from components import stack_adapter as adapt
    from components.cluster import AckProCluster
    from components.cni import strategy_for
    from components.network import Network
    from components.nodepool import NodePool

    config = plan.config
    network = Network(f"{config.environment.name}", adapt.network_args(plan))
    outputs: dict = {
        "vpcId": network.vpc_id,
        "vswitchIds": network.vswitch_ids,
        "securityGroupIds": network.security_group_ids,
    }
    if config.cluster.existing is not None:
        from components.cni.terway import terway_controlplane_config, terway_trunk
        from components.existing_cluster import ExistingTerwayCluster

        existing = ExistingTerwayCluster(
            config.cluster.name, adapt.existing_cluster_args(plan, network, terway_controlplane_config(plan)))
        terway_trunk(plan, network, existing)
        outputs.update(clusterId=existing.cluster_id, kubeconfig=existing.kubeconfig)
        return outputs

    node_password = secrets.get("nodePassword")
    cni = strategy_for(plan)
    cluster = AckProCluster(config.cluster.name, adapt.cluster_args(plan, network, cni),
                            opts=pulumi.ResourceOptions(depends_on=adapt.pod_network_resources(plan, network)))
    node_pools = {
        pool.name: NodePool(f"{config.cluster.name}-np-{pool.name}",
                            adapt.node_pool_args(plan, network, pool, cluster.cluster_id, node_password),
                            opts=pulumi.ResourceOptions(parent=cluster))
        for pool in config.cluster.node_pools
    }
    cni.install(plan, network, cluster)
    outputs.update(
        clusterId=cluster.cluster_id,
        apiServerIntranet=cluster.api_server_intranet,
        kubeconfig=cluster.kubeconfig,
        nodePoolIds={name: pool.node_pool_id for name, pool in node_pools.items()},
        cniMode=cni.mode,
    )
    return outputs
