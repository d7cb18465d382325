"""The command line: every command module registers its own parsers, and the README lists
exactly the commands there are."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path
from types import ModuleType

import pytest

from graph_lineage.cli import COMMAND_MODULES, _parser, main

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
README_PATH = ROOT / "README.md"
README = README_PATH.read_text()
DEPRECATED = {"impact"}  # impact --change PLAN: change-plan PLAN


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


def _documented_commands() -> list[tuple[str, list[str]]]:
    """Every ``graph-lineage ...`` command in a sh or yaml block of the README and docs/."""
    found = []
    for path in [README_PATH, *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```(?:sh|yaml)\n(.*?)```", path.read_text(), re.S):
            for line in block.replace("\\\n", " ").splitlines():
                match = re.search(r"(?:^\s*|\|\s*)(?:\.venv/bin/)?graph-lineage\s+(.*)", line)
                if match:
                    words = shlex.split(match.group(1), comments=True)
                    stops = [i for i, word in enumerate(words) if word in SHELL_OPERATORS]
                    found.append((path.name, words[: stops[0]] if stops else words))
    return found


SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "2>"}


def test_every_documented_command_parses_and_none_uses_a_deprecated_spelling() -> None:
    documented = _documented_commands()

    assert len(documented) > 20
    for source, argv in documented:
        assert argv[0] not in DEPRECATED, f"{source}: {argv} uses a deprecated spelling"
        try:
            _parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{source}: `graph-lineage {' '.join(argv)}` does not parse")


def test_the_deprecated_impact_spelling_warns_and_runs_change_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "missing.yaml")  # refused before Neo4j is asked

    assert main(["change-plan", missing]) == 2
    current = capsys.readouterr().err
    assert main(["impact", "--change", missing]) == 2
    deprecated = capsys.readouterr().err

    assert current.startswith("error: the change plan is not valid:\n  - cannot read the plan")
    assert deprecated.startswith("warning: `graph-lineage impact --change PLAN` is deprecated;")
    assert deprecated.endswith(current)
