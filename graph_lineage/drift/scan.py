"""One drift scan: read the windows not yet judged, judge them, update alerts, alert.

Incremental: feature statistics are read from the last ingestion time a scan reached,
serving windows from the first window no scan has summarized, and only once settled (the
window ended ``settle`` ago, so late outcomes are in). Only signals with new windows are
judged again. A scan with nothing new reads two cursors and writes nothing. ``since``
re-reads and re-judges every window from that time (after a setting changed, say); the
same data gives the same verdicts and the same alerts, so nothing new is sent.

>>> report = scan(store, Monitor.from_settings(settings))
>>> [(p.problem.signal, p.problem.causes[0].uid) for p in report.problems][:1]
[('feature_distribution|feature:item_price@v2', 'source:catalog')]
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph_lineage.anomalies.alerts import Alert, Delivery, Webhooks, due
from graph_lineage.drift import signals as signal_kinds
from graph_lineage.drift.attribution import Attribution
from graph_lineage.drift.baselines import Episode, Monitor, current_episode, judge
from graph_lineage.drift.records import (
    DRIFT,
    SEASONALITY,
    Problem,
    StoredAlert,
    Verdict,
    Window,
    cursor,
    feature_windows,
    mark_alerted,
    open_drifts,
    resolve_unobserved,
    save_cursor,
    save_verdicts,
    save_windows,
    signal_windows,
    store_problems,
    stored_alerts,
    window_uid,
)
from graph_lineage.drift.signals import (
    FEATURE_KINDS,
    FEATURE_VOLUME,
    KINDS,
    SERVING_KINDS,
    TRAINING_SKEW,
    Observed,
    Training,
    serving_windows,
    signal_key,
    skew_windows,
    statistics_after,
    statistics_since,
    trainings,
    utc,
)
from graph_lineage.errors import InvalidQuery
from graph_lineage.store.connection import Store
from graph_lineage.store.values import native

logger = logging.getLogger("graph_lineage.drift")

JUDGED = "MATCH (w:DriftWindow) WHERE w.uid IN $uids AND w.verdict IS NOT NULL RETURN w.uid AS uid"

FIRST_SERVED = """
MATCH (r:Recommendation) WHERE r.served_at IS NOT NULL
RETURN r.served_at AS first ORDER BY r.served_at LIMIT 1
"""


@dataclass
class DriftReport:
    scanned_at: datetime
    kinds: list[str]
    windows: int = 0  # windows summarized and judged by this scan
    judged: dict[str, int] = field(default_factory=dict)  # verdict -> windows
    problems: list[StoredAlert] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    delivery: Delivery = field(default_factory=Delivery)
    seconds: float = 0.0
    resolved: list[str] = field(default_factory=list)  # problems no longer observed
    open_in_store: int = 0  # open drift problems after this scan, whichever scan found them

    @property
    def open_drifts(self) -> list[Problem]:
        """The open drifts among this scan's problems."""
        return [s.problem for s in self.problems if s.problem.open and s.problem.verdict == DRIFT]


def select_kinds(names: Sequence[str] | None) -> list[str]:
    if not names:
        return list(KINDS)
    unknown = sorted(set(names) - set(KINDS))
    if unknown:
        raise InvalidQuery(f"no drift signal {', '.join(unknown)}; the signals: {', '.join(KINDS)}")
    return [kind for kind in KINDS if kind in names]


def scan(
    store: Store,
    monitor: Monitor,
    since: datetime | None = None,
    kinds: Sequence[str] | None = None,
    webhooks: Webhooks | None = None,
    now: datetime | None = None,
) -> DriftReport:
    """Judge what is new (everything from ``since`` when given), store and alert."""
    chosen = select_kinds(kinds)
    started = time.monotonic()
    now = now or datetime.now(UTC)
    report = DriftReport(now, chosen)
    features, statistics_read = _new_feature_windows(store, monitor, chosen, since, now)
    serving, serving_read = _new_serving_windows(store, monitor, chosen, since, now)
    observed = features + serving
    if observed:
        windows = save_windows(store, observed, now)
        judged = _judge(store, monitor, windows)
        save_verdicts(store, judged.verdicts, now)
        report.windows = len(judged.verdicts)
        for _, verdict in judged.verdicts:
            report.judged[verdict.verdict] = report.judged.get(verdict.verdict, 0) + 1
        signals = sorted({w.observed.signal for w in windows})
        problems = _problems(store, monitor, judged, signals)
        report.problems = store_problems(store, problems, now)
        stale = max(w.end for w in observed) - monitor.window * (monitor.confirm_windows + 1)
        report.resolved = resolve_unobserved(store, signals, stale, now)
    # Cursors move only once what was read is judged and stored: a scan that fails on the
    # way leaves them where they were, and the next one reads the same windows again.
    for name, position in (*statistics_read, *serving_read):
        save_cursor(store, name, position, now)
    report.open_in_store = open_drifts(store)
    report.alerts = alerts_for(report.problems, now)
    _log(report)
    report.delivery = (webhooks or Webhooks([])).deliver(report.alerts)
    mark_alerted(store, report.delivery.delivered, now)
    report.seconds = time.monotonic() - started
    return report


