"""Everything that talks to Neo4j. All Cypher of graph-lineage lives in this package."""

from graph_lineage.store.connection import Store, resolve_target
from graph_lineage.store.labels import LINEAGE_LABELS, Label, Rel
from graph_lineage.store.migrations import (
    Migration,
    MigrationStatus,
    load_migrations,
    migrate,
    migration_status,
)
from graph_lineage.store.system import ServerInfo, recommendation_count, server_info

__all__ = [
    "LINEAGE_LABELS",
    "Label",
    "Migration",
    "MigrationStatus",
    "Rel",
    "ServerInfo",
    "Store",
    "load_migrations",
    "migrate",
    "migration_status",
    "recommendation_count",
    "resolve_target",
    "server_info",
]
