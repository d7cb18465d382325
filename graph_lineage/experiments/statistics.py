"""Two-arm comparisons of one metric, sample ratio checks and multiple-testing corrections.

The unit of analysis is the randomization unit (a user). Each arm is reduced to one
*pseudo-value* z per unit whose mean is the arm's metric m and whose sample variance over
the k units gives the variance of m, V = var(z)/k (ddof 1):

* mean metric (no denominators): z = y, so m = mean(y) and V = var(y)/k;
* ratio metric, linearized for the delta method (Deng et al. 2018): R = sum(y)/sum(n) and
  z = R + (y - R*n)/mean(n), so mean(z) = R and, with ybar and nbar the arm's means,
  V = (var(y)/nbar^2 - 2*ybar*cov(y, n)/nbar^3 + ybar^2*var(n)/nbar^4) / k.

The difference D = m_t - m_c has variance V_D = V_t + V_c. A fixed-horizon test of a mean
metric is Welch's t (Welch-Satterthwaite degrees of freedom), of a ratio metric the normal
z. The relative lift r = m_t/m_c - 1 has, by the delta method on the ratio of the arms'
metrics, V_r = V_t/m_c^2 + m_t^2*V_c/m_c^4; its interval is t with the same Welch df for a
mean metric and normal for a ratio metric. There is no relative lift when m_c is 0.

CUPED (Deng et al. 2013) takes one pre-exposure covariate x per unit:

* a mean metric, or a ratio metric without pre denominators: x = the pre value;
* a ratio metric with pre denominators p/d: x = (p - P*d)/dbar with P = sum(p)/sum(d) and
  dbar = mean(d) over both arms: the pre-period ratio linearized (Budylin et al. 2018) by
  one function of the unit for both arms, so a unit never seen before (p = d = 0) has x = 0.

theta = sum over arms of sum((z - zbar_arm)(x - xbar_arm)) / sum over arms of
sum((x - xbar_arm)^2), the within-arm pooled slope, which is the coefficient of x in the
regression z ~ 1 + treatment + x. Then z' = z - theta*(x - xbar), xbar over both arms, and
the same test runs on z'. An arm's adjusted metric is m' = m - theta*(xbar_arm - xbar), so
D' = D - theta*(xbar_t - xbar_c) is that regression's treatment coefficient. theta's own
sampling error is ignored (its effect is of order 1/k), as CUPED usually does.
``Effect.variance_reduction`` = 1 - V'_D/V_D, about corr(z, x)^2. Without pre data, or when
x or z' has no spread, the unadjusted test runs and ``Effect.method`` says why.

Sequential tests use the always-valid confidence sequences of
:mod:`~graph_lineage.experiments._sequential` for D (with V_D) and for r (with V_r).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from graph_lineage.experiments._sequential import sequence_width, sequential_p_value

Method = Literal["fixed", "cuped", "sequential", "cuped_sequential"]
Correction = Literal["holm", "benjamini_hochberg", "none"]

MIN_UNITS = 30  # units each arm needs before an interval is computed
SEQUENTIAL_TUNING = 5000.0  # N*: the total units where a confidence sequence is tightest
SRM_UNITS_PER_VARIANT = 8  # below 8 units per variant the chi-square approximation is poor
_FLAT = 1e-12  # a spread below this share of the values' size is rounding, not variation


@dataclass(frozen=True, eq=False)  # arrays have no single truth value to compare by
class ArmData:
    """One arm's per-unit values of one metric (and, for CUPED, of its pre-exposure period).
    ``pre_denominators`` are used for a ratio metric only."""

    values: np.ndarray  # per unit: the metric's numerator (sum of outcome counts/values)
    denominators: np.ndarray | None = None  # per unit: requests; given => a ratio metric
    pre_values: np.ndarray | None = None  # per unit, the same metric before exposure (CUPED)
    pre_denominators: np.ndarray | None = None  # may hold 0: a unit not seen before


@dataclass(frozen=True)
class Interval:
    """A point estimate and its two-sided interval."""

    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class Effect:
    """Treatment against control. ``control_mean`` and ``treatment_mean`` are the raw
    metric per arm; under CUPED the intervals are of the adjusted metrics, so ``absolute``
    need not equal their difference."""

    control_mean: float
    treatment_mean: float
    absolute: Interval  # treatment - control
    relative: Interval | None  # treatment/control - 1, None when the control metric is 0
    p_value: float
    method: str  # what was used, e.g. "welch_t", "cuped+delta_method", "sequential(welch_t)"
    units: tuple[int, int]  # control, treatment
    variance_reduction: float | None  # CUPED: 1 - V'/V of the difference; None otherwise


@dataclass(frozen=True)
class TooLittleData:
    """No result, and why: what is missing and how much would do."""

    reason: str


@dataclass(frozen=True)
class SampleRatioTest:
    """Chi-square goodness of fit of the units per variant to the planned shares.
    ``observed`` and ``expected`` are aligned with the variants given (expected 0 for a
    variant with share 0)."""

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    statistic: float
    p_value: float


@dataclass(frozen=True)
class _Moments:
    """The arms' (adjusted) metrics, the variances of their estimates and the test's df."""

    control: float
    treatment: float
    control_variance: float
    treatment_variance: float
    df: float  # Welch-Satterthwaite, or inf for the normal

    @property
    def difference(self) -> float:
        return self.treatment - self.control

    @property
    def variance(self) -> float:
        return self.control_variance + self.treatment_variance


def compare(
    control: ArmData,
    treatment: ArmData,
    *,
    method: Method = "fixed",
    alpha: float = 0.05,
    min_units: int = MIN_UNITS,
    sequential_tuning: float = SEQUENTIAL_TUNING,
) -> Effect | TooLittleData:
    """Estimate treatment - control of one metric with a two-sided 1 - ``alpha`` interval.

    A ratio metric (denominators given) goes through the delta method, a mean metric
    through Welch's t; ``method`` adds CUPED, an always-valid confidence sequence, or both
    (the module docstring has the formulas).

    >>> effect = compare(ArmData(clicks_c, requests_c), ArmData(clicks_t, requests_t))
    >>> effect.relative.low > 0  # a significant lift in clicks per request
    """
    _check_settings(method, alpha, min_units, sequential_tuning)
    control, treatment = _checked(control, "control"), _checked(treatment, "treatment")
    ratio = control.denominators is not None
    for field in ("denominators", "pre_denominators"):
        if (getattr(control, field) is None) != (getattr(treatment, field) is None):
            raise ValueError(f"give {field} for both arms or for neither")
    k_c, k_t = control.values.size, treatment.values.size
    short = _too_few_units(k_c, k_t, min_units)
    if short is not None:
        return short
    (z_c, size_c), (z_t, size_t) = _pseudo_values(control), _pseudo_values(treatment)
    if _flat(z_c, size_c) and _flat(z_t, size_t):
        return TooLittleData(
            f"no variation in either arm: every unit of control ({k_c}) and of treatment "
            f"({k_t}) has the same {'ratio' if ratio else 'value'}; an interval needs "
            "spread in at least one arm"
        )
    moments, test, reduction = _tested_moments(control, treatment, z_c, z_t, method)
    if method.endswith("sequential"):
        width = sequence_width(alpha, k_c + k_t, sequential_tuning)
        p_value = sequential_p_value(
            moments.difference, moments.variance, k_c + k_t, sequential_tuning
        )
        test = f"sequential({test})"
    else:
        width = float(stats.t.ppf(1 - alpha / 2, moments.df))
        t = moments.difference / math.sqrt(moments.variance)
        p_value = float(2 * stats.t.sf(abs(t), moments.df))
    raw_c, raw_t = float(np.mean(z_c)), float(np.mean(z_t))
    return Effect(
        control_mean=raw_c,
        treatment_mean=raw_t,
        absolute=_interval(moments.difference, moments.variance, width),
        relative=None if raw_c == 0 else _relative(moments, width),
        p_value=p_value,
        method=test,
        units=(k_c, k_t),
        variance_reduction=reduction,
    )


def _tested_moments(
    control: ArmData, treatment: ArmData, z_c: np.ndarray, z_t: np.ndarray, method: str
) -> tuple[_Moments, str, float | None]:
    """The moments the test runs on (CUPED-adjusted when asked and possible), the test's
    name, and the variance CUPED removed."""
    ratio = control.denominators is not None
    test = "delta_method" if ratio else "welch_t"
    moments = _moments(z_c, z_t, welch=not ratio)
    if not method.startswith("cuped"):
        return moments, test, None
    adjusted = _cuped(control, treatment, z_c, z_t)
    if isinstance(adjusted, str):
        return moments, f"{test} ({adjusted}: CUPED not applied)", None
    cuped = _moments(*adjusted, welch=not ratio)
    return cuped, f"cuped+{test}", 1 - cuped.variance / moments.variance


def _check_settings(method: str, alpha: float, min_units: int, tuning: float) -> None:
    if method not in ("fixed", "cuped", "sequential", "cuped_sequential"):
        raise ValueError(f"method {method!r} is none of fixed, cuped, sequential, cuped_sequential")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha is a probability between 0 and 1, not {alpha}")
    if min_units < 2:
        raise ValueError(f"a variance needs min_units of at least 2, not {min_units}")
    if not tuning > 0:
        raise ValueError(f"sequential_tuning is a positive number of units, not {tuning}")


def _checked(arm: ArmData, name: str) -> ArmData:
    """The arm with float arrays, one value per unit each; a mistake in them raises."""
    values = _floats(arm.values, f"{name}.values", None)
    k = values.size

    def optional(array: np.ndarray | None, field: str) -> np.ndarray | None:
        return None if array is None else _floats(array, f"{name}.{field}", k)

    checked = ArmData(
        values,
        optional(arm.denominators, "denominators"),
        optional(arm.pre_values, "pre_values"),
        optional(arm.pre_denominators, "pre_denominators"),
    )
    if checked.denominators is not None and np.any(checked.denominators <= 0):
        raise ValueError(f"{name}.denominators must be positive: every unit was exposed")
    if checked.pre_denominators is not None:
        if checked.pre_values is None:
            raise ValueError(f"{name}.pre_denominators need the pre_values they divide")
        if np.any(checked.pre_denominators < 0):
            raise ValueError(f"{name}.pre_denominators cannot be negative")
    return checked


def _floats(array: np.ndarray, field: str, size: int | None) -> np.ndarray:
    values = np.asarray(array, dtype=float)
    if values.ndim != 1 or (size is not None and values.size != size):
        wanted = "a 1-d array" if size is None else f"{size} values, one per unit"
        raise ValueError(f"{field} must be {wanted}, not shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{field} must be finite")
    return values


def _too_few_units(k_c: int, k_t: int, min_units: int) -> TooLittleData | None:
    short = [(k, arm) for k, arm in ((k_c, "control"), (k_t, "treatment")) if k < min_units]
    if not short:
        return None
    (k, arm), *other = short
    counts = f"{k} units in {arm}" + "".join(f" and {k} in {arm}" for k, arm in other)
    return TooLittleData(f"{counts}; an interval needs at least {min_units} per arm")


def _pseudo_values(arm: ArmData) -> tuple[np.ndarray, float]:
    """Per unit z with mean(z) the arm's metric and var(z)/k its variance, and the size of
    the terms z is made of (what a spread is judged against)."""
    y, n = arm.values, arm.denominators
    if n is None:
        return y, float(np.mean(np.abs(y)))
    ratio = y.sum() / n.sum()
    return ratio + (y - ratio * n) / n.mean(), float(np.mean(np.abs(y) + abs(ratio) * n) / n.mean())


def _flat(values: np.ndarray, size: float) -> bool:
    return bool(np.std(values) <= _FLAT * size)


def _covariates(control: ArmData, treatment: ArmData) -> tuple[np.ndarray, np.ndarray] | str:
    """Each arm's pre-exposure covariate per unit (the module docstring says which), or
    why there is none."""
    if control.pre_values is None or treatment.pre_values is None:
        return "no pre-exposure data"
    x_c, x_t = control.pre_values, treatment.pre_values
    d_c, d_t = control.pre_denominators, treatment.pre_denominators
    if control.denominators is not None and d_c is not None and d_t is not None:  # a ratio
        if d_c.sum() + d_t.sum() == 0:
            return "no unit seen before exposure"
        pooled = (x_c.sum() + x_t.sum()) / (d_c.sum() + d_t.sum())
        mean_d = (d_c.sum() + d_t.sum()) / (d_c.size + d_t.size)
        size = float(np.mean(np.abs(np.concatenate([x_c, x_t]))) + abs(pooled) * mean_d) / mean_d
        x_c, x_t = (x_c - pooled * d_c) / mean_d, (x_t - pooled * d_t) / mean_d
    else:
        size = float(np.mean(np.abs(np.concatenate([x_c, x_t]))))
    if _flat(x_c, size) and _flat(x_t, size):
        return "pre-exposure data without variation"
    return x_c, x_t


def _cuped(
    control: ArmData, treatment: ArmData, z_c: np.ndarray, z_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | str:
    """The CUPED-adjusted pseudo-values of both arms, or why they were not adjusted."""
    covariates = _covariates(control, treatment)
    if isinstance(covariates, str):
        return covariates
    x_c, x_t = covariates
    dx_c, dx_t = x_c - x_c.mean(), x_t - x_t.mean()
    theta = ((z_c - z_c.mean()) @ dx_c + (z_t - z_t.mean()) @ dx_t) / (dx_c @ dx_c + dx_t @ dx_t)
    grand = (x_c.sum() + x_t.sum()) / (x_c.size + x_t.size)
    adjusted_c, adjusted_t = z_c - theta * (x_c - grand), z_t - theta * (x_t - grand)
    size = float(np.mean(np.abs(np.concatenate([z_c, z_t]))))
    if _flat(adjusted_c, size) and _flat(adjusted_t, size):
        return "CUPED left no variation"
    return adjusted_c, adjusted_t


def _moments(z_c: np.ndarray, z_t: np.ndarray, *, welch: bool) -> _Moments:
    v_c, v_t = float(np.var(z_c, ddof=1)) / z_c.size, float(np.var(z_t, ddof=1)) / z_t.size
    df = (v_c + v_t) ** 2 / (v_c**2 / (z_c.size - 1) + v_t**2 / (z_t.size - 1))
    return _Moments(float(z_c.mean()), float(z_t.mean()), v_c, v_t, df if welch else math.inf)


def _interval(estimate: float, variance: float, width: float) -> Interval:
    half = width * math.sqrt(variance)
    return Interval(estimate, estimate - half, estimate + half)


def _relative(moments: _Moments, width: float) -> Interval | None:
    m_c, m_t = moments.control, moments.treatment
    if m_c == 0:  # an adjusted control metric of exactly 0
        return None
    variance = moments.treatment_variance / m_c**2 + m_t**2 * moments.control_variance / m_c**4
    return _interval(m_t / m_c - 1, variance, width)


def sample_ratio(
    observed: Sequence[int], shares: Sequence[float]
) -> SampleRatioTest | TooLittleData:
    """Whether the units per variant fit the planned traffic shares (a sample ratio
    mismatch means the assignment or the logging is broken, and no effect can be trusted).

    Shares need not sum to 1. A variant with share 0 is left out of the test; a unit in
    one is a certain mismatch (statistic inf, p 0).

    >>> sample_ratio([5_000, 5_210], [0.5, 0.5]).p_value  # 0.037: look before reading effects
    """
    counts, weights = np.asarray(observed), np.asarray(shares, dtype=float)
    if counts.ndim != 1 or counts.shape != weights.shape:
        raise ValueError(f"give one share per variant, not {weights.shape} for {counts.shape}")
    if counts.size and (counts.dtype.kind not in "iu" or counts.min() < 0):
        raise ValueError("observed units are whole numbers, 0 or more")
    if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
        raise ValueError("shares are finite, 0 or more, and not all 0")
    planned = weights > 0
    total = int(counts.sum())
    expected = np.where(planned, total * weights / weights.sum(), 0.0)
    result = (tuple(int(c) for c in counts), tuple(float(e) for e in expected))
    if counts[~planned].sum() > 0:
        return SampleRatioTest(*result, statistic=math.inf, p_value=0.0)
    variants = int(planned.sum())
    if variants < 2:
        return TooLittleData("1 variant with a share above 0; a sample ratio test needs 2")
    if total < SRM_UNITS_PER_VARIANT * variants:
        return TooLittleData(
            f"{total} units in {variants} variants; a sample ratio test needs at least "
            f"{SRM_UNITS_PER_VARIANT * variants} ({SRM_UNITS_PER_VARIANT} per variant)"
        )
    statistic, p_value = stats.chisquare(counts[planned], expected[planned])
    return SampleRatioTest(*result, statistic=float(statistic), p_value=float(p_value))


def adjust(p_values: Sequence[float], correction: Correction) -> list[float]:
    """Adjusted p-values in the order given: Holm's step-down (controls the family-wise
    error rate) or Benjamini-Hochberg's step-up (the false discovery rate); each is
    monotone in the raw p-value and at most 1. "none" returns them as they are."""
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1 or not np.all((p >= 0) & (p <= 1)):  # NaN fails too
        raise ValueError("p-values are numbers between 0 and 1")
    if correction == "none" or p.size == 0:
        return [float(v) for v in p]
    m = p.size
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if correction == "holm":
        scaled = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif correction == "benjamini_hochberg":
        scaled = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
    else:
        raise ValueError(f"correction {correction!r} is none of holm, benjamini_hochberg, none")
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(scaled, 1.0)
    return [float(v) for v in adjusted]
