"""The packages import one way: no module reaches itself through the imports at the top of the modules (under
`TYPE_CHECKING` too), and no import inside a function closes such a loop, which would only hide it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"components": ROOT / "components", "ackstack": ROOT / "ackstack",
            "ackstack_core": ROOT / "policies" / "ackstack_core", "ackstack_policies": ROOT / "policies" / "ackstack_policies"}


def _modules() -> dict[str, Path]:
    found = {}
    for package, base in PACKAGES.items():
        for path in base.rglob("*.py"):
            parts = [package, *path.relative_to(base).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported(node: ast.Import | ast.ImportFrom, module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules an import statement loads (a name imported from a package may be its module)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")[: len(module.split(".")) - (path.name != "__init__.py")]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
    found = set()
    for name in names:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)
    return found


def _graph() -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    modules = _modules()
    top: dict[str, set[str]] = {m: set() for m in modules}
    local: list[tuple[str, int, str]] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text())
        at_top = {id(sub) for node in tree.body for sub in (ast.walk(node) if isinstance(node, (ast.If, ast.Try))
                                                             else [node])}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets = _imported(node, module, path, modules)
                if id(node) in at_top:
                    top[module] |= targets
                else:
                    local += [(module, node.lineno, target) for target in targets]
    return top, local


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        for nxt in graph[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def test_the_graph_reads_the_imports_it_must_see():
    top, local = _graph()
    assert "components.plan" in top["components.validation.catalog"]
    assert "ackstack.preview.compare" in top["ackstack.preview.preview"]
    assert any(source == "ackstack.cli" for source, _, _ in local)  # the CLI loads its subcommands lazily


def test_no_module_imports_itself_through_others():
    top, _ = _graph()
    assert sorted(m for m in top if m in _reach(top, m)) == []


def test_no_function_local_import_closes_a_loop():
    top, local = _graph()
    every = {m: set(targets) for m, targets in top.items()}
    for source, _, target in local:
        every[source].add(target)
    loops = [f"{source}:{line} -> {target}" for source, line, target in local if source in _reach(every, target)]
    assert loops == []
