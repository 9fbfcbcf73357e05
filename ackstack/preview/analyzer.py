"""Run a CrossGuard policy pack over its real gRPC Analyzer protocol, without the Pulumi CLI.

This mirrors what `pulumi preview --policy-pack <dir>` does for a python pack
(pulumi/pulumi sdk/go/common/resource/plugin/analyzer_plugin.go NewPolicyAnalyzer and the
`pulumi-analyzer-policy-python` shim):

1. start an in-process ``pulumirpc.Engine`` server (Log/GetRootResource/SetRootResource);
2. launch ``<python> -u -m pulumi.policy <engine-address> .`` with cwd = the pack directory and
   PULUMI_PROJECT/PULUMI_STACK/PULUMI_DRY_RUN/PULUMI_ORGANIZATION/PULUMI_CONFIG in its env;
   the pack prints its port on stdout;
3. Handshake (tolerating UNIMPLEMENTED), ConfigureStack, GetAnalyzerInfo, Configure with the
   policy config reconciled like the CLI (schema defaults, then "all", then per policy);
4. Analyze each resource, then AnalyzeStack over all of them;
5. Cancel (UNIMPLEMENTED is fine), close the channel, terminate and reap the process.

Property values: plain JSON-like python values. Unknowns are the engine's sentinel string
``UNKNOWN`` (== ``pulumi.runtime.rpc.UNKNOWN``); secrets are pulumi's secret sig object
``{SECRET_SIG_KEY: SECRET_SIG, "value": v}`` (build it with :func:`secret`), which is passed
through exactly as the engine does with KeepSecrets. ``pulumi_policy.Secret`` and pulumi assets are
also accepted. Keys whose value is None are dropped (the SDKs never send them).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import (
    analyzer_pb2,
    analyzer_pb2_grpc,
    engine_pb2,
    engine_pb2_grpc,
    language_pb2,
    language_pb2_grpc,
)
from pulumi.runtime.rpc import UNKNOWN
from pulumi_policy.deserialize import serialize_properties as _policy_serialize

from ackstack.interrupts import descendants, signals_deferred

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
_LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
_PROTO_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PROTO.items()}
_MAX_MESSAGE = 1024 * 1024 * 400

__all__ = [
    "UNKNOWN",
    "AnalyzedResource",
    "PolicyPackError",
    "load_policy_config",
    "run_policy_pack",
    "secret",
]


class PolicyPackError(RuntimeError):
    """The pack failed to start, answer, or the policy config is invalid."""


class PolicyConfigError(PolicyPackError):
    """The policy configuration (a `--policy-pack-config` file) is wrong: the user's input."""


@dataclass
class AnalyzedResource:
    urn: str
    type: str
    name: str
    properties: dict
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    custom: bool = True
    provider: str | None = None  # provider reference "<provider urn>::<id>" (or just the urn)
    protect: bool = False
    # What the stack analysis sees: the engine sends outputs there, inputs to Analyze (None: the same).
    stack_properties: dict | None = None


def secret(value: Any) -> dict:
    """Wrap a value the way the engine marks secrets on the wire."""
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


# ---------------------------------------------------------------------------------------------
# Policy config (`--policy-pack-config` JSON).


def load_policy_config(path: str | Path) -> dict:
    """Parse a ``--policy-pack-config`` file into ``{policy: {"enforcementLevel"?: str, **props}}``.

    Accepts ``{"policy": "mandatory"}`` and ``{"policy": {"enforcementLevel": "...", "prop": v}}``;
    ``"all"`` may only carry an enforcement level. Raises PolicyPackError with the offending key.
    """
    from ackstack.inputs.input_file import InputFileError, read_input_file
    from ackstack_core.constants import INPUT_MAX_BYTES

    p = Path(path)
    try:
        raw = json.loads(read_input_file(p, "policy pack config", INPUT_MAX_BYTES).decode("utf-8"))
    except InputFileError as e:
        raise PolicyConfigError(str(e)) from None
    except UnicodeDecodeError as e:
        raise PolicyConfigError(f"policy pack config {p} is not UTF-8 text (invalid byte at offset {e.start})") from None
    except json.JSONDecodeError as e:
        raise PolicyConfigError(f"policy pack config {p} is not valid JSON: {e}") from None
    except RecursionError:
        raise PolicyConfigError(f"policy pack config {p} is nested too deeply") from None
    return normalize_policy_config(raw, source=str(p))


