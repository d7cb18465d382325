"""What a window is compared with, the verdict, and the episodes verdicts make.

Baselines (``GRAPH_LINEAGE_DRIFT_BASELINE``):

- ``trailing`` (the default): the last ``baseline_windows`` windows of the signal that were
  not judged drift, within ``lookback_windows``. A window that drifts from it is then held
  against the **seasonal** baseline too; when that one explains it, the verdict is
  ``seasonality``, not ``drift``. Drifted windows stay out of later baselines, so a lasting
  shift stays visible until it is older than the lookback and becomes the new normal.
- ``seasonal``: the same window one to ``seasonal_periods`` seasons earlier only.
- ``fixed``: the windows inside a named reference period.

Training/serving skew always uses a fixed baseline: the feature's windows inside the
training window of the model version. A feature version with too few windows of its own
(just materialized) borrows the newest windows of its feature's earlier versions, so that
a new version that changes the values drifts from the one it replaced.

An **episode** opens when ``confirm_windows`` consecutive windows have a verdict and
closes after as many windows without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from graph_lineage.drift.distributions import Judgment, Summary, Thresholds, compare
from graph_lineage.drift.records import DRIFT, SEASONALITY, STABLE, UNJUDGED, Verdict, Window
from graph_lineage.errors import ConfigurationError
from graph_lineage.settings import Settings

WINDOW_LENGTHS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}


@dataclass(frozen=True)
class Monitor:
    """The settings of drift detection, read once."""

    window: timedelta = WINDOW_LENGTHS["day"]
    settle: timedelta = timedelta(hours=1)
    baseline: str = "trailing"
    baseline_windows: int = 7
    lookback_windows: int = 28
    min_baseline_windows: int = 7
    season_windows: int = 7
    seasonal_periods: int = 2
    reference: tuple[datetime, datetime] | None = None
    confirm_windows: int = 2
    ingest_lag: timedelta = timedelta(minutes=2)
    thresholds: Thresholds = field(default_factory=Thresholds)

    @classmethod
    def from_settings(cls, settings: Settings) -> Monitor:
        reference = None
        if settings.drift_reference_start and settings.drift_reference_end:
            reference = (settings.drift_reference_start, settings.drift_reference_end)
        return cls(
            window=WINDOW_LENGTHS[settings.drift_window],
            settle=timedelta(seconds=settings.drift_settle_seconds),
            baseline=settings.drift_baseline,
            baseline_windows=settings.drift_baseline_windows,
            lookback_windows=settings.drift_lookback_windows,
            min_baseline_windows=settings.drift_min_baseline_windows,
            season_windows=settings.drift_season_windows
            or (24 if settings.drift_window == "hour" else 7),
            seasonal_periods=settings.drift_seasonal_periods,
            reference=reference,
            confirm_windows=settings.drift_confirm_windows,
            ingest_lag=timedelta(seconds=settings.drift_ingest_lag_seconds),
            thresholds=Thresholds.from_settings(settings),
        )

    def __post_init__(self) -> None:
        if self.min_baseline_windows > self.baseline_windows:
            raise ConfigurationError(
                f"GRAPH_LINEAGE_DRIFT_MIN_BASELINE_WINDOWS ({self.min_baseline_windows}) is more"
                f" than GRAPH_LINEAGE_DRIFT_BASELINE_WINDOWS ({self.baseline_windows}):"
                " no window would ever be judged"
            )
        if self.baseline == "fixed" and self.reference is None:
            raise ConfigurationError(
                "GRAPH_LINEAGE_DRIFT_BASELINE=fixed needs GRAPH_LINEAGE_DRIFT_REFERENCE_START"
                " and GRAPH_LINEAGE_DRIFT_REFERENCE_END"
            )

    @property
    def horizon(self) -> timedelta:
        """How far back the baselines of a window of the monitor's length can reach."""
        return self.reach(self.window)

    def reach(self, length: timedelta) -> timedelta:
        """How far back the baselines of a window of ``length`` can reach."""
        seasons = self.window * self.season_windows * self.seasonal_periods
        return max(max(length, self.window) * self.lookback_windows, seasons)


