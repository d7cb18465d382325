"""GraphQL types of the run records listing: its connection."""

from __future__ import annotations

from api.graphql.nodes import RunRecord, to_kind
from api.graphql.pagination import Connection, connection
from graph_lineage.governance import RunRecordPage
from graph_lineage.lineage.model import Node

RunRecordConnection = Connection[RunRecord]


def run_page_to_graphql(page: RunRecordPage) -> RunRecordConnection:
    def record(node: Node) -> RunRecord:
        return to_kind(node, RunRecord)

    return connection(page.nodes, page.cursors, page.has_next_page, record)
