"""The Starlette application served by ``graph-lineage serve``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from api.graphql import LineageGraphQL
from api.health import healthz, readyz
from graph_lineage.settings import Settings
from graph_lineage.store import Store


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; it opens its Neo4j driver on startup and closes it on shutdown."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.store = Store.connect(settings)
        try:
            yield
        finally:
            app.state.store.close()

    graphql = LineageGraphQL()
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
