"""The collector SDK: record lineage from the serving path without slowing it down.

``record(event)`` puts the event in a bounded in-memory queue and returns: it never
blocks and never raises. A background thread works out why each event was kept (unless
``record()`` had to decide, to say whether it kept the event), sends batches (by size or
every ``flush_interval``) through a transport, retries with backoff, spools to local disk
while the backend is down and replays the spool, in order, when it is back.

>>> from graph_lineage.collector import (
...     CollectorConfig, LineageCollector, Neo4jConfig, Sampler, make_transport)
>>> collector = LineageCollector(
...     make_transport("neo4j", Neo4jConfig(settings=Settings())),
...     Sampler(0.05, users={"qa-user"}, experiments={"ranker-v7"}, score_above=0.99),
...     CollectorConfig(spool_dir=Path("/var/spool/lineage")),
... )
>>> collector.record(served)       # in the request handler
True
>>> collector.close().sent         # at shutdown: flush, then spool what is left
1
"""

from __future__ import annotations

from graph_lineage.collector.collector import LineageCollector
from graph_lineage.collector.config import CollectorConfig
from graph_lineage.collector.sampling import Decision, Sampler
from graph_lineage.collector.spool import Spool
from graph_lineage.collector.stats import CollectorStats
from graph_lineage.collector.transports import (
    BackendUnavailable,
    EventsRejected,
    FileConfig,
    FileTransport,
    HttpConfig,
    HttpTransport,
    Neo4jConfig,
    Neo4jTransport,
    Transport,
    TransportConfig,
    TransportError,
    make_transport,
)

__all__ = [
    "BackendUnavailable",
    "CollectorConfig",
    "CollectorStats",
    "Decision",
    "EventsRejected",
    "FileConfig",
    "FileTransport",
    "HttpConfig",
    "HttpTransport",
    "LineageCollector",
    "Neo4jConfig",
    "Neo4jTransport",
    "Sampler",
    "Spool",
    "Transport",
    "TransportConfig",
    "TransportError",
    "make_transport",
]
