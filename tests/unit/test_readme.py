"""The README's promises: two commands, and CI runs the test one."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _first_block_after(heading: str) -> str:
    section = README.split(heading, 1)[1]
    match = re.search(r"```(?:sh)?\n(.*?)```", section, re.S)
    assert match, f"no code block after {heading}"
    return match.group(1)


def test_readme_gives_exactly_two_commands() -> None:
    commands = [
        line.split("#")[0].strip() for line in _first_block_after("## Two commands").splitlines()
    ]

    assert commands == ["make run", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()

    assert "exec make test" in ci


def test_makefile_defines_both_targets() -> None:
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^run: ", makefile, re.M)
    assert re.search(r"^test: ", makefile, re.M)
    assert "graph-lineage up" in makefile
    assert "pytest" in makefile and "mypy" in makefile and "ruff check" in makefile