def judge(
    window: Window,
    history: list[Window],
    monitor: Monitor,
    borrowed: list[Window] | None = None,
    fixed: list[Window] | None = None,
) -> Verdict:
    """The verdict on ``window`` given the signal's earlier windows (``history``, oldest
    first), the replaced version's windows to borrow when it has too few (``borrowed``,
    newest first) and, for a fixed baseline, the reference windows.

    A window of a new version is held against the replaced version's undrifted windows,
    and, when that one ended in a drift, against those drifted windows too: carrying on a
    shift already told is no new problem, nor is coming back from it."""
    shape = window.summary.shape  # a producer may change representation: like with like
    history = [w for w in history if w.summary.shape == shape]
    borrowed = [w for w in borrowed or [] if w.summary.shape == shape]
    fixed = None if fixed is None else [w for w in fixed if w.summary.shape == shape]
    if fixed is not None or monitor.baseline == "fixed":
        reference = fixed if fixed is not None else _in_reference(history, monitor)
        name = "training" if fixed is not None else "fixed"
        return _against(window, reference, name, 1, monitor)
    seasonal = _seasonal(window, history, monitor)
    if monitor.baseline == "seasonal":
        return _against(window, seasonal, "seasonal", 1, monitor)
    trailing = _trailing(window, history, monitor)
    carried: list[Window] = []
    if len(trailing) < monitor.min_baseline_windows and borrowed:
        undrifted = [w for w in borrowed if w.verdict != DRIFT]
        trailing = trailing + undrifted[: monitor.baseline_windows - len(trailing)]
        for replaced in borrowed:  # the drift the replaced version ended in, if it did
            if replaced.verdict != DRIFT:
                break
            carried.append(replaced)
    verdict = _against(window, trailing, "trailing", monitor.min_baseline_windows, monitor)
    if verdict.verdict == DRIFT and carried:
        against_last = compare(_pooled(carried), window.summary, monitor.thresholds)
        if against_last.statistic.judged and not against_last.drifted:
            # a new version carrying on a shift its predecessor's alert already tells
            reason = f"carries on the drift {carried[0].observed.subject} ended in"
            return Verdict(
                STABLE, "trailing", verdict.baseline_windows, against_last, reason=reason
            )
    if verdict.verdict != DRIFT or not seasonal:
        return verdict
    against_season = compare(_pooled(seasonal), window.summary, monitor.thresholds)
    if _explains(against_season, verdict.judgment):
        return Verdict(
            SEASONALITY,
            "trailing",
            verdict.baseline_windows,
            verdict.judgment,
            against_season,
            reason=f"the same window {len(seasonal)} season(s) earlier looks alike",
        )
    return Verdict(DRIFT, "trailing", verdict.baseline_windows, verdict.judgment, against_season)


def _explains(seasonal: Judgment, trailing: Judgment | None) -> bool:
    """The seasonal baseline explains a shift when the window is in line with it and at
    most half as far from it as from the trailing one: a seasonal baseline pools fewer
    windows, so being merely less significant against it explains nothing."""
    if trailing is None or not seasonal.statistic.judged or seasonal.drifted:
        return False
    near, far = seasonal.statistic.value, trailing.statistic.value
    return near is not None and far is not None and abs(near) <= abs(far) / 2


def _against(
    window: Window, baseline: list[Window], name: str, needed: int, monitor: Monitor
) -> Verdict:
    if len(baseline) < needed or not baseline:
        reason = f"warming up: {len(baseline)} of {needed} baseline windows"
        return Verdict(UNJUDGED, name, len(baseline), reason=reason)
    judgment = compare(_pooled(baseline), window.summary, monitor.thresholds)
    if not judgment.statistic.judged:
        return Verdict(UNJUDGED, name, len(baseline), judgment)
    return Verdict(DRIFT if judgment.drifted else STABLE, name, len(baseline), judgment)


def _pooled(windows: list[Window]) -> Summary:
    return Summary.pool([w.summary for w in windows])


def _trailing(window: Window, history: list[Window], monitor: Monitor) -> list[Window]:
    # in the signal's own windows: daily statistics keep 28 days under hourly windows
    length = max(window.observed.end - window.observed.start, monitor.window)
    earliest = window.start - length * monitor.lookback_windows
    chosen = [
        w for w in reversed(history) if earliest <= w.start < window.start and w.verdict != DRIFT
    ]
    return chosen[: monitor.baseline_windows]


def _seasonal(window: Window, history: list[Window], monitor: Monitor) -> list[Window]:
    season = monitor.window * monitor.season_windows
    wanted = {window.start - season * k for k in range(1, monitor.seasonal_periods + 1)}
    return [w for w in history if w.start in wanted and w.verdict != DRIFT]


def _in_reference(history: list[Window], monitor: Monitor) -> list[Window]:
    assert monitor.reference is not None
    start, end = monitor.reference
    return [w for w in history if start <= w.start and w.observed.end <= end]


@dataclass
class Episode:
    verdict: str
    windows: list[Window]
    open: bool = True


def current_episode(series: list[Window], verdict: str, confirm: int) -> Episode | None:
    """The latest episode of ``verdict`` in ``series`` (oldest first): open, or closed."""
    current: Episode | None = None
    last: Episode | None = None
    run: list[Window] = []
    quiet = 0
    for window in series:
        if window.verdict == verdict:
            quiet = 0
            if current is not None:
                current.windows.append(window)
                continue
            run.append(window)
            if len(run) >= confirm:
                current, run = Episode(verdict, run), []
        elif window.verdict in (DRIFT, SEASONALITY, STABLE):
            run = []
            if current is not None:
                quiet += 1
                if quiet >= confirm:
                    current.open = False
                    last, current, quiet = current, None, 0
    return current or last
