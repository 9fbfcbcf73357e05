"""The offline engine: `pulumi.runtime.set_mocks` answering like pulumi-alicloud and pulumi-kubernetes.

Tests and `ackstack preview` both run the real program through `run_program`. It records
every registration as the engine sees it (including dependencies and options, which the stock
`MockMonitor` drops) and answers invokes from an inventory of pre-existing cloud objects.
"""

from __future__ import annotations

import contextvars
import gc
import importlib
import logging
import runpy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from ackstack.engine.provider_check import CheckFailure, check
from ackstack.engine.providers import ProviderAnswers
from ackstack.inputs.inventory import Inventory

SECRET_SIG = {rpc._special_sig_key: rpc._special_secret_sig}
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
MASK = "[secret]"


@dataclass
class Registration:
    """One RegisterResource call, as the engine received it."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    provider: str | None
    protect: bool
    options: dict
    id: str = ""
    outputs: dict = field(default_factory=dict)


@dataclass
class ProgramRun:
    stack: str
    project: str
    registrations: list[Registration]
    outputs: dict[str, Any]
    secret_outputs: set[str]
    invokes: list[tuple[str, dict]]
    logs: list[tuple[str, str]]
    error: BaseException | None = None
    # What the provider's Check would refuse (ackstack/engine/provider_check.py), with the URN refused.
    check_failures: list[tuple[str, CheckFailure]] = field(default_factory=list)
    # (token, args, result) of every invoke, for the engine's view of a preview (ackstack/engine/engine_view.py).
    invoke_results: list[tuple[str, dict, dict]] = field(default_factory=list)
    # Existing objects the program read (`Resource.get`): the engine shows them as `read` steps.
    reads: list[Registration] = field(default_factory=list)

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> Registration:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {type_} {name or ''}, found {[r.name for r in found]}")
        return found[0]

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.registrations}


class RecordingMonitor(MockMonitor):
    """A MockMonitor that keeps what the stock one drops: dependencies, parent, provider, options."""

    def __init__(self, answers: ProviderAnswers):
        super().__init__(answers)
        self.registrations: list[Registration] = []
        self.check_failures: list[tuple[str, CheckFailure]] = []
        self.invoke_results: list[tuple[str, dict, dict]] = []
        self.reads: list[Registration] = []

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the engine gives: the parent's whole qualified type, none for the root stack's children.

        The SDK's MockMonitor keeps only the parent's last type and prefixes the stack's, so every top-level
        component and every grandchild had a URN no real state holds. Source: pulumi pkg/v3@v3.276.0
        resource/deploy/deployment.go:857-867 generateURN, sdk/v3@v3.276.0 go/common/resource/urn/urn.go:80-93."""
        if parent:
            qualified = parent.split("::")[2]
            if qualified != ROOT_STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{type_}::{name}"

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        if request.custom:
            self.check_failures += [(response.urn, f) for f in check(request.type, request.name, inputs)]
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=request.parent or None,
                custom=bool(request.custom),
                inputs=inputs,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                provider=request.provider or None,
                protect=bool(request.protect),
                options=_options(request),
                id=response.id,
                outputs=self.resources[response.urn].state if response.urn in self.resources else {},
            )
        )
        return response

    def ReadResource(self, request):  # noqa: N802
        response = super().ReadResource(request)
        self.reads.append(Registration(
            urn=response.urn, type=request.type, name=request.name, parent=request.parent or None, custom=True,
            inputs={}, dependencies=list(request.dependencies), property_dependencies={},
            provider=request.provider or None, protect=False, options={"read": True}, id=request.id,
            outputs=self.resources[response.urn].state if response.urn in self.resources else {}))
        return response

    def Invoke(self, request):  # noqa: N802
        args = rpc.deserialize_properties(request.args)
        self.mocks.invokes.append((request.tok, args))
        response = super().Invoke(request)
        self.invoke_results.append((request.tok, args, json_format.MessageToDict(response)["return"]
                                    if response.HasField("return") else {}))
        return response


