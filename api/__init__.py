"""The HTTP face of graph-lineage: GraphQL, ingestion, health."""

from api.app import create_app

__all__ = ["create_app"]
