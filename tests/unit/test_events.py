from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from graph_lineage.demo import DemoPipeline
from graph_lineage.events import parse_event, render_events_json_schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema" / "events.schema.json"


def _recommendation(**changes: Any) -> dict[str, Any]:
    event = {
        "type": "recommendation.served", "event_id": "e1", "producer": "test",
        "event_time": "2026-11-01T10:00:00Z", "request_id": "r1",
        "served_at": "2026-11-01T10:00:00Z", "user_id": "alice", "segment": "new",
        "model_version": "model:ranker@v7", "feature_versions": ["feature:ctr@v3"],
        "items": [{"item_id": "sku-1", "score": 0.9, "position": 0}],
    }  # fmt: skip
    event.update(changes)
    return event


def test_the_exported_json_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text() == render_events_json_schema(), (
        "schema/events.schema.json is stale: run `graph-lineage export-schema`"
    )


def test_the_json_schema_names_every_event_type() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    mapping = schema["discriminator"]["mapping"]

    assert set(mapping) == {
        "data_source.registered", "data_source.changed", "feature_version.materialized",
        "model_version.trained", "model_version.deployed", "model_version.retired",
        "experiment.started", "experiment.changed", "experiment.stopped",
        "recommendation.served", "outcome.observed", "feature_statistics.observed",
    }  # fmt: skip


def test_the_type_field_selects_the_model() -> None:
    event = parse_event(_recommendation())

    assert type(event).__name__ == "RecommendationServed"
    assert event.uid == "rec:r1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"event_time": "2026-11-01T10:00:00"}, "timezone"),
        ({"model_version": "ranker-v7"}, "not a uid"),
        ({"model_version": "model:ranker"}, "must name a version"),
        ({"feature_versions": ["source:clicks"]}, "kind feature"),
        ({"experiment": "exp"}, "experiment and variant go together"),
        ({"surprise": 1}, "Extra inputs are not permitted"),
        ({"event_id": ""}, "at least 1 character"),
    ],
)
def test_bad_events_are_refused_with_a_reason(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_event(_recommendation(**change))


def test_experiment_shares_cannot_exceed_one() -> None:
    experiment = {
        "type": "experiment.started", "event_id": "x", "producer": "t", "salt": "s",
        "event_time": "2026-11-01T10:00:00Z", "experiment": "e",
        "variants": [
            {"name": "a", "traffic_share": 0.7, "model_version": "model:m@v1"},
            {"name": "b", "traffic_share": 0.7, "model_version": "model:m@v2"},
        ],
    }  # fmt: skip

    with pytest.raises(ValidationError, match=r"add up to 1\.400"):
        parse_event(experiment)


def test_the_demo_pipeline_is_deterministic_and_valid() -> None:
    first = list(DemoPipeline(recommendations=500, seed=9).events())
    again = list(DemoPipeline(recommendations=500, seed=9).events())
    other = list(DemoPipeline(recommendations=500, seed=10).events())

    assert first == again
    assert first != other
    parsed = [parse_event(raw) for raw in first]
    kinds = {event.type for event in parsed}
    assert sum(e.type == "recommendation.served" for e in parsed) == 500
    assert {"experiment.started", "experiment.changed", "experiment.stopped"} <= kinds
    assert len({e.uid for e in parsed if e.type == "data_source.registered"}) >= 5
    versions = {e.uid for e in parsed if e.type == "feature_version.materialized"}
    assert len(versions) >= 30
    assert len({uid.split("@")[0] for uid in versions}) == 10
    assert len({e.uid for e in parsed if e.type == "model_version.trained"}) == 9
    derived = [
        e for e in parsed
        if e.type == "feature_version.materialized"
        and any(d.startswith("feature:") for d in e.derived_from)
    ]  # fmt: skip
    assert derived
