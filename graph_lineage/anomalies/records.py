"""Findings stored as ``(:Anomaly)`` nodes linked to their evidence by ``EVIDENCE`` edges.

One node per distinct problem, MERGEd on a uid derived from its key: a scan that sees the
problem again updates ``count``, ``last_seen`` and ``scans`` and replaces the evidence;
``first_seen`` never moves. A problem a full scan no longer sees is ``resolved``; seen
again, it is ``open`` once more. ``alerted_count`` is the count the last delivered alert
carried (null until one is delivered), which is what alert deduplication compares with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

import neo4j

from graph_lineage.anomalies.finding import Finding, Window
from graph_lineage.lineage.visibility import kind_of_uid
from graph_lineage.store.connection import Store
from graph_lineage.store.values import native

OPEN, RESOLVED = "open", "resolved"

UPSERT = """
UNWIND $rows AS row
MERGE (a:Anomaly {uid: row.uid})
  ON CREATE SET a.rule = row.rule, a.key = row.key, a.first_seen = $now, a.valid_from = $now,
                a.ingested_at = $now, a.scans = 0
WITH a, row, a.status AS previous, a.alerted_count AS alerted
SET a.severity = row.severity, a.summary = row.summary, a.count = row.count,
    a.status = 'open', a.last_seen = $now, a.scans = a.scans + 1, a.since = $since,
    a.evidence = row.evidence, a.evidence_kinds = row.kinds,
    a.evidence_counts = row.counts, a.resolved_at = null
RETURN a.uid AS uid, previous, alerted, a.first_seen AS first_seen, a.scans AS scans
"""


# Evidence is replaced whole: what a problem touches changes as traffic moves. One
# statement per finding label (Anomaly, DriftAlert); each link names its node's kind.
def evidence_statement(label: LiteralString) -> LiteralString:
    return f"""
UNWIND $rows AS row
MATCH (a:{label} {{uid: row.uid}})
CALL (a) {{
  MATCH (a)-[old:EVIDENCE]->()
  DELETE old
}}
CALL (a, row) {{
  UNWIND row.links AS link
  CALL (link) {{
    MATCH (n:FeatureVersion {{uid: link.uid}}) WHERE link.kind = 'FeatureVersion' RETURN n
    UNION MATCH (n:ModelVersion {{uid: link.uid}}) WHERE link.kind = 'ModelVersion' RETURN n
    UNION MATCH (n:LineageContext {{uid: link.uid}}) WHERE link.kind = 'LineageContext' RETURN n
    UNION MATCH (n:Recommendation {{uid: link.uid}}) WHERE link.kind = 'Recommendation' RETURN n
    UNION MATCH (n:Variant {{uid: link.uid}}) WHERE link.kind = 'Variant' RETURN n
    UNION MATCH (n:Experiment {{uid: link.uid}}) WHERE link.kind = 'Experiment' RETURN n
    UNION MATCH (n:Deployment {{uid: link.uid}}) WHERE link.kind = 'Deployment' RETURN n
    UNION MATCH (n:DataSource {{uid: link.uid}}) WHERE link.kind = 'DataSource' RETURN n
    UNION MATCH (n:DriftWindow {{uid: link.uid}}) WHERE link.kind = 'DriftWindow' RETURN n
  }}
  CREATE (a)-[:EVIDENCE {{ingested_at: $now}}]->(n)
}}
"""


def mark_alerted_statement(label: LiteralString) -> LiteralString:
    """Remember, per finding uid, the count its delivered alert carried."""
    return f"""
UNWIND $alerted AS alert
MATCH (a:{label} {{uid: alert.uid}})
SET a.alerted_count = alert.count, a.alerted_at = $now
"""


def evidence_links(uids: Iterable[str]) -> list[dict[str, Any]]:
    """The ``links`` of :func:`evidence_statement`: each uid with the kind it names."""
    return [{"uid": uid, "kind": kind_of_uid(uid)} for uid in uids]


EVIDENCE = evidence_statement("Anomaly")

RESOLVE = """
MATCH (a:Anomaly)
WHERE a.rule IN $rules AND a.status = 'open' AND NOT a.uid IN $seen
SET a.status = 'resolved', a.resolved_at = $now
RETURN a.uid AS uid, a.rule AS rule, a.summary AS summary
"""

MARK_ALERTED = mark_alerted_statement("Anomaly")


@dataclass(frozen=True)
class Stored:
    """A finding as the store now holds it, with what it held before this scan."""

    finding: Finding
    previous_status: str | None  # None: first seen now
    alerted_count: int | None  # what the last delivered alert said; None: never delivered
    first_seen: datetime
    scans: int


def store_findings(
    store: Store, findings: list[Finding], window: Window, now: datetime
) -> list[Stored]:
    """Upsert the findings and their evidence in one transaction."""
    if not findings:
        return []
    rows = [_row(finding) for finding in findings]
    by_uid = {finding.uid: finding for finding in findings}
    stored: list[Stored] = []

    def work(tx: neo4j.ManagedTransaction) -> None:
        for record in tx.run(UPSERT, rows=rows, now=now, since=window.start):
            stored.append(
                Stored(
                    finding=by_uid[record["uid"]],
                    previous_status=record["previous"],
                    alerted_count=record["alerted"],
                    first_seen=native(record["first_seen"]),
                    scans=record["scans"],
                )
            )
        tx.run(EVIDENCE, rows=rows, now=now).consume()

    store.write_transaction(work)
    return sorted(stored, key=lambda s: s.finding.uid)


def resolve_missing(
    store: Store, rules: list[str], seen: list[str], now: datetime
) -> list[dict[str, Any]]:
    """Mark open anomalies of ``rules`` that this scan did not see as resolved."""
    return store.write(RESOLVE, rules=rules, seen=seen, now=now)


def mark_alerted(store: Store, alerted: dict[str, int], now: datetime) -> None:
    """Remember, per anomaly uid, the count its delivered alert carried."""
    if alerted:
        rows = [{"uid": uid, "count": count} for uid, count in sorted(alerted.items())]
        store.write(MARK_ALERTED, alerted=rows, now=now)


def _row(finding: Finding) -> dict[str, Any]:
    kinds = sorted(finding.evidence_counts)
    return {
        "uid": finding.uid,
        "rule": finding.rule,
        "key": finding.key,
        "severity": finding.severity,
        "summary": finding.summary,
        "count": finding.count,
        "evidence": list(finding.evidence),
        "kinds": kinds,
        "counts": [finding.evidence_counts[kind] for kind in kinds],
        "links": evidence_links(finding.evidence),
    }
