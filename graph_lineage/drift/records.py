"""Drift in the graph: ``(:DriftWindow)`` per signal and window, ``(:DriftAlert)`` per problem.

A window is summarized once (its distribution, counts or rate) and judged once against
its baseline; both are kept on its node, linked by ``MEASURES`` to the feature or model
version it is about, so a report can chart the series and a scan reads only what is new.
``(:DriftScan)`` remembers how far each source of windows has been read.

A ``DriftAlert`` is one distinct problem, MERGEd on a uid from its signal and verdict
(``drift`` or ``seasonality``): a rescan updates it in place, as anomalies are, and its
``EVIDENCE`` edges point to the signal's subject, the windows it drifted in and the
lineage nodes named as likely causes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import neo4j

from graph_lineage.anomalies.records import (
    evidence_links,
    evidence_statement,
    mark_alerted_statement,
)
from graph_lineage.drift.distributions import Judgment, Summary
from graph_lineage.drift.signals import Observed, kind_of, utc
from graph_lineage.lineage.visibility import kind_of_uid
from graph_lineage.store.connection import Reader, Store
from graph_lineage.store.values import native

DRIFT, SEASONALITY, STABLE, UNJUDGED = "drift", "seasonality", "stable", "unjudged"
OPEN, RESOLVED = "open", "resolved"
# An alert's causes, stored as parallel lists: one entry per cause in each.
CAUSE_PROPERTIES = ("cause_uids", "cause_kinds", "cause_scores", "cause_evidence")


def window_uid(signal: str, start: datetime) -> str:
    digest = hashlib.sha256(signal.encode()).hexdigest()[:16]
    return f"driftwindow:{digest}/{start.isoformat().replace('+00:00', 'Z')}"


def alert_uid(signal: str, verdict: str) -> str:
    digest = hashlib.sha256(f"{signal}|{verdict}".encode()).hexdigest()[:16]
    return f"drift:{kind_of(signal)}/{digest}"


@dataclass(frozen=True)
class Verdict:
    """What a window's judgment concluded, with the baseline it was held against."""

    verdict: str
    baseline: str  # trailing, seasonal, fixed or training
    baseline_windows: int
    judgment: Judgment | None = None
    seasonal: Judgment | None = None  # against the seasonal baseline, when that was asked
    reason: str | None = None


@dataclass
class Window:
    """A stored window: what was observed, and how it was judged (None: not yet)."""

    uid: str
    observed: Observed
    verdict: str | None = None
    value: float | None = None
    threshold: float | None = None
    statistic: str | None = None
    seasonal_value: float | None = None
    new_categories: tuple[str, ...] = ()

    @property
    def start(self) -> datetime:
        return self.observed.start

    @property
    def summary(self) -> Summary:
        return self.observed.summary

    @property
    def ratio(self) -> float:
        if self.value is None or not self.threshold:
            return 0.0
        return abs(self.value) / self.threshold


SAVE_WINDOWS = """
UNWIND $rows AS row
MERGE (w:DriftWindow {uid: row.uid})
  ON CREATE SET w.ingested_at = $now
SET w += row.props, w.valid_from = row.props.window_start, w.summarized_at = $now
WITH w, row WHERE row.subject IS NOT NULL
CALL (w, row) {
  MATCH (n:FeatureVersion {uid: row.subject}) RETURN n
  UNION MATCH (n:ModelVersion {uid: row.subject}) RETURN n
}
MERGE (w)-[:MEASURES]->(n)
"""

SAVE_VERDICTS = """
UNWIND $rows AS row
MATCH (w:DriftWindow {uid: row.uid})
SET w += row.props, w.judged_at = $now
"""

# What a stored window is read as (:func:`stored_window`), by every reader of windows.
WINDOW_COLUMNS = """
RETURN w.uid AS uid, w.signal AS signal, w.subject AS subject, w.feature AS feature,
       w.window_start AS start, w.window_end AS end, w.shape AS shape, w.count AS count,
       w.points AS points, w.levels AS levels, w.categories AS categories,
       w.counts AS counts, w.bounded AS bounded, w.verdict AS verdict, w.value AS value,
       w.threshold AS threshold, w.statistic AS statistic, w.seasonal_value AS seasonal_value,
       w.new_categories AS new_categories, w.p_value AS p_value, w.baseline AS baseline,
       w.baseline_windows AS baseline_windows, w.reason AS reason
"""
_COLUMNS = WINDOW_COLUMNS + "ORDER BY w.window_start, w.uid\n"

