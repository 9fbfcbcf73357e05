"""The cloud as ackstack models it: what Alibaba Cloud and the cluster answer to pulumi-alicloud and
pulumi-kubernetes. Ids with real prefixes, computed outputs, data sources, terway-controlplane's
admission. Ids are derived from (stack, type, name), so a run is reproducible and two stacks differ.

One model, two doors: the offline engine's mocks (`ackstack.engine.providers.ProviderAnswers`) and the provider
plugins the real Pulumi CLI starts (`ackstack.engine.plugins`). The plugins keep `Cloud.state()` on disk
between CLI commands, which is also where tests inject drift.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
from dataclasses import dataclass

import yaml

from ackstack.engine.provider_model import normalise_inputs
from ackstack.engine.terway_controlplane import (
    PODNETWORKING_TYPE,
    SecretNotFound,
    admit,
    controlplane_version,
)
from ackstack.inputs.inventory import Inventory
from ackstack_core import constants as C
from ackstack_core.versions import parse_version
from components.netmath import usable_vswitch_ips

# Region-specific id infix, as seen in real ids (vpc-bp1..., sg-uf6...). Default for other regions.
_REGION_INFIX = {"cn-hangzhou": "bp1", "cn-shanghai": "uf6", "cn-beijing": "2ze", "cn-shenzhen": "wz9",
                 "ap-southeast-1": "t4n", "ap-southeast-5": "k1a", "eu-central-1": "gw8"}
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


class UnknownInvoke(RuntimeError):
    """The program called an invoke the offline engine does not answer: add it here, do not guess."""


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def _token(seed: bytes, length: int, alphabet: str = _ALPHABET) -> str:
    number = int.from_bytes(seed, "big")
    out = []
    for _ in range(length):
        number, rem = divmod(number, len(alphabet))
        out.append(alphabet[rem])
    return "".join(out)


@dataclass(frozen=True)
class Request:
    """One create/read of a resource, as either door receives it."""

    type: str
    name: str
    inputs: dict
    resource_id: str | None = None  # set for `get`/import reads of existing objects
    custom: bool = True


class Cloud:
    """Objects that exist (the inventory's and those created) and the answers derived from them."""

    def __init__(self, inventory: Inventory, stack: str = "test", region: str = "cn-hangzhou",
                 state: dict | None = None):
        self.inventory = inventory
        self.stack = stack
        self.region = region
        self.vswitches: dict[str, dict] = {v["id"]: v for v in inventory.vswitches}
        self.clusters: dict[str, dict] = {c["id"]: dict(c) for c in inventory.clusters}
        # terway-controlplane version per cluster id, from the program's add-ons or the inventory's.
        self.controlplane: dict[str, str | None] = {
            c["id"]: controlplane_version(c.get("addons")) for c in inventory.clusters}
        # kube-system/eni-config `eni_conf` as the run writes it (adopted clusters); None: unknown to the engine
        # (a new cluster's is ACK's; ackstack.engine.terway_controlplane.admit then applies validation only).
        self.eni_conf: str | None = None
        if state:
            self.vswitches.update(state.get("vswitches", {}))
            self.clusters.update(state.get("clusters", {}))
            self.controlplane.update(state.get("controlplane", {}))
            self.eni_conf = state.get("eni_conf", self.eni_conf)

    def state(self) -> dict:
        """What a later command must see of this one's creations (JSON)."""
        return {"vswitches": self.vswitches, "clusters": self.clusters, "controlplane": self.controlplane,
                "eni_conf": self.eni_conf}

    # ------------------------------------------------------------------ ids
    def _cloud_id(self, prefix: str, type_: str, name: str) -> str:
        infix = _REGION_INFIX.get(self.region, "gw8")
        return f"{prefix}-{infix}{_token(_digest(self.stack, type_, name), 20)}"

    def _hex(self, type_: str, name: str, length: int = 32) -> str:
        return _digest(self.stack, type_, name).hex()[:length]

    # ------------------------------------------------------------------ resources
    def create(self, args: Request, *, enforce: bool = True) -> tuple[str, dict]:
        """(id, outputs) of a new object; raises what the cloud refuses (terway-controlplane's webhook,
        a Secret that does not exist) unless `enforce` is off (the mocks record the refusal and go on)."""
        # State holds what the provider reads back (Go-compact add-on JSON, unordered sets), not the raw inputs.
        inputs = normalise_inputs(args.type, dict(args.inputs))
        handler = getattr(self, "_res_" + _handler_name(args.type), None)
        if handler is not None:
            return handler(args, inputs)
        if args.type.startswith("pulumi:providers:"):
            return f"{self._hex(args.type, args.name, 8)}-{self._hex(args.type, args.name + '/p', 4)}", inputs
        if args.type == "kubernetes:core/v1:Secret" and args.resource_id:
            return self._read_secret(args, enforce)
        if args.type.startswith("kubernetes:"):
            return self._kubernetes_object(args, inputs, enforce)
        if not args.custom:
            return "", inputs  # component resources have no id
        return f"{args.name}-{self._hex(args.type, args.name, 8)}", inputs

    def _res_vpc_network(self, args, inputs):
        vpc_id = args.resource_id or self._cloud_id("vpc", args.type, args.name)
        return vpc_id, {**inputs, "routeTableId": self._cloud_id("vtb", args.type, args.name),
                        "routerId": self._cloud_id("vrt", args.type, args.name), "status": "Available",
                        "vpcName": inputs.get("vpcName", args.name)}

    def _res_vpc_switch(self, args, inputs):
        vsw_id = args.resource_id or self._cloud_id("vsw", args.type, args.name)
        cidr = inputs.get("cidrBlock", "")
        record = {"id": vsw_id, "vpcId": inputs.get("vpcId"), "zoneId": inputs.get("zoneId"), "cidrBlock": cidr}
        self.vswitches[vsw_id] = record
        # The Switch resource has no availableIpAddressCount output (pulumi-alicloud 4.0.0 vpc.Switch); only the
        # getSwitches rows carry it.
        return vsw_id, {**inputs, "status": "Available", "vswitchName": inputs.get("vswitchName", args.name)}

    def _res_ecs_securitygroup(self, args, inputs):
        sg_id = args.resource_id or self._cloud_id("sg", args.type, args.name)
        return sg_id, {**inputs, "securityGroupType": inputs.get("securityGroupType", "normal"),
                       "innerAccessPolicy": inputs.get("innerAccessPolicy", "Accept")}

    def _res_ecs_securitygrouprule(self, args, inputs):
        parts = [inputs.get(k, "") for k in ("securityGroupId", "type", "ipProtocol", "portRange", "nicType",
                                               "cidrIp", "policy")] + [str(inputs.get("priority", 1))]
        return ":".join(str(p) for p in parts), {**inputs, "securityGroupRuleId": self._cloud_id("sgr", args.type,
                                                                                             args.name)}

    def _res_cs_managedkubernetes(self, args, inputs):
        cluster_id = args.resource_id or "c" + self._hex(args.type, args.name)
        vswitch_ids = inputs.get("vswitchIds") or inputs.get("workerVswitchIds") or []
        first = self.vswitches.get(vswitch_ids[0]) if vswitch_ids else None
        vpc_id = (first or {}).get("vpcId") or self._cloud_id("vpc", args.type, args.name)
        intranet_ip = _host_in((first or {}).get("cidrBlock") or "192.168.0.0/24", 253)
        public = bool(inputs.get("slbInternetEnabled"))
        public_ip = "47.96." + ".".join(str(b) for b in _digest(cluster_id)[:2])
        connections = {
            "apiServerIntranet": f"https://{intranet_ip}:6443",
            "apiServerInternet": f"https://{public_ip}:6443" if public else "",
            "masterPublicIp": public_ip if public else "",
            "serviceDomain": f"*.{cluster_id}.{self.region}.alicontainer.com",
        }
        record = {"id": cluster_id, "name": inputs.get("name", args.name), "vpcId": vpc_id,
                  "version": inputs.get("version", ""),
                  "apiServerIntranet": connections["apiServerIntranet"],
                  "apiServerInternet": connections["apiServerInternet"]}
        self.clusters[cluster_id] = record
        self.controlplane[cluster_id] = controlplane_version(inputs.get("addons"))
        outputs = {
            **inputs,
            "connections": [connections],
            "vpcId": vpc_id,
            "securityGroupId": inputs.get("securityGroupId") or self._cloud_id("sg", args.type, args.name + "/sg"),
            "natGatewayId": self._cloud_id("ngw", args.type, args.name),
            "slbId": self._cloud_id("lb", args.type, args.name),
            "slbIntranet": intranet_ip,
            "slbInternet": public_ip if public else "",
            "workerRamRoleName": f"KubernetesWorkerRole-{self._hex(args.type, args.name, 8)}",
            "clusterDomain": inputs.get("clusterDomain", "cluster.local"),
            "version": inputs.get("version", ""),
            "rrsaMetadata": {
                "enabled": bool(inputs.get("enableRrsa")),
                "rrsaOidcIssuerUrl": f"https://oidc-ack-{self.region}.oss-{self.region}.aliyuncs.com/{cluster_id}"
                if inputs.get("enableRrsa") else "",
                "ramOidcProviderName": f"ack-rrsa-{cluster_id}" if inputs.get("enableRrsa") else "",
                "ramOidcProviderArn": f"acs:ram::1234567890123456:oidc-provider/ack-rrsa-{cluster_id}"
                if inputs.get("enableRrsa") else "",
            },
        }
        return cluster_id, outputs

    def _res_cs_nodepool(self, args, inputs):
        node_pool_id = "np" + self._hex(args.type, args.name)
        return f"{inputs.get('clusterId', '')}:{node_pool_id}", {
            **inputs, "nodePoolId": node_pool_id,
            "scalingGroupId": self._cloud_id("asg", args.type, args.name),
        }

    def _res_cs_kubernetesaddon(self, args, inputs):
        if inputs.get("name") == C.ADDON_TERWAY_CONTROLPLANE:
            # Without `version` the provider leaves an installed add-on at its version (needUpgrade,
            # C.ADDON_CREATE_ADOPTS_SOURCE); ACK installs its newest only where none runs yet.
            cluster_id = inputs.get("clusterId", "")
            self.controlplane[cluster_id] = inputs.get("version") or self.controlplane.get(cluster_id)
        version = inputs.get("version") or "v1.0.0"
        return f"{inputs.get('clusterId', '')}:{inputs.get('name', '')}", {
            **inputs, "version": version, "nextVersion": version, "canUpgrade": False, "required": False,
        }

    def _read_secret(self, args, enforce: bool):
        """`Secret.get`: found when no inventory cluster lists its Secrets, or one lists this one."""
        listed = [c.get("secrets") for c in self.inventory.clusters if c.get("secrets") is not None]
        if enforce and listed and not any(args.resource_id in secrets for secrets in listed):
            raise SecretNotFound(
                f"secrets \"{args.resource_id.split('/')[-1]}\" not found in namespace {args.resource_id.split('/')[0]}: "
                f"the adopted cluster's inventory does not list it; nothing was changed")
        namespace, _, name = args.resource_id.partition("/")
        return args.resource_id, {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                  "metadata": {"name": name, "namespace": namespace}, "data": {}}

    def _kubernetes_object(self, args, inputs, enforce: bool):
        metadata = dict(inputs.get("metadata") or {})
        name = metadata.get("name") or inputs.get("name") or args.name
        namespace = metadata.get("namespace") or inputs.get("namespace")
        object_id = f"{namespace}/{name}" if namespace else name
        uid = _uuid(_digest(self.stack, args.type, object_id))
        metadata.update({"name": name, "uid": uid, "resourceVersion": str(int(uid[:6], 16)),
                         "generation": 1})
        if namespace:
            metadata["namespace"] = namespace
        outputs = {**inputs, "metadata": metadata}
        if (args.type == "kubernetes:core/v1:ConfigMapPatch" and name == C.ENI_CONFIG_CONFIGMAP_NAME
                and namespace == C.ENI_CONFIG_CONFIGMAP_NAMESPACE):
            text = (inputs.get("data") or {}).get(C.ENI_CONFIG_DATA_KEY)
            self.eni_conf = text if isinstance(text, str) else self.eni_conf
        if args.type == PODNETWORKING_TYPE and enforce:
            zones = {vid: v.get("zoneId") for vid, v in self.vswitches.items() if v.get("zoneId")}
            outputs["status"] = admit(name, inputs, self._controlplane_version(), zones, self.eni_conf)
        if args.type == "kubernetes:helm.sh/v3:Release":
            outputs["status"] = {"name": name, "namespace": namespace or "default", "status": "deployed",
                                 "revision": 1, "chart": inputs.get("chart"), "version": inputs.get("version"),
                                 "appVersion": inputs.get("version")}
        return object_id, outputs

    def kubernetes_version(self) -> str | None:
        """The one cluster's Kubernetes version (`1.34.1` of `1.34.1-aliyun.1`), if known."""
        versions = [str(parsed) for c in self.clusters.values()
                    if (parsed := parse_version(c.get("version"), patch_required=False))]
        return versions[-1] if versions else None

    def _controlplane_version(self) -> str | None:
        """The one cluster's terway-controlplane version (a program manages one cluster)."""
        versions = [v for v in self.controlplane.values() if v]
        return versions[-1] if versions else None

    # ------------------------------------------------------------------ invokes
    def invoke(self, token: str, args: dict) -> dict:
        handler = {
            "alicloud:cs/getClusterCredential:getClusterCredential": self._cluster_credential,
            "alicloud:vpc/getSwitches:getSwitches": self._switches,
            "alicloud:vpc/getNetworks:getNetworks": self._networks,
            "alicloud:ecs/getSecurityGroups:getSecurityGroups": self._security_groups,
            "alicloud:ecs/getSecurityGroupRules:getSecurityGroupRules": self._security_group_rules,
            "alicloud:cs/getClusters:getClusters": self._get_clusters,
            "alicloud:cs/getKubernetesAddons:getKubernetesAddons": self._kubernetes_addons,
        }.get(token)
        if handler is None:
            raise UnknownInvoke(f"the offline engine does not answer invoke {token}")
        return handler(args)

    def _cluster_credential(self, args: dict) -> dict:
        cluster_id = args.get("clusterId", "")
        cluster = self.clusters.get(cluster_id, {})
        server = cluster.get("apiServerInternet") or cluster.get("apiServerIntranet") or "https://192.168.0.253:6443"
        ca, cert, key = (_pem_like(cluster_id, kind) for kind in ("ca", "cert", "key"))
        user = f"{cluster_id[:12]}-admin"
        kubeconfig = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "kubernetes", "cluster": {"server": server, "certificate-authority-data": ca}}],
            "users": [{"name": user, "user": {"client-certificate-data": cert, "client-key-data": key}}],
            "contexts": [{"name": f"{user}@kubernetes", "context": {"cluster": "kubernetes", "user": user}}],
            "current-context": f"{user}@kubernetes",
            "preferences": {},
        }
        return {
            "id": cluster_id, "clusterId": cluster_id, "clusterName": cluster.get("name", cluster_id),
            "kubeConfig": yaml.safe_dump(kubeconfig, sort_keys=False),
            "certificateAuthorities": [{"clusterCert": ca, "clientCert": cert, "clientKey": key}],
            "expiration": "2027-11-23T00:00:00Z",
            "temporaryDurationMinutes": args.get("temporaryDurationMinutes"),
        }

    def _switches(self, args: dict) -> dict:
        wanted = set(args.get("ids") or [])
        items = [v for v in self.inventory.vswitches if not wanted or v["id"] in wanted]
        if args.get("vpcId"):
            items = [v for v in items if v.get("vpcId") == args["vpcId"]]
        if args.get("zoneId"):
            items = [v for v in items if v.get("zoneId") == args["zoneId"]]
        rows = [{
            "id": v["id"], "vswitchId": v["id"], "vpcId": v.get("vpcId", ""), "zoneId": v.get("zoneId", ""),
            "cidrBlock": v.get("cidrBlock", ""), "name": v.get("name", v["id"]), "vswitchName": v.get("name", v["id"]),
            "availableIpAddressCount": v.get("availableIpAddressCount", _usable(v.get("cidrBlock", ""))),
            "status": "Available", "isDefault": False, "routeTableId": v.get("routeTableId", ""),
            "creationTime": "2025-01-01T00:00:00Z", "description": "", "enableIpv6": False,
            "ipv6CidrBlock": "", "resourceGroupId": "rg-default", "tags": v.get("tags", {}),
        } for v in items]
        return {"id": self.region, "ids": [r["id"] for r in rows], "names": [r["name"] for r in rows],
                "vswitches": rows}  # GetSwitchesResult has no totalCount (pulumi-alicloud 4.0.0)

    def _networks(self, args: dict) -> dict:
        wanted = set(args.get("ids") or [])
        rows = [{"id": v["id"], "vpcId": v["id"], "cidrBlock": v.get("cidrBlock", ""), "vpcName": v.get("name", ""),
                 "status": "Available", "routeTableId": v.get("routeTableId", ""),
                 "vswitchIds": [s["id"] for s in self.inventory.vswitches if s.get("vpcId") == v["id"]]}
                for v in self.inventory.vpcs if not wanted or v["id"] in wanted]
        return {"id": self.region, "ids": [r["id"] for r in rows], "names": [r["vpcName"] for r in rows],
                "vpcs": rows, "totalCount": len(rows)}

    def _security_groups(self, args: dict) -> dict:
        wanted = set(args.get("ids") or [])
        rows = [{"id": g["id"], "name": g.get("name", g["id"]),  # rows have no securityGroupId (4.0.0)
                 "securityGroupType": g.get("type", "normal"), "vpcId": g.get("vpcId", ""),
                 "innerAccess": True, "description": "", "resourceGroupId": "rg-default",
                 "creationTime": "2025-01-01T00:00:00Z", "tags": {}}
                for g in self.inventory.security_groups if not wanted or g["id"] in wanted]
        return {"id": self.region, "ids": [r["id"] for r in rows], "names": [r["name"] for r in rows],
                "groups": rows, "totalCount": len(rows)}

    def _security_group_rules(self, args: dict) -> dict:
        group_id = args.get("groupId", "")
        rows = [{**row, "description": "", "nicType": "intranet", "priority": 1, "destGroupOwnerAccount": "",
                 "sourceGroupOwnerAccount": ""} for row in self.inventory.security_group_rules(group_id)]
        rows = [r for r in rows if not args.get("direction") or r["direction"] == args["direction"]]
        return {"id": group_id, "groupId": group_id, "groupName": group_id, "groupDesc": "", "rules": rows,
                "nicType": args.get("nicType", "internet")}

    def _get_clusters(self, args: dict) -> dict:
        wanted = set(args.get("ids") or []) | ({args["clusterId"]} if args.get("clusterId") else set())
        rows = [{"id": c["id"], "clusterId": c["id"], "clusterName": c.get("name", c["id"]),
                 "clusterSpec": c.get("clusterSpec", C.DEFAULT_CLUSTER_SPEC), "clusterType": "ManagedKubernetes",
                 "currentVersion": c.get("version", ""), "vpcId": c.get("vpcId", ""),
                 "vswitchIds": c.get("vswitchIds", []), "state": "running", "regionId": self.region,
                 "securityGroupId": c.get("securityGroupId", ""), "podCidr": c.get("podCidr", ""),
                 "serviceCidr": c.get("serviceCidr", ""), "proxyMode": "ipvs", "deletionProtection": True,
                 "tags": {}} for c in self.clusters.values() if not wanted or c["id"] in wanted]
        return {"id": self.region, "ids": [r["id"] for r in rows], "clusters": rows}


    def _kubernetes_addons(self, args: dict) -> dict:
        cluster = self.clusters.get(args.get("clusterId", ""), {})
        addons = (self.inventory.find("clusters", args.get("clusterId", "")) or {}).get("addons") or {}
        rows = [{"name": name, "currentVersion": version, "nextVersion": version, "currentConfig": "",
                 "required": False, "supportedActions": []} for name, version in addons.items()]
        return {"id": cluster.get("id", args.get("clusterId", "")), "clusterId": args.get("clusterId", ""),
                "ids": [r["name"] for r in rows], "names": [r["name"] for r in rows], "addons": rows}


def _handler_name(type_token: str) -> str:
    """`alicloud:vpc/switch:Switch` -> `vpc_switch`; used to find `_res_<module>_<type>`."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "alicloud":
        return ""
    return f"{parts[1].split('/')[0]}_{parts[2]}".lower()


def _usable(cidr: str) -> int:
    """What DescribeVSwitches reports as available on an empty vSwitch."""
    try:
        return usable_vswitch_ips(cidr, C.VSWITCH_RESERVED_IPS)
    except ValueError:
        return 0


def _host_in(cidr: str, index: int) -> str:
    network = ipaddress.IPv4Network(cidr, strict=False)
    return str(network.network_address + min(index, network.num_addresses - 2))


def _uuid(seed: bytes) -> str:
    h = seed.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _pem_like(cluster_id: str, kind: str) -> str:
    """Base64 of a PEM-shaped block: syntactically what kubeconfig carries, not a usable key."""
    label = {"ca": "CERTIFICATE", "cert": "CERTIFICATE", "key": "RSA PRIVATE KEY"}[kind]
    body = base64.b64encode(_digest(cluster_id, kind) * 8).decode()
    pem = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"
    return base64.b64encode(pem.encode()).decode()


