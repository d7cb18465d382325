"""Drift in the demo pipeline: where and when it starts is known, and nothing else changes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from graph_lineage.demo import FEATURES, NULL_RATE, OBSERVED, DemoPipeline

pytestmark = pytest.mark.unit

Events = list[dict[str, Any]]


def _statistics(events: Events) -> dict[tuple[str, str], dict[str, Any]]:
    """(feature version, window start) -> its statistics event."""
    return {
        (e["feature_version"], e["window_start"]): e
        for e in events
        if e["type"] == "feature_statistics.observed"
    }


def test_clean_statistics_are_a_daily_sample_of_each_versions_shares() -> None:
    statistics = _statistics(list(DemoPipeline(200, seed=3).events()))
    per_version: dict[str, list[list[int]]] = defaultdict(list)
    for event in statistics.values():
        counts = event["histogram"]["counts"]
        assert event["count"] == OBSERVED == sum(counts) + event["nulls"]
        per_version[event["feature_version"]].append(counts)

    nulls = [e["nulls"] / e["count"] for e in statistics.values()]
    assert abs(sum(nulls) / len(nulls) - NULL_RATE) < 0.002
    assert len(statistics) == 30 * len(FEATURES)
    v1, v5 = per_version["feature:session_intent@v1"], per_version["feature:session_intent@v5"]
    assert len({tuple(c) for c in v1}) == len(v1) > 1  # no two days alike
    share = [sum(c[1] for c in days) / sum(map(sum, days)) for days in (v1, v5)]
    assert share[0] == pytest.approx(0.25 / 1.025, abs=0.01)  # the bin shares move per version
    assert share[1] == pytest.approx(0.45 / 1.125, abs=0.02)