# -- reading what is new --


def _new_feature_windows(
    store: Store, monitor: Monitor, kinds: list[str], since: datetime | None, now: datetime
) -> tuple[list[Observed], list[tuple[str, Any]]]:
    """The windows of feature statistics not judged yet (and all from ``since``), and the
    cursor to store once they are.

    A batch's statistics carry the time its write began, so one that began earlier can
    commit after one that began later: the cursor stays ``monitor.ingest_lag`` behind the
    scan's time, and what the next scan reads again of those was judged and is skipped.
    """
    wanted = [k for k in kinds if k in FEATURE_KINDS]
    if not wanted:
        return [], []
    name = "statistics:" + ",".join(wanted)
    reached = cursor(store, name)
    rows = statistics_after(store, reached)
    if since is not None:  # and every one from that time, read again
        seen = {row["uid"] for row in rows}
        rows += [row for row in statistics_since(store, since) if row["uid"] not in seen]
    if not rows:
        return [], []
    newest = min(max(utc(row["ingested_at"]) for row in rows), now - monitor.ingest_lag)
    position = [(name, newest)] if reached is None or newest > reached else []
    if reached is not None:  # the overlap: what a scan judged already is not judged again
        rows = _not_judged(store, rows, since)
    rows.sort(key=lambda row: (utc(row["start"]), row["uid"]))
    every = list(signal_kinds.feature_windows(rows))
    found = [w for w in every if w.kind in wanted]
    if TRAINING_SKEW in wanted and rows:
        versions = sorted({row["version"] for row in rows})
        found += skew_windows(every, trainings(store, versions))
    return found, position


def _not_judged(store: Store, rows: list[Any], since: datetime | None) -> list[Any]:
    """Rows whose windows no scan has judged yet (those from ``since`` are judged again)."""
    uids = {
        window_uid(signal_key(FEATURE_VOLUME, row["version"]), utc(row["start"])): row
        for row in rows
    }
    judged = {r["uid"] for r in store.read(JUDGED, uids=sorted(uids))}
    return [
        row
        for uid, row in uids.items()
        if uid not in judged or (since is not None and utc(row["start"]) >= since)
    ]


def _new_serving_windows(
    store: Store, monitor: Monitor, kinds: list[str], since: datetime | None, now: datetime
) -> tuple[list[Observed], list[tuple[str, Any]]]:
    """The settled serving windows no scan has summarized (and all from ``since``), and the
    cursor to store once they are judged."""
    wanted = [k for k in kinds if k in SERVING_KINDS]
    if not wanted:
        return [], []
    name = "serving:" + ",".join(wanted)
    reached = cursor(store, name)
    start = reached
    if since is not None:
        start = min(_aligned(since, monitor.window), reached or _aligned(since, monitor.window))
    if start is None:
        first = store.read(FIRST_SERVED)
        if not first:
            return [], []
        start = _aligned(native(first[0]["first"]), monitor.window)
    found: list[Observed] = []
    while start + monitor.window + monitor.settle <= now:
        end = start + monitor.window
        found += [w for w in serving_windows(store, start, end) if w.kind in wanted]
        start = end
    moved = reached is None or start > reached
    return found, [(name, start)] if moved else []


def _aligned(moment: datetime, length: timedelta) -> datetime:
    moment = moment.astimezone(UTC)
    if length >= timedelta(days=1):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


# -- judging --


