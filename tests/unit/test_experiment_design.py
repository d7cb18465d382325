"""Periods of an experiment from its declarations: order by instant, stops and restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from graph_lineage.experiments.design import _instant, _periods

pytestmark = pytest.mark.unit


def _declared(kind: str, at: str, treatment: float, event: str) -> dict[str, Any]:
    return {
        "event_id": event,
        "event_time": at,
        "type": f"experiment.{kind}",
        "variants": {
            "control": {"traffic_share": 1 - treatment, "model_version": "model:m@v1"},
            "treatment": {"traffic_share": treatment, "model_version": "model:m@v2"},
        },
        "feature_flags": {},
    }


def _sorted(declarations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(declarations, key=lambda d: (_instant(d["event_time"]), d["event_id"]))


def test_declarations_are_ordered_by_instant_not_by_their_text() -> None:
    """10:00+02:00 is 08:00 UTC, before a change at 09:00 UTC that sorts before it as text."""
    declarations = _sorted(
        [
            _declared("started", "2026-11-01T10:00:00+02:00", 0.5, "a"),
            _declared("changed", "2026-11-01T09:00:00+00:00", 0.8, "b"),
        ]
    )
    periods = _periods(declarations)
    assert [p.start for p in periods] == [
        datetime(2026, 11, 1, 8, tzinfo=UTC),
        datetime(2026, 11, 1, 9, tzinfo=UTC),
    ]
    assert [p.shares["treatment"] for p in periods] == [0.5, 0.8]
    assert periods[0].end == periods[1].start and periods[1].end is None


def test_a_stop_ends_its_period_and_a_restart_opens_another() -> None:
    periods = _periods(
        _sorted(
            [
                _declared("started", "2026-11-01T00:00:00Z", 0.5, "a"),
                _declared("stopped", "2026-11-02T00:00:00Z", 0.5, "b"),
                _declared("changed", "2026-11-03T00:00:00Z", 0.2, "c"),
                _declared("stopped", "2026-11-04T00:00:00Z", 0.2, "d"),
            ]
        )
    )
    spans = [(p.start.day, p.end.day if p.end else None) for p in periods]
    assert spans == [(1, 2), (3, 4)]
    stopped = datetime(2026, 11, 2, 12, tzinfo=UTC)
    assert not any(p.holds(stopped) for p in periods)


def test_two_declarations_at_one_instant_keep_the_later_event() -> None:
    periods = _periods(
        _sorted(
            [
                _declared("started", "2026-11-01T00:00:00Z", 0.5, "b"),
                _declared("changed", "2026-11-01T00:00:00Z", 0.9, "a"),
            ]
        )
    )
    assert [p.shares["treatment"] for p in periods] == [0.5]
