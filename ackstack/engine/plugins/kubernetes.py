"""`pulumi-resource-kubernetes` 4.34.2 as ackstack models it (`ackstack.engine.kubernetes_model`): Namespaces and
Patches, PodNetworkings admitted by the terway-controlplane model (Ready or failed, as the program's
`pulumi.com/waitFor` asks), the Cilium `helm.v3.Release` loaded and rendered by the real helm, the token
Secret read on adopted clusters."""

from __future__ import annotations

import os

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2

from ackstack.engine import bridge, kubernetes_model
from ackstack.engine.cloud import Cloud, Request
from ackstack.engine.plan_steps import checked_inputs, planned_diff
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
from ackstack.engine.provider_model import T_HELM_RELEASE
from ackstack.engine.terway_controlplane import AdmissionDenied, NotReady, SecretNotFound
from ackstack.inputs.inventory import Inventory
from components import cilium_render

PROVIDER = "kubernetes"
VERSION = "4.34.2"  # the pulumi-kubernetes SDK pin (requirements.txt)
DEFAULT_KUBE_VERSION = "1.34.0"  # helm's --kube-version when the cluster's is not known to the cloud


class KubernetesProvider(ProviderBase):
    name, version = PROVIDER, VERSION

    def __init__(self, store: Store, inventory: Inventory):
        super().__init__()
        self.store = store
        self.inventory = inventory

    def _cloud(self, stack: str) -> Cloud:
        return Cloud(self.inventory, stack=stack, state=self.store.read("cloud"))

    def Check(self, request, context):  # noqa: N802 - gRPC method names
        inputs, failures = checked_inputs(urn_type(request.urn), urn_name(request.urn), to_dict(request.news),
                                          to_dict(request.olds) if request.HasField("olds") else None,
                                          request.randomSeed)
        return provider_pb2.CheckResponse(inputs=to_struct(inputs), failures=[
            provider_pb2.CheckFailure(property=prop, reason=reason) for prop, reason in failures])

    def Diff(self, request, context):  # noqa: N802
        olds = to_dict(request.old_inputs) if request.HasField("old_inputs") else to_dict(request.olds)
        return diff_response(planned_diff(urn_type(request.urn), to_dict(request.olds), to_dict(request.news),
                                          olds, list(request.ignoreChanges)))

    def Create(self, request, context):  # noqa: N802
        type_, name = urn_type(request.urn), urn_name(request.urn)
        inputs = to_dict(request.properties)
        if request.preview:
            return provider_pb2.CreateResponse(properties=to_struct(inputs))
        try:
            with self.lock:
                cloud = self._cloud(urn_stack(request.urn))
                resource_id, outputs = cloud.create(Request(type_, name, plain(inputs)))
            if type_ == T_HELM_RELEASE:
                outputs["resourceNames"] = kubernetes_model.rendered_resource_names(
                    plain(inputs), cloud.kubernetes_version() or DEFAULT_KUBE_VERSION)
        except (AdmissionDenied, NotReady, cilium_render.RenderError) as refused:
            context.abort(grpc.StatusCode.UNKNOWN, str(refused))
        outputs = {**outputs, **{k: v for k, v in inputs.items() if bridge.is_secret(v)}}
        self.store.put(PROVIDER, _key(type_, resource_id), type_, request.urn, outputs)
        return provider_pb2.CreateResponse(id=resource_id, properties=to_struct(outputs))

    def Read(self, request, context):  # noqa: N802
        type_ = urn_type(request.urn)
        stored = self.store.objects(PROVIDER).get(_key(type_, request.id))
        if stored is None and type_ == "kubernetes:core/v1:Secret":  # `Secret.get` of an existing object
            try:
                with self.lock:
                    _, outputs = self._cloud(urn_stack(request.urn)).create(
                        Request(type_, urn_name(request.urn), {}, request.id))
            except SecretNotFound as missing:
                context.abort(grpc.StatusCode.NOT_FOUND, str(missing))
            return provider_pb2.ReadResponse(id=request.id, properties=to_struct(outputs),
                                             inputs=to_struct({}))
        if stored is None:
            return provider_pb2.ReadResponse()
        return provider_pb2.ReadResponse(id=request.id, properties=to_struct(stored["outputs"]),
                                         inputs=request.inputs)

    def Update(self, request, context):  # noqa: N802
        type_ = urn_type(request.urn)
        outputs = {**to_dict(request.olds), **to_dict(request.news)}
        if not request.preview:
            self.store.put(PROVIDER, _key(type_, request.id), type_, request.urn, outputs)
        return provider_pb2.UpdateResponse(properties=to_struct(outputs))

    def Delete(self, request, context):  # noqa: N802
        self.store.remove(PROVIDER, _key(urn_type(request.urn), request.id))
        return empty_pb2.Empty()


def _key(type_: str, resource_id: str) -> str:
    """Kubernetes ids (`ns/name`) repeat across kinds; the store keys by both."""
    return f"{type_}|{resource_id}"


def make(store: Store) -> KubernetesProvider:
    inventory_file = os.environ.get(INVENTORY_ENV)
    inventory = Inventory.load(inventory_file) if inventory_file else Inventory()
    return KubernetesProvider(store, inventory)
