"""The experiment statistics agree with independent computations: scipy's and statsmodels'
tests, the delta method written out from a covariance matrix, a bootstrap, an OLS
regression for CUPED, and the published formula of the confidence sequence."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from graph_lineage.experiments.statistics import (
    ArmData,
    Effect,
    TooLittleData,
    adjust,
    compare,
    sample_ratio,
)

pytestmark = pytest.mark.unit


def _effect(result: Effect | TooLittleData) -> Effect:
    assert isinstance(result, Effect), result
    return result


def _clicks(rng: np.random.Generator, k: int, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Skewed per-unit requests (geometric) and clicks (beta-binomial): a ratio metric."""
    requests = rng.geometric(0.15, k).astype(float)
    ctr = rng.beta(1.0, 1.0 / rate - 1.0, k)
    return rng.binomial(requests.astype(int), ctr).astype(float), requests


# Welch's t -----------------------------------------------------------------------------

WELCH_CASES = [
    (40, 55, 1.0, 3.0, 0.0),  # unequal sizes and spreads
    (300, 300, 2.0, 2.0, 0.4),
    (31, 900, 5.0, 0.5, -1.0),  # a small noisy arm against a large quiet one
]


@pytest.mark.parametrize(("k_c", "k_t", "sd_c", "sd_t", "shift"), WELCH_CASES)
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_welch_matches_scipy_and_statsmodels(
    k_c: int, k_t: int, sd_c: float, sd_t: float, shift: float, alpha: float
) -> None:
    rng = np.random.default_rng(k_c + k_t)
    control = rng.lognormal(0.0, sd_c / 3, k_c) * sd_c
    treatment = rng.lognormal(0.0, sd_t / 3, k_t) * sd_t + shift
    effect = _effect(compare(ArmData(control), ArmData(treatment), alpha=alpha))
    reference = stats.ttest_ind(treatment, control, equal_var=False)
    low, high = CompareMeans(DescrStatsW(treatment), DescrStatsW(control)).tconfint_diff(
        alpha, usevar="unequal"
    )
    assert effect.method == "welch_t"
    assert effect.p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-12)
    assert effect.absolute.estimate == pytest.approx(treatment.mean() - control.mean(), rel=1e-12)
    assert (effect.absolute.low, effect.absolute.high) == pytest.approx((low, high), rel=1e-9)
    assert (effect.control_mean, effect.treatment_mean) == pytest.approx(
        (control.mean(), treatment.mean()), rel=1e-12
    )
    assert effect.units == (k_c, k_t)
    assert effect.variance_reduction is None


def test_relative_lift_of_a_mean_metric_uses_welch_df() -> None:
    rng = np.random.default_rng(7)
    control, treatment = rng.exponential(10.0, 60), rng.exponential(12.0, 45)
    effect = _effect(compare(ArmData(control), ArmData(treatment)))
    m_c, m_t = control.mean(), treatment.mean()
    v_c, v_t = control.var(ddof=1) / control.size, treatment.var(ddof=1) / treatment.size
    df = (v_c + v_t) ** 2 / (v_c**2 / (control.size - 1) + v_t**2 / (treatment.size - 1))
    gradient = np.array([-m_t / m_c**2, 1 / m_c])  # d(m_t/m_c)/d(m_c, m_t)
    half = stats.t.ppf(0.975, df) * math.sqrt(gradient @ np.diag([v_c, v_t]) @ gradient)
    assert effect.relative is not None
    assert effect.relative.estimate == pytest.approx(m_t / m_c - 1, rel=1e-12)
    assert (effect.relative.low, effect.relative.high) == pytest.approx(
        (m_t / m_c - 1 - half, m_t / m_c - 1 + half), rel=1e-9
    )


# The delta method ----------------------------------------------------------------------


