"""Retention: what is older than its kind's retention is deleted, in bounded batches.

Recommendations go when ``served_at`` (for stubs, which have none: ``ingested_at``) is
before their cut-off, together with their ``HAS_CONTEXT`` edge and their outcomes: an
outcome never outlives the recommendation it is about. Outcomes also go when their own
``observed_at`` is before theirs; feature statistics when their ``window_start`` is, and
drift detection's ``DriftWindow`` summaries of the same windows with them (the drift
alerts stay, as findings do).

What stays: every ``LineageContext`` with its edges, and the per-day ``ContextUsage``
counters, which are never decremented, so impact numbers stay what they were. Each
context counts the recommendations retention removed from it in
``expired_recommendations`` and keeps the latest cut-off in ``expired_before``.

>>> policy = RetentionPolicy(recommendations_days=90)
>>> policy.cutoffs(datetime(2027, 1, 10, tzinfo=UTC)).recommendations.date()
datetime.date(2026, 10, 12)
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graph_lineage.errors import LineageError
from graph_lineage.governance.records import finish_run, start_run, utc
from graph_lineage.settings import Settings
from graph_lineage.store.connection import Store

KIND = "retention"

_EXPIRED = """
(r.served_at < $recommendations_cutoff
 OR (r.served_at IS NULL AND r.ingested_at < $recommendations_cutoff))
"""

COUNT_EXPIRED = f"""
CALL () {{
  MATCH (r:Recommendation) WHERE {_EXPIRED}
  RETURN count(r) AS recommendations
}}
CALL () {{
  MATCH (o:Outcome)-[:FOR]->(r:Recommendation) WHERE {_EXPIRED}
  RETURN count(o) AS with_recommendations
}}
CALL () {{
  MATCH (o:Outcome) WHERE o.observed_at < $outcomes_cutoff
    AND NOT EXISTS {{ MATCH (o)-[:FOR]->(r:Recommendation) WHERE {_EXPIRED} }}
  RETURN count(o) AS on_their_own
}}
CALL () {{
  MATCH (s:FeatureStatistics) WHERE s.window_start < $feature_statistics_cutoff
  RETURN count(s) AS feature_statistics
}}
CALL () {{
  MATCH (w:DriftWindow) WHERE w.window_start < $feature_statistics_cutoff
  RETURN count(w) AS drift_windows
}}
RETURN recommendations, with_recommendations + on_their_own AS outcomes, feature_statistics,
       drift_windows
"""

# Per batch: the contexts learn what left them, outcomes go with their recommendation.
DELETE_EXPIRED_RECOMMENDATIONS = f"""
MATCH (r:Recommendation) WHERE {_EXPIRED}
CALL (r) {{
  CALL (r) {{
    MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
    SET c.expired_recommendations = coalesce(c.expired_recommendations, 0) + 1,
        c.expired_before = CASE WHEN c.expired_before >= $recommendations_cutoff
                           THEN c.expired_before ELSE $recommendations_cutoff END
  }}
  CALL (r) {{
    OPTIONAL MATCH (o:Outcome)-[:FOR]->(r)
    DETACH DELETE o
    RETURN count(o) AS outcomes
  }}
  DETACH DELETE r
  RETURN outcomes
}} IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS recommendations, coalesce(sum(outcomes), 0) AS outcomes
"""

DELETE_EXPIRED_OUTCOMES = """
MATCH (o:Outcome) WHERE o.observed_at < $outcomes_cutoff
CALL (o) { DETACH DELETE o } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS outcomes
"""

DELETE_EXPIRED_FEATURE_STATISTICS = """
MATCH (s:FeatureStatistics) WHERE s.window_start < $feature_statistics_cutoff
CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS feature_statistics
"""


DELETE_EXPIRED_DRIFT_WINDOWS = """
MATCH (w:DriftWindow) WHERE w.window_start < $feature_statistics_cutoff
CALL (w) { DETACH DELETE w } IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS drift_windows
"""


@dataclass(frozen=True)
class Cutoffs:
    """What was stored before these times goes; ``None`` keeps that kind forever."""

    recommendations: datetime | None
    outcomes: datetime | None
    feature_statistics: datetime | None

    def parameters(self) -> dict[str, Any]:
        return {
            "recommendations_cutoff": self.recommendations,
            "outcomes_cutoff": self.outcomes,
            "feature_statistics_cutoff": self.feature_statistics,
        }


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind is kept (0: forever) and nodes deleted per transaction."""

    recommendations_days: int = 90
    outcomes_days: int = 90
    feature_statistics_days: int = 365
    batch_size: int = 10_000

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            recommendations_days=settings.retention_recommendations_days,
            outcomes_days=settings.retention_outcomes_days,
            feature_statistics_days=settings.retention_feature_statistics_days,
            batch_size=settings.retention_batch_size,
        )

    def cutoffs(self, now: datetime) -> Cutoffs:
        def before(days: int) -> datetime | None:
            return utc(now) - timedelta(days=days) if days > 0 else None

        return Cutoffs(
            before(self.recommendations_days),
            before(self.outcomes_days),
            before(self.feature_statistics_days),
        )


