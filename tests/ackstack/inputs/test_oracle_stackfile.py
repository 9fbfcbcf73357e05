"""The pinned Pulumi CLI as the oracle for the stack-file reader (issue #22, section 4).

`pulumi config --json` on a stack in a throw-away file backend (a `Pulumi.yaml` named ackstack, `pulumi
stack init`, then the corpus written as `Pulumi.<stack>.yaml`) says what the CLI reads from a stack file and
hands the program (its `value` is `config.Map.Decrypt`, what the engine gives the language host). The
project's reader (`ackstack.inputs.stackfile.read_stack_file`, then the text the offline engine hands the program,
`ackstack.engine.engine._config_text`) must give the same values, or refuse the same files. The one allowed
difference is documented: ackstack refuses some files the CLI reads (its input limits, INP001, and
timestamps with a numeric offset, whose text depends on the time zone of the machine running pulumi, and a
key given twice, as `a` and `ackstack:a`, of which the CLI keeps one at random).

Cost: one CLI process for a file holding every value of the value corpus (one key each), one per structural
or hostile case, two at a time. The CLI is `.venv/bin/pulumi` (tools/install_pulumi.py); missing: fail in CI.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import queue
import random
import subprocess
from pathlib import Path

import pytest

from ackstack.engine.engine import _config_text
from ackstack.engine.testing import ROOT, require_reference
from ackstack.inputs.stackfile import StackFileError, read_stack_file
from tests.ackstack.inputs.test_fuzz_hostile import STACKS, TEXT, mutate

SEED = int(os.environ.get("ORACLE_SEED", "22"))
HOSTILE_SAMPLES = 16
# ackstack's own refusals of files the CLI reads, by design (docs/operations.md "Input limits"):
STRICTER_BY_DESIGN = ("nesting is deeper than", "expands to more than", "is larger than", "numeric time-zone offset",
                      "keeps one of them at random")

VALUES = [
    # booleans, nulls and strings YAML 1.1 would have read otherwise
    "true", "True", "TRUE", "false", "yes", "no", "on", "off", "y", "n", "~", "null", "Null", "NULL", "''", '""',
    # integers
    "0", "-0", "+0", "42", "-42", "+42", "0777", "0o17", "0x1F", "0X1f", "0b101", "08", "09.5", "1_000", "1__0",
    "9007199254740993", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999",
    # floats
    "1.5", "-1.5", "0.1", "1e3", "1E3", "1e+3", "1.e3", ".5", "-.5", "5.", "1e6", "123456.0", "1234567.0", "1e20",
    "1e21", "1e-6", "1e-7", "5e-324", "1.7976931348623157e308", "1e400", "-1e400", "-0.0", "0.0", "1_000.5",
    "3.14159265358979323846",
    # timestamps (go-yaml v3 reads these into time.Time; the CLI hands the program Go's String())
    "2024-01-01", "2024-1-1", "2024-01-01T10:00:00Z", "2024-01-01t10:00:00z", "2024-01-01T10:00:00.5Z",
    "2024-01-01 10:00:00", "2024-01-01 10:00:00.123456789", "2024-01-01T10:00:00", "2024-02-30",
    "2024-13-01", "2024-01-01T25:00:00Z", "0001-01-01", "2024-01-01T1:2:3Z", "20240101", "2024-01-01T10:00Z",
    '"2024-01-01"', "'2024-01-01'",
    # strings
    "plain text", "'single ''quoted'''", '"double \\"quoted\\""', '"\\u00e9\\x41\\t\\U0001F600"', '"\\e\\0"',
    "'<a & b>'", "ünïcödé", "😀", "'#not a comment'", "'a: b'", "'- x'", "'${x} %s'",
    # collections, flow and block
    "[]", "{}", "[1, 2.5, true, null, x]", "{a: 1, b: [x, {c: d}]}", "{n: ~, e: '', t: true, f: 1e3}",
    "{big: 18446744073709551615, max: 9223372036854775807, neg: -9223372036854775809, f: 1e21, g: 1e-7}",
    "{z: -0.0, i: 1e6, j: 1234567.0, k: 0x10, l: 0777}",
    "{d: 2024-01-01, t: 2024-01-01T10:00:00Z, q: '2024-01-01'}",
    "{1: one, true: t, 1.5: f, 1e6: m, ~: nil, -0.0: z}",
    "[[[]], [{}], {a: [{b: []}]}]", "{'<': '>', '&': x}", "{a: &anc [1, 2], b: *anc}",
    "{<<: {a: 1, b: 2}, b: 3}", "[!!str 42, !!int '7', !!float 1, !!bool true, !!null '']",
    "|\n    line1\n    line2\n", ">-\n    folded\n    text\n", "|+\n    kept\n\n",
    "{secure: v1:AAAAoracle}", "{a: {secure: v1:AAAAnested}}",
    # tags: go-yaml ignores the ones it does not know, decodes !!binary, fits !!float to an integer
    "!!python/object:os.system x", "!foo bar", "!foo 42", "!!binary aGVsbG8=", "!!float 1", '!!float "1.5"',
    "!!set {a, b}", "!!omap [a: 1]", "{a: !!python/tuple [1, 2]}", "!<tag:example.com,2000:x> y",
]

STRUCTURE = {
    "empty-file": b"",
    "no-config": b"encryptionsalt: x\n",
    "config-null": b"config:\n",
    "config-list": b"config: [1, 2]\n",
    "config-scalar": b"config: 5\n",
    "root-list": b"- config\n",
    "root-int-key": b"1: x\nconfig: {}\n",
    "bom": "\ufeffconfig:\n  ackstack:a: 1\n".encode(),
    "double-bom": "\ufeff\ufeffconfig:\n  ackstack:a: 1\n".encode(),
    "tab-indent": b"config:\n\tackstack:a: 1\n",
    "tab-in-value": b"config:\n  ackstack:a: x\ty\n",
    "duplicate-top": b"config:\n  ackstack:a: 1\n  ackstack:a: 2\n",
    "duplicate-nested": b"config:\n  ackstack:a: {x: 1, x: 2}\n",
    "duplicate-bare-and-namespaced": b"config:\n  a: 1\n  ackstack:a: 2\n",
    "duplicate-legacy-and-namespaced": b"config:\n  ackstack:config:a: 1\n  ackstack:a: 2\n",
    "non-utf8": b"config:\n  ackstack:a: \xff\xfe\n",
    "surrogate-escape": b'config:\n  ackstack:a: "\\ud800"\n',
    "nul-byte": b"config:\n  ackstack:a: a\x00b\n",
    "deep-65": ("config:\n  ackstack:a: " + "[" * 65 + "]" * 65 + "\n").encode(),
    "deep-10001": ("config:\n  ackstack:a: " + "[" * 10_001 + "]" * 10_001 + "\n").encode(),
    "billion-laughs": (b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                       b"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nconfig:\n  ackstack:a: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"),
    "recursive-alias": b"config:\n  ackstack:a: &a [*a]\n",
    "undefined-alias": b"config:\n  ackstack:a: *nope\n",
    "unknown-tag": b"config:\n  ackstack:a: !!python/object:os.system x\n",
    "binary-tag": b"config:\n  ackstack:a: !!binary aGVsbG8=\n",
    "two-documents": b"config:\n  ackstack:a: 1\n---\nconfig:\n  ackstack:a: 2\n",
    "key-with-two-colons": b"config:\n  a:b:c: 1\n",
    "key-legacy-config-module": b"config:\n  ackstack:config:region: x\n",
    "tag-mismatch-bool": b"config:\n  ackstack:a: !!bool yes\n",
    "tag-mismatch-int": b"config:\n  ackstack:a: !!int 1.5\n",
    "bad-base64": b"config:\n  ackstack:a: !!binary aGVsbG8\n",
    "key-empty-namespace": b"config:\n  :a: 1\n",
    "offset-timestamp": b"config:\n  ackstack:a: 2024-01-01T10:00:00+08:00\n",
    "inf-nested": b"config:\n  ackstack:a: {x: [.inf]}\n",
    "inf": b"config:\n  ackstack:a: .inf\n",
    "negative-inf": b"config:\n  ackstack:a: -.Inf\n",
    "nan": b"config:\n  ackstack:a: .NaN\n",
    "bad-indent": b"config:\n  ackstack:a: 1\n ackstack:b: 2\n",
    "unclosed-flow": b"config:\n  ackstack:a: [1, 2\n",
}


@pytest.fixture(scope="module")
def pulumi_cli() -> Path:
    binary = ROOT / ".venv" / "bin" / "pulumi"
    require_reference(binary.is_file(), f"{binary} (the pinned Pulumi CLI: tools/install_pulumi.py)")
    return binary


class Workspace:
    """A throw-away project + file backend with one stack; `read(data)` is `pulumi config --json` of `data`."""

    def __init__(self, cli: Path, root: Path):
        self.cli, self.project = cli, root / "project"
        self.project.mkdir(parents=True)
        (self.project / "Pulumi.yaml").write_text("name: ackstack\nruntime: python\n", encoding="utf-8")
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": str(root), "TZ": "UTC",
                    "PULUMI_HOME": str(root / "home"), "PULUMI_BACKEND_URL": (root / "state").as_uri(),
                    "PULUMI_CONFIG_PASSPHRASE": "oracle", "PULUMI_SKIP_UPDATE_CHECK": "true",
                    "PULUMI_DIY_BACKEND_NO_LEGACY_WARNING": "true"}
        (root / "state").mkdir()
        self._run("stack", "init", "oracle", "--non-interactive")
        self.stack_file = self.project / "Pulumi.oracle.yaml"
        self.salt = self.stack_file.read_bytes()  # encryptionsalt: the passphrase secrets provider's

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.cli), *args], cwd=self.project, env=self.env, capture_output=True,
                              text=True, timeout=120, check=False)

    def read(self, data: bytes) -> tuple[str, dict | str]:
        """("ok", {key: {"value", "secret"}}) or ("refused", the CLI's error line)."""
        self.stack_file.write_bytes(data)
        proc = self._run("config", "--json", "--stack", "oracle")
        if proc.returncode != 0:
            lines = [line for line in proc.stderr.splitlines() if line.strip()]
            return "refused", lines[-1] if lines else f"exit {proc.returncode}"
        return "ok", json.loads(proc.stdout)


@pytest.fixture(scope="module")
def workspaces(pulumi_cli, tmp_path_factory) -> list[Workspace]:
    return [Workspace(pulumi_cli, tmp_path_factory.mktemp(f"cli{i}")) for i in range(2)]


def ours(path: Path) -> tuple[str, dict | str]:
    """The project's reading: ("ok", {key: (program text, secret)}) or ("refused", message)."""
    try:
        stack_file = read_stack_file(path)
    except StackFileError as exc:
        return "refused", str(exc)
    secret = set(stack_file.secret_keys)
    return "ok", {key: (_config_text(value), key in secret) for key, value in stack_file.config.items()}


def _same_json(a, b) -> bool:
    """Equal, with bool, int and float told apart (the program reads objects with json.loads)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def compare(name: str, cli: tuple[str, dict | str], mine: tuple[str, dict | str]) -> str:
    """'same', 'stricter' (a documented refusal of ackstack's), or an AssertionError naming the divergence."""
    if cli[0] == "refused":
        assert mine[0] == "refused", (name, "the CLI refuses, ackstack reads", cli[1], mine[1])
        return "same"
    if mine[0] == "refused":
        assert any(reason in mine[1] for reason in STRICTER_BY_DESIGN), (name, "ackstack refuses", mine[1])
        return "stricter"
    theirs, values = cli[1], mine[1]
    assert set(theirs) == set(values), (name, sorted(theirs), sorted(values))
    for key, entry in theirs.items():
        text, secret = values[key]
        assert entry["secret"] == secret, (name, key, entry, secret)
        if secret:
            continue
        if "objectValue" in entry:
            assert _same_json(json.loads(entry["value"]), json.loads(text)), (name, key, entry["value"], text)
        else:
            assert entry["value"] == text, (name, key, entry["value"], text)
    return "same"


def _values_file(workspace: Workspace) -> bytes:
    lines = [f"  ackstack:v{index:03d}: {value}" for index, value in enumerate(VALUES)]
    return workspace.salt + ("config:\n" + "\n".join(lines) + "\n  bare: 1\n").encode()


def test_oracle_cli_reads_every_value_as_the_stack_file_reader(workspaces, tmp_path):
    """Every value of the corpus in one stack file (one key each): each key the same text (scalars) or the
    same JSON value (objects), the same secrets."""
    data = _values_file(workspaces[0])
    cli = workspaces[0].read(data)
    path = tmp_path / "Pulumi.values.yaml"
    path.write_bytes(data)
    assert cli[0] == "ok", cli[1]
    assert compare("values", cli, ours(path)) == "same"


def _hostile_cases(workspace: Workspace) -> dict[str, bytes]:
    cases = {name: (data if name in ("empty-file", "bom", "double-bom") else workspace.salt + data)
             for name, data in STRUCTURE.items()}
    cases["bom"] = "\ufeff".encode() + workspace.salt + STRUCTURE["bom"][3:]
    rng = random.Random(SEED)
    for index in range(HOSTILE_SAMPLES):
        stack = STACKS[index % len(STACKS)]
        cases[f"fuzz-{stack}-{index}"] = mutate(rng, TEXT[stack])
    cases.update({f"example-{stack}": TEXT[stack].encode() for stack in STACKS})
    return cases


def test_oracle_cli_and_reader_read_or_refuse_the_same_hostile_files(workspaces, tmp_path):
    """Duplicate keys, anchors and aliases, tabs, BOM, huge integers, dates, non-UTF-8, deep nesting, the
    example stacks and mutations of them (tests/ackstack/inputs/test_fuzz_hostile.py): the same values, or both refuse."""
    cases = _hostile_cases(workspaces[0])
    names = list(cases)

    free: queue.Queue[Workspace] = queue.Queue()
    for workspace in workspaces:
        free.put(workspace)

    def cli_read(name: str):
        workspace = free.get()  # one CLI process per workspace at a time
        try:
            return workspace.read(cases[name])
        finally:
            free.put(workspace)

    with concurrent.futures.ThreadPoolExecutor(len(workspaces)) as pool:
        answers = list(pool.map(cli_read, names))
    outcomes: dict[str, list[str]] = {"same": [], "stricter": []}
    refused_by_both = 0
    for name, cli in zip(names, answers, strict=True):
        path = tmp_path / f"{name}.yaml"
        path.write_bytes(cases[name])
        mine = ours(path)
        outcomes[compare(name, cli, mine)].append(name)
        refused_by_both += cli[0] == "refused"
    assert refused_by_both > 10 and len(outcomes["same"]) > len(cases) // 2, outcomes
    assert set(outcomes["stricter"]) <= {"deep-65", "offset-timestamp", "duplicate-bare-and-namespaced",
                                         "duplicate-legacy-and-namespaced"} | {n for n in names if n.startswith("fuzz")}
