"""No two modules of ``tracing_app.scripts`` import each other, even inside a function (#11)."""

from __future__ import annotations

import ast
from pathlib import Path

import tracing_app.scripts

PACKAGE = Path(tracing_app.scripts.__file__).parent
NAME = "tracing_app.scripts"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((NAME, *parts))


def imported(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that the file imports, wherever the import statement is."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], base]).strip(".")
            for alias in node.names:
                for candidate in (f"{base}.{alias.name}", base):
                    if candidate in modules:
                        found.add(candidate)
                        break
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
    return found - {own}


def test_no_import_loops_in_the_scripts_package():
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    graph = {module_name(path): imported(path, modules) for path in paths}
    assert graph[f"{NAME}.xlsform"] >= {f"{NAME}.checks"}  # the test sees imports at all

    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        while stack:
            current, trail = stack.pop()
            for following in sorted(graph[current]):
                if following == start:
                    return [*trail, start]
                if following not in trail:
                    stack.append((following, [*trail, following]))
        return None

    assert [cycle for module in sorted(graph) if (cycle := cycle_from(module))] == []