def _judge(store: Store, monitor: Monitor, windows: list[Window]) -> Judged:
    """Judge each new window against the windows before it, oldest first, so that a
    window's baseline holds the verdicts of this scan too."""
    longest = max(w.observed.end - w.observed.start for w in windows)
    earliest = min(w.start for w in windows) - monitor.reach(longest)
    if monitor.reference is not None:  # a fixed reference may be older than the horizon
        earliest = min(earliest, monitor.reference[0])
    latest = max(w.start for w in windows) + monitor.window
    new = {w.uid: w for w in windows}
    known = _stored_around(store, windows, earliest, latest)
    known.update(new)  # one object per window: verdicts given now are seen by later ones
    by_signal: dict[str, list[Window]] = defaultdict(list)
    by_feature: dict[tuple[str, str], dict[str, list[Window]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for window in sorted(known.values(), key=lambda w: (w.start, w.uid)):
        by_signal[window.observed.signal].append(window)
        observed = window.observed
        if observed.feature and observed.kind != TRAINING_SKEW:
            by_feature[observed.feature, observed.kind][observed.subject or ""].append(window)
    references = _training_references(store, windows)
    judged: list[tuple[Window, Verdict]] = []
    for window in sorted(windows, key=lambda w: (w.start, w.uid)):
        observed = window.observed
        earlier = [w for w in by_signal[observed.signal] if w.start < window.start]
        versions = by_feature.get((observed.feature or "", observed.kind), {})
        verdict = judge(
            window,
            earlier,
            monitor,
            borrowed=_replaced(observed.subject or "", versions, window),
            fixed=references.get(window.uid),
        )
        _apply(window, verdict)
        judged.append((window, verdict))
    return Judged(judged, by_signal, earliest)


@dataclass
class Judged:
    verdicts: list[tuple[Window, Verdict]]
    series: dict[str, list[Window]]  # every window read or judged, per signal, oldest first
    since: datetime  # from when ``series`` holds every stored window


def _replaced(version: str, versions: dict[str, list[Window]], window: Window) -> list[Window]:
    """The windows (newest first, before ``window``) of the version ``version`` replaced:
    of the feature's other versions, the one whose windows stopped last before ``version``'s
    began. Versions still observed alongside it (a migration in part of the traffic) did
    not replace it."""
    own = versions.get(version, [])
    began = min((w.start for w in own), default=window.start)
    stopped = {
        other: max(w.start for w in found)
        for other, found in versions.items()
        if other != version and found
    }
    candidates = [(last, other) for other, last in stopped.items() if last < began]
    if not candidates:
        return []
    _, predecessor = max(candidates)
    return sorted(
        (w for w in versions[predecessor] if w.start < window.start),
        key=lambda w: w.start,
        reverse=True,
    )


def _apply(window: Window, verdict: Verdict) -> None:
    judgment = verdict.judgment
    window.verdict = verdict.verdict
    window.statistic = judgment.statistic.name if judgment else None
    window.value = judgment.statistic.value if judgment else None
    window.threshold = judgment.threshold if judgment else None
    window.seasonal_value = verdict.seasonal.statistic.value if verdict.seasonal else None
    window.new_categories = judgment.new_categories if judgment else ()


def _stored_around(
    store: Store, windows: list[Window], earliest: datetime, latest: datetime
) -> dict[str, Window]:
    """Stored windows from ``earliest`` to ``latest`` of the signals of ``windows`` and, for
    feature signals, of the other versions of their features (read by feature: one read
    covers a version and the versions it may borrow from)."""
    by_feature: dict[str, set[str]] = defaultdict(set)
    others: set[str] = set()
    for window in windows:
        kind = window.observed.kind
        if kind in FEATURE_KINDS and kind != TRAINING_SKEW and window.observed.feature:
            by_feature[kind].add(window.observed.feature)
        else:
            others.add(window.observed.signal)
    found = {w.uid: w for w in signal_windows(store, sorted(others), earliest, latest)}
    for kind, features in sorted(by_feature.items()):
        for window in feature_windows(store, sorted(features), kind, earliest, latest):
            found[window.uid] = window
    return found


def _training_references(store: Store, windows: list[Window]) -> dict[str, list[Window]]:
    """Skew window uid -> the feature's windows inside the model version's training window."""
    skewed = [w for w in windows if w.observed.kind == TRAINING_SKEW]
    if not skewed:
        return {}
    versions = sorted({w.observed.subject or "" for w in skewed})
    trained: dict[tuple[str, str], Training] = {}
    for version, found in trainings(store, versions).items():
        for each in found:
            trained[each.model_version, version] = each
    references: dict[str, list[Window]] = {}
    cache: dict[tuple[str, str], list[Window]] = {}
    for window in skewed:
        _, model_version, version = window.observed.signal.split("|")
        training = trained.get((model_version, version))
        if training is None or window.observed.feature is None:
            continue
        start = training.start or training.end - timedelta(days=28)
        key = (model_version, version)
        if key not in cache:
            inside = [
                w
                for w in feature_windows(
                    store, [window.observed.feature], "feature_distribution", start, training.end
                )
                if w.observed.end <= training.end
            ]
            # What training read: the trained-on version's values over the training window
            # when its statistics cover some of it, else the feature's as they were then.
            own = [w for w in inside if w.observed.subject == version]
            cache[key] = own or inside
        references[window.uid] = cache[key]
    return references


# -- problems --


def _problems(store: Store, monitor: Monitor, judged: Judged, signals: list[str]) -> list[Problem]:
    """The current episode of each signal with new windows, drift and seasonality apart,
    from the windows judging read, and from further back for problems open since before."""
    series = {signal: list(judged.series.get(signal, [])) for signal in signals}
    open_since = {
        row["signal"]: native(row["onset"])
        for row in stored_alerts(store, signals).values()
        if row["status"] == "open" and row.get("onset") is not None
    }
    older = sorted(signal for signal, onset in open_since.items() if onset < judged.since)
    if older:
        since = min(open_since[signal] for signal in older)
        for window in signal_windows(store, older, since, judged.since):
            series[window.observed.signal].append(window)
        for signal in older:
            series[signal].sort(key=lambda w: w.start)
    attribution = Attribution(store, monitor.window)
    problems = []
    for signal in signals:
        for verdict in (DRIFT, SEASONALITY):
            episode = current_episode(series[signal], verdict, monitor.confirm_windows)
            if episode is not None:
                problems.append(_problem(signal, episode, monitor, attribution))
    return problems


def _problem(signal: str, episode: Episode, monitor: Monitor, attribution: Attribution) -> Problem:
    onset = episode.windows[0]
    worst = max(episode.windows, key=lambda w: w.ratio)
    subject = onset.observed.subject
    causes = attribution.causes(signal, subject, onset) if episode.verdict == DRIFT else ()
    blast = attribution.blast_radius(subject, onset.start)
    severity = (
        "info"
        if episode.verdict == SEASONALITY
        else ("critical" if worst.ratio >= 3 else "warning")
    )
    return Problem(
        signal=signal,
        subject=subject,
        verdict=episode.verdict,
        open=episode.open,
        onset=onset.start,
        last_window=episode.windows[-1].observed.end,
        windows=len(episode.windows),
        statistic=worst.statistic,
        value=worst.value,
        threshold=worst.threshold,
        baseline=monitor.baseline,
        severity=severity,
        summary=_summary(signal, episode, worst, tuple(causes)),
        evidence_windows=tuple(w.uid for w in episode.windows[:20]),
        causes=tuple(causes),
        blast=blast,
    )


def _summary(signal: str, episode: Episode, worst: Window, causes: tuple[Any, ...]) -> str:
    onset = episode.windows[0].start.isoformat().replace("+00:00", "Z")
    what = "seasonality" if episode.verdict == SEASONALITY else "drift"
    text = (
        f"{what} in {signal} from {onset} over {len(episode.windows)} window(s)"
        f" ({worst.statistic} {worst.value:.3g}, line {worst.threshold:g})"
        if worst.value is not None and worst.threshold is not None
        else f"{what} in {signal} from {onset}"
    )
    if causes:
        text += f"; likely cause: {causes[0].uid}: {causes[0].evidence}"
    return text


# -- alerts --


def alerts_for(problems: list[StoredAlert], now: datetime) -> list[Alert]:
    """One alert per open drift that is due one; seasonality and resolved ones are logged."""
    alerts = []
    for stored in problems:
        problem = stored.problem
        if problem.verdict != DRIFT or not problem.open:
            continue
        reason = due(stored.previous_status, stored.alerted_count, problem.windows)
        if reason is None:
            continue
        alerts.append(
            Alert(
                anomaly=problem.uid,
                rule=problem.kind,
                severity=problem.severity,
                reason=reason,
                summary=problem.summary,
                count=problem.windows,
                previous_count=stored.alerted_count,
                first_seen=stored.first_seen,
                last_seen=now,
                evidence=problem.evidence(),
                withheld_evidence={},
                kind="drift",
            )
        )
    return alerts


def _log(report: DriftReport) -> None:
    alerted = {alert.anomaly: alert.reason for alert in report.alerts}
    for stored in report.problems:
        problem = stored.problem
        reason = alerted.get(problem.uid)
        level = logging.WARNING if reason else logging.INFO
        state = reason or ("ongoing" if problem.open else "resolved")
        logger.log(
            level, "drift %s %s (%s): %s", state, problem.uid, problem.severity, problem.summary
        )
