"""The signals drift detection watches, read from the graph one window at a time.

A signal is named by a key, ``<kind>|<scope>``:

==========================  ===================================================  ========
key                         what                                                 shape
==========================  ===================================================  ========
``feature_distribution|fv``  the values of feature version ``fv`` (its            numeric or
                            ``feature_statistics.observed`` histogram, quantiles  categorical
                            or category counts)
``feature_nulls|fv``         the share of null values                             rate
``feature_volume|fv``        how many values a window held                        volume
``training_skew|mv|fv``      ``fv`` serving against the feature's statistics      numeric or
                            over the training window of model version ``mv``     categorical
``score_distribution|mv``    the item scores ``mv`` served (prediction drift)     numeric
``outcome_rate|S|kind``      recommendations with an outcome of ``kind``, per     rate
                            model version (``S`` = ``model:…``), segment
                            (``segment:…``) or cohort (``cohort:…``)
``outcome_value|mv|kind``    the values of outcomes of ``kind`` (dwell seconds),  numeric
                            per model version, when they vary
``traffic_mix|segment``      recommendations per segment (and per cohort: a new   categorical
                            cohort shows here)
``item_popularity|served``   recommended items (and ``|outcomes``: items with     categorical
                            outcomes), the top :data:`TOP_ITEMS` of a window
==========================  ===================================================  ========

Feature signals come from ``FeatureStatistics`` nodes as they are ingested (each carries
its own window); serving signals are aggregated from the recommendations and outcomes of
one settled window, so each window is read once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph_lineage.drift.distributions import Summary
from graph_lineage.store.connection import Reader
from graph_lineage.store.values import native

logger = logging.getLogger("graph_lineage.drift")

FEATURE_DISTRIBUTION = "feature_distribution"
FEATURE_NULLS = "feature_nulls"
FEATURE_VOLUME = "feature_volume"
TRAINING_SKEW = "training_skew"
SCORE_DISTRIBUTION = "score_distribution"
OUTCOME_RATE = "outcome_rate"
OUTCOME_VALUE = "outcome_value"
TRAFFIC_MIX = "traffic_mix"
ITEM_POPULARITY = "item_popularity"
KINDS = (
    FEATURE_DISTRIBUTION,
    FEATURE_NULLS,
    FEATURE_VOLUME,
    TRAINING_SKEW,
    SCORE_DISTRIBUTION,
    OUTCOME_RATE,
    OUTCOME_VALUE,
    TRAFFIC_MIX,
    ITEM_POPULARITY,
)
FEATURE_KINDS = (FEATURE_DISTRIBUTION, FEATURE_NULLS, FEATURE_VOLUME, TRAINING_SKEW)
SERVING_KINDS = (SCORE_DISTRIBUTION, OUTCOME_RATE, OUTCOME_VALUE, TRAFFIC_MIX, ITEM_POPULARITY)
TOP_ITEMS = 1000
SCORE_LEVELS = tuple(i / 20 for i in range(21))
NO_COHORT = "(none)"


def utc(value: Any) -> datetime:
    """A stored time as an aware datetime in UTC (offset zero, not a named zone), so that
    what drift stores reads the same in Cypher whatever zone it arrived in."""
    moment = native(value)
    if not isinstance(moment, datetime):
        raise ValueError(f"not a time: {value!r}")
    return moment.astimezone(UTC)


def signal_key(kind: str, *scope: str) -> str:
    return "|".join((kind, *scope))


def kind_of(key: str) -> str:
    return key.split("|", 1)[0]


@dataclass(frozen=True)
class Observed:
    """One signal over one window."""

    signal: str
    subject: str | None  # the lineage node it is about (a feature or model version uid)
    start: datetime
    end: datetime
    summary: Summary
    feature: str | None = None  # the feature uid of feature signals

    @property
    def kind(self) -> str:
        return kind_of(self.signal)


# -- feature statistics --

_STATISTICS_ROWS = """
MATCH (s)-[:DESCRIBES]->(fv:FeatureVersion)
OPTIONAL MATCH (fv)-[:VERSION_OF]->(f:Feature)
RETURN s.uid AS uid, fv.uid AS version, f.uid AS feature, s.window_start AS start,
       s.window_end AS end, s.count AS count, s.nulls AS nulls,
       s.histogram_edges AS edges, s.histogram_counts AS counts,
       s.quantile_levels AS levels, s.quantile_values AS values,
       s.categories AS categories, s.category_counts AS category_counts,
       s.ingested_at AS ingested_at
