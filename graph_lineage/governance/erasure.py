"""Erasure: everything stored about one person goes, and the erasure is recorded.

A person is found by the pseudonym of their raw id (``user_pseudonym`` on their
recommendations); their recommendations and the outcomes observed on them are deleted in
bounded batches. The record, an ``(:RunRecord {kind: 'erasure'})``, names the person by an
*erasure subject* instead: a keyed HMAC of the raw id under the pseudonymization key, in
a domain of its own. It differs from the pseudonym, so the record cannot be joined to
copies of the deleted data (backups, exports), yet whoever holds the key and the raw id
can recompute it to show that this person was erased. Neither the raw id nor the
pseudonym is stored, logged or printed. Before anything is deleted the person goes into
the erasure ledger (:mod:`graph_lineage.governance.ledger`), so their events replayed
later are dropped at write time instead of stored again.

``ContextUsage`` counters stay: they count recommendations per context, day and segment
and say nothing about who received them.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from graph_lineage.errors import LineageError
from graph_lineage.governance.ledger import ErasureLedger, erasure_subject
from graph_lineage.governance.records import finish_run, start_run, utc
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.store.connection import Store

KIND = "erasure"

COUNT_USER = """
MATCH (r:Recommendation {user_pseudonym: $pseudonym})
OPTIONAL MATCH (o:Outcome)-[:FOR]->(r)
RETURN count(DISTINCT r) AS recommendations, count(o) AS outcomes
"""

REQUESTS = """
MATCH (r:Recommendation {user_pseudonym: $pseudonym})
RETURN r.request_id AS request_id
"""

DELETE_USER = """
MATCH (r:Recommendation {user_pseudonym: $pseudonym})
CALL (r) {
  CALL (r) {
    OPTIONAL MATCH (o:Outcome)-[:FOR]->(r)
    DETACH DELETE o
    RETURN count(o) AS outcomes
  }
  DETACH DELETE r
  RETURN outcomes
} IN TRANSACTIONS OF $batch ROWS
RETURN count(*) AS recommendations, coalesce(sum(outcomes), 0) AS outcomes
"""


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure deleted (in a dry run: would have deleted) and its record."""

    uid: str
    subject: str
    dry_run: bool
    recommendations: int
    outcomes: int


def erase_user(
    store: Store,
    pseudonymizer: Pseudonymizer,
    raw_user_id: str,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int = 10_000,
) -> ErasureReport:
    """Delete the recommendations and outcomes of the person with ``raw_user_id``.

    Erasing the same person again deletes nothing and is recorded again.
    """
    pseudonym = pseudonymizer.pseudonym(raw_user_id)
    subject = erasure_subject(pseudonymizer, raw_user_id)
    requested_at = utc(now or datetime.now(UTC))
    properties = {"subject": subject, "dry_run": dry_run, "as_of": requested_at}
    uid = start_run(store, KIND, {**properties, "batch_size": batch_size})
    try:
        if dry_run:
            counts = store.read(COUNT_USER, pseudonym=pseudonym)[0]
        else:
            requests = [row["request_id"] for row in store.read(REQUESTS, pseudonym=pseudonym)]
            ErasureLedger(pseudonymizer).record(store, raw_user_id, requests, requested_at)
            counts = store.run_autocommit(DELETE_USER, pseudonym=pseudonym, batch=batch_size)[0]
    except LineageError:
        with suppress(LineageError):
            finish_run(store, uid, {}, status="failed")
        raise
    recommendations, outcomes = int(counts["recommendations"]), int(counts["outcomes"])
    finish_run(
        store, uid, {"deleted_recommendations": recommendations, "deleted_outcomes": outcomes}
    )
    return ErasureReport(uid, subject, dry_run, recommendations, outcomes)
