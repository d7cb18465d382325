"""Always-valid confidence sequences for a difference of means (or of ratios).

These are the asymptotic confidence sequences of Waudby-Smith et al. (2023,
arXiv:2103.06476), the ones GrowthBook offers as sequential testing. With N units in all,
a tuning N* (the total where the sequence is tightest) and

    rho^2 = (-2 ln(alpha) + ln(1 - 2 ln(alpha))) / N*,

an estimate with variance V has the half-width

    sqrt(N*V) * sqrt(2(N rho^2 + 1) / (N^2 rho^2) * ln(sqrt(N rho^2 + 1) / alpha)),

which holds however often, and whenever, the experiment is looked at. Written as
half-width^2 = 2*V*g with g = (1 + 1/(N rho^2)) * (ln(N rho^2 + 1)/2 - ln(alpha)), g rises
as alpha falls (rho follows alpha), so the intervals are nested and the always-valid
p-value, the smallest alpha whose interval excludes 0, is below alpha exactly when that
alpha's interval excludes 0. It is 1 when no alpha below 1 excludes 0. (GrowthBook keeps
rho at the configured alpha for its p-value, a closed form; the two agree at that alpha.)
"""

from __future__ import annotations

import math

from scipy import optimize

_NEAR_ONE = 1e-12  # -ln(alpha) just above 0: an alpha of almost 1, where p is capped
_FAR = 1024.0  # -ln(alpha) beyond which alpha underflows to 0


def sequence_width(alpha: float, n: int, tuning: float) -> float:
    """The half-width per standard error sqrt(V) at ``alpha`` after ``n`` units."""
    return math.sqrt(2 * _factor(n, tuning, -math.log(alpha)))


def sequential_p_value(estimate: float, variance: float, n: int, tuning: float) -> float:
    """The smallest alpha whose confidence sequence excludes 0, solved for -ln(alpha)."""
    target = estimate**2 / (2 * variance)  # the g at which the half-width is |estimate|
    if _factor(n, tuning, _NEAR_ONE) >= target:
        return 1.0
    high = 1.0
    while _factor(n, tuning, high) < target:
        if high >= _FAR:
            return 0.0  # below exp(-1024): no float tells it from 0
        high *= 2
    root = optimize.brentq(lambda u: _factor(n, tuning, u) - target, _NEAR_ONE, high, xtol=1e-14)
    return math.exp(-float(root))


def _factor(n: int, tuning: float, neg_log_alpha: float) -> float:
    """g = (1 + 1/(N rho^2)) * (ln(N rho^2 + 1)/2 - ln(alpha)), half-width^2 = 2*V*g."""
    n_rho2 = n * (2 * neg_log_alpha + math.log1p(2 * neg_log_alpha)) / tuning
    return (1 + 1 / n_rho2) * (math.log1p(n_rho2) / 2 + neg_log_alpha)
