"""The disk spool: durable appends, oldest-first replay, deletion after commit, restarts."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_lineage.collector import Spool


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "spool"


@pytest.fixture
def spool(folder: Path) -> Iterator[Spool]:
    spool = Spool(folder, segment_bytes=64)
    yield spool
    spool.close()


def _lines(first: int, count: int) -> list[str]:
    return [f'{{"n": {n}}}' for n in range(first, first + count)]


def _drain(spool: Spool, chunk: int = 3) -> list[str]:
    seen = []
    while lines := spool.peek(chunk):
        seen.extend(lines)
        spool.commit(len(lines))
    return seen


def _segments(spool: Spool) -> list[Path]:
    return sorted(spool.directory.glob("*.ndjson"))


def test_lines_come_back_oldest_first_across_segments(spool: Spool) -> None:
    for first in range(0, 20, 4):
        assert spool.append(_lines(first, 4))

    assert len(_segments(spool)) > 2
    assert spool.pending == 20
    assert _drain(spool) == _lines(0, 20)
    assert spool.pending == 0 and _segments(spool) == []


def test_a_segment_is_deleted_only_when_all_its_lines_are_committed(spool: Spool) -> None:
    spool.append(_lines(0, 4))
    spool.append(_lines(4, 4))
    oldest = _segments(spool)[0]

    head = spool.peek(100)
    spool.commit(len(head) - 1)

    assert oldest.exists()
    assert spool.peek(100) == head[-1:]
    spool.commit(1)
    assert not oldest.exists()


def test_uncommitted_lines_are_offered_again(spool: Spool) -> None:
    spool.append(_lines(0, 5))

    assert spool.peek(2) == _lines(0, 2)
    assert spool.peek(2) == _lines(0, 2)
    spool.commit(2)
    assert spool.peek(2) == _lines(2, 2)


def test_lines_appended_while_replaying_come_after_the_older_ones(spool: Spool) -> None:
    spool.append(_lines(0, 2))
    first = spool.peek(1)
    spool.commit(1)
    spool.append(_lines(2, 2))

    assert first + _drain(spool) == _lines(0, 4)


def test_a_new_spool_on_the_same_folder_finds_what_was_left(folder: Path) -> None:
    before = Spool(folder, segment_bytes=64)
    before.append(_lines(0, 10))
    before.commit(len(before.peek(3)))
    before.close()

    after = Spool(folder, segment_bytes=64)
    try:
        assert after.pending == 7
        assert _drain(after) == _lines(3, 7)
        assert _segments(after) == []
    finally:
        after.close()


def test_a_torn_last_line_is_returned_as_is_for_the_caller_to_discard(folder: Path) -> None:
    before = Spool(folder)
    before.append(_lines(0, 2))
    segment = _segments(before)[0]
    before.close()
    with segment.open("ab") as handle:
        handle.write(b'{"n": 2')

    after = Spool(folder)
    try:
        assert after.pending == 3
        assert _drain(after) == [*_lines(0, 2), '{"n": 2']
    finally:
        after.close()


def test_a_full_spool_refuses_and_keeps_what_it_has(folder: Path) -> None:
    spool = Spool(folder, max_bytes=40)
    try:
        assert spool.append(_lines(0, 3))
        assert not spool.append(_lines(3, 3))
        assert _drain(spool) == _lines(0, 3)
        assert spool.append(_lines(3, 3))
    finally:
        spool.close()


def test_two_spools_on_one_folder_take_separate_slots(folder: Path, spool: Spool) -> None:
    other = Spool(folder)
    try:
        assert other.directory != spool.directory
        spool.append(_lines(0, 1))
        assert other.pending == 0 and other.peek(10) == []
    finally:
        other.close()


def test_spooled_files_are_private(spool: Spool) -> None:
    spool.append(_lines(0, 1))

    assert stat.S_IMODE(spool.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(_segments(spool)[0].stat().st_mode) == 0o600
