"""The collector's public surface is what producers import; changing it is a decision."""

from __future__ import annotations

import graph_lineage.collector
import graph_lineage.collector.transports


def test_collector_exports() -> None:
    assert sorted(graph_lineage.collector.__all__) == [
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


def test_every_exported_name_exists() -> None:
    for module in (graph_lineage.collector, graph_lineage.collector.transports):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
