"""A drift report: the windows of signals over a period, with statistic, line and baseline.

Asked of a drift alert, the report holds its signal; asked of a feature or model version,
every signal it is the subject of. Each window is as the scans judged it, or, when another
``baseline`` is asked than the one a window was judged against, judged again from the
stored summaries with :func:`~graph_lineage.drift.baselines.judge` (oldest first, so a
window's baseline holds the new verdicts of the windows before it; windows before the
period keep their stored verdicts; a new version borrows no windows of the one it
replaced). Nothing is written. At most ``max_windows`` windows are answered, the oldest
first; ``truncated`` says when there were more.

>>> chart = drift_report(store, "feature:item_price@v2", monitor=monitor)
>>> [point.verdict for point in chart.series[0].points][-2:]
['drift', 'drift']
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph_lineage.drift.baselines import Monitor, judge
from graph_lineage.drift.records import WINDOW_COLUMNS, Verdict, Window, stored_window
from graph_lineage.drift.signals import kind_of
from graph_lineage.errors import ConfigurationError, InvalidQuery, NodeNotFound
from graph_lineage.lineage.traversal import find_node
from graph_lineage.lineage.visibility import EVERYTHING, HIDDEN, Visibility
from graph_lineage.store.connection import Reader

MAX_WINDOWS = 5000
MAX_HISTORY = 1_000_000  # windows before the period, for baselines: bounded by the horizon
BASELINES = ("trailing", "seasonal", "fixed")
SUBJECTS = ("FeatureVersion", "ModelVersion")
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 1, 1, tzinfo=UTC)

# Every signal measuring a feature or model version: its windows' MEASURES edges.
SUBJECT_SIGNALS = """
CALL () {
  MATCH (n:FeatureVersion {uid: $uid}) RETURN n
  UNION MATCH (n:ModelVersion {uid: $uid}) RETURN n
}
MATCH (n)<-[:MEASURES]-(w:DriftWindow)
RETURN DISTINCT w.signal AS signal ORDER BY signal
"""

REPORT_WINDOWS = (
    """
UNWIND $signals AS signal
MATCH (w:DriftWindow {signal: signal})
WHERE w.window_start >= $since AND w.window_start < $until
"""
    + WINDOW_COLUMNS
    + """
