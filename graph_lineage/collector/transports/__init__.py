"""Where a collector sends its batches, chosen by name like the OpenLineage client's transports.

>>> transport = make_transport("file", FileConfig(path=Path("lineage.ndjson")))
>>> transport = make_transport("http", {"url": "http://127.0.0.1:8000"})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graph_lineage.collector.transports.base import Transport, is_retryable
from graph_lineage.collector.transports.file import FileConfig, FileTransport
from graph_lineage.collector.transports.http import HttpConfig, HttpTransport
from graph_lineage.collector.transports.neo4j import Neo4jConfig, Neo4jTransport
from graph_lineage.errors import (
    BackendUnavailable,
    ConfigurationError,
    EventsRejected,
    TransportError,
)

TransportConfig = Neo4jConfig | HttpConfig | FileConfig

_KINDS: dict[str, tuple[type[Any], Callable[[Any], Transport]]] = {
    "neo4j": (Neo4jConfig, Neo4jTransport),
    "http": (HttpConfig, HttpTransport),
    "file": (FileConfig, FileTransport),
}


def make_transport(kind: str, config: TransportConfig | Mapping[str, Any]) -> Transport:
    """The transport of this kind (``"neo4j"``, ``"http"`` or ``"file"``) with this config.

    ``config`` is the kind's config object, or a mapping of its fields.
    """
    if kind not in _KINDS:
        raise ConfigurationError(
            f"unknown transport {kind!r}: choose one of {', '.join(sorted(_KINDS))}"
        )
    config_type, factory = _KINDS[kind]
    if isinstance(config, Mapping):
        config = config_type(**config)
    if not isinstance(config, config_type):
        raise ConfigurationError(
            f"the {kind!r} transport takes a {config_type.__name__}, not {type(config).__name__}"
        )
    return factory(config)


__all__ = [
    "BackendUnavailable",
    "EventsRejected",
    "FileConfig",
    "FileTransport",
    "HttpConfig",
    "HttpTransport",
    "Neo4jConfig",
    "Neo4jTransport",
    "Transport",
    "TransportConfig",
    "TransportError",
    "is_retryable",
    "make_transport",
]
