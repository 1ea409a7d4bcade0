"""No two files of the product import each other, at any depth, deferred imports included.

A loop between files (``a`` imports ``b`` that imports ``a``, often hidden in an import
inside a function) means the shared part wants its own module. The layer rule (content
below lms below tracing_app) is tested in ``tests/content/test_plugins.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("content", "lms", "tracing_app")


def _modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the packages by dotted name (migrations are scripts, left out)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _imported_names(tree: ast.Module, module: str, is_package: bool) -> Iterator[str]:
    """Dotted names a module imports anywhere in its code (functions too), made absolute."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parents, base] if base else parents)
            # ``from pkg import name``: name is a submodule, or a name of pkg itself.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Map each module to the modules of the packages it imports.

    A package's ``__init__`` counts only when the imported name is not a submodule of it.
    """

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = {owner(name) for name in _imported_names(tree, module, path.stem == "__init__")}
        graph[module] = {target for target in targets if target and target != module}
    return graph


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return one import loop per group of files that reach each other, as a closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_through(graph, group) for group in groups]


def _path_through(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest closed path inside ``group`` from its first member back to it."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no path closes {group}")  # a strongly connected group has one


def test_no_import_loop_between_files():
    found = loops(import_graph(_modules()))
    assert [" -> ".join(loop) for loop in found] == [], (
        "files import each other; give the shared part its own module"
    )


def test_probe_a_deferred_import_loop_is_found_and_named(tmp_path):
    package = tmp_path / "content"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from content.sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from .c import g\n")
    (package / "sub" / "c.py").write_text("def g():\n    from ..a import x\n")
    (package / "d.py").write_text("import content.a\n")
    for other in ("lms", "tracing_app"):
        (tmp_path / other).mkdir()

    found = loops(import_graph(_modules(tmp_path)))

    assert found == [["content.a", "content.sub.b", "content.sub.c", "content.a"]]
