"""What one signal looked like over one window, pooled into baselines and compared.

A window's :class:`Summary` has one of four shapes:

- ``numeric``: a distribution function, linear between ``points`` where it reaches
  ``levels`` (a histogram's edges and cumulative shares, or quantiles), 0 before the first
  point and 1 after the last;
- ``categorical``: ``counts`` per ``categories`` (segments, cohorts, items);
- ``rate``: ``counts == (events, trials)`` (recommendations with a click, null values);
- ``volume``: ``count`` alone (how many values a feature version's window held).

A baseline of several windows is their pooled data: the count-weighted mixture of the
distribution functions, the summed counts, the summed events and trials, the mean count.
:func:`compare` picks the statistic for the shape and the sample size (see
``docs/drift.md``) and says whether the window drifted from the baseline.

>>> day = Summary.histogram([0, 1, 2], [50, 50])
>>> compare(Summary.pool([day, day]), Summary.histogram([0, 1, 2], [90, 10]), Thresholds()).drifted
True
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from graph_lineage.drift import statistics
from graph_lineage.drift.statistics import Statistic

NUMERIC, CATEGORICAL, RATE, VOLUME = "numeric", "categorical", "rate", "volume"
SHAPES = (NUMERIC, CATEGORICAL, RATE, VOLUME)
BINS = 20  # equal-share bins of the baseline that numeric windows are counted into
KS_GRID = 200  # quantiles each side of a KS comparison is read at
OTHER = "(other)"


@dataclass(frozen=True)
class Summary:
    shape: str
    count: int  # observations in the window
    points: tuple[float, ...] = ()
    levels: tuple[float, ...] = ()
    categories: tuple[str, ...] = ()
    counts: tuple[float, ...] = ()
    # numeric from quantiles: the distribution function is only known to lie between the
    # levels of consecutive quantiles (a histogram's is known at its edges)
    bounded: bool = False

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"a summary's shape is one of {', '.join(SHAPES)}, not {self.shape}")
        if len(self.points) != len(self.levels):
            raise ValueError("a numeric summary has one level per point")
        if self.shape == CATEGORICAL and len(self.categories) != len(self.counts):
            raise ValueError("a categorical summary has one count per category")
        if self.shape == RATE and len(self.counts) != 2:
            raise ValueError("a rate summary counts (events, trials)")

    @classmethod
    def histogram(cls, edges: Sequence[float], counts: Sequence[int]) -> Summary:
        total = sum(counts)
        if len(edges) != len(counts) + 1:
            raise ValueError("a histogram has one count fewer than edges")
        if total == 0:
            return cls(NUMERIC, 0)
        levels = np.concatenate([[0.0], np.cumsum(counts) / total])
        return cls(NUMERIC, int(total), tuple(map(float, edges)), tuple(map(float, levels)))

    @classmethod
    def quantiles(cls, levels: Sequence[float], values: Sequence[float], count: int) -> Summary:
        """From quantiles: a point mass at the first one below its level, at the last above."""
        pairs = sorted(zip(levels, values, strict=True))
        if len(pairs) < 2 or count == 0:
            return cls(NUMERIC, 0)
        probs, points = [p for p, _ in pairs], [v for _, v in pairs]
        if any(b < a for a, b in itertools.pairwise(points)):
            raise ValueError("quantiles cannot fall as their level rises")
        if probs[0] > 0:
            probs, points = [0.0, *probs], [points[0], *points]
        if probs[-1] < 1:
            probs, points = [*probs, 1.0], [*points, points[-1]]
        return cls(
            NUMERIC, count, tuple(map(float, points)), tuple(map(float, probs)), bounded=True
        )

    @classmethod
    def category_counts(cls, counts: dict[str, float]) -> Summary:
        names = tuple(sorted(counts))
        values = tuple(float(counts[name]) for name in names)
        return cls(CATEGORICAL, int(sum(values)), categories=names, counts=values)

    @classmethod
    def rate(cls, events: int, trials: int) -> Summary:
        if not 0 <= events <= trials:
            raise ValueError(f"a rate has 0 <= events <= trials, not {events} of {trials}")
        return cls(RATE, trials, counts=(float(events), float(trials)))

    @classmethod
    def volume(cls, count: int) -> Summary:
        return cls(VOLUME, count)

    @property
    def share(self) -> float | None:
        """A rate's events per trial."""
        if self.shape != RATE or not self.counts[1]:
            return None
        return self.counts[0] / self.counts[1]

    def cdf(self, at: np.ndarray) -> np.ndarray:
        """The distribution function at ``at`` (numeric summaries): at a point mass (a point
        repeated) the value after the jump."""
        points, levels = np.asarray(self.points), np.asarray(self.levels)
        return np.asarray(np.interp(at, points, levels, left=0.0, right=1.0))

    def cdf_before(self, at: np.ndarray) -> np.ndarray:
        """Its limit from the left: at a point mass, the value before the jump."""
        points, levels = np.asarray(self.points)[::-1], np.asarray(self.levels)[::-1]
        return np.asarray(np.interp(-np.asarray(at), -points, levels, left=1.0, right=0.0))

    def bounds(self, at: np.ndarray, before: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """What F (its left limit with ``before``) is known to lie between at ``at``, from
        the quantile definition: F(x) >= p at and after the p-quantile, F(x) < p before it."""
        points, levels = np.asarray(self.points), np.asarray(self.levels)
        found = np.searchsorted(points, at, side="left" if before else "right")
        low = np.where(found > 0, levels[np.maximum(found - 1, 0)], 0.0)
        high = np.where(found < len(points), levels[np.minimum(found, len(points) - 1)], 1.0)
        return low, high

    def quantile(self, probabilities: np.ndarray) -> np.ndarray:
        """The inverse distribution function (numeric summaries), linear between points."""
        levels, points = np.asarray(self.levels), np.asarray(self.points)
        return np.asarray(np.interp(probabilities, levels, points))

    @staticmethod
    def pool(windows: Sequence[Summary]) -> Summary:
        """The windows' data taken together (all of one shape)."""
        shapes = {window.shape for window in windows}
        if len(shapes) != 1:
            raise ValueError("pool windows of one shape")
        shape = shapes.pop()
        total = sum(window.count for window in windows)
        if shape == NUMERIC:
            filled = [w for w in windows if w.count]
            if not filled:
                return Summary(NUMERIC, 0)
            at = np.unique(np.concatenate([w.points for w in filled]))
            before = np.sum([w.count * w.cdf_before(at) for w in filled], axis=0) / total
            after = np.sum([w.count * w.cdf(at) for w in filled], axis=0) / total
            # both sides of every point, so that a jump of any window stays a jump
            points, levels = [], []
            for x, left, right in zip(at, before, after, strict=True):
                points += [float(x)] if left == right else [float(x), float(x)]
                levels += [float(right)] if left == right else [float(left), float(right)]
            bounded = any(w.bounded for w in filled)
            return Summary(NUMERIC, total, tuple(points), tuple(levels), bounded=bounded)
        if shape == CATEGORICAL:
            pooled: dict[str, float] = {}
            for window in windows:
                for name, count in zip(window.categories, window.counts, strict=True):
                    pooled[name] = pooled.get(name, 0.0) + count
            return Summary.category_counts(pooled)
        if shape == RATE:
            events = sum(int(w.counts[0]) for w in windows)
            return Summary.rate(events, sum(int(w.counts[1]) for w in windows))
        return Summary(VOLUME, round(total / max(len(windows), 1)))


@dataclass(frozen=True)
class Thresholds:
    """When a statistic means drift; the defaults and their reasons are in docs/drift.md."""

    numeric: str = "auto"
    categorical: str = "auto"
    small_sample: int = 1000
    psi: float = 0.2
    jensen_shannon: float = 0.1
    wasserstein: float = 0.1
    ks: float = 0.1
    cramers_v: float = 0.1
    p_value: float = 0.01
    rate_change: float = 0.2
    rate_difference: float = 0.001  # and by at least this much in absolute terms
    volume_change: float = 0.5
    new_share: float = 0.05
    top_categories: int = 50
    min_count: int = statistics.MIN_COUNT

    @classmethod
    def from_settings(cls, settings: object) -> Thresholds:
        return cls(
            **{name: getattr(settings, f"drift_{setting}") for name, setting in _SETTINGS.items()}
        )


_SETTINGS = {
    "numeric": "numeric_statistic",
    "categorical": "categorical_statistic",
    "small_sample": "small_sample",
    "psi": "psi_threshold",
    "jensen_shannon": "jensen_shannon_threshold",
    "wasserstein": "wasserstein_threshold",
    "ks": "ks_threshold",
    "cramers_v": "cramers_v_threshold",
    "p_value": "p_value",
    "rate_change": "rate_change",
    "rate_difference": "rate_difference",
    "volume_change": "volume_change",
    "new_share": "new_share",
}


@dataclass(frozen=True)
class Judgment:
    """A window against its baseline: the statistic, the line it is held to, the verdict."""

    statistic: Statistic
    threshold: float | None
    drifted: bool
    new_categories: tuple[str, ...] = field(default_factory=tuple)  # new in the window

    @property
    def reason(self) -> str | None:
        return self.statistic.reason

    @property
    def severity_ratio(self) -> float:
        """How far past its line the statistic is (1: at it), for ranking and severity."""
        value, line = self.statistic.value, self.threshold
        if value is None or not line:
            return 0.0
        return abs(value) / line


def compare(baseline: Summary, window: Summary, thresholds: Thresholds) -> Judgment:
    """Judge ``window`` against ``baseline`` (pooled windows of the same signal)."""
    if baseline.shape != window.shape:
        raise ValueError(f"cannot compare a {window.shape} window with a {baseline.shape} one")
    if window.shape == NUMERIC:
        return _numeric(baseline, window, thresholds)
    if window.shape == CATEGORICAL:
        return _categorical(baseline, window, thresholds)
    if window.shape == RATE:
        return _rate(baseline, window, thresholds)
    return _volume(baseline, window, thresholds)


def _numeric(baseline: Summary, window: Summary, thresholds: Thresholds) -> Judgment:
    name = thresholds.numeric
    if name == "auto":
        name = "ks" if window.count <= thresholds.small_sample else "wasserstein"
    short = _too_few(name, baseline.count, window.count, thresholds.min_count)
    if short is not None:
        return Judgment(short, None, False)
    if name == "ks" and (baseline.bounded or window.bounded):
        statistic = _ks_within_bounds(baseline, window)
        drifted = _at_least(statistic.value, thresholds.ks) and _significant(statistic, thresholds)
        return Judgment(statistic, thresholds.ks, drifted)
    if name == "ks":
        grid = np.arange(1, KS_GRID + 1) / KS_GRID
        statistic = statistics.ks_from_quantiles(
            grid,
            baseline.quantile(grid),
            window.quantile(grid),
            (baseline.count, window.count),
            min_count=thresholds.min_count,
        )
        drifted = _at_least(statistic.value, thresholds.ks) and _significant(statistic, thresholds)
        return Judgment(statistic, thresholds.ks, drifted)
    edges = np.unique(baseline.quantile(np.linspace(0, 1, BINS + 1)))
    reference = _binned(baseline, edges)
    current = _binned(window, edges)
    if name == "wasserstein":
        centers = np.concatenate([[edges[0]], (edges[:-1] + edges[1:]) / 2, [edges[-1]]])
        statistic = statistics.wasserstein(
            centers, reference, current, min_count=thresholds.min_count
        )
    elif name == "psi":
        statistic = statistics.psi(reference, current, min_count=thresholds.min_count)
    else:
        statistic = statistics.jensen_shannon(reference, current, min_count=thresholds.min_count)
    line = float(getattr(thresholds, name))
    return Judgment(statistic, line, _at_least(statistic.value, line))


def _ks_within_bounds(baseline: Summary, window: Summary) -> Statistic:
    """The smallest KS distance the quantiles allow: at every point, how far apart the two
    distribution functions must be, given what each is known to lie between. Reading F as
    linear between quantiles would invent gaps at point masses (a feature that is 0 half
    the time): the quantile at 0.5 is 0 one day and just above it the next."""
    at = np.union1d(baseline.points, window.points)
    gap = 0.0
    for before in (False, True):
        low_b, high_b = _known(baseline, at, before)
        low_w, high_w = _known(window, at, before)
        gap = max(gap, float(np.max(low_b - high_w)), float(np.max(low_w - high_b)))
    effective = baseline.count * window.count / (baseline.count + window.count)
    p_value = float(special.kolmogorov(math.sqrt(effective) * gap))
    return Statistic("ks", gap, p_value=p_value)


def _known(summary: Summary, at: np.ndarray, before: bool) -> tuple[np.ndarray, np.ndarray]:
    if summary.bounded:
        return summary.bounds(at, before)
    exact = summary.cdf_before(at) if before else summary.cdf(at)
    return exact, exact


def _binned(summary: Summary, edges: np.ndarray) -> np.ndarray:
    """Observations up to the first edge, between consecutive edges, above the last."""
    at = summary.cdf(edges)
    shares = np.diff(np.concatenate([[0.0], at, [1.0]]))
    return np.clip(shares, 0.0, None) * summary.count


def _categorical(baseline: Summary, window: Summary, thresholds: Thresholds) -> Judgment:
    names = sorted(set(baseline.categories) | set(window.categories))
    base = dict(zip(baseline.categories, baseline.counts, strict=True))
    now = dict(zip(window.categories, window.counts, strict=True))
    reference = np.array([base.get(n, 0.0) for n in names])
    current = np.array([now.get(n, 0.0) for n in names])
    new = tuple(
        n
        for n, r, c in zip(names, reference, current, strict=True)
        if window.count
        and n != OTHER
        and c / window.count >= thresholds.new_share
        and (not baseline.count or r / baseline.count < thresholds.new_share / 5)
    )
    reference, current, names = _top(names, reference, current, new, thresholds.top_categories)
    name = thresholds.categorical
    if name == "auto":
        name = "chi_square" if window.count <= thresholds.small_sample else "jensen_shannon"
    if name == "chi_square":
        statistic = statistics.chi_square(reference, current, min_count=thresholds.min_count)
        if statistic.value is None:
            return Judgment(statistic, None, False, new)
        # Cramér's V on the table with the reference scaled to the window's total: on the
        # raw table it shrinks as the baseline pools more windows, for the same shift
        balanced = statistics.chi_square(
            reference * (current.sum() / reference.sum()), current, min_count=0
        )
        cramers_v = math.sqrt((balanced.value or 0.0) / (2 * current.sum()))
        drifted = cramers_v >= thresholds.cramers_v and _significant(statistic, thresholds)
        shown = Statistic("cramers_v", cramers_v, p_value=statistic.p_value)
        return Judgment(shown, thresholds.cramers_v, drifted, new)
    if name == "psi":
        statistic = statistics.psi(reference, current, min_count=thresholds.min_count)
    else:
        statistic = statistics.jensen_shannon(reference, current, min_count=thresholds.min_count)
    line = float(getattr(thresholds, name))
    return Judgment(statistic, line, _at_least(statistic.value, line), new)


def _top(
    names: list[str],
    reference: np.ndarray,
    current: np.ndarray,
    new: tuple[str, ...],
    top: int,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The baseline's ``top`` categories and the new ones, the rest counted as one: with
    many sparse categories (items), distances between samples grow with the categories'
    number alone."""
    if len(names) <= top + 1 and OTHER not in names:
        return reference, current, names
    ranked = [i for i in sorted(range(len(names)), key=lambda i: (-reference[i], names[i]))]
    ranked = [i for i in ranked if names[i] != OTHER]  # a window's own rest joins the rest
    kept = sorted(set(ranked[:top]) | {i for i, n in enumerate(names) if n in new})
    rest = [i for i in range(len(names)) if i not in set(kept)]
    return (
        np.append(reference[kept], reference[rest].sum()),
        np.append(current[kept], current[rest].sum()),
        [*(names[i] for i in kept), OTHER],
    )


def _rate(baseline: Summary, window: Summary, thresholds: Thresholds) -> Judgment:
    """A test of equal proportions, and a relative change large enough to matter."""
    statistic = statistics.rate_change(
        (int(baseline.counts[0]), int(baseline.counts[1])),
        (int(window.counts[0]), int(window.counts[1])),
        min_count=thresholds.min_count,
    )
    if statistic.value is None:
        return Judgment(statistic, None, False)
    moved = abs(window.counts[0] / window.counts[1] - baseline.counts[0] / baseline.counts[1])
    large = abs(statistic.value) >= thresholds.rate_change and moved >= thresholds.rate_difference
    return Judgment(
        statistic, thresholds.rate_change, large and _significant(statistic, thresholds)
    )


def _volume(baseline: Summary, window: Summary, thresholds: Thresholds) -> Judgment:
    if baseline.count == 0:
        return Judgment(
            Statistic("volume_change", None, reason="the baseline is empty"), None, False
        )
    change = (window.count - baseline.count) / baseline.count
    statistic = Statistic("volume_change", change)
    return Judgment(statistic, thresholds.volume_change, abs(change) >= thresholds.volume_change)


def _too_few(name: str, reference: int, current: int, min_count: int) -> Statistic | None:
    smaller = min(reference, current)
    if smaller < max(min_count, 1):
        reason = f"not enough data: {smaller} observations on one side, {min_count} needed"
        return Statistic(name, None, reason=reason)
    return None


def _at_least(value: float | None, line: float) -> bool:
    return value is not None and value >= line


def _significant(statistic: Statistic, thresholds: Thresholds) -> bool:
    return statistic.p_value is not None and statistic.p_value <= thresholds.p_value
