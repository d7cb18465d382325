"""Length limits and finite numbers in the typed event and OpenLineage models."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from graph_lineage.events import parse_event
from graph_lineage.openlineage import parse_event as parse_openlineage
from graph_lineage.openlineage.facets import Documentation, OutputStatistics, Sql, read_facets

BIG = "x" * 10_000_001


def served(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "recommendation.served",
        "event_id": "e1",
        "event_time": "2026-11-01T10:00:00Z",
        "producer": "ranker",
        "request_id": "r1",
        "served_at": "2026-11-01T10:00:00Z",
        "user_id": "u1",
        "segment": "all",
        "model_version": "model:ranker@v1",
        "items": [{"item_id": "i1", "score": 0.5, "position": 0}],
    }
    event.update(changes)
    return event


def run_event(**job: Any) -> dict[str, Any]:
    return {
        "eventTime": "2026-11-01T10:00:00Z",
        "producer": "https://x",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json",
        "run": {"runId": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"},
        "job": {"namespace": "spark", "name": "build", **job},
    }


def test_the_example_is_valid() -> None:
    assert parse_event(served()).uid == "rec:r1"


@pytest.mark.parametrize("score", [math.nan, math.inf, -math.inf])
def test_a_non_finite_score_is_refused(score: float) -> None:
    with pytest.raises(ValidationError, match="finite"):
        parse_event(served(items=[{"item_id": "i1", "score": score, "position": 0}]))


def test_non_finite_latency_metrics_and_quantiles_are_refused() -> None:
    with pytest.raises(ValidationError):
        parse_event(served(latency_ms=math.inf))
    with pytest.raises(ValidationError):
        parse_event(
            {
                "type": "feature_statistics.observed",
                "event_id": "s1",
                "event_time": "2026-11-01T10:00:00Z",
                "producer": "p",
                "feature_version": "feature:ctr@v1",
                "window_start": "2026-11-01T00:00:00Z",
                "window_end": "2026-11-01T01:00:00Z",
                "count": 3,
                "quantiles": {"0.5": math.nan},
            }
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"error": BIG},
        {"cohort": BIG},
        {"model_version": f"model:ranker@{BIG}"},
        {"feature_versions": [f"feature:f@{BIG}"]},
    ],
)
def test_oversized_strings_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_event(served(**changes))


def test_an_openlineage_job_name_of_ten_megabytes_is_refused() -> None:
    with pytest.raises(ValidationError, match="at most 1000"):
        parse_openlineage(run_event(name=BIG))
    with pytest.raises(ValidationError):
        parse_openlineage(run_event(namespace=BIG))


def test_facets_over_their_limits_or_non_finite_do_not_validate() -> None:
    with pytest.raises(ValidationError):
        Documentation.model_validate({"description": BIG})
    with pytest.raises(ValidationError):
        Sql.model_validate({"query": BIG})
    with pytest.raises(ValidationError):
        OutputStatistics.model_validate({"rowCount": math.inf})


def test_free_text_is_bounded_by_the_setting_max_free_text() -> None:
    with pytest.raises(ValidationError, match="at most 10000 characters"):
        parse_event(served(error="x" * 10_001))

    assert parse_event(served(error="x" * 15_000), max_free_text=20_000).error == "x" * 15_000
    with pytest.raises(ValidationError, match=r"at most 20000 characters .*max_free_text"):
        parse_event(served(error="x" * 20_001), max_free_text=20_000)


def test_long_facet_fields_are_bounded_by_the_setting_openlineage_max_facet_text() -> None:
    facets = {"documentation": {"description": "d" * 150_000}}
    warnings: list[str] = []

    assert read_facets("job", facets, "[0].job", warnings).values == {}
    assert "openlineage_max_facet_text" in warnings[0]
    kept = read_facets("job", facets, "[0].job", [], max_facet_text=200_000)
    assert kept.values["documentation"] == {"description": "d" * 150_000}
