"""An experiment as its events declared it: variants, and the split and flags of each period.

Every ``experiment.started|changed|stopped`` event is kept on the experiment node
(``declarations``, see :data:`graph_lineage.store.writes.EXPERIMENTS`). Sorted by time they
cut the experiment into periods; a period runs from one declaration to the next and holds
that declaration's traffic shares, model versions and feature flags. The last period ends
at the stop (nothing after it is analysed) or stays open. An experiment stored before
declarations were kept has one period: its variants' current shares from its start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph_lineage import uids
from graph_lineage.drift.signals import utc
from graph_lineage.errors import NodeNotFound
from graph_lineage.store.connection import Reader
from graph_lineage.store.values import moment

EXPERIMENT = """
MATCH (e:Experiment {uid: $uid})
RETURN e.uid AS uid, e.name AS name, e.status AS status, e.stub AS stub,
       e.randomization_unit AS unit, e.started_at AS started_at, e.stopped_at AS stopped_at,
       e.feature_flags AS flags, e.owner AS owner, coalesce(e.declarations, []) AS declarations,
       COLLECT { MATCH (v:Variant)-[:OF]->(e)
                 RETURN {name: v.name, uid: v.uid, traffic_share: v.traffic_share,
                         model_version: head(COLLECT { MATCH (v)-[s:SERVES]->(m:ModelVersion)
                                                       RETURN m.uid ORDER BY s.valid_from DESC })}
                 ORDER BY v.name } AS variants
"""

CONTROL_NAMES = ("control", "baseline", "a", "off")


@dataclass(frozen=True)
class Period:
    """The time between two declarations, with what the first of them declared."""

    start: datetime
    end: datetime | None  # None: still open
    kind: str  # experiment.started, experiment.changed
    shares: dict[str, float]  # variant name -> declared traffic share
    model_versions: dict[str, str]
    flags: dict[str, Any]

    def holds(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)


@dataclass(frozen=True)
class Design:
    uid: str
    name: str
    status: str | None
    unit: str  # the randomization unit as declared
    started_at: datetime | None
    stopped_at: datetime | None
    owner: str | None
    variants: tuple[str, ...]  # names, control first
    variant_uids: dict[str, str]
    periods: tuple[Period, ...] = field(default=())

    @property
    def control(self) -> str:
        return self.variants[0]

    @property
    def treatments(self) -> tuple[str, ...]:
        return self.variants[1:]

    def period_at(self, at: datetime) -> Period | None:
        """The period ``at`` falls in; None before the first declaration, after the stop
        and while stopped."""
        for period in self.periods:
            if period.holds(at):
                return period
        return None


def read_design(store: Reader, name: str) -> Design:
    """The experiment named ``name`` (or by its uid); NodeNotFound when none was declared."""
    uid = name if name.startswith("experiment:") else uids.experiment_uid(name)
    rows = store.read(EXPERIMENT, uid=uid)
    if not rows or rows[0]["stub"] or not rows[0]["variants"]:
        raise NodeNotFound(
            f"no lineage node has uid {uid!r}: no experiment of that name was declared"
        )
    row = rows[0]
    variants = _control_first([v["name"] for v in row["variants"]])
    declarations = sorted(
        (json.loads(text) for text in row["declarations"]),
        key=lambda d: (_instant(d["event_time"]), d["event_id"]),
    )
    stopped = _time(row["stopped_at"])
    return Design(
        uid=uid,
        name=row["name"],
        status=row["status"],
        unit=row["unit"] or "user",
        started_at=_time(row["started_at"]),
        stopped_at=stopped,
        owner=row["owner"],
        variants=variants,
        variant_uids={v["name"]: v["uid"] for v in row["variants"]},
        periods=_periods(declarations) or _current_period(row),
    )


def _control_first(names: list[str]) -> tuple[str, ...]:
    """Variants in name order with the control first: a variant named like a control, else
    the first by name (a report names which one it compared against)."""
    ordered = sorted(names)
    for candidate in CONTROL_NAMES:
        for name in ordered:
            if name.lower() == candidate:
                return (name, *(n for n in ordered if n != name))
    return tuple(ordered)


def _periods(declarations: list[dict[str, Any]]) -> tuple[Period, ...]:
    """Periods from declarations in time order: each started or changed one opens a period
    that the next declaration closes; a stop closes it and opens none (until a start or a
    change declares the experiment running again)."""
    periods = []
    for index, declared in enumerate(declarations):
        if declared["type"] == "experiment.stopped":
            continue
        start = _instant(declared["event_time"])
        following = declarations[index + 1] if index + 1 < len(declarations) else None
        end = _instant(following["event_time"]) if following else None
        if end is not None and end <= start:
            continue  # replaced at the same instant
        periods.append(
            Period(
                start=start,
                end=end,
                kind=declared["type"],
                shares={n: v["traffic_share"] for n, v in declared["variants"].items()},
                model_versions={n: v["model_version"] for n, v in declared["variants"].items()},
                flags=declared.get("feature_flags") or {},
            )
        )
    return tuple(periods)


def _instant(text: str) -> datetime:
    """A declaration's time in UTC (one written before times were stored in UTC may carry
    another offset: sorting the text would misorder it)."""
    return utc(datetime.fromisoformat(text))


def _current_period(row: Any) -> tuple[Period, ...]:
    started = _time(row["started_at"])
    if started is None:
        return ()
    variants = row["variants"]
    return (
        Period(
            start=started,
            end=_time(row["stopped_at"]),
            kind="experiment.started",
            shares={v["name"]: v["traffic_share"] or 0.0 for v in variants},
            model_versions={v["name"]: v["model_version"] for v in variants if v["model_version"]},
            flags=json.loads(row["flags"]) if row["flags"] else {},
        ),
    )


def _time(value: Any) -> datetime | None:
    found = moment(value)
    return utc(found) if found is not None else None
