"""Shared helpers: unknown handling, config defaults and the thin pulumi_policy adapter.

Every policy is a pure ``check(props, config) -> list[str]`` over plain dicts (resource
inputs as the engine sends them, camelCase). The adapter unwraps pulumi_policy's
unknown-checking proxies so checks see the raw engine sentinels and decide themselves
to skip, instead of the SDK turning an unknown access into a "can't run policy" warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

# Sentinels the engine puts in place of values not known during preview. The engine
# marshals every computed value as the string one (pulumi.runtime.rpc.UNKNOWN); the
# typed ones are what pulumi_policy.proxy also recognises.
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        UNKNOWN_STRING,  # string (and everything the engine sends)
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

Check = Callable[[Mapping[str, Any], Mapping[str, Any]], list[str]]
StackCheck = Callable[[Sequence["StackResource"], Mapping[str, Any]], list[tuple[str, str | None]]]

_MISSING = object()


class Unknown(Exception):
    """Raised by :func:`get` when a path crosses an unknown value; checks turn it into 'skip'."""


def is_unknown(value: Any) -> bool:
    """True for a preview-time unknown sentinel (any of the engine's typed sentinels)."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def contains_unknown(value: Any) -> bool:
    """True if the value or anything nested in it is unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def plain(value: Any) -> Any:
    """Deep-copy pulumi_policy proxies (unknown-checking / secrets) into plain dicts and lists.

    Secret sig objects that were not yet unwrapped are replaced by their value, so checks
    see secrets as ordinary values (policies never print property values).
    """
    target = _proxy_target(value)
    if target is not None:
        value = target
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG and "value" in value:
            return plain(value["value"])
        return {k: plain(_raw_item(value, k)) for k in value}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    secret_value = getattr(value, "value", _MISSING) if type(value).__name__ == "Secret" else _MISSING
    if secret_value is not _MISSING:
        return plain(secret_value)
    return value


_PLAIN = "_ackstack_plain"


def plain_props(props: Any) -> Any:
    """`plain(props)` of a resource's properties, kept on the SDK's view: the policies handed the same view (the
    pack's `_speedups` share one per resource within a request) copy it once. Checks only read it."""
    kept = getattr(props, "__dict__", None)
    if kept is None:
        return plain(props)
    if _PLAIN not in kept:
        kept[_PLAIN] = plain(props)
    return kept[_PLAIN]


def _proxy_target(value: Any) -> Any:
    if type(value).__name__ in {"_DictProxy", "_ListProxy", "_DictSecretsProxy", "_ListSecretsProxy"}:
        return value["__target"]
    return None


def _raw_item(mapping: Mapping[str, Any], key: str) -> Any:
    # A raw dict never raises on unknowns; proxies were unwrapped by the caller.
    return mapping[key]


def get(props: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """Dotted lookup; raises :class:`Unknown` if the value or any parent on the path is unknown."""
    cur: Any = props
    for part in path.split("."):
        if is_unknown(cur):
            raise Unknown(path)
        if not isinstance(cur, Mapping) or part not in cur or cur[part] is None:
            return default
        cur = cur[part]
    if is_unknown(cur):
        raise Unknown(path)
    return cur


def is_true(value: Any) -> bool:
    """Booleans may arrive as bools or (from YAML/JSON config) as the strings 'true'/'false'."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def skip_unknown(check: Check) -> Check:
    """Decorator: a check that hits an unknown value reports nothing (preview cannot know yet)."""

    def wrapper(props: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> list[str]:
        try:
            return check(props, config or {})
        except Unknown:
            return []

    wrapper.__name__ = check.__name__
    wrapper.__doc__ = check.__doc__
    wrapper.__wrapped__ = check  # type: ignore[attr-defined]
    return wrapper


def schema_defaults(schema: PolicyConfigSchema | None) -> dict[str, Any]:
    if schema is None:
        return {}
    return {k: v["default"] for k, v in schema.properties.items() if "default" in v}


def effective_config(schema: PolicyConfigSchema | None, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Schema defaults overlaid with the configured values (the CLI already merges; tests may not)."""
    merged = schema_defaults(schema)
    merged.update(dict(given or {}))
    return merged


# ---------------------------------------------------------------------------------------------
# Adapters.

def malformed_message(exc: Exception) -> str:
    """What a policy reports (at its own level: fail closed) when the properties are not what it can read."""
    detail = str(exc).splitlines()[0][:120] if str(exc) else ""
    return (f"cannot evaluate this policy: the resource properties are malformed ({type(exc).__name__}"
            f"{': ' + detail if detail else ''}); fix the input so the check can run.")


class AckResourcePolicy(ResourceValidationPolicy):
    """A ResourceValidationPolicy running one pure check for a set of resource types."""

    def __init__(
        self,
        *,
        name: str,
        description: str,
        enforcement_level: EnforcementLevel,
        resource_types: Iterable[str],
        check: Check,
        config_schema: PolicyConfigSchema | None = None,
        remediation_steps: str | None = None,
    ) -> None:
        self.resource_types = frozenset(resource_types)
        self.check = check
        super().__init__(
            name=name,
            description=description,
            validate=self._validate,
            enforcement_level=enforcement_level,
            config_schema=config_schema,
            remediation_steps=remediation_steps,
        )

    def run_check(self, props: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> list[str]:
        """Run the pure check with schema defaults applied (used by the adapter and by tests)."""
        return self.check(plain(props), effective_config(self.config_schema, config))

    def _validate(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in self.resource_types:
            return
        config = effective_config(self.config_schema, args.get_config())
        try:
            messages = self.check(plain_props(args.props), config)
        except Exception as exc:  # noqa: BLE001 - malformed properties: a diagnostic, never a crashed run
            messages = [malformed_message(exc)]
        for message in messages:
            report_violation(message, None)


class StackResource:
    """Plain view of a resource handed to stack checks."""

    __slots__ = ("urn", "type", "name", "props", "parent", "property_dependencies")

    def __init__(self, urn: str, type_: str, name: str, props: dict[str, Any], parent: str | None = None,
                 property_dependencies: Mapping[str, list[str]] | None = None):
        self.urn, self.type, self.name, self.props, self.parent = urn, type_, name, props, parent
        self.property_dependencies = dict(property_dependencies or {})

    @property
    def props_known(self) -> bool:
        """False when the engine could not compute the resource's properties in this preview.

        A stack policy sees outputs, and in a preview the engine hands back an empty map for a resource whose
        provider's configuration is not fully known (pulumi sdk/v3@v3.276.0
        go/common/resource/plugin/provider_plugin.go:1419-1436): every Kubernetes object of a new stack,
        whose kubeconfig comes from a cluster not created yet. Such a resource is checked at `pulumi up`;
        ackstack's validation checks the same facts from config before anything registers."""
        return bool(self.props)

    def __repr__(self) -> str:
        return f"StackResource({self.type}, {self.name})"


class AckStackPolicy(StackValidationPolicy):
    """A StackValidationPolicy over plain :class:`StackResource` views; check yields (message, urn)."""

    def __init__(
        self,
        *,
        name: str,
        description: str,
        enforcement_level: EnforcementLevel,
        check: StackCheck,
        config_schema: PolicyConfigSchema | None = None,
    ) -> None:
        self.check = check
        super().__init__(
            name=name,
            description=description,
            validate=self._validate,
            enforcement_level=enforcement_level,
            config_schema=config_schema,
        )

    def run_check(
        self, resources: Sequence[StackResource], config: Mapping[str, Any] | None = None
    ) -> list[tuple[str, str | None]]:
        return self.check(resources, effective_config(self.config_schema, config))

    def _validate(self, args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            resources = self._resources(args)
        except Exception as exc:  # noqa: BLE001 - malformed properties: a diagnostic, never a crashed run
            report_violation(malformed_message(exc), None)
            return
        config = effective_config(self.config_schema, args.get_config())
        try:
            found = self.check(resources, config)
        except Exception as exc:  # noqa: BLE001 - malformed properties: a diagnostic, never a crashed run
            found = [(malformed_message(exc), None)]
        for message, urn in found:
            report_violation(message, urn)

    @staticmethod
    def _resources(args: StackValidationArgs) -> list[StackResource]:
        return [
            StackResource(
                r.urn,
                r.resource_type,
                r.name,
                plain_props(r.props),
                r.parent.urn if r.parent is not None else None,
                {key: [d.urn for d in deps] for key, deps in (r.property_dependencies or {}).items()},
            )
            for r in args.resources
        ]
