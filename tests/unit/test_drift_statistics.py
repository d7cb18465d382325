"""The drift statistics agree with independent computations (plain Python, no scipy) to
1e-9, including empty bins, one bin, zero counts and tiny samples."""

from __future__ import annotations

import itertools
import math

import pytest

from graph_lineage.drift import chi_square, jensen_shannon, ks_from_quantiles, psi, wasserstein

pytestmark = pytest.mark.unit

CASES = [
    ([50, 30, 20], [45, 35, 20]),
    ([100, 0, 50, 25], [80, 20, 0, 75]),  # empty bins on either side
    ([1000, 1, 1], [1, 1, 1000]),  # almost disjoint
    ([33, 33, 34], [33, 33, 34]),  # the same
    ([7, 3, 0, 0, 20, 5], [2, 9, 4, 1, 11, 8]),
    ([200_000, 1, 0], [150_000, 3, 40]),  # a share below the floor that is not empty
]


def _shares(counts: list[int]) -> list[float]:
    total = sum(counts)
    return [c / total for c in counts]


def _psi(reference: list[int], current: list[int], floor: float = 1e-4) -> float:
    p = [s if s > 0 else floor for s in _shares(reference)]
    q = [s if s > 0 else floor for s in _shares(current)]
    return sum((b - a) * math.log(b / a) for a, b in zip(p, q, strict=True))


def _js(reference: list[int], current: list[int]) -> float:
    p, q = _shares(reference), _shares(current)
    m = [(a + b) / 2 for a, b in zip(p, q, strict=True)]

    def kl(x: list[float]) -> float:
        return sum(a * math.log2(a / c) for a, c in zip(x, m, strict=True) if a > 0)

    return math.sqrt((kl(p) + kl(q)) / 2)


def _wasserstein(centers: list[float], reference: list[int], current: list[int]) -> float:
    p, q = _shares(reference), _shares(current)
    moved, cdf_gap = 0.0, 0.0
    for i in range(len(centers) - 1):  # the integral of |F_p - F_q| between bin centers
        cdf_gap += p[i] - q[i]
        moved += abs(cdf_gap) * (centers[i + 1] - centers[i])
    mean = sum(c * s for c, s in zip(centers, p, strict=True))
    spread = math.sqrt(sum(s * (c - mean) ** 2 for c, s in zip(centers, p, strict=True)))
    return moved / spread


