"""Storing OpenLineage events, and linking datasets to the signals they name.

>>> summary = ingest(store, [parse_event(raw) for raw in events])
>>> summary.events
{'RunEvent': 2}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph_lineage.openlineage.events import OpenLineageEvent
from graph_lineage.openlineage.facets import LONG_TEXT
from graph_lineage.openlineage.mapping import LineageBatch, Statement
from graph_lineage.sealing import Sealer
from graph_lineage.store import openlineage_writes as cypher
from graph_lineage.store.connection import Counters, Store


@dataclass
class IngestSummary:
    """What one call stored: events by kind, Neo4j's counters, and facets it ignored."""

    events: dict[str, int] = field(default_factory=dict)
    counters: Counters = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"events": dict(self.events), **self.counters, "warnings": list(self.warnings)}


def ingest(
    store: Store,
    events: Sequence[OpenLineageEvent],
    max_facet_text: int = LONG_TEXT,
    sealer: Sealer | None = None,
) -> IngestSummary:
    """Write validated events in one transaction; replaying them changes nothing.

    A known facet field longer than ``max_facet_text`` is ignored with a warning.
    ``sealer`` seals the sensitive facet fields (``dataSource`` uris); without one those
    facets are ignored with a warning.
    """
    batch = LineageBatch(max_facet_text=max_facet_text, sealer=sealer)
    for index, event in enumerate(events):
        batch.add(event, index)
    statements = batch.statements(datetime.now(UTC))
    counters = store.write_all(statements) if statements else {}
    return IngestSummary(dict(batch.counts), counters, list(batch.warnings))


def link_signals_statement(target_uids: Sequence[str], now: datetime) -> Statement:
    """The statement that links datasets to DataSources or FeatureVersions written since.

    Run it in the same transaction, after the statements that wrote those nodes, so that a
    dataset seen before the signal it names still gets its ``SAME_AS`` edge.
    """
    return cypher.LINK_SIGNALS, {"targets": sorted(set(target_uids)), "now": now}


def link_signals(store: Store, target_uids: Sequence[str]) -> Counters:
    """Link datasets to these DataSource or FeatureVersion uids, in a transaction of its own."""
    return store.write_all([link_signals_statement(target_uids, datetime.now(UTC))])
