"""Window summaries, their comparison, baselines and episodes (no database).

Expected values are computed here independently: mixtures by hand, the 2 x 2 chi-square
in closed form, Fisher's exact test by summing hypergeometric probabilities.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from graph_lineage.drift import Summary, Thresholds, compare, rate_change
from graph_lineage.drift.baselines import Monitor, current_episode, judge
from graph_lineage.drift.records import DRIFT, SEASONALITY, STABLE, UNJUDGED, Window
from graph_lineage.drift.signals import Observed

pytestmark = pytest.mark.unit

DAY = timedelta(days=1)
START = datetime(2026, 10, 1, tzinfo=UTC)


def test_a_histogram_is_a_distribution_function_through_its_edges() -> None:
    summary = Summary.histogram([0, 1, 2, 4], [10, 30, 60])
    assert summary.count == 100
    assert summary.levels == (0.0, 0.1, 0.4, 1.0)
    assert summary.cdf(np.array([-1.0, 0.5, 3.0, 9.0])).tolist() == pytest.approx(
        [0.0, 0.05, 0.7, 1.0], abs=1e-12
    )


def test_quantiles_put_the_mass_outside_them_at_their_ends() -> None:
    summary = Summary.quantiles([0.25, 0.5, 0.75], [1.0, 2.0, 3.0], 40)
    assert summary.points == (1.0, 1.0, 2.0, 3.0, 3.0)
    assert summary.levels == (0.0, 0.25, 0.5, 0.75, 1.0)
    with pytest.raises(ValueError, match="cannot fall"):
        Summary.quantiles([0.25, 0.75], [2.0, 1.0], 40)


def test_pooling_weighs_each_window_by_its_count() -> None:
    a = Summary.histogram([0, 1, 2], [100, 0])  # all in [0, 1)
    b = Summary.histogram([0, 1, 2], [0, 300])  # all in [1, 2)
    pooled = Summary.pool([a, b])
    assert pooled.count == 400
    # F(1) = (100 * 1 + 300 * 0) / 400 and F(1.5) = (100 + 300 * 0.5) / 400
    assert pooled.cdf(np.array([1.0, 1.5])).tolist() == pytest.approx([0.25, 0.625], abs=1e-12)
    rates = Summary.pool([Summary.rate(3, 10), Summary.rate(7, 30)])
    assert rates.counts == (10.0, 40.0)
    categories = Summary.pool(
        [Summary.category_counts({"a": 2, "b": 1}), Summary.category_counts({"b": 4, "c": 5})]
    )
    assert dict(zip(categories.categories, categories.counts, strict=True)) == {
        "a": 2.0,
        "b": 5.0,
        "c": 5.0,
    }
    assert Summary.pool([Summary.volume(10), Summary.volume(20)]).count == 15
    with pytest.raises(ValueError, match="one shape"):
        Summary.pool([Summary.volume(1), Summary.rate(1, 2)])


def test_small_numeric_windows_get_ks_and_large_ones_wasserstein() -> None:
    base = Summary.histogram([0, 1, 2], [500, 500])
    small = compare(base, Summary.histogram([0, 1, 2], [300, 100]), Thresholds())
    large = compare(base, Summary.histogram([0, 1, 2], [3000, 1000]), Thresholds())
    assert small.statistic.name == "ks" and small.drifted
    # F(1) is 0.5 against 0.75: the largest gap, read on a grid of 200 quantiles
    assert small.statistic.value == pytest.approx(0.25, abs=1 / 200)
    assert large.statistic.name == "wasserstein" and large.drifted
    # uniform within bins: the means are 1.0 and 0.75, the reference spread 1/sqrt(3)
    assert large.statistic.value == pytest.approx(0.25 * math.sqrt(3), rel=0.05)


def test_the_same_distribution_does_not_drift_and_tiny_samples_are_not_judged() -> None:
    base = Summary.histogram([0, 1, 2], [500, 500])
    same = compare(base, Summary.histogram([0, 1, 2], [251, 249]), Thresholds())
    assert same.statistic.judged and not same.drifted
    tiny = compare(base, Summary.histogram([0, 1, 2], [10, 0]), Thresholds())
    assert not tiny.drifted and tiny.reason and tiny.reason.startswith("not enough data")
    empty = compare(base, Summary.histogram([0, 1, 2], [0, 0]), Thresholds())
    assert not empty.drifted and not empty.statistic.judged


def test_a_new_category_is_named_and_drifts() -> None:
    base = Summary.category_counts({"a": 4000, "b": 4000})
    window = Summary.category_counts({"a": 300, "b": 300, "c": 200})
    judged = compare(base, window, Thresholds())
    assert judged.drifted and judged.new_categories == ("c",)
    assert judged.statistic.name == "cramers_v"
    # Cramer's V by hand, on the table with the reference scaled to the window's 800
    table = np.array([[400, 400, 0], [300, 300, 200]], dtype=float)
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    chi2 = float(((table - expected) ** 2 / expected).sum())
    assert judged.statistic.value == pytest.approx(math.sqrt(chi2 / table.sum()), abs=1e-9)


def test_cramers_v_does_not_depend_on_how_many_windows_the_baseline_pools() -> None:
    day = Summary.category_counts({"a": 300, "b": 150, "c": 50})
    window = Summary.category_counts({"a": 240, "b": 190, "c": 70})
    values = [compare(Summary.pool([day] * n), window, Thresholds()) for n in (1, 7, 28)]
    assert [v.statistic.value for v in values] == pytest.approx([values[0].statistic.value] * 3)
    assert all(v.drifted for v in values)


def test_identical_windows_with_point_masses_never_drift() -> None:
    """An integer-valued feature: its quantiles repeat, its distribution function jumps."""
    small = Summary.quantiles([0.1, 0.25, 0.5, 0.75, 0.9], [1, 2, 2, 3, 3], 500)
    large = Summary.quantiles([0.1, 0.25, 0.5, 0.75, 0.9], [1, 2, 2, 3, 3], 5000)
    for window in (small, large):
        judged = compare(Summary.pool([window] * 7), window, Thresholds())
        assert judged.statistic.value == pytest.approx(0.0, abs=1e-12)
    steps = Summary.histogram([0, 1, 1, 2], [30, 40, 30])  # a repeated edge: a mass at 1
    pooled = Summary.pool([steps, steps])
    assert pooled.cdf_before(np.array([1.0]))[0] == pytest.approx(0.3)
    assert pooled.cdf(np.array([1.0]))[0] == pytest.approx(0.7)


def test_quantiles_of_a_zero_inflated_feature_raise_no_false_alarm() -> None:
    """Half zeros: the median quantile is 0 one day and just above it the next; scipy's
    two-sample KS on the same raw samples agrees they do not differ."""
    from scipy import stats

    rng = np.random.default_rng(11)
    levels = np.arange(1, 100) / 100

    def sample(shift: float = 0.0) -> np.ndarray:
        return np.where(rng.random(300) < 0.5, 0.0, rng.exponential(1.0, 300) + shift)

    def summary(values: np.ndarray) -> Summary:
        return Summary.quantiles(levels.tolist(), np.quantile(values, levels).tolist(), 300)

    alarms, raw_alarms = 0, 0
    for _ in range(100):
        days = [sample() for _ in range(7)]
        today = sample()
        alarms += compare(
            Summary.pool([summary(d) for d in days]), summary(today), Thresholds()
        ).drifted
        raw_alarms += stats.ks_2samp(np.concatenate(days), today).pvalue <= 0.01
    assert alarms <= max(2, raw_alarms)
    days = [sample() for _ in range(7)]
    moved = compare(Summary.pool([summary(d) for d in days]), summary(sample(1.0)), Thresholds())
    assert moved.drifted


def test_a_few_events_after_none_are_not_drift() -> None:
    base = Summary.rate(0, 7_000_000)
    assert not compare(base, Summary.rate(3, 1_000_000), Thresholds()).drifted
    assert compare(Summary.rate(12, 1000), Summary.rate(300, 1000), Thresholds()).drifted


def test_many_sparse_categories_are_compared_through_the_baselines_top_ones() -> None:
    rng = np.random.default_rng(7)
    items = [f"sku-{i:03d}" for i in range(500)]

    def day() -> Summary:
        counts = rng.multinomial(6000, [1 / 500] * 500)
        return Summary.category_counts(dict(zip(items, counts.tolist(), strict=True)))

    baseline = Summary.pool([day() for _ in range(7)])
    assert not compare(baseline, day(), Thresholds()).drifted  # noise across 500 items
    concentrated = {name: 0 for name in items}
    concentrated.update({items[i]: 300 for i in range(20)})
    assert compare(baseline, Summary.category_counts(concentrated), Thresholds()).drifted


def _chi_square_p(a: int, b: int, c: int, d: int) -> float:
    n = a + b + c + d
    statistic = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    return math.erfc(math.sqrt(statistic / 2))


def _fisher_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided: the probabilities of every table with these margins at most the observed."""
    row, column, n = a + b, a + c, a + b + c + d

    def probability(x: int) -> float:
        return math.comb(column, x) * math.comb(n - column, row - x) / math.comb(n, row)

    observed = probability(a)
    low, high = max(0, row + column - n), min(row, column)
    return sum(p for x in range(low, high + 1) if (p := probability(x)) <= observed * (1 + 1e-7))


