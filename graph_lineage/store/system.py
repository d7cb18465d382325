"""Questions about the Neo4j server itself."""

from __future__ import annotations

from dataclasses import dataclass

from graph_lineage.store.connection import Store

COMPONENTS = """
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
"""

RECOMMENDATION_COUNT = "MATCH (n:Recommendation) RETURN count(n) AS count"


@dataclass(frozen=True)
class ServerInfo:
    version: str
    edition: str


def server_info(store: Store) -> ServerInfo:
    """Neo4j's version and edition, as the server reports them."""
    rows = store.read(COMPONENTS)
    kernel = next((row for row in rows if row["name"] == "Neo4j Kernel"), rows[0])
    return ServerInfo(version=kernel["version"], edition=kernel["edition"])


def recommendation_count(store: Store) -> int:
    """How many recommendations the graph holds (from Neo4j's count store: constant time)."""
    return int(store.read(RECOMMENDATION_COUNT)[0]["count"])
