"""The command line: every command module registers its own parsers, and the README lists
exactly the commands there are."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from types import ModuleType

import pytest

from graph_lineage.cli import COMMAND_MODULES, _parser

pytestmark = pytest.mark.unit

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(subparsers.choices)


def _registered_by(module: ModuleType) -> set[str]:
    parser = argparse.ArgumentParser()
    module.register(parser.add_subparsers())
    return set(_commands(parser))


def test_each_module_registers_its_own_commands_and_no_other_module_does() -> None:
    owned = [_registered_by(module) for module in COMMAND_MODULES]

    assert all(owned), "a command module that registers nothing"
    assert sum(len(names) for names in owned) == len(set().union(*owned))
    assert set().union(*owned) == set(_commands(_parser()))


def test_every_command_parses_to_a_handler() -> None:
    for name, command in _commands(_parser()).items():
        actions = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        leaves = [command] if not actions else list(actions[0].choices.values())
        for leaf in leaves:
            assert callable(leaf.get_default("handler")), f"{name} {leaf.prog} has no handler"


def test_the_readme_lists_exactly_the_commands_there_are() -> None:
    block = README.split("## The command line", 1)[1].split("```", 2)[1]
    listed = set(re.findall(r"^graph-lineage ([a-z0-9-]+)", block, re.M))

    assert listed == set(_commands(_parser()))
