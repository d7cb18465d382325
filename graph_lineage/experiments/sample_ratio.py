"""Sample-ratio mismatch: were units split between the variants as the experiment declared?

One chi-square test per period between declarations (a split that changes mid-experiment
changes what is expected), over the units that arrived in the period (their first
exposure), each with the variant it was assigned then, and the same within each segment so
a report can say where a mismatch is. Counting arrivals holds whether assignment is sticky
(a returning unit keeps its variant) or redrawn at each split: either way a unit's first
assignment followed the split of its first period. A unit that saw two variants in that
period is left out of the counts (the integrity checks count it). A mismatch is
a p-value below ``experiment_srm_p_value`` (0.001, GrowthBook's default): with daily looks
at many experiments a looser threshold would cry wolf every week.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from graph_lineage.experiments.design import Design, Period
from graph_lineage.experiments.exposure import Unit
from graph_lineage.experiments.statistics import TooLittleData, sample_ratio


@dataclass(frozen=True)
class SampleRatioCheck:
    period_start: datetime
    period_end: datetime | None
    segment: str | None  # None: every segment
    observed: dict[str, int]  # variant -> units
    declared: dict[str, float]  # variant -> declared traffic share
    p_value: float | None  # None with too little data
    mismatch: bool
    note: str | None = None  # why there is no test

    @property
    def summary(self) -> str:
        where = f" in segment {self.segment}" if self.segment else ""
        counts = ", ".join(f"{v} {n}" for v, n in self.observed.items())
        shares = " / ".join(f"{share:g}" for share in self.declared.values())
        if self.p_value is None:
            return f"{_span(self)}{where}: {counts} units; {self.note}"
        verdict = "MISMATCH" if self.mismatch else "as declared"
        return (
            f"{_span(self)}{where}: {counts} units against a declared {shares}:"
            f" p = {self.p_value:.3g}, {verdict}"
        )


def check_sample_ratios(
    design: Design,
    units: dict[str, Unit],
    segments: list[str],
    threshold: float,
) -> list[SampleRatioCheck]:
    """Per period, over all units and per segment, in period order."""
    checks = []
    for index, period in enumerate(design.periods):
        arrived = [
            (u.segment, variant)
            for u in units.values()
            if (variant := _first_variant(u)) is not None and min(u.period_variants) == index
        ]
        for segment in [None, *segments]:
            counted = Counter(v for s, v in arrived if segment is None or s == segment)
            if segment is not None and not counted:
                continue
            checks.append(_check(design, period, segment, counted, threshold))
    return checks


def _first_variant(unit: Unit) -> str | None:
    """The variant a unit saw in the period it arrived in; None for two at once."""
    seen = unit.period_variants[min(unit.period_variants)]
    return next(iter(seen)) if len(seen) == 1 else None


def _check(
    design: Design, period: Period, segment: str | None, counted: Counter[str], threshold: float
) -> SampleRatioCheck:
    # a variant with units that the period did not declare is a certain mismatch (share 0)
    variants = [v for v in design.variants if v in period.shares or counted.get(v)]
    observed = {v: counted.get(v, 0) for v in variants}
    declared = {v: period.shares.get(v, 0.0) for v in variants}
    test = sample_ratio(list(observed.values()), list(declared.values()))
    if isinstance(test, TooLittleData):
        return SampleRatioCheck(
            period.start, period.end, segment, observed, declared, None, False, test.reason
        )
    return SampleRatioCheck(
        period.start,
        period.end,
        segment,
        observed,
        declared,
        test.p_value,
        test.p_value < threshold,
    )


def _span(check: SampleRatioCheck) -> str:
    start = check.period_start.strftime("%Y-%m-%d %H:%M")
    if check.period_end is None:
        return f"from {start} (still running)"
    return f"{start} to {check.period_end:%Y-%m-%d %H:%M}"