def _chi2_sf(x: float, df: int) -> float:
    """The chi-square survival function for whole degrees of freedom, in closed form."""
    half = x / 2
    if df % 2 == 0:
        return math.exp(-half) * sum(half**i / math.factorial(i) for i in range(df // 2))
    tail = math.erfc(math.sqrt(half))
    return tail + math.exp(-half) * sum(
        half ** (i - 0.5) / math.gamma(i + 0.5) for i in range(1, (df - 1) // 2 + 1)
    )


def _chi_square(reference: list[int], current: list[int]) -> tuple[float, float]:
    kept = [(a, b) for a, b in zip(reference, current, strict=True) if a + b > 0]
    rows = [sum(a for a, _ in kept), sum(b for _, b in kept)]
    total = sum(rows)
    statistic = 0.0
    for a, b in kept:
        column = a + b
        for observed, row in ((a, rows[0]), (b, rows[1])):
            expected = row * column / total
            statistic += (observed - expected) ** 2 / expected
    return statistic, _chi2_sf(statistic, len(kept) - 1)


@pytest.mark.parametrize(("reference", "current"), CASES)
def test_psi(reference: list[int], current: list[int]) -> None:
    assert psi(reference, current, min_count=1).value == pytest.approx(
        _psi(reference, current), abs=1e-9
    )


@pytest.mark.parametrize(("reference", "current"), CASES)
def test_jensen_shannon_distance(reference: list[int], current: list[int]) -> None:
    value = jensen_shannon(reference, current, min_count=1).value
    assert value == pytest.approx(_js(reference, current), abs=1e-9)
    assert value is not None and 0.0 <= value <= 1.0


@pytest.mark.parametrize(("reference", "current"), CASES)
def test_wasserstein_in_reference_spreads(reference: list[int], current: list[int]) -> None:
    centers = [0.5 + 1.5 * i + 0.1 * i * i for i in range(len(reference))]  # uneven bins
    value = wasserstein(centers, reference, current, min_count=1).value
    assert value == pytest.approx(_wasserstein(centers, reference, current), abs=1e-9)


@pytest.mark.parametrize(("reference", "current"), CASES)
def test_chi_square_statistic_and_p_value(reference: list[int], current: list[int]) -> None:
    result = chi_square(reference, current, min_count=1)
    statistic, p_value = _chi_square(reference, current)
    assert result.value == pytest.approx(statistic, abs=1e-9)
    assert result.p_value == pytest.approx(p_value, abs=1e-9)


def test_jensen_shannon_of_near_identical_shares_is_a_number() -> None:
    value = jensen_shannon([10_000_001, 9_999_999], [10_000_000, 10_000_000]).value
    assert value is not None and 0.0 <= value < 1e-6


def test_a_reference_in_one_bin_has_no_spread_whatever_the_rounding() -> None:
    result = wasserstein([2.7, 3.1], [3, 0], [1, 40], min_count=1)
    assert not result.judged and result.reason == "the reference has no spread (one bin)"


def test_one_bin_is_no_drift_or_not_enough_to_judge() -> None:
    assert psi([40], [90]).value == pytest.approx(0.0, abs=1e-12)
    assert jensen_shannon([40], [90]).value == pytest.approx(0.0, abs=1e-12)
    spread = wasserstein([1.0], [40], [90])
    assert not spread.judged and spread.reason and "no spread" in spread.reason
    categories = chi_square([40, 0], [90, 0])
    assert not categories.judged and categories.reason and "one category" in categories.reason


@pytest.mark.parametrize("statistic", [psi, jensen_shannon, chi_square])
def test_tiny_and_empty_samples_are_not_enough_data(statistic: object) -> None:
    for reference, current in (([3, 2], [40, 50]), ([0, 0], [40, 50]), ([40, 50], [0, 0])):
        result = statistic(reference, current)  # type: ignore[operator]
        assert result.value is None and result.p_value is None
        assert result.reason is not None and result.reason.startswith("not enough data")


def test_tiny_samples_are_not_enough_data_for_wasserstein() -> None:
    result = wasserstein([1.0, 2.0], [3, 2], [40, 50])
    assert not result.judged and result.reason is not None
    assert result.reason.startswith("not enough data: 5 observations")


@pytest.mark.parametrize(
    ("reference", "current", "problem"),
    [
        ([1, 2], [1, 2, 3], "same bins"),
        ([], [], "same bins"),
        ([1, -2], [1, 2], "negative"),
        ([1, float("nan")], [1, 2], "finite"),
    ],
)
def test_bad_counts_are_refused(reference: list[float], current: list[float], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        psi(reference, current)


PROBABILITIES = [0.05, 0.25, 0.5, 0.75, 0.95]
QUANTILE_CASES = [
    ([1.0, 2.0, 3.0, 4.0, 5.0], [1.5, 2.5, 3.5, 4.5, 5.5]),  # shifted by half a step
    ([0.0, 1.0, 2.0, 3.0, 10.0], [0.0, 0.5, 1.0, 8.0, 9.0]),
    ([2.0, 2.0, 2.0, 3.0, 4.0], [2.0, 3.0, 3.0, 3.0, 6.0]),  # point masses
    ([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0]),  # the same
]


def _linear_cdf(x: float, quantiles: list[float]) -> float:
    """F(x), right-continuous: 0 before the first quantile, 1 from the last on (its jump to 1
    is just above it), linear from the highest probability at one distinct quantile to the
    lowest at the next."""
    distinct = sorted(set(quantiles))
    if x < distinct[0]:
        return 0.0
    if x >= distinct[-1]:
        return 1.0
    for a, b in itertools.pairwise(distinct):
        if a <= x < b:
            high = max(p for p, q in zip(PROBABILITIES, quantiles, strict=True) if q == a)
            low = min(p for p, q in zip(PROBABILITIES, quantiles, strict=True) if q == b)
            return high + (x - a) / (b - a) * (low - high)
    raise AssertionError(x)


def _largest_gap(reference: list[float], current: list[float]) -> float:
    """The sup of |F_ref - F_cur|, read on a dense grid and just before every quantile."""
    low, high = min(reference + current) - 1, max(reference + current) + 1
    grid = [low + (high - low) * i / 20_000 for i in range(20_001)]
    edges = [q - 1e-12 for q in reference + current] + reference + current
    return max(abs(_linear_cdf(x, reference) - _linear_cdf(x, current)) for x in grid + edges)


def _kolmogorov_sf(lam: float) -> float:
    if lam == 0:
        return 1.0
    return 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 200))


@pytest.mark.parametrize(("reference", "current"), QUANTILE_CASES)
def test_ks_from_quantiles(reference: list[float], current: list[float]) -> None:
    n, m = 400, 250
    result = ks_from_quantiles(PROBABILITIES, reference, current, (n, m))
    gap = _largest_gap(reference, current)
    assert result.value == pytest.approx(gap, abs=1e-9)
    assert result.p_value == pytest.approx(
        _kolmogorov_sf(math.sqrt(n * m / (n + m)) * gap), abs=1e-9
    )


def test_ks_sees_the_jump_to_one_after_the_last_quantile() -> None:
    result = ks_from_quantiles(PROBABILITIES, [1, 2, 3, 4, 5], [1.5, 2.5, 3.5, 4.5, 5.5], (99, 99))
    assert result.value == pytest.approx(0.15, abs=1e-12)  # just above 5: 1 - 0.85


def test_ks_from_quantiles_needs_observations_and_sane_quantiles() -> None:
    few = ks_from_quantiles(PROBABILITIES, [1, 2, 3, 4, 5], [1, 2, 3, 4, 6], (12, 500))
    assert (
        not few.judged and few.reason == "not enough data: 12 observations on one side, 30 needed"
    )
    with pytest.raises(ValueError, match="cannot fall"):
        ks_from_quantiles(PROBABILITIES, [1, 3, 2, 4, 5], [1, 2, 3, 4, 5], (100, 100))
    with pytest.raises(ValueError, match="rise strictly"):
        ks_from_quantiles([0.5, 0.5, 0.6, 0.7, 0.8], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], (100, 100))
