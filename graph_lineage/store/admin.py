"""Destructive maintenance: emptying a database. Used by the test suite between tests."""

from __future__ import annotations

from graph_lineage.store.connection import Store

# Relationships first, then nodes, each in bounded batches: a DETACH DELETE batch that
# holds a few dense nodes (a context with the edges of 50,000 recommendations) deletes
# all their edges in one transaction and can exceed the server's transaction memory.
DELETE_ALL_RELATIONSHIPS = """
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
"""
DELETE_ALL_NODES = """
MATCH (n)
CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS
"""
CONSTRAINT_NAMES = "SHOW CONSTRAINTS YIELD name RETURN name"
INDEX_NAMES = "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name"
DROP_CONSTRAINT = "DROP CONSTRAINT $name IF EXISTS"
DROP_INDEX = "DROP INDEX $name IF EXISTS"


def wipe_database(store: Store) -> None:
    """Delete every node, relationship, constraint and index (but the token lookup indexes)."""
    store.run_schema(DELETE_ALL_RELATIONSHIPS)
    store.run_schema(DELETE_ALL_NODES)
    for row in store.read(CONSTRAINT_NAMES):
        store.run_schema(DROP_CONSTRAINT, name=row["name"])
    for row in store.read(INDEX_NAMES):  # what dropping the constraints left
        store.run_schema(DROP_INDEX, name=row["name"])