def _ratio_and_variance(y: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """R = ybar/nbar and its delta-method variance grad' Cov(ybar, nbar) grad, the
    covariance of (y, n) from statsmodels."""
    described = DescrStatsW(np.column_stack([y, n]), ddof=1)
    y_bar, n_bar = described.mean
    gradient = np.array([1 / n_bar, -y_bar / n_bar**2])
    return y_bar / n_bar, float(gradient @ described.cov @ gradient) / y.size


@pytest.mark.parametrize(("k_c", "k_t", "lift"), [(500, 500, 0.0), (80, 1200, 0.15)])
def test_delta_method_matches_the_covariance_route(k_c: int, k_t: int, lift: float) -> None:
    rng = np.random.default_rng(k_t)
    y_c, n_c = _clicks(rng, k_c, 0.05)
    y_t, n_t = _clicks(rng, k_t, 0.05 * (1 + lift))
    effect = _effect(compare(ArmData(y_c, n_c), ArmData(y_t, n_t)))
    r_c, v_c = _ratio_and_variance(y_c, n_c)
    r_t, v_t = _ratio_and_variance(y_t, n_t)
    z = stats.norm.ppf(0.975)
    half = z * math.sqrt(v_c + v_t)
    assert effect.method == "delta_method"
    assert (effect.control_mean, effect.treatment_mean) == pytest.approx((r_c, r_t), rel=1e-12)
    assert effect.absolute.estimate == pytest.approx(r_t - r_c, rel=1e-9)
    assert (effect.absolute.low, effect.absolute.high) == pytest.approx(
        (r_t - r_c - half, r_t - r_c + half), rel=1e-9
    )
    assert effect.p_value == pytest.approx(
        2 * stats.norm.sf(abs(r_t - r_c) / math.sqrt(v_c + v_t)), rel=1e-9
    )
    relative_half = z * math.sqrt(v_t / r_c**2 + r_t**2 * v_c / r_c**4)
    assert effect.relative is not None
    assert (effect.relative.low, effect.relative.high) == pytest.approx(
        (r_t / r_c - 1 - relative_half, r_t / r_c - 1 + relative_half), rel=1e-9
    )


def test_delta_method_interval_agrees_with_a_bootstrap() -> None:
    rng = np.random.default_rng(2018)
    k = 20_000
    y_c, n_c = _clicks(rng, k, 0.05)
    y_t, n_t = _clicks(rng, k, 0.052)

    def difference(i_c: np.ndarray, i_t: np.ndarray, axis: int = -1) -> np.ndarray:
        i_c, i_t = i_c.astype(int), i_t.astype(int)
        r_c = y_c[i_c].sum(axis=axis) / n_c[i_c].sum(axis=axis)
        return np.asarray(y_t[i_t].sum(axis=axis) / n_t[i_t].sum(axis=axis) - r_c)

    boot = stats.bootstrap(
        (np.arange(k), np.arange(k)),
        difference,
        n_resamples=4000,
        batch=250,
        method="percentile",
        random_state=np.random.default_rng(1),
    )
    effect = _effect(compare(ArmData(y_c, n_c), ArmData(y_t, n_t)))
    half = (effect.absolute.high - effect.absolute.low) / 2
    assert half / 1.959964 == pytest.approx(boot.standard_error, rel=0.05)
    assert effect.absolute.low == pytest.approx(boot.confidence_interval.low, abs=0.08 * half)
    assert effect.absolute.high == pytest.approx(boot.confidence_interval.high, abs=0.08 * half)


# CUPED ---------------------------------------------------------------------------------


def _ols_treatment(y: np.ndarray, treated: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """The treatment coefficient of y ~ 1 + treated + (x - mean x) and its HC2 error."""
    design = np.column_stack([np.ones_like(y), treated, x - x.mean()])
    fit = OLS(y, design).fit(cov_type="HC2")
    return float(fit.params[1]), float(fit.bse[1])


def test_cuped_of_a_mean_metric_matches_ols_and_one_minus_corr_squared() -> None:
    rng = np.random.default_rng(13)
    k_c, k_t, corr = 3000, 2500, 0.8
    pre = rng.gamma(2.0, 5.0, k_c + k_t)
    noise = rng.normal(0.0, pre.std() * math.sqrt(1 / corr**2 - 1), pre.size)
    treated = np.r_[np.zeros(k_c), np.ones(k_t)]
    y = 3.0 + pre + noise + 0.4 * treated
    control = ArmData(y[:k_c], pre_values=pre[:k_c])
    treatment = ArmData(y[k_c:], pre_values=pre[k_c:])
    effect = _effect(compare(control, treatment, method="cuped"))
    plain = _effect(compare(control, treatment))
    coefficient, error = _ols_treatment(y, treated, pre)
    assert effect.method == "cuped+welch_t"
    assert effect.absolute.estimate == pytest.approx(coefficient, rel=1e-9)
    half = (effect.absolute.high - effect.absolute.low) / 2
    assert half / stats.t.ppf(0.975, sum(effect.units) - 2) == pytest.approx(error, rel=0.01)
    within = np.r_[y[:k_c] - y[:k_c].mean(), y[k_c:] - y[k_c:].mean()]
    within_pre = np.r_[pre[:k_c] - pre[:k_c].mean(), pre[k_c:] - pre[k_c:].mean()]
    rho = np.corrcoef(within, within_pre)[0, 1]
    assert effect.variance_reduction is not None  # the variance left is 1 - corr^2 of it
    assert 1 - effect.variance_reduction == pytest.approx(1 - rho**2, abs=0.01)
    assert effect.variance_reduction > 0.55  # corr 0.8: about 0.64
    assert (effect.control_mean, effect.treatment_mean) == (
        plain.control_mean,
        plain.treatment_mean,
    )


def _delta_cuped(arms: Sequence[tuple[np.ndarray, ...]]) -> tuple[float, float]:
    """CUPED of a ratio by the delta method on the ratios themselves (Deng et al. 2018):
    D - theta * D_pre with theta = sum Cov(R, R_pre) / sum Var(R_pre) over the arms, each
    moment from the covariance of (y, n, p, d); and the adjusted variance of D."""
    moments = []
    for y, n, p, d in arms:
        described = DescrStatsW(np.column_stack([y, n, p, d]), ddof=1)
        y_bar, n_bar, p_bar, d_bar = described.mean
        gradient = np.array(
            [[1 / n_bar, -y_bar / n_bar**2, 0, 0], [0, 0, 1 / d_bar, -p_bar / d_bar**2]]
        )
        moments.append(
            (y_bar / n_bar, p_bar / d_bar, gradient @ described.cov @ gradient.T / y.size)
        )
    (r_c, pre_c, cov_c), (r_t, pre_t, cov_t) = moments
    theta = (cov_c[0, 1] + cov_t[0, 1]) / (cov_c[1, 1] + cov_t[1, 1])
    variance = sum(c[0, 0] - 2 * theta * c[0, 1] + theta**2 * c[1, 1] for c in (cov_c, cov_t))
    return (r_t - r_c) - theta * (pre_t - pre_c), float(variance)


def test_cuped_of_a_ratio_metric_matches_the_delta_method_on_ratios() -> None:
    rng = np.random.default_rng(2013)
    k = 4000
    ctr = rng.beta(0.6, 6.0, 2 * k)  # each unit's own click rate, before and after
    pre_requests = rng.poisson(30.0, 2 * k).astype(float)
    pre_requests[:300] = 0  # units never seen before exposure (0/0)
    requests = rng.geometric(0.1, 2 * k).astype(float)
    pre_clicks = rng.binomial(pre_requests.astype(int), ctr).astype(float)
    lifted = np.minimum(ctr * np.r_[[1.0] * k, [1.1] * k], 1)
    clicks = rng.binomial(requests.astype(int), lifted).astype(float)
    arms = [
        (clicks[s], requests[s], pre_clicks[s], pre_requests[s])
        for s in (slice(0, k), slice(k, None))
    ]
    control, treatment = ArmData(*arms[0]), ArmData(*arms[1])
    effect = _effect(compare(control, treatment, method="cuped"))
    plain = _effect(compare(control, treatment))
    estimate, variance = _delta_cuped(arms)
    half = (effect.absolute.high - effect.absolute.low) / 2
    assert effect.method == "cuped+delta_method"
    assert effect.absolute.estimate == pytest.approx(estimate, abs=0.02 * math.sqrt(variance))
    assert half / stats.norm.ppf(0.975) == pytest.approx(math.sqrt(variance), rel=0.02)
    plain_variance = ((plain.absolute.high - plain.absolute.estimate) / stats.norm.ppf(0.975)) ** 2
    assert effect.variance_reduction is not None
    assert effect.variance_reduction == pytest.approx(1 - variance / plain_variance, abs=0.02)
    assert effect.variance_reduction > 0.25


@pytest.mark.parametrize(
    ("pre_c", "pre_t", "why"),
    [
        (None, None, "no pre-exposure data"),
        (np.ones(50), None, "no pre-exposure data"),
        (np.full(50, 4.0), np.full(60, 4.0), "pre-exposure data without variation"),
    ],
)
def test_cuped_without_usable_pre_data_is_the_plain_test_and_says_so(
    pre_c: np.ndarray | None, pre_t: np.ndarray | None, why: str
) -> None:
    rng = np.random.default_rng(3)
    y_c, y_t = rng.normal(0, 1, 50), rng.normal(0.2, 1, 60)
    effect = _effect(
        compare(ArmData(y_c, pre_values=pre_c), ArmData(y_t, pre_values=pre_t), method="cuped")
    )
    plain = _effect(compare(ArmData(y_c), ArmData(y_t)))
    assert effect.method == f"welch_t ({why}: CUPED not applied)"
    assert effect.absolute == plain.absolute and effect.p_value == plain.p_value
    assert effect.variance_reduction is None


def test_cuped_of_a_ratio_with_no_unit_seen_before_is_not_applied() -> None:
    rng = np.random.default_rng(4)
    y_c, n_c = _clicks(rng, 100, 0.1)
    y_t, n_t = _clicks(rng, 100, 0.1)
    zeros = np.zeros(100)
    effect = _effect(
        compare(ArmData(y_c, n_c, zeros, zeros), ArmData(y_t, n_t, zeros, zeros), method="cuped")
    )
    assert effect.method == "delta_method (no unit seen before exposure: CUPED not applied)"


# Sequential ----------------------------------------------------------------------------


def _published_half_width(variance: float, n: int, tuning: float, alpha: float) -> float:
    """Waudby-Smith et al. (2023) as GrowthBook states it, transcribed as written."""
    rho = math.sqrt((-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning)
    return math.sqrt(n * variance) * math.sqrt(
        (2 * (n * rho**2 + 1) / (n**2 * rho**2)) * math.log(math.sqrt(n * rho**2 + 1) / alpha)
    )


@pytest.mark.parametrize(("k", "tuning", "alpha"), [(200, 5000.0, 0.05), (3000, 1000.0, 0.1)])
def test_sequential_interval_is_the_published_confidence_sequence(
    k: int, tuning: float, alpha: float
) -> None:
    rng = np.random.default_rng(k)
    y_c, n_c = _clicks(rng, k, 0.05)
    y_t, n_t = _clicks(rng, k, 0.06)
    control, treatment = ArmData(y_c, n_c), ArmData(y_t, n_t)
    effect = _effect(
        compare(control, treatment, method="sequential", alpha=alpha, sequential_tuning=tuning)
    )
    _, v_c = _ratio_and_variance(y_c, n_c)
    r_t, v_t = _ratio_and_variance(y_t, n_t)
    r_c = y_c.sum() / n_c.sum()
    half = _published_half_width(v_c + v_t, 2 * k, tuning, alpha)
    assert effect.method == "sequential(delta_method)"
    assert effect.absolute.estimate == pytest.approx(r_t - r_c, rel=1e-9)
    assert effect.absolute.high - effect.absolute.estimate == pytest.approx(half, rel=1e-9)
    relative_half = _published_half_width(
        v_t / r_c**2 + r_t**2 * v_c / r_c**4, 2 * k, tuning, alpha
    )
    assert effect.relative is not None
    assert effect.relative.high - effect.relative.estimate == pytest.approx(relative_half, rel=1e-9)
    fixed = _effect(compare(control, treatment, alpha=alpha))
    assert half > fixed.absolute.high - fixed.absolute.estimate  # the price of peeking


def test_cuped_sequential_is_the_sequence_around_the_cuped_estimate() -> None:
    rng = np.random.default_rng(9)
    pre = rng.gamma(2.0, 5.0, 1200)
    y = pre + rng.normal(0.0, 4.0, 1200) + np.r_[np.zeros(600), np.full(600, 0.5)]
    control = ArmData(y[:600], pre_values=pre[:600])
    treatment = ArmData(y[600:], pre_values=pre[600:])
    cuped = _effect(compare(control, treatment, method="cuped"))
    both = _effect(compare(control, treatment, method="cuped_sequential"))
    df_quantile = stats.t.ppf(0.975, 1198)  # the cuped interval's Welch df is about 1198
    variance = ((cuped.absolute.high - cuped.absolute.estimate) / df_quantile) ** 2
    assert both.method == "sequential(cuped+welch_t)"
    assert both.absolute.estimate == cuped.absolute.estimate
    assert both.variance_reduction == cuped.variance_reduction
    assert both.absolute.high - both.absolute.estimate == pytest.approx(
        _published_half_width(variance, 1200, 5000.0, 0.05), rel=1e-3
    )


def _growthbook_p(estimate: float, variance: float, n: int, tuning: float, alpha: float) -> float:
    """GrowthBook's closed form (rho fixed at alpha): 1/e-value, eq. 155 of the paper."""
    rho2 = (-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning
    t2 = estimate**2 * n / variance
    return min(1.0, math.sqrt(n * rho2 + 1) * math.exp(-rho2 * t2 / (2 * (n * rho2 + 1))))


@pytest.mark.parametrize(("shift", "k"), [(0.0, 400), (0.25, 400), (0.4, 800), (1.5, 800)])
def test_sequential_p_value_is_the_alpha_where_the_interval_touches_zero(
    shift: float, k: int
) -> None:
    rng = np.random.default_rng(int(shift * 100) + k)
    control, treatment = ArmData(rng.normal(0, 2, k)), ArmData(rng.normal(shift, 2, k))
    effect = _effect(compare(control, treatment, method="sequential"))
    assert 0 < effect.p_value <= 1
    variance = (control.values.var(ddof=1) + treatment.values.var(ddof=1)) / k
    for alpha in (0.01, 0.05, 0.2):
        interval = _effect(compare(control, treatment, method="sequential", alpha=alpha)).absolute
        excludes_zero = interval.low > 0 or interval.high < 0
        assert (effect.p_value < alpha) == excludes_zero
        gb = _growthbook_p(interval.estimate, variance, 2 * k, 5000.0, alpha)
        assert (gb < alpha) == excludes_zero  # the closed form agrees at its own alpha
    if effect.p_value < 1:
        at_p = _effect(compare(control, treatment, method="sequential", alpha=effect.p_value))
        assert min(abs(at_p.absolute.low), abs(at_p.absolute.high)) == pytest.approx(
            0, abs=1e-9 * abs(at_p.absolute.estimate)
        )
    else:  # capped: even an alpha of almost 1 keeps 0 inside
        wide = _effect(compare(control, treatment, method="sequential", alpha=0.999)).absolute
        assert wide.low < 0 < wide.high


# Too little data -----------------------------------------------------------------------


def test_too_few_units_names_the_arm_and_the_counts() -> None:
    many, few = ArmData(np.arange(40.0)), ArmData(np.arange(12.0))
    assert compare(many, few) == TooLittleData(
        "12 units in treatment; an interval needs at least 30 per arm"
    )
    assert compare(few, ArmData(np.arange(5.0)), min_units=20) == TooLittleData(
        "12 units in control and 5 in treatment; an interval needs at least 20 per arm"
    )


def test_no_variation_in_either_arm_is_too_little_data() -> None:
    requests = np.arange(1.0, 51.0)
    same_ctr = compare(ArmData(0.1 * requests, requests), ArmData(0.2 * requests, requests))
    assert isinstance(same_ctr, TooLittleData)
    assert "control (50) and of treatment (50) has the same ratio" in same_ctr.reason
    constant = compare(ArmData(np.full(40, 0.1)), ArmData(np.full(45, 0.3)), method="sequential")
    assert isinstance(constant, TooLittleData) and "has the same value" in constant.reason


def test_a_control_metric_of_zero_has_no_relative_lift() -> None:
    rng = np.random.default_rng(5)
    requests = rng.geometric(0.2, 100).astype(float)
    clicks = rng.binomial(requests.astype(int), 0.1).astype(float)
    effect = _effect(compare(ArmData(np.zeros(100), requests), ArmData(clicks, requests)))
    assert effect.control_mean == 0 and effect.relative is None
    assert effect.absolute.low > 0  # the absolute difference still has its interval


@pytest.mark.parametrize(
    ("control", "treatment", "problem"),
    [
        (ArmData(np.ones(40), np.ones(39)), ArmData(np.ones(40), np.ones(40)), "40 values"),
        (ArmData(np.ones(40), np.zeros(40)), ArmData(np.ones(40), np.ones(40)), "positive"),
        (ArmData(np.ones(40), np.ones(40)), ArmData(np.ones(40)), "denominators for both"),
        (
            ArmData(np.ones(40), np.ones(40), np.ones(40), np.ones(40)),
            ArmData(np.ones(40), np.ones(40), np.ones(40)),
            "pre_denominators for both",
        ),
        (ArmData(np.ones(40), pre_denominators=np.ones(40)), ArmData(np.ones(40)), "pre_values"),
        (ArmData(np.r_[np.nan, np.ones(39)]), ArmData(np.ones(40)), "finite"),
    ],
)
def test_malformed_arms_are_refused(control: ArmData, treatment: ArmData, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        compare(control, treatment)


# Sample ratio --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("observed", "shares"),
    [([5000, 5210], [0.5, 0.5]), ([100, 210, 95], [1, 2, 1]), ([700, 0, 310], [0.7, 0.0, 0.3])],
)
def test_sample_ratio_matches_chisquare(observed: list[int], shares: list[float]) -> None:
    total = sum(observed)
    planned = [(o, s) for o, s in zip(observed, shares, strict=True) if s > 0]
    expected = [total * s / sum(shares) for _, s in planned]
    reference = stats.chisquare([o for o, _ in planned], expected)
    result = sample_ratio(observed, shares)
    assert not isinstance(result, TooLittleData)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert result.observed == tuple(observed)
    assert [e for e, s in zip(result.expected, shares, strict=True) if s > 0] == pytest.approx(
        expected
    )


def test_a_unit_in_a_variant_with_no_share_is_a_certain_mismatch() -> None:
    result = sample_ratio([3, 4, 1], [0.5, 0.5, 0.0])
    assert not isinstance(result, TooLittleData)
    assert result.statistic == math.inf and result.p_value == 0.0
    assert result.expected == (4.0, 4.0, 0.0)


def test_sample_ratio_needs_eight_units_per_variant_and_two_variants() -> None:
    assert sample_ratio([7, 8, 0], [1, 1, 0]) == TooLittleData(
        "15 units in 2 variants; a sample ratio test needs at least 16 (8 per variant)"
    )
    assert isinstance(sample_ratio([500, 0], [1.0, 0.0]), TooLittleData)
    assert not isinstance(sample_ratio([8, 8], [1, 1]), TooLittleData)


# Multiple testing ----------------------------------------------------------------------

P_VALUE_CASES = [
    [0.01, 0.04, 0.03, 0.2],
    [0.05, 0.05, 0.05, 0.001, 1.0, 0.0],  # ties, 0 and 1
    [0.3],
    list(np.random.default_rng(11).uniform(0, 0.2, 40)),
]


@pytest.mark.parametrize("p_values", P_VALUE_CASES)
@pytest.mark.parametrize(
    ("correction", "name"), [("holm", "holm"), ("benjamini_hochberg", "fdr_bh")]
)
def test_adjust_matches_multipletests(p_values: list[float], correction: str, name: str) -> None:
    adjusted = adjust(p_values, correction)  # type: ignore[arg-type]
    assert adjusted == pytest.approx(list(multipletests(p_values, method=name)[1]), abs=1e-12)
    assert all(0 <= a <= 1 for a in adjusted)


def test_adjust_none_and_nothing_and_bad_input() -> None:
    assert adjust([0.2, 0.01], "none") == [0.2, 0.01]
    assert adjust([], "holm") == []
    with pytest.raises(ValueError, match="between 0 and 1"):
        adjust([0.1, float("nan")], "benjamini_hochberg")
