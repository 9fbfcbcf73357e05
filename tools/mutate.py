"""Mutation testing of the core models (issue #25): does a small semantic change make a test fail?

    .venv/bin/python -m tools.mutate [--module NAME ...] [--max N] [--list]

For each module in MODULES, every function body is mutated one site at a time (a comparison operator
flipped or made strict, `and`/`or` swapped, a `not` dropped, an integer constant moved by one, `min`/`max`
swapped, `+`/`-` swapped, True/False swapped, an `if` body skipped). Each mutant is written into a copy of
the repository and that module's tests run against it (`pytest -x`, no xdist); a failing run kills it.
Prints the kill rate per module and every survivor (path:line, function, change). Survivors kept on purpose
are explained as equivalent in docs/testing.md.

Exit status: 0 every module at or above --target (default 90%), 1 below, 2 bad arguments or a module whose
tests fail with no mutant in place (checked first, before its mutants).
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module -> the test files that own its behaviour: seconds per run. The webhook model meets Terway's own code (the
# terway-oracle binary); compare's tests read the real engine's rehearsals, made once per run (see test_exit_code).
MODULES: dict[str, tuple[str, ...]] = {
    "policies/ackstack_core/selectors.py": ("tests/policies/test_selectors.py", "tests/components/test_rules_selectors.py",
                                            "tests/components/test_podnetworking_spec.py"),
    "policies/ackstack_core/terway_webhook.py": ("tests/policies/test_oracle_terway.py",  # Terway's own Go code
                                                 "tests/components/test_terway_behaviour_rules.py", "tests/components/test_boundaries.py",
                                                 "tests/components/test_podnetworking_rules.py", "tests/components/test_terway_rules.py"),
    "components/capacity.py": ("tests/components/test_capacity.py", "tests/components/test_capacity_byocni.py",
                               "tests/components/test_boundaries.py"),
    "ackstack/preview/compare.py": ("tests/ackstack/preview/test_compare_switches.py", "tests/ackstack/preview/test_compare_baseline.py", "tests/ackstack/preview/test_compare_deployed.py",
                                    "tests/ackstack/preview/test_reliability_compare.py",
                                    "tests/ackstack/preview/test_compare_pinning.py",
                                    "tests/ackstack/engine/test_provider_model.py",  # REP004, REP005
                                    "tests/components/test_reliability_protect_destroy.py"),  # REP015, REP017
    "components/validation/rules_cap.py": ("tests/components/test_capacity.py", "tests/components/test_capacity_byocni.py",
                                                "tests/components/test_boundaries.py"),
    "components/validation/rules_tag.py": ("tests/ackstack/inputs/test_hostile_input.py", "tests/components/test_boundaries.py"),
    "components/secrets.py": ("tests/components/test_secrets_channels.py", "tests/components/test_secrets_leaks.py"),
}
SWAP_COMPARE = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq,
                ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


@dataclass(frozen=True)
class Mutant:
    module: str
    site: int  # index of the mutation site in the module (walk order)
    line: int
    function: str
    change: str

    @property
    def key(self) -> str:
        """How docs/testing.md names an equivalent mutant: path:function:change (line numbers move)."""
        return f"{self.module}:{self.function}:{self.change}"


class _Sites(ast.NodeTransformer):
    """Walks a module; with `target` None it lists the sites, else it applies mutation `target`."""

    def __init__(self, target: int | None = None):
        self.target, self.count, self.found, self.function = target, 0, [], "<module>"

    def _site(self, node: ast.AST, change: str) -> bool:
        if self.function == "<module>":
            return False
        index = self.count
        self.count += 1
        if self.target is None:
            self.found.append((index, getattr(node, "lineno", 0), self.function, change))
        return index == self.target

    def visit_FunctionDef(self, node):
        outer, self.function = self.function, node.name
        node.body = [self.visit(stmt) for stmt in node.body]  # not the decorators, defaults or annotations
        self.function = outer
        return node

    visit_AsyncFunctionDef = visit_FunctionDef

    def generic_visit(self, node):
        if self.function == "<module>" and not isinstance(node, ast.Module | ast.ClassDef):
            return node  # module-level tables are facts with their own tests; mutate behaviour only
        return super().generic_visit(node)

    def visit_Expr(self, node):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return node  # docstrings
        return self.generic_visit(node)

    def visit_Compare(self, node):
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            swap = SWAP_COMPARE.get(type(op))
            if swap and self._site(node, f"{type(op).__name__}->{swap.__name__}"):
                node.ops[i] = swap()
        return node

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        swap = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._site(node, f"{type(node.op).__name__}->{swap.__name__}"):
            node.op = swap()
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Not) and self._site(node, "drop not"):
            return node.operand
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        swaps = {ast.Add: ast.Sub, ast.Sub: ast.Add}
        swap = swaps.get(type(node.op))
        if swap and not isinstance(node.left, ast.Constant | ast.JoinedStr) and self._site(
                node, f"{type(node.op).__name__}->{swap.__name__}"):
            node.op = swap()
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, bool):
            if self._site(node, f"{node.value}->{not node.value}"):
                return ast.copy_location(ast.Constant(not node.value), node)
        elif isinstance(node.value, int) and self._site(node, f"{node.value}->{node.value + 1}"):
            return ast.copy_location(ast.Constant(node.value + 1), node)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in ("min", "max"):
            other = "max" if node.func.id == "min" else "min"
            if self._site(node, f"{node.func.id}->{other}"):
                node.func = ast.copy_location(ast.Name(other, ast.Load()), node.func)
        return node

    def visit_If(self, node):
        self.generic_visit(node)
        if self._site(node, "skip if-body"):
            node.body = [ast.copy_location(ast.Pass(), node)]
        return node


def mutants(module: str, root: Path = ROOT) -> list[Mutant]:
    sites = _Sites()
    sites.visit(ast.parse((root / module).read_text(encoding="utf-8")))
    return [Mutant(module, i, line, fn, change) for i, line, fn, change in sites.found]


def find(module: str, function: str, change: str) -> Mutant:
    """The first mutant of `function` in `module` making `change` (how the suite's fixed sample names them)."""
    for mutant in mutants(module):
        if mutant.function == function and mutant.change == change:
            return mutant
    raise LookupError(f"no mutant {module}:{function}:{change}")


def mutated_source(mutant: Mutant, root: Path = ROOT) -> str:
    """The module of `root` (the scratch copy during a run: the working tree may change meanwhile, which would
    move the site numbers) with `mutant` applied."""
    tree = _Sites(mutant.site).visit(ast.parse((root / mutant.module).read_text(encoding="utf-8")))
    return ast.unparse(ast.fix_missing_locations(tree))


def copy_repository(into: Path) -> Path:
    """The tracked files (and the working tree's edits of them) in a scratch directory; .venv linked."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


def test_exit_code(mutant: Mutant | None, tests: tuple[str, ...], copy: Path, timeout: float) -> int | None:
    """pytest's exit status for `tests` with the mutant (None: none) in place in `copy` (None: it timed out). A fresh
    interpreter per mutant: forking the loaded runner saved nothing measurable (its imports take ~1.4 s CPU of
    a run) and is unsafe from a threaded process such as an xdist worker."""
    target = copy / mutant.module if mutant else None
    original = target.read_text(encoding="utf-8") if target else ""
    if target:
        target.write_text(mutated_source(mutant, copy), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{copy}{os.pathsep}{copy / 'policies'}", "PYTHONDONTWRITEBYTECODE": "1",
           # The real engine's rehearsals (tests/real_engine.py), made once by the unmutated baseline run and read
           # by every mutant's run: the oracle never depends on the mutant, and a mutant costs seconds, not the
           # minute a rehearsal takes.
           "ACKSTACK_REHEARSAL_CACHE": str(copy / ".rehearsals")}
    env.pop("CI", None)  # a tool the tests need is missing -> skip, never "killed"
    try:
        return subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                               "-o", "addopts=", *tests], cwd=copy, env=env, capture_output=True,
                              timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return None
    finally:
        if target:
            target.write_text(original, encoding="utf-8")


def killed(mutant: Mutant, tests: tuple[str, ...], copy: Path, timeout: float) -> bool:
    """Whether the module's tests fail with the mutant in place (a timeout counts as killed)."""
    code = test_exit_code(mutant, tests, copy, timeout)
    if code is not None and code > 2:  # 3 internal error, 4 usage error, 5 no tests: the run proves nothing
        raise RuntimeError(f"pytest exited {code} for {mutant.key} with {' '.join(tests)}")
    return code != 0  # 1 a test failed, 2 collection failed (the mutant broke an import), None timed out


class BaselineFailed(RuntimeError):
    """The module's tests fail with no mutant in place: no kill rate can be measured (exit 2)."""


def equivalent_keys() -> set[str]:
    """Mutants docs/testing.md explains as equivalent: lines `- \\`path:function:change\\``."""
    text = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8") if (ROOT / "docs" / "testing.md").exists() else ""
    return {line.split("`")[1] for line in text.splitlines() if line.startswith("- `") and line.count("`") >= 2}


def run(modules: list[str], limit: int | None, seed: int, timeout: float) -> Iterator[tuple[Mutant, bool]]:
    with tempfile.TemporaryDirectory(prefix="ackstack-mutate-") as scratch:
        copy = copy_repository(Path(scratch))
        for module in modules:
            found = mutants(module, copy)
            if limit is not None and len(found) > limit:
                found = sorted(random.Random(seed).sample(found, limit), key=lambda m: m.site)
            tests = tuple(t for t in MODULES[module] if (copy / t).is_file())  # an older checkout may lack one
            if not tests:  # pytest with no paths would run the whole suite for every mutant
                raise BaselineFailed(f"{module}: none of its test files exists: {' '.join(MODULES[module])}")
            # Unmutated first: a failing baseline would count every mutant as killed; it also makes the rehearsals.
            baseline = test_exit_code(None, tests, copy, timeout * 4)
            if baseline != 0:
                raise BaselineFailed(f"{module}: its tests fail without a mutant (pytest exit {baseline}): "
                                     f"{' '.join(tests)}")
            for mutant in found:
                yield mutant, killed(mutant, tests, copy, timeout)


def _count(mutant: Mutant, dead: bool, totals: dict[str, list[int]], equivalent: set[str],
           survivors: list[Mutant]) -> None:
    counts = totals[mutant.module]  # killed, equivalent, total
    counts[2] += 1
    if dead:
        counts[0] += 1
    elif mutant.key in equivalent:
        counts[1] += 1
    else:
        survivors.append(mutant)
    print(f"{'killed ' if dead else 'SURVIVED'} {mutant.module}:{mutant.line} {mutant.function}: {mutant.change}",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="only this module (repeatable)")
    parser.add_argument("--max", type=int, default=None, help="at most N mutants per module (a fixed sample)")
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--target", type=float, default=0.9)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant's test run")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    args = parser.parse_args(argv)
    modules = args.module or list(MODULES)
    if args.list:
        for module in modules:
            for m in mutants(module):
                print(f"{m.module}:{m.line} {m.function}: {m.change}")
        return 0
    equivalent = equivalent_keys()
    totals: dict[str, list[int]] = {m: [0, 0, 0] for m in modules}  # killed, equivalent, total
    survivors: list[Mutant] = []
    started = time.monotonic()
    try:
        for mutant, dead in run(modules, args.max, args.seed, args.timeout):
            _count(mutant, dead, totals, equivalent, survivors)
    except BaselineFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"\nkill rate per module ({time.monotonic() - started:.0f} s; equivalent mutants from docs/testing.md "
          "count as killed):")
    below = False
    for module, (dead, same, total) in totals.items():
        rate = (dead + same) / total if total else 1.0
        below |= rate < args.target
        print(f"  {module}: {dead} killed + {same} equivalent of {total} = {rate:.0%}")
    if survivors:
        print("\nsurvivors (kill them with a test, or explain them in docs/testing.md as `path:function:change`):")
        for m in survivors:
            print(f"  {m.module}:{m.line} {m.function}: {m.change}  [{m.key}]")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
