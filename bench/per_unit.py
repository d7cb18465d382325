"""The alternative the experiments benchmark weighs: exposure aggregated per unit in Cypher.

``read_exposure`` (graph_lineage/experiments/exposure.py) reads one row per request, its
outcomes collected, and folds the rows per unit in Python. :func:`read_unit_exposure`
asks the database to do the folding instead, in bounded batches: one query per day of the
window (cut again at each period of the design, so a batch lies in one period), returning
one row per (unit, variant, context) of that day with its requests, its first request's
time, uid and segment, and per outcome kind the requests with one, the outcomes and their
values; and a second one the requests per context and hour. Python merges the days into
the same :class:`Exposure`, so the report runs unchanged on it; :func:`differences` checks
that it holds the same per-unit data before anything is timed.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from graph_lineage.drift.signals import utc
from graph_lineage.experiments.design import Design
from graph_lineage.experiments.exposure import EXAMPLES, Exposure, Unit, _flags_key
from graph_lineage.store.connection import Reader

# One day (or part of one) of the experiment's requests, one row per (unit, variant,
# context). Rows are ordered before grouping so collect()'s head is the first request.
UNIT_AGGREGATES = """
MATCH (r:Recommendation)
WHERE r.served_at >= $from AND r.served_at < $to
MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
WHERE c.variant IN $variants
WITH r, c ORDER BY r.served_at, r.uid
WITH r, c, COLLECT { MATCH (o:Outcome)-[:FOR]->(r)
                     WITH o.kind AS kind, count(*) AS outcomes,
                          sum(coalesce(toFloat(o.value), 1.0)) AS value,
                          sum(CASE WHEN coalesce(toFloat(o.value), 1.0) <> 1.0
                                   THEN 1 ELSE 0 END) AS varying
                     RETURN {kind: kind, outcomes: outcomes, value: value, varying: varying} }
             AS kinds
WITH r.user_pseudonym AS unit, c.variant AS variant, c.uid AS context, count(*) AS requests,
     min(r.served_at) AS first, head(collect(r.uid)) AS example,
     head(collect(r.segment)) AS segment, collect(kinds) AS perRequest
CALL (perRequest) {
  UNWIND perRequest AS kinds
  UNWIND kinds AS k
  WITH k.kind AS kind, count(*) AS withOutcome, sum(k.outcomes) AS outcomes,
       sum(k.value) AS value, sum(k.varying) > 0 AS varying
  RETURN collect({kind: kind, withOutcome: withOutcome, outcomes: outcomes, value: value,
                  varying: varying}) AS outcomes
}
RETURN unit, variant, context, requests, first, example, segment, outcomes
"""

# The same requests per context and hour (what the interventions check reads).
CONTEXT_HOURS = """
MATCH (r:Recommendation)
WHERE r.served_at >= $from AND r.served_at < $to
MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
WHERE c.variant IN $variants
RETURN c.uid AS context, c.variant AS variant, datetime.truncate('hour', r.served_at) AS hour,
       count(*) AS requests
"""


def batches(design: Design, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at every UTC midnight and at every period's start and end."""
    cuts = {start, end}
    day = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    while day < end:
        cuts.add(day)
        day += timedelta(days=1)
    for period in design.periods:
        cuts |= {m for m in (period.start, period.end) if m is not None and start < m < end}
    ordered = sorted(cuts)
    return list(pairwise(ordered))