"""

# Feature statistics to read, a page at a time so that no read runs long: those ingested
# after a cursor (ingested_at, uid), an index seek on ingested_at (a first scan starts
# from the epoch), and for --since those whose window starts from a time.
STATISTICS_AFTER = (
    """
MATCH (s:FeatureStatistics)
WHERE s.ingested_at >= $after AND (s.ingested_at > $after OR s.uid > $afterUid)
WITH s ORDER BY s.ingested_at, s.uid LIMIT $page
"""
    + _STATISTICS_ROWS
)
STATISTICS_SINCE = (
    """
MATCH (s:FeatureStatistics)
WHERE s.window_start >= $since AND (s.window_start > $since OR s.uid > $afterUid)
WITH s ORDER BY s.window_start, s.uid LIMIT $page
"""
    + _STATISTICS_ROWS
)
PAGE = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
AFTER_EVERY_UID = "\U0010ffff"  # a page cursor at a time with every uid there behind it


def statistics_after(store: Reader, after: datetime | None) -> list[Any]:
    """Every statistics row ingested strictly after ``after`` (all of them for None), in
    pages."""
    if after is None:
        return _paged(store, STATISTICS_AFTER, "ingested_at", "", after=EPOCH)
    return _paged(store, STATISTICS_AFTER, "ingested_at", AFTER_EVERY_UID, after=utc(after))


def statistics_since(store: Reader, since: datetime) -> list[Any]:
    """Every statistics row whose window starts at or after ``since``, in pages."""
    return _paged(store, STATISTICS_SINCE, "start", "", since=utc(since))


def _paged(store: Reader, query: LiteralString, key: str, last: str, **position: Any) -> list[Any]:
    """Rows from ``position`` on (those at it only with a uid above ``last``)."""
    (name,) = position
    rows: list[Any] = []
    while True:
        page = store.read(query, afterUid=last, page=PAGE, **position)
        rows += page
        if len(page) < PAGE:
            return rows
        newest = max(page, key=lambda row: (utc(row[key]), row["uid"]))
        # as an offset time: Cypher finds two times equal only in the same kind of zone
        position[name], last = utc(newest[key]), newest["uid"]


def feature_windows(rows: list[Any]) -> Iterator[Observed]:
    """Distribution, null rate and volume windows of feature statistics rows (a row the
    detector cannot read, such as quantiles that fall, is skipped with a warning)."""
    for row in rows:
        try:
            yield from _feature_windows(row)
        except ValueError as refused:
            logger.warning("drift: feature statistics %s skipped: %s", row["uid"], refused)


def _feature_windows(row: Any) -> Iterator[Observed]:
    version, start, end = row["version"], utc(row["start"]), utc(row["end"])
    present = int(row["count"]) - int(row["nulls"] or 0)
    distribution = _distribution(row, present)
    common = {"subject": version, "start": start, "end": end, "feature": row["feature"]}
    if distribution is not None:
        key = signal_key(FEATURE_DISTRIBUTION, version)
        yield Observed(key, summary=distribution, **common)
    nulls = Summary.rate(int(row["nulls"] or 0), int(row["count"]))
    yield Observed(signal_key(FEATURE_NULLS, version), summary=nulls, **common)
    volume = Summary.volume(int(row["count"]))
    yield Observed(signal_key(FEATURE_VOLUME, version), summary=volume, **common)


def _distribution(row: Any, present: int) -> Summary | None:
    if row["edges"]:
        return Summary.histogram(row["edges"], row["counts"])
    if row["levels"]:
        return Summary.quantiles(row["levels"], row["values"], present)
    if row["categories"]:
        return Summary.category_counts(
            dict(zip(row["categories"], row["category_counts"], strict=True))
        )
    return None


# Model versions trained on each feature version, with their training windows.
TRAINED_ON = """
UNWIND $versions AS version
MATCH (mv:ModelVersion)-[:TRAINED_ON]->(fv:FeatureVersion {uid: version})
WHERE mv.training_window_end IS NOT NULL
RETURN fv.uid AS version, mv.uid AS model_version,
       mv.training_window_start AS start, mv.training_window_end AS end
