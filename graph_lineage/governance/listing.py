"""The records of runs (``RunRecord``), newest first: every kind, or some kinds, by page.

Kinds are ``retention``, ``erasure``, ``key_rotation``, ``completeness`` and
``experiment_report``; a record starts ``running`` and ends ``finished`` or ``failed``. A
caller who may not see run records gets none (the policy gives them to the governance
roles).

>>> page = run_records(store, ["retention", "erasure"], first=20)
>>> [node.properties["kind"] for node in page.nodes][:2]
['erasure', 'retention']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graph_lineage.anomalies.listing import check_first
from graph_lineage.errors import InvalidQuery
from graph_lineage.governance.records import utc
from graph_lineage.lineage.cursors import decode_time_cursor, time_cursor
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.visibility import EVERYTHING, Visibility
from graph_lineage.store.connection import Reader
from graph_lineage.store.labels import Label
from graph_lineage.store.reads import node_columns

# The KIND of each module that records runs: governance (retention, erasure, rotation),
# completeness audits, experiment reports.
RUN_KINDS = ("retention", "erasure", "key_rotation", "completeness", "experiment_report")

PAGE = f"""
MATCH (run:RunRecord)
WHERE run.started_at IS NOT NULL
  AND ($kinds IS NULL OR run.kind IN $kinds)
  AND ($afterTime IS NULL OR run.started_at < datetime($afterTime)
       OR (run.started_at = datetime($afterTime) AND run.uid > $afterUid))
RETURN {node_columns("run")}
ORDER BY run.started_at DESC, run.uid
LIMIT $limit
"""

COMPLETENESS = f"""
MATCH (run:RunRecord {{kind: 'completeness'}})
WHERE run.started_at IS NOT NULL AND run.status = 'finished'
  AND run.window_start < $to AND run.window_end > $from
RETURN {node_columns("run")}
ORDER BY run.started_at DESC, run.uid
LIMIT $limit
"""


@dataclass
class RunRecordPage:
    nodes: list[Node]
    cursors: list[str]
    has_next_page: bool


def run_records(
    store: Reader,
    kinds: Sequence[str] | None = None,
    first: int = 50,
    after: str | None = None,
    visibility: Visibility = EVERYTHING,
) -> RunRecordPage:
    """One page of run records of ``kinds`` (None: every kind), newest first."""
    check_first(first)
    unknown = sorted(set(kinds or []) - set(RUN_KINDS))
    if unknown:
        known = ", ".join(RUN_KINDS)
        raise InvalidQuery(f"no run records are of kind {unknown}; the kinds are {known}")
    if Label.RUN_RECORD in visibility.hidden:
        return RunRecordPage([], [], False)
    after_time, after_uid = decode_time_cursor(after)
    rows = store.read(
        PAGE,
        kinds=list(kinds) if kinds is not None else None,
        afterTime=after_time,
        afterUid=after_uid,
        limit=first + 1,
    )
    nodes = [Node.from_row(row) for row in rows]
    page = nodes[:first]
    return RunRecordPage(page, [time_cursor(n, "started_at") for n in page], len(nodes) > first)


def completeness_audits(
    store: Reader,
    start: datetime,
    end: datetime,
    limit: int,
    visibility: Visibility = EVERYTHING,
) -> list[Node]:
    """The newest finished completeness audits of a window overlapping ``[start, end)``."""
    if Label.RUN_RECORD in visibility.hidden:
        return []
    rows = store.read(COMPLETENESS, **{"from": utc(start), "to": utc(end)}, limit=limit)
    return [Node.from_row(row) for row in rows]
