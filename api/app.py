"""The Starlette application served by ``graph-lineage serve``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from api.graphql import LineageGraphQL
from api.health import healthz, readyz
from api.ingest import ingest_events
from api.openlineage import openlineage_endpoint
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.writer import LineageWriter


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; it opens its Neo4j driver on startup and closes it on shutdown."""
    settings = settings or Settings()
    pseudonymizer = Pseudonymizer.from_settings(settings)  # no key: refuse to start

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.store = Store.connect(settings)
        app.state.writer = LineageWriter(app.state.store, pseudonymizer)
        try:
            yield
        finally:
            app.state.store.close()

    graphql = LineageGraphQL()
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/v1/events", ingest_events, methods=["POST"]),
        Route("/api/v1/lineage", openlineage_endpoint, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