def read_unit_exposure(store: Reader, design: Design, start: datetime, end: datetime) -> Exposure:
    """The same :class:`Exposure` as ``read_exposure``, from per-unit rows (user units)."""
    if design.unit == "request":
        raise ValueError("per-unit aggregation is for user-randomized experiments")
    names = {uid: name for name, uid in design.variant_uids.items()}
    exposure = Exposure()
    first_uid: dict[str, str] = {}
    for begins, ends in batches(design, utc(start), utc(end)):
        period = design.period_at(begins)
        outside = _outside(design, begins)
        rows = store.read(UNIT_AGGREGATES, variants=list(names), **{"from": begins, "to": ends})
        for row in rows:
            exposure.rows += row["requests"]
            if outside is not None or period is None:
                exposure.outside[outside or "after"] += row["requests"]
                if len(exposure.outside_examples[outside or "after"]) < EXAMPLES:
                    exposure.outside_examples[outside or "after"].append(row["example"])
                continue
            variant = names[row["variant"]]
            _fold(exposure, first_uid, row, variant, design.periods.index(period))
            flags = _flags_key(period.flags)
            exposure.flag_requests[(variant, flags)] += row["requests"]
            exposure.flag_examples.setdefault((variant, flags), row["example"])
        if outside is None:
            _hours(store, exposure, names, begins, ends)
    return exposure


def _outside(design: Design, at: datetime) -> str | None:
    """As ``Exposure.add`` tells them: before the first declaration, or after a stop."""
    if design.period_at(at) is not None:
        return None
    return "before" if not design.periods or at < design.periods[0].start else "after"


def _fold(
    exposure: Exposure, first_uid: dict[str, str], row: Any, variant: str, period: int
) -> None:
    key, first, example = row["unit"], utc(row["first"]), row["example"]
    unit = exposure.units.get(key)
    if unit is None:
        unit = exposure.units[key] = Unit(first_seen=first, segment=row["segment"])
        first_uid[key] = example
    elif (first, example) < (unit.first_seen, first_uid[key]):
        unit.first_seen, unit.segment, first_uid[key] = first, row["segment"], example
    unit.requests[variant] += row["requests"]
    unit.period_variants.setdefault(period, set()).add(variant)
    unit.examples.setdefault(variant, example)
    exposure.requests[variant] += row["requests"]
    context = row["context"]
    exposure.context_requests[(context, variant)] += row["requests"]
    seen = exposure.context_first.get(context)
    exposure.context_first[context] = first if seen is None else min(seen, first)
    for kind in row["outcomes"]:
        unit.with_outcome[kind["kind"]] += kind["withOutcome"]
        unit.values[kind["kind"]] += kind["value"]
        exposure.kinds.add(kind["kind"])
        if kind["varying"]:
            exposure.varying.add(kind["kind"])
        exposure.outcomes += kind["outcomes"]


def _hours(
    store: Reader, exposure: Exposure, names: dict[str, str], begins: datetime, ends: datetime
) -> None:
    rows = store.read(CONTEXT_HOURS, variants=list(names), **{"from": begins, "to": ends})
    for row in rows:
        key = (row["context"], names[row["variant"]], utc(row["hour"]))
        exposure.context_hours[key] += row["requests"]


def differences(read: Exposure, aggregated: Exposure) -> list[str]:
    """What the per-unit aggregation got differently from ``read_exposure`` (nothing: [])."""
    found = []
    for name in ("rows", "outcomes", "requests", "context_requests", "outside", "kinds"):
        if getattr(read, name) != getattr(aggregated, name):
            found.append(f"{name}: {getattr(read, name)!r} != {getattr(aggregated, name)!r}")
    for name in ("varying", "flag_requests", "context_first", "context_hours"):
        if getattr(read, name) != getattr(aggregated, name):
            found.append(f"{name} differs")
    if read.units.keys() != aggregated.units.keys():
        found.append(f"units: {len(read.units)} != {len(aggregated.units)}")
        return found
    for key, unit in read.units.items():
        other = aggregated.units[key]
        same = (
            unit.requests == other.requests
            and unit.with_outcome == other.with_outcome
            and unit.values.keys() == other.values.keys()
            and all(math.isclose(v, other.values[k]) for k, v in unit.values.items())
            and (unit.first_seen, unit.segment) == (other.first_seen, other.segment)
            and unit.period_variants == other.period_variants
        )
        if not same:
            found.append(f"unit {key}: {unit!r} != {other!r}")
    return found[:10]
