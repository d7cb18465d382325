"""Private files: created once, mode 0600, never overwritten, a lost race reads the winner."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from graph_lineage.private_files import read_or_create, write_private

pytestmark = pytest.mark.unit


def test_a_private_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "key"
    write_private(path, b"secret\n")
    assert path.read_bytes() == b"secret\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_private_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "key"
    write_private(path, "first")
    with pytest.raises(FileExistsError):
        write_private(path, "second")
    assert path.read_text() == "first"


def test_read_or_create_makes_the_value_once(tmp_path: Path) -> None:
    path = tmp_path / "key"
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return f"value-{len(made)}"

    assert read_or_create(path, make) == "value-1"
    assert read_or_create(path, make) == "value-1"
    assert made == ["x"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_process_that_loses_the_race_reads_the_winners_value(tmp_path: Path) -> None:
    path = tmp_path / "key"

    def make_while_another_process_wins() -> str:
        write_private(path, "winner\n")  # the other process creates it in between
        return "loser"

    assert read_or_create(path, make_while_another_process_wins) == "winner"