@dataclass(frozen=True)
class RetentionReport:
    """What a run deleted (in a dry run: would have deleted) and where it is recorded."""

    uid: str
    dry_run: bool
    cutoffs: Cutoffs
    recommendations: int
    outcomes: int
    feature_statistics: int
    drift_windows: int = 0


def run_retention(
    store: Store, policy: RetentionPolicy, now: datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Delete what ``policy`` no longer keeps at ``now`` (default: the current time).

    The run is recorded as an ``(:RunRecord {kind: 'retention'})``; a dry run counts what
    would go, deletes nothing and records that with ``dry_run: true``.
    """
    as_of = utc(now or datetime.now(UTC))
    cutoffs = policy.cutoffs(as_of)
    uid = start_run(store, KIND, _settings_properties(policy, cutoffs, as_of, dry_run))
    try:
        counts = _count(store, cutoffs) if dry_run else _delete(store, cutoffs, policy.batch_size)
    except LineageError:
        with suppress(LineageError):
            finish_run(store, uid, {}, status="failed")
        raise
    finish_run(store, uid, {f"deleted_{kind}": count for kind, count in counts.items()})
    return RetentionReport(uid=uid, dry_run=dry_run, cutoffs=cutoffs, **counts)


def _settings_properties(
    policy: RetentionPolicy, cutoffs: Cutoffs, as_of: datetime, dry_run: bool
) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "as_of": as_of,
        "batch_size": policy.batch_size,
        "recommendations_days": policy.recommendations_days,
        "outcomes_days": policy.outcomes_days,
        "feature_statistics_days": policy.feature_statistics_days,
        **cutoffs.parameters(),
    }


def _count(store: Store, cutoffs: Cutoffs) -> dict[str, int]:
    row = store.read(COUNT_EXPIRED, **cutoffs.parameters())[0]
    kinds = ("recommendations", "outcomes", "feature_statistics", "drift_windows")
    return {kind: int(row[kind]) for kind in kinds}


def _delete(store: Store, cutoffs: Cutoffs, batch: int) -> dict[str, int]:
    parameters = {**cutoffs.parameters(), "batch": batch}
    expired = store.run_autocommit(DELETE_EXPIRED_RECOMMENDATIONS, **parameters)[0]
    outcomes = store.run_autocommit(DELETE_EXPIRED_OUTCOMES, **parameters)[0]
    statistics = store.run_autocommit(DELETE_EXPIRED_FEATURE_STATISTICS, **parameters)[0]
    drift = store.run_autocommit(DELETE_EXPIRED_DRIFT_WINDOWS, **parameters)[0]
    return {
        "recommendations": int(expired["recommendations"]),
        "outcomes": int(expired["outcomes"]) + int(outcomes["outcomes"]),
        "feature_statistics": int(statistics["feature_statistics"]),
        "drift_windows": int(drift["drift_windows"]),
    }
