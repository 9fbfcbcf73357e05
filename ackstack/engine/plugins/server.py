"""Serving a provider the way the Pulumi engine starts plugins, and the parts both providers share.

The engine runs the plugin with its own gRPC address as the first argument (flags such as
`--logtostderr` or `-v=N` may come too), reads the port from the first line of stdout, and stops the
plugin by closing the connection or with SIGTERM (pulumi sdk/v3@v3.276.0
go/common/resource/plugin/plugin.go newPlugin and provider_plugin.go NewProvider).
"""

from __future__ import annotations

import signal
import sys
import threading
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from ackstack.engine import bridge
from ackstack.engine.bridge import Diff
from ackstack.engine.engine import integral_numbers

_KIND = {"ADD": provider_pb2.PropertyDiff.ADD, "ADD_REPLACE": provider_pb2.PropertyDiff.ADD_REPLACE,
         "DELETE": provider_pb2.PropertyDiff.DELETE, "DELETE_REPLACE": provider_pb2.PropertyDiff.DELETE_REPLACE,
         "UPDATE": provider_pb2.PropertyDiff.UPDATE, "UPDATE_REPLACE": provider_pb2.PropertyDiff.UPDATE_REPLACE}


def to_dict(struct: struct_pb2.Struct | None) -> dict:
    """Wire properties as plain data (numbers as Python numbers; secrets and unknowns kept as they come)."""
    if struct is None:
        return {}
    return integral_numbers(json_format.MessageToDict(struct))




def to_struct(value: dict) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def plain(value: Any) -> Any:
    """Without Pulumi's secret wrappers (the cloud stores what it was sent; what leaves stays wrapped)."""
    if bridge.is_secret(value):
        return plain(bridge.reveal(value))
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def urn_stack(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>`."""
    return urn.split("::", 1)[0].removeprefix("urn:pulumi:")


def urn_type(urn: str) -> str:
    return urn.split("::")[-2].rsplit("$", 1)[-1]


def diff_response(diff: Diff) -> provider_pb2.DiffResponse:
    return provider_pb2.DiffResponse(
        changes=provider_pb2.DiffResponse.DIFF_SOME if diff.changed else provider_pb2.DiffResponse.DIFF_NONE,
        replaces=diff.replaces, stables=diff.stables, deleteBeforeReplace=diff.delete_before_replace,
        diffs=diff.diffs, hasDetailedDiff=True,
        detailedDiff={path: provider_pb2.PropertyDiff(kind=_KIND[kind], inputDiff=True)
                      for path, kind in diff.detailed.items()})


class ProviderBase(provider_pb2_grpc.ResourceProviderServicer):
    """What both plugins answer alike: plugin info, config, cancel, attach."""

    name = ""
    version = ""

    def __init__(self) -> None:
        self.config: dict[str, str] = {}
        self.lock = threading.RLock()  # the engine calls in parallel; the cloud model is not thread-safe

    def GetPluginInfo(self, request, context):  # noqa: N802 - gRPC method names
        return plugin_pb2.PluginInfo(version=self.version)

    def CheckConfig(self, request, context):  # noqa: N802
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request, context):  # noqa: N802
        olds, news = to_dict(request.olds), to_dict(request.news)
        changed = sorted(k for k in set(olds) | set(news) if olds.get(k) != news.get(k) and not k.startswith("__"))
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed)

    def Configure(self, request, context):  # noqa: N802
        self.config = dict(request.variables)
        self.configured(to_dict(request.args) if request.HasField("args") else {})
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=True, acceptResources=True)

    def configured(self, args: dict) -> None:
        """The provider's own settings from Configure (region, kubeconfig)."""

    def Cancel(self, request, context):  # noqa: N802
        return empty_pb2.Empty()

    def Attach(self, request, context):  # noqa: N802
        return empty_pb2.Empty()


def serve(provider: ProviderBase, argv: list[str]) -> int:
    """Listen on a free local port, print it, serve until the engine is gone or SIGTERM comes."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_receive_message_length", 256 << 20),
                                  ("grpc.max_send_message_length", 256 << 20)])
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(provider, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    engine = next((a for a in argv if not a.startswith("-")), None)
    if engine:
        threading.Thread(target=_watch_engine, args=(engine, done), daemon=True).start()
    done.wait()
    server.stop(grace=1).wait()
    return 0


def _watch_engine(address: str, done: threading.Event) -> None:
    """End with the engine: a plugin must not outlive the CLI command that started it."""
    channel = grpc.insecure_channel(address)
    failures = 0
    while not done.wait(1.0):
        try:
            grpc.channel_ready_future(channel).result(timeout=2)
            failures = 0
        except grpc.FutureTimeoutError:
            failures += 1
            if failures >= 3:
                done.set()
    channel.close()
    sys.stdout.flush()
