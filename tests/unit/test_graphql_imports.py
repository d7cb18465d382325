"""The modules of api/graphql import each other in one direction: no circle, nothing deferred.

A circle held together by imports inside functions works until someone moves one; the
walk below reads each module's imports (with ``ast``, without importing anything) and
fails on a cycle among the modules, or on an import of one of them that is not at the top
level of its module.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "api.graphql"
FOLDER = Path(__file__).resolve().parents[2] / "api" / "graphql"


def _module_name(path: Path) -> str:
    return PACKAGE if path.stem == "__init__" else f"{PACKAGE}.{path.stem}"


MODULES = {_module_name(path): path for path in sorted(FOLDER.glob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom) -> set[str]:
    """The modules of the package that an import statement loads."""
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    elif node.module == PACKAGE:  # ``from api.graphql import x``: x may be a module
        names = {f"{PACKAGE}.{alias.name}" for alias in node.names}
        names = {name if name in MODULES else PACKAGE for name in names}
    else:
        names = {node.module or ""}
    return {name for name in names if name in MODULES}


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """(modules of the package it imports anywhere, those imported below the top level)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))}
    imported: set[str] = set()
    deferred: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            targets = _targets(node)
            imported |= targets
            if id(node) not in top:
                deferred += [f"{path.name}:{node.lineno} imports {name}" for name in targets]
    return imported, deferred


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of ``graph`` as a path that ends where it starts, or [] when there is none."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        for target in sorted(graph[module]):
            found = visit(target, [*path, module])
            if found:
                return found
        done.add(module)
        return []

    for module in sorted(graph):
        found = visit(module, [])
        if found:
            return found
    return []


def test_the_modules_of_api_graphql_import_each_other_without_a_circle() -> None:
    assert {"api.graphql.nodes", "api.graphql.authorization"} <= set(MODULES)
    graph = {name: _imports(path)[0] - {name} for name, path in MODULES.items()}
    # The package's __init__ imports its modules, and none of them imports it.
    assert graph[PACKAGE] and all(PACKAGE not in graph[name] for name in graph if name != PACKAGE)
    assert _cycle(graph) == []


def test_the_modules_of_api_graphql_import_each_other_only_at_the_top() -> None:
    deferred = [line for path in MODULES.values() for line in _imports(path)[1]]
    assert deferred == []


def test_the_walk_finds_a_cycle_and_a_deferred_import(tmp_path: Path) -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
    module = tmp_path / "nodes.py"
    module.write_text(
        "from api.graphql.context import RequestContext\n"
        "def versions():\n    from api.graphql.visibility import visibility\n"
    )
    assert _imports(module) == (
        {"api.graphql.context", "api.graphql.visibility"},
        ["nodes.py:3 imports api.graphql.visibility"],
    )
