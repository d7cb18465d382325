"""The experiments the store holds, newest first, with their variants and how much they served.

Requests are counted through the per-day ``ContextUsage`` counters of the variants'
contexts, so listing costs the same however many recommendations there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_lineage.drift.signals import utc
from graph_lineage.store.connection import Reader
from graph_lineage.store.values import moment

EXPERIMENTS = """
MATCH (e:Experiment)
WHERE coalesce(e.stub, false) = false
  AND ($status IS NULL OR e.status = $status)
  AND ($name IS NULL OR toLower(e.name) CONTAINS toLower($name))
  AND ($activeSince IS NULL OR e.stopped_at IS NULL OR e.stopped_at >= $activeSince)
RETURN e.uid AS uid, e.name AS name, e.status AS status, e.owner AS owner,
       e.randomization_unit AS unit, e.started_at AS started_at, e.stopped_at AS stopped_at,
       COLLECT {
         MATCH (v:Variant)-[:OF]->(e)
         WITH v ORDER BY v.name
         CALL (v) {
           OPTIONAL MATCH (c:LineageContext)-[:IN_VARIANT]->(v)
           OPTIONAL MATCH (u:ContextUsage {context: c.uid})
           RETURN coalesce(sum(u.count), 0) AS requests, max(c.last_seen) AS lastSeen
         }
         RETURN {name: v.name, uid: v.uid, traffic_share: v.traffic_share,
                 requests: requests, last_seen: lastSeen}
       } AS variants
ORDER BY started_at DESC, uid
LIMIT $limit
"""

MAX_LISTED = 500


@dataclass(frozen=True)
class ExperimentFilter:
    status: str | None = None  # started, changed, stopped
    name: str | None = None  # a part of the name
    active_since: datetime | None = None  # still running at or after this time
    limit: int = 100


@dataclass(frozen=True)
class VariantListing:
    name: str
    uid: str
    traffic_share: float | None
    requests: int


@dataclass(frozen=True)
class ExperimentListing:
    uid: str
    name: str
    status: str | None
    owner: str | None
    randomization_unit: str | None
    started_at: datetime | None
    stopped_at: datetime | None
    last_exposure: datetime | None
    variants: list[VariantListing]

    @property
    def requests(self) -> int:
        return sum(v.requests for v in self.variants)


def list_experiments(store: Reader, where: ExperimentFilter) -> list[ExperimentListing]:
    rows = store.read(
        EXPERIMENTS,
        status=where.status,
        name=where.name,
        activeSince=utc(where.active_since) if where.active_since else None,
        limit=max(1, min(where.limit, MAX_LISTED)),
    )
    return [_listing(row) for row in rows]


def _listing(row: Any) -> ExperimentListing:
    variants = [
        VariantListing(v["name"], v["uid"], v["traffic_share"], int(v["requests"] or 0))
        for v in row["variants"]
    ]
    lasts = [m for v in row["variants"] if (m := moment(v["last_seen"])) is not None]
    return ExperimentListing(
        uid=row["uid"],
        name=row["name"],
        status=row["status"],
        owner=row["owner"],
        randomization_unit=row["unit"],
        started_at=moment(row["started_at"]),
        stopped_at=moment(row["stopped_at"]),
        last_exposure=max(lasts) if lasts else None,
        variants=variants,
    )
