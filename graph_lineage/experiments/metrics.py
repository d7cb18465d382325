"""The metrics a report compares, per randomization unit, from the outcome kinds the data holds.

For every outcome ``kind`` the experiment's requests received there are two metrics:

- ``<kind>_rate``: the share of requests with at least one ``kind`` outcome, a ratio metric
  (requests with one / requests, summed per unit, by the delta method). ``click_rate`` is
  click-through, ``purchase_rate`` conversion.
- ``<kind>_per_unit``: the sum of the ``kind`` outcomes' values per unit, a mean metric
  (Welch's t): revenue per user when a purchase's value is its amount, dwell seconds per
  user, clicks per user when every value is 1.

By default a report compares every ``_rate`` metric and the ``_per_unit`` metric of kinds
whose values vary (where a value means more than "it happened"); any other can be asked
for by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from graph_lineage.errors import InvalidQuery
from graph_lineage.experiments.exposure import PreExposure, Unit
from graph_lineage.experiments.statistics import ArmData

RATE = "_rate"
PER_UNIT = "_per_unit"


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # the outcome kind it counts
    ratio: bool

    @property
    def description(self) -> str:
        if self.ratio:
            return f"share of requests with a {self.kind} (ratio metric, delta method)"
        return f"sum of {self.kind} values per unit (mean metric, Welch's t)"

    def arm(self, units: Sequence[tuple[str, Unit]], pre: PreExposure | None) -> ArmData:
        """The per-unit values of this metric for ``units`` (key, unit) of one arm."""
        values: list[float]
        if self.ratio:
            values = [u.with_outcome[self.kind] for _, u in units]
            denominators = np.array([u.total_requests for _, u in units], dtype=float)
        else:
            values = [u.values[self.kind] for _, u in units]
            denominators = None
        if pre is None:
            return ArmData(np.array(values, dtype=float), denominators)
        return ArmData(
            np.array(values, dtype=float),
            denominators,
            pre_values=np.array([self._pre_value(pre, key) for key, _ in units], dtype=float),
            pre_denominators=(
                np.array([pre.requests.get(key, 0) for key, _ in units], dtype=float)
                if self.ratio
                else None
            ),
        )

    def _pre_value(self, pre: PreExposure, key: str) -> float:
        counts = pre.with_outcome if self.ratio else pre.values
        found = counts.get(key)
        return float(found[self.kind]) if found is not None else 0.0


def metric_named(name: str) -> Metric:
    """The metric a name asks for; InvalidQuery for a name that is neither kind of metric."""
    for suffix, ratio in ((RATE, True), (PER_UNIT, False)):
        if name.endswith(suffix) and len(name) > len(suffix):
            return Metric(name, name.removesuffix(suffix), ratio)
    raise InvalidQuery(
        f"{name!r} is not a metric: ask for <kind>{RATE} (e.g. click_rate, the share of requests"
        f" with a click) or <kind>{PER_UNIT} (e.g. purchase_per_unit, the sum of purchase values"
        " per unit), with a kind of outcome the data holds"
    )


def default_metrics(kinds: Iterable[str], varying: Iterable[str]) -> list[Metric]:
    """Every kind's rate, and the per-unit value of the kinds whose values vary."""
    rates = [Metric(f"{kind}{RATE}", kind, True) for kind in sorted(kinds)]
    values = [Metric(f"{kind}{PER_UNIT}", kind, False) for kind in sorted(varying)]
    return rates + values
