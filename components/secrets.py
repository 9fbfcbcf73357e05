"""Every value the stack marks secret, at any depth, stays a Pulumi secret in every resource input.

Why: `pulumi config set --secret --path 'ackstack:cluster.existing.eniConf.access_secret' ...` stores one
encrypted leaf, but the program receives the whole `ackstack:cluster` object decrypted, with only the
top-level key in the secret-key list. The typed config copies that leaf into ordinary strings (an
eni-config JSON document, a tag...), so marking a few known fields secret cannot be enough. Instead the
program learns the secret *texts* once and a stack transformation wraps, in every resource's inputs,
each value that contains one as `Output.secret`; findings replace them by a mask.

Which leaves are secret: a key in the list that carries a path (the offline engine passes those), else
the `secure:` paths of `Pulumi.<stack>.yaml` (what the CLI read), else, failing closed, every leaf
under the secret key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pulumi
from pulumi._types import is_input_type

from components.validation.findings import Finding

MASK = "[secret]"
# Shorter secrets are concealed only where a value equals them: as substrings they would match everything.
MIN_SUBSTRING = 4
_PATH_PART = re.compile(r'\.([^.\[\]"]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')
_PLAIN_KEY = re.compile(r'[^.\[\]"]+')


def path_key(key: object) -> str:
    """One map key of a config path as `pulumi config set --path` writes it: `.key`, or `["example.com/x"]`
    when the key holds a dot, bracket or quote (a label key such as `example.com/team`)."""
    text = str(key)
    return f".{text}" if _PLAIN_KEY.fullmatch(text) else f"[{json.dumps(text)}]"


def split_key(key: str) -> tuple[str, list[str | int]]:
    """`ackstack:cluster.existing.nodes[0]` -> (`ackstack:cluster`, ["existing", "nodes", 0])."""
    namespace, _, rest = key.partition(":")
    match = re.match(r"[^.\[]*", rest)
    name = match.group(0) if match else rest
    parts: list[str | int] = []
    for dotted, index, quoted in _PATH_PART.findall(rest[len(name):]):
        parts.append(int(index) if index else json.loads(quoted) if quoted else dotted)
    return f"{namespace}:{name}", parts


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in "{[":
        try:
            return json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            return value
    return value


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _at(value: Any, parts: list[str | int]) -> Any:
    for part in parts:
        if isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value):
            value = value[part]
        elif isinstance(value, Mapping) and str(part) in value:
            value = value[str(part)]
        else:
            return None
    return value


def secret_texts(raw: Mapping[str, Any], secret_keys: Iterable[str], file_paths: Iterable[str] = ()) -> frozenset[str]:
    """The text of every secret leaf of the config map `raw` (`{"ns:key": value}`)."""
    keys = list(secret_keys)
    paths = keys + [p for p in file_paths if split_key(p)[0] in {split_key(k)[0] for k in keys}]
    with_path = {split_key(p)[0] for p in paths if split_key(p)[1]}
    texts: set[str] = set()
    for path in paths:
        top, parts = split_key(path)
        if top not in raw:
            continue
        value = _decode(raw[top])
        if parts and (found := _at(value, parts)) is not None:
            texts.update(_leaves(found))
        elif parts or top not in with_path:  # a secret path that finds nothing: fail closed, its whole key
            texts.update(_leaves(value))
    return frozenset(t for t in texts if t)


def is_secure_value(value: Any) -> bool:
    """A `secure:` value as the Pulumi CLI sees one: a mapping of exactly the key `secure` with a string value
    (pulumi/pulumi sdk v3.276.0 go/common/resource/config/object.go:540-550 isSecureValue); `{secure: 5}` is a
    plain object."""
    return isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str)


def stack_file_secure_paths(stack: str, root: Path | None = None) -> list[str]:
    """`ns:key.path` of every `secure:` value in the CLI's `Pulumi.<stack>.yaml` (empty if unreadable).

    Read with the CLI's YAML semantics (go-yaml v3, ackstack/inputs/yaml_input.py): PyYAML's YAML 1.1 would turn a
    key `on` or `yes` into True, and the path would name no value the CLI sent."""
    from ackstack.inputs.yaml_input import YamlInputError, read_yaml_file

    path = (root or Path.cwd()) / f"Pulumi.{stack}.yaml"  # the CLI runs the program in the project directory
    try:
        document = read_yaml_file(path, "stack file") or {}
    except (YamlInputError, OSError, RecursionError):
        return []
    config = document.get("config") if isinstance(document, dict) else None
    found: list[str] = []

    def walk(value: Any, where: str) -> None:
        if is_secure_value(value):
            found.append(where)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}{path_key(key)}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")

    for key, value in (config or {}).items() if isinstance(config, dict) else ():
        walk(value, str(key) if ":" in str(key) else f"ackstack:{key}")
    return found


class Concealer:
    """Finds secret texts in values and hides them: as Pulumi secrets in inputs, as a mask in text."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = frozenset(texts)
        self._long = sorted((t for t in self.texts if len(t) >= MIN_SUBSTRING), key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.texts)

    def hits(self, value: Any) -> bool:
        if isinstance(value, str):
            return value in self.texts or any(t in value for t in self._long)
        if isinstance(value, Mapping):
            return any(self.hits(k) or self.hits(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(self.hits(v) for v in value)
        return value is not None and not isinstance(value, bool) and str(value) in self.texts

    def mask(self, text: str) -> str:
        if text in self.texts:
            return MASK
        for secret in self._long:
            text = text.replace(secret, MASK)
        return text

    def redact(self, value: Any) -> Any:
        """A plain copy of `value` with every secret replaced by the mask (for messages)."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, Mapping):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v) for v in value]
        return MASK if self.hits(value) else value

    def conceal(self, value: Any) -> Any:
        """`value` (resource inputs) with every part that holds a secret turned into a secret Output."""
        if isinstance(value, pulumi.Output):
            return value.apply(lambda resolved: pulumi.Output.secret(resolved) if self.hits(resolved) else resolved)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return pulumi.Output.secret(value) if self.hits(value) else value
        if isinstance(value, dict):
            if any(self.hits(k) for k in value):  # a key cannot be a secret on its own: the mapping is
                return pulumi.Output.secret(value)
            return {k: self.conceal(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.conceal(v) for v in value)
        if is_input_type(type(value)):  # an args class: rebuilt from its fields, as Output.from_input does
            try:
                return type(value)(**{k: self.conceal(v) for k, v in vars(value).items()})
            except TypeError:
                return pulumi.Output.secret(value) if self.hits(vars(value)) else value
        return value

    def name_findings(self, raw: Mapping[str, Any]) -> list[Finding]:
        """INP004: a secret used as a name. Names become URNs and output keys, which no secret can hide in."""
        findings: list[Finding] = []
        stack: list[tuple[str, Any]] = [(key, _decode(value)) for key, value in raw.items()]
        while stack:
            path, node = stack.pop()
            if isinstance(node, Mapping):
                for key, item in node.items():
                    where = f"{path}.{key}"
                    if key == "name" and isinstance(item, str) and self.hits(item):
                        findings.append(Finding("INP004", "error", where, "a secret value is used as a name; names "
                                                "become resource URNs and output keys, which cannot be secret"))
                    else:
                        stack.append((where, item))
            elif isinstance(node, list):
                stack.extend((f"{path}[{index}]", item) for index, item in enumerate(node))
        return findings

    def transformation(self, args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult:
        return pulumi.ResourceTransformationResult(props=self.conceal(args.props), opts=args.opts)