@pytest.mark.parametrize(
    ("reference", "current"),
    [((120, 1000), (180, 1000)), ((300, 3000), (29, 300)), ((40, 400), (80, 420))],
)
def test_a_rate_change_with_large_counts_is_tested_by_chi_square(
    reference: tuple[int, int], current: tuple[int, int]
) -> None:
    statistic = rate_change(reference, current)
    (a, n), (c, m) = reference, current
    assert statistic.value == pytest.approx((c / m - a / n) / (a / n), abs=1e-12)
    assert statistic.p_value == pytest.approx(_chi_square_p(a, n - a, c, m - c), abs=1e-9)


@pytest.mark.parametrize(
    ("reference", "current"), [((2, 200), (8, 40)), ((14, 350), (0, 50)), ((1, 30), (5, 31))]
)
def test_a_rate_change_of_rare_events_is_tested_exactly(
    reference: tuple[int, int], current: tuple[int, int]
) -> None:
    statistic = rate_change(reference, current)
    (a, n), (c, m) = reference, current
    assert statistic.p_value == pytest.approx(_fisher_p(a, n - a, c, m - c), abs=1e-9)


def test_a_rate_without_events_stays_finite_and_bad_rates_are_refused() -> None:
    statistic = rate_change((0, 500), (5, 500))
    assert statistic.value == pytest.approx((5 / 500 - 0.5 / 500) / (0.5 / 500))
    assert rate_change((0, 500), (0, 500)).value == 0.0
    assert rate_change((3, 10), (3, 10)).reason == (
        "not enough data: 10 observations on one side, 30 needed"
    )
    with pytest.raises(ValueError, match="events <= trials"):
        rate_change((5, 3), (1, 10))