SIGNAL_WINDOWS = (
    """
UNWIND $signals AS signal
MATCH (w:DriftWindow {signal: signal})
WHERE w.window_start >= $since AND w.window_start < $until
"""
    + _COLUMNS
)

FEATURE_WINDOWS = (
    """
UNWIND $features AS feature
MATCH (w:DriftWindow {feature: feature})
WHERE w.kind = $kind AND w.window_start >= $since AND w.window_start < $until
"""
    + _COLUMNS
)

NEAR_DRIFTS = """
MATCH (w:DriftWindow)
WHERE w.window_start >= $since AND w.window_start < $until AND w.verdict = 'drift'
RETURN w.signal AS signal, w.subject AS subject, w.kind AS kind, w.feature AS feature,
       w.value AS value, w.threshold AS threshold, w.window_start AS start,
       w.new_categories AS new_categories
"""

OBSERVED = """
UNWIND $subjects AS subject
MATCH (w:DriftWindow {signal: $kind + '|' + subject})
WHERE w.window_start >= $since AND w.window_start < $until
RETURN DISTINCT subject
"""

CURSOR = "MATCH (s:DriftScan {name: $name}) RETURN s.position AS position"
SAVE_CURSOR = """
MERGE (s:DriftScan {name: $name})
SET s.position = $position, s.scanned_at = $now
"""


def save_windows(store: Store, windows: list[Observed], now: datetime) -> list[Window]:
    rows = [_window_row(observed) for observed in windows]
    for chunk in _chunks(rows, 2000):
        store.write(SAVE_WINDOWS, rows=chunk, now=now)
    return [Window(row["uid"], observed) for row, observed in zip(rows, windows, strict=True)]


def save_verdicts(store: Store, judged: list[tuple[Window, Verdict]], now: datetime) -> None:
    rows = [{"uid": window.uid, "props": _verdict_props(verdict)} for window, verdict in judged]
    for chunk in _chunks(rows, 2000):
        store.write(SAVE_VERDICTS, rows=chunk, now=now)


READ_CHUNK = 100  # signals (or features) per read of stored windows: each read stays short


def signal_windows(
    store: Reader, signals: list[str], since: datetime, until: datetime
) -> list[Window]:
    """The stored windows of ``signals`` starting in [since, until), oldest first."""
    found = []
    for chunk in _chunks(signals, READ_CHUNK):
        rows = store.read(SIGNAL_WINDOWS, signals=chunk, since=since, until=until)
        found += [stored_window(row) for row in rows]
    return sorted(found, key=lambda w: (w.start, w.uid))


def feature_windows(
    store: Reader, features: list[str], kind: str, since: datetime, until: datetime
) -> list[Window]:
    """The stored ``kind`` windows of every version of ``features`` in [since, until)."""
    found = []
    for chunk in _chunks(features, READ_CHUNK):
        rows = store.read(FEATURE_WINDOWS, features=chunk, kind=kind, since=since, until=until)
        found += [stored_window(row) for row in rows]
    return sorted(found, key=lambda w: (w.start, w.uid))