def normalize_policy_config(raw: Any, *, source: str = "policy config") -> dict:
    if not isinstance(raw, Mapping):
        raise PolicyConfigError(f"{source}: expected a JSON object mapping policy names to config")
    result: dict[str, dict[str, Any]] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            entry: dict[str, Any] = {"enforcementLevel": value}
        elif isinstance(value, Mapping):
            entry = dict(value)
        else:
            raise PolicyConfigError(f"{source}: '{name}' must be an enforcement level string or an object")
        level = entry.get("enforcementLevel")
        if level is not None and level not in ENFORCEMENT_LEVELS:
            raise PolicyConfigError(
                f"{source}: '{name}' has invalid enforcementLevel {level!r}; expected one of {', '.join(ENFORCEMENT_LEVELS)}"
            )
        if name == "all" and set(entry) - {"enforcementLevel"}:
            raise PolicyConfigError(f"{source}: 'all' may only set enforcementLevel")
        result[name] = entry
    return result


def reconcile_policy_config(info: analyzer_pb2.AnalyzerInfo, given: Mapping[str, Any] | None) -> dict:
    """Like the CLI's ReconcilePolicyPackConfig: defaults, initial config, "all", then per policy."""
    policies = {p.name: p for p in info.policies}
    result: dict[str, dict[str, Any]] = {}
    for name, p in policies.items():
        schema = json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {}
        props = {k: v["default"] for k, v in schema.items() if isinstance(v, Mapping) and "default" in v}
        result[name] = {
            "enforcementLevel": _PROTO_TO_LEVEL.get(p.enforcementLevel, "advisory"),
            "properties": props,
        }

    def apply(cfg: Mapping[str, Mapping[str, Any]]) -> None:
        all_level = (cfg.get("all") or {}).get("enforcementLevel")
        if all_level:
            for entry in result.values():
                entry["enforcementLevel"] = all_level
        for name, entry in cfg.items():
            if name == "all":
                continue
            if name not in result:
                raise PolicyConfigError(f"policy '{name}': no such policy in the pack")
            if entry.get("enforcementLevel"):
                result[name]["enforcementLevel"] = entry["enforcementLevel"]
            result[name]["properties"].update({k: v for k, v in entry.items() if k != "enforcementLevel"})

    initial = {
        k: {"enforcementLevel": _PROTO_TO_LEVEL.get(v.enforcementLevel)}
        | json_format.MessageToDict(v.properties)
        for k, v in info.initialConfig.items()
    }
    apply(initial)
    apply(normalize_policy_config(given or {}))
    problems = []
    for name, entry in result.items():
        p = policies[name]
        schema = json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {}
        required = list(p.configSchema.required) if p.HasField("configSchema") else []
        problems += [f"policy '{name}', {e}" for e in _validate_props(entry["properties"], schema, required)]
    if problems:  # sorted and joined as the CLI does (pulumi/pulumi v3.259.0 pkg/engine/update.go:317-321)
        raise PolicyConfigError("; ".join(sorted(problems)))
    return result


def _validate_props(props: Mapping[str, Any], schema: Mapping[str, Any], required: list[str]) -> list[str]:
    errors = [f"field '{r}': is required" for r in required if r not in props]
    for key, value in props.items():
        if key not in schema:
            errors.append(f"field '{key}': unknown property")
        else:
            errors += [f"field '{where}': {what}" for where, what in _validate_value(key, value, schema[key])]
    return errors


_JSON_TYPES = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer(),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, Mapping),
}


