"""graph_lineage.bodies: the one JSON/NDJSON decoder of every ingest path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_lineage.bodies import MAX_DEPTH, Undecodable, loads, read_file_items, split_items
from graph_lineage.errors import InvalidBody, LineageError


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_deep_nesting_is_refused_not_a_recursion_error(depth: int) -> None:
    with pytest.raises(InvalidBody) as refused:
        loads("[" * depth + "]" * depth)
    assert refused.value.code == "too_deep"
    assert isinstance(refused.value, LineageError)


def test_nesting_up_to_the_limit_decodes() -> None:
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


@pytest.mark.parametrize("text", ['{"s": NaN}', "[Infinity]", "[-Infinity]", '{"s": 1e999}'])
def test_non_finite_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidBody) as refused:
        loads(text)
    assert refused.value.code == "non_finite_number"


def test_a_single_object_is_one_item_and_ndjson_lines_are_numbered() -> None:
    assert split_items('{"a": 1}') == [(1, {"a": 1})]
    items = split_items('{"a": 1}\n\n{"a": NaN}\n')
    assert items[0] == (1, {"a": 1})
    assert items[1][0] == 3
    assert isinstance(items[1][1], Undecodable)


def test_a_json_array_with_a_bad_number_is_refused_whole() -> None:
    with pytest.raises(InvalidBody):
        split_items('[{"a": 1}, {"a": 1e999}]')


def test_files_use_the_same_rules(tmp_path: Path) -> None:
    array = tmp_path / "a.json"
    array.write_text(json.dumps([{"a": 1}, {"a": 2}]))
    lines = tmp_path / "a.ndjson"
    lines.write_text('{"a": 1}\n{"a": Infinity}\n')

    assert [item for _, item in read_file_items(array)] == [{"a": 1}, {"a": 2}]
    numbered = list(read_file_items(lines))
    assert numbered[0] == (1, {"a": 1})
    assert isinstance(numbered[1][1], Undecodable)
