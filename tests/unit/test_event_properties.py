"""Property-based tests of the event models (typed events and OpenLineage events).

Whatever JSON arrives, validation either gives an event or raises pydantic's
ValidationError (which the API answers as a 422); never another exception, which would be
a 500. What validates holds only finite numbers and round-trips through its JSON form.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from graph_lineage import openlineage
from graph_lineage.demo import DemoPipeline
from graph_lineage.events import EVENT_TYPES, parse_event

pytestmark = pytest.mark.unit

# Every event type the demo sends, one example each.
_EXAMPLES: dict[str, dict[str, Any]] = {}
for _event in DemoPipeline(recommendations=30, users=10).events():
    _EXAMPLES.setdefault(_event["type"], _event)

_OPENLINEAGE_EXAMPLE: dict[str, Any] = {
    "eventTime": "2026-11-01T10:00:00Z",
    "eventType": "COMPLETE",
    "producer": "https://example.com/producer",
    "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    "run": {"runId": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"},
    "job": {"namespace": "spark", "name": "build_ctr"},
    "inputs": [{"namespace": "s3://lake", "name": "clicks"}],
    "outputs": [{"namespace": "feast", "name": "ctr_7d"}],
}

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities included
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def _replace_one(example: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The example with one of its fields, or a field inside one, replaced by anything."""
    paths = list(_paths(example))
    return st.builds(lambda path, value: _with(example, path, value), st.sampled_from(paths), _json)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


def _with(example: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(example))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def _numbers(value: Any) -> Iterator[float]:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        for inner in value.values():
            yield from _numbers(inner)
    elif isinstance(value, list | tuple | set | frozenset):
        for inner in value:
            yield from _numbers(inner)
    elif isinstance(value, float):
        yield value


def test_the_demo_gives_an_example_of_every_event_model() -> None:
    parsed = {type(parse_event(example)) for example in _EXAMPLES.values()}
    assert parsed == set(EVENT_TYPES)


_typed_bodies = st.one_of(*(_replace_one(example) for example in _EXAMPLES.values()), _json)


@settings(max_examples=300)  # no server: cheap enough for more than the profile's 40
@given(raw=_typed_bodies)
def test_any_json_is_a_typed_event_or_a_validation_error(raw: Any) -> None:
    try:
        event = parse_event(raw)
    except ValidationError:
        return
    assert all(math.isfinite(number) for number in _numbers(event))
    again = parse_event(event.model_dump_json(by_alias=True))
    assert again == event


@settings(max_examples=300)
@given(raw=st.one_of(_replace_one(_OPENLINEAGE_EXAMPLE), _json))
def test_any_json_is_an_openlineage_event_or_a_validation_error(raw: Any) -> None:
    try:
        event = openlineage.parse_event(raw)
    except ValidationError:
        return
    assert all(math.isfinite(number) for number in _numbers(event))


@given(score=st.sampled_from([math.nan, math.inf, -math.inf]))
def test_a_non_finite_score_is_refused(score: float) -> None:
    served = _EXAMPLES["recommendation.served"]
    raw = _with(served, ("items", 0, "score"), score)
    with pytest.raises(ValidationError, match="finite"):
        parse_event(raw)
