"""The local Neo4j server graph-lineage runs when no external one is configured."""

from graph_lineage.neo4j_local.server import LocalNeo4j, Status
from graph_lineage.neo4j_local.supervisor import Supervisor

__all__ = ["LocalNeo4j", "Status", "Supervisor"]
