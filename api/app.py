"""The Starlette application served by ``graph-lineage serve``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, request_response

from api.auth import AuthenticationMiddleware, RequireRoles
from api.graphql import LineageGraphQL
from api.health import healthz, readyz
from api.ingest import ingest_events
from api.openlineage import openlineage_endpoint
from api.refusals import RefusalRecorder
from api.reports import report_endpoint
from api.store_errors import store_error_handler
from api.ui import ui_routes
from graph_lineage.auth import INGEST_ROLES, READ_ROLES, Authenticator
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.drift.schedule import DriftSchedule
from graph_lineage.errors import StoreError
from graph_lineage.governance.retention import RetentionPolicy
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.writer import LineageWriter


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; it opens its Neo4j driver on startup and closes it on shutdown."""
    settings = settings or Settings()
    pseudonymizer = Pseudonymizer.from_settings(settings)  # no key: refuse to start
    sealer = Sealer.from_settings(settings)  # no encryption keys: refuse to start
    authenticator = Authenticator(settings)  # no way to verify tokens: refuse to start
    policy = AccessPolicy.load(settings.access_policy_file)
    refusals = RefusalRecorder.from_settings(settings)
    drift_scans = DriftSchedule(settings)  # every drift_scan_interval seconds; 0: never

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.policy = policy
        app.state.sealer = sealer
        app.state.store = Store.connect_for_requests(settings)
        # The readiness probe shares the driver but never retries: a probe answers at once.
        app.state.probe_store = app.state.store.without_retries()
        app.state.writer = LineageWriter(
            app.state.store, pseudonymizer, sealer, RetentionPolicy.from_settings(settings)
        )
        app.state.refusals = refusals
        refusals.start(app.state.store)
        app.state.drift_scans = drift_scans
        drift_scans.start()
        try:
            yield
        finally:
            drift_scans.stop()
            refusals.stop()  # the open windows' summaries, then the queue, are written
            app.state.store.close()

    lineage_graphql = LineageGraphQL(settings, policy)
    graphql = RequireRoles(lineage_graphql, READ_ROLES, "reading lineage", refusals)
    # Reports run their query through the same schema, as the caller: no other door.
    report = RequireRoles(
        request_response(report_endpoint(lineage_graphql.schema)),
        READ_ROLES,
        "exporting reports",
        refusals,
    )
    events = RequireRoles(
        request_response(ingest_events), INGEST_ROLES, "ingesting events", refusals
    )
    lineage = RequireRoles(
        request_response(openlineage_endpoint), INGEST_ROLES, "ingesting", refusals
    )
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/exports/report.pdf", report, methods=["POST"]),
        Route("/v1/events", events, methods=["POST"]),
        Route("/api/v1/lineage", lineage, methods=["POST"]),
        *ui_routes(settings),
    ]
    middleware = [
        Middleware(AuthenticationMiddleware, authenticator=authenticator, refusals=refusals)
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={StoreError: store_error_handler},
    )