"""


@dataclass(frozen=True)
class Training:
    model_version: str
    start: datetime | None
    end: datetime


def trainings(store: Reader, versions: list[str]) -> dict[str, list[Training]]:
    """Feature version uid -> the model versions trained on it."""
    found: dict[str, list[Training]] = defaultdict(list)
    for row in store.read(TRAINED_ON, versions=versions):
        found[row["version"]].append(
            Training(
                row["model_version"],
                utc(row["start"]) if row["start"] is not None else None,
                utc(row["end"]),
            )
        )
    return found


def skew_windows(observed: list[Observed], trained: dict[str, list[Training]]) -> list[Observed]:
    """Each serving window of a feature version after the training of a model on it."""
    found = []
    for window in observed:
        if window.kind != FEATURE_DISTRIBUTION or window.subject is None:
            continue
        for training in trained.get(window.subject, []):
            if window.start >= training.end:
                key = signal_key(TRAINING_SKEW, training.model_version, window.subject)
                found.append(
                    Observed(
                        key,
                        window.subject,
                        window.start,
                        window.end,
                        window.summary,
                        window.feature,
                    )
                )
    return found


# -- serving: recommendations and outcomes of one window --

SERVED = """
MATCH (r:Recommendation) WHERE r.served_at >= $start AND r.served_at < $end
MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
RETURN c.model_version AS model_version, r.segment AS segment, r.cohort AS cohort,
       count(*) AS served
"""

WITH_OUTCOMES = """
MATCH (r:Recommendation) WHERE r.served_at >= $start AND r.served_at < $end
MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
MATCH (o:Outcome)-[:FOR]->(r)
WITH DISTINCT r, c.model_version AS model_version, o.kind AS kind
RETURN model_version, r.segment AS segment, r.cohort AS cohort, kind, count(*) AS recommendations
"""

# The 21 quantiles (SCORE_LEVELS) of ``value`` in one aggregation.
_QUANTILES = """
[percentileCont(value, 0.0), percentileCont(value, 0.05), percentileCont(value, 0.1),
 percentileCont(value, 0.15), percentileCont(value, 0.2), percentileCont(value, 0.25),
 percentileCont(value, 0.3), percentileCont(value, 0.35), percentileCont(value, 0.4),
 percentileCont(value, 0.45), percentileCont(value, 0.5), percentileCont(value, 0.55),
 percentileCont(value, 0.6), percentileCont(value, 0.65), percentileCont(value, 0.7),
 percentileCont(value, 0.75), percentileCont(value, 0.8), percentileCont(value, 0.85),
 percentileCont(value, 0.9), percentileCont(value, 0.95), percentileCont(value, 1.0)]
"""

SCORES = (
    """
MATCH (r:Recommendation) WHERE r.served_at >= $start AND r.served_at < $end
MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
UNWIND r.scores AS value
WITH c.model_version AS model_version, value
RETURN model_version, count(value) AS count, """
    + _QUANTILES
    + " AS quantiles"
)

# Outcome values per model version and kind, for kinds whose values vary (dwell time).
OUTCOME_VALUES = (
    """
