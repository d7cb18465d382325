"""Exposure: each randomization unit's requests and outcomes, folded from the recommendations.

A report reads the experiment's recommendations once, in time slices of about :data:`PAGE`
requests (sized from the contexts' daily counters), through the ``served_at`` index or,
when the experiment is a small part of the window's traffic, from its contexts; each
request comes with its outcomes collected in Cypher, and folds them into one :class:`Unit` per
randomization unit: the user
pseudonym for ``user`` experiments, the request for ``request`` ones. Memory grows with
the units, not the requests; the database sends one row per request. Why this and not a
tally kept at ingest is in docs/experiments.md ("How a report scales").

A unit belongs to the segment of its first exposure (a user can be ``new`` on Monday and
``returning`` on Friday; the first exposure is what the assignment saw). Requests served
outside the experiment's run (before its first declaration, or after its stop) are counted
apart and left out of the analysis.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from graph_lineage.drift.signals import utc
from graph_lineage.experiments.design import Design
from graph_lineage.store.connection import Reader
from graph_lineage.store.values import native

PAGE = 10_000

# Each request (r) of the experiment through its context (c), with its outcomes.
_EXPOSURE_ROWS = """
RETURN r.uid AS uid, r.served_at AS served_at, r.user_pseudonym AS user, r.segment AS segment,
       c.uid AS context, c.variant AS variant,
       COLLECT { MATCH (o:Outcome)-[:FOR]->(r)
                 RETURN {kind: o.kind, value: o.value} } AS outcomes
ORDER BY served_at, uid
"""

# The experiment's requests served in [from, to), with their outcomes.
EXPOSURES = (
    """
MATCH (r:Recommendation)
WHERE r.served_at >= $from AND r.served_at < $to
MATCH (r)-[:HAS_CONTEXT]->(c:LineageContext)
WHERE c.variant IN $variants
"""
    + _EXPOSURE_ROWS
)

# The same, reached from the experiment's contexts: cheaper when the experiment is a small
# part of the traffic in the window (see _through_contexts).
EXPOSURES_THROUGH_CONTEXTS = (
    """
MATCH (c:LineageContext) WHERE c.variant IN $variants
MATCH (c)<-[h:HAS_CONTEXT]-(r:Recommendation)
WHERE h.valid_from >= $from AND h.valid_from < $to
"""
    + _EXPOSURE_ROWS
)

# The experiment's requests per day, from the contexts' daily counters: how to cut the
# reading into batches of about PAGE requests.
DAILY_REQUESTS = """
MATCH (c:LineageContext) WHERE c.variant IN $variants
MATCH (u:ContextUsage {context: c.uid})
RETURN u.day AS day, sum(u.count) AS requests
ORDER BY day
"""

# All requests served on the days of the window, whatever served them.
TRAFFIC = """
MATCH (u:ContextUsage) WHERE u.day >= $firstDay AND u.day <= $lastDay
RETURN coalesce(sum(u.count), 0) AS requests
"""

# Every request of the given users in [from, to), whatever served it: their pre-period.
PRE_EXPOSURE = """
UNWIND $users AS user
MATCH (r:Recommendation {user_pseudonym: user})
WHERE r.served_at >= $from AND r.served_at < $to
WITH user, COLLECT { MATCH (o:Outcome)-[:FOR]->(r) RETURN {kind: o.kind, value: o.value} }
       AS outcomes
RETURN user, count(*) AS requests, collect(outcomes) AS outcomes
"""
PRE_USERS_PER_QUERY = 500

# The experiment's contexts: which variant each serves, with its lineage at a glance.
CONTEXTS = """
MATCH (c:LineageContext) WHERE c.variant IN $variants
RETURN c.uid AS uid, c.variant AS variant, c.model_version AS model_version,
       c.feature_versions AS feature_versions, c.first_seen AS first_seen,
       c.last_seen AS last_seen
