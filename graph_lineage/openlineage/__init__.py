"""OpenLineage ingestion: RunEvent, DatasetEvent and JobEvent mapped to Job, Run, Dataset.

See docs/openlineage.md for the mapping, the uid normalization and the name matching.
"""

from graph_lineage.openlineage.events import (
    DatasetEvent,
    EventType,
    JobEvent,
    OpenLineageEvent,
    RunEvent,
    parse_event,
)
from graph_lineage.openlineage.ingest import (
    IngestSummary,
    ingest,
    link_signals,
    link_signals_statement,
)
from graph_lineage.openlineage.matching import candidate_uids

__all__ = [
    "DatasetEvent",
    "EventType",
    "IngestSummary",
    "JobEvent",
    "OpenLineageEvent",
    "RunEvent",
    "candidate_uids",
    "ingest",
    "link_signals",
    "link_signals_statement",
    "parse_event",
]
