"""One exception tree: every error class lives in graph_lineage/errors.py and its docstring
draws each one under its parent."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import api
import graph_lineage
from graph_lineage import errors


def _exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a module of graph_lineage or api, by qualified name."""
    found: dict[str, type[BaseException]] = {}
    for package in (graph_lineage, api):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name.endswith(".__main__"):  # runs the command line when imported
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseException)
                    and value.__module__ == info.name
                ):
                    found[f"{info.name}.{value.__qualname__}"] = value
    return found


def _drawn_tree() -> dict[str, str | None]:
    """Each class named in the docstring's tree, with the class drawn as its parent."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        drawn = re.match(r"^(?P<indent>[ │├└─]*?)(?P<name>[A-Z]\w+)\s", line.strip("\n") + " ")
        if not drawn or not line.startswith("    "):
            continue
        depth = len(drawn["indent"])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[drawn["name"]] = stack[-1][1] if stack else None
        stack.append((depth, drawn["name"]))
    return parents


def test_every_exception_class_lives_in_errors() -> None:
    found = _exception_classes()

    outside = sorted(name for name, cls in found.items() if cls.__module__ != errors.__name__)
    assert outside == []
    assert len(found) >= 21  # the walk found the tree, not an empty package


def test_every_error_is_rooted_at_lineage_error() -> None:
    for name, cls in _exception_classes().items():
        assert issubclass(cls, errors.LineageError), name


def test_the_docstring_draws_each_class_under_its_parent() -> None:
    classes = {
        cls.__name__: cls
        for cls in _exception_classes().values()
        if cls.__module__ == "graph_lineage.errors"
    }
    drawn = _drawn_tree()

    assert sorted(drawn) == sorted(classes)
    for name, parent in drawn.items():
        expected = classes[name].__bases__[0]
        assert parent == (None if expected is Exception else expected.__name__), name
