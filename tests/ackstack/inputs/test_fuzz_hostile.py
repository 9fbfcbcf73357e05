"""Hostile input at the YAML and CLI level: the fuzz that finds what issue #15 found, every CI run.

Seeded (reproducible) mutations of the TEXT of all four stack files: unquoted dates, YAML 1.1 booleans,
duplicate keys, anchors and alias bombs, deep nesting, non-UTF-8 bytes, lone surrogates (escaped in YAML
and inside JSON text values), huge and odd numbers, and `secure:` values at any depth. Every case goes
through the stack-file reader and the program's own validation; a sample runs the real program under the
offline engine, another the CLI in-process with random file options (`--config`, `--inventory`,
`--compare`, `--policy-pack-config`, `--out`).

Asserted for every case: the outcome is exit 0, 1 or 2 (never an exception / exit 3); no traceback;
nothing registered when validation fails; the secret text of a `secure:` value is in no finding, output
or file. The case count and time are reported in the pytest summary (`fuzz:` lines).
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import time
from pathlib import Path

import pytest

from ackstack.engine.engine import mask_secrets
from ackstack.engine.testing import ROOT, run, stack_inventory
from ackstack.inputs.stackfile import SECURE_PLACEHOLDER, StackFileError, read_stack_file
from ackstack.preview.preview import main as preview_main
from components.config_loader import load
from components.plan import build_plan
from components.program import redacted
from components.secrets import Concealer, secret_texts
from components.validation.catalog import run_rules
from components.validation.findings import ValidationFailed, has_errors

YAML_CASES = 2000  # with CLI_CASES the 2000+ cases; the loops run exactly these counts
PROGRAM_EVERY = 50  # every 50th parsed case also runs the real program (~0.4 s each)
CLI_CASES = 160
STACKS = ("dev", "staging", "prod", "existing")
TEXT = {s: (ROOT / f"Pulumi.{s}.yaml").read_text(encoding="utf-8") for s in STACKS}
FACTS = {s: stack_inventory(s).cloud_facts() for s in STACKS}
_SCALAR_LINE = re.compile(r"^(\s*(?:- )?)([A-Za-z_][\w:.-]*): (\S.*)$")
_FLOW_PAIR = re.compile(r"([A-Za-z_][\w-]*): ([^,{}\[\]]+)")
_KEY_LINE = re.compile(r"^(\s*(?:- )?)([A-Za-z_][\w:.-]*):(?: .*)?$")

SNIPPETS = [
    "2024-01-01", "2024-01-01T10:00:00Z", "yes", "no", "on", "off", "y", "~", "null", "NULL", "True", "FALSE",
    "0777", "08", "0x1F", "0o17", "0b101", "1_000", "-0", "+1", ".5", "1e999", "-1e999", ".inf", ".nan",
    "99999999999999999999", "1" * 400, "-" + "9" * 330, '"\\ud800"', '"a\\udfffb"', "'[{\"name\": \"\\ud800\"}]'",
    "'{\"a\": \"\\udc00\"}'", "!!binary aGVsbG8=", "!!python/object:os.system x", "&a [1, 2]", "*undefined",
    "{secure: v1:FUZZ}", "[{secure: v1:FUZZ}]", "{a: {b: {secure: v1:FUZZ}}}", "''", '""', "'  '", "|\n  x",
    "[" * 70 + "]" * 70, "{a: " * 70 + "1" + "}" * 70, "[" * 5000, '"' + "😀" * 50 + '"', "'%s ${x}'",
]
BOMB = ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n")


def mutate(rng: random.Random, text: str) -> bytes:
    """1..3 text-level mutations of a stack file."""
    lines = text.splitlines()
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["snippet"] * 6 + ["flow"] * 3 + ["dup-key", "bytes", "bomb", "anchor", "secure", "indent",
                                                          "drop"])
        flows = [i for i, line in enumerate(lines) if _FLOW_PAIR.search(line) and "{" in line]
        scalar = [i for i, line in enumerate(lines) if _SCALAR_LINE.match(line)]
        keyed = [i for i, line in enumerate(lines) if _KEY_LINE.match(line)]
        if op in ("snippet", "secure") and scalar:
            i = rng.choice(scalar)
            m = _SCALAR_LINE.match(lines[i])
            value = "{secure: v1:FUZZ}" if op == "secure" else rng.choice(SNIPPETS)
            lines[i] = f"{m[1]}{m[2]}: {value}"
        elif op == "flow" and flows:  # one value inside a flow mapping (`- {id: ..., cidrBlock: ...}`)
            i = rng.choice(flows)
            pairs = list(_FLOW_PAIR.finditer(lines[i]))
            pair = rng.choice(pairs)
            value = rng.choice(SNIPPETS[:30] + ["garbage", "10.0.0.0/33", "1.2.3", "[]", "{}"])
            lines[i] = lines[i][:pair.start(2)] + value + lines[i][pair.end(2):]
        elif op == "dup-key" and keyed:
            i = rng.choice(keyed)
            lines.insert(i + 1, lines[i] if not lines[i].rstrip().endswith(":") else lines[i] + " {}")
        elif op == "bytes":
            i = rng.randrange(len(lines))
            return ("\n".join(lines[:i]) + "\n").encode() + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00"]) \
                + ("\n".join(lines[i:]) + "\n").encode()
        elif op == "bomb":
            return (BOMB + "\n".join(lines) + "\n").encode()
        elif op == "anchor" and scalar:
            i, j = rng.choice(scalar), rng.choice(scalar)
            m, n = _SCALAR_LINE.match(lines[i]), _SCALAR_LINE.match(lines[j])
            lines[i] = f"{m[1]}{m[2]}: &fz {m[3]}"
            lines[j] = f"{n[1]}{n[2]}: *fz"
        elif op == "indent" and lines:
            i = rng.randrange(len(lines))
            lines[i] = " " + lines[i]
        elif op == "drop" and lines:
            del lines[rng.randrange(len(lines))]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _no_secret(*texts: str) -> None:
    for text in texts:
        assert SECURE_PLACEHOLDER not in text and "v1:FUZZ" not in text


def _record(record_property, name: str, cases: int, started: float) -> None:
    record_property("fuzz", f"{name}: {cases} cases in {time.monotonic() - started:.1f} s")


@pytest.mark.parametrize("half", [0, 1])
def test_yaml_level_mutations_never_crash_leak_or_half_register(tmp_path, record_property, half):
    rng = random.Random(1500 + half)
    started, parsed, programs = time.monotonic(), 0, 0
    cases = YAML_CASES // 2
    for case in range(cases):
        stack = STACKS[case % len(STACKS)]
        path = tmp_path / f"Pulumi.{stack}.yaml"
        path.write_bytes(mutate(rng, TEXT[stack]))
        try:
            stack_file = read_stack_file(path)  # exit 2 on StackFileError
        except StackFileError as exc:
            assert "\n" not in str(exc)
            _no_secret(str(exc))
            continue
        parsed += 1
        concealer = Concealer(secret_texts(stack_file.config, stack_file.secret_keys))
        loaded = load(stack_file.config, concealer)
        findings = redacted(loaded.findings + concealer.name_findings(stack_file.config), concealer)
        if loaded.config is not None:
            findings += redacted(run_rules(build_plan(loaded.config, FACTS[stack])), concealer)
        else:
            assert has_errors(findings)
        _no_secret(*(f.message for f in findings))
        if parsed % PROGRAM_EVERY == 0:
            programs += 1
            result = run(stack_file.config, stack=stack, secret_keys=stack_file.secret_keys,
                         inventory=stack_inventory(stack))
            assert result.error is None or isinstance(result.error, ValidationFailed), repr(result.error)
            if result.error is not None:
                assert result.registrations == []
                _no_secret(str(result.error))
            _no_secret(json.dumps([mask_secrets(r.inputs) for r in result.registrations], default=str),
                       json.dumps(result.logs))
    assert parsed > cases // 4 and programs >= 3, (parsed, programs)
    _record(record_property, f"yaml-level[{half}]", cases, started)


def _option_file(rng: random.Random, tmp: Path, kind: str, valid: Path | None) -> str:
    choice = rng.choice(["valid", "valid", "mutated", "mutated", "dir", "missing", "garbage", "bytes", "shape",
                         "deep"])
    target = tmp / f"{kind}-{rng.randrange(10**9)}"
    if choice == "valid" and valid is not None:
        return str(valid)
    if choice == "mutated" and valid is not None:
        target.write_bytes(mutate(rng, valid.read_bytes().decode("utf-8", "replace")))
        return str(target)
    if choice == "dir":
        target.mkdir()
    elif choice == "garbage":
        target.write_text(rng.choice(["{", "[1,", "a: b: c", "\t- x", "null", "{}", "[]"]))
    elif choice == "bytes":
        target.write_bytes(b"\xff\xfe\x00garbage")
    elif choice == "shape":
        target.write_text(rng.choice(['{"resources": [{"urn": 1}]}', '{"resources": [{"urn": "u", "type": "t", '
                                      '"inputs": []}]}', '[1, 2]', '{"x": 5}', 'vpcs: [1]', 'vswitches: {id: 1}',
                                      '{"sg-no-open-admin-ports": {"adminPorts": "x"}}', '{"all": 5}']))
    elif choice == "deep":
        target.write_text("[" * 100_000)
    return str(target)


def test_cli_options_exit_0_1_or_2_with_one_line_and_no_secret(tmp_path, record_property):
    rng = random.Random(15)
    started = time.monotonic()
    previous = tmp_path / "previous.json"
    for stack in STACKS:
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
            assert preview_main([stack, "--json", "--no-policy"]) == 0
    previous.write_text(stdout.getvalue())
    policy_config = ROOT / "policies" / "config.prod.json"
    codes: dict[int, int] = {}
    for case in range(CLI_CASES):
        stack = STACKS[case % len(STACKS)]
        config = tmp_path / f"c{case}.yaml"
        config.write_bytes(mutate(rng, TEXT[stack]) if rng.random() < 0.5 else TEXT[stack].encode())
        given = str(config) if rng.random() < 0.8 else _option_file(rng, tmp_path, "config", config)
        argv = [stack, "--no-policy", "--config", given]
        if rng.random() < 0.5:
            argv.append("--json")
        inventory = ROOT / "inventory" / f"{stack}.yaml"
        for option, valid in (("--inventory", inventory if inventory.exists() else None), ("--compare", previous),
                              ("--policy-pack-config", policy_config)):
            if rng.random() < (0.9 if option == "--inventory" and stack == "existing" else 0.4):
                argv += [option, _option_file(rng, tmp_path, option.strip("-"), valid)]
        out = None
        if rng.random() < 0.4:
            out = tmp_path / f"out{case}"
            if rng.random() < 0.3:
                out.write_text("a file, not a directory")
            argv += ["--out", str(out)]
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = preview_main(argv)
        codes[code] = codes.get(code, 0) + 1
        text, err = stdout.getvalue(), stderr.getvalue()
        assert code in (0, 1, 2), (argv, err)
        assert "Traceback" not in text + err
        if code == 2:
            assert text == "" and err.count("\n") == 1, (argv, err)
        _no_secret(text, err)
        if out is not None and out.is_dir():
            _no_secret(*(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()))
        if code == 1 and "--json" in argv:
            document = json.loads(text)
            if any(f["source"] == "validation" and f["level"] == "error" for f in document["findings"]):
                assert document["resources"] == []
    assert set(codes) == {0, 1, 2}, codes  # the options reach every outcome, not only "unreadable"
    _record(record_property, "cli-options", CLI_CASES, started)
