"""The offline engine's door to the cloud model: `pulumi.runtime.set_mocks` answers from `ackstack.engine.cloud`."""

from __future__ import annotations

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from ackstack.engine.cloud import Cloud, Request, UnknownInvoke
from ackstack.engine.terway_controlplane import AdmissionDenied, NotReady, SecretNotFound
from ackstack.inputs.inventory import Inventory

__all__ = ["ProviderAnswers", "UnknownInvoke"]


class ProviderAnswers(Mocks):
    """`Mocks` implementation shared by tests and the offline preview."""

    def __init__(self, inventory: Inventory, stack: str = "test", region: str = "cn-hangzhou"):
        self.cloud = Cloud(inventory, stack=stack, region=region)
        self.invokes: list[tuple[str, dict]] = []
        self.refusals: list[Exception] = []  # what the cloud refused (terway-controlplane, a missing Secret)

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        request = Request(args.typ, args.name, dict(args.inputs), args.resource_id or None, args.custom)
        try:
            return self.cloud.create(request)
        except (AdmissionDenied, NotReady, SecretNotFound) as refused:
            # Recorded, not raised: an exception inside the SDK's registration thread leaves its event loop
            # half-unwound; the engine reports the first refusal as the run's error instead.
            self.refusals.append(refused)
            return self.cloud.create(request, enforce=False)

    def call(self, args: MockCallArgs) -> tuple[dict, list | None]:
        return self.cloud.invoke(args.token, args.args), []
