"""Drift detection (issue 13, in progress): distances between a baseline and a window.

So far: the statistics themselves (:mod:`graph_lineage.drift.statistics`).
"""

from __future__ import annotations

from graph_lineage.drift.statistics import (
    Statistic,
    chi_square,
    jensen_shannon,
    ks_from_quantiles,
    psi,
    wasserstein,
)

__all__ = ["Statistic", "chi_square", "jensen_shannon", "ks_from_quantiles", "psi", "wasserstein"]