def test_a_rate_needs_a_large_and_significant_change() -> None:
    base = Summary.rate(300, 1000)
    assert not compare(base, Summary.rate(315, 1000), Thresholds()).drifted  # +5%: too small
    assert compare(base, Summary.rate(450, 1000), Thresholds()).drifted
    assert not compare(Summary.rate(3, 100), Summary.rate(5, 100), Thresholds()).drifted


# -- baselines --


def _window(day: int, summary: Summary, verdict: str | None = None) -> Window:
    start = START + day * DAY
    observed = Observed("outcome_rate|model:m@v1|click", "model:m@v1", start, start + DAY, summary)
    return Window(f"w{day}", observed, verdict=verdict)


def _weekly(day: int) -> Summary:
    """Clicks at 30%, 54% on days 5 and 6 of each week."""
    return Summary.rate(540 if day % 7 in (5, 6) else 300, 1000)


def _series(days: int) -> list[Window]:
    """Judged one by one, as a scan does."""
    series: list[Window] = []
    for day in range(days):
        window = _window(day, _weekly(day))
        window.verdict = judge(window, series, Monitor()).verdict
        series.append(window)
    return series


def test_a_baseline_warms_up_then_a_weekly_pattern_is_seasonality() -> None:
    series = _series(28)
    assert [w.verdict for w in series[:7]] == [UNJUDGED] * 7
    for window in series[7:]:
        expected = SEASONALITY if (window.start - START).days % 7 in (5, 6) else STABLE
        assert window.verdict == expected, window.start


