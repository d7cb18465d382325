"""The audit records of governance runs: one ``(:RunRecord)`` node per retention or erasure.

A record is created when a run starts (``status: 'running'``) and completed when it ends
(``'finished'`` or ``'failed'``), so a run that died half-way still leaves a trace.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from graph_lineage.store.connection import Store

START_RUN = """
CREATE (run:RunRecord {uid: $uid, kind: $kind, status: 'running', started_at: $started_at})
SET run += $properties
"""

FINISH_RUN = """
MATCH (run:RunRecord {uid: $uid})
SET run += $properties, run.status = $status, run.finished_at = $finished_at
"""


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a time without a zone is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def record_uid(kind: str, started_at: datetime) -> str:
    """``record:<kind>/<UTC time to the microsecond>-<6 random hex digits>``."""
    stamp = utc(started_at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"record:{kind}/{stamp}-{secrets.token_hex(3)}"


def start_run(store: Store, kind: str, properties: dict[str, Any]) -> str:
    """Create the record of a run starting now; returns its uid."""
    started_at = datetime.now(UTC)
    uid = record_uid(kind, started_at)
    store.write(START_RUN, uid=uid, kind=kind, started_at=started_at, properties=properties)
    return uid


def finish_run(
    store: Store, uid: str, properties: dict[str, Any], status: str = "finished"
) -> datetime:
    """Complete the record of a run with its results; returns the finishing time."""
    finished_at = datetime.now(UTC)
    store.write(FINISH_RUN, uid=uid, properties=properties, status=status, finished_at=finished_at)
    return finished_at