MATCH (r:Recommendation) WHERE r.served_at >= $start AND r.served_at < $end
MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
MATCH (o:Outcome)-[:FOR]->(r)
WITH c.model_version AS model_version, o.kind AS kind, o.value AS value
WITH model_version, kind, collect(value) AS values, min(value) AS low, max(value) AS high
WHERE low < high
UNWIND values AS value
RETURN model_version, kind, count(value) AS count, """
    + _QUANTILES
    + " AS quantiles"
)

SERVED_ITEMS = """
MATCH (r:Recommendation) WHERE r.served_at >= $start AND r.served_at < $end
UNWIND r.items AS item
WITH item, count(*) AS times
ORDER BY times DESC, item
WITH collect({item: item, times: times}) AS all
RETURN all[..$top] AS top, reduce(n = 0, x IN all[$top..] | n + x.times) AS rest
"""

OUTCOME_ITEMS = """
MATCH (r:Recommendation) WHERE r.served_at >= $start AND r.served_at < $end
MATCH (o:Outcome)-[:FOR]->(r)
WITH o.item_id AS item, count(*) AS times
ORDER BY times DESC, item
WITH collect({item: item, times: times}) AS all
RETURN all[..$top] AS top, reduce(n = 0, x IN all[$top..] | n + x.times) AS rest
"""


def serving_windows(store: Reader, start: datetime, end: datetime) -> list[Observed]:
    """Every serving signal over [start, end)."""
    window: dict[str, Any] = {"start": start, "end": end}
    served = store.read(SERVED, **window)
    found: list[Observed] = []
    if not served:
        return found

    def add(key: str, summary: Summary, subject: str | None = None) -> None:
        found.append(Observed(key, subject, start, end, summary))

    trials: dict[str, int] = defaultdict(int)
    segments: dict[str, int] = defaultdict(int)
    cohorts: dict[str, int] = defaultdict(int)
    for row in served:
        cohort = row["cohort"] or NO_COHORT
        count = int(row["served"])
        for scope in _scopes(row["model_version"], row["segment"], cohort):
            trials[scope] += count
        segments[row["segment"]] += count
        cohorts[cohort] += count
    add(signal_key(TRAFFIC_MIX, "segment"), Summary.category_counts(dict(segments)))
    add(signal_key(TRAFFIC_MIX, "cohort"), Summary.category_counts(dict(cohorts)))
    events: dict[tuple[str, str], int] = defaultdict(int)
    kinds: set[str] = set()
    for row in store.read(WITH_OUTCOMES, **window):
        kinds.add(row["kind"])
        cohort = row["cohort"] or NO_COHORT
        for scope in _scopes(row["model_version"], row["segment"], cohort):
            events[scope, row["kind"]] += int(row["recommendations"])
    for scope, total in sorted(trials.items()):
        for kind in sorted(kinds):
            subject = scope if scope.startswith("model:") else None
            rate = Summary.rate(events.get((scope, kind), 0), total)
            add(signal_key(OUTCOME_RATE, scope, kind), rate, subject)
    for row in store.read(SCORES, **window):
        if row["count"]:
            scores = Summary.quantiles(SCORE_LEVELS, row["quantiles"], int(row["count"]))
            mv = row["model_version"]
            add(signal_key(SCORE_DISTRIBUTION, mv), scores, mv)
    for row in store.read(OUTCOME_VALUES, **window):
        values = Summary.quantiles(SCORE_LEVELS, row["quantiles"], int(row["count"]))
        mv = row["model_version"]
        add(signal_key(OUTCOME_VALUE, mv, row["kind"]), values, mv)
    for query, scope in ((SERVED_ITEMS, "served"), (OUTCOME_ITEMS, "outcomes")):
        rows = store.read(query, top=TOP_ITEMS, **window)
        if rows and rows[0]["top"]:
            counts = {entry["item"]: entry["times"] for entry in rows[0]["top"]}
            if rows[0]["rest"]:
                counts["(other)"] = rows[0]["rest"]
            add(signal_key(ITEM_POPULARITY, scope), Summary.category_counts(counts))
    return found


def _scopes(model_version: str, segment: str, cohort: str) -> tuple[str, str, str]:
    return model_version, f"segment:{segment}", f"cohort:{cohort}"