def _options(request) -> dict:
    opts: dict[str, Any] = {}
    if request.deleteBeforeReplace:
        opts["deleteBeforeReplace"] = True
    if request.ignoreChanges:
        opts["ignoreChanges"] = list(request.ignoreChanges)
    if request.replaceOnChanges:
        opts["replaceOnChanges"] = list(request.replaceOnChanges)
    if getattr(request, "retainOnDelete", False):
        opts["retainOnDelete"] = True
    timeouts = request.customTimeouts
    if timeouts.create or timeouts.update or timeouts.delete:
        opts["customTimeouts"] = {k: v for k, v in (("create", timeouts.create), ("update", timeouts.update),
                                                    ("delete", timeouts.delete)) if v}
    if request.importId:
        opts["importId"] = request.importId
    if request.deletedWith:
        opts["deletedWith"] = request.deletedWith
    return opts


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[tuple[str, str]]):
        super().__init__(logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append((record.levelname.lower(), record.getMessage()))


def run_program(
    program: Callable[[], Any] | str | Path,
    *,
    config: Mapping[str, Any],
    stack: str = "test",
    project: str = "ackstack",
    secret_keys: tuple[str, ...] | list[str] = (),
    inventory: Inventory | None = None,
    preview: bool = True,
) -> ProgramRun:
    """Run a Pulumi program (a callable, `module:function`, or the path of a `__main__.py`) under the offline engine.

    Each run happens in a fresh `contextvars.Context`, so no Pulumi settings, config or root stack
    leak between runs (or tests).
    """
    return contextvars.Context().run(
        _run, program, dict(config), stack, project, list(secret_keys), inventory or Inventory(), preview
    )


def _run(program, config, stack, project, secret_keys, inventory, preview) -> ProgramRun:
    answers = ProviderAnswers(inventory, stack=stack, region=str(config.get("alicloud:region", "cn-hangzhou")))
    monitor = RecordingMonitor(answers)
    logs: list[tuple[str, str]] = []
    # INFO and above only: the SDK's per-resource debug chatter (~5 lines per resource) is read by nobody
    # and costs ~1 ms per resource to record (bench/bench_scaling.py).
    logger = logging.Logger(f"ackstack.offline.{stack}", logging.INFO)
    logger.addHandler(_ListHandler(logs))
    pulumi.runtime.set_mocks(answers, project=project, stack=stack, preview=preview, monitor=monitor, logger=logger)
    pulumi.runtime.set_all_config({k: _config_text(v) for k, v in config.items()}, secret_keys)
    # The SDK's settings can share the RPC manager and the set of pending outputs between runs (as
    # pulumi.runtime.test does, start clean): a failed output of one run (e.g. a webhook denial answered
    # by the mocks) would otherwise be awaited, and re-raised, by the next run.
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()

    if isinstance(program, str) and ":" in program and not Path(program).exists():
        module, _, function = program.partition(":")
        body = getattr(importlib.import_module(module), function)
    elif isinstance(program, str | Path):
        path = Path(program)

        def body() -> None:
            runpy.run_path(str(path), run_name="__main__")
    else:
        body = program

    error: BaseException | None = None
    # The SDK allocates many short-lived container objects per resource (tasks, futures, Outputs); with
    # the default gen-0 threshold (700) the cyclic GC re-scans the growing heap so often that a
    # 1,000-PodNetworking program spends ~1/3 of its time in GC. Collect less often while the program
    # runs, then restore the caller's thresholds (bench/bench_scaling.py).
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], 50_000), max(thresholds[1], 50), max(thresholds[2], 100))
    try:
        _sync_await(run_pulumi_func(body))
    except Exception as exc:  # reported by the caller: validation report, or a bug to surface
        error = exc
    finally:
        gc.set_threshold(*thresholds)
    if error is None and answers.refusals:
        error = answers.refusals[0]  # `pulumi up` stops at the first refused object
    outputs, secret_outputs = _resolve_outputs()
    return ProgramRun(stack, project, monitor.registrations, outputs, secret_outputs, answers.invokes, logs, error,
                      monitor.check_failures, monitor.invoke_results, monitor.reads)


def _config_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value)


def _resolve_outputs() -> tuple[dict[str, Any], set[str]]:
    root = pulumi.runtime.get_root_resource()
    values: dict[str, Any] = {}
    secret: set[str] = set()
    for name, value in getattr(root, "outputs", {}).items():
        output = pulumi.Output.from_input(value)
        values[name] = _sync_await(output.future())
        if _sync_await(output.is_secret()):
            secret.add(name)
    return values, secret


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


def integral_numbers(value: Any) -> Any:
    """Whole floats as ints: the engine's wire (protobuf Struct) carries every number as a float, and `replicas: 2.0`
    in a values file or a plugin's answer would read as another value."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [integral_numbers(v) for v in value]
    return value


def mask_secret_leaves(value: Any, concealer: Any = None) -> Any:
    """`mask_secrets`, but each secret masked where it is rather than its whole top-level property.

    Why: the SDK's deserialiser (pulumi.runtime.rpc.deserialize_property) lifts a nested secret to the
    top-level property, so one `secure:` leaf in `cni.cilium.values` masks all values: helm cannot render the
    mask and `--compare` cannot see any other change. The stack's own secret texts (`concealer`) locate the
    leaves again; a secret they do not explain (it came from elsewhere) stays masked whole.
    """
    if isinstance(value, dict) and not is_secret(value):
        return {k: mask_secret_leaves(v, concealer) for k, v in value.items()}
    if is_secret(value) and concealer and isinstance(value.get("value"), dict | list) and concealer.hits(value["value"]):
        return mask_secrets(concealer.redact(value["value"]))
    return mask_secrets(value)


def mask_secrets(value: Any) -> Any:
    """Replace every engine-wrapped secret by a mask, recursively (for JSON, reports, --out files)."""
    if is_secret(value):
        return MASK
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    if value == rpc.UNKNOWN:
        return "[unknown]"
    return value

