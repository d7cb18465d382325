"""The /graphql endpoint."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.graphql.context import RequestContext
from api.graphql.schema import build_schema, schema
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.settings import Settings


class LineageGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI app with GraphiQL on GET and our request context."""

    def __init__(self, settings: Settings, policy: AccessPolicy) -> None:
        super().__init__(build_schema(settings, policy), graphql_ide="graphiql")

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> RequestContext:
        state: Any = request.app.state
        assert isinstance(request, Request)
        return RequestContext(request=request, store=state.store, settings=state.settings)


def render_sdl() -> str:
    """The GraphQL schema as SDL, as exported to schema/schema.graphql."""
    return schema.as_str() + "\n"


__all__ = ["LineageGraphQL", "render_sdl", "schema"]
