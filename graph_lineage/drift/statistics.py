"""Distances and tests between a reference distribution and a current one, on binned data.

Every function takes counts per bin (or per category) for the reference (the baseline) and
the current window, aligned bin for bin, and answers a :class:`Statistic`. When either side
holds fewer than ``min_count`` observations, or the data cannot carry the statistic (one
category for chi-square, a reference without spread for Wasserstein), the statistic has no
value and says why, instead of dividing by zero or raising a false alarm.

The computations are scipy's; the tests check each against an independent one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

MIN_COUNT = 30  # observations each side needs before a distribution is compared
PSI_FLOOR = 1e-4  # the share an empty bin counts as in PSI (Evidently's choice)


@dataclass(frozen=True)
class Statistic:
    """One comparison: its value (None when there is not enough data, then ``reason``)."""

    name: str
    value: float | None
    p_value: float | None = None
    reason: str | None = None

    @property
    def judged(self) -> bool:
        return self.value is not None


def psi(
    reference: ArrayLike,
    current: ArrayLike,
    *,
    min_count: int = MIN_COUNT,
    floor: float = PSI_FLOOR,
) -> Statistic:
    """Population stability index: sum of (c - r) * ln(c / r) over the bins' shares, an
    empty bin counted as ``floor`` (only empty ones, as Evidently does). Symmetric; 0.1 is
    the common "moderate" line, 0.25 "major"."""
    ref, cur = _counts(reference, current)
    short = _too_few("psi", ref, cur, min_count)
    if short is not None:
        return short
    p, q = ref / ref.sum(), cur / cur.sum()
    p, q = np.where(p == 0, floor, p), np.where(q == 0, floor, q)
    return Statistic("psi", float(np.sum(special.rel_entr(q, p) + special.rel_entr(p, q))))


def jensen_shannon(
    reference: ArrayLike, current: ArrayLike, *, min_count: int = MIN_COUNT
) -> Statistic:
    """Jensen-Shannon distance in base 2: 0 for the same shares, 1 for disjoint ones."""
    ref, cur = _counts(reference, current)
    short = _too_few("jensen_shannon", ref, cur, min_count)
    if short is not None:
        return short
    # scipy's jensenshannon takes the root of a divergence that rounding can make a hair
    # below 0 for near-identical shares (NaN); the divergence is summed here and clipped.
    p, q = ref / ref.sum(), cur / cur.sum()
    m = (p + q) / 2
    divergence = float(np.sum(special.rel_entr(p, m) + special.rel_entr(q, m))) / (2 * math.log(2))
    return Statistic("jensen_shannon", math.sqrt(max(divergence, 0.0)))


def wasserstein(
    centers: ArrayLike,
    reference: ArrayLike,
    current: ArrayLike,
    *,
    min_count: int = MIN_COUNT,
) -> Statistic:
    """Earth mover's distance between the binned distributions (bins at ``centers``),
    divided by the reference's standard deviation so that it reads in reference spreads.

    Both come from the bin centers, not the raw values (Evidently uses the raw values'
    deviation). A reference in one bin has no spread to divide by: no value, with a reason.
    """
    ref, cur = _counts(reference, current)
    points = np.asarray(centers, dtype=float)
    if points.shape != ref.shape or not np.all(np.isfinite(points)):
        raise ValueError("give one finite center per bin")
    short = _too_few("wasserstein", ref, cur, min_count)
    if short is not None:
        return short
    if np.count_nonzero(ref) < 2:  # a spread of 0, or of rounding noise
        return Statistic("wasserstein", None, reason="the reference has no spread (one bin)")
    mean = float(np.average(points, weights=ref))
    spread = math.sqrt(float(np.average((points - mean) ** 2, weights=ref)))
    moved = stats.wasserstein_distance(points, points, u_weights=ref, v_weights=cur)
    return Statistic("wasserstein", float(moved) / spread)


def ks_from_quantiles(
    probabilities: ArrayLike,
    reference: ArrayLike,
    current: ArrayLike,
    observations: tuple[int, int],
    *,
    min_count: int = MIN_COUNT,
) -> Statistic:
    """Two-sample Kolmogorov-Smirnov from quantiles only (what feature statistics carry).

    Each side's distribution function is taken as linear between its quantiles
    (``reference[i]`` is the ``probabilities[i]`` quantile), 0 below the first and 1 above
    the last, jumping where a quantile repeats (a point mass); the value is the largest gap
    between the two, on either side of every jump.
    The p-value is Kolmogorov's asymptotic one for ``observations`` (reference, current)
    observations, an approximation: quantiles hide what happens between them.
    """
    probs = np.asarray(probabilities, dtype=float)
    ref, cur = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    if not (probs.shape == ref.shape == cur.shape and probs.ndim == 1 and probs.size >= 2):
        raise ValueError("give two or more probabilities and one quantile of each side for each")
    if not (np.all(np.isfinite(probs)) and np.all(np.isfinite(ref)) and np.all(np.isfinite(cur))):
        raise ValueError("quantiles and probabilities must be finite")
    if np.any(np.diff(probs) <= 0) or probs[0] <= 0 or probs[-1] > 1:
        raise ValueError("probabilities must rise strictly within (0, 1]")
    if np.any(np.diff(ref) < 0) or np.any(np.diff(cur) < 0):
        raise ValueError("quantiles cannot fall as their probability rises")
    n_ref, n_cur = observations
    smaller = min(n_ref, n_cur)
    if smaller < max(min_count, 1):
        reason = f"not enough data: {smaller} observations on one side, {min_count} needed"
        return Statistic("ks", None, reason=reason)
    points = np.union1d(ref, cur)
    before = np.abs(_cdf(points, ref, probs, True) - _cdf(points, cur, probs, True))
    after = np.abs(_cdf(points, ref, probs, False) - _cdf(points, cur, probs, False))
    value = float(max(before.max(), after.max()))
    effective = n_ref * n_cur / (n_ref + n_cur)
    return Statistic("ks", value, p_value=float(special.kolmogorov(math.sqrt(effective) * value)))


def _cdf(points: np.ndarray, quantiles: np.ndarray, probs: np.ndarray, left: bool) -> np.ndarray:
    """F at ``points`` (its limit from the left if ``left``): 0 before the first quantile,
    linear from the highest probability at one distinct quantile to the lowest at the next,
    1 after the last."""
    values = np.unique(quantiles)
    low = np.array([probs[quantiles == v].min() for v in values])
    high = np.array([probs[quantiles == v].max() for v in values])
    found = np.searchsorted(values, points, side="left" if left else "right")
    k = found - 1  # the segment [values[k], values[k+1])
    cdf = np.empty(points.shape)
    below, above = k < 0, k >= len(values) - 1
    inside = ~(below | above)
    start, end = k[inside], k[inside] + 1
    share = (points[inside] - values[start]) / (values[end] - values[start])
    cdf[inside] = high[start] + share * (low[end] - high[start])
    cdf[below], cdf[above] = 0.0, 1.0
    return cdf


def chi_square(
    reference: ArrayLike, current: ArrayLike, *, min_count: int = MIN_COUNT
) -> Statistic:
    """Pearson's chi-square test of homogeneity of two category counts (a 2 x k table);
    categories empty on both sides are left out. The value is the statistic."""
    ref, cur = _counts(reference, current)
    short = _too_few("chi_square", ref, cur, min_count)
    if short is not None:
        return short
    seen = (ref + cur) > 0
    if int(seen.sum()) < 2:
        return Statistic("chi_square", None, reason="one category: nothing to compare")
    result = stats.chi2_contingency(np.vstack([ref[seen], cur[seen]]), correction=False)
    return Statistic("chi_square", float(result.statistic), p_value=float(result.pvalue))


def rate_change(
    reference: tuple[int, int],
    current: tuple[int, int],
    *,
    min_count: int = MIN_COUNT,
) -> Statistic:
    """How much a rate moved, relative to the reference: ``(events, trials)`` each side.

    The p-value is a two-sided test of equal proportions: Pearson's chi-square on the 2 x 2
    table, or Fisher's exact test when an expected cell is under 5 (rare events, small
    windows), where the chi-square approximation alarms too easily. A reference without
    events counts as half an event, so the change stays finite.
    """
    (ref_events, ref_trials), (cur_events, cur_trials) = reference, current
    if not (0 <= ref_events <= ref_trials and 0 <= cur_events <= cur_trials):
        raise ValueError("a rate has 0 <= events <= trials on each side")
    smaller = min(ref_trials, cur_trials)
    if smaller < max(min_count, 1):
        reason = f"not enough data: {smaller} observations on one side, {min_count} needed"
        return Statistic("rate_change", None, reason=reason)
    table = np.array(
        [[ref_events, ref_trials - ref_events], [cur_events, cur_trials - cur_events]],
        dtype=float,
    )
    before = max(ref_events, 0.5) / ref_trials
    change = (cur_events / cur_trials - before) / before
    columns = table.sum(axis=0)
    if columns.min() == 0:  # no events (or no non-events) on either side: nothing moved
        return Statistic("rate_change", change if ref_events else 0.0, p_value=1.0)
    expected = np.outer(table.sum(axis=1), columns) / table.sum()
    if expected.min() < 5:
        p_value = float(stats.fisher_exact(table.astype(int)).pvalue)
    else:  # Pearson's statistic of the 2 x 2 table, 1 degree of freedom (chi2_contingency's,
        # without its per-call overhead: a scan tests every rate of every window)
        statistic = float(((table - expected) ** 2 / expected).sum())
        p_value = float(special.chdtrc(1, statistic))
    return Statistic("rate_change", float(change), p_value=p_value)


def _counts(reference: ArrayLike, current: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    ref, cur = np.asarray(reference, dtype=float), np.asarray(current, dtype=float)
    if ref.ndim != 1 or ref.shape != cur.shape or ref.size == 0:
        raise ValueError(f"give the same bins on both sides, not {ref.shape} and {cur.shape}")
    if not (np.all(np.isfinite(ref)) and np.all(np.isfinite(cur))):
        raise ValueError("counts must be finite")
    if np.any(ref < 0) or np.any(cur < 0):
        raise ValueError("counts cannot be negative")
    return ref, cur


def _too_few(name: str, ref: np.ndarray, cur: np.ndarray, min_count: int) -> Statistic | None:
    smaller = min(float(ref.sum()), float(cur.sum()))
    if smaller < max(min_count, 1):
        reason = f"not enough data: {smaller:g} observations on one side, {min_count} needed"
        return Statistic(name, None, reason=reason)
    return None
