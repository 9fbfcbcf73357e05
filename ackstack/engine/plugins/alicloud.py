"""`pulumi-resource-alicloud` 4.0.0 as ackstack models it: the bridge's Check and Diff over the extracted
schema (`ackstack.engine.bridge`), the provider's refusals (`ackstack.engine.provider_check`), ids and computed outputs
and data sources from the cloud model (`ackstack.engine.cloud`), kept between commands in the store."""

from __future__ import annotations

import os

from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2

from ackstack.engine import bridge
from ackstack.engine.cloud import Cloud, Request, UnknownInvoke
from ackstack.engine.plan_steps import checked_inputs, planned_diff, planned_outputs
from ackstack.engine.plugins.server import (
    ProviderBase,
    diff_response,
    plain,
    to_dict,
    to_struct,
    urn_name,
    urn_stack,
    urn_type,
)
from ackstack.engine.plugins.store import INVENTORY_ENV, Store
from ackstack.engine.provider_model import normalise_inputs
from ackstack.inputs.inventory import Inventory
from ackstack_core.provider_schema import SCHEMA

PROVIDER = "alicloud"
VERSION = "4.0.0"  # the pulumi-alicloud SDK pin (requirements.txt); the CLI asks for this plugin version
REGION_CONFIG = "alicloud:config:region"


class AlicloudProvider(ProviderBase):
    name, version = PROVIDER, VERSION

    def __init__(self, store: Store, inventory: Inventory):
        super().__init__()
        self.store = store
        self.inventory = inventory
        self.region = "cn-hangzhou"

    def configured(self, args: dict) -> None:
        self.region = str(args.get("region") or self.config.get(REGION_CONFIG) or self.region)

    def _cloud(self, stack: str) -> Cloud:
        return Cloud(self.inventory, stack=stack, region=self.region, state=self.store.read("cloud"))

    # ------------------------------------------------------------------ Check / Diff
    def Check(self, request, context):  # noqa: N802 - gRPC method names
        inputs, failures = checked_inputs(urn_type(request.urn), urn_name(request.urn), to_dict(request.news),
                                          to_dict(request.olds) if request.HasField("olds") else None,
                                          request.randomSeed)
        return provider_pb2.CheckResponse(inputs=to_struct(inputs), failures=[
            provider_pb2.CheckFailure(property=prop, reason=reason) for prop, reason in failures])

    def Diff(self, request, context):  # noqa: N802
        return diff_response(planned_diff(urn_type(request.urn), to_dict(request.olds), to_dict(request.news),
                                          ignore_changes=list(request.ignoreChanges)))

    # ------------------------------------------------------------------ lifecycle
    def Create(self, request, context):  # noqa: N802
        type_, name = urn_type(request.urn), urn_name(request.urn)
        inputs = to_dict(request.properties)
        if request.preview:
            return provider_pb2.CreateResponse(properties=to_struct(planned_outputs(type_, inputs)))
        with self.lock, self.store.locked():
            cloud = self._cloud(urn_stack(request.urn))
            resource_id, outputs = cloud.create(Request(type_, name, plain(inputs)))
            self.store.write("cloud", cloud.state())
        outputs = _secrets_kept(type_, inputs, outputs)
        self.store.put(PROVIDER, resource_id, type_, request.urn, outputs)
        return provider_pb2.CreateResponse(id=resource_id, properties=to_struct(outputs))

    def Read(self, request, context):  # noqa: N802
        stored = self.store.objects(PROVIDER).get(request.id)
        if stored is None:
            return provider_pb2.ReadResponse()  # gone: refresh drops it from the state
        outputs = stored["outputs"]
        old_inputs = to_dict(request.inputs)
        # pulumi-terraform-bridge v3.136.0 schema.go:2012 ExtractInputsFromOutputs: an input takes the value
        # the provider read back for it (so drift shows against the program on the next preview).
        inputs = {k: (outputs[k] if k in outputs and k != bridge.DEFAULTS_KEY else v) for k, v in old_inputs.items()}
        return provider_pb2.ReadResponse(id=request.id, properties=to_struct(outputs), inputs=to_struct(inputs))

    def Update(self, request, context):  # noqa: N802
        type_ = urn_type(request.urn)
        olds, news = to_dict(request.olds), to_dict(request.news)
        outputs = _secrets_kept(type_, news, {**olds, **normalise_inputs(type_, plain(news))})
        if request.preview:
            return provider_pb2.UpdateResponse(properties=to_struct(outputs))
        self.store.put(PROVIDER, request.id, type_, request.urn, outputs)
        return provider_pb2.UpdateResponse(properties=to_struct(outputs))

    def Delete(self, request, context):  # noqa: N802
        self.store.remove(PROVIDER, request.id)
        return empty_pb2.Empty()

    # ------------------------------------------------------------------ data sources
    def Invoke(self, request, context):  # noqa: N802
        with self.lock:
            cloud = self._cloud(os.environ.get("PULUMI_STACK", "test"))
            try:
                result = cloud.invoke(request.tok, to_dict(request.args))
            except UnknownInvoke as exc:
                return provider_pb2.InvokeResponse(failures=[provider_pb2.CheckFailure(reason=str(exc))])
        return provider_pb2.InvokeResponse(**{"return": to_struct(result)})


def _secrets_kept(type_: str, inputs: dict, outputs: dict) -> dict:
    """Outputs with every secret input still secret, and the schema's Sensitive fields made secret
    (pulumi-terraform-bridge v3.136.0 provider.go Check/Create: MarkSchemaSecrets)."""
    fields = (SCHEMA.get(type_) or {}).get("fields", {})
    out = dict(outputs)
    for key, value in out.items():
        if bridge.is_secret(inputs.get(key)) or (fields.get(key, {}).get("sensitive") and value not in (None, "")):
            out[key] = bridge.secret(bridge.reveal(value))
    return out


def make(store: Store) -> AlicloudProvider:
    inventory_file = os.environ.get(INVENTORY_ENV)
    inventory = Inventory.load(inventory_file) if inventory_file else Inventory()
    return AlicloudProvider(store, inventory)