ORDER BY uid
"""


@dataclass(slots=True)
class Unit:
    """One randomization unit: what it was exposed to and what it did."""

    first_seen: datetime
    segment: str
    requests: Counter[str] = field(default_factory=Counter)  # variant -> requests
    with_outcome: Counter[str] = field(default_factory=Counter)  # kind -> requests with one
    values: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    period_variants: dict[int, set[str]] = field(default_factory=dict)
    examples: dict[str, str] = field(default_factory=dict)  # variant -> first request's uid

    @property
    def variant(self) -> str | None:
        """The one variant the unit saw; None when it saw more than one."""
        return next(iter(self.requests)) if len(self.requests) == 1 else None

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())


@dataclass
class Exposure:
    """Everything a report needs from the requests, folded per unit."""

    units: dict[str, Unit] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)  # variant -> requests in the run
    context_requests: Counter[tuple[str, str]] = field(default_factory=Counter)
    context_first: dict[str, datetime] = field(default_factory=dict)  # first request in range
    context_hours: Counter[tuple[str, str, datetime]] = field(default_factory=Counter)
    flag_requests: Counter[tuple[str, str]] = field(default_factory=Counter)  # (variant, flags)
    flag_examples: dict[tuple[str, str], str] = field(default_factory=dict)
    outside: Counter[str] = field(default_factory=Counter)  # "before" / "after" the run
    outside_examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    kinds: set[str] = field(default_factory=set)  # outcome kinds the requests hold
    varying: set[str] = field(default_factory=set)  # kinds with a value other than 1
    outcomes: int = 0
    rows: int = 0  # requests read

    def add(self, row: Any, design: Design, unit_key: str, variant: str) -> None:
        served = utc(row["served_at"])
        period = design.period_at(served)
        if period is None:
            early = not design.periods or served < design.periods[0].start
            self._outside(row, "before" if early else "after")
            return
        index = design.periods.index(period)
        unit = self.units.get(unit_key)
        if unit is None:
            unit = self.units[unit_key] = Unit(first_seen=served, segment=row["segment"])
        unit.requests[variant] += 1
        unit.period_variants.setdefault(index, set()).add(variant)
        unit.examples.setdefault(variant, row["uid"])
        self.requests[variant] += 1
        self.context_requests[(row["context"], variant)] += 1
        self.context_first.setdefault(row["context"], served)
        hour = served.replace(minute=0, second=0, microsecond=0)
        self.context_hours[(row["context"], variant, hour)] += 1
        flags = _flags_key(period.flags)
        self.flag_requests[(variant, flags)] += 1
        self.flag_examples.setdefault((variant, flags), row["uid"])
        self._outcomes(unit, row["outcomes"])

    def _outcomes(self, unit: Unit, outcomes: list[dict[str, Any]]) -> None:
        kinds = set()
        for outcome in outcomes:
            value = _value(outcome)
            unit.values[outcome["kind"]] += value
            kinds.add(outcome["kind"])
            if value != 1.0:
                self.varying.add(outcome["kind"])
        for kind in kinds:
            unit.with_outcome[kind] += 1
        self.kinds |= kinds
        self.outcomes += len(outcomes)

    def _outside(self, row: Any, when: str) -> None:
        self.outside[when] += 1
        if len(self.outside_examples[when]) < EXAMPLES:
            self.outside_examples[when].append(row["uid"])


EXAMPLES = 5  # example uids a check keeps


def _value(outcome: dict[str, Any]) -> float:
    return 1.0 if outcome["value"] is None else float(outcome["value"])


def _flags_key(flags: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(flags.items())) or "(none)"


def read_exposure(store: Reader, design: Design, start: datetime, end: datetime) -> Exposure:
    """Fold the experiment's requests served in [start, end) into an :class:`Exposure`."""
    names = {uid: name for name, uid in design.variant_uids.items()}
    exposure = Exposure()
    by_request = design.unit == "request"
    for row in _pages(store, list(names), start, end):
        exposure.rows += 1
        unit = row["uid"] if by_request else row["user"]
        exposure.add(row, design, unit, names[row["variant"]])
    return exposure


def _pages(store: Reader, variants: list[str], start: datetime, end: datetime) -> Iterator[Any]:
    """The requests in [start, end), one bounded time slice at a time, in time order."""
    start, end = utc(start), utc(end)
    daily = {
        native(row["day"]): row["requests"] for row in store.read(DAILY_REQUESTS, variants=variants)
    }
    slices = list(_slices(daily, start, end))
    query = (
        EXPOSURES_THROUGH_CONTEXTS
        if _through_contexts(store, daily, len(slices), start, end)
        else EXPOSURES
    )
    for lower, upper in slices:
        yield from store.read(query, variants=variants, **{"from": lower, "to": upper})


def _through_contexts(
    store: Reader, daily: dict[Any, int], slices: int, start: datetime, end: datetime
) -> bool:
    """Whether to read from the experiment's contexts: each slice then walks every request
    the contexts ever had, against every request of the window once through the time index."""
    traffic: int = store.read(TRAFFIC, firstDay=start.date(), lastDay=end.date())[0]["requests"]
    return slices * sum(daily.values()) < traffic


def _slices(
    daily: dict[Any, int], start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Each UTC day of [start, end), cut into as many equal slices as it has PAGEs of
    requests (a day the counters don't know is one slice)."""
    day = datetime(start.year, start.month, start.day, tzinfo=UTC)
    while day < end:
        lower, upper = max(day, start), min(day + timedelta(days=1), end)
        pieces = max(1, math.ceil(daily.get(day.date(), 0) / PAGE))
        step = (upper - lower) / pieces
        for piece in range(pieces):
            yield (
                lower + step * piece,
                (upper if piece == pieces - 1 else lower + step * (piece + 1)),
            )
        day += timedelta(days=1)


def read_contexts(store: Reader, design: Design) -> list[dict[str, Any]]:
    """The experiment's lineage contexts, each with the variant (name) it served."""
    names = {uid: name for name, uid in design.variant_uids.items()}
    rows = store.read(CONTEXTS, variants=list(names))
    return [{**row, "variant": names[row["variant"]]} for row in rows]


@dataclass(frozen=True)
class PreExposure:
    """Each unit's requests and outcomes before the experiment: CUPED's covariates."""

    requests: dict[str, int]
    with_outcome: dict[str, Counter[str]]
    values: dict[str, defaultdict[str, float]]


def read_pre_exposure(
    store: Reader, users: list[str], start: datetime, end: datetime
) -> PreExposure:
    """The users' requests in [start, end) (their pre-period), in bounded batches."""
    pre = PreExposure({}, defaultdict(Counter), defaultdict(lambda: defaultdict(float)))
    for first in range(0, len(users), PRE_USERS_PER_QUERY):
        batch = users[first : first + PRE_USERS_PER_QUERY]
        rows = store.read(PRE_EXPOSURE, users=batch, **{"from": utc(start), "to": utc(end)})
        for row in rows:
            pre.requests[row["user"]] = row["requests"]
            for outcomes in row["outcomes"]:
                kinds = set()
                for outcome in outcomes:
                    pre.values[row["user"]][outcome["kind"]] += _value(outcome)
                    kinds.add(outcome["kind"])
                for kind in kinds:
                    pre.with_outcome[row["user"]][kind] += 1
    return pre