def _validate_value(path: str, value: Any, schema: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The JSON-schema keywords the pack's schemas use (type, enum, pattern, minimum, maximum, items), as
    gojsonschema applies them for the CLI; `pattern` is a search, not a full match (JSON Schema draft 7 §6.3.3),
    and the pack's patterns anchor themselves."""
    kind = schema.get("type")
    if kind in _JSON_TYPES and not _JSON_TYPES[kind](value):
        return [(path, f"must be of type {kind}, got {json.dumps(value)[:80]}")]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append((path, f"must be one of {schema['enum']}, got {json.dumps(value)[:80]}"))
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        why = schema.get("description") or f"must match {schema['pattern']}"
        errors.append((path, f"{json.dumps(value)[:80]} is refused: {why}"))
    if "minimum" in schema and isinstance(value, int | float) and value < schema["minimum"]:
        errors.append((path, f"must be >= {schema['minimum']}"))
    if "maximum" in schema and isinstance(value, int | float) and value > schema["maximum"]:
        errors.append((path, f"must be <= {schema['maximum']}"))
    if kind == "array" and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            errors += _validate_value(f"{path}[{i}]", item, schema["items"])
    return errors


# ---------------------------------------------------------------------------------------------
# Property encoding (engine MarshalProperties with KeepUnknowns + KeepSecrets).


def encode_properties(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(_clean(_policy_serialize(_sentinels(props))))
    return struct


def _sentinels(value: Any) -> Any:
    """The SDK's `Unknown` objects as the engine's sentinel string (the policy SDK cannot serialise them)."""
    if type(value).__name__ == "Unknown":
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: _sentinels(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_sentinels(v) for v in value]
    return value


def _clean(value: Any) -> Any:
    """Engine-side normalisation: drop None keys; downgrade resource refs and output values.

    Analyzers are marshalled without KeepResources/KeepOutputValues, so a resource reference
    becomes its id (or urn for components) and an output value becomes its plain value, the
    unknown sentinel, or a secret-wrapped value.
    """
    if isinstance(value, Mapping):
        sig = value.get(SECRET_SIG_KEY)
        if sig == SECRET_SIG and "value" not in value:
            raise PolicyPackError("secret sig object without 'value'")
        if sig == RESOURCE_REF_SIG:
            ref = value.get("id") if value.get("id") not in (None, "") else value.get("urn", UNKNOWN)
            return _clean(ref)
        if sig == OUTPUT_VALUE_SIG:
            inner = _clean(value["value"]) if "value" in value else UNKNOWN
            return secret(inner) if value.get("secret") else inner
        return {str(k): _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _provider_message(ref: str | None, by_urn: Mapping[str, AnalyzedResource]):
    if not ref:
        return None
    parts = ref.split("::")
    urn = "::".join(parts[:4]) if len(parts) > 4 else ref
    res = by_urn.get(urn)
    type_ = res.type if res else (parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else "")
    name = res.name if res else (parts[3] if len(parts) >= 4 else "")
    return analyzer_pb2.AnalyzerProviderResource(
        type=type_, urn=urn, name=name, properties=encode_properties(res.properties if res else {})
    )


def _options(r: AnalyzedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=r.protect, parent=r.parent or "")


# ---------------------------------------------------------------------------------------------
# Engine service for the pack's log calls.


class _Engine(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.logs: list[tuple[str, str, str]] = []
        self.root = ""

    def Log(self, request, context):  # noqa: N802 - gRPC method name
        severity = engine_pb2.LogSeverity.Name(request.severity).lower()
        self.logs.append((severity, request.message, request.urn))
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):  # noqa: N802
        return engine_pb2.GetRootResourceResponse(urn=self.root)

    def SetRootResource(self, request, context):  # noqa: N802
        self.root = request.urn
        return engine_pb2.SetRootResourceResponse()


# ---------------------------------------------------------------------------------------------
# Process handling.


class _PackProcess:
    """The pack subprocess plus pipe readers; stdout's first line is the port."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.argv = argv
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.stdout_lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        self.threads = [
            threading.Thread(
                target=self._pump, args=(self.proc.stdout, self.stdout_lines.put, True), daemon=True
            ),
            threading.Thread(
                target=self._pump, args=(self.proc.stderr, self.stderr.append, False), daemon=True
            ),
        ]
        for t in self.threads:
            t.start()

    @staticmethod
    def _pump(stream, sink, signal_eof: bool) -> None:
        for raw in iter(stream.readline, b""):
            sink(raw.decode("utf-8", "replace"))
        stream.close()
        if signal_eof:
            sink(None)

    def read_port(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PolicyPackError(
                    f"policy pack did not announce its port within {timeout:.0f}s{self._tail()}"
                )
            try:
                line = self.stdout_lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=5)
                raise PolicyPackError(
                    f"policy pack exited with code {self.proc.returncode} before serving{self._tail()}"
                )
            if line.strip().isdigit():
                return int(line.strip())

    def _tail(self) -> str:
        text = "".join(s for s in self.stderr if s)[-4000:]
        return f":\n{text}" if text else ""

    def stop(self, grace: float = 5.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=grace)
        for t in self.threads:
            t.join(timeout=grace)
        return self.proc.returncode


def language_host() -> Path | None:
    """The Python language host `tools/install_pulumi.py` put beside this interpreter, if installed."""
    path = Path(sys.executable).parent / "pulumi-language-python"
    return path if path.exists() else None


class _HostedPack:
    """The pack started the way the pinned CLI starts it (v3.221.0 and later): the language host's
    RunPlugin, kind "analyzer", which runs `python -u -m pulumi.policy <engine> <pack dir>` behind the
    SDK's PolicyProxy; the proxy's port is the first line of the plugin's stdout stream (pulumi
    sdk/v3@v3.276.0 go/common/resource/plugin/analyzer_plugin.go:150-214 and plugin.go newPlugin).
    Same surface as `_PackProcess`."""

    def __init__(self, host: Path, engine_address: str, pack: Path, virtualenv: Path) -> None:
        self.argv = [str(host), engine_address]
        self.host = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.proc = self.host  # what `stop` and the tests look at
        self.stdout_lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        self._stream = None
        self._channel: grpc.Channel | None = None
        host_port = self.host.stdout.readline().decode().strip()
        self.threads = [threading.Thread(target=_PackProcess._pump, args=(self.host.stderr, self.stderr.append, False),
                                         daemon=True)]
        self.threads[0].start()
        if not host_port.isdigit():
            self.stop()
            raise PolicyPackError(f"the language host {host} did not start{self._tail()}")
        self._channel = grpc.insecure_channel(f"127.0.0.1:{host_port}")
        options = struct_pb2.Struct()
        options.update({"virtualenv": str(virtualenv)})
        request = language_pb2.RunPluginRequest(
            pwd=str(pack), args=[engine_address], env=[f"{k}={v}" for k, v in os.environ.items()],
            info=language_pb2.ProgramInfo(root_directory=str(pack), program_directory=str(pack), entry_point=".",
                                          options=options),
            kind="analyzer")
        self._stream = language_pb2_grpc.LanguageRuntimeStub(self._channel).RunPlugin(request)
        self.threads.append(threading.Thread(target=self._pump_stream, daemon=True))
        self.threads[-1].start()

    def _pump_stream(self) -> None:
        pending = b""
        try:
            for response in self._stream:
                if response.HasField("stdout"):
                    pending += response.stdout
                    while b"\n" in pending:
                        line, pending = pending.split(b"\n", 1)
                        self.stdout_lines.put(line.decode("utf-8", "replace"))
                elif response.HasField("stderr"):
                    self.stderr.append(response.stderr.decode("utf-8", "replace"))
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.CANCELLED:
                self.stderr.append(f"RunPlugin: {e.details()}\n")
        self.stdout_lines.put(None)

    read_port = _PackProcess.read_port
    _tail = _PackProcess._tail

    def stop(self, grace: float = 5.0) -> int:
        """Cancel the plugin (the host ends the pack with the stream), then stop the host, then whatever the host
        had started: a host stopped while its RunPlugin child runs leaves that child behind (an orphaned
        `pulumi.policy`, seen after interrupted previews), so the pack is ended here whatever the host did."""
        family = descendants(self.host.pid) if self.host.poll() is None else []
        if self._stream is not None:
            self._stream.cancel()
        if self._channel is not None:
            self._channel.close()
        status = _PackProcess.stop(self, grace)
        _end_processes(family, grace)
        return status


def _end_processes(pids: list[int], grace: float) -> None:
    """SIGTERM to each process still there, SIGKILL to those alive after `grace` seconds."""
    alive = [pid for pid in pids if _signal(pid, signal.SIGTERM)]
    deadline = time.monotonic() + grace
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [pid for pid in alive if _running(pid)]
    for pid in alive:
        _signal(pid, signal.SIGKILL)


def _signal(pid: int, signum: int) -> bool:
    try:
        os.kill(pid, signum)
    except OSError:
        return False
    return True


def _running(pid: int) -> bool:
    """Not gone and not a zombie (an orphan's zombie is reaped by init, not by us)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return _signal(pid, 0)


def pack_argv(engine_address: str, python: str | None = None) -> list[str]:
    """What `pulumi-analyzer-policy-python <engine> .` ends up executing (cwd = pack dir)."""
    return [python or sys.executable, "-u", "-m", "pulumi.policy", engine_address, "."]


def pack_env(*, stack: str, project: str, organization: str, dry_run: bool, config: Mapping[str, str] | None):
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    env.update(
        {
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": stack,
            "PULUMI_DRY_RUN": "true" if dry_run else "false",
            "PULUMI_ORGANIZATION": organization,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("PULUMI_CONFIG", None)
    if config:
        env["PULUMI_CONFIG"] = json.dumps(dict(config))
    return env


# ---------------------------------------------------------------------------------------------
# Driver.


def _finding(d: analyzer_pb2.AnalyzeDiagnostic, default_urn: str) -> dict | None:
    level = _PROTO_TO_LEVEL.get(d.enforcementLevel, "advisory")
    if level == "disabled":
        return None
    message = d.message
    if d.description and not message.startswith(d.description):
        message = f"{d.description}\n{message}" if message else d.description
    return {
        "source": "policy",
        "rule": d.policyName,
        "level": "warning" if level == "advisory" else "error",
        "path": "",
        "urn": d.urn or default_urn,
        "message": message,
    }


def _time_left(timeout: float, what: str):
    """Seconds left of `timeout` from now, for each RPC; PolicyPackError once none are."""
    deadline = time.monotonic() + timeout

    def left() -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PolicyPackError(f"policy pack {what} exceeded {timeout:.0f}s")
        return remaining

    return left


class PolicyPackSession:
    """The pack subprocess and the Engine service it logs to, launched as the CLI launches it.

    Starting is separate from analysing so a caller can launch the pack (about half a second of
    Python start-up) while it is still computing the resources, then analyse; the preview does that.
    Use as a context manager: the pack is always shut down.
    """

    def __init__(
        self,
        pack_dir: str | Path,
        *,
        stack: str,
        project: str,
        dry_run: bool = True,
        config: dict[str, str] | None = None,
        organization: str = "organization",
        python: str | None = None,
    ) -> None:
        self.pack = Path(pack_dir).resolve()
        if not (self.pack / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack} has no PulumiPolicy.yaml")
        self.stack, self.project, self.dry_run = stack, project, dry_run
        self.config, self.organization = config, organization
        self._engine = _Engine()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self._engine, self._server)
        engine_port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        self.engine_address = f"127.0.0.1:{engine_port}"
        self._channel: grpc.Channel | None = None
        self._client = None  # the configured Analyzer stub (see `_configured`)
        self._configured_with: dict | None = None
        self._proc: _PackProcess | None = None
        try:
            # A signal between the fork and the assignment would leave a pack nobody stops: defer it.
            with signals_deferred():
                host = language_host()
                if host is not None:  # as the pinned CLI launches it
                    self._proc = _HostedPack(host, self.engine_address, self.pack,
                                             Path(python or sys.executable).parent.parent)
                else:  # the retired `pulumi-analyzer-policy-python` shim's way, where the CLI is not installed
                    self._proc = _PackProcess(
                        pack_argv(self.engine_address, python),
                        self.pack,
                        pack_env(stack=stack, project=project, organization=organization, dry_run=dry_run,
                                 config=config),
                    )
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> PolicyPackSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def analyze(
        self, resources: Sequence[AnalyzedResource], *, policy_config: dict | None = None,
        timeout: float | None = None
    ) -> list[dict]:
        """One finding dict per diagnostic (see :func:`run_policy_pack`). `timeout` (default: `analysis_seconds`)
        bounds the whole analysis."""
        return self.start_analysis(resources, policy_config=policy_config, timeout=timeout)()

    def start_analysis(
        self, resources: Sequence[AnalyzedResource], *, policy_config: dict | None = None,
        timeout: float | None = None
    ) -> Callable[[], list[dict]]:
        """Send the analysis and return what waits for its findings: the pack works on its own core while the
        caller does other work (the preview's capacity model and comparison) in between."""
        left = _time_left(analysis_seconds(len(resources)) if timeout is None else timeout, "run")
        client = self._configured(policy_config, left)
        outcome: dict[str, Any] = {}

        def drive() -> None:  # its own thread: gRPC waits release the GIL; a signal still reaches the main thread
            try:
                outcome["findings"] = _drive(client, resources, left)
            except BaseException as e:  # noqa: BLE001 - handed to the caller; after close() nobody asks
                outcome["error"] = e

        worker = threading.Thread(target=drive, name="ackstack-policy-analysis", daemon=True)
        worker.start()

        def findings() -> list[dict]:
            worker.join()  # interruptible by a signal (POSIX lock waits)
            if isinstance(outcome.get("error"), grpc.RpcError):
                raise self._rpc_failed(outcome["error"]) from outcome["error"]
            if "error" in outcome:
                raise outcome["error"]
            return outcome["findings"]

        return findings

    def configure(self, *, policy_config: dict | None = None, timeout: float = 60) -> None:
        """Validate ``policy_config`` against the pack's schemas and configure the pack (PolicyConfigError when
        the config is wrong); :meth:`analyze` does it too, once."""
        self._configured(policy_config, _time_left(timeout, "configuration"))

    def _configured(self, policy_config: dict | None, left):
        if self._client is not None:
            if policy_config != self._configured_with:
                raise PolicyPackError("the policy pack session was configured with another policy config")
            return self._client
        assert self._proc is not None, "session is closed"
        port = self._proc.read_port(left())
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[
                ("grpc.max_receive_message_length", _MAX_MESSAGE),
                ("grpc.max_send_message_length", _MAX_MESSAGE),
            ],
        )
        grpc.channel_ready_future(self._channel).result(timeout=left())
        client = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        try:
            _configure(client, self.engine_address, str(self.pack), self.stack, self.project, self.organization,
                       self.dry_run, self.config, policy_config, left)
        except grpc.RpcError as e:
            raise self._rpc_failed(e) from e
        self._client, self._configured_with = client, policy_config
        return client

    def _rpc_failed(self, e: grpc.RpcError) -> PolicyPackError:
        return PolicyPackError(f"policy pack RPC failed: {e.code().name}: {e.details()}{self._proc._tail()}")

    def close(self) -> None:
        with signals_deferred():  # a second Ctrl-C must not cut the shutdown short
            self._close()

    def _close(self) -> None:
        if self._channel is not None:
            # pulumi_policy 1.21 does not implement Cancel (UNIMPLEMENTED); the CLI ignores that too.
            with contextlib.suppress(grpc.RpcError):
                analyzer_pb2_grpc.AnalyzerStub(self._channel).Cancel(empty_pb2.Empty(), timeout=2)
            self._channel.close()
            self._channel = None
            self._client = None
        if self._proc is not None:
            self._proc.stop()
            self._proc = None
        if self._server is not None:
            self._server.stop(grace=None).wait()
            self._server = None


# The pack's whole analysis may take this long: a fixed minute ran out at 5,000 PodNetworkings (~11,000 resources)
# on the loaded 2-core machine and failed the run (bench/bench_scaling.py); the budget now grows with the resources.
ANALYSIS_BASE_SECONDS = 60.0
ANALYSIS_SECONDS_PER_RESOURCE = 0.02


def analysis_seconds(resources: int) -> float:
    return ANALYSIS_BASE_SECONDS + ANALYSIS_SECONDS_PER_RESOURCE * resources


def run_policy_pack(
    pack_dir: str | Path,
    resources: Sequence[AnalyzedResource],
    *,
    stack: str,
    project: str,
    policy_config: dict | None = None,
    dry_run: bool = True,
    config: dict[str, str] | None = None,
    timeout: float | None = None,
    organization: str = "organization",
    python: str | None = None,
) -> list[dict]:
    """Run the pack at ``pack_dir`` over ``resources`` and return one finding dict per diagnostic.

    Findings: ``{"source": "policy", "rule", "level": "error"|"warning", "path": "", "urn", "message"}``;
    mandatory (and remediate, which the SDK downgrades to mandatory) -> error, advisory -> warning.
    ``policy_config`` uses the ``--policy-pack-config`` shape (see :func:`load_policy_config`).
    ``python``: the interpreter of the pack's own virtualenv (default: this one).
    """
    with PolicyPackSession(pack_dir, stack=stack, project=project, dry_run=dry_run, config=config,
                           organization=organization, python=python) as session:
        return session.analyze(resources, policy_config=policy_config, timeout=timeout)


def _optional(call, request, timeout: float):
    """Call an RPC the pack may not implement (the CLI treats UNIMPLEMENTED as 'not supported')."""
    try:
        return call(request, timeout=timeout)
    except grpc.RpcError as e:
        if e.code() == grpc.StatusCode.UNIMPLEMENTED:
            return None
        raise


def _configure(client, engine_address, pack_dir, stack, project, organization, dry_run, config, policy_config,
               left) -> None:
    """The CLI's order (pulumi/pulumi v3.259.0 pkg/engine/update.go:296-324): the pack's info, then the given
    config reconciled and validated against each policy's schema, then Configure; nothing is analysed before."""
    _optional(
        client.Handshake,
        analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address=engine_address, root_directory=pack_dir, program_directory=pack_dir
        ),
        left(),
    )
    _optional(
        client.ConfigureStack,
        analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack,
            project=project,
            organization=organization,
            dry_run=dry_run,
            config=dict(config or {}),
        ),
        left(),
    )
    info = client.GetAnalyzerInfo(empty_pb2.Empty(), timeout=left())
    reconciled = reconcile_policy_config(info, policy_config)
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, entry in reconciled.items():
        pc = request.policyConfig[name]
        pc.enforcementLevel = _LEVEL_TO_PROTO[entry["enforcementLevel"]]
        pc.properties.update(entry["properties"])
    client.Configure(request, timeout=left())


def _drive(client, resources, left) -> list[dict]:
    """One Analyze call per resource, then AnalyzeStack, as the CLI does (pulumi/pulumi v3.259.0
    pkg/resource/deploy/step_generator.go:3393 `analyzeAll` -> analyze_snapshot.go:40 `analyzeResource` per
    registration; step_generator.go:3439 `AnalyzeResources`: AnalyzeStack once the steps are done)."""
    by_urn = {r.urn: r for r in resources}
    # Each resource's properties and each provider message are encoded once, not once per use (the
    # provider's kubeconfig would otherwise be re-encoded for every Kubernetes object, twice).
    encoded = [encode_properties(r.properties) for r in resources]
    encoded_outputs = [encoded[i] if r.stack_properties is None else encode_properties(r.stack_properties)
                       for i, r in enumerate(resources)]
    providers: dict[str | None, Any] = {}

    def provider_of(r: AnalyzedResource):
        if r.provider not in providers:
            providers[r.provider] = _provider_message(r.provider, by_urn)
        return providers[r.provider]

    def analyze_request(i: int, r: AnalyzedResource):
        req = analyzer_pb2.AnalyzeRequest(
            type=r.type,
            urn=r.urn,
            name=r.name,
            properties=encoded[i],
            options=_options(r),
        )
        provider = provider_of(r)
        if provider is not None:
            req.provider.CopyFrom(provider)
        return req

    # Analyze calls are pipelined (a bounded window of in-flight calls: all 2,303 of a 1,000-PodNetworking stack at
    # once were CANCELLED) instead of one blocking round trip each; responses are read in resource order, so
    # findings keep exactly the same order.
    findings: list[dict] = []
    window = 32
    pending: list[tuple[AnalyzedResource, Any]] = []
    for i, r in enumerate(resources):
        pending.append((r, client.Analyze.future(analyze_request(i, r), timeout=left())))
        if len(pending) >= window:
            done, fut = pending.pop(0)
            findings += [f for d in fut.result().diagnostics if (f := _finding(d, done.urn))]
    for done, fut in pending:
        findings += [f for d in fut.result().diagnostics if (f := _finding(d, done.urn))]

    stack_req = analyzer_pb2.AnalyzeStackRequest()
    for i, r in enumerate(resources):
        item = stack_req.resources.add(
            type=r.type,
            urn=r.urn,
            name=r.name,
            properties=encoded_outputs[i],
            options=_options(r),
            parent=r.parent or "",
            dependencies=list(r.dependencies),
        )
        provider = provider_of(r)
        if provider is not None:
            item.provider.CopyFrom(provider)
        for key, urns in r.property_dependencies.items():
            if urns:
                item.propertyDependencies[key].urns.extend(urns)
    resp = _optional(client.AnalyzeStack, stack_req, left())
    if resp is not None:
        findings += [f for d in resp.diagnostics if (f := _finding(d, ""))]
    return findings
