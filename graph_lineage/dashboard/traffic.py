"""Traffic over time: recommendations per bucket by model version and variant, and the
share of them that had each kind of outcome.

One read scans the range's recommendations once, through the ``served_at`` index (or the
``(segment, served_at)`` or ``(cohort, served_at)`` one when a filter is given), and
groups them in Cypher by bucket, model version, variant and the set of outcome kinds each
recommendation had; the buckets are put together from those few hundred groups. An
outcome counts for the bucket its recommendation was served in, whenever it was observed.
A recommendation without a lineage context counts under ``(none)``, like one outside any
experiment; a model version or variant the caller may not see counts under ``(hidden)``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, LiteralString

from graph_lineage.dashboard.window import DashboardWindow
from graph_lineage.lineage.visibility import EVERYTHING, HIDDEN, Visibility
from graph_lineage.store.connection import Reader

NONE = "(none)"


def _groups(audience: LiteralString) -> LiteralString:
    return f"""
MATCH (r:Recommendation)
WHERE r.served_at >= $from AND r.served_at < $to {audience}
OPTIONAL MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
WITH (r.served_at.epochSeconds - $origin) / $width AS bucket,
     c.model_version AS model_version, c.variant AS variant,
     COLLECT {{
       MATCH (o:Outcome)-[:FOR]->(r)
       WITH DISTINCT o.kind AS kind ORDER BY kind
       RETURN kind
     }} AS outcomes
RETURN bucket, model_version, variant, outcomes, count(*) AS recommendations
"""


# One query per filter given, so that each filter's index can serve it: (segment given,
# cohort given) -> the query.
GROUPS: dict[tuple[bool, bool], LiteralString] = {
    (False, False): _groups(""),
    (True, False): _groups("AND r.segment = $segment"),
    (False, True): _groups("AND r.cohort = $cohort"),
    (True, True): _groups("AND r.segment = $segment AND r.cohort = $cohort"),
}

# The filters' choices: the range's recommendations per segment and cohort, unfiltered.
AUDIENCE = """
MATCH (r:Recommendation)
WHERE r.served_at >= $from AND r.served_at < $to
RETURN r.segment AS segment, r.cohort AS cohort, count(*) AS recommendations
"""


@dataclass
class TrafficBucket:
    start: datetime
    recommendations: int = 0
    by_model_version: Counter[str] = field(default_factory=Counter)
    by_variant: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # recommendations with one


@dataclass
class Traffic:
    buckets: list[TrafficBucket]

    @property
    def recommendations(self) -> int:
        return sum(bucket.recommendations for bucket in self.buckets)

    @property
    def outcomes(self) -> Counter[str]:
        return sum((bucket.outcomes for bucket in self.buckets), Counter())


@dataclass
class Audience:
    """Recommendations of the range per segment and per cohort: the filters' choices."""

    segments: Counter[str]
    cohorts: Counter[str]


def _range(window: DashboardWindow) -> dict[str, Any]:
    return {"from": window.start, "to": window.end}


def traffic(store: Reader, window: DashboardWindow, visibility: Visibility = EVERYTHING) -> Traffic:
    """The range's recommendations per bucket, as ``visibility`` lets the caller see them."""
    buckets = [TrafficBucket(start) for start in window.bucket_starts()]
    rows = store.read(
        GROUPS[window.segment is not None, window.cohort is not None],
        **_range(window),
        segment=window.segment,
        cohort=window.cohort,
        origin=int(window.origin.timestamp()),
        width=window.bucket.seconds,
    )
    for row in rows:
        bucket = buckets[int(row["bucket"])]
        count = int(row["recommendations"])
        bucket.recommendations += count
        bucket.by_model_version[_shown(row["model_version"], visibility)] += count
        bucket.by_variant[_shown(row["variant"], visibility)] += count
        for kind in row["outcomes"]:
            bucket.outcomes[kind] += count
    return Traffic(buckets)


def _shown(uid: str | None, visibility: Visibility) -> str:
    if uid is None:
        return NONE
    return HIDDEN if visibility.hides_uid(uid) else uid


def audience(store: Reader, window: DashboardWindow) -> Audience:
    """How many recommendations of the range each segment and cohort had."""
    segments: Counter[str] = Counter()
    cohorts: Counter[str] = Counter()
    for row in store.read(AUDIENCE, **_range(window)):
        count = int(row["recommendations"])
        segments[row["segment"] or NONE] += count
        cohorts[row["cohort"] or NONE] += count
    return Audience(segments, cohorts)