ORDER BY w.window_start, w.uid
LIMIT $limit
"""
)


@dataclass(frozen=True)
class Point:
    """One window of a signal and its judgment."""

    start: datetime
    end: datetime
    count: int
    verdict: str | None
    statistic: str | None
    value: float | None
    p_value: float | None
    threshold: float | None
    baseline: str | None
    baseline_windows: int | None
    seasonal_value: float | None
    reason: str | None


@dataclass
class Series:
    signal: str
    kind: str
    subject: str | None
    points: list[Point] = field(default_factory=list)


@dataclass
class Chart:
    uid: str
    since: datetime | None
    until: datetime | None
    baseline: str | None  # None: as the scans judged
    series: list[Series]
    truncated: bool


def drift_report(
    store: Reader,
    uid: str,
    since: datetime | None = None,
    until: datetime | None = None,
    baseline: str | None = None,
    monitor: Monitor | None = None,
    visibility: Visibility = EVERYTHING,
    max_windows: int = MAX_WINDOWS,
) -> Chart:
    """The series of windows starting in [since, until) of the signals of ``uid``."""
    since, until = _utc(since), _utc(until)
    if since is not None and until is not None and since >= until:
        raise InvalidQuery(f"from ({since.isoformat()}) must be before to ({until.isoformat()})")
    asked = _monitor(monitor or Monitor(), baseline)
    subject, signals = _signals(store, uid, visibility)
    low, high = since or _EARLIEST, until or _LATEST
    rows = store.read(REPORT_WINDOWS, signals=signals, since=low, until=high, limit=max_windows + 1)
    truncated = len(rows) > max_windows
    shown = [_window(row) for row in rows[:max_windows]]
    if baseline is not None:
        start = max(low, _EARLIEST + asked.horizon) - asked.horizon
        earlier = store.read(
            REPORT_WINDOWS, signals=signals, since=start, until=low, limit=MAX_HISTORY
        )
        shown = _judged_again(shown, [_window(row) for row in earlier], asked)
    by_signal: dict[str, list[Point]] = defaultdict(list)
    for _, point in shown:
        by_signal[point[0]].append(_redacted(point[1], visibility))
    series = [
        Series(signal, kind_of(signal), subject, by_signal.get(signal, [])) for signal in signals
    ]
    return Chart(uid, since, until, baseline, series, truncated)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _monitor(monitor: Monitor, baseline: str | None) -> Monitor:
    if baseline is None or baseline == monitor.baseline:
        return monitor
    if baseline not in BASELINES:
        raise InvalidQuery(f"baseline is one of {', '.join(BASELINES)}, not {baseline!r}")
    try:
        return dataclasses.replace(monitor, baseline=baseline)
    except ConfigurationError as error:
        raise InvalidQuery(
            f"a fixed baseline needs the server's reference period ({error}); ask for"
            " TRAILING or SEASONAL, or set the reference"
        ) from error


def _signals(store: Reader, uid: str, visibility: Visibility) -> tuple[str | None, list[str]]:
    """The subject and signal of the alert ``uid``, or the feature or model version ``uid``
    and every signal about it."""
    node = find_node(store, uid, visibility)
    if node is None or node.kind not in ("DriftAlert", *SUBJECTS):
        raise NodeNotFound(f"no drift alert, feature version or model version has uid {uid!r}")
    if "DriftWindow" in visibility.hidden:
        return None, []
    if node.kind == "DriftAlert":
        subject = node.properties.get("subject")
        return (str(subject) if subject else None), [str(node.properties["signal"])]
    return uid, [str(row["signal"]) for row in store.read(SUBJECT_SIGNALS, uid=uid)]


_Row = tuple[str, Point]  # (signal, point)


def _window(row: Any) -> tuple[Window, _Row]:
    window = stored_window(row)
    point = Point(
        start=window.observed.start,
        end=window.observed.end,
        count=int(row["count"]),
        verdict=row["verdict"],
        statistic=row["statistic"],
        value=row["value"],
        p_value=row["p_value"],
        threshold=row["threshold"],
        baseline=row["baseline"],
        baseline_windows=row["baseline_windows"],
        seasonal_value=row["seasonal_value"],
        reason=row["reason"],
    )
    return window, (row["signal"], point)


def _judged_again(
    shown: list[tuple[Window, _Row]], earlier: list[tuple[Window, _Row]], monitor: Monitor
) -> list[tuple[Window, _Row]]:
    """Each shown window judged against ``monitor``'s baseline, unless it was already."""
    history: dict[str, list[Window]] = defaultdict(list)
    for window, _ in earlier:
        history[window.observed.signal].append(window)
    judged = []
    for window, (signal, point) in shown:
        if point.baseline != monitor.baseline:
            verdict = judge(window, history[signal], monitor)
            window.verdict = verdict.verdict
            point = _point(point, verdict)
        history[signal].append(window)
        judged.append((window, (signal, point)))
    return judged


def _point(point: Point, verdict: Verdict) -> Point:
    judgment = verdict.judgment
    statistic = judgment.statistic if judgment else None
    seasonal = verdict.seasonal.statistic if verdict.seasonal else None
    return dataclasses.replace(
        point,
        verdict=verdict.verdict,
        statistic=statistic.name if statistic else None,
        value=statistic.value if statistic else None,
        p_value=statistic.p_value if statistic else None,
        threshold=judgment.threshold if judgment else None,
        baseline=verdict.baseline,
        baseline_windows=verdict.baseline_windows,
        seasonal_value=seasonal.value if seasonal else None,
        reason=verdict.reason or (statistic.reason if statistic else None),
    )


def _redacted(point: Point, visibility: Visibility) -> Point:
    """A reason naming a node the caller may not see names it ``(hidden)``."""
    if not point.reason or not visibility.hidden:
        return point
    words = [HIDDEN if visibility.hides_uid(word) else word for word in point.reason.split(" ")]
    return dataclasses.replace(point, reason=" ".join(words))
