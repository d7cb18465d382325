"""The experiment statistics keep their promises on simulated experiments whose truth is
known: A/A tests are significant 5% of the time, 95% intervals hold the true lift 95% of
the time, a sequential test stays valid when peeked at, and CUPED narrows intervals without
giving up either. Each share must lie in the binomial 99% band around its target, so a
correct implementation fails about 1 run in 100 per check with fresh seeds; the seeds
here are fixed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from graph_lineage.experiments.statistics import ArmData, Effect, Method, TooLittleData, compare

pytestmark = pytest.mark.unit

EXPERIMENTS = 300
UNITS = 400  # per arm
CTR = 0.1  # the mean of each unit's click rate: 0.5 * Beta(2, 8)
REVENUE = np.exp(0.8**2 / 2)  # the mean of lognormal(0, 0.8) revenue per user

# An experiment: both arms, from a generator, an effect size (relative lift) and units.
Simulation = Callable[[np.random.Generator, float, int], tuple[ArmData, ArmData]]


def _band(target: float) -> tuple[float, float]:
    low, high = stats.binom.interval(0.99, EXPERIMENTS, target)
    return low / EXPERIMENTS, high / EXPERIMENTS


def _effect(result: Effect | TooLittleData) -> Effect:
    assert isinstance(result, Effect), result
    return result


def _clicks(rng: np.random.Generator, lift: float, k: int) -> tuple[ArmData, ArmData]:
    """Clicks per request: geometric requests, Binomial(requests, ctr) clicks; treatment
    multiplies each unit's rate, so the true ratios are CTR and CTR * (1 + lift)."""
    requests = rng.geometric(0.2, (2, k))
    ctr = 0.5 * rng.beta(2.0, 8.0, (2, k)) * np.array([[1.0], [1.0 + lift]])
    clicks = rng.binomial(requests, ctr)
    return ArmData(clicks[0] * 1.0, requests[0] * 1.0), ArmData(clicks[1] * 1.0, requests[1] * 1.0)


def _revenue(rng: np.random.Generator, lift: float, k: int) -> tuple[ArmData, ArmData]:
    """Revenue per user, lognormal, multiplied by treatment: true means REVENUE and
    REVENUE * (1 + lift)."""
    revenue = rng.lognormal(0.0, 0.8, (2, k)) * np.array([[1.0], [1.0 + lift]])
    return ArmData(revenue[0]), ArmData(revenue[1])


def _clicks_with_history(rng: np.random.Generator, lift: float, k: int) -> tuple[ArmData, ArmData]:
    """Clicks per request where each unit's activity and click rate persist from the
    pre-exposure period; a fifth of the units were not seen before (0 clicks in 0
    requests). The true ratios are again CTR and CTR * (1 + lift)."""
    activity = rng.gamma(2.0, 10.0, (2, k))
    ctr = 0.5 * rng.beta(0.6, 2.4, (2, k))  # mean CTR
    pre_requests = rng.poisson(activity) * (rng.uniform(size=(2, k)) > 0.2)
    requests = rng.poisson(activity) + 1
    pre_clicks = rng.binomial(pre_requests, ctr)
    clicks = rng.binomial(requests, ctr * np.array([[1.0], [1.0 + lift]]))
    arms = [
        ArmData(clicks[a] * 1.0, requests[a] * 1.0, pre_clicks[a] * 1.0, pre_requests[a] * 1.0)
        for a in (0, 1)
    ]
    return arms[0], arms[1]


def _revenue_with_history(rng: np.random.Generator, lift: float, k: int) -> tuple[ArmData, ArmData]:
    """Revenue per user with a lasting taste for spending, seen in the pre period too."""
    taste = rng.normal(0.0, 0.7, (2, k))
    pre = np.exp(taste + rng.normal(0.0, 0.4, (2, k)))
    revenue = np.exp(taste + rng.normal(0.0, 0.4, (2, k))) * np.array([[1.0], [1.0 + lift]])
    return ArmData(revenue[0], pre_values=pre[0]), ArmData(revenue[1], pre_values=pre[1])


