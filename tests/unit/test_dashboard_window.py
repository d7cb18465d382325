"""A dashboard's range and buckets: whole UTC hours, days and ISO weeks, and their limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from graph_lineage.completeness.audit import KIND as COMPLETENESS
from graph_lineage.dashboard import MAX_BUCKETS, Bucket, DashboardWindow
from graph_lineage.errors import InvalidQuery
from graph_lineage.experiments.records import KIND as EXPERIMENT_REPORT
from graph_lineage.governance import RUN_KINDS
from graph_lineage.governance.erasure import KIND as ERASURE
from graph_lineage.governance.retention import KIND as RETENTION
from graph_lineage.governance.rotation import KIND as KEY_ROTATION


def test_buckets_start_at_or_before_the_range_and_cover_it() -> None:
    window = DashboardWindow(datetime(2026, 10, 7, 15, 30), datetime(2026, 10, 9, 0, 0, 1))

    assert window.bucket_starts() == [
        datetime(2026, 10, 7, tzinfo=UTC),
        datetime(2026, 10, 8, tzinfo=UTC),
        datetime(2026, 10, 9, tzinfo=UTC),
    ]


def test_weeks_start_on_monday_and_hours_on_the_hour_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    start, end = datetime(2026, 10, 8, 1, 30, tzinfo=paris), datetime(2026, 10, 20, tzinfo=UTC)

    weeks = DashboardWindow(start, end, Bucket.WEEK).bucket_starts()
    hours = DashboardWindow(start, start + timedelta(hours=1), Bucket.HOUR).bucket_starts()

    assert weeks == [datetime(2026, 10, 5, tzinfo=UTC), datetime(2026, 10, 12, tzinfo=UTC),
                     datetime(2026, 10, 19, tzinfo=UTC)]  # fmt: skip
    assert [w.weekday() for w in weeks] == [0, 0, 0]
    assert hours == [datetime(2026, 10, 7, 23, tzinfo=UTC), datetime(2026, 10, 8, tzinfo=UTC)]


def test_an_empty_range_or_too_many_buckets_is_refused_with_what_to_do() -> None:
    moment = datetime(2026, 10, 1, tzinfo=UTC)
    with pytest.raises(InvalidQuery, match="before it starts"):
        DashboardWindow(moment, moment)
    with pytest.raises(InvalidQuery, match="choose a shorter range or a longer bucket"):
        DashboardWindow(moment, moment + timedelta(hours=MAX_BUCKETS + 1), Bucket.HOUR)
    assert DashboardWindow(moment, moment + timedelta(hours=MAX_BUCKETS), Bucket.HOUR).buckets == (
        MAX_BUCKETS
    )


def test_the_run_kinds_listed_are_those_the_runs_record() -> None:
    recorded = {RETENTION, ERASURE, KEY_ROTATION, COMPLETENESS, EXPERIMENT_REPORT}
    assert set(RUN_KINDS) == recorded
