"""Pre-existing cloud objects the offline engine answers invokes from (adopted VPCs, vSwitches,
security groups, clusters). Users supply it as YAML (`inventory/<stack>.yaml` or `--inventory`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ackstack.inputs.yaml_input import YamlInputError, read_yaml_file
from components.netmath import parse_ipv4_network

KINDS = ("vpcs", "vswitches", "securityGroups", "clusters")


# Fields the engine and the plan read as text (ids, CIDRs, zones, types).
_TEXT_FIELDS = frozenset({"id", "zoneId", "cidrBlock", "vpcId", "type", "clusterSpec", "name", "regionId"})


def _is_cidr(text: str) -> bool:
    try:
        parse_ipv4_network(text)
    except ValueError:
        return False
    return True


class InventoryError(ValueError):
    pass


@dataclass
class Inventory:
    vpcs: list[dict] = field(default_factory=list)
    vswitches: list[dict] = field(default_factory=list)
    security_groups: list[dict] = field(default_factory=list)
    clusters: list[dict] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, data: dict | None, source: str = "inventory") -> Inventory:
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise InventoryError(f"{source}: top level must be a mapping with keys {', '.join(KINDS)}")
        unknown = sorted(str(k) for k in set(data) - set(KINDS))
        if unknown:
            raise InventoryError(f"{source}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(KINDS)}")
        lists = {}
        for kind in KINDS:
            items = data.get(kind)
            items = [] if items is None else items
            if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
                raise InventoryError(f"{source}: `{kind}` must be a list of mappings, each with an `id`")
            for index, item in enumerate(items):
                wrong = sorted(str(k) for k, v in item.items() if k in _TEXT_FIELDS and not isinstance(v, str))
                if wrong:
                    raise InventoryError(f"{source}: `{kind}[{index}]` field(s) {', '.join(wrong)} must be strings")
                if "cidrBlock" in item and not _is_cidr(item["cidrBlock"]):
                    raise InventoryError(f"{source}: `{kind}[{index}].cidrBlock` {item['cidrBlock']!r} is not an "
                                         "IPv4 CIDR block (what the cloud reports, e.g. 172.16.0.0/12)")
            lists[kind] = items
        return cls(lists["vpcs"], lists["vswitches"], lists["securityGroups"], lists["clusters"])

    @classmethod
    def load(cls, path: str | Path) -> Inventory:
        path = Path(path)
        try:
            data = read_yaml_file(path, "inventory")
        except YamlInputError as exc:
            raise InventoryError(str(exc)) from None
        return cls.from_mapping(data, str(path))

    def cloud_facts(self):
        """The facts `components.plan.read_cloud_facts` would read through invokes."""
        from ackstack_core import constants as C
        from components.plan import CloudFacts

        return CloudFacts(
            vswitches={v["id"]: {"zoneId": v.get("zoneId"), "cidrBlock": v.get("cidrBlock"), "vpcId": v.get("vpcId")}
                       for v in self.vswitches},
            security_groups={g["id"]: {"securityGroupType": g.get("type", "normal"), "vpcId": g.get("vpcId"),
                                       "rules": [security_group_rule_row(r) for r in g.get("rules") or []]}
                             for g in self.security_groups},
            vpcs={v["id"]: {"cidrBlock": v.get("cidrBlock")} for v in self.vpcs},
            clusters={c["id"]: {"clusterSpec": c.get("clusterSpec", C.DEFAULT_CLUSTER_SPEC), "vpcId": c.get("vpcId"),
                                "addons": dict(c.get("addons") or {}),
                                **({"secrets": list(c["secrets"])} if c.get("secrets") is not None else {}),
                                **({C.INVENTORY_WEBHOOKS_KEY: c[C.INVENTORY_WEBHOOKS_KEY]}
                                   if isinstance(c.get(C.INVENTORY_WEBHOOKS_KEY), dict) else {})}
                      for c in self.clusters},
        )

    def security_group_rules(self, group_id: str) -> list[dict]:
        group = self.find("securityGroups", group_id) or {}
        return [security_group_rule_row(r) for r in group.get("rules") or []]

    def find(self, kind: str, id_: str) -> dict | None:
        items = {"vpcs": self.vpcs, "vswitches": self.vswitches, "securityGroups": self.security_groups,
                 "clusters": self.clusters}[kind]
        return next((i for i in items if i["id"] == id_), None)


def security_group_rule_row(rule: dict) -> dict:
    """An inventory rule (`direction`, `protocol`, `portRange`, `cidr` or `sourceGroupId`, `policy`) as the
    getSecurityGroupRules data source returns it."""
    ingress = rule.get("direction", "ingress") == "ingress"
    cidr, group = rule.get("cidr", ""), rule.get("sourceGroupId", "")
    return {"direction": "ingress" if ingress else "egress", "ipProtocol": rule.get("protocol", "all"),
            "portRange": rule.get("portRange", "-1/-1"), "policy": rule.get("policy", "accept"),
            "sourceCidrIp": cidr if ingress else "", "destCidrIp": "" if ingress else cidr,
            "sourceGroupId": group if ingress else "", "destGroupId": "" if ingress else group}