def test_a_shift_the_season_does_not_explain_is_drift_and_stays_out_of_baselines() -> None:
    series = _series(21)
    shifted = _window(21, Summary.rate(450, 1000))  # a weekday at 45%
    verdict = judge(shifted, series, Monitor())
    assert verdict.verdict == DRIFT and verdict.seasonal is not None
    shifted.verdict = verdict.verdict
    series.append(shifted)
    again = _window(22, Summary.rate(450, 1000))
    assert judge(again, series, Monitor()).verdict == DRIFT  # day 21 is not its baseline


def test_a_lasting_jump_is_drift_even_where_a_season_earlier_is_less_significant() -> None:
    series: list[Window] = []
    for day in range(21):
        window = _window(day, Summary.rate(40, 400))
        window.verdict = judge(window, series, Monitor()).verdict
        series.append(window)
    jumped = _window(21, Summary.rate(60, 400))  # +50%, against 7 windows or against 2
    assert judge(jumped, series, Monitor()).verdict == DRIFT


def test_a_fixed_reference_and_a_seasonal_baseline() -> None:
    series = _series(21)
    fixed = Monitor(baseline="fixed", reference=(START, START + 5 * DAY))
    weekend = _window(26, _weekly(26))
    assert judge(weekend, series, fixed).verdict == DRIFT  # the reference has no weekend
    seasonal = Monitor(baseline="seasonal")
    assert judge(weekend, series, seasonal).verdict == STABLE
    assert judge(weekend, series, seasonal).baseline == "seasonal"


def test_a_new_version_is_held_against_the_one_it_replaced() -> None:
    old = [_window(day, Summary.rate(300, 1000), STABLE) for day in range(10)]
    shifted = [_window(day, Summary.rate(600, 1000), DRIFT) for day in range(10, 12)]
    replaced = sorted(old + shifted, key=lambda w: w.start, reverse=True)
    carrying_on = _window(12, Summary.rate(600, 1000))
    verdict = judge(carrying_on, [], Monitor(), borrowed=replaced)
    assert verdict.verdict == STABLE and verdict.reason and "carries on" in verdict.reason
    recovered = _window(12, Summary.rate(300, 1000))
    assert judge(recovered, [], Monitor(), borrowed=replaced).verdict == STABLE
    jumped = _window(12, Summary.rate(900, 1000))
    assert judge(jumped, [], Monitor(), borrowed=replaced).verdict == DRIFT


@pytest.mark.parametrize(
    ("verdicts", "onset", "windows", "still_open"),
    [
        ("SSDSSS", None, 0, False),  # one drifted window: noise, no episode
        ("SSDDSS", 2, 2, False),  # confirmed, then closed by two quiet windows
        ("SSDDSDD", 2, 4, True),  # one quiet window does not close it
        ("DDSSUDD", 5, 2, True),  # the latest episode; unjudged windows count for nothing
    ],
)
def test_an_episode_needs_confirmation_to_open_and_to_close(
    verdicts: str, onset: int | None, windows: int, still_open: bool
) -> None:
    names = {"S": STABLE, "D": DRIFT, "U": UNJUDGED}
    series = [_window(day, Summary.rate(1, 100), names[v]) for day, v in enumerate(verdicts)]
    episode = current_episode(series, DRIFT, confirm=2)
    if onset is None:
        assert episode is None
        return
    assert episode is not None
    assert episode.windows[0].start == START + onset * DAY
    assert len(episode.windows) == windows and episode.open is still_open
