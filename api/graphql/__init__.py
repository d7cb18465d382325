"""The /graphql endpoint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.auth import is_ide_page
from api.graphql.context import RequestContext
from api.graphql.outages import RETRY_AFTER_SECONDS, found_outage
from api.graphql.recording import record_operation, unrecorded_response
from api.graphql.schema import build_schema, schema
from api.graphql.visibility import visibility_for
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.errors import AccessNotRecorded
from graph_lineage.settings import Settings

GRAPHIQL_PAGE = "/ui/graphiql"


class LineageGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI app with our request context and the access log.

    ``GET /graphql`` from a browser (HTML, no query) is sent on to the explorer's GraphiQL,
    built in and served under ``/ui/graphiql`` (strawberry's own loads from a CDN).

    Every operation (a request carrying a document, whether it runs or is refused) is
    recorded before its answer leaves; when the record cannot be written the caller gets
    ``503`` and no data. An operation a field of which found Neo4j unavailable is answered
    ``503`` with ``Retry-After`` (:mod:`api.graphql.outages`). No subscription protocols:
    every operation goes through :meth:`execute_single`, where it is recorded.
    """

    def __init__(self, settings: Settings, policy: AccessPolicy) -> None:
        super().__init__(
            build_schema(settings, policy), graphql_ide=None, subscription_protocols=()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_ide_page(scope):
            await RedirectResponse(GRAPHIQL_PAGE, status_code=303)(scope, receive, send)
            return
        try:
            await super().__call__(scope, receive, send)
        except AccessNotRecorded as unrecorded:  # raised before any byte of the answer left
            await unrecorded_response(unrecorded)(scope, receive, send)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        run = super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        if not request_data.query:  # no document, no operation: strawberry answers 400
            return await run
        started = datetime.now(UTC)
        try:
            result = await run
        except HTTPException:  # refused before execution (400), recorded as refused
            await record_operation(context, request_data, started, None)
            raise
        outage = found_outage(result)
        await record_operation(context, request_data, started, result, store_unavailable=outage)
        if outage:
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return result

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        assert isinstance(request, Request)
        return request_context(request)


def request_context(request: Request) -> RequestContext:
    """The context of an operation asked in ``request``, as its authenticated caller."""
    state: Any = request.app.state
    caller = request.scope.get("caller")  # set by AuthenticationMiddleware
    return RequestContext(
        request=request,
        store=state.store,
        settings=state.settings,
        policy=state.policy,
        sealer=state.sealer,
        caller=caller,
        visibility=visibility_for(state.policy, caller.roles if caller else frozenset()),
    )


def render_sdl() -> str:
    """The GraphQL schema as SDL, as exported to schema/schema.graphql."""
    return schema.as_str() + "\n"


__all__ = ["LineageGraphQL", "render_sdl", "request_context", "schema"]
