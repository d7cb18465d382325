"""The GraphQL schema. Resolvers translate arguments and call graph_lineage; no Cypher here."""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.graphql.context import RequestContext
from graph_lineage import __version__
from graph_lineage.store import server_info


@strawberry.type(description="The running service and the Neo4j server behind it.")
class About:
    service: str
    version: str
    neo4j_version: str
    neo4j_edition: str


@strawberry.type
class Query:
    @strawberry.field(description="Versions of graph-lineage and of its Neo4j server.")
    async def about(self, info: Info[RequestContext, None]) -> About:
        neo4j = await run_in_threadpool(server_info, info.context.store)
        return About(
            service="graph-lineage",
            version=__version__,
            neo4j_version=neo4j.version,
            neo4j_edition=neo4j.edition,
        )


schema = strawberry.Schema(query=Query)