LIFT = 0.1  # the relative lift of the A/B experiments
# Each simulation, how it is analysed, and its true absolute lift at LIFT.
CASES: list[tuple[Simulation, Method, float]] = [
    (_clicks, "fixed", CTR * LIFT),
    (_revenue, "fixed", REVENUE * LIFT),
    (_clicks_with_history, "cuped", CTR * LIFT),
    (_revenue_with_history, "cuped", np.exp((0.7**2 + 0.4**2) / 2) * LIFT),
]
IDS = ["clicks", "revenue", "clicks-cuped", "revenue-cuped"]


@pytest.mark.parametrize(("simulate", "method", "truth"), CASES, ids=IDS)
def test_a_a_experiments_are_significant_at_the_nominal_rate(
    simulate: Simulation, method: Method, truth: float
) -> None:
    rng = np.random.default_rng(CASES.index((simulate, method, truth)))
    p_values = [
        _effect(compare(*simulate(rng, 0.0, UNITS), method=method)).p_value
        for _ in range(EXPERIMENTS)
    ]
    low, high = _band(0.05)
    assert low <= np.mean(np.array(p_values) < 0.05) <= high


@pytest.mark.parametrize(("simulate", "method", "truth"), CASES, ids=IDS)
def test_intervals_cover_the_true_lift_at_the_nominal_rate(
    simulate: Simulation, method: Method, truth: float
) -> None:
    rng = np.random.default_rng(100 + CASES.index((simulate, method, truth)))
    covered = relative_covered = 0
    for _ in range(EXPERIMENTS):
        effect = _effect(compare(*simulate(rng, LIFT, UNITS), method=method))
        covered += effect.absolute.low <= truth <= effect.absolute.high
        assert effect.relative is not None
        relative_covered += effect.relative.low <= LIFT <= effect.relative.high
    low, high = _band(0.95)
    assert low <= covered / EXPERIMENTS <= high
    assert low <= relative_covered / EXPERIMENTS <= high


@pytest.mark.parametrize("history", [_clicks_with_history, _revenue_with_history])
def test_cuped_narrows_intervals_when_the_past_predicts_the_future(history: Simulation) -> None:
    rng = np.random.default_rng(7)
    ratios = []
    for _ in range(50):
        control, treatment = history(rng, LIFT, UNITS)
        adjusted = _effect(compare(control, treatment, method="cuped"))
        plain = _effect(compare(control, treatment))
        assert adjusted.variance_reduction is not None
        width = adjusted.absolute.high - adjusted.absolute.low
        ratios.append(width / (plain.absolute.high - plain.absolute.low))
        # the width shrinks by the variance it removed (a t quantile apart at most)
        assert width**2 / (plain.absolute.high - plain.absolute.low) ** 2 == pytest.approx(
            1 - adjusted.variance_reduction, rel=0.01
        )
    assert np.median(ratios) < 0.85


LOOKS = 10
FINAL_UNITS = 1000  # per arm at the last look; looks every 100 units


def _first(arm: ArmData, k: int) -> ArmData:
    """The arm as it looked when its first k units had arrived."""
    return ArmData(arm.values[:k], None if arm.denominators is None else arm.denominators[:k])


def _ever_significant(simulate: Simulation, method: Method, seed: int) -> float:
    """The share of A/A experiments significant at any of LOOKS peeks (cumulative data)."""
    rng = np.random.default_rng(seed)
    ever = 0
    for _ in range(EXPERIMENTS):
        control, treatment = simulate(rng, 0.0, FINAL_UNITS)
        for look in range(1, LOOKS + 1):
            k = FINAL_UNITS * look // LOOKS
            if (
                _effect(compare(_first(control, k), _first(treatment, k), method=method)).p_value
                < 0.05
            ):
                ever += 1
                break
    return ever / EXPERIMENTS


@pytest.mark.parametrize("simulate", [_clicks, _revenue])
def test_peeking_breaks_the_fixed_test_but_not_the_sequential_one(simulate: Simulation) -> None:
    _, high = _band(0.05)
    assert _ever_significant(simulate, "sequential", seed=21) <= high
    assert _ever_significant(simulate, "fixed", seed=21) > high  # about 0.19 for 10 looks