def drifts_between(store: Reader, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Every window judged as drift that starts in [since, until)."""
    return [
        {**dict(row), "start": native(row["start"])}
        for row in store.read(NEAR_DRIFTS, since=since, until=until)
    ]


def observed_between(
    store: Reader, kind: str, subjects: list[str], since: datetime, until: datetime
) -> set[str]:
    """Which of ``subjects`` have a ``kind`` window starting in [since, until)."""
    rows = store.read(OBSERVED, kind=kind, subjects=subjects, since=since, until=until)
    return {row["subject"] for row in rows}


def cursor(store: Reader, name: str) -> Any:
    rows = store.read(CURSOR, name=name)
    return native(rows[0]["position"]) if rows else None


def save_cursor(store: Store, name: str, position: Any, now: datetime) -> None:
    store.write(SAVE_CURSOR, name=name, position=position, now=now)


def _window_row(observed: Observed) -> dict[str, Any]:
    summary = observed.summary
    props = {
        "signal": observed.signal,
        "kind": observed.kind,
        "subject": observed.subject,
        "feature": observed.feature,
        "window_start": observed.start,
        "window_end": observed.end,
        "shape": summary.shape,
        "count": summary.count,
        "points": list(summary.points) or None,
        "levels": list(summary.levels) or None,
        "categories": list(summary.categories) or None,
        "counts": list(summary.counts) or None,
        "bounded": summary.bounded,
    }
    return {
        "uid": window_uid(observed.signal, observed.start),
        "subject": observed.subject,
        "props": props,
    }


def _verdict_props(verdict: Verdict) -> dict[str, Any]:
    judgment = verdict.judgment
    statistic = judgment.statistic if judgment else None
    seasonal = verdict.seasonal.statistic if verdict.seasonal else None
    return {
        "verdict": verdict.verdict,
        "baseline": verdict.baseline,
        "baseline_windows": verdict.baseline_windows,
        "statistic": statistic.name if statistic else None,
        "value": _finite(statistic.value) if statistic else None,
        "p_value": statistic.p_value if statistic else None,
        "threshold": judgment.threshold if judgment else None,
        "seasonal_value": _finite(seasonal.value) if seasonal else None,
        "new_categories": list(judgment.new_categories) if judgment else None,
        "reason": verdict.reason or (statistic.reason if statistic else None),
    }


def _finite(value: float | None) -> float | None:
    if value is None:
        return None
    return max(min(value, 1e12), -1e12)


def stored_window(row: Any) -> Window:
    """A window as read with :data:`WINDOW_COLUMNS`."""
    shape = row["shape"]
    summary = Summary(
        shape,
        int(row["count"]),
        tuple(row["points"] or ()),
        tuple(row["levels"] or ()),
        tuple(row["categories"] or ()),
        tuple(row["counts"] or ()),
        bounded=bool(row["bounded"]),
    )
    observed = Observed(
        row["signal"],
        row["subject"],
        utc(row["start"]),
        utc(row["end"]),
        summary,
        row["feature"],
    )
    return Window(
        uid=row["uid"],
        observed=observed,
        verdict=row["verdict"],
        value=row["value"],
        threshold=row["threshold"],
        statistic=row["statistic"],
        seasonal_value=row["seasonal_value"],
        new_categories=tuple(row["new_categories"] or ()),
    )


def _chunks(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


# -- alerts --


@dataclass(frozen=True)
class Cause:
    """One likely contributor to a drift, with its score (0 to 1) and why."""

    uid: str  # a lineage uid, or cohort:…, segment:…, seasonality
    kind: str  # source_change, co_drift, upstream_drift, version_change, traffic_change, ...
    score: float
    evidence: str


@dataclass(frozen=True)
class Usage:
    day: str
    segment: str
    count: int


@dataclass(frozen=True)
class BlastRadius:
    model_versions: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    experiments: tuple[str, ...] = ()
    usage: tuple[Usage, ...] = ()  # recommendations per day and segment since the onset

    @property
    def recommendations(self) -> int:
        return sum(use.count for use in self.usage)


@dataclass(frozen=True)
class Problem:
    """One drift problem as a scan sees it: a signal's current episode."""

    signal: str
    subject: str | None
    verdict: str  # drift or seasonality
    open: bool
    onset: datetime
    last_window: datetime  # end of the newest window in the episode
    windows: int  # windows of the episode with this verdict
    statistic: str | None
    value: float | None  # the largest of the episode
    threshold: float | None
    baseline: str
    severity: str
    summary: str
    evidence_windows: tuple[str, ...] = ()
    causes: tuple[Cause, ...] = ()
    blast: BlastRadius = field(default_factory=BlastRadius)

    @property
    def uid(self) -> str:
        return alert_uid(self.signal, self.verdict)

    @property
    def kind(self) -> str:
        return kind_of(self.signal)

    def evidence(self) -> list[str]:
        uids = [self.subject or "", *(c.uid for c in self.causes), *self.blast.model_versions]
        return [uid for uid in dict.fromkeys(uids) if uid and kind_of_uid(uid)]


@dataclass(frozen=True)
class StoredAlert:
    problem: Problem
    previous_status: str | None
    alerted_count: int | None
    first_seen: datetime
    scans: int


UPSERT_ALERTS = """
UNWIND $rows AS row
MERGE (a:DriftAlert {uid: row.uid})
  ON CREATE SET a.first_seen = $now, a.valid_from = $now, a.ingested_at = $now, a.scans = 0
WITH a, row, a.status AS previous, a.alerted_count AS alerted
SET a += row.props, a.last_seen = $now, a.scans = a.scans + 1,
    a.resolved_at = CASE WHEN row.props.status = 'resolved'
                    THEN coalesce(a.resolved_at, $now) ELSE null END,
    a.resolution = CASE WHEN row.props.status = 'resolved'
                   THEN coalesce(a.resolution, 'back in line') ELSE null END
RETURN a.uid AS uid, previous, alerted, a.first_seen AS first_seen, a.scans AS scans
"""

ALERT_EVIDENCE = evidence_statement("DriftAlert")

OPEN_ALERTS = """
UNWIND $signals AS signal
MATCH (a:DriftAlert {signal: signal})
RETURN a.uid AS uid, a.status AS status, a.signal AS signal, a.verdict AS verdict,
       a.onset AS onset
"""

OPEN_DRIFTS = """
MATCH (a:DriftAlert) WHERE a.verdict = 'drift' AND a.status = 'open'
RETURN count(a) AS open
"""

# Open problems of signals that stopped producing windows (a feature version replaced, a
# model version retired) while others went on: resolved, with the reason.
RESOLVE_UNOBSERVED = """
MATCH (a:DriftAlert) WHERE a.status = 'open' AND a.last_window < $stale
  AND NOT a.signal IN $touched
SET a.status = 'resolved', a.resolved_at = $now,
    a.resolution = 'no window since ' + toString(a.last_window)
RETURN a.uid AS uid
"""

MARK_ALERTED = mark_alerted_statement("DriftAlert")


def stored_alerts(store: Reader, signals: list[str]) -> dict[str, dict[str, Any]]:
    return {row["uid"]: dict(row) for row in store.read(OPEN_ALERTS, signals=signals)}


def store_problems(store: Store, problems: list[Problem], now: datetime) -> list[StoredAlert]:
    """Upsert the problems and their evidence in one transaction."""
    if not problems:
        return []
    rows = [_alert_row(problem) for problem in problems]
    by_uid = {problem.uid: problem for problem in problems}
    stored: list[StoredAlert] = []

    def work(tx: neo4j.ManagedTransaction) -> None:
        for record in tx.run(UPSERT_ALERTS, rows=rows, now=now):
            stored.append(
                StoredAlert(
                    problem=by_uid[record["uid"]],
                    previous_status=record["previous"],
                    alerted_count=record["alerted"],
                    first_seen=native(record["first_seen"]),
                    scans=record["scans"],
                )
            )
        tx.run(ALERT_EVIDENCE, rows=rows, now=now).consume()

    store.write_transaction(work)
    return sorted(stored, key=lambda s: s.problem.uid)


def open_drifts(store: Reader) -> int:
    """How many drift problems are open in the store, whichever scan saw them."""
    return int(store.read(OPEN_DRIFTS)[0]["open"])


def resolve_unobserved(
    store: Store, touched: list[str], stale: datetime, now: datetime
) -> list[str]:
    """Resolve open problems of signals not in ``touched`` with no window ending after
    ``stale``; their uids."""
    rows = store.write(RESOLVE_UNOBSERVED, touched=touched, stale=stale, now=now)
    return [row["uid"] for row in rows]


def mark_alerted(store: Store, alerted: dict[str, int], now: datetime) -> None:
    if alerted:
        rows = [{"uid": uid, "count": count} for uid, count in sorted(alerted.items())]
        store.write(MARK_ALERTED, alerted=rows, now=now)


def _alert_row(problem: Problem) -> dict[str, Any]:
    causes, blast = problem.causes, problem.blast
    # Counted by kind, as anomalies' evidence is: what is hidden from a caller is counted.
    kinds = Counter(str(kind_of_uid(uid)) for uid in problem.evidence())
    props = {
        "signal": problem.signal,
        "kind": problem.kind,
        "subject": problem.subject,
        "verdict": problem.verdict,
        "status": OPEN if problem.open else RESOLVED,
        "severity": problem.severity,
        "summary": problem.summary,
        "onset": problem.onset,
        "last_window": problem.last_window,
        "windows": problem.windows,
        "statistic": problem.statistic,
        "value": _finite(problem.value),
        "threshold": problem.threshold,
        "baseline": problem.baseline,
        "cause_uids": [c.uid for c in causes],
        "cause_kinds": [c.kind for c in causes],
        "cause_scores": [c.score for c in causes],
        "cause_evidence": [c.evidence for c in causes],
        "affected_model_versions": list(blast.model_versions),
        "affected_deployments": list(blast.deployments),
        "affected_variants": list(blast.variants),
        "affected_experiments": list(blast.experiments),
        "affected_recommendations": blast.recommendations,
        "usage": json.dumps([u.__dict__ for u in blast.usage], sort_keys=True),
        "evidence": problem.evidence(),
        "evidence_kinds": sorted(kinds),
        "evidence_counts": [kinds[kind] for kind in sorted(kinds)],
    }
    links = evidence_links([*problem.evidence(), *problem.evidence_windows])
    return {"uid": problem.uid, "props": props, "links": links}
